"""Suggester: text before the cursor in, ranked words to insert out.

This is the one place that turns text into suggestions; the editor and `evaluate` both call
`suggest`, so what is measured is what the user gets.

Speed comes from incremental inference:
- The recurrent state after the context is cached with the ids that produced it. A new call
  whose context extends the cached one runs only the new tokens (one step per finished word);
  a call with the same context (another letter of the word being typed) runs no step at all
  and only filters the cached distribution.
- States for the last few positions are kept, so a backspace or an accepted word that
  rewrites the last tokens resumes from a recent state instead of the beginning.
- Completion uses a sorted index of accent- and case-folded words: a prefix is a contiguous
  range found by bisection, never a scan of the vocabulary in Python.

One Suggester may be shared between threads: `suggest` holds a lock.
"""

from __future__ import annotations

import bisect
import re
import threading
import unicodedata
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from autocomplete import checkpoint as checkpoints
from autocomplete.corpus import ABBREVIATIONS, sentences
from autocomplete.model import State
from autocomplete.tokenizer import EOS_ID, SPECIAL_IDS, Tokenizer, is_word, pretokenize

MAX_CONTEXT_CHARS = 3_000  # older text barely changes an LSTM's prediction
STATE_HISTORY = 64  # recent positions whose state is kept for backspace and rewrites
SENTENCE_FINAL = frozenset({".", "!", "?", "…", "..."})
OPENERS = frozenset('([{«“"—–')
# The word being typed: letters/digits, maybe with inner hyphens/apostrophes ("disse-m").
PARTIAL_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]*)*$")


@dataclass(frozen=True)
class Suggestion:
    word: str  # exactly what to insert (replacing the partial word when completing)
    prob: float


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Você' -> 'voce', 'NÃO' -> 'nao'."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Query:
    """The text before the cursor, read the way the model needs it."""

    context: str  # text before the partial word
    partial: str  # the word being typed ("" for a next-word request)
    sentence_start: bool


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
    stripped = context.rstrip(" \t")
    if not stripped or stripped.endswith("\n"):
        return True
    tokens = pretokenize(stripped[-100:])
    # Skip openers: '— Sim' and '"Sim' start sentences after a dialogue dash or a quote.
    while tokens and tokens[-1] in OPENERS:
        tokens.pop()
    if not tokens:
        return True
    return _ends_sentence(tokens)


def _ends_sentence(tokens: list[str]) -> bool:
    if tokens[-1] not in SENTENCE_FINAL:
        return False
    if tokens[-1] == "." and len(tokens) > 1:
        previous = tokens[-2].lower()
        if previous in ABBREVIATIONS or (len(previous) == 1 and previous.isalpha()):
            return False
    return True


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


@dataclass
class _Position:
    """The model after reading the first `length` context ids."""

    length: int
    state: State
    features: torch.Tensor
    log_probs: np.ndarray | None = None  # computed on first use


