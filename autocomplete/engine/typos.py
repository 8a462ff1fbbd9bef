"""Slips of the finger: the prefixes a user may have meant when typing a partial word with one
slip, and how likely that slip is (a noisy-channel error model).

The typed letters are read as the start of the intended word with one Damerau-Levenshtein
edit: a wrong key (substitution), two letters swapped (transposition), a letter left out
(missing) or one key too many (extra). Accents and case are folded first, so "nao" for "não"
is no slip. A slip at the very end that leaves the typed letters a prefix of the word ("comp"
for "computador") is plain completion, not a slip, and is never generated.

Index: the one-edit variants of the typed prefix (a few hundred strings for 5 letters) are
looked up together, one vectorised search of a sorted table of the vocabulary's and lexicon's
folded spellings (ranking.WordIndex.known_prefixes: 1.3 MB, built on the first slip asked
for; 0.06 ms for 300 variants where a bisection each took 0.8 ms). A SymSpell-style deletion
dictionary of every folded prefix of the 87k words would hold millions of keys (see
benchmarks/typo_latency.py), far over the +30 MB this may cost.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from autocomplete.engine.mixer import Candidates
from autocomplete.engine.query import Query
from autocomplete.engine.ranking import WordIndex
from autocomplete.engine.sources import Reading
from autocomplete.engine.tokenizer import fold

ALPHABET = "abcdefghijklmnopqrstuvwxyz"  # folded letters a slip may type or leave out

# ABNT2 letter rows (Brazilian Portuguese), each row's offset in key widths. "ç" sits right of
# "l"; folding turns an intended "ç" into "c", so "c" also gets the neighbours of "ç".
KEY_ROWS = (("qwertyuiop", 0.0), ("asdfghjklç", 0.25), ("zxcvbnm", 0.75))


def _neighbour_keys() -> dict[str, frozenset[str]]:
    """Keys touching each letter key: the two beside it, and those overlapping it in the
    rows above and below."""
    places = {
        key: (row, column + offset)
        for row, (keys, offset) in enumerate(KEY_ROWS)
        for column, key in enumerate(keys)
    }
    touching = {
        key: frozenset(
            other
            for other, (row2, x2) in places.items()
            if other != key
            and ((row2 == row and abs(x2 - x) == 1) or (abs(row2 - row) == 1 and abs(x2 - x) < 1))
        )
        for key, (row, x) in places.items()
    }
    cedilla = touching.pop("ç")
    touching["c"] |= cedilla
    for key in cedilla:
        touching[key] = (touching[key] - {"ç"}) | {"c"}
    return touching


NEIGHBOURS = _neighbour_keys()


@dataclass(frozen=True)
class SlipConfig:
    """The error model's rates: P(typed | intended) for one slip of each kind.

    The slip rate was chosen by measuring top-3 after 4 letters with one slip against the same
    letters clean (evaluate's metrics, 3,774 held-out modern words of 6+ letters): 0.02 found
    76.0% of slips and cost clean typing 0.16 points, 0.005 74.6% and 0.05, 0.002 73.9% and
    0.02 (one word); the other rates are set by hand, not fitted.
    """

    slip_rate: float = 0.002  # per typed letter: longer typed parts hold a slip more often
    substitution: float = 0.5  # shares of the slip kinds (they sum to 1)
    transposition: float = 0.2
    missing: float = 0.15
    extra: float = 0.15
    neighbour: float = 0.8  # of wrong keys and extra keys, the share that touch the right one
    first_letter: float = 0.1  # the first letter is rarely wrong: a slip there weighs this
    min_letters: int = 3  # shorter typed parts read as clean: too many words are one edit away


class ErrorModel:
    """P(typed | intended prefix) for folded strings: no slip, or exactly one."""

    def __init__(self, config: SlipConfig | None = None):
        self.config = config or SlipConfig()

    def clean(self, letters: int) -> float:
        """P(no slip in `letters` typed letters)."""
        return (1 - self.config.slip_rate) ** letters

    @cached_property
    def _key_choice(self) -> tuple[dict[str, float], float]:
        """P(a given wrong key | the right key): for each right key, a neighbour's share;
        and any other key's share."""
        neighbour = self.config.neighbour
        return (
            {key: neighbour / len(keys) for key, keys in NEIGHBOURS.items()},
            (1 - neighbour) / len(ALPHABET),
        )

    def _wrong_key(self, typed: str, intended: str) -> float:
        per_neighbour, other = self._key_choice
        if typed in NEIGHBOURS.get(intended, ()):
            return per_neighbour[intended]
        return other

    def one_slip(self, typed: str) -> dict[str, float]:
        """Every folded prefix one slip away from the folded `typed`, with P(typed | it).

        Empty when `typed` is shorter than `min_letters` or holds more than letters (digits
        and hyphens are typed on purpose). Where several slips lead to the same
        prefix, the likeliest counts.
        """
        config = self.config
        letters = len(typed)
        if letters < config.min_letters or not typed.isalpha():
            return {}
        one = config.slip_rate * (1 - config.slip_rate) ** (letters - 1)
        found: dict[str, float] = {}

        def add(intended: str, position: int, p: float) -> None:
            p *= one * (config.first_letter if position == 0 else 1.0)
            if p > found.get(intended, 0.0):
                found[intended] = p

        for i, key in enumerate(typed):
            before, after = typed[:i], typed[i + 1 :]
            for letter in ALPHABET:
                if letter != key:  # a wrong key for `letter`
                    add(
                        before + letter + after,
                        i,
                        config.substitution * self._wrong_key(key, letter),
                    )
                # `letter` left out just before `key` (one left out at the end is completion)
                add(before + letter + typed[i:], i, config.missing)
            if after and after[0] != key:
                add(before + after[0] + key + after[1:], i, config.transposition)
            # `key` is one too many: likelier when it touches a key beside it
            nearby = max(
                (self._wrong_key(key, other) for other in typed[i - 1 : i] + after[:1]),
                default=self._key_choice[1],
            )
            add(before + after, i, config.extra * nearby)
        found.pop(typed, None)  # an extra letter that doubles its neighbour: no slip at all
        return found


class SlipPrefixes:
    """The intended prefixes worth completing for a typed one: those one slip away that some
    vocabulary or lexicon word starts with, weighed by evidence."""

    def __init__(self, words: WordIndex, error_model: ErrorModel, most: int = 8):
        self.words = words
        self.error_model = error_model
        self.most = most  # prefixes kept: each is completed like a typed one, which costs

    def likeliest(self, folded: str, log_probs: np.ndarray) -> dict[str, tuple[float, float]]:
        """Up to `most` intended prefixes, best first, each with P(typed | it) and P(the next
        word starts with it | context); their product is the evidence for the prefix."""
        variants = self.error_model.one_slip(folded)
        known = self.words.known_prefixes(list(variants))
        weighed = {
            prefix: (p_typed, self.words.prefix_probability(prefix, log_probs))
            for (prefix, p_typed), is_known in zip(variants.items(), known, strict=True)
            if is_known
        }
        best = sorted(weighed.items(), key=lambda item: -item[1][0] * item[1][1])[: self.most]
        return {prefix: (p_typed, given) for prefix, (p_typed, given) in best if given > 0}


class SlipCorrections:
    """A candidate source (sources.CandidateSource): the completions of the prefixes one slip
    away from the typed one, each with P(word | context, typed) by the noisy channel
    P(word | context) * P(typed | word). Each prefix is completed by `complete`, the same
    sources and mix as the typed one (the Suggester's `_mixed`), so a blocked word is no
    correction either. `Candidates.channel` tells the mixer how the clean completions share
    the rest (mixer.correct)."""

    def __init__(
        self,
        words: WordIndex,
        error_model: ErrorModel,
        complete: Callable[[Query, Reading, int], dict[str, float]],
    ):
        self.error_model = error_model
        self.prefixes = SlipPrefixes(words, error_model)
        self.complete = complete

    def candidates(
        self, query: Query, reading: Reading, k: int, shown_above: float = 0.0
    ) -> Candidates:
        """The corrections that may be among the k words offered. `shown_above` is the
        clean completions' probability that a word must beat to be offered (the caller's
        (k+1)-th, before the channel shares it): a prefix whose whole weight is below it,
        or below the k-th correction found, cannot put a word on show and is not completed.
        The prefixes come likeliest first, so the rest are skipped with it; on clean
        typing that is nearly all of them."""
        folded = reading.folded
        if not folded:
            return Candidates()
        prefixes = self.prefixes.likeliest(folded, reading.log_probs)
        if not prefixes:
            return Candidates()
        clean = reading.given * self.error_model.clean(len(folded))
        total = clean + sum(p_typed * given_there for p_typed, given_there in prefixes.values())
        corrections: dict[str, float] = {}
        for prefix, (p_typed, given_there) in prefixes.items():
            weight = p_typed * given_there / total  # no word completing it scores more
            kth = heapq.nlargest(k, corrections.values())[-1] if len(corrections) >= k else 0.0
            if weight <= max(shown_above * clean / total, kth):
                break
            there = Reading(reading.log_probs, prefix, given_there)
            for word, p in self.complete(query, there, k).items():
                # A word starting with the typed letters is a completion, scored as such.
                if not fold(word).startswith(folded) and p * weight > corrections.get(word, 0):
                    corrections[word] = p * weight
        return Candidates(corrections, channel=(clean, total))
