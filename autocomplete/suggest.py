"""Suggester: the word LSTM behind the one inference API.

This is the one place that turns text into suggestions; the editor and `evaluate` both call
`suggest`, so what is measured is what the user gets. Parsing, ranking and casing are shared
with the n-gram baseline in `ranking.WordSuggester`; this module adds the model.

Speed comes from incremental inference:
- The recurrent state after the context is cached with the ids that produced it. A new call
  whose context extends the cached one runs only the new tokens (one step per finished word);
  a call with the same context (another letter of the word being typed) runs no step at all.
- States for the last few positions are kept, so a backspace or an accepted word that
  rewrites the last tokens resumes from a recent state instead of the beginning.
- Torch runs one thread without oneDNN while suggesting (see `_single_vector_mode`).

One Suggester may be shared between threads: its caches are used under a lock.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from autocomplete import checkpoint as checkpoints
from autocomplete.lexicon import Lexicon
from autocomplete.model import State
from autocomplete.personal import PersonalModel
from autocomplete.ranking import Suggestion, WordSuggester, fold, parse
from autocomplete.tokenizer import Tokenizer

__all__ = ["Suggester", "Suggestion", "fold", "parse"]

STATE_HISTORY = 64  # recent positions whose state is kept for backspace and rewrites


@contextmanager
def _single_vector_mode() -> Iterator[None]:
    """Torch settings for one token at a time, restored afterwards.

    Measured on this 2-core CPU beside a training run (one LSTM step, hidden 256):
    - one thread: intra-op threads gain nothing on a single vector and spin against the
      other processes (24 ms per step with 2 threads, 0.5 ms with one);
    - no oneDNN: its LSTM kernel has a fixed cost that dominates a single step (0.56 ms
      against 0.20 ms for torch's own kernel).
    Scoped, so batched work elsewhere in the process keeps its settings.
    """
    threads, onednn = torch.get_num_threads(), torch.backends.mkldnn.enabled
    torch.set_num_threads(1)
    torch.backends.mkldnn.enabled = False
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.backends.mkldnn.enabled = onednn


@dataclass
class _Position:
    """The model after reading the first `length` context ids."""

    length: int
    state: State
    features: torch.Tensor
    log_probs: np.ndarray | None = None  # computed on first use


class Suggester(WordSuggester):
    def __init__(
        self,
        tokenizer: Tokenizer,
        model: torch.nn.Module,
        name: str = "model",
        personal: PersonalModel | None = None,
        lexicon: Lexicon | None = None,
    ):
        super().__init__(tokenizer, personal, lexicon)
        self.model = model.eval()
        self.name = name
        # Incremental cache: ids fed so far, and the states/log-probs after recent positions.
        self._ids: list[int] = []
        self._history: deque[_Position] = deque(maxlen=STATE_HISTORY)

    @classmethod
    def load(cls, path: str | Path | None = None, personal: bool = True) -> Suggester:
        """Load a checkpoint (the shipped default when path is None); CheckpointError if bad.

        With `personal`, suggestions mix in the user's own vocabulary (personal.py) from
        the user data folder; `personal=False` gives the bare model.
        """
        path = Path(path) if path is not None else checkpoints.DEFAULT_CHECKPOINT
        loaded = checkpoints.load(path)
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

    @torch.inference_mode()
    def next_log_probs(self, ids: Sequence[int]) -> np.ndarray:
        with self._lock, _single_vector_mode():
            self._advance(list(ids))
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
