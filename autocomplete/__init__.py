"""Portuguese next-word autocomplete: a word-level LSTM language model and a terminal editor.

`from autocomplete import Suggester` is the public API. It is imported lazily so that the
editor can draw its window before torch (slow to import) has loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from autocomplete.errors import AutocompleteError, CheckpointError

if TYPE_CHECKING:
    from autocomplete.suggest import Suggester, Suggestion

__all__ = ["AutocompleteError", "CheckpointError", "Suggester", "Suggestion"]


def __getattr__(name: str):
    if name in ("Suggester", "Suggestion"):
        from autocomplete import suggest

        return getattr(suggest, name)
    raise AttributeError(f"module 'autocomplete' has no attribute {name!r}")
