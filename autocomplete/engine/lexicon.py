"""The completion lexicon record: common Portuguese words and their frequencies, beyond the
model's own vocabulary. Serving reads it from the inference file and ranking completes its
words the model has no id for; training/build_lexicon.py builds it from wordfreq's list."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Lower-case words (`build` puts the most frequent first) and their frequencies."""

    words: list[str]
    frequencies: np.ndarray  # float32, one per word (wordfreq: share of all word tokens)
    source: str = ""  # where the words come from, their licence, and how they were filtered

    def __post_init__(self) -> None:
        if self.frequencies.shape != (len(self.words),):
            raise ValueError("lexicon words and frequencies differ in number")
        if not np.all(np.isfinite(self.frequencies)) or np.any(self.frequencies < 0):
            raise ValueError("lexicon frequencies must be finite and not negative")
        if len(set(self.words)) != len(self.words) or "" in self.words:
            raise ValueError("lexicon words must be distinct and not empty")
        if any("\n" in word for word in self.words):  # the separator of `packed_words`
            raise ValueError("lexicon words cannot hold a line break")

    def __len__(self) -> int:
        return len(self.words)

    def packed_words(self) -> bytes:
        """The words as newline-joined UTF-8: one compact array in a checkpoint."""
        return "\n".join(self.words).encode("utf-8")

    @classmethod
    def unpack(cls, packed_words: bytes, frequencies: np.ndarray, source: str) -> Lexicon:
        """Inverse of `packed_words`; ValueError (UnicodeDecodeError too) when damaged."""
        text = packed_words.decode("utf-8")
        words = text.split("\n") if text else []
        return cls(words, np.asarray(frequencies, dtype=np.float32), source)
