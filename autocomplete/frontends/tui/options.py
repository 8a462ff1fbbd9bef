"""What the command line chose for the editor (`python -m autocomplete --help`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EditorOptions:
    path: Path | None = None  # the file edited; None: a new buffer, named on its first save
    checkpoint: Path | None = None  # None: the shipped default model
    learn: bool = True  # False with --no-learn: no personal vocabulary, nothing learned
    phrases: bool = True  # False with --no-phrases: the grey text is one word, never more
    latency_log: Path | None = None  # if set, one line per offer: ms from edit to widgets
