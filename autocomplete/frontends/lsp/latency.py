"""How long the server takes to answer, measured inside it (from the request's handler being
called to its result being ready), so that clients and benchmarks can ask for p50/p95."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter

KEPT = 10_000  # the most recent timings per method: a long session's memory stays bounded


class Latency:
    def __init__(self) -> None:
        self._seconds: defaultdict[str, deque[float]] = defaultdict(lambda: deque(maxlen=KEPT))

    @contextmanager
    def timing(self, method: str) -> Iterator[None]:
        started = perf_counter()
        try:
            yield
        finally:
            self._seconds[method].append(perf_counter() - started)

    def summary(self) -> dict[str, dict[str, float]]:
        """Per method: the number of timings kept and their p50/p95 in milliseconds."""
        return {method: _percentiles(list(seconds)) for method, seconds in self._seconds.items()}


def _percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {"count": len(ordered), "p50_ms": _at(ordered, 0.50), "p95_ms": _at(ordered, 0.95)}


def _at(ordered: list[float], share: float) -> float:
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]
