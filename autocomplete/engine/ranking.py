"""The candidate words a next-token distribution ranks, for any next-word model.

`WordIndex` knows which of the tokenizer's words may be offered (never `<unk>`, padding,
punctuation or bare numbers) and the completion lexicon's words beyond the vocabulary; the
candidate sources (sources.py) ask it for next words and for completions of a folded prefix.
`Suggestion` and `Suggestions` are what the Suggester returns.

Speed: completion uses a sorted index of accent- and case-folded words (`WordIndex`): a
prefix is a contiguous range found by bisection, never a scan of the vocabulary in Python.
The completion lexicon's words outside the vocabulary have their own such index.

No torch here, so the baseline and text-only tools stay light to import.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from autocomplete.engine.lexicon import Lexicon
from autocomplete.engine.tokenizer import SPECIAL_IDS, UNK_ID, Tokenizer, fold_all
from autocomplete.text import is_word


@dataclass(frozen=True)
class Suggestion:
    word: str  # exactly what to insert in place of the last `Suggestions.replace` characters
    prob: float
    # The word corrects a slip of the finger in what was typed ("compy" -> "computador"), not
    # only its accents or case: a front end shows it as a correction.
    correction: bool = False


class Suggestions(list[Suggestion]):
    """What `suggest` returns: the words, best first, as a plain list, and what they replace.

    `replace` is the number of characters at the end of the text that each word replaces:
    the partial word being completed ("an" in "Segue em an": 2), 0 for a next word. Accepting
    a suggestion `s` turns `text` into `text[: len(text) - replace] + s.word`, so a caller
    never parses the text again. A list, so code that only wants the words reads it as one.
    """

    def __init__(self, words: Iterable[Suggestion] = (), replace: int = 0) -> None:
        super().__init__(words)
        self.replace = replace

    def __repr__(self) -> str:
        return f"Suggestions({list.__repr__(self)}, replace={self.replace})"


SPELLING_BYTES = 24  # longer prefixes (rare: a partial word of 24 letters) are bisected


def _top(ids: np.ndarray, log_probs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k best of `ids` by log-probability, best first, with their probabilities."""
    scores = log_probs[ids]
    best = np.argpartition(-scores, k - 1)[:k] if len(ids) > k else np.arange(len(ids))
    best = best[np.argsort(-scores[best], kind="stable")]
    return ids[best], np.exp(scores[best])


def _prefix_span(sorted_folded: list[str], folded_prefix: str) -> tuple[int, int]:
    """The range of `sorted_folded` that starts with `folded_prefix`, by bisection."""
    low = bisect.bisect_left(sorted_folded, folded_prefix)
    return low, bisect.bisect_left(sorted_folded, folded_prefix + "\U0010ffff", lo=low)


