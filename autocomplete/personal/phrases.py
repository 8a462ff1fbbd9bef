"""The user's own phrases: what they always write after the words just typed.

"Fico à" -> "disposição para quaisquer esclarecimentos", a signature, a client's name and
title. Read from the store's two-word contexts (no table of its own, so a phrase is bounded,
pruned and forgotten with the counts it is made of): from the words before the cursor, each
next word is the one the user wrote most after the last two, while they wrote it there at
least three times (MIN_COUNT) and the whole phrase so far stays the likely continuation
(the product of each word's share of what followed there is at least `threshold`). A
blocked word blocks every phrase that holds it. The Suggester offers it as the grey phrase
(engine/phrases.PhraseFinder) when its first word is the one on show.
"""

from __future__ import annotations

from typing import Protocol

# A sequence written three times is a phrase; counts decay (halved in 60 days, store.py), so
# three writings of the last weeks count a little under 3.
MIN_COUNT = 2.5
MAX_WORDS = 8  # a signature or a full name and title fits


class Contexts(Protocol):
    """What a phrase is read from (personal.store.PersonalModel)."""

    def followers(self, tokens_before: list[str]) -> tuple[dict[str, float], float]: ...
    def is_blocked(self, word: str) -> bool: ...


def user_phrase(
    store: Contexts, tokens_before: list[str], threshold: float, max_words: int = MAX_WORDS
) -> list[tuple[str, float]]:
    """The user's phrase after `tokens_before` (the tokens before the cursor in their
    sentence): (lower-case word, its share of what followed there), [] when there is none."""
    tokens = list(tokens_before)
    phrase: list[tuple[str, float]] = []
    likely = 1.0  # the phrase's probability so far
    while len(phrase) < max_words:
        counts, total = store.followers(tokens)
        if total < MIN_COUNT:
            break
        word = max(counts, key=counts.__getitem__)
        share = counts[word] / total
        if counts[word] < MIN_COUNT or likely * share < threshold:
            break
        likely *= share
        if store.is_blocked(word):
            return []
        phrase.append((word, share))
        tokens.append(word)
    return phrase
