"""The numpy network (runtime.py) as a next-word model, with incremental inference.

The editor asks after every keystroke, and each context extends or rewrites the previous
one by a few tokens at its end. So the recurrent state is cached with the ids that produced
it:
- A context that extends the cached one runs only the new tokens (one step per word).
- The same context again (another letter of the word being typed) runs no step at all.
- States for the last few positions are kept, so a backspace, an accepted word that
  rewrites the last tokens, or a look ahead (ids + [w1], then ids + [w1, w2], then back to
  ids) resumes from a recent state instead of the beginning.
- The distributions of only the last few positions asked for are kept with them: each is
  160 kB over a 40k vocabulary (a state is 4 kB), and one costs half a millisecond again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autocomplete.engine.runtime import Network, State

STATE_HISTORY = 64  # recent positions whose state is kept for backspace and rewrites
# Positions whose distribution is kept: a phrase's look ahead (engine/phrases.MAX_WORDS words)
# and the context it returns to, with room to spare. 64 of them held 10 MB in the editor.
DISTRIBUTIONS_KEPT = 8


@dataclass
class _Position:
    """The network after reading the first `length` context ids."""

    length: int
    state: State
    features: np.ndarray  # (emb,)
    log_probs: np.ndarray | None = None  # computed on first use, then read-only


class IncrementalNetwork:
    """A `Network` behind the `suggest.NextWordModel` protocol, caching its recent states.

    Not thread-safe on its own: the Suggester calls it under its lock.
    """

    def __init__(self, network: Network, history: int = STATE_HISTORY):
        self.network = network
        self._ids: list[int] = []  # the ids fed so far
        self._history: deque[_Position] = deque(maxlen=history)
        self._distributed: deque[_Position] = deque()  # those holding log_probs, oldest first

    def next_log_probs(self, ids: Sequence[int]) -> np.ndarray:
        """log P(next token | ids) over the vocabulary (read-only: it is cached)."""
        self._advance(list(ids))
        latest = self._history[-1]
        if latest.log_probs is None:
            latest.log_probs = self.network.log_probs(latest.features)
            latest.log_probs.setflags(write=False)
            self._distributed.append(latest)
            if len(self._distributed) > DISTRIBUTIONS_KEPT:
                self._distributed.popleft().log_probs = None
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
        bulk = len(pending) - self._history.maxlen
        if bulk > 0:  # a long new context: one batched call, then single steps for the tail
            _, state = self.network.features(np.array([pending[:bulk]]), state)
            start += bulk
            pending = pending[bulk:]
        for word_id in pending:
            features, state = self.network.features(np.array([[word_id]]), state)
            start += 1
            self._history.append(_Position(length=start, state=state, features=features[0, -1]))
        self._ids = ids
