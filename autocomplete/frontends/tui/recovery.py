"""Recovery copies: unsaved text kept in the user's data folder while it is being edited, so
a crash, a `kill -9` or a power cut loses at most the last moment of typing.

Each editor instance keeps its own copy, named by the document and by the instance (pid,
process start time, boot): two editors on one file never overwrite or delete each other's
copy, and a copy is offered back only once the instance that wrote it is gone."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

from autocomplete.atomic import atomic_write
from autocomplete.userdata import data_dir

DELAY_S = 0.5  # a change reaches the copy this long after it (plus the write itself)
UNNAMED = "sem-nome"  # the copy of a buffer opened without FILE
# Lines encoded at a time: a 20 MB text encoded at once would hold the GIL (and freeze the
# editor) for a tenth of a second; a few hundred kilobytes at a time let it type meanwhile.
CHUNK_LINES = 1000


@dataclass(frozen=True)
class Instance:
    """One run of the editor: a pid alone is reused, with its start time and boot it is not."""

    pid: int
    started: int  # process start, in clock ticks after boot (0 where /proc is missing)
    boot: str  # the kernel's boot id ("" where /proc is missing)

    @classmethod
    def current(cls) -> Instance:
        return cls(os.getpid(), _start_time(os.getpid()) or 0, _boot_id())

    def alive(self) -> bool:
        if self.boot and self.boot != _boot_id():
            return False  # the machine restarted since
        started = _start_time(self.pid)
        if started is not None:
            return started == self.started
        try:  # no /proc: ask the kernel whether the pid exists (it may have been reused)
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except OSError:  # exists, owned by someone else
            return True
        return True


def _start_time(pid: int) -> int | None:
    """Field 22 of /proc/PID/stat; None if there is no such process (or no /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count after its last ")".
    return int(stat.rsplit(")", 1)[1].split()[19])


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class Recovered:
    text: str
    written_at: float  # unix time of the copy
    path: Path  # the copy itself: discarding it deletes this file and no other
    instance: Instance | None  # the editor that wrote it; None: nobody's (old or damaged)


class RecoveryCopy:
    """The recovery copy of one document by one editor instance: JSON {"path", "text",
    "instance"}, mode 0600.

    Written from worker threads. Each write and removal carries the count of edits it was
    taken after, so a slow write of older text never replaces a newer copy, and never brings
    back a copy that a save has just removed.
    """

    def __init__(self, document: Path | None, instance: Instance | None = None) -> None:
        self.document = document.resolve() if document is not None else None
        self.instance = instance or Instance.current()
        self._name = (
            hashlib.sha256(str(self.document).encode()).hexdigest()[:32]
            if self.document is not None
            else UNNAMED
        )
        self.path = (
            self._folder() / f"{self._name}.{self.instance.pid}-{self.instance.started}.json"
        )
        self._lock = threading.Lock()
        self._edits = -1  # edit count of the newest write or removal

    @staticmethod
    def _folder() -> Path:
        return data_dir() / "recovery"

    def read(self) -> Recovered | None:
        """This instance's copy, or None if there is none (or it is unreadable)."""
        return _read(self.path)

    def left_behind(self) -> list[Recovered]:
        """Copies of this document whose editor is gone (crashed, killed), newest first.

        Copies of editors still running are theirs to keep or remove, never offered here.
        """
        found = []
        for path in self._folder().glob(f"{self._name}.*json"):
            if path == self.path or (recovered := _read(path)) is None:
                continue
            if recovered.instance is None or not recovered.instance.alive():
                found.append(recovered)
        return sorted(found, key=lambda recovered: recovered.written_at, reverse=True)

    def write(self, lines: Sequence[str], edits: int) -> None:
        """Keep the buffer after `edits` changes, given as its `lines`; OSError if it cannot
        be written. Called from a worker thread: the text is encoded a chunk at a time."""
        path = str(self.document) if self.document is not None else None
        fields = json.dumps({"path": path, "instance": asdict(self.instance)})
        head = f'{fields[:-1]}, "text": "'.encode()

        def write_json(file: BinaryIO) -> None:
            file.write(head)
            for start in range(0, len(lines), CHUNK_LINES):
                text = "\n".join(lines[start : start + CHUNK_LINES])
                # ASCII JSON: any str round-trips, even lone surrogates a paste may bring.
                file.write(json.dumps("\n" + text if start else text)[1:-1].encode())
            file.write(b'"}')

        with self._lock:
            if edits <= self._edits:
                return
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Create it private before any text is in it: atomic_write keeps the mode it finds.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
            atomic_write(self.path, write_json)
            self._edits = edits

    def remove(self, edits: int) -> None:
        """Delete the copy: the buffer as of `edits` changes was saved, or thrown away."""
        with self._lock:
            self._edits = max(self._edits, edits)
            # A copy that cannot be deleted is harmless: reopening the file finds it equal
            # to the saved text, or offers it.
            with contextlib.suppress(OSError):
                self.path.unlink(missing_ok=True)


def discard(recovered: Recovered) -> None:
    """Delete a copy left behind, once the user has taken its text back or thrown it away."""
    with contextlib.suppress(OSError):
        recovered.path.unlink(missing_ok=True)


def _read(path: Path) -> Recovered | None:
    """The copy at `path`, read and parsed once (a copy can hold megabytes)."""
    try:
        data = json.loads(path.read_bytes())
        text = data["text"]
        written_at = path.stat().st_mtime
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(text, str):
        return None
    try:
        instance = Instance(**data["instance"])
    except (KeyError, TypeError):  # a copy from before instances, or damaged
        instance = None
    return Recovered(text, written_at, path, instance)
