"""Learning from saves, per open document, as the editor does: each save teaches the words
finished since the document was opened or last saved, and never the word being typed."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pygls.workspace import TextDocument

from autocomplete.frontends.lsp.documents import offset_of
from autocomplete.frontends.lsp.engine import learn_from_save

if TYPE_CHECKING:
    from autocomplete import Suggester


@dataclass
class _Seen:
    learned: str  # the text the last save (or opening) learned from
    cursor: tuple[int, int] | None = None  # (line, column) of the last request: where typing is


class SaveLearner:
    """Thread-safe: saves are learned off the server's loop (SQLite may wait for a lock)."""

    def __init__(self) -> None:
        self._documents: dict[str, _Seen] = {}
        self._lock = threading.Lock()

    def opened(self, uri: str, text: str) -> None:
        with self._lock:
            self._documents[uri] = _Seen(learned=text)

    def closed(self, uri: str) -> None:
        with self._lock:
            self._documents.pop(uri, None)

    def typing_at(self, uri: str, line: int, column: int) -> None:
        seen = self._documents.get(uri)
        if seen is not None:
            seen.cursor = (line, column)

    def saved(self, suggester: Suggester, document: TextDocument) -> None:
        with self._lock:
            seen = self._documents.setdefault(document.uri, _Seen(learned=""))
            text = document.source
            cursor = offset_of(text, *seen.cursor) if seen.cursor else len(text)
            seen.learned = learn_from_save(suggester, seen.learned, text, cursor)