@dataclass
class _UnknownWords:
    """The completion lexicon's words that the model has no id for, sorted by folded spelling.

    The model predicts all of them as `<unk>`; each gets the share of P(<unk>) that its
    frequency has among them. So the model says how likely an unknown word is in this
    context, the frequency says which one, and a confident vocabulary word still wins.
    """

    words: list[str]
    folded: list[str]
    shares: np.ndarray  # frequency / total frequency of these words, in folded order
    cumulative: np.ndarray  # running sum of the shares from 0: a prefix's share in O(1)
    share_of: dict[str, float]  # by word, for the personal mix
    # Positions of the words of each one- or two-letter prefix, commonest first: their ranges
    # are the longest (thousands of words) and there are a few hundred of them.
    ranked: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def build(cls, lexicon: Lexicon, tokenizer: Tokenizer) -> _UnknownWords:
        # A word folding like a vocabulary word is mostly that word typed without accents
        # ("nao", "voce"), and the vocabulary's spelling completes from the same letters: it
        # is left out, as are rarer spellings of one folded form (frequent ones come first).
        folded_words = fold_all(lexicon.words)
        # Rarest first, so the commonest spelling of each folded form is written last and
        # kept (of equal ones, the first in the lexicon).
        rarest_first = np.argsort(-lexicon.frequencies, kind="stable")[::-1].tolist()
        commonest = {folded_words[index]: index for index in rarest_first}
        for folded in tokenizer.folded_words:
            commonest.pop(folded, None)
        entries = sorted(commonest.items())
        kept = [index for _, index in entries]
        frequencies = lexicon.frequencies[kept].astype(np.float64)
        shares = frequencies / max(frequencies.sum(), 1e-30)
        words = [lexicon.words[index] for index in kept]
        return cls(
            words=words,
            folded=[folded for folded, _ in entries],
            shares=shares,
            cumulative=np.concatenate([[0.0], np.cumsum(shares)]),
            share_of=dict(zip(words, shares.tolist(), strict=True)),
        )

    def share(self, folded_prefix: str) -> float:
        low, high = _prefix_span(self.folded, folded_prefix)
        return float(self.cumulative[high] - self.cumulative[low])

    def top(self, folded_prefix: str, k: int) -> tuple[list[str], np.ndarray]:
        """The k commonest words starting with `folded_prefix` (in no particular order: the
        caller ranks them with the vocabulary's words), and their shares."""
        low, high = _prefix_span(self.folded, folded_prefix)
        if high - low <= k:  # most prefixes past two letters
            return self.words[low:high], self.shares[low:high]
        if len(folded_prefix) <= 2:
            ranked = self.ranked.get(folded_prefix)
            if ranked is None:  # the same array whichever thread computes it
                ranked = low + np.argsort(-self.shares[low:high], kind="stable")
                self.ranked[folded_prefix] = ranked
            best = ranked[:k]
        else:
            best = low + np.argpartition(-self.shares[low:high], k - 1)[:k]
        return [self.words[i] for i in best.tolist()], self.shares[best]


