"""Portuguese next-word autocomplete: a word-level LSTM language model and a terminal editor.

`from autocomplete import Suggester` is the public API. It is imported lazily so that the
editor can draw its window before the model and its vocabulary have loaded.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from autocomplete.errors import AutocompleteError, CheckpointError

# numpy's OpenBLAS threads gain nothing on the one-vector products of suggesting and spin
# against other processes: beside a training run on this 2-core CPU, p95 per keystroke was
# 15.7 ms with its default threads and 1.4 ms with one. Applies only where numpy is not yet
# imported, and never overrides a value the user set.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

SLOTS = 3  # suggestions the editor's bar shows (Alt+1..3), and `evaluate` measures with

if TYPE_CHECKING:
    from autocomplete.engine.suggester import Suggester, Suggestion, Suggestions

__all__ = [
    "SLOTS",
    "AutocompleteError",
    "CheckpointError",
    "Suggester",
    "Suggestion",
    "Suggestions",
]


def __getattr__(name: str):
    if name in ("Suggester", "Suggestion", "Suggestions"):
        from autocomplete.engine import suggester as suggest

        return getattr(suggest, name)
    raise AttributeError(f"module 'autocomplete' has no attribute {name!r}")
