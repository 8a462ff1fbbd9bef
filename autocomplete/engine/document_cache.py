"""The document as a cache: words and word pairs of the open document come back.

A name or term used earlier in a document is likely to be used again (Kuhn & De Mori's cache
model; Grave et al.'s neural cache). This source counts the words of the document, and the
words after each word, weighted by their distance from the cursor: an occurrence `d` words
away counts exp(-d / DECAY_WORDS). The text before the cursor is read incrementally (typing at
the end adds only the new words: each keeps the weight exp(i / DECAY_WORDS) of its position
i, and the distribution is their normalised share, so moving on decays every older word
alike); the text after the cursor (when the caller passes it) is read when it changes.

Its distribution, P_cache(w | previous) = (1 - PAIR_WEIGHT) * unigram + PAIR_WEIGHT * pair
(the unigram alone where the previous word was never followed), is mixed with the rest by the
Suggester with a weight that grows with the words the cache holds (CacheParameters.weight):
the few words of a short text must not outrank the model ("Segue documento em " offering
"documento"), while a long document's names and terms come back. Fitted on held-out documents
typed from their start (benchmarks/fit_cache.py). A word the document never holds keeps its
order: all of them are scaled alike.
"""

from __future__ import annotations

import bisect
import heapq
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from autocomplete.engine.mixer import Candidates
from autocomplete.engine.query import Query
from autocomplete.engine.sources import Reading
from autocomplete.engine.tokenizer import fold, pretokenize
from autocomplete.text import is_word

DECAY_WORDS = 500.0  # an occurrence this many words from the cursor counts 1/e
WINDOW_CHARS = 60_000  # of the document on either side of the cursor (~10k words)
REBASE = 60.0  # past exp(60) the weights are rescaled, long before a float overflows
TOP_EVERY = 50  # the heaviest words are found again after this many tokens
AFTER_WEIGHT = 0.5  # text after the cursor (being revised) counts half as much as before it


@dataclass(frozen=True)
class CacheParameters:
    """Fitted by benchmarks/fit_cache.py (held-out likelihood on the validation documents of
    camara and office-suporte, each typed from its start; results/fit_cache.json): perplexity
    623 -> 502 on agencia-brasil's and 101 -> 80 on gnome-ajuda's, fitted on neither. Three
    words in, the cache has a tenth of its weight."""

    max_weight: float = 0.15  # the cache's share of the mix in a long document
    half_words: float = 30.0  # ... half of it once the cache holds this many words
    pair_weight: float = 0.9  # the pair's share of the cache, where the previous word was seen

    def weight(self, words: int) -> float:
        """The cache's share of the mix when it holds `words` words."""
        return self.max_weight * words / (words + self.half_words)


class _Counts:
    """Weighted counts of words and of the words after each word."""

    def __init__(self) -> None:
        self.words: dict[str, float] = {}
        self.followers: dict[str, dict[str, float]] = {}  # previous -> word -> weight
        self.followed: dict[str, float] = {}  # previous -> the weight of its followers
        self.total = 0.0

    def add(self, previous: str | None, word: str, weight: float) -> bool:
        """Count `word` (after `previous`); True if the word is new here."""
        new = word not in self.words
        self.words[word] = self.words.get(word, 0.0) + weight
        self.total += weight
        if previous is not None:
            after = self.followers.setdefault(previous, {})
            after[word] = after.get(word, 0.0) + weight
            self.followed[previous] = self.followed.get(previous, 0.0) + weight
        return new

    def scale(self, factor: float) -> None:
        self.total *= factor
        for table in (self.words, self.followed):
            for key in table:
                table[key] *= factor
        for after in self.followers.values():
            for key in after:
                after[key] *= factor


