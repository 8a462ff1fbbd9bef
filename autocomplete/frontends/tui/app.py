"""The editor application: layout, loading the model, saving (and learning from what was
saved), recovery copies and quitting."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Footer, TextArea
from textual.worker import Worker, WorkerState

from autocomplete.errors import DocumentError
from autocomplete.frontends.tui import recovery
from autocomplete.frontends.tui.dialogs import (
    ChangedChoice,
    ChangedOnDisk,
    ConfirmQuit,
    ConfirmReadOnly,
    ConfirmReload,
    QuitChoice,
    RecoverText,
    SaveAs,
)
from autocomplete.frontends.tui.driver import decode_input_with_replacement
from autocomplete.frontends.tui.editor import SuggestingEditor
from autocomplete.frontends.tui.files import (
    DiskState,
    ReadOnlyError,
    TextLayout,
    changed_on_disk,
    disk_state,
    join_layout,
    read_document,
    save_document,
    split_layout,
)
from autocomplete.frontends.tui.keys import read_escape_digit_as_alt
from autocomplete.frontends.tui.probability_panel import ProbabilityPanel
from autocomplete.frontends.tui.recovery import Recovered, RecoveryCopy
from autocomplete.frontends.tui.status_bar import StatusBar
from autocomplete.frontends.tui.suggestion_bar import SuggestionBar
from autocomplete.frontends.tui.wrapping import wrap_long_documents_quickly
from autocomplete.personal.typed_text import changed_text, finished

if TYPE_CHECKING:
    from autocomplete.engine.suggester import Suggester

log = logging.getLogger(__name__)  # to userdata.log_file() when run as `python -m autocomplete`
NOTE_S = 5.0  # how long the status bar's note stays


@dataclass(frozen=True)
class EditorOptions:
    path: Path | None = None  # the file edited; None: a new buffer, named on its first save
    checkpoint: Path | None = None  # None: the shipped default model
    learn: bool = True  # False with --no-learn: no personal vocabulary, nothing learned
    phrases: bool = True  # False with --no-phrases: the grey text is one word, never more
    latency_log: Path | None = None  # if set, one line per offer: ms from edit to widgets


class EditorApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "autocomplete"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Salvar", id="save", priority=True),
        Binding("ctrl+q", "quit", "Sair", id="quit", priority=True),
        # Not Ctrl+B: tmux's prefix key never reaches the editor. Not in the footer, which
        # is full at 80 columns: --help and the command palette (Ctrl+P) tell of it.
        Binding("ctrl+n", "block_word", "Nunca sugerir", id="block", show=False),
        Binding("f2", "toggle_panel", "Top 10", id="panel"),
    ]
    DIALOG_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {"save", "quit", "toggle_panel", "block_word"}
    )

    modified: reactive[bool] = reactive(False)

    def __init__(
        self,
        options: EditorOptions | None = None,
        text: str = "",
        suggester: Suggester | None = None,
    ) -> None:
        """`text` is the file as read (a BOM and any line breaks: saving writes them back);
        `suggester`, when given, is used instead of loading `options.checkpoint`."""
        super().__init__()
        read_escape_digit_as_alt()
        wrap_long_documents_quickly()
        decode_input_with_replacement()
        self.options = options or EditorOptions()
        self.path = self.options.path
        self._text, self._layout = split_layout(text)
        text = self._text
        # What FILE holds, as the editor's lines: quitting compares against it (a list compare
        # that skips the lines both share, where a text compare would join 20 MB first).
        self._saved_lines = lines_of(text)
        self._learned_text = text  # what learning has seen: each save learns only the rest
        self._suggester = suggester
        self._edits = 0  # changes so far: orders recovery writes against saves
        self._recovery = RecoveryCopy(self.path)
        self._recovery_timer: Timer | None = None
        self._recovery_failing = False  # warn once, not on every write, e.g. on a full disk
        self._recovery_writing = False  # one write at a time: a 20 MB copy takes a while
        self.recovery_delay_s = recovery.DELAY_S  # from an edit to the write that keeps it
        self._saving: asyncio.Future[None] | None = None  # the last save's write, once begun
        self._adopted: list[Recovered] = []  # crashed sessions' copies taken back
        # The file as read: a save first checks that no other program changed it since.
        self._disk: DiskState | None = disk_state(self.path) if self.path else None
        self._reloads = 0  # Changed events from reloading the file, which leave it unmodified
        self._note_timer: Timer | None = None  # clears the status bar's note
        self._ignored = 0  # bytes that were not text, while the note says so

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield SuggestingEditor(self._text, phrases=self.options.phrases, id="editor")
            yield ProbabilityPanel(id="panel")
        yield SuggestionBar(id="bar")
        yield StatusBar(id="status").data_bind(EditorApp.modified)
        yield Footer(compact=True, show_command_palette=False)

    @property
    def editor(self) -> SuggestingEditor:
        return self.query_one(SuggestingEditor)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        self.status.file_name = self._file_name()
        self.query_one(ProbabilityPanel).show(None)
        self.editor.focus()
        if self._suggester is not None:
            self._use_model(self._suggester)
        else:
            self._load_model()
        self._offer_recovery()

    def _file_name(self) -> str:
        return self.path.name if self.path else "sem nome"

    def notify(self, message: str, *, title: str = "", severity: str = "information", **kwargs):
        """Show a notification; warnings and errors also go to the diagnostics log (the
        screen is drawn on stderr, so stderr cannot hold them: see userdata.log_file)."""
        if severity != "information":
            level = logging.ERROR if severity == "error" else logging.WARNING
            log.log(level, "%s: %s", title, message)
        super().notify(message, title=title, severity=severity, **kwargs)

    # -- the model ------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="model", exit_on_error=False)
    def _load_model(self) -> Suggester:
        # numpy, sentencepiece and the weights take a moment: never on the UI thread.
        from autocomplete import Suggester

        suggester = Suggester.load(self.options.checkpoint, personal=self.options.learn)
        if hasattr(suggester, "add_document_cache"):  # (tests may hand in another suggester)
            suggester.add_document_cache()  # the open buffer's words come back
        return suggester

    @on(Worker.StateChanged)
    def _model_loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "model":
            return
        if event.worker.state is WorkerState.SUCCESS:
            self._use_model(event.worker.result)
        elif event.worker.state is WorkerState.ERROR:
            self._suggestions_off(event.worker.error)

    def _use_model(self, suggester: Suggester) -> None:
        self.status.model = suggester.name
        self.editor.suggester = suggester
        self.editor.refresh_offer()
        if suggester.personal_notice:  # the store was corrupt or locked: say what happened
            self.notify(
                suggester.personal_notice,
                title="Vocabulário pessoal",
                severity="warning",
                timeout=10,
            )

    @on(SuggestingEditor.Failed)
    def _suggester_failed(self, event: SuggestingEditor.Failed) -> None:
        self._suggestions_off(event.error)

    def _suggestions_off(self, error: BaseException) -> None:
        """Keep editing without the model, and say why it is gone."""
        reason = str(error) or type(error).__name__
        self.editor.suggester = None
        self.editor.refresh_offer()
        self.status.model = "nenhum"
        self.query_one(SuggestionBar).set_notice(f"Sugestões desligadas: {reason}")
        self.notify(
            f"{reason}\nUse --checkpoint CAMINHO para escolher outro modelo.",
            title="Sugestões desligadas",
            severity="warning",
            timeout=10,
        )

    # -- what the editor reports ----------------------------------------------------------
    @on(SuggestingEditor.Offered)
    def _offered(self, event: SuggestingEditor.Offered) -> None:
        self.query_one(SuggestionBar).show(event.offer)
        self.query_one(ProbabilityPanel).show(event.offer)
        if event.latency_ms is not None:
            self.status.latency_ms = event.latency_ms
            if self.options.latency_log is not None:
                with self.options.latency_log.open("a", encoding="utf-8") as log:
                    log.write(f"{event.latency_ms:.3f}\n")

    @on(SuggestingEditor.Ignored)
    def _ignored(self, event: SuggestingEditor.Ignored) -> None:
        """Say that bytes that were not text were dropped, for a few seconds (a burst of
        them counted together)."""
        log.warning("%d byte(s) typed that were not text: ignored", event.count)
        self._ignored += event.count
        self.status.note = (
            "1 byte que não é texto foi ignorado"
            if self._ignored == 1
            else f"{self._ignored} bytes que não são texto foram ignorados"
        )
        if self._note_timer is not None:
            self._note_timer.stop()
        self._note_timer = self.set_timer(NOTE_S, self._clear_note)

    def _clear_note(self) -> None:
        self._note_timer = None
        self._ignored = 0
        self.status.note = ""

    @on(SuggestingEditor.Accepted)
    def _accepted(self, event: SuggestingEditor.Accepted) -> None:
        self.status.keys_saved += event.keys_saved

    @on(SuggestingEditor.Changed)
    def _edited(self, event: SuggestingEditor.Changed) -> None:
        if self._reloads:
            self._reloads -= 1
            self.modified = False
        else:
            self.modified = True
        self._edits += 1
        # Not a debounce that waits for a pause: steady typing must reach the copy too.
        if self._recovery_timer is None:
            # The editor owns the timer, so the timer stops when the editor is torn down
            # instead of firing into an app whose widgets are gone.
            editor = event.text_area
            self._recovery_timer = editor.set_timer(
                self.recovery_delay_s, partial(self._keep_recovery_copy, editor)
            )

    # -- recovery copies ------------------------------------------------------------------
    def _offer_recovery(self) -> None:
        """Offer the text a crashed session left unsaved, if it differs from the file.

        Only copies of editors that are gone: another editor still open on this file keeps
        its own. Of several, the newest is offered; the others wait for the next start.
        """
        different = []
        for recovered in self._recovery.left_behind():
            if recovered.text == self._text:
                recovery.discard(recovered)  # nothing in it that the file does not hold
            else:
                different.append(recovered)
        if different:
            self.push_screen(
                RecoverText(self._file_name(), different[0].written_at),
                partial(self._recovery_chosen, different[0]),
            )

    def _recovery_chosen(self, recovered: Recovered, recover: bool | None) -> None:
        if recover:  # as an edit: modified, unsaved, and Ctrl+Z goes back to the file
            self.editor.replace(
                recovered.text, (0, 0), self.editor.document.end, maintain_selection_offset=False
            )
            # The old copy goes once this editor's own copy holds the text (or it is saved).
            self._adopted.append(recovered)
        elif recover is False:  # Descartar; None (Esc): the copy waits for the next start
            recovery.discard(recovered)

    def _release_adopted(self) -> None:
        while self._adopted:
            recovery.discard(self._adopted.pop())

    def _keep_recovery_copy(self, editor: TextArea) -> None:
        if self._recovery_writing:  # the last write is still going: try again after it
            self._recovery_timer = editor.set_timer(
                self.recovery_delay_s, partial(self._keep_recovery_copy, editor)
            )
            return
        self._recovery_timer = None
        self._recovery_writing = True
        # The lines as they are now (copying the list is ~1 ms for 20 MB; the strings are
        # immutable): the worker thread joins and encodes them while typing goes on.
        self._write_recovery(self._recovery, list(editor.document.lines), self._edits)

    # A description of its own: Textual's default repr()s the arguments, all 20 MB of them.
    @work(group="recovery", description="recovery copy")
    async def _write_recovery(self, copy: RecoveryCopy, lines: list[str], edits: int) -> None:
        started = perf_counter()
        try:
            await asyncio.to_thread(copy.write, lines, edits)
        except OSError as error:
            if not self._recovery_failing:
                self.notify(
                    f"{copy.path.parent}: {error.strerror or error}",
                    title="Sem cópia de recuperação",
                    severity="warning",
                    timeout=10,
                )
            self._recovery_failing = True
        else:
            self._recovery_failing = False
            self._release_adopted()
        finally:
            self._recovery_writing = False
            # Writes of a long text (0.3 s for 20 MB) take at most a fifth of the time while
            # typing goes on: the copy may then lag by a few seconds instead of half of one.
            self.recovery_delay_s = max(recovery.DELAY_S, 4 * (perf_counter() - started))

    # -- keys -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "block_word" and not self.options.learn:
            return False  # --no-learn: no personal vocabulary to keep a block list in
        # While a dialog is open it owns the keyboard: no second dialog on top of it.
        return action not in self.DIALOG_ACTIONS or not isinstance(self.screen, ModalScreen)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        word = self.editor.shown_word()
        if word is not None and self.options.learn:
            yield SystemCommand(
                f"Nunca sugerir «{word}»",
                "Tira a palavra das sugestões para sempre",
                self.action_block_word,
            )

    def action_block_word(self) -> None:
        """Ctrl+N: never suggest the inline suggestion again."""
        word = self.editor.shown_word()
        if word is None or self.editor.suggester is None:
            self.bell()
            return
        self._block(self.editor.suggester, word)

    @work(group="personal")
    async def _block(self, suggester: Suggester, word: str) -> None:
        editor = self.editor  # looked up now: the app may close while SQLite works
        try:
            await asyncio.to_thread(suggester.block, word)  # SQLite may wait for a lock
        except Exception as error:  # the block list is an extra: never worth the buffer
            if editor.is_attached:
                title = f"Não foi possível bloquear «{word}»"
                self.notify(str(error), title=title, severity="error")
            return
        if editor.is_attached:
            editor.ask_again()
            self.notify(f"«{word}» não será mais sugerida.", timeout=3)

    def action_toggle_panel(self) -> None:
        panel = self.query_one(ProbabilityPanel)
        panel.display = not panel.display

    async def _caught_up(self) -> None:
        """Wait until the editor has handled the keys typed before this (priority) action,
        so that a fast "...texto" + Ctrl+S saves the last letters too."""
        done = asyncio.Event()
        self.editor.call_later(done.set)
        await done.wait()

    @work(exclusive=True, group="dialog")
    async def action_save(self) -> None:
        await self._caught_up()
        await self._save()

    @work(exclusive=True, group="dialog")
    async def action_quit(self) -> None:
        await self._caught_up()
        await self._saved()
        # The text itself, not the modified flag, which lags one message behind the edits.
        if self.editor.document.lines != self._saved_lines:
            choice = await self.push_screen_wait(ConfirmQuit(self._file_name()))
            if choice is QuitChoice.CANCEL:
                return
            if choice is QuitChoice.SAVE and not await self._save():
                return
        self._recovery.remove(self._edits)  # saved, unchanged, or thrown away on purpose
        self._release_adopted()
        self.exit()

    async def _save(self) -> bool:
        """Save to FILE (asking for a name the first time); False if nothing was saved."""
        await self._saved()  # one save at a time: an older one never lands last
        if self.path is None:
            path = await self.push_screen_wait(SaveAs())
            if path is None:
                return False
            self.path = path
            self.status.file_name = self._file_name()
        elif changed_on_disk(self.path.resolve(), self._disk):
            choice = await self.push_screen_wait(ChangedOnDisk(self._file_name()))
            if choice is ChangedChoice.RELOAD:
                # The buffer's own edits go: a second question, whose Enter keeps them.
                if self.editor.document.lines != self._saved_lines and not (
                    await self.push_screen_wait(ConfirmReload(self._file_name()))
                ):
                    return False
                self._reload()
                return False
            if choice is ChangedChoice.SAVE_AS:
                path = await self.push_screen_wait(SaveAs())
                if path is None:
                    return False
                self.path = path
                self.status.file_name = self._file_name()
                self._recovery.remove(self._edits)  # the copy follows the new name
                self._recovery = RecoveryCopy(self.path)
            elif choice is not ChangedChoice.OVERWRITE:
                return False
        return await self._write(self.path)

    async def _write(self, path: Path) -> bool:
        """Save the buffer as it is now to `path`, asking first if the file is read-only;
        False if nothing was written (the buffer stays open and modified: nothing is lost).

        The file is written off the UI thread, so typing goes on while a big file is saved;
        what is typed meanwhile stays unsaved. Quitting waits for the write to finish.
        """
        editor = self.editor
        saved = _Save(path, list(editor.document.lines), self._edits, editor.cursor_location)
        try:
            try:
                await self._store(saved, over_read_only=False)
            except ReadOnlyError:
                if not await self.push_screen_wait(ConfirmReadOnly(path.name)):
                    return False
                await self._store(saved, over_read_only=True)
        except DocumentError as error:  # text UTF-8 cannot hold
            reason = str(error)
        except OSError as error:
            reason = f"{path}: {error.strerror or error}"
        else:
            return True
        self.notify(reason, title="Não foi possível salvar", severity="error", timeout=10)
        return False

    async def _saved(self) -> None:
        """Wait for the save being written, if any (a failure was reported by its worker, or
        shows as unsaved changes)."""
        if self._saving is not None:
            with contextlib.suppress(Exception):
                await self._saving

    async def _store(self, saved: _Save, over_read_only: bool) -> None:
        """Write `saved` and record it, shielded: a Ctrl+Q that cancels the save's worker
        waits for this instead of leaving the file written but the buffer still unsaved."""
        self._saving = asyncio.ensure_future(self._write_and_record(saved, over_read_only))
        await asyncio.shield(self._saving)

    async def _write_and_record(self, saved: _Save, over_read_only: bool) -> None:
        layout = self._layout
        stored = await asyncio.to_thread(_write_file, saved, layout, over_read_only)
        self._saved_lines = saved.lines
        self._disk = stored.disk
        if stored.layout is not None:  # mixed breaks: match the next save against this one
            self._layout = stored.layout
        self.modified = self.editor.document.lines != saved.lines
        # In the thread too: removing waits for a recovery copy being written.
        await asyncio.to_thread(self._recovery.remove, saved.edits)
        self._release_adopted()
        if self._recovery.document is None:  # named by this first save: later copies follow
            self._recovery = RecoveryCopy(saved.path)
        self.notify(f"Salvo em {saved.path}", timeout=2)
        await self._learn(saved)

    def _reload(self) -> None:
        """Take the file's text from disk, as an edit: Ctrl+Z brings the buffer back."""
        assert self.path is not None
        try:
            raw = read_document(self.path)
        except DocumentError as error:
            self.notify(str(error), title="Não foi possível recarregar", severity="error")
            return
        self._disk = disk_state(self.path.resolve())
        text, self._layout = split_layout(raw)
        self._saved_lines = lines_of(text)
        if self._saved_lines == self.editor.document.lines:  # no edit, no Changed event
            self.modified = False
            return
        self._reloads += 1
        self.editor.replace(text, (0, 0), self.editor.document.end, maintain_selection_offset=False)

    async def _learn(self, saved: _Save) -> None:
        """Teach the personal vocabulary the words finished since it last learned from this
        buffer (the word at the cursor, still being typed, waits for a later save)."""
        suggester = self.editor.suggester
        if not self.options.learn or suggester is None:
            return  # the model is still loading: the next save learns this change too

        def learn() -> bool:  # joining and diffing a long document take time: off the UI thread
            # A `learn` run may have moved the store aside and made a new one: the old
            # connection would write into the moved file (or fail), so ask the file first.
            reopened = suggester.reopen_personal_if_replaced()
            text = finished("\n".join(saved.lines), saved.cursor_index())
            if self._learned_text != text:
                suggester.learn(changed_text(self._learned_text, text))
            # Only once learned: the words of a save whose learning failed go with the next.
            self._learned_text = text
            return reopened

        try:
            reopened = await asyncio.to_thread(learn)
        except Exception as error:  # learning is an extra: a good save stays a good save
            self.notify(
                f"{error}\nO próximo salvamento tenta de novo.",
                title="Não foi possível aprender",
                severity="warning",
            )
            return
        if reopened:
            self.notify(
                suggester.personal_notice
                or "O arquivo foi substituído por outro programa: reaberto, o aprendizado segue.",
                title="Vocabulário pessoal",
                timeout=5,
            )


def lines_of(text: str) -> list[str]:
    """The lines TextArea makes of `text` (whose only line break is a newline, see files.py)."""
    return text.split("\n")


@dataclass(frozen=True)
class _Save:
    """The buffer as a save took it."""

    path: Path
    lines: list[str]
    edits: int  # changes made before it: orders it against recovery writes
    cursor: tuple[int, int]  # (row, column)

    def cursor_index(self) -> int:
        row, column = self.cursor
        return sum(map(len, self.lines[:row])) + row + column


@dataclass(frozen=True)
class _Stored:
    disk: DiskState | None  # the file as written
    layout: TextLayout | None  # the mixed line breaks written, to match the next save against


def _write_file(saved: _Save, layout: TextLayout, over_read_only: bool) -> _Stored:
    """Write the saved text to its file (in a worker thread): atomic, with the file's BOM and
    line breaks; raises what `save_document` raises."""
    stored = join_layout("\n".join(saved.lines), layout)
    save_document(saved.path, stored, over_read_only=over_read_only)
    mixed = split_layout(stored)[1] if layout.lines is not None else None
    return _Stored(disk_state(saved.path.resolve()), mixed)
