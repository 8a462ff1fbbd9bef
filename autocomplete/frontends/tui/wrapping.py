"""Keeping Textual's TextArea quick in a long document, by patching five spots of Textual's
soft wrapping (each with a test in tests/test_wrapping.py that compares it with Textual's own
result, so a Textual upgrade that changes them fails a test instead of painting wrong):

- `WrappedDocument.height` sums the rows of every line each time it is read, and TextArea
  reads it for every row it paints: ~50 ms a row in a 19.5 MB file of 92k paragraphs. The
  row map the wrapped document keeps has one entry per row: its length is the same number.
- Wrapping a line measures it word by word in Python: 15 s to wrap that file, at each width
  the layout tries. A line of one-cell characters without tabs, the common case in prose,
  is wrapped here with one regular-expression match per row, to the same break positions
  (1.3 s for the file, most of it Textual's bookkeeping per line, which is built here
  with list comprehensions instead of a loop of appends).
- Each line is split at its tabs, to measure them, even when it has none.
- Every resize and scrollbar change wraps the whole document again, even at the width it is
  already wrapped at. Edits keep the wrapping current (`wrap_range`), so that is skipped.
- An edit that adds or removes a line or a row (Enter, a word that moves to the next row)
  renumbered every row and line below it in Python: 0.1-0.5 s near the top of that file.
  The maps between lines and rows are a `row_map.RowMap`, which defers that renumbering.
"""

from __future__ import annotations

import gc
import re
from functools import lru_cache

from textual import _wrap
from textual.document import _wrapped_document
from textual.document._document import Location
from textual.document._wrapped_document import WrappedDocument
from textual.expand_tabs import get_tab_widths
from textual.geometry import clamp

from autocomplete.frontends.tui.row_map import LineRows, RowInfo, RowMap

# Characters one cell wide (as rich measures them): Latin with its accents, Greek, Cyrillic,
# and the dashes, quotes and ellipsis of general punctuation. No tabs, no combining marks.
NARROW = (
    (0x20, 0x7E),
    (0xA0, 0xAC),
    (0xAE, 0x2FF),
    (0x370, 0x482),
    (0x2010, 0x2027),
    (0x2030, 0x205E),
)
_NARROW_LINE = re.compile(
    "["
    + "".join(f"{re.escape(chr(first))}-{re.escape(chr(last))}" for first, last in NARROW)
    + "]*"
)
# A word and the spaces after it, or a run of spaces: Textual's unit of wrapping.
_CHUNK = _wrap.re_chunk


@lru_cache(maxsize=8)
def _row_end(width: int) -> re.Pattern[str]:
    """The furthest start of a chunk (a space followed by a non-space) at most `width`
    characters after where the match begins: whole chunks up to it fill one row."""
    return re.compile(rf".{{0,{width - 1}}}\s(?=\S)", re.DOTALL)


def wrap_offsets(
    text: str,
    width: int,
    tab_size: int,
    fold: bool = True,
    precomputed_tab_sections: list[tuple[str, int]] | None = None,
) -> list[int]:
    """Where Textual's `compute_wrap_offsets` breaks `text` into rows of `width` cells."""
    if width <= 0 or not fold or _NARROW_LINE.fullmatch(text) is None:
        return _wrap.compute_wrap_offsets(text, width, tab_size, fold, precomputed_tab_sections)
    breaks: list[int] = []
    row_end = _row_end(width)
    start = 0
    while len(text) - start > width:
        match = row_end.match(text, start)
        if match is not None:
            start = match.end()
        else:
            # The chunk at `start` is wider than a row: folded into full rows, and its last
            # piece begins a row that the following chunks go on filling.
            chunk = _CHUNK.match(text, start)
            assert chunk is not None  # any non-empty text begins with a chunk
            folds = (chunk.end() - start - 1) // width
            breaks.extend(start + width * fold for fold in range(1, folds))
            start += width * folds
        breaks.append(start)
    return breaks


