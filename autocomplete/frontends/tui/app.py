"""The editor application: the widgets, the keys and the dialogs. What it edits is a
`Document` (document.py: the path, the disk state, saving, reloading, the recovery copy);
what it shows of the model is `SuggestionDisplay` (suggestions.py); the questions around a
save and the recovery copies are `Saving` and `Recovering` (document_flows.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen
from textual.worker import Worker

from autocomplete.errors import DocumentError
from autocomplete.frontends.tui.dialogs import ConfirmQuit, QuitChoice
from autocomplete.frontends.tui.document import Document
from autocomplete.frontends.tui.document_flows import Recovering, Saving
from autocomplete.frontends.tui.driver import decode_input_with_replacement
from autocomplete.frontends.tui.editor import SuggestingEditor
from autocomplete.frontends.tui.key_hints import KeyHints
from autocomplete.frontends.tui.keys import read_escape_digit_as_alt
from autocomplete.frontends.tui.options import EditorOptions
from autocomplete.frontends.tui.probability_panel import ProbabilityPanel
from autocomplete.frontends.tui.status_bar import StatusBar
from autocomplete.frontends.tui.suggestion_bar import SuggestionBar
from autocomplete.frontends.tui.suggestions import MODEL, Learning, SuggestionDisplay
from autocomplete.frontends.tui.wrapping import wrap_long_documents_quickly

if TYPE_CHECKING:
    from autocomplete.engine.suggester import Suggester
    from autocomplete.frontends.tui.recovery import RecoveryCopy

log = logging.getLogger(__name__)  # to userdata.log_file() when run as `python -m autocomplete`


class EditorApp(App[None]):
    """The window: its widgets, key bindings and dialogs, and the routing of the editor's
    messages to the helpers that own each concern (the document, its conversations, the
    model's display).

    About 200 lines, over the usual 150: Textual looks for bindings, actions, `check_action`
    and message handlers on the App itself, so each stays here as a line or two that hands
    over to its helper."""

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
        self.document = Document(self.options.path, text)
        self.suggestions = SuggestionDisplay(self, self.options)
        self.learning = Learning(self, self.options, self.document.opened_text)
        self.saving = Saving(
            self,
            self.document,
            reload=self.reload,
            mark_modified=self._mark_modified,
            learn=self.learning.learn,
        )
        self.recovering = Recovering(self, self.document)
        self._suggester = suggester
        self._reloads = 0  # Changed events from reloading the file, which leave it unmodified

    @property
    def recovery_delay_s(self) -> float:
        """From an edit to the write that keeps it in the recovery copy."""
        return self.document.recovery.delay_s

    @property
    def _recovery(self) -> RecoveryCopy:
        """The recovery copy being kept (the tests read it)."""
        return self.document.recovery.copy

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            text, phrases = self.document.opened_text, self.options.phrases
            yield SuggestingEditor(text, phrases=phrases, id="editor")
            yield ProbabilityPanel(id="panel")
        yield SuggestionBar(id="bar")
        yield StatusBar(id="status").data_bind(EditorApp.modified)
        yield KeyHints(compact=True, show_command_palette=False)

    @property
    def editor(self) -> SuggestingEditor:
        return self.query_one(SuggestingEditor)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        self.status.file_name = self.document.name
        self.query_one(ProbabilityPanel).show(None)
        self.editor.focus()
        # At once, not as a message: the bar is drawn in the frame the ghost text is drawn in.
        self.editor.offered.subscribe(self, self._offered, immediate=True)
        if self._suggester is not None:
            self.suggestions.use(self._suggester)
        else:
            self.suggestions.load()
        self.recovering.offer()

    def notify(self, message: str, *, title: str = "", severity: str = "information", **kwargs):
        """Show a notification; warnings and errors also go to the diagnostics log (the
        screen is drawn on stderr, so stderr cannot hold them: see userdata.log_file)."""
        if severity != "information":
            level = logging.ERROR if severity == "error" else logging.WARNING
            log.log(level, "%s: %s", title, message)
        super().notify(message, title=title, severity=severity, **kwargs)

    # -- what the editor and the workers report -------------------------------------------
    @on(Worker.StateChanged)
    def _model_loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.group == MODEL:
            self.suggestions.loaded(event.worker)

    @on(SuggestingEditor.Failed)
    def _suggester_failed(self, event: SuggestingEditor.Failed) -> None:
        self.suggestions.off(event.error)

    def _offered(self, offered: SuggestingEditor.Offered) -> None:
        self.suggestions.offered(offered.offer, offered.latency_ms)

    @on(SuggestingEditor.Ignored)
    def _ignored(self, event: SuggestingEditor.Ignored) -> None:
        self.suggestions.ignored(event.count)

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
        self.document.edits += 1
        self.recovering.edited(event.text_area)

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
        self.suggestions.block(self.editor.suggester, word)

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
        await self.saving.save()

    @work(exclusive=True, group="dialog")
    async def action_quit(self) -> None:
        await self._caught_up()
        await self.document.saved()
        # The text itself, not the modified flag, which lags one message behind the edits.
        if not self.document.holds(self.editor.document.lines):
            choice = await self.push_screen_wait(ConfirmQuit(self.document.name))
            if choice is QuitChoice.CANCEL:
                return
            if choice is QuitChoice.SAVE and not await self.saving.save():
                return
        self.document.close()  # saved, unchanged, or thrown away on purpose
        self.exit()

    def _mark_modified(self, modified: bool) -> None:
        self.modified = modified

    def reload(self) -> None:
        """Take the file's text from disk, as an edit: Ctrl+Z brings the buffer back."""
        try:
            text = self.document.reload()
        except DocumentError as error:
            self.notify(str(error), title="Não foi possível recarregar", severity="error")
            return
        if self.document.holds(self.editor.document.lines):  # no edit, no Changed event
            self.modified = False
            return
        self._reloads += 1
        self.editor.replace(text, (0, 0), self.editor.document.end, maintain_selection_offset=False)
