"""Candidate sources: each turns a query into words with probabilities, behind one protocol.

    candidates(query, reading, k) -> Candidates

`query` is the parsed text (query.py); `reading` is what the model says after the query's
context and which folded prefix the words must start with (the typed one, or another one a
source such as slip correction asks for) with the model's probability of that prefix. A
source returns at most about `k` words; the mixer (mixer.py) combines them.

- `ModelVocabulary`: the model's likeliest vocabulary words (next words, or completions).
- `CompletionLexicon`: completions among the lexicon's words the model has no id for, each
  with its share of P(<unk>) (ranking._UnknownWords).
- `PersonalVocabulary`: the user's own words after this context (personal/store.py), with
  the evidence the mixer weighs them by.

- The register's words (register_counts.py): a `PersonalVocabulary` over the counts of
  corpus/registro, with their own fitted weight.
- `DocumentSource` (document_cache.py): the open document's words, with a fixed weight.

A new source is a class with this `candidates` method, added to the Suggester's list of
sources.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from autocomplete.engine.mixer import Candidates, Evidence, Mixer, MixParameters
from autocomplete.engine.query import Query
from autocomplete.engine.ranking import WordIndex


@dataclass(frozen=True)
class Reading:
    """The model's distribution after a query's context, and the prefix asked for."""

    log_probs: np.ndarray  # log P(next token | context), read-only
    folded: str = ""  # the folded prefix the words start with ("" for a next word)
    given: float = 1.0  # the model's P(the next word starts with `folded`)


class CandidateSource(Protocol):
    def candidates(self, query: Query, reading: Reading, k: int) -> Candidates:
        """Words for the query starting with `reading.folded`, with P(word | query)."""
        ...


class ModelVocabulary:
    """The model's vocabulary words: the next words, or the completions of the prefix."""

    def __init__(self, words: WordIndex):
        self.words = words

    def candidates(self, query: Query, reading: Reading, k: int) -> Candidates:
        if reading.folded:
            probs = self.words.vocabulary_completions(
                reading.folded, reading.log_probs, reading.given, k
            )
        else:
            probs = self.words.next_words(reading.log_probs, k)
        return Candidates(probs)


class CompletionLexicon:
    """The completion lexicon's words outside the vocabulary (completions only)."""

    def __init__(self, words: WordIndex):
        self.words = words

    def candidates(self, query: Query, reading: Reading, k: int) -> Candidates:
        if not reading.folded:
            return Candidates()
        return Candidates(
            self.words.lexicon_completions(reading.folded, reading.log_probs, reading.given, k)
        )


class PersonalCounts(Protocol):
    """What the personal source reads from the user's store (personal.store.PersonalModel)."""

    def distribution(
        self, tokens_before: list[str], words: list[str] | None = None
    ) -> tuple[dict[str, float], Evidence]: ...
    def completions(
        self, folded_prefix: str, tokens_before: list[str] | None = None
    ) -> list[str]: ...
    def affinity(self, text: str) -> float | None: ...


class PersonalVocabulary:
    """The user's words after the query's context, from their counts: for a prefix, the
    learned words starting with it, renormalised to P(word | it starts so, the user).

    With `mix`, other counts (the register's, register_counts.py) weighed by their own
    fitted parameters rather than the mixer's."""

    def __init__(self, personal: PersonalCounts, mix: MixParameters | None = None):
        self.personal = personal
        self.own_weight = Mixer(mix).weight if mix is not None else None

    def candidates(self, query: Query, reading: Reading, k: int) -> Candidates:
        before = query.tokens_before
        words = self.personal.completions(reading.folded, before) if reading.folded else None
        mine, evidence = self.personal.distribution(before, words)
        if self.own_weight is None:  # the user's store: trusted as far as the text is like it
            affinity = self.personal.affinity(query.context)
            evidence = dataclasses.replace(evidence, affinity=affinity)
        prefix_mass = None
        if reading.folded:
            prefix_mass = sum(mine.values())
            # The mixer weighs these words by their share of the prefix.
            mine = {w: p / prefix_mass for w, p in mine.items()} if prefix_mass > 0 else {}
        weight = self.own_weight(evidence) if self.own_weight is not None else None
        return Candidates(mine, evidence, weight=weight, prefix_mass=prefix_mass)
