"""The mixer: one place that combines the candidate sources' probabilities into one ranking.

The model's sources (its vocabulary and the completion lexicon, sources.py) give P_model;
every other source (today the user's personal vocabulary) comes with the evidence it saw for
this query, which the mixer turns into a weight w:

    P(word) = (1 - w) * P_model(word) + w * P_source(word)

A word only the other source offers (a name, "e-mail") gets the model's probability for it
(`model_probability`, 0 for a word the model cannot spell). The weight grows with the
evidence for the longest context the source has seen, from `unigram_weight` up to
`mix_max`. These numbers are hand-set today; a fitted estimator (on held-out text) is to
replace `Mixer` with the same `weight` / `mix` shape, its parameters in `MixParameters`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class MixParameters:
    mix_max: float = 0.6  # the weight for a context always followed by the same word
    evidence_prior: float = 1.0  # observations of a context at which its weight is half
    unigram_weight: float = 0.05  # weight of the user's plain word frequencies anywhere


@dataclass(frozen=True)
class Evidence:
    """What a source saw for a query: its count levels (plain words, then one- and two-word
    contexts) that hold counts, and the longest one's observations and distinct words."""

    levels: int  # 0: nothing learned; 1: plain words only
    total: float = 0.0  # observations of the longest context seen
    types: int = 0  # distinct words seen after it


@dataclass
class Candidates:
    """One source's words for a query, with P(word | query) by that source.

    `evidence` is None for the model's own sources (the base of the mix); a source mixed in
    with a weight says what it saw."""

    probs: dict[str, float] = field(default_factory=dict)
    evidence: Evidence | None = None
    # A correcting source (slips, typos.py) is a noisy channel: P(what was typed, read as
    # is) and P(what was typed) in all; the other sources' words keep their ratio.
    channel: tuple[float, float] | None = None
    # For a typed prefix, P(the next word starts with it) by this source, when it knows.
    prefix_mass: float | None = None


class Mixer:
    """Combines the model's candidates with the weighted sources (module docstring)."""

    def __init__(self, parameters: MixParameters | None = None):
        self.parameters = parameters or MixParameters()

    def weight(self, evidence: Evidence | None) -> float:
        """How far a source is trusted against the model for this query."""
        if evidence is None or evidence.levels == 0:
            return 0.0
        p = self.parameters
        weight = p.unigram_weight
        if evidence.levels > 1:
            # Trust the longest context seen in proportion to how often it was seen and how
            # consistently one word followed it: "documento em" -> "anexo" every time earns
            # a large weight; "de", followed by a different word each time, almost none.
            total, types = evidence.total, evidence.types
            repeat = max(0.0, 1.0 - (types - 1) / total)
            weight += (p.mix_max - p.unigram_weight) * total / (total + p.evidence_prior) * repeat
        return weight

    def mix(
        self,
        model: dict[str, float],
        sources: Sequence[Candidates],
        model_probability: Callable[[str], float],
    ) -> dict[str, float]:
        """P_model mixed with each weighted source in turn: the model's words first, then each
        source's new ones, in their order (the ranking keeps it between equal scores)."""
        mixed = model
        for source in sources:
            weight = self.weight(source.evidence)
            mixed = {word: (1 - weight) * p for word, p in mixed.items()}
            for word, p in source.probs.items():
                if word not in mixed:
                    mixed[word] = (1 - weight) * model_probability(word)
                mixed[word] += weight * p
        return mixed

    def prefix_probability(self, model_given: float, sources: Sequence[Candidates]) -> float:
        """P(the next word starts with the typed letters), mixed as `mix` mixes the words: a
        prefix only the user's words start with ("Xeb" for "Xebrolindo") is not unlikely."""
        given = model_given
        for source in sources:
            if source.prefix_mass is not None:
                weight = self.weight(source.evidence)
                given = (1 - weight) * given + weight * source.prefix_mass
        return given

    def correct(
        self, mixed: dict[str, float], corrections: Candidates
    ) -> tuple[dict[str, float], dict[str, float]]:
        """The mixed words and a correcting source's words, each with P(word | context, what
        was typed) by its noisy channel: the mixed words read the typed letters as is."""
        clean, total = corrections.channel
        return {word: p * clean / total for word, p in mixed.items()}, corrections.probs
