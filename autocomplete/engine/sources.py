"""Candidate sources: each turns a query into words with probabilities, behind one protocol.

    candidates(query, reading, k) -> Candidates

`query` is the parsed text (query.py); `reading` is what the model says after the query's
context and which folded prefix the words must start with (the typed one, or another one a
source such as slip correction asks for) with the model's probability of that prefix. A
source returns at most about `k` words; the mixer (mixer.py) combines them.

- `ModelVocabulary`: the model's likeliest vocabulary words (next words, or completions).
- `CompletionLexicon`: completions among the lexicon's words the model has no id for, each
  with its share of P(<unk>) (ranking._UnknownWords).
- `CountsVocabulary`: the register's words (register_counts.py, the counts of corpus/registro)
  after this context, weighed by their own fitted mix.
- `PersonalVocabulary`: the user's own words after this context (personal/store.py), trusted
  as far as the text is like what they wrote.
- `DocumentSource` (document_cache.py): the open document's words, with a growing weight.

A new source is a class with this `candidates` method, added to the Suggester's list of
sources.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from autocomplete.engine.mixer import Candidates, Evidence, MixParameters
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


class Counts(Protocol):
    """What a counts source reads (register_counts.RegisterCounts, personal.store.PersonalModel)."""

    mix: MixParameters

    def distribution(
        self, tokens_before: list[str], words: list[str] | None = None
    ) -> tuple[dict[str, float], Evidence]: ...
    def completions(
        self, folded_prefix: str, tokens_before: list[str] | None = None
    ) -> list[str]: ...


class PersonalCounts(Counts, Protocol):
    """What the personal source reads from the user's store (personal.store.PersonalModel)."""

    def affinity(self, text: str) -> float | None: ...


class CountsVocabulary:
    """Counted words after the query's context: for a prefix, the counted words starting with
    it, renormalised to P(word | it starts so, the counts); weighed by the counts' own mix."""

    def __init__(self, counts: Counts):
        self.counts = counts

    def candidates(self, query: Query, reading: Reading, k: int) -> Candidates:
        before = query.tokens_before
        words = self.counts.completions(reading.folded, before) if reading.folded else None
        counted, evidence = self.counts.distribution(before, words)
        prefix_mass = None
        if reading.folded:
            prefix_mass = sum(counted.values())
            # The mixer weighs these words by their share of the prefix.
            counted = {w: p / prefix_mass for w, p in counted.items()} if prefix_mass > 0 else {}
        return Candidates(counted, self.weight(query, evidence), prefix_mass=prefix_mass)

    def weight(self, query: Query, evidence: Evidence) -> float:
        """How far the counts are trusted against the model for this query."""
        return self.counts.mix.counts_weight(evidence)


class PersonalVocabulary(CountsVocabulary):
    """The user's words (personal/store.py), trusted as far as the text is like what they
    wrote: by how well the store covers the text's recent words (MixParameters.trust)."""

    counts: PersonalCounts

    def weight(self, query: Query, evidence: Evidence) -> float:
        affinity = self.counts.affinity(query.context)
        return self.counts.mix.counts_weight(dataclasses.replace(evidence, affinity=affinity))