class Suggester:
    def __init__(self, tokenizer: Tokenizer, model: torch.nn.Module, name: str = "model"):
        self.tokenizer = tokenizer
        self.model = model.eval()
        self.name = name
        self._lock = threading.Lock()
        words = tokenizer.words
        self._suggestable = np.array(
            [i not in SPECIAL_IDS and is_word(w) and not w.isdigit() for i, w in enumerate(words)]
        )
        # Completion index: suggestable word ids sorted by their folded spelling.
        candidates = [i for i in range(len(words)) if self._suggestable[i]]
        candidates.sort(key=lambda i: fold(words[i]))
        self._sorted_ids = np.array(candidates, dtype=np.int64)
        self._sorted_folded = [fold(words[i]) for i in candidates]
        self._next_word_ids = np.flatnonzero(self._suggestable)
        # Incremental cache: ids fed so far, and the states/log-probs after recent positions.
        self._ids: list[int] = []
        self._history: deque[_Position] = deque(maxlen=STATE_HISTORY)
        self._last_context: str | None = None

    @classmethod
    def load(cls, path: str | Path | None = None) -> Suggester:
        """Load a checkpoint (the shipped default when path is None); CheckpointError if bad."""
        path = Path(path) if path is not None else checkpoints.DEFAULT_CHECKPOINT
        loaded = checkpoints.load(path)
        return cls(loaded.tokenizer, loaded.model, name=path.stem)

    # -- public API -----------------------------------------------------------------------
    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        """The k likeliest words to insert at the end of `text`, best first."""
        if k <= 0 or not isinstance(text, str):
            return []
        query = parse(text)
        if query is None:
            return []
        with self._lock:
            log_probs = self._log_probs(query.context)
        if query.partial:
            ids, probs = self._completions(query.partial, log_probs, k)
        else:
            ids, probs = self._top(self._next_word_ids, log_probs, k)
        return [
            Suggestion(word=self._cased(int(i), query), prob=float(p))
            for i, p in zip(ids, probs, strict=True)
        ]

    # -- ranking --------------------------------------------------------------------------
    def _top(self, ids: np.ndarray, log_probs: np.ndarray, k: int):
        scores = log_probs[ids]
        best = np.argpartition(-scores, k - 1)[:k] if len(ids) > k else np.arange(len(ids))
        best = best[np.argsort(-scores[best], kind="stable")]
        return ids[best], np.exp(scores[best])

    def _completions(self, partial: str, log_probs: np.ndarray, k: int):
        folded = fold(partial)
        low = bisect.bisect_left(self._sorted_folded, folded)
        high = bisect.bisect_left(self._sorted_folded, folded + "\U0010ffff", lo=low)
        if low == high:
            return [], []
        ids = self._sorted_ids[low:high]
        chosen, probs = self._top(ids, log_probs, k)
        # Probability of each word given that the word starts with what was typed.
        total = np.exp(log_probs[ids]).sum()
        return chosen, probs / max(total, 1e-30)

    def _cased(self, word_id: int, query: Query) -> str:
        word = self.tokenizer.display(self.tokenizer.words[word_id])
        typed = query.partial
        if len(typed) > 1 and typed.isupper():
            return word.upper()
        if (typed and typed[0].isupper()) or (not typed and query.sentence_start):
            return word[:1].upper() + word[1:]
        return word

    # -- incremental inference ------------------------------------------------------------
    def context_ids(self, context: str) -> list[int]:
        """Token ids the model sees for a context: sentences end in </s>, as in training."""
        ids = [EOS_ID]
        window = _context_window(context)
        lines = window.split("\n")
        for line_number, line in enumerate(lines):
            last_line = line_number == len(lines) - 1
            pieces = sentences(line.strip())
            for piece_number, piece in enumerate(pieces):
                tokens = pretokenize(piece)
                ids.extend(self.tokenizer.word_id(token) for token in tokens)
                last_piece = last_line and piece_number == len(pieces) - 1
                if tokens and (not last_piece or _ends_sentence(tokens)):
                    ids.append(EOS_ID)
        return ids

    @torch.inference_mode()
    def _log_probs(self, context: str) -> np.ndarray:
        if context != self._last_context or not self._history:
            self._advance(self.context_ids(context))
            self._last_context = context
        latest = self._history[-1]
        if latest.log_probs is None:
            latest.log_probs = self.model.log_probs(latest.features).numpy()
        return latest.log_probs

    def _advance(self, ids: list[int]) -> None:
        """Bring the cached state to the end of `ids`, reusing the longest cached prefix."""
        common = 0
        limit = min(len(ids), len(self._ids))
        while common < limit and ids[common] == self._ids[common]:
            common += 1
        while self._history and self._history[-1].length > common:
            self._history.pop()
        start, state = (
            (self._history[-1].length, self._history[-1].state) if self._history else (0, None)
        )
        pending = ids[start:]
        bulk = len(pending) - STATE_HISTORY
        if bulk > 0:  # a long new context: one batched call, then single steps for the tail
            _, state = self.model.features(torch.tensor([pending[:bulk]]), state)
            start += bulk
            pending = pending[bulk:]
        for word_id in pending:
            features, state = self.model.features(torch.tensor([[word_id]]), state)
            start += 1
            self._history.append(_Position(length=start, state=state, features=features[0, -1]))
        self._ids = ids
