"""Interpolated modified Kneser-Ney trigram: the classic baseline every metric is compared with.

It reads the same token ids as the LSTM (the checkpoint's tokenizer, lower-cased words,
`</s>` after every sentence, one continuous stream) and is a `suggest.NextWordModel`:
`Suggester(tokenizer, trigram)` suggests with it exactly as with the LSTM, so the two differ
only in the model.

    P(w | u v) = max(c(u v w) - D, 0) / c(u v .) + gamma(u v) * P(w | v)
    P(w | v)   = the same over continuation counts N1+(. v w)
    P(w)       = the same over N1+(. w), interpolated with the uniform distribution

with Chen & Goodman's three discounts per order (for counts 1, 2 and 3+). A context never
seen falls through to the lower order whole. Every distribution sums to one over the
vocabulary, so perplexities compare with the LSTM's.

Training is a few `np.unique` calls over int64 n-gram keys (seconds for 2M tokens); a
distribution is the unigram vector plus two sparse corrections found by bisection.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from autocomplete.engine.tokenizer import EOS_ID, Tokenizer


@dataclass
class _Order:
    """The n-grams of one order grouped by context: ngram i is (contexts[j], words[i]) for
    starts[j] <= i < starts[j + 1]."""

    contexts: np.ndarray  # sorted context keys
    starts: np.ndarray  # len(contexts) + 1 offsets into words/weights
    words: np.ndarray  # the predicted word of each n-gram
    weights: np.ndarray  # (count - D) / total count of its context (D <= count)
    backoff: np.ndarray  # per context: the mass the discounts leave to the lower order

    @classmethod
    def build(cls, keys: np.ndarray, counts: np.ndarray, vocab: int) -> _Order:
        """From sorted unique n-gram keys (context * vocab + word) and their counts."""
        discounts = _discounts(counts)[np.minimum(counts, 3) - 1]
        contexts, starts, sizes = np.unique(keys // vocab, return_index=True, return_counts=True)
        totals = np.add.reduceat(counts, starts).astype(np.float64)
        return cls(
            contexts=contexts,
            starts=np.append(starts, len(keys)),
            words=keys % vocab,
            weights=(counts - discounts) / np.repeat(totals, sizes),
            backoff=np.add.reduceat(discounts, starts) / totals,
        )

    def interpolate(self, context: int, lower: np.ndarray) -> np.ndarray:
        """This order's distribution after `context`, given the lower order's."""
        index = np.searchsorted(self.contexts, context)
        if index == len(self.contexts) or self.contexts[index] != context:
            return lower
        begin, end = self.starts[index], self.starts[index + 1]
        result = lower * self.backoff[index]
        result[self.words[begin:end]] += self.weights[begin:end]
        return result


def _discounts(counts: np.ndarray) -> np.ndarray:
    """Modified-KN discounts for counts 1, 2 and 3+ from the counts of counts."""
    n1, n2, n3, n4 = (np.count_nonzero(counts == c) for c in (1, 2, 3, 4))
    if min(n1, n2, n3, n4) == 0:  # a toy corpus: one absolute discount for all counts
        single = n1 / (n1 + 2 * n2) if n1 else 0.5
        return np.full(3, single)
    y = n1 / (n1 + 2 * n2)
    estimate = np.array([1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3])
    # Keep every discount positive (unseen words need mass) and below its count.
    return np.clip(estimate, 0.01, [1.0, 2.0, 3.0])


def _counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    unique, counts = np.unique(keys, return_counts=True)
    return unique, counts.astype(np.int64)


class KneserNeyTrigram:
    """A trigram model over a tokenizer's ids (a `suggest.NextWordModel`)."""

    def __init__(self, unigram: np.ndarray, bigram: _Order, trigram: _Order):
        self._unigram = unigram
        self._bigram = bigram
        self._trigram = trigram

    @classmethod
    def train(cls, tokenizer: Tokenizer, sentences: Iterable[str]) -> KneserNeyTrigram:
        return cls.from_ids(tokenizer, tokenizer.encode_sentences(sentences))

    @classmethod
    def from_ids(cls, tokenizer: Tokenizer, stream: np.ndarray) -> KneserNeyTrigram:
        """Count a token stream (as `Tokenizer.encode_sentences` gives) into a model."""
        vocab = len(tokenizer)
        # A leading </s>, as every context has: the first sentence starts like the others.
        ids = np.concatenate([[EOS_ID], stream]).astype(np.int64)
        trigram_keys, trigram_counts = _counts((ids[:-2] * vocab + ids[1:-1]) * vocab + ids[2:])
        # Lower orders count the distinct words seen before an n-gram, not its occurrences:
        # "Janeiro" is frequent but follows almost only "de", so it is a poor guess elsewhere.
        bigram_keys, bigram_counts = _counts(trigram_keys % (vocab * vocab))
        unigram_keys, unigram_counts = _counts(bigram_keys % vocab)
        uniform = np.full(vocab, 1.0 / vocab)
        unigram = _Order.build(unigram_keys, unigram_counts, vocab).interpolate(0, uniform)
        return cls(
            unigram,
            _Order.build(bigram_keys, bigram_counts, vocab),
            _Order.build(trigram_keys, trigram_counts, vocab),
        )

    def probs(self, ids: Sequence[int]) -> np.ndarray:
        """P(next token | the last two of `ids`) over the vocabulary."""
        if not ids:
            return self._unigram
        vocab = len(self._unigram)
        bigram = self._bigram.interpolate(ids[-1], self._unigram)
        if len(ids) < 2:
            return bigram
        return self._trigram.interpolate(ids[-2] * vocab + ids[-1], bigram)

    def next_log_probs(self, ids: Sequence[int]) -> np.ndarray:
        """log P(next token | the last two of `ids`): the `NextWordModel` protocol."""
        return np.log(self.probs(ids))

    def perplexity(self, stream: np.ndarray) -> float:
        """exp of the mean negative log-likelihood of a token stream (after a leading </s>)."""
        ids = [EOS_ID, *stream.tolist()]
        total = sum(
            -math.log(self.probs(ids[max(i - 1, 0) : i + 1])[ids[i + 1]])
            for i in range(len(stream))
        )
        return math.exp(total / len(stream))
