"""Casing, the last stage: how to write a ranked (lower-case or usual-case) word here.

As the user usually writes it (their written form, from the personal store) or else as the
corpus does (the tokenizer's usual case); with its abbreviation's full stop; upper-cased
after a typed capital ("WHA" -> "WHATSAPP"), capitalised after a typed capital or where a
capital is forced (text.capital_forced).
"""

from __future__ import annotations

from collections.abc import Callable

from autocomplete.engine.query import Query
from autocomplete.engine.tokenizer import Tokenizer
from autocomplete.text import is_abbreviation


class Casing:
    """`casing(word, query)`: the text to offer for `word` after the query."""

    def __init__(
        self, tokenizer: Tokenizer, written_form: Callable[[str], str | None] | None = None
    ):
        self.tokenizer = tokenizer
        self.written_form = written_form  # the user's own spelling of a word, if any

    def __call__(self, word: str, query: Query) -> str:
        written = self.written_form(word) if self.written_form is not None else None
        word = written or self.tokenizer.display(word)
        if is_abbreviation(word):  # "Sr." and "pág.", never a bare "Sr"
            word += "."
        typed = query.partial
        if len(typed) > 1 and typed.isupper():
            return word.upper()
        if (typed and typed[0].isupper()) or (not typed and query.sentence_start):
            return word[:1].upper() + word[1:]
        return word
