"""Loading the model in a thread of its own, started before the app runs: numpy, the engine's
modules, the weights and the personal vocabulary load while Textual starts the app and draws
its window, instead of after it."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autocomplete.engine.suggester import Suggester


def start_loading(checkpoint: Path | None, personal: bool) -> Future[Suggester]:
    """The Suggester of `checkpoint` (None: the shipped model), loading from now on; the
    future holds the error if it cannot load."""
    loading: Future[Suggester] = Future()

    def load() -> None:
        try:
            from autocomplete import Suggester  # numpy and the engine: imported here, not before

            # No document cache here: its fixed weight lets the few words of a short text
            # outrank the model ("Segue documento em " offered "documento"); it waits for a
            # weight that grows with the document (README, "Learning, measured").
            loading.set_result(Suggester.load(checkpoint, personal=personal))
        except BaseException as error:  # the app shows it, and goes on without suggestions
            loading.set_exception(error)

    # A daemon: quitting while the model still loads need not wait for it.
    threading.Thread(target=load, name="load-model", daemon=True).start()
    return loading
