"""The pieces of ranking, for any next-word model: what the text before the cursor asks for,
the ids a model reads for it, and the candidate words a distribution ranks.

The Suggester (suggest.py) puts them together; they decide everything the user sees but the
model's numbers: what counts as a partial word, where a capital is forced (text.py),
accent-folded completion, the completion lexicon's words beyond the vocabulary, and the
tokens never offered. So every model is measured on exactly the same terms.

Speed:
- Context tokenisation is incremental (`ContextIds`): text before the start of the last
  sentence is settled (typing at the end cannot change how it splits or tokenises), so its
  ids are kept and only the last sentence is tokenised again.
- Completion uses a sorted index of accent- and case-folded words (`WordIndex`): a prefix is
  a contiguous range found by bisection, never a scan of the vocabulary in Python. The
  completion lexicon's words outside the vocabulary have their own such index.

No torch here, so the baseline and text-only tools stay light to import.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from autocomplete.engine.lexicon import Lexicon
from autocomplete.engine.tokenizer import (
    EOS_ID,
    SPECIAL_IDS,
    UNK_ID,
    Tokenizer,
    fold_all,
    pretokenize,
)
from autocomplete.text import (
    OPENERS,
    PARTIAL_WORD,
    capital_forced,
    ends_sentence,
    is_word,
    sentences,
)

MAX_CONTEXT_CHARS = 3_000  # older text barely changes an LSTM's prediction
LETTER = re.compile(r"\w")


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


@dataclass
class Query:
    """The text before the cursor, read the way the model needs it."""

    context: str  # text before the partial word
    partial: str  # the word being typed ("" for a next-word request)
    sentence_start: bool  # a capital is forced here (text.capital_forced)


def parse(text: str) -> Query | None:
    """Split text into context and partial word; None when no word can come next.

    After closing punctuation ("Olá,") the user still has to type a space, so nothing is
    offered; after an opening bracket or quote the word follows directly.
    """
    if not text or text[-1].isspace():
        context, partial = text, ""
    else:
        match = PARTIAL_WORD.search(text[-200:])
        if match is None:
            if text[-1] not in OPENERS:
                return None
            context, partial = text, ""
        else:
            partial = match.group()
            context = text[: len(text) - len(partial)]
            if len(partial) > 60:  # no word is that long: it is noise, not a prefix
                return None
    return Query(context=context, partial=partial, sentence_start=_at_sentence_start(context))


def _at_sentence_start(context: str) -> bool:
    """Whether a capital is forced after `context`: its last line is its paragraph."""
    paragraph = context.rstrip(" \t")[-100:].rsplit("\n", 1)[-1]
    return capital_forced(pretokenize(paragraph))


def _context_window(context: str) -> str:
    """At most MAX_CONTEXT_CHARS, starting at a line or sentence start that stays put while
    the user types, so the cached state stays valid for many keystrokes."""
    if len(context) <= MAX_CONTEXT_CHARS:
        return context
    half = MAX_CONTEXT_CHARS // 2
    start = (len(context) - MAX_CONTEXT_CHARS) // half * half + half
    boundary = context.find("\n", start)
    if boundary == -1 or boundary > start + half:
        boundary = context.find(". ", start)
    if boundary == -1 or boundary > start + half:
        return context[start:]
    return context[boundary + 1 :]


def context_ids(tokenizer: Tokenizer, context: str) -> list[int]:
    """Token ids a model sees for a context: sentences end in </s>, as in training."""
    ids, _, _ = _encode(tokenizer, _context_window(context))
    return [EOS_ID, *ids]


def _encode(tokenizer: Tokenizer, text: str) -> tuple[list[int], int, int]:
    """Ids of `text`, and the character and id offsets where its last sentence begins.

    Lines are paragraphs; a sentence that is not last gets its `</s>`, the last one only when
    it already ends in sentence punctuation.
    """
    ids: list[int] = []
    settled_chars, settled_ids = len(text), None  # no sentence at all: everything is settled
    line_start = 0
    lines = text.split("\n")
    for line_number, line in enumerate(lines):
        last_line = line_number == len(lines) - 1
        pieces = sentences(line.strip())
        for piece_number, piece in enumerate(pieces):
            last_piece = last_line and piece_number == len(pieces) - 1
            if last_piece:  # `piece` is a suffix of the stripped line
                settled_chars, settled_ids = line_start + len(line.rstrip()) - len(piece), len(ids)
            tokens = pretokenize(piece)
            ids.extend(tokenizer.word_id(token) for token in tokens)
            if tokens and (not last_piece or ends_sentence(tokens)):
                ids.append(EOS_ID)
        line_start += len(line) + 1
    return ids, settled_chars, len(ids) if settled_ids is None else settled_ids


class ContextIds:
    """`context_ids` that re-tokenises only the last sentence of the context window.

    Cutting the window at the start of its last sentence gives the same ids as tokenising it
    whole, provided the text up to that sentence's first letter is unchanged: the sentence
    splitter decides a cut by looking at the letter after it (a capital starts a sentence).
    """

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer
        self._settled_ids = [EOS_ID]
        self._settled_chars = 0
        self._guard = ""  # window text up to the first letter after the settled part

    def __call__(self, context: str) -> list[int]:
        window = _context_window(context)
        if not window.startswith(self._guard):
            self._settled_ids, self._settled_chars, self._guard = [EOS_ID], 0, ""
        tail = window[self._settled_chars :]
        tail_ids, tail_chars, tail_id_count = _encode(self.tokenizer, tail)
        ids = self._settled_ids + tail_ids
        self._settled_ids = ids[: len(self._settled_ids) + tail_id_count]
        self._settled_chars += tail_chars
        letter = LETTER.search(window, self._settled_chars)
        self._guard = window[: letter.end() if letter else len(window)]
        return ids


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
        taken = set(tokenizer.folded_words)
        frequency_of = lexicon.frequencies.tolist()
        entries: list[tuple[str, str, float]] = []
        folded_words = fold_all(lexicon.words)
        for index in np.argsort(-lexicon.frequencies, kind="stable").tolist():
            word, folded = lexicon.words[index], folded_words[index]
            if folded not in taken:
                taken.add(folded)
                entries.append((folded, word, frequency_of[index]))
        entries.sort()
        frequencies = np.array([frequency for _, _, frequency in entries], dtype=np.float64)
        shares = frequencies / max(frequencies.sum(), 1e-30)
        words = [word for _, word, _ in entries]
        return cls(
            words=words,
            folded=[folded for folded, _, _ in entries],
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
        self._lexicon = lexicon
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

    @cached_property
    def _unknown(self) -> _UnknownWords | None:
        if self._lexicon is None:
            return None
        return _UnknownWords.build(self._lexicon, self.tokenizer)

    def next_words(self, log_probs: np.ndarray, k: int) -> dict[str, float]:
        """The k likeliest next words and their probabilities."""
        return self._words(*_top(self._next_word_ids, log_probs, k))

    def completions(
        self, folded: str, log_probs: np.ndarray, given: float, k: int
    ) -> dict[str, float]:
        """The k likeliest vocabulary words and the k likeliest lexicon words starting with
        `folded`, each with its probability given that the word starts so (`given` is the
        prefix's probability, `prefix_probability`)."""
        scored = self._words(*_top(self._prefix_ids(folded), log_probs, k))
        if self._unknown is not None:
            words, shares = self._unknown.top(folded, k)
            unknown = float(np.exp(log_probs[UNK_ID]))
            scored.update(zip(words, (unknown * shares).tolist(), strict=True))
        given = max(given, 1e-30)
        return {word: p / given for word, p in scored.items()}

    def has_prefix(self, folded: str) -> bool:
        """Whether any vocabulary or lexicon word's folded spelling starts with `folded`
        (two bisections: cheap enough to ask for hundreds of prefixes per keystroke)."""
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
