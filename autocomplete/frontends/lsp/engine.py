"""The server's one door into the rest of the package: loading the Suggester, learning.

Kept in one module so that moving the package's files means editing these imports only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from autocomplete.personal.typed_text import changed_text, finished

if TYPE_CHECKING:
    from autocomplete import Suggester


def load_suggester(checkpoint: Path | None, personal: bool) -> Suggester:
    """The editor's Suggester, the document being edited as a cache included (one for all
    documents: moving to another reads it anew); raises autocomplete.CheckpointError on a
    bad checkpoint."""
    from autocomplete import Suggester  # numpy and the weights: loaded on first use

    return Suggester.load(checkpoint, personal=personal, document_cache=True)


def learn_from_save(suggester: Suggester, learned: str, text: str, cursor: int) -> str:
    """Teach what the editor's save teaches: the words finished since `learned`, the text the
    last save learned from. Returns the text this save learned from, for the next one."""
    text = finished(text, cursor)
    if text != learned:
        suggester.learn(changed_text(learned, text))
    return text
