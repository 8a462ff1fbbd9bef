"""The text area that suggests: asks the model as part of each keystroke when it answers
quickly (a worker thread when it does not), shows the best word (or the rest of the phrase,
when the model is sure of more) as grey ghost text after the cursor, and inserts a suggestion
on Tab, Right or Alt+1..3, the whole phrase on Shift+Tab."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from time import perf_counter
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.signal import Signal
from textual.strip import Strip
from textual.widgets import TextArea
from textual.worker import Worker, WorkerState

from autocomplete import SLOTS
from autocomplete.frontends.tui.pace import Pace
from autocomplete.frontends.tui.painted_rows import PaintedRows

if TYPE_CHECKING:
    from autocomplete.engine.suggester import Phrase, Suggester, Suggestion, Suggestions

PANEL_SIZE = 10  # suggestions fetched per keystroke: the bar shows 3, the F2 panel all
# Punctuation that sticks to the word before it: typed right after an accepted word, it
# replaces the space the acceptance added, as phone keyboards do.
CLOSING_PUNCTUATION = frozenset(".,;:!?")
# The model only reads the last few thousand characters; handing it text from a line that
# moves once every CONTEXT_BLOCK lines keeps each keystroke cheap in a long document while
# keeping the start of the context still, so the Suggester's incremental cache stays valid.
CONTEXT_BLOCK = 32
# Very long lines (a paragraph of a megabyte) cut the context too: it then begins at a
# multiple of this many characters, well over the 3,000 the ranking reads.
CONTEXT_CHARS = 8_192
# What the terminal driver makes of a byte that is not UTF-8 (driver.py): never typed.
NOT_TEXT = "\ufffd"
SLOT_GROUP = Binding.Group("Escolher")  # one footer entry for Alt+1..3
Fallback = Callable[[], Awaitable[None]]  # an accepting key's work when there is nothing to accept
# The first completion builds the Suggester's completion indexes (a quarter of a second with
# the shipped model): a one-letter word asked off the UI thread, once the model is in use.
WARM_UP_TEXT = "a"
Result = TypeVar("Result")


@dataclass(frozen=True)
class Offer:
    """What the model suggests for one text before the cursor."""

    text: str  # the text before the cursor it was computed for
    suggestions: tuple[Suggestion, ...]
    replace: int  # characters before the cursor that an accepted suggestion replaces
    requested_at: float  # perf_counter() when the edit asked for it
    phrase: Phrase | None = None  # the rest of the phrase, computed after the words

    @classmethod
    def of(cls, text: str, suggestions: Suggestions, requested_at: float) -> Offer:
        return cls(text, tuple(suggestions), suggestions.replace, requested_at)

    @property
    def partial(self) -> str:
        """The word being typed, which an accepted suggestion replaces."""
        return self.text[len(self.text) - self.replace :]

    def ghost(self) -> str:
        """The grey text after the cursor (TextArea.suggestion): the rest of the best word,
        or of the phrase when there is one.

        Only text that accepting inserts at the cursor: a correction of case or accents
        ("nao" -> "não") rewrites what was typed, which inserted text cannot show, so it
        has no ghost; the bar shows it, and Tab or Right accepts it all the same.
        """
        if not self.suggestions:
            return ""
        shown = self.phrase.text if self.phrase is not None else self.suggestions[0].word
        partial = self.partial
        return shown[len(partial) :] if shown.startswith(partial) else ""


class SuggestingEditor(TextArea):
    """A plain-text editor whose `suggester` (set once the model has loaded) offers words.

    Over 150 lines: Textual looks for the accepting keys' bindings and actions on the widget
    that has the focus, and an offer's life (asked for, shown as ghost text, accepted or
    dismissed) is one piece of state those actions share."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, so they run before TextArea's own key handling (Tab would indent).
        Binding("tab", "accept", "Aceitar", id="accept", priority=True),
        # TextArea's own action, bound again with priority to keep its turn, as Tab does.
        Binding("right", "cursor_right", "Aceitar", id="accept-right", show=False, priority=True),
        # Not in the footer, which is full at 80 columns: --help and the README tell of it.
        Binding(
            "shift+tab",
            "accept_phrase",
            "Aceitar a frase",
            id="accept-phrase",
            show=False,
            priority=True,
        ),
        # The ESC+digit that terminals send for Alt+1..3 arrives as alt+1..3 (keys.py), so
        # the characters ¡ ™ £ are free to be typed.
        *(
            Binding(
                f"alt+{slot}",
                f"insert_slot({slot})",
                f"Inserir a {slot}ª sugestão",
                id=f"slot-{slot}",
                priority=True,
                group=SLOT_GROUP,
            )
            for slot in range(1, SLOTS + 1)
        ),
        Binding("escape", "dismiss", "Ocultar", id="dismiss", priority=True),
    ]

    @dataclass(frozen=True)
    class Offered:
        """The suggestions on show changed (None: nothing is on show): published on the
        `offered` signal, not posted as a message, so that what shows them (the bar, the
        panel) is updated at once and drawn in the same frame as the ghost text."""

        offer: Offer | None
        latency_ms: float | None  # from the edit that asked to the offer being shown

    @dataclass
    class Accepted(Message):
        """A suggestion was inserted; `keys_saved` may be negative (see _on_key)."""

        keys_saved: int

    @dataclass
    class Ignored(Message):
        """Input that was not text (bytes the terminal sent that are not UTF-8) was dropped."""

        count: int

    @dataclass
    class Failed(Message):
        """The suggester raised; the editor keeps working without it."""

        error: BaseException

    def __init__(self, text: str = "", phrases: bool = True, **kwargs) -> None:
        # The text is loaded once mounted: Textual builds and wraps a document given to
        # __init__ three times over (seconds for a 20 MB file), loaded later only once.
        super().__init__("", soft_wrap=True, tab_behavior="indent", **kwargs)
        self._initial_text = text
        self._painted = PaintedRows()
        self.suggester: Suggester | None = None
        self.phrases = phrases  # offer the rest of the phrase (off with --no-phrases)
        self._offer: Offer | None = None  # what is on show
        self._requested: str | None = None  # the text of the newest request
        self._after: str | None = None  # the text after the cursor, with that request
        self._dismissed = False  # Esc: hide until the next keystroke
        self._pending: tuple[int, Fallback | None] | None = None  # _accept() awaiting its offer
        self._auto_space: tuple[int, int] | None = None  # cursor after an accepted word's space
        # Held by whichever thread is asking the suggester (learning and blocking included):
        # the UI thread only tries it, so a slow call elsewhere never freezes typing.
        self.suggester_lock = threading.Lock()
        self.pace = Pace()  # how quickly words come: asked as part of the keystroke or not
        self.phrase_pace = Pace()
        self._fetching: Worker[Offer] | None = None  # the newest words worker
        self.offered: Signal[SuggestingEditor.Offered] = Signal(self, "offered")

    def on_mount(self) -> None:
        with self.prevent(TextArea.Changed):  # the text as opened: no edit
            self.load_text(self._initial_text)
        del self._initial_text

    async def _on_paste(self, event: events.Paste) -> None:
        """A paste types its text without what was not text in it (see _on_key)."""
        # Textual calls each class's _on_paste in turn unless stopped: TextArea's runs here.
        event.prevent_default()
        ignored = event.text.count(NOT_TEXT)
        if ignored:
            self.post_message(self.Ignored(ignored))
            event = events.Paste(event.text.replace(NOT_TEXT, ""))
        await super()._on_paste(event)

    def render_line(self, y: int) -> Strip:
        """Textual's row painting without its check for a placeholder, which joins the whole
        document into one string for every row painted (a second a frame in a 20 MB file):
        this editor shows no placeholder. Textual's cache of painted rows goes with the check
        (it held a row only until the next keystroke or cursor move); ours keeps each row
        until what it shows changes (painted_rows.py)."""
        return self._painted.row(self, y, self._render_line)

    def render_lines(self, crop: Region) -> list[Strip]:
        with self._painted.frame():
            return super().render_lines(crop)

    def on_resize(self) -> None:
        # TextArea rewraps its lines on resize after a frame may have been painted with the
        # old wrapping (seen when F2 opens or closes the panel): paint it all again.
        self.refresh()

    # -- asking the model -----------------------------------------------------------------
    def text_before_cursor(self) -> str | None:
        """The text the model should continue, or None when suggestions must stay hidden."""
        if self._dismissed or not self.selection.is_empty:
            return None
        row, column = self.cursor_location
        line = self.document[row]
        if column < len(line) and line[column].isalnum():
            return None  # inside a word: a completion would split it
        first = max(0, row - row % CONTEXT_BLOCK - CONTEXT_BLOCK)
        return self.document.get_text_range(self._context_start(first, row, column), (row, column))

    def _context_start(self, first: int, row: int, column: int) -> tuple[int, int]:
        """Line `first`, or, past two CONTEXT_CHARS blocks of text from there to the cursor,
        the start of the last whole block but one, counted from line `first` (so that it
        stays put while typing)."""
        lengths = [len(self.document[line]) + 1 for line in range(first, row)]
        size = sum(lengths) + column
        if size <= 2 * CONTEXT_CHARS:
            return first, 0
        cut = (size // CONTEXT_CHARS - 1) * CONTEXT_CHARS
        line = first
        for length in lengths:
            if cut < length:
                break
            cut -= length
            line += 1
        return line, cut

    @on(TextArea.Changed)
    @on(TextArea.SelectionChanged)
    def refresh_offer(self) -> None:
        """Ask for suggestions for the text before the cursor, unless already asked."""
        suggester = self.suggester
        text = self.text_before_cursor() if suggester is not None else None
        if suggester is None or text is None:
            self._requested = None
            self._show(None)
        elif text != self._requested:
            self._requested = text
            if getattr(suggester, "document_cache", None) is not None:
                self._after = self.text_after_cursor()  # read on the UI thread, as the text is
            requested_at = perf_counter()
            try:
                offer = self._ask_now(suggester, text, requested_at)
            except Exception as error:  # as a worker's failure: the editor goes on without it
                self._failed(error)
                return
            if offer is None:
                self._show(None)  # for other text: never on show while the worker computes
                self._fetching = self._fetch(suggester, text, requested_at)
            else:
                self._arrived(offer)

    def _ask_now(self, suggester: Suggester, text: str, requested_at: float) -> Offer | None:
        """The offer for `text`, asked on the UI thread so that it is drawn in the same frame
        as the keystroke; None when it must go to a worker: the Suggester has lately been
        slow, an older request is still with a worker (the worker supersedes it), or another
        thread is using the Suggester."""
        fetching = self._fetching
        if not self.pace.quick() or (fetching is not None and not fetching.is_finished):
            return None
        if not self.suggester_lock.acquire(blocking=False):
            return None
        try:
            with self.pace.timed():
                return self._ask(suggester, text, requested_at)
        finally:
            self.suggester_lock.release()

    def _ask(self, suggester: Suggester, text: str, requested_at: float) -> Offer:
        if getattr(suggester, "document_cache", None) is None:
            return Offer.of(text, suggester.suggest(text, k=PANEL_SIZE), requested_at)
        suggestions = suggester.suggest(text, k=PANEL_SIZE, after=self._after)
        return Offer.of(text, suggestions, requested_at)

    def _phrase_now(self, suggester: Suggester, offer: Offer) -> Offer | None:
        """`offer` with its phrase asked on the UI thread (see _ask_now), or None."""
        if not self.phrase_pace.quick() or not self.suggester_lock.acquire(blocking=False):
            return None
        try:
            with self.phrase_pace.timed():
                return dataclasses.replace(offer, phrase=suggester.suggest_phrase(offer.text))
        finally:
            self.suggester_lock.release()

    def hold(self, call: Callable[..., Result], *args: object) -> Result:
        """`call(*args)` holding the suggester: for threads other than the UI thread that use
        it (learning, blocking a word), so that the UI thread asks a worker meanwhile."""
        with self.suggester_lock:
            return call(*args)

    def warm_up(self) -> None:
        """Build the suggester's completion indexes off the UI thread (see WARM_UP_TEXT)."""
        if self.suggester is not None:
            self.run_worker(
                partial(self.hold, self.suggester.suggest, WARM_UP_TEXT, 1),
                group="warm-up",
                thread=True,
                exit_on_error=False,
            )

    def ask_again(self) -> None:
        """Fetch suggestions anew for the same text: the suggester's answer has changed."""
        self._requested = None
        self.refresh_offer()

    def shown_word(self) -> str | None:
        """The best suggestion on show (the inline one), if any."""
        offer = self._offer
        return offer.suggestions[0].word if offer is not None and offer.suggestions else None

    def text_after_cursor(self) -> str:
        """Up to CONTEXT_CHARS of the text after the cursor: the document cache reads it."""
        row, column = self.cursor_location
        if len(self.document[row]) - column >= CONTEXT_CHARS:  # a long line: never all of it
            return self.document[row][column : column + CONTEXT_CHARS]
        last = min(self.document.line_count - 1, row + CONTEXT_BLOCK)
        end = (last, min(len(self.document[last]), CONTEXT_CHARS))
        return self.document.get_text_range((row, column), end)[:CONTEXT_CHARS]

    @work(thread=True, exclusive=True, group="suggest", exit_on_error=False)
    def _fetch(self, suggester: Suggester, text: str, requested_at: float) -> Offer:
        with self.suggester_lock, self.pace.timed():
            return self._ask(suggester, text, requested_at)

    @work(thread=True, exclusive=True, group="phrase", exit_on_error=False)
    def _fetch_phrase(self, suggester: Suggester, text: str) -> tuple[str, Phrase | None]:
        with self.suggester_lock, self.phrase_pace.timed():
            return text, suggester.suggest_phrase(text)

    @on(Worker.StateChanged)
    async def _fetched(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group not in ("suggest", "phrase"):
            return  # the warm-up: a failure there shows again when the suggester is asked
        if worker.state is WorkerState.ERROR:
            self._failed(worker.error)
        elif worker.state is not WorkerState.SUCCESS:
            return
        elif worker.group == "phrase":
            self._show_phrase(*worker.result)
        elif self._is_current(worker.result):
            self._arrived(worker.result)
            pending, self._pending = self._pending, None
            if pending is not None:
                await self._accept(*pending)
        # Anything else was computed for text that has changed since: dropped.

    def _arrived(self, offer: Offer) -> None:
        """Show `offer`, computed for the text now before the cursor, with its phrase: asked
        at once when the Suggester is quick, else by a worker that extends the offer later."""
        suggester = self.suggester
        ask_phrase = self.phrases and suggester is not None and bool(offer.suggestions)
        if ask_phrase:
            try:
                phrased = self._phrase_now(suggester, offer)
            except Exception as error:
                self._failed(error)
                return
            if phrased is not None:
                offer, ask_phrase = phrased, False
        self._show(offer)
        if ask_phrase:
            self._fetch_phrase(suggester, offer.text)

    def _failed(self, error: BaseException) -> None:
        self.suggester = None
        self._show(None)
        self.post_message(self.Failed(error))

    def _show_phrase(self, text: str, phrase: Phrase | None) -> None:
        """Extend the offer on show with its phrase, if both are for the current text."""
        offer = self._offer
        current = offer is not None and offer.text == text and self._is_current(offer)
        if phrase is not None and current:
            self._offer = dataclasses.replace(offer, phrase=phrase)
            self.suggestion = self._offer.ghost()

    def _is_current(self, offer: Offer) -> bool:
        """Whether `offer` was computed for the text now before the cursor."""
        return offer.text == self.text_before_cursor()

    def _current_offer(self) -> Offer | None:
        """The offer on show, if it was computed for the text now before the cursor."""
        offer = self._offer
        return offer if offer is not None and self._is_current(offer) else None

    def _show(self, offer: Offer | None) -> None:
        if offer == self._offer:
            return
        self._offer = offer
        self.suggestion = offer.ghost() if offer else ""
        latency_ms = (perf_counter() - offer.requested_at) * 1000 if offer else None
        self.offered.publish(self.Offered(offer, latency_ms))

    # -- keys -----------------------------------------------------------------------------
    # These actions are priority bindings: they run as soon as the App reads the key, maybe
    # before this widget has handled keys typed just before it. call_later queues their work
    # behind those keys, so a fast "em" + space + Tab accepts a word for "em ", not for "em".
    def action_accept(self) -> None:
        """Tab: insert the inline suggestion; without one, Tab indents as usual."""
        self.call_later(self._accept, 0, self._tab)

    def action_accept_phrase(self) -> None:
        """Shift+Tab: insert the whole grey text, the phrase or the one word on show."""
        self.call_later(self._accept_phrase)

    async def _accept_phrase(self) -> None:
        offer = self._current_offer()
        if offer is not None and offer.phrase is not None:
            self._insert(offer.phrase.text, offer.phrase.replace)
        else:
            await self._accept(0, None)

    def action_insert_slot(self, slot: int) -> None:
        """Alt+N: insert slot N of the bar."""
        self.call_later(self._accept, slot - 1, None)

    def action_cursor_right(self, select: bool = False) -> None:
        """Right: accept what Tab accepts while a suggestion is on show, else move as usual.

        Textual's own Right inserts `suggestion` at the cursor: the partial word stays and
        no space follows. Shift+Right only selects.
        """
        if select:
            self._move_right(select=True)
        else:
            self.call_later(self._accept_on_right)

    async def _accept_on_right(self) -> None:
        # Unlike Tab, Right waits for no offer that is not on show yet: it also walks
        # through text, and must not drop words into it on the way.
        if self._on_show():
            await self._accept(0, self._right)
        else:
            await self._right()

    def _on_show(self) -> bool:
        """Whether a suggestion is on show: as ghost text, or as a correction of the word
        typed, which only the bar shows (see Offer.ghost)."""
        offer = self._current_offer()
        return bool(self.suggestion) or (offer is not None and bool(offer.suggestions))

    def _move_right(self, select: bool = False) -> None:
        """Textual's cursor move right, without its insertion of the ghost text."""
        selection = self.selection
        target = (
            self.get_cursor_right_location()
            if select or selection.is_empty
            else max(selection.start, selection.end)
        )
        self.move_cursor(target, select=select)

    # Tab and Right with nothing to accept: keystrokes like any other, then their usual work.
    async def _tab(self) -> None:
        await self._on_key(events.Key("tab", "\t"))

    async def _right(self) -> None:
        await self._on_key(events.Key("right", None))
        self._move_right()

    def action_dismiss(self) -> None:
        """Esc: hide suggestions until the next keystroke."""
        self.call_later(self._dismiss)

    def _dismiss(self) -> None:
        self._dismissed = True
        self._pending = None
        self.refresh_offer()

    async def _accept(self, index: int, fallback: Fallback | None) -> None:
        """Insert suggestion `index`, waiting for it if its offer is still being computed;
        with nothing to insert, the key does its usual work (`fallback`)."""
        offer = self._current_offer()
        if offer is None and self.suggester is not None and self.text_before_cursor() is not None:
            self.refresh_offer()  # answered at once when the Suggester is quick
            offer = self._current_offer()
            if offer is None:
                self._pending = (index, fallback)
                return
        if offer is not None and index < len(offer.suggestions):
            self._insert(offer.suggestions[index].word, offer.replace)
        elif fallback is not None:
            await fallback()

    def _insert(self, words: str, replace: int) -> None:
        """Insert `words` (a word or a phrase) and a space in place of the last `replace`
        characters before the cursor."""
        row, column = self.cursor_location
        space_follows = self.document[row][column : column + 1] == " "
        self.replace(
            words if space_follows else words + " ",
            (row, column - replace),
            (row, column),
            maintain_selection_offset=False,
        )
        if space_follows:
            self.move_cursor_relative(columns=1)
        else:
            self._auto_space = self.cursor_location
        inserted = len(words) + 1 - replace  # the rest of the words, and a space
        self.post_message(self.Accepted(keys_saved=inserted - 1))  # one key accepted it

    async def _on_key(self, event: events.Key) -> None:
        if event.character == NOT_TEXT:  # a byte that is not UTF-8 (driver.py): not typed
            event.stop()
            event.prevent_default()
            self.post_message(self.Ignored(1))
            return
        self._dismissed = False
        self._pending = None
        auto_space, self._auto_space = self._auto_space, None
        if (
            event.character in CLOSING_PUNCTUATION
            and auto_space == self.cursor_location
            and self.selection.is_empty
        ):
            event.stop()
            event.prevent_default()
            row, column = auto_space
            self.replace(event.character, (row, column - 1), auto_space)
            # The space counted as saved when the word was accepted was not wanted after all.
            self.post_message(self.Accepted(keys_saved=-1))
            return
        await super()._on_key(event)
