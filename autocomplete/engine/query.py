"""The query: what the text before the cursor asks for, read once per keystroke.

`parse` splits the text into the context and the word being typed, and says whether a capital
is forced there; the Suggester then adds the token ids the model reads for the context
(`ContextIds`, incremental). Every later stage (the candidate sources, the mixer, casing,
phrases) reads this one `Query` and never parses the text again.

Speed: context tokenisation is incremental (`ContextIds`): text before the start of the last
sentence is settled (typing at the end cannot change how it splits or tokenises), so its ids
are kept and only the last sentence is tokenised again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from autocomplete.engine.tokenizer import EOS_ID, Tokenizer, fold, pretokenize, sentence_before
from autocomplete.text import OPENERS, PARTIAL_WORD, capital_forced, ends_sentence, sentences

MAX_CONTEXT_CHARS = 3_000  # older text barely changes an LSTM's prediction
LETTER = re.compile(r"\w")


@dataclass(frozen=True)
class Query:
    """The text before the cursor, read the way the model needs it."""

    context: str  # text before the partial word
    partial: str  # the word being typed ("" for a next-word request)
    sentence_start: bool  # a capital is forced here (text.capital_forced)
    ids: tuple[int, ...] = ()  # what the model reads for `context` (`with_ids`), from `</s>`

    @property
    def replace(self) -> int:
        """Characters at the end of the text that a suggestion replaces: the partial word."""
        return len(self.partial)

    @cached_property
    def folded(self) -> str:
        """The partial word, accent- and case-folded: what completions start with."""
        return fold(self.partial)

    @cached_property
    def tokens_before(self) -> list[str]:
        """The tokens before the word within its sentence (tokenizer.sentence_before): the
        context the user's own counts are read for, exactly as learning counted them."""
        return sentence_before(self.context)

    def with_ids(self, ids: list[int]) -> Query:
        return Query(self.context, self.partial, self.sentence_start, tuple(ids))


def parse(text: str) -> Query | None:
    """Split text into context and partial word; None when no word can come next.

    After closing punctuation ("Olá,") the user still has to type a space, so nothing is
    offered; after an opening bracket or quote the word follows directly.
    """
    if not text or text[-1].isspace():
        context, partial = text, ""
    else:
        match = PARTIAL_WORD.search(text[-200:])
        if match is None:
            if text[-1] not in OPENERS:
                return None
            context, partial = text, ""
        else:
            partial = match.group()
            context = text[: len(text) - len(partial)]
            if len(partial) > 60:  # no word is that long: it is noise, not a prefix
                return None
    return Query(context=context, partial=partial, sentence_start=_at_sentence_start(context))


def _at_sentence_start(context: str) -> bool:
    """Whether a capital is forced after `context`: its last line is its paragraph."""
    paragraph = context.rstrip(" \t")[-100:].rsplit("\n", 1)[-1]
    return capital_forced(pretokenize(paragraph))


def _context_window(context: str) -> str:
    """At most MAX_CONTEXT_CHARS, starting at a line or sentence start that stays put while
    the user types, so the cached state stays valid for many keystrokes."""
    if len(context) <= MAX_CONTEXT_CHARS:
        return context
    half = MAX_CONTEXT_CHARS // 2
    start = (len(context) - MAX_CONTEXT_CHARS) // half * half + half
    boundary = context.find("\n", start)
    if boundary == -1 or boundary > start + half:
        boundary = context.find(". ", start)
    if boundary == -1 or boundary > start + half:
        return context[start:]
    return context[boundary + 1 :]


def context_ids(tokenizer: Tokenizer, context: str) -> list[int]:
    """Token ids a model sees for a context: sentences end in </s>, as in training."""
    ids, _, _ = _encode(tokenizer, _context_window(context))
    return [EOS_ID, *ids]


def _encode(tokenizer: Tokenizer, text: str) -> tuple[list[int], int, int]:
    """Ids of `text`, and the character and id offsets where its last sentence begins.

    Lines are paragraphs; a sentence that is not last gets its `</s>`, the last one only when
    it already ends in sentence punctuation.
    """
    ids: list[int] = []
    settled_chars, settled_ids = len(text), None  # no sentence at all: everything is settled
    line_start = 0
    lines = text.split("\n")
    for line_number, line in enumerate(lines):
        last_line = line_number == len(lines) - 1
        pieces = sentences(line.strip())
        for piece_number, piece in enumerate(pieces):
            last_piece = last_line and piece_number == len(pieces) - 1
            if last_piece:  # `piece` is a suffix of the stripped line
                settled_chars, settled_ids = line_start + len(line.rstrip()) - len(piece), len(ids)
            tokens = pretokenize(piece)
            ids.extend(tokenizer.word_id(token) for token in tokens)
            if tokens and (not last_piece or ends_sentence(tokens)):
                ids.append(EOS_ID)
        line_start += len(line) + 1
    return ids, settled_chars, len(ids) if settled_ids is None else settled_ids


class ContextIds:
    """`context_ids` that re-tokenises only the last sentence of the context window.

    Cutting the window at the start of its last sentence gives the same ids as tokenising it
    whole, provided the text up to that sentence's first letter is unchanged: the sentence
    splitter decides a cut by looking at the letter after it (a capital starts a sentence).
    """

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer
        self._settled_ids = [EOS_ID]
        self._settled_chars = 0
        self._guard = ""  # window text up to the first letter after the settled part

    def __call__(self, context: str) -> list[int]:
        window = _context_window(context)
        if not window.startswith(self._guard):
            self._settled_ids, self._settled_chars, self._guard = [EOS_ID], 0, ""
        tail = window[self._settled_chars :]
        tail_ids, tail_chars, tail_id_count = _encode(self.tokenizer, tail)
        ids = self._settled_ids + tail_ids
        self._settled_ids = ids[: len(self._settled_ids) + tail_id_count]
        self._settled_chars += tail_chars
        letter = LETTER.search(window, self._settled_chars)
        self._guard = window[: letter.end() if letter else len(window)]
        return ids
