"""Phrase completion: the rest of the phrase after the cursor, when the model is sure of it.

"Qualquer dúvida, estou à" -> "disposição."; "Segue em" -> "anexo o". The first word is
always `suggest`'s top word (so the grey text starts with what Tab inserts, a completion of
the word being typed included; the Suggester hands over the answer it just gave for the same
text, so a keystroke ranks the words once); each following word is the top word of every
source mixed, as if the words before it were typed (`suggest_after`: the register's and the
user's counts carry a formula on, "Fico à" -> "disposição para"), over the Suggester's
incremental state cache: the steps run forward from the context, and going back to it for
the next keystroke costs nothing.

The phrase ends before the first token whose probability falls below the threshold, before
anything that is not a word (a comma, the end of a paragraph, `<unk>`), after a sentence's
final mark, or at `max_words` words.

The user's own phrases come first (personal/phrases.py, through `UserPhrases`): where the
user always wrote the same words after the text before the cursor, and the first of them is
the top word, those words are the phrase, each as likely as its share of what the user wrote
there. Only the Suggester's public pieces are used: `suggest`,
`suggest_after`, `ids_after`, `next_log_probs` and the tokenizer.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from autocomplete.engine.ranking import Suggestions
from autocomplete.engine.tokenizer import Tokenizer, detokenize
from autocomplete.text import SENTENCE_FINAL, is_word

MAX_WORDS = 4
# Each token of an offered phrase has at least this probability. Chosen with evaluate's
# phrase table on the modern test split (see README): the most keystrokes saved while the
# whole phrase is exactly what the text says at least 60% of the time.
THRESHOLD = 0.7


class UserPhrases(Protocol):
    """The user's phrase after a text: (word as written, its probability) each, [] if none."""

    def __call__(self, context: str, threshold: float) -> list[tuple[str, float]]: ...


class Continues(Protocol):
    """What phrase completion needs from a Suggester."""

    tokenizer: Tokenizer

    def suggest(self, text: str, k: int = 3) -> Suggestions: ...
    def suggest_after(self, context: str, ahead: str, k: int = 1) -> Suggestions: ...
    def ids_after(self, context: str, ahead: str) -> list[int]: ...
    def next_log_probs(self, ids: Sequence[int]) -> np.ndarray: ...


@dataclass(frozen=True)
class Phrase:
    text: str  # exactly what to insert in place of the last `replace` characters
    prob: float  # the model's probability of the whole continuation
    replace: int  # characters before the cursor it replaces (the word being typed)
    words: int  # words in it; a final full stop is not one


@dataclass(frozen=True)
class Token:
    text: str  # as written: cased, a word or a sentence's final mark
    prob: float  # given the text before it


@dataclass(frozen=True)
class Continuation:
    """The greedy continuation of a text, before a threshold cuts it."""

    tokens: tuple[Token, ...]
    replace: int

    def phrase(self, threshold: float) -> Phrase | None:
        """The longest start whose tokens all reach `threshold`; None unless it offers more
        than the first word (what Tab inserts)."""
        kept: list[Token] = []
        for token in self.tokens:
            if token.prob < threshold:
                break
            kept.append(token)
        if len(kept) < 2:
            return None
        return Phrase(
            text=detokenize(token.text for token in kept),
            prob=math.prod(token.prob for token in kept),
            replace=self.replace,
            words=sum(is_word(token.text) for token in kept),
        )


class PhraseFinder:
    """Greedy phrases over one Suggester. Thread-safe; the last continuation is kept, so
    typing more letters of a word whose completion stays the same runs no model step."""

    def __init__(
        self, suggester: Continues, threshold: float = THRESHOLD, user: UserPhrases | None = None
    ):
        self.suggester = suggester
        self.threshold = threshold
        self.user = user  # the user's own phrases, offered before the model's
        self._lock = threading.Lock()
        self._last: tuple[tuple[tuple[int, ...], int, float], tuple[Token, ...]] | None = None

    def suggest(
        self, text: str, max_words: int = MAX_WORDS, first: Suggestions | None = None
    ) -> Phrase | None:
        continuation = self.continuation(text, max_words, self.threshold, first)
        return continuation.phrase(self.threshold) if continuation is not None else None

    def continuation(
        self, text: str, max_words: int, threshold: float, first: Suggestions | None = None
    ) -> Continuation | None:
        """Up to `max_words` words after `text`, stopping at the first below `threshold`.

        `first` is `suggest(text)`'s answer when the caller already has it (the phrase
        extends its top word); otherwise it is asked for."""
        if isinstance(max_words, bool) or not isinstance(max_words, int) or max_words < 1:
            raise ValueError(f"max_words must be an int >= 1, not {max_words!r}")
        top = first if first else self.suggester.suggest(text, 1)
        if not top:
            return None
        mine = self.user(text[: len(text) - top.replace], threshold) if self.user else []
        if mine and mine[0][0].lower() == top[0].word.lower():  # the word on show starts it
            tokens = [Token(top[0].word, mine[0][1])]
            tokens += [Token(word, prob) for word, prob in mine[1:]]
            return Continuation(tuple(tokens), top.replace)
        first = Token(top[0].word, top[0].prob)
        if first.prob < threshold:
            return Continuation((first,), top.replace)
        context = text[: len(text) - top.replace]
        with self._lock:
            key = (tuple(self.suggester.ids_after(context, first.text)), max_words, threshold)
            if self._last is None or self._last[0] != key:
                following = self._following(context, first.text, max_words - 1, threshold)
                self._last = key, following
            return Continuation((first, *self._last[1]), top.replace)

    def _following(
        self, context: str, ahead: str, words: int, threshold: float
    ) -> tuple[Token, ...]:
        """The likeliest tokens after `context` + `ahead`, up to `words` words and a final
        mark. Each word is the top of every source mixed (`suggest_after`: where the
        register's or the user's counts know a formula, it goes on); a final mark, a comma
        or the end of the paragraph, which no source but the model predicts, ends the phrase
        where the model finds it likelier than that word."""
        tokenizer = self.suggester.tokenizer
        tokens: list[Token] = []
        while len(tokens) < words:
            log_probs = self.suggester.next_log_probs(self.suggester.ids_after(context, ahead))
            best = int(np.argmax(log_probs))
            written, best_prob = tokenizer.words[best], float(np.exp(log_probs[best]))
            top = self.suggester.suggest_after(context, ahead, 1)
            if not is_word(written) and (not top or top[0].prob < best_prob):
                if written in SENTENCE_FINAL and best_prob >= threshold:
                    tokens.append(Token(written, best_prob))
                break
            if not top or top[0].prob < threshold:
                break
            tokens.append(Token(top[0].word, top[0].prob))
            ahead = f"{ahead} {top[0].word}"
        return tuple(tokens)