def tab_widths(line: str, tab_size: int = 4) -> list[tuple[str, int]]:
    """Textual's `get_tab_widths`, answered at once for a line without tabs."""
    return [(line, 0)] if line and "\t" not in line else get_tab_widths(line, tab_size)


def _wrap_when_width_changes(
    wrapped: WrappedDocument, width: int, tab_width: int | None = None
) -> None:
    """What Textual's `wrap` does, unless the document is already wrapped at these widths:
    the row breaks of every line, the tab widths, and the maps between lines and rows."""
    same_tabs = not tab_width or tab_width == wrapped._tab_width
    if wrapped._wrap_offsets and width == wrapped._width and same_tabs:
        return
    # Hundreds of thousands of small lists at once: the cyclic garbage collector would scan
    # the growing heap again and again meanwhile (a third of the time), for no garbage.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _wrap_all(wrapped, width, tab_width)
    finally:
        if collecting:
            gc.enable()


def _wrap_all(wrapped: WrappedDocument, width: int, tab_width: int | None) -> None:
    wrapped._width = width
    if tab_width:
        wrapped._tab_width = tab_width
    tab_size = wrapped._tab_width
    lines = wrapped.document.lines
    sections = [tab_widths(line, tab_size) for line in lines]
    wrapped._tab_width_cache = [[tab for _, tab in tabs] for tabs in sections]
    if not width:  # not wrapped: one row a line (TextArea does this before it has a size)
        wrapped._wrap_offsets = [[] for _ in lines]
    else:
        wrapped._wrap_offsets = [
            wrap_offsets(line, width, tab_size, True, tabs)
            for line, tabs in zip(lines, sections, strict=True)
        ]
    rows = RowMap([len(breaks) + 1 for breaks in wrapped._wrap_offsets])
    wrapped._row_map = rows  # type: ignore[attr-defined]
    wrapped._offset_to_line_info = RowInfo(rows)  # type: ignore[assignment]
    wrapped._line_index_to_offsets = LineRows(rows)  # type: ignore[assignment]


def _wrap_range(
    wrapped: WrappedDocument, start: Location, old_end: Location, new_end: Location
) -> None:
    """What Textual's `wrap_range` does after an edit: wrap the lines from `start` to
    `new_end` (that were `start` to `old_end`) again, with the row map's cheap renumbering."""
    # Clamped as Textual clamps them: the edit API takes any range.
    old_max, new_max = len(wrapped._wrap_offsets) - 1, wrapped.document.line_count - 1
    first = clamp(start[0], 0, min(old_max, new_max))
    top, old_bottom = sorted((first, clamp(old_end[0], 0, old_max)))
    new_bottom = max(first, clamp(new_end[0], 0, new_max))
    lines = wrapped.document.lines[top : new_bottom + 1]
    width, tab_size = wrapped._width, wrapped._tab_width
    sections = [tab_widths(line, tab_size) for line in lines]
    offsets = [
        wrap_offsets(line, width, tab_size, True, tabs) if width else []
        for line, tabs in zip(lines, sections, strict=True)
    ]
    wrapped._tab_width_cache[top : old_bottom + 1] = [[tab for _, tab in t] for t in sections]
    wrapped._wrap_offsets[top : old_bottom + 1] = offsets
    rows: RowMap = wrapped._row_map  # type: ignore[attr-defined]
    rows.replace(top, old_bottom + 1, [len(breaks) + 1 for breaks in offsets])


def _height(wrapped: WrappedDocument) -> int:
    """The height of the wrapped document: one row-map entry per row."""
    return len(wrapped._offset_to_line_info)


def wrap_long_documents_quickly() -> None:
    """Patch the five spots of Textual's wrapping (idempotent)."""
    WrappedDocument.wrap = _wrap_when_width_changes  # type: ignore[method-assign]
    WrappedDocument.wrap_range = _wrap_range  # type: ignore[method-assign]
    WrappedDocument.height = property(_height)  # type: ignore[method-assign,assignment]
    _wrapped_document.compute_wrap_offsets = wrap_offsets  # type: ignore[attr-defined]
    _wrapped_document.get_tab_widths = tab_widths  # type: ignore[attr-defined]
