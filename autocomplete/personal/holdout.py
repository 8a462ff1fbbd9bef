"""The slice of the user's text that learning sets aside, to fit the mix on (personal/fit.py).

Every HOLD_OUT_EVERY-th paragraph of what `learn` and the editor's saves read is kept out of
the counts and stored as text, so that the mix of the user's counts with the model can be
fitted by likelihood on words the counts never saw: text of this user, not the project's.
The slice is bounded (HELD_OUT_CHARS): past it, the oldest paragraphs are released into the
counts, so nothing the user wrote is lost to learning for good.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from autocomplete.text import typed_paragraphs

HOLD_OUT_EVERY = 10  # one paragraph in this many is held out
HELD_OUT_CHARS = 60_000  # about 10k words: enough to fit three numbers, small beside the store

SCHEMA = """
CREATE TABLE IF NOT EXISTS held_out (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Splitter:
    """Splits texts into what is counted and what is held out, one paragraph in
    HOLD_OUT_EVERY (counting on across texts, so that short saves are sampled too)."""

    def __init__(self, seen: int = 0):
        self.seen = seen  # paragraphs read so far (the store keeps it between sessions)
        self.held: list[str] = []

    def split(self, texts: Iterable[str]) -> Iterator[str]:
        """The texts without their held-out paragraphs (a line each), collecting those."""
        for text in texts:
            kept = []
            for paragraph in typed_paragraphs(text):
                self.seen += 1
                if self.seen % HOLD_OUT_EVERY == 0:
                    self.held.append(paragraph)
                else:
                    kept.append(paragraph)
            yield "\n".join(kept)


def overflow(stored: list[tuple[int, int]], bound: int = HELD_OUT_CHARS) -> list[int]:
    """The ids of the oldest held-out paragraphs to release so that the rest fit `bound`;
    `stored` is (id, length) oldest first."""
    total = sum(length for _, length in stored)
    released = []
    for paragraph_id, length in stored:
        if total <= bound:
            break
        released.append(paragraph_id)
        total -= length
    return released
