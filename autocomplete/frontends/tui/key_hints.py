"""The footer of key hints: Textual's Footer, composed once per burst of binding changes and
only after the editor's first words are on screen.

At launch the screen's focus, its stack and the terminal's focus report each announce new
bindings, and Textual's footer rebuilds its keys for every one (25-35 ms of the UI thread
each): three rebuilds that share the interpreter with the model's loading thread, and so
delay the first suggestion by about a tenth of a second. The hints wait for `show`, and any
number of changes before a rebuild make one rebuild.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyHints(Footer):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown = False  # until `show`: the row stays empty
        self._changes = 0  # binding changes announced, and those the keys were rebuilt for
        self._rebuilt_for = 0

    def show(self) -> None:
        """Fill the hints (the app calls this once its first words, or their failure, are
        on screen)."""
        if not self._shown:
            self._shown = True
            # From the hints' own queue: Textual's rebuild binds each key to this widget.
            self.call_later(self.bindings_changed, self.screen)

    def bindings_changed(self, screen: Screen) -> None:
        self._changes += 1
        if self._shown:
            super().bindings_changed(screen)  # schedules a rebuild after the next refresh

    async def recompose(self) -> None:
        # Of the rebuilds scheduled in one burst, the first sees every change: the others
        # have nothing left to show.
        if self._rebuilt_for != self._changes:
            self._rebuilt_for = self._changes
            await super().recompose()
