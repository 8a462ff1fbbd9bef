"""The Suggester's answers as LSP results: completion items and inline (ghost text) items."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from autocomplete import Suggestions


def completion_list(
    suggestions: Suggestions, replaced: types.Range, typed: str
) -> types.CompletionList:
    """Items in the Suggester's order. `typed` (the partial word) is every item's filter
    text: a client filtering by it keeps "não" for "nao", which the Suggester matched loosely.
    Incomplete, so that clients ask again as the user types."""
    items = [
        types.CompletionItem(
            label=suggestion.word,
            kind=types.CompletionItemKind.Text,
            detail=f"{suggestion.prob:.1%}",
            sort_text=f"{rank:03d}",
            filter_text=typed or suggestion.word,
            preselect=rank == 0,
            text_edit=types.TextEdit(replaced, suggestion.word),
        )
        for rank, suggestion in enumerate(suggestions)
    ]
    return types.CompletionList(is_incomplete=True, items=items)


def inline_list(text: str, replaced: types.Range, typed: str) -> types.InlineCompletionList:
    return types.InlineCompletionList(
        items=[
            types.InlineCompletionItem(insert_text=text, filter_text=typed or None, range=replaced)
        ]
    )
