"""What a save teaches the personal vocabulary: only the text that changed since the last
save, so that saving twice never counts a word twice, and only words that were finished."""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from autocomplete.text import WORD, is_word_character

# A word (text.WORD) or one other character, with the spaces after it, so that joining a
# run of tokens gives back the original text.
TOKEN = re.compile(rf"(?:{WORD.pattern})\s*|\S\s*|\s+")


def finished(text: str, cursor: int) -> str:
    """`text` without the words still being typed: the one at the cursor, and the last one
    of the text unless a space or punctuation follows it ("linha tr" must not teach "tr")."""
    spans = {_word_around(text, cursor), _word_around(text, len(text))}
    for start, end in sorted(spans, reverse=True):  # both maximal runs: equal or apart
        if start < end:
            text = text[:start] + text[end:]
    return text


def _word_around(text: str, index: int) -> tuple[int, int]:
    """The span of the run of word characters that touches `index` (empty if none does)."""
    start = end = index
    while start > 0 and is_word_character(text[start - 1]):
        start -= 1
    while end < len(text) and is_word_character(text[end]):
        end += 1
    return start, end


def changed_text(old: str, new: str) -> str:
    """The parts of `new` that `old` does not have, as pieces separated by blank lines.

    Lines are compared first (cheap, even for long documents): inserted lines are taken whole.
    Within changed lines only the changed words are taken, because in a soft-wrapping editor
    a paragraph is one long line, and appending to it must not count its beginning again.
    Blank lines between pieces keep a word from being learned as following one it was never
    written after.
    """
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    pieces: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_lines, new_lines).get_opcodes():
        if tag == "insert":
            pieces.append("".join(new_lines[j1:j2]))
        elif tag == "replace":
            pieces.extend(_changed_words("".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])))
    stripped = (piece.strip() for piece in pieces)
    return "\n\n".join(piece for piece in stripped if piece)


def _changed_words(old: str, new: str) -> list[str]:
    old_tokens = TOKEN.findall(old)
    new_tokens = TOKEN.findall(new)
    # Compared without their spaces: re-wrapping a line changes no word.
    matcher = SequenceMatcher(
        None, [t.strip() for t in old_tokens], [t.strip() for t in new_tokens]
    )
    return [
        "".join(new_tokens[j1:j2])
        for tag, _, _, j1, j2 in matcher.get_opcodes()
        if tag in ("insert", "replace")
    ]
