"""Suggester: the word LSTM (run by numpy, see runtime.py) behind the one inference API.

This is the one place that turns text into suggestions; the editor and `evaluate` both call
`suggest`, so what is measured is what the user gets. Parsing, ranking and casing are shared
with the n-gram baseline in `ranking.WordSuggester`; this module adds the model.

Speed comes from incremental inference:
- The recurrent state after the context is cached with the ids that produced it. A new call
  whose context extends the cached one runs only the new tokens (one step per finished word);
  a call with the same context (another letter of the word being typed) runs no step at all.
- States for the last few positions are kept, so a backspace or an accepted word that
  rewrites the last tokens resumes from a recent state instead of the beginning.

One Suggester may be shared between threads: its caches are used under a lock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from autocomplete import inference_file
from autocomplete.lexicon import Lexicon
from autocomplete.personal import PersonalModel
from autocomplete.phrases import MAX_WORDS, Phrase, PhraseFinder
from autocomplete.ranking import Suggestion, Suggestions, WordSuggester, fold, parse
from autocomplete.runtime import Network, State
from autocomplete.tokenizer import Tokenizer

__all__ = ["Phrase", "Suggester", "Suggestion", "Suggestions", "fold", "parse"]

STATE_HISTORY = 64  # recent positions whose state is kept for backspace and rewrites


@dataclass
class _Position:
    """The model after reading the first `length` context ids."""

    length: int
    state: State
    features: np.ndarray  # (emb,)
    log_probs: np.ndarray | None = None  # computed on first use


class Suggester(WordSuggester):
    def __init__(
        self,
        tokenizer: Tokenizer,
        model: Network,
        name: str = "model",
        personal: PersonalModel | None = None,
        lexicon: Lexicon | None = None,
    ):
        super().__init__(tokenizer, personal, lexicon)
        self.model = model
        self.name = name
        # Incremental cache: ids fed so far, and the states/log-probs after recent positions.
        self._ids: list[int] = []
        self._history: deque[_Position] = deque(maxlen=STATE_HISTORY)

    @classmethod
    def load(cls, path: str | Path | None = None, personal: bool = True) -> Suggester:
        """Load a model (the shipped default when path is None); CheckpointError if bad.

        An .npz inference file is read by numpy alone; a training checkpoint (.pt) needs
        torch and is converted in memory (inference_file.read). With `personal`, suggestions
        mix in the user's own vocabulary (personal.py) from the user data folder;
        `personal=False` gives the bare model.
        """
        loaded = inference_file.read(path if path is not None else inference_file.DEFAULT_MODEL)
        store = PersonalModel() if personal else None
        config = loaded.model.config
        name = f"{config.cell.upper()} {config.layers}x{config.hidden}"  # shown in the editor
        return cls(
            loaded.tokenizer, loaded.model, name=name, personal=store, lexicon=loaded.lexicon
        )

    @property
    def personal_notice(self) -> str | None:
        """A message for the user when the personal vocabulary could not be used as is."""
        return self.personal.notice if self.personal is not None else None

    def learn(self, text: str) -> int:
        """Add the user's text to the personal vocabulary; returns the words learned."""
        return self.personal.learn_text(text) if self.personal is not None else 0

    def block(self, word: str) -> None:
        """Never suggest `word` again (needs the personal vocabulary to remember it)."""
        if self.personal is not None:
            self.personal.block(word)

    def suggest_phrase(self, text: str, max_words: int = MAX_WORDS) -> Phrase | None:
        """The rest of the phrase at the end of `text`, up to `max_words` words, when the model
        is confident of more than the next word (see phrases.py); None otherwise."""
        return self._phrases.suggest(text, max_words)

    @cached_property
    def _phrases(self) -> PhraseFinder:
        return PhraseFinder(self)

    def next_log_probs(self, ids: Sequence[int]) -> np.ndarray:
        with self._lock:
            self._advance(list(ids))
            latest = self._history[-1]
            if latest.log_probs is None:
                latest.log_probs = self.model.log_probs(latest.features)
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
            _, state = self.model.features(np.array([pending[:bulk]]), state)
            start += bulk
            pending = pending[bulk:]
        for word_id in pending:
            features, state = self.model.features(np.array([[word_id]]), state)
            start += 1
            self._history.append(_Position(length=start, state=state, features=features[0, -1]))
        self._ids = ids
