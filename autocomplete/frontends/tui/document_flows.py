"""The app's conversations about its document: saving (a name for a new file, a file changed
on disk, a read-only file, reloading over one's own edits) and recovery copies (written as
typing goes on, a crashed session's copy offered back). The `Document` reads and writes;
these ask the user and tell what happened."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from autocomplete.errors import DocumentError
from autocomplete.frontends.tui.dialogs import (
    ChangedChoice,
    ChangedOnDisk,
    ConfirmReadOnly,
    ConfirmReload,
    RecoverText,
    SaveAs,
)
from autocomplete.frontends.tui.document import Document, Snapshot
from autocomplete.frontends.tui.editor import SuggestingEditor
from autocomplete.frontends.tui.files import ReadOnlyError
from autocomplete.frontends.tui.status_bar import StatusBar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

    from textual.app import App
    from textual.timer import Timer
    from textual.widgets import TextArea

    from autocomplete.frontends.tui.recovery import Recovered


class Saving:
    """Ctrl+S (and the save Ctrl+Q offers): asks what the document cannot decide alone.
    The app's own parts come as functions: `reload` takes the file back into the editor,
    `mark_modified` sets its unsaved-changes flag, `learn` learns from a save."""

    def __init__(
        self,
        app: App[None],
        document: Document,
        *,
        reload: Callable[[], None],
        mark_modified: Callable[[bool], None],
        learn: Callable[[Snapshot], Awaitable[None]],
    ) -> None:
        self.app = app
        self.document = document
        self._reload = reload
        self._mark_modified = mark_modified
        self._learn = learn

    async def save(self) -> bool:
        """Save to FILE (asking for a name the first time); False if nothing was saved.
        Called from a worker: the questions wait for their answers."""
        app, document = self.app, self.document
        await document.saved()  # one save at a time: an older one never lands last
        if document.path is None:
            path = await app.push_screen_wait(SaveAs())
            if path is None:
                return False
            self._rename(path)
        elif document.changed_on_disk():
            choice = await app.push_screen_wait(ChangedOnDisk(document.name))
            if choice is ChangedChoice.RELOAD:
                # The buffer's own edits go: a second question, whose Enter keeps them.
                editor = app.query_one(SuggestingEditor)
                if not document.holds(editor.document.lines) and not (
                    await app.push_screen_wait(ConfirmReload(document.name))
                ):
                    return False
                self._reload()
                return False
            if choice is ChangedChoice.SAVE_AS:
                path = await app.push_screen_wait(SaveAs())
                if path is None:
                    return False
                self._rename(path)
            elif choice is not ChangedChoice.OVERWRITE:
                return False
        assert document.path is not None
        return await self._write(document.path)

    def _rename(self, path: Path) -> None:
        self.document.rename(path)
        self.app.query_one(StatusBar).file_name = self.document.name

    async def _write(self, path: Path) -> bool:
        """Save the buffer as it is now to `path`, asking first if the file is read-only;
        False if nothing was written (the buffer stays open and modified: nothing is lost).

        The file is written off the UI thread, so typing goes on while a big file is saved;
        what is typed meanwhile stays unsaved. Quitting waits for the write to finish.
        """
        app = self.app
        editor = app.query_one(SuggestingEditor)
        snapshot = Snapshot(
            path, list(editor.document.lines), self.document.edits, editor.cursor_location
        )
        try:
            try:
                await self._store(snapshot, over_read_only=False)
            except ReadOnlyError:
                if not await app.push_screen_wait(ConfirmReadOnly(path.name)):
                    return False
                await self._store(snapshot, over_read_only=True)
        except DocumentError as error:  # text UTF-8 cannot hold
            reason = str(error)
        except OSError as error:
            reason = f"{path}: {error.strerror or error}"
        else:
            return True
        app.notify(reason, title="Não foi possível salvar", severity="error", timeout=10)
        return False

    async def _store(self, snapshot: Snapshot, over_read_only: bool) -> None:
        await self.document.save(
            snapshot, over_read_only=over_read_only, written=self._written, then=self._saved
        )

    def _written(self, snapshot: Snapshot) -> None:
        self._mark_modified(self.app.query_one(SuggestingEditor).document.lines != snapshot.lines)

    async def _saved(self, snapshot: Snapshot) -> None:
        self.app.notify(f"Salvo em {snapshot.path}", timeout=2)
        await self._learn(snapshot)


class Recovering:
    """The recovery copy as the user sees it: kept a moment after each edit (a worker writes
    it), a warning when it cannot be, and a crashed session's copy offered back on start."""

    def __init__(self, app: App[None], document: Document) -> None:
        self.app = app
        self.document = document
        self._timer: Timer | None = None  # the write due after the last edit, if any

    def offer(self) -> None:
        """Offer the text a crashed session left unsaved, if it differs from the file."""
        recovered = self.document.recovery.left_behind(self.document.opened_text)
        if recovered is not None:
            self.app.push_screen(
                RecoverText(self.document.name, recovered.written_at),
                partial(self._chosen, recovered),
            )

    def _chosen(self, recovered: Recovered, recover: bool | None) -> None:
        editor = self.app.query_one(SuggestingEditor)
        if recover:  # as an edit: modified, unsaved, and Ctrl+Z goes back to the file
            editor.replace(
                recovered.text, (0, 0), editor.document.end, maintain_selection_offset=False
            )
            # The old copy goes once this editor's own copy holds the text (or it is saved).
            self.document.recovery.adopt(recovered)
        elif recover is False:  # Descartar; None (Esc): the copy waits for the next start
            self.document.recovery.discard(recovered)

    def edited(self, editor: TextArea) -> None:
        # Not a debounce that waits for a pause: steady typing must reach the copy too.
        if self._timer is None:
            # The editor owns the timer, so the timer stops when the editor is torn down
            # instead of firing into an app whose widgets are gone.
            self._timer = editor.set_timer(
                self.document.recovery.delay_s, partial(self._keep, editor)
            )

    def _keep(self, editor: TextArea) -> None:
        kept = self.document.recovery
        if kept.writing:  # the last write is still going: try again after it
            self._timer = editor.set_timer(kept.delay_s, partial(self._keep, editor))
            return
        self._timer = None
        # The lines as they are now (copying the list is ~1 ms for 20 MB; the strings are
        # immutable): the worker thread joins and encodes them while typing goes on.
        write = kept.write(list(editor.document.lines), self.document.edits)
        # A description of its own: Textual's default repr()s the arguments, all 20 MB of them.
        self.app.run_worker(
            partial(self._write, write),
            name="_write_recovery",
            group="recovery",
            description="recovery copy",
        )

    async def _write(self, write: Callable[[], Awaitable[str | None]]) -> None:
        failure = await write()
        if failure is not None:
            self.app.notify(
                failure, title="Sem cópia de recuperação", severity="warning", timeout=10
            )
