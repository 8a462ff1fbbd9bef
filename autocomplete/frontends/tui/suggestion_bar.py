"""The bar under the editor: the top three suggestions, numbered as Alt+1..3 insert them; a
correction of a slip shows what it replaces ("compy→computador"), so it is never a surprise."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label

from autocomplete import SLOTS
from autocomplete.frontends.tui.editor import Offer

if TYPE_CHECKING:
    from autocomplete.engine.suggester import Suggestion


class SuggestionBar(Horizontal):
    """Three equal slots, best first; or one line of notice when suggestions are off."""

    def compose(self) -> ComposeResult:
        for slot in range(1, SLOTS + 1):
            yield Label(classes="slot", id=f"slot-{slot}")
        yield Label(id="notice")

    def show(self, offer: Offer | None) -> None:
        words = (
            [_shown(suggestion, offer.partial) for suggestion in offer.suggestions] if offer else []
        )
        for slot, label in enumerate(self.query(".slot").results(Label), start=1):
            word = words[slot - 1] if slot <= len(words) else ""
            # A slot is a third of the bar whatever it shows: no layout of the screen for
            # each keystroke (with a 19.5 MB file open, 41% of a keystroke's time).
            content = Content.assemble((f"{slot} ", "bold"), word) if word else ""
            label.update(content, layout=False)

    def set_notice(self, notice: str) -> None:
        """Replace the slots with `notice` (why there are no suggestions)."""
        self.query_one("#notice", Label).update(notice)
        self.set_class(bool(notice), "-notice")


def _shown(suggestion: Suggestion, partial: str) -> str:
    return f"{partial}→{suggestion.word}" if suggestion.correction else suggestion.word
