"""Recovery copies: unsaved text kept in the user's data folder while it is being edited, so
a crash, a `kill -9` or a power cut loses at most the last moment of typing."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from autocomplete.atomic import atomic_write
from autocomplete.userdata import data_dir

DELAY_S = 0.5  # a change reaches the copy this long after it (plus the write itself)
UNNAMED = "sem-nome"  # the copy of a buffer opened without FILE


@dataclass(frozen=True)
class Recovered:
    text: str
    written_at: float  # unix time of the copy


class RecoveryCopy:
    """The recovery copy of one document: JSON {"path": ..., "text": ...}, mode 0600.

    Written from worker threads. Each write and removal carries the count of edits it was
    taken after, so a slow write of older text never replaces a newer copy, and never brings
    back a copy that a save has just removed.
    """

    def __init__(self, document: Path | None) -> None:
        self.document = document.resolve() if document is not None else None
        name = (
            hashlib.sha256(str(self.document).encode()).hexdigest()[:32]
            if self.document is not None
            else UNNAMED
        )
        self.path = data_dir() / "recovery" / f"{name}.json"
        self._lock = threading.Lock()
        self._edits = -1  # edit count of the newest write or removal

    def read(self) -> Recovered | None:
        """The copy left by an earlier session, or None if there is none (or it is unreadable)."""
        try:
            text = json.loads(self.path.read_bytes())["text"]
            written_at = self.path.stat().st_mtime
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return Recovered(text, written_at) if isinstance(text, str) else None

    def write(self, text: str, edits: int) -> None:
        """Keep `text`, the buffer after `edits` changes; OSError if it cannot be written."""
        # ASCII JSON: any str round-trips, even lone surrogates a paste may have brought.
        path = str(self.document) if self.document is not None else None
        data = json.dumps({"path": path, "text": text}).encode()
        with self._lock:
            if edits <= self._edits:
                return
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Create it private before any text is in it: atomic_write keeps the mode it finds.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            atomic_write(self.path, lambda file: file.write(data))
            self._edits = edits

    def remove(self, edits: int) -> None:
        """Delete the copy: the buffer as of `edits` changes was saved, or thrown away."""
        with self._lock:
            self._edits = max(self._edits, edits)
            # A copy that cannot be deleted is harmless: reopening the file finds it equal
            # to the saved text, or offers it.
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)
