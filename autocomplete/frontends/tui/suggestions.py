"""The model as the app shows it: loading it off the UI thread, the suggestions the editor
offers shown in the bar, the F2 panel and the status bar, what happens when the model fails,
the block list (Ctrl+N) and learning from what was saved. The editor widget asks the model;
this is everything around it."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState

from autocomplete.frontends.tui.editor import SuggestingEditor
from autocomplete.frontends.tui.key_hints import KeyHints
from autocomplete.frontends.tui.probability_panel import ProbabilityPanel
from autocomplete.frontends.tui.status_bar import StatusBar
from autocomplete.frontends.tui.suggestion_bar import SuggestionBar
from autocomplete.personal.typed_text import changed_text, finished

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from autocomplete.engine.suggester import Suggester
    from autocomplete.frontends.tui.document import Snapshot
    from autocomplete.frontends.tui.editor import Offer
    from autocomplete.frontends.tui.options import EditorOptions

log = logging.getLogger(__name__)  # to userdata.log_file() when run as `python -m autocomplete`
NOTE_S = 5.0  # how long the status bar's note stays
MODEL = "model"  # the group of the worker that loads the model


class SuggestionDisplay:
    """Everything the app shows of the model, outside the editor widget."""

    def __init__(self, app: App[None], options: EditorOptions) -> None:
        self.app = app
        self.options = options
        self._note_timer: Timer | None = None  # clears the status bar's note
        self._ignored = 0  # bytes that were not text, while the note says so

    # -- the model ------------------------------------------------------------------------
    def load(self) -> None:
        """Load the model in a worker thread: numpy, sentencepiece and the weights take a
        moment, never on the UI thread. `loaded` gets the worker's state changes."""
        options = self.options

        def load_model() -> Suggester:
            from autocomplete import Suggester

            # The open buffer is a document cache whose weight grows with its words.
            return Suggester.load(options.checkpoint, personal=options.learn, document_cache=True)

        self.app.run_worker(
            load_model,
            name="_load_model",
            group=MODEL,
            exclusive=True,
            exit_on_error=False,
            thread=True,
        )

    def loaded(self, worker: Worker) -> None:
        if worker.state is WorkerState.SUCCESS:
            self.use(worker.result)
        elif worker.state is WorkerState.ERROR:
            self.off(worker.error)

    def use(self, suggester: Suggester) -> None:
        app, editor = self.app, self.app.query_one(SuggestingEditor)
        app.query_one(StatusBar).model = suggester.name
        editor.suggester = suggester
        editor.refresh_offer()
        # After the frame that shows the first words: the warm-up thread and the key hints
        # would take the GIL from drawing it.
        app.call_after_refresh(editor.warm_up)
        app.call_after_refresh(app.query_one(KeyHints).show)
        if suggester.personal_notice:  # the store was corrupt or locked: say what happened
            app.notify(
                suggester.personal_notice,
                title="Vocabulário pessoal",
                severity="warning",
                timeout=10,
            )

    def off(self, error: BaseException) -> None:
        """Keep editing without the model, and say why it is gone."""
        app, editor = self.app, self.app.query_one(SuggestingEditor)
        reason = str(error) or type(error).__name__
        editor.suggester = None
        editor.refresh_offer()
        app.query_one(StatusBar).model = "nenhum"
        app.query_one(KeyHints).show()
        app.query_one(SuggestionBar).set_notice(f"Sugestões desligadas: {reason}")
        app.notify(
            f"{reason}\nUse --checkpoint CAMINHO para escolher outro modelo.",
            title="Sugestões desligadas",
            severity="warning",
            timeout=10,
        )

    # -- what the editor reports ----------------------------------------------------------
    def offered(self, offer: Offer | None, latency_ms: float | None) -> None:
        app = self.app
        app.query_one(SuggestionBar).show(offer)
        app.query_one(ProbabilityPanel).show(offer)
        if latency_ms is not None:
            app.query_one(StatusBar).latency_ms = latency_ms
            if self.options.latency_log is not None:
                with self.options.latency_log.open("a", encoding="utf-8") as latency_log:
                    latency_log.write(f"{latency_ms:.3f}\n")

    def ignored(self, count: int) -> None:
        """Say that bytes that were not text were dropped, for a few seconds (a burst of
        them counted together)."""
        log.warning("%d byte(s) typed that were not text: ignored", count)
        self._ignored += count
        self.app.query_one(StatusBar).note = (
            "1 byte que não é texto foi ignorado"
            if self._ignored == 1
            else f"{self._ignored} bytes que não são texto foram ignorados"
        )
        if self._note_timer is not None:
            self._note_timer.stop()
        self._note_timer = self.app.set_timer(NOTE_S, self._clear_note)

    def _clear_note(self) -> None:
        self._note_timer = None
        self._ignored = 0
        self.app.query_one(StatusBar).note = ""

    # -- the block list -------------------------------------------------------------------
    def block(self, suggester: Suggester, word: str) -> None:
        """Never suggest `word` again (in a worker: SQLite may wait for a lock)."""
        self.app.run_worker(self._block(suggester, word), name="_block", group="personal")

    async def _block(self, suggester: Suggester, word: str) -> None:
        app = self.app
        # Looked up now: the app may close while SQLite works.
        editor = app.query_one(SuggestingEditor)
        try:
            # SQLite may wait for a lock: the editor asks a worker meanwhile.
            await asyncio.to_thread(editor.hold, suggester.block, word)
        except Exception as error:  # the block list is an extra: never worth the buffer
            if editor.is_attached:
                title = f"Não foi possível bloquear «{word}»"
                app.notify(str(error), title=title, severity="error")
            return
        if editor.is_attached:
            editor.ask_again()
            app.notify(f"«{word}» não será mais sugerida.", timeout=3)


class Learning:
    """Teaches the personal vocabulary the words each save finished (the word at the cursor,
    still being typed, waits for a later save)."""

    def __init__(self, app: App[None], options: EditorOptions, text: str) -> None:
        self.app = app
        self.options = options
        self._learned_text = text  # what learning has seen: each save learns only the rest

    async def learn(self, saved: Snapshot) -> None:
        app = self.app
        editor = app.query_one(SuggestingEditor)
        suggester = editor.suggester
        if not self.options.learn or suggester is None:
            return  # the model is still loading: the next save learns this change too

        def learn() -> bool:  # joining and diffing a long document take time: off the UI thread
            # A `learn` run may have moved the store aside and made a new one: the old
            # connection would write into the moved file (or fail), so ask the file first.
            # Holding the suggester: the editor asks a worker, not the UI thread, meanwhile.
            reopened = editor.hold(suggester.reopen_personal_if_replaced)
            text = finished("\n".join(saved.lines), saved.cursor_index())
            if self._learned_text != text:
                editor.hold(suggester.learn, changed_text(self._learned_text, text), False)
                suggester.refit_mix()  # seconds of the model: suggestions go on meanwhile
            # Only once learned: the words of a save whose learning failed go with the next.
            self._learned_text = text
            return reopened

        try:
            reopened = await asyncio.to_thread(learn)
        except Exception as error:  # learning is an extra: a good save stays a good save
            app.notify(
                f"{error}\nO próximo salvamento tenta de novo.",
                title="Não foi possível aprender",
                severity="warning",
            )
            return
        if reopened:
            app.notify(
                suggester.personal_notice
                or "O arquivo foi substituído por outro programa: reaberto, o aprendizado segue.",
                title="Vocabulário pessoal",
                timeout=5,
            )
