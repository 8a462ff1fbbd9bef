"""The edited file as the editor holds it: its path, what is on disk (the file's identity and
its BOM and line breaks, as files.py records them), the lines last saved, saving in the
background, reloading, and the recovery copy of the unsaved text.

No widgets and no dialogs here: the app asks a `Document` (has the file changed on disk? do
these lines differ from the saved ones?) and asks the user; the document reads and writes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from time import perf_counter

from autocomplete.frontends.tui import recovery
from autocomplete.frontends.tui.files import (
    DiskState,
    TextLayout,
    changed_on_disk,
    disk_state,
    join_layout,
    read_document,
    save_document,
    split_layout,
)
from autocomplete.frontends.tui.recovery import Recovered, RecoveryCopy

UNNAMED = "sem nome"  # the name shown for a buffer opened without FILE


def lines_of(text: str) -> list[str]:
    """The lines TextArea makes of `text` (whose only line break is a newline, see files.py)."""
    return text.split("\n")


@dataclass(frozen=True)
class Snapshot:
    """The buffer as a save took it."""

    path: Path
    lines: list[str]
    edits: int  # changes made before it: orders it against recovery writes
    cursor: tuple[int, int]  # (row, column)

    def cursor_index(self) -> int:
        row, column = self.cursor
        return sum(map(len, self.lines[:row])) + row + column


class Document:
    """One file being edited: where it is, what it held when last read or saved, and the
    save being written, if any (one at a time, so an older save never lands last)."""

    def __init__(self, path: Path | None, raw: str) -> None:
        """`raw` is the file as read (a BOM and any line breaks: saving writes them back)."""
        self.path = path  # None: a new buffer, named on its first save
        # The text as the editor opens it ("\n" breaks, no BOM): not kept up with the edits.
        self.opened_text, self.layout = split_layout(raw)
        # What FILE holds, as the editor's lines: quitting compares against it (a list compare
        # that skips the lines both share, where a text compare would join 20 MB first).
        self.saved_lines = lines_of(self.opened_text)
        # The file as read: a save first checks that no other program changed it since.
        self.disk: DiskState | None = disk_state(path) if path else None
        self.edits = 0  # changes so far: orders recovery writes against saves
        self.recovery = KeptCopy(path)
        self._saving: asyncio.Future[None] | None = None  # the last save's write, once begun

    @property
    def name(self) -> str:
        return self.path.name if self.path else UNNAMED

    def holds(self, lines: Sequence[str]) -> bool:
        """Whether `lines` (the editor's) are what the file holds as last read or saved."""
        return lines == self.saved_lines

    def changed_on_disk(self) -> bool:
        """Whether another program changed (or created) the file since it was read or saved."""
        return self.path is not None and changed_on_disk(self.path.resolve(), self.disk)

    def rename(self, path: Path) -> None:
        """Save under `path` from now on; the recovery copy follows once it is named."""
        if self.path is not None:  # a save elsewhere: the copy follows the new name now
            self.recovery.follow(path, self.edits)
        self.path = path

    async def saved(self) -> None:
        """Wait for the save being written, if any (a failure was reported by whoever began
        it, or shows as unsaved changes)."""
        if self._saving is not None:
            with contextlib.suppress(Exception):
                await self._saving

    async def save(
        self,
        snapshot: Snapshot,
        *,
        over_read_only: bool,
        written: Callable[[Snapshot], None],
        then: Callable[[Snapshot], Awaitable[None]],
    ) -> None:
        """Write `snapshot` off the UI thread and record it; raises what `save_document`
        raises. `written` runs as soon as the file holds it, `then` once the recovery copy
        it makes stale is gone: the app's flag, notice and learning.

        Shielded: a Ctrl+Q that cancels the caller waits for this (see `saved`) instead of
        leaving the file written but the buffer still unsaved."""
        self._saving = asyncio.ensure_future(self._save(snapshot, over_read_only, written, then))
        await asyncio.shield(self._saving)

    async def _save(
        self,
        snapshot: Snapshot,
        over_read_only: bool,
        written: Callable[[Snapshot], None],
        then: Callable[[Snapshot], Awaitable[None]],
    ) -> None:
        layout = self.layout
        stored = await asyncio.to_thread(_write_file, snapshot, layout, over_read_only)
        self.saved_lines = snapshot.lines
        self.disk = stored.disk
        if stored.layout is not None:  # mixed breaks: match the next save against this one
            self.layout = stored.layout
        written(snapshot)
        await self.recovery.saved(snapshot)
        await then(snapshot)

    def reload(self) -> str:
        """The file's text from disk, as the editor shows it, now recorded as the saved text;
        raises DocumentError (and records nothing) if it cannot be read."""
        assert self.path is not None
        raw = read_document(self.path)
        self.disk = disk_state(self.path.resolve())
        text, self.layout = split_layout(raw)
        self.saved_lines = lines_of(text)
        return text

    def close(self) -> None:
        """The buffer is saved, unchanged, or thrown away on purpose: no copy to keep."""
        self.recovery.copy.remove(self.edits)
        self.recovery.release_adopted()


class KeptCopy:
    """The recovery copy of the document's unsaved text as the editing goes on: which copy it
    is (it follows the document's name), how long after an edit the next write comes, and the
    copies of crashed sessions taken back, deleted once this copy or a save holds their text."""

    def __init__(self, path: Path | None) -> None:
        self.copy = RecoveryCopy(path)
        self.delay_s = recovery.DELAY_S  # from an edit to the write that keeps it
        self.writing = False  # one write at a time: a 20 MB copy takes a while
        self._failing = False  # warn once, not on every write, e.g. on a full disk
        self._adopted: list[Recovered] = []  # crashed sessions' copies taken back

    def left_behind(self, text: str) -> Recovered | None:
        """The newest copy a crashed session left of this document, if it differs from
        `text` (the file); copies that hold nothing else are deleted.

        Only copies of editors that are gone: another editor still open on this file keeps
        its own. Of several, the newest is returned; the others wait for the next start.
        """
        different = []
        for recovered in self.copy.left_behind():
            if recovered.text == text:
                recovery.discard(recovered)  # nothing in it that the file does not hold
            else:
                different.append(recovered)
        return different[0] if different else None

    def adopt(self, recovered: Recovered) -> None:
        """Its text is in the buffer: the old copy goes once this copy (or a save) holds it."""
        self._adopted.append(recovered)

    @staticmethod
    def discard(recovered: Recovered) -> None:
        recovery.discard(recovered)

    def release_adopted(self) -> None:
        while self._adopted:
            recovery.discard(self._adopted.pop())

    def write(self, lines: list[str], edits: int) -> Callable[[], Awaitable[str | None]]:
        """The write that keeps `lines` (after `edits` changes), for a worker to run;
        `writing` is true from now until it ends. It gives the reason to tell the user when
        writes begin to fail, else None. Nothing is started here: a worker that never runs
        (the app closing) leaves no coroutine behind."""
        self.writing = True
        return partial(self._write, self.copy, lines, edits)

    async def _write(self, copy: RecoveryCopy, lines: list[str], edits: int) -> str | None:
        started = perf_counter()
        try:
            await asyncio.to_thread(copy.write, lines, edits)
        except OSError as error:
            first = not self._failing
            self._failing = True
            return f"{copy.path.parent}: {error.strerror or error}" if first else None
        else:
            self._failing = False
            self.release_adopted()
            return None
        finally:
            self.writing = False
            # Writes of a long text (0.3 s for 20 MB) take at most a fifth of the time while
            # typing goes on: the copy may then lag by a few seconds instead of half of one.
            self.delay_s = max(recovery.DELAY_S, 4 * (perf_counter() - started))

    async def saved(self, snapshot: Snapshot) -> None:
        """The file holds `snapshot`: the copies of that text go."""
        # In the thread too: removing waits for a recovery copy being written.
        await asyncio.to_thread(self.copy.remove, snapshot.edits)
        self.release_adopted()
        if self.copy.document is None:  # named by this first save: later copies follow
            self.copy = RecoveryCopy(snapshot.path)

    def follow(self, path: Path, edits: int) -> None:
        """The document is saved under `path` from now on: so is its copy."""
        self.copy.remove(edits)
        self.copy = RecoveryCopy(path)


@dataclass(frozen=True)
class _Stored:
    disk: DiskState | None  # the file as written
    layout: TextLayout | None  # the mixed line breaks written, to match the next save against


def _write_file(snapshot: Snapshot, layout: TextLayout, over_read_only: bool) -> _Stored:
    """Write the saved text to its file (in a worker thread): atomic, with the file's BOM and
    line breaks; raises what `save_document` raises."""
    stored = join_layout("\n".join(snapshot.lines), layout)
    save_document(snapshot.path, stored, over_read_only=over_read_only)
    mixed = split_layout(stored)[1] if layout.lines is not None else None
    return _Stored(disk_state(snapshot.path.resolve()), mixed)
