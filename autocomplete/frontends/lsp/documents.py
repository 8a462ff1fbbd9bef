"""The open documents as the Suggester sees them: the text before a cursor, and the LSP range
of what a suggestion replaces.

pygls keeps each document's text in sync (incremental changes) and converts positions from
the client's units (UTF-16 code units unless both sides agreed otherwise: "é" is one unit,
"😀" two) to Python's code points; this module only ever hands the client back ranges made
with the same codec.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types
from pygls.workspace import TextDocument

# As in the editor: the model reads only the last few thousand characters, and a context that
# starts on a line that moves once every CONTEXT_BLOCK lines keeps each request cheap in a
# long document while its start stays still, so the Suggester's incremental cache stays valid.
CONTEXT_BLOCK = 32
CONTEXT_CHARS = 8_192  # a very long line is cut at a multiple of this many characters


@dataclass(frozen=True)
class Cursor:
    """Where a request asks for words: the text before it, and its place in two units."""

    text: str  # the context before the cursor, as the Suggester wants it
    line: int
    column: int  # in code points
    line_before: str  # the cursor's line up to it
    inside_word: bool  # a word character follows: a suggestion would split that word
    after: str  # up to CONTEXT_CHARS after it, to its block's end: the document cache reads it


def cursor_at(document: TextDocument, position: types.Position) -> Cursor:
    lines = document.lines
    place = document.position_codec.position_from_client_units(lines, position)
    row, column = place.line, place.character
    line = lines[row] if row < len(lines) else ""
    first = max(0, row - row % CONTEXT_BLOCK - CONTEXT_BLOCK)
    text = "".join(lines[first:row]) + line[:column]
    if len(text) > 2 * CONTEXT_CHARS:
        text = text[(len(text) // CONTEXT_CHARS - 1) * CONTEXT_CHARS :]
    after = (line[column:] + "".join(lines[row + 1 : row + 1 + CONTEXT_BLOCK]))[:CONTEXT_CHARS]
    inside_word = column < len(line) and line[column].isalnum()
    return Cursor(text, row, column, line[:column], inside_word, after)


def replaced_range(document: TextDocument, cursor: Cursor, replace: int) -> types.Range:
    """The range of the last `replace` characters before the cursor, in the client's units."""
    units = document.position_codec.client_num_units
    before = cursor.line_before
    start = units(before[: max(0, len(before) - replace)])
    return types.Range(
        types.Position(cursor.line, start), types.Position(cursor.line, units(before))
    )


def offset_of(text: str, line: int, column: int) -> int:
    """The index in `text` of (line, column in code points), clamped to the text."""
    lines = text.splitlines(keepends=True)
    return min(sum(map(len, lines[:line])) + column, len(text))
