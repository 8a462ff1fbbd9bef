"""How long the Suggester has lately taken to answer: whether the editor may ask it on the UI
thread, as part of the keystroke, so that the suggestion is drawn in the same frame as the
character, or must ask a worker thread and draw it a frame or more later."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from time import thread_time

# A frame is 16.7 ms at Textual's 60 frames a second: half of it leaves the key's own work
# (the edit, the wrapping, the painting) time to land in the same frame.
BUDGET_S = 0.008
WINDOW = 20  # recent calls weighed: their 95th percentile must fit the budget


class Pace:
    """The durations of the last WINDOW calls of one kind (words, phrases), wherever they ran.

    Calls are timed on the UI thread and in workers alike, so a Suggester that has become
    slow (a huge personal store) moves the calls to a worker, and one that is quick again
    brings them back. What is timed is the calling thread's CPU time: the call's own cost, not
    its waits for other processes or for the GIL, which a worker shares with the UI thread
    painting meanwhile (wall time there would keep the calls in workers for good)."""

    def __init__(self, budget_s: float = BUDGET_S, window: int = WINDOW) -> None:
        self.budget_s = budget_s
        self._recent: deque[float] = deque(maxlen=window)

    def quick(self) -> bool:
        """Whether the next call may run on the UI thread: the 95th percentile of the recent
        calls is within the budget (with none yet, it is: the first answer is awaited)."""
        recent = sorted(self._recent)  # a copy: workers append meanwhile
        return not recent or recent[int(0.95 * (len(recent) - 1))] <= self.budget_s

    def record(self, seconds: float) -> None:
        self._recent.append(seconds)

    @contextmanager
    def timed(self) -> Iterator[None]:
        """Record how long the body takes (also when it raises)."""
        start = thread_time()
        try:
            yield
        finally:
            self.record(thread_time() - start)