class WordIndex:
    """The words a tokenizer's vocabulary (and a completion lexicon) can offer, indexed to
    rank them from a next-token distribution: the next words, and the completions of a
    folded prefix. Never `<unk>`, padding, punctuation or bare numbers. Read-only, so threads
    may share it; the completion indexes are built on first use, which keeps them out of a
    model's load (threads that race to build one build the same)."""

    def __init__(self, tokenizer: Tokenizer, lexicon: Lexicon | None = None):
        self.tokenizer = tokenizer
        self._lexicon = lexicon  # until indexed (`_unknown`)
        self._unknown_words: _UnknownWords | None = None
        self._indexing = threading.Lock()
        words = tokenizer.words
        suggestable = [
            i not in SPECIAL_IDS and is_word(w) and not w.isdigit() for i, w in enumerate(words)
        ]
        self._next_word_ids = np.flatnonzero(suggestable)

    @cached_property
    def _sorted(self) -> tuple[np.ndarray, list[str]]:
        """Completion index: suggestable word ids sorted by their folded spelling, and those
        spellings."""
        folded = self.tokenizer.folded_words
        candidates = sorted(self._next_word_ids.tolist(), key=folded.__getitem__)
        return np.array(candidates, dtype=np.int64), [folded[i] for i in candidates]

    @property
    def _unknown(self) -> _UnknownWords | None:
        """The lexicon's words outside the vocabulary, indexed on first use. The lexicon is let
        go then: the rest of its words (two thirds, 2 MB) are never read again."""
        if self._lexicon is not None:
            with self._indexing:
                if self._lexicon is not None:  # not indexed by another thread meanwhile
                    self._unknown_words = _UnknownWords.build(self._lexicon, self.tokenizer)
                    self._lexicon = None
        return self._unknown_words

    def next_words(self, log_probs: np.ndarray, k: int) -> dict[str, float]:
        """The k likeliest next words and their probabilities."""
        return self._words(*_top(self._next_word_ids, log_probs, k))

    def completions(
        self, folded: str, log_probs: np.ndarray, given: float, k: int
    ) -> dict[str, float]:
        """The k likeliest vocabulary words and the k likeliest lexicon words starting with
        `folded`, each with its probability given that the word starts so (`given` is the
        prefix's probability, `prefix_probability`)."""
        return {
            **self.vocabulary_completions(folded, log_probs, given, k),
            **self.lexicon_completions(folded, log_probs, given, k),
        }

    def vocabulary_completions(
        self, folded: str, log_probs: np.ndarray, given: float, k: int
    ) -> dict[str, float]:
        """The k likeliest vocabulary words starting with `folded`, given that they do."""
        scored = self._words(*_top(self._prefix_ids(folded), log_probs, k))
        given = max(given, 1e-30)
        return {word: p / given for word, p in scored.items()}

    def lexicon_completions(
        self, folded: str, log_probs: np.ndarray, given: float, k: int
    ) -> dict[str, float]:
        """The k likeliest completion-lexicon words outside the vocabulary starting with
        `folded`, given that the word starts so: their share of P(<unk>)."""
        if self._unknown is None:
            return {}
        words, shares = self._unknown.top(folded, k)
        unknown = float(np.exp(log_probs[UNK_ID]))
        given = max(given, 1e-30)
        return {w: p / given for w, p in zip(words, (unknown * shares).tolist(), strict=True)}

    @cached_property
    def _spelling_table(self) -> np.ndarray:
        """Every vocabulary and lexicon folded spelling, UTF-8 cut to SPELLING_BYTES, sorted
        (byte order is code point order): `known_prefixes` searches it for hundreds of
        prefixes in one call. 56k spellings: 1.3 MB."""
        spellings = set(self._sorted[1])
        if self._unknown is not None:
            spellings.update(self._unknown.folded)
        cut = sorted({spelling.encode()[:SPELLING_BYTES] for spelling in spellings})
        return np.array(cut, dtype=f"S{SPELLING_BYTES}")

    def known_prefixes(self, folded: list[str]) -> list[bool]:
        """`has_prefix` of each, in one vectorised search: a Python bisection per prefix
        cost slip correction a millisecond a keystroke."""
        table = self._spelling_table
        if not folded or not len(table):
            return [False] * len(folded)
        encoded = [prefix.encode() for prefix in folded]
        queries = np.array(encoded, dtype=f"S{SPELLING_BYTES}")  # longer ones are cut here
        at = np.minimum(np.searchsorted(table, queries), len(table) - 1)
        found = np.char.startswith(table[at], queries).tolist()
        return [
            hit if len(raw) <= SPELLING_BYTES else self.has_prefix(prefix)
            for hit, raw, prefix in zip(found, encoded, folded, strict=True)
        ]

    def has_prefix(self, folded: str) -> bool:
        """Whether any vocabulary or lexicon word's folded spelling starts with `folded`."""
        low, high = _prefix_span(self._sorted[1], folded)
        if high > low:
            return True
        if self._unknown is None:
            return False
        low, high = _prefix_span(self._unknown.folded, folded)
        return high > low

    def prefix_probability(self, folded: str, log_probs: np.ndarray) -> float:
        """P(the next word's folded spelling starts with `folded`), lexicon words included."""
        total = float(np.exp(log_probs[self._prefix_ids(folded)]).sum())
        if self._unknown is not None:
            total += float(np.exp(log_probs[UNK_ID])) * self._unknown.share(folded)
        return total

    def word_probability(self, word: str, log_probs: np.ndarray) -> float:
        """The model's probability of a vocabulary or lexicon word (0 for any other)."""
        word_id = self.tokenizer.ids.get(word)
        if word_id is not None:
            return float(np.exp(log_probs[word_id]))
        if self._unknown is None:
            return 0.0
        return float(np.exp(log_probs[UNK_ID])) * self._unknown.share_of.get(word, 0.0)

    def _words(self, ids: np.ndarray, probs: np.ndarray) -> dict[str, float]:
        words = self.tokenizer.words
        return {words[i]: p for i, p in zip(ids.tolist(), probs.tolist(), strict=True)}

    def _prefix_ids(self, folded: str) -> np.ndarray:
        """Vocabulary ids of the words whose folded spelling starts with `folded`."""
        sorted_ids, sorted_folded = self._sorted
        low, high = _prefix_span(sorted_folded, folded)
        return sorted_ids[low:high]