class DocumentCache:
    """Counts of the words of one document around the cursor, with distance decay."""

    def __init__(self, parameters: CacheParameters | None = None, decay: float = DECAY_WORDS):
        self.parameters = parameters or CacheParameters()
        self.decay = decay
        self._lock = threading.Lock()
        self._after_text: str | None = None
        self._after = _Counts()
        self._after_words = 0
        self._reset()

    def _reset(self) -> None:
        self._before = ""  # the text before the cursor that is counted
        self._position = 0  # tokens counted
        self._words = 0  # words counted
        self._base = 0  # position whose weight is 1
        self._previous: str | None = None  # the last token counted (lower-case)
        self._counts = _Counts()
        self._forms: dict[str, str] = {}  # how each word was last written mid-sentence
        self._folded: list[tuple[str, str]] = []  # (folded, word) of every word, sorted
        self._index_words()
        self._top: list[str] = []
        self._top_at = -1  # position when _top was computed

    def _index_words(self) -> None:
        words = set(self._counts.words) | set(self._after.words)
        self._folded = sorted((fold(w), w) for w in words)

    def read(self, before: str, after: str | None = None) -> None:
        """Bring the counts up to the document `before` + `after` (the cursor between);
        `after` None keeps the text after the cursor last read."""
        with self._lock:
            window = before[-WINDOW_CHARS:]
            if not (self._before and window.startswith(self._before)):
                self._reset()
                if len(before) > len(window):  # cut mid-document: from a word's start
                    window = window[window.find(" ") + 1 :]
                self._add(window)
            else:
                self._add(window[len(self._before) :])
            self._before = window
            if after is not None and after is not self._after_text and after != self._after_text:
                self._read_after(after[:WINDOW_CHARS])
                self._after_text = after

    def _add(self, text: str) -> None:
        for token in pretokenize(text):
            lowered = token.lower()
            if self._position - self._base > REBASE * self.decay:
                self._counts.scale(math.exp(-(self._position - self._base) / self.decay))
                self._base = self._position
            if is_word(lowered) and not lowered.isdigit():
                weight = math.exp((self._position - self._base) / self.decay)
                self._words += 1
                if self._counts.add(self._previous, lowered, weight):
                    bisect.insort(self._folded, (fold(lowered), lowered))
                if self._previous is not None and is_word(self._previous):  # no forced capital
                    self._forms[lowered] = token
            self._previous = lowered
            self._position += 1

    def _read_after(self, after: str) -> None:
        self._after = _Counts()
        self._after_words = 0
        previous = None
        for distance, token in enumerate(pretokenize(after)):
            lowered = token.lower()
            if is_word(lowered) and not lowered.isdigit():
                self._after.add(previous, lowered, AFTER_WEIGHT * math.exp(-distance / self.decay))
                self._after_words += 1
            previous = lowered
        self._index_words()

    @property
    def words(self) -> int:
        """Words the cache holds, on both sides of the cursor (within the window)."""
        return self._words + self._after_words

    @property
    def weight(self) -> float:
        """Its share of the mix now (CacheParameters.weight)."""
        return self.parameters.weight(self.words)

    def written_form(self, word: str) -> str | None:
        """How the document writes `word` where no capital is forced ("Quintanilha")."""
        form = self._forms.get(word)
        return form if form is not None and form != word else None

    def candidates(self, previous: str | None, folded_prefix: str, limit: int) -> list[str]:
        """Up to `limit` of the document's words starting with `folded_prefix` (any, for a
        next word), the heaviest first, and those that followed `previous`."""
        with self._lock:
            if folded_prefix:
                low = bisect.bisect_left(self._folded, (folded_prefix,))
                high = bisect.bisect_left(self._folded, (folded_prefix + "\U0010ffff",), lo=low)
                words = [w for _, w in self._folded[low:high]]
                prefixed = set(words)
            else:
                words = self._heaviest(limit)
            if len(words) > limit:
                words = heapq.nlargest(limit, words, key=self._weight)
            if previous is not None:
                for counts in (self._counts, self._after):
                    after = counts.followers.get(previous.lower(), {})
                    if folded_prefix:
                        after = {w: n for w, n in after.items() if w in prefixed}
                    words += heapq.nlargest(limit, after, key=after.__getitem__)
            return list(dict.fromkeys(words))

    def _heaviest(self, limit: int) -> list[str]:
        if self._position - self._top_at > TOP_EVERY or len(self._top) < limit:
            self._top = heapq.nlargest(limit, self._counts.words, key=self._weight)
            self._top_at = self._position
        return list(self._top)

    def _weight(self, word: str) -> float:
        return self._counts.words.get(word, 0.0)

    def probabilities(self, previous: str | None, words: Iterable[str]) -> dict[str, float]:
        """P_cache(w | previous word) of `words` (not renormalised to them)."""
        unigram, pair = self.parts(previous, words)
        if pair is None:
            return unigram
        share = self.parameters.pair_weight
        return {w: (1 - share) * p + share * pair[w] for w, p in unigram.items()}

    def parts(
        self, previous: str | None, words: Iterable[str]
    ) -> tuple[dict[str, float], dict[str, float] | None]:
        """The cache's unigram probabilities of `words`, and their probabilities after
        `previous` (None where the document never has a word after it)."""
        with self._lock:
            scale = math.exp((self._position - self._base) / self.decay)  # the cursor's weight
            total = self._counts.total / scale + self._after.total
            if total <= 0:
                return {}, None
            before, after = self._counts, self._after
            unigram = {
                w: (before.words.get(w, 0.0) / scale + after.words.get(w, 0.0)) / total
                for w in words
            }
            if previous is None:
                return unigram, None
            previous = previous.lower()
            seen = before.followed.get(previous, 0.0) / scale + after.followed.get(previous, 0.0)
            if seen <= 0:
                return unigram, None
            followed_before = before.followers.get(previous, {})
            followed_after = after.followers.get(previous, {})
            pair = {
                w: (followed_before.get(w, 0.0) / scale + followed_after.get(w, 0.0)) / seen
                for w in unigram
            }
            return unigram, pair


class DocumentSource:
    """The document cache as a candidate source (sources.py): its words starting with the
    prefix, renormalised to it, mixed with the fitted weight (CacheParameters)."""

    def __init__(self, cache: DocumentCache):
        self.cache = cache

    def candidates(self, query: Query, reading: Reading, k: int) -> Candidates:
        last = pretokenize(query.context[-100:])[-1:]
        previous = last[0] if last else None
        words = self.cache.candidates(previous, reading.folded, k)
        probs = self.cache.probabilities(previous, words)
        weight = self.cache.weight
        if not reading.folded:
            return Candidates(probs, weight=weight)
        mass = sum(probs.values())
        probs = {w: p / mass for w, p in probs.items()} if mass > 0 else {}
        return Candidates(probs, weight=weight, prefix_mass=mass)
