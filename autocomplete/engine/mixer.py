"""The mixer: one place that combines the candidate sources' probabilities into one ranking.

The model's sources (its vocabulary and the completion lexicon, sources.py) give P_model;
every other source comes with the weight w it is trusted with for this query (the user's and
the register's counts, from the evidence they saw; the document cache, from its size):

    P(word) = (1 - w) * P_model(word) + w * P_source(word)

A word only the other source offers (a name, "e-mail") gets the model's probability for it
(`model_probability`, 0 for a word the model cannot spell). For counts, w and the blend of
their orders are one fitted estimator (`MixParameters`, fitted on held-out text by
personal/fit.py): a Dirichlet prior, the model's distribution worth β_o observations at each
order o, scaled by the distinct words seen after the context, so that
    P(w | h) = λ_model · P_model(w | h) + Σ_o λ_o · c_o(h, w) / c_o(h)
(`MixParameters.weights`), and w = 1 - λ_model (`MixParameters.counts_weight`). A word the
user never wrote keeps λ_model times its model probability, as every other such word does: it
never passes the model's choice.

Given a typed prefix, each source's words are renormalised to it, and w becomes the source's
share of that prefix: w·P_source(prefix) / (w·P_source(prefix) + (1 - w)·P_model(prefix)), so a
user who rarely writes a word starting so moves those words little.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

ORDERS = 3  # the user's words, one-word contexts, two-word contexts
BUCKET_EDGES = (1.0, 2.0, 4.0, 8.0, 16.0, 64.0)  # c(h) buckets: 0, [1, 2), ..., [64, inf)
# How far a fitted store is trusted in the text being typed (`MixParameters.trust`): the
# share of the text's last RECENT_WORDS words the store had seen after their two-word context
# (a document's first words pulled toward START_SHARE of the store's own share, as if
# RECENT_PRIOR words had been read), against TRUST_KNEE times the share on its held-out
# slice; under it, the store's weights fall with that ratio to the power TRUST_POWER. A long
# window and a steep fall make the store a switch: full weight in text like what it learned,
# next to none elsewhere, where a short window's spikes had let legal words into the bar of
# an e-mail. All five chosen together by held-out likelihood of every offer (next word, and
# after its first one and two letters), the best mean whose other sources lose under 1e-4
# nats per offer against the model alone: benchmarks/fit_trust.py (a store of 100k words of
# juridico; validation documents of juridico and six other sources, each typed from its
# start; results/fit_trust.json).
RECENT_WORDS = 100
RECENT_PRIOR = 20.0
START_SHARE = 0.1
TRUST_KNEE = 0.65
TRUST_POWER = 4.0


@dataclass(frozen=True)
class MixParameters:
    """Everything the mix needs: the kind of estimator and its fitted numbers."""

    kind: str = "dirichlet"  # or "buckets"
    beta: tuple[float, float, float] = (1e9, 4.0, 1.0)  # word, one-word, two-word contexts
    diversity: bool = False  # β scaled by the distinct words seen after the context
    # (c_2 bucket, c_1 bucket) -> (λ_model, λ_word, λ_one, λ_two); `default` elsewhere
    buckets: dict[tuple[int, int], tuple[float, float, float, float]] = field(default_factory=dict)
    default: tuple[float, float, float, float] = (1.0, 0.0, 0.0, 0.0)
    # Fitted per store (personal/fit.fit_store): the share of its held-out words that it had
    # seen after their two-word context. Text whose recent words the store covers less (a
    # topic or register it never learned) trusts it less (`trust`); 0 leaves the weights as
    # fitted.
    affinity: float = 0.0

    def to_json(self) -> str:
        """A Dirichlet mix as stored with a store's own fit (personal/store.set_mix)."""
        kept = ("beta", "diversity", "affinity")
        return json.dumps({name: getattr(self, name) for name in kept})

    @classmethod
    def from_json(cls, text: str) -> MixParameters:
        stored = json.loads(text)
        return cls(
            kind="dirichlet",
            beta=tuple(stored["beta"]),
            diversity=stored["diversity"],
            affinity=stored.get("affinity", 0.0),  # none: the register's counts
        )

    def trust(
        self, affinity: float | None, power: float = TRUST_POWER, knee: float = TRUST_KNEE
    ) -> float:
        """How far the fitted weights hold for text whose recent words the store covers
        `affinity` of (an array of them when fitting): 1 for text about as like the held-out
        slice as the slice's own documents are, less for text unlike it."""
        if not self.affinity or affinity is None:
            return 1.0
        return np.minimum(1.0, np.divide(affinity, knee * self.affinity)) ** power

    def text_affinity(
        self,
        seen: int | np.ndarray,
        words: int | np.ndarray,
        start_share: float = START_SHARE,
        prior: float = RECENT_PRIOR,
    ) -> float | np.ndarray:
        """The affinity of a text whose last `words` words the store had seen `seen` of after
        their two-word context (arrays of them when fitting), pulled toward `start_share` of
        the store's own while there are few: a document's first words say little yet."""
        return (seen + prior * start_share * self.affinity) / (words + prior)

    def counts_weight(self, evidence: Evidence) -> float:
        """How far counts that saw `evidence` are trusted against the model: 1 - λ_model,
        scaled by how like them the text is (`trust`)."""
        if evidence.levels == 0:
            return 0.0
        counted = 1.0 - float(self.weights(evidence.totals, evidence.types)[0])
        return counted * float(self.trust(evidence.affinity))

    def weights(self, totals: Sequence[float], types: Sequence[int]) -> np.ndarray:
        """(λ_model, λ_word, λ_one, λ_two) for a context whose orders saw `totals` words,
        `types` of them distinct. They sum to 1; an order never seen gets 0."""
        if self.kind == "buckets":
            return self._bucket_weights(totals)
        weights = np.zeros(ORDERS + 1)
        rest = 1.0  # what the shorter orders and the model share
        for order in range(ORDERS - 1, -1, -1):  # the longest context takes its share first
            total = totals[order]
            beta = self.beta[order] * (max(types[order], 1) if self.diversity else 1.0)
            share = total / (total + beta) if total > 0 else 0.0
            weights[1 + order] = rest * share
            rest *= 1.0 - share
        weights[0] = rest
        return weights

    def _bucket_weights(self, totals: Sequence[float]) -> np.ndarray:
        key = (bucket(totals[2]), bucket(totals[1]))
        weights = np.array(self.buckets.get(key, self.default))
        seen = np.array([True, *(t > 0 for t in totals)])
        weights = np.where(seen, weights, 0.0)
        return weights / weights.sum()


def bucket(total: float) -> int:
    return int(np.searchsorted(BUCKET_EDGES, total, side="right"))


# The mix of a store not yet fitted on its own held-out slice (personal/fit.fit_store, under
# MIN_FIT_WORDS set aside), fitted once on the project's own data: benchmarks/fit_mix.py, a store of
# 100k words of camara's train split, fitted on 2.9k held-out words of camara's validation
# split and 3k of office-suporte's and bosque's. Of the estimators compared there, the
# Dirichlet prior scaled by diversity scored best on held-out text of both kinds with three
# numbers (benchmarks/results/fit_mix.json): a context's weight is c / (c + β · distinct).
FITTED = MixParameters(kind="dirichlet", beta=(680.5, 123.7, 19.89), diversity=True)


@dataclass(frozen=True)
class Evidence:
    """What a source saw for a query at each order (plain words, then one- and two-word
    contexts): how many observations, and how many distinct words."""

    totals: tuple[float, ...] = (0.0, 0.0, 0.0)
    types: tuple[int, ...] = (0, 0, 0)
    # The share of the text's recent words the source had seen after their two-word context
    # (None: not measured): MixParameters.trust.
    affinity: float | None = None

    @property
    def levels(self) -> int:
        """Orders that hold counts: 0, nothing learned; 1, plain words only."""
        return sum(total > 0 for total in self.totals)


class Counted(Protocol):
    """The words seen at one order (personal/store.py, register_counts.py)."""

    counts: dict[str, float]
    total: float


def blend_counts(
    levels: Sequence[Counted], parameters: MixParameters, words: Iterable[str]
) -> tuple[dict[str, float], Evidence]:
    """P(word | the counts) for each of `words`: the orders' frequencies blended as
    `parameters` weigh them (the longer a context and the more consistently the same words
    followed it, the more it counts), and the evidence the mixer weighs the result by."""
    if not levels or levels[0].total <= 0:
        return {}, Evidence()
    totals = tuple(level.total for level in levels)
    types = tuple(len(level.counts) for level in levels)
    weights = parameters.weights(totals, types)
    counted = 1.0 - float(weights[0])
    shares = [
        (float(share) / counted, level.counts, level.total)
        for share, level in zip(weights[1:], levels, strict=True)
        if share > 0.0
    ]
    distribution = {  # a mean of probabilities: at most 1 but for rounding
        word: min(1.0, sum(share * counts.get(word, 0.0) / n for share, counts, n in shares))
        for word in words
    }
    return distribution, Evidence(totals, types)


@dataclass
class Candidates:
    """One source's words for a query, with P(word | query) by that source.

    `weight` is None for the model's own sources (the base of the mix); a source mixed in
    says how far it is trusted for this query."""

    probs: dict[str, float] = field(default_factory=dict)
    weight: float | None = None
    # A correcting source (slips, typos.py) is a noisy channel: P(what was typed, read as
    # is) and P(what was typed) in all; the other sources' words keep their ratio.
    channel: tuple[float, float] | None = None
    # For a typed prefix, P(the next word starts with it) by this source, when it knows.
    prefix_mass: float | None = None


def mix(
    model: dict[str, float],
    sources: Sequence[Candidates],
    model_probability: Callable[[str], float],
    given: float = 1.0,
) -> dict[str, float]:
    """P_model mixed with each weighted source in turn (the module's docstring): the model's
    words first, then each source's new ones, in their order (the ranking keeps it between
    equal scores). `given` is the model's probability of the typed prefix (1 for a next word)."""
    mixed = model
    for source in sources:
        weight = source.weight
        if source.prefix_mass is not None:  # a prefix: the source's share of it
            mass = weight * source.prefix_mass
            weight = mass / (mass + (1 - weight) * given) if mass > 0 else 0.0
        mixed = {word: (1 - weight) * p for word, p in mixed.items()}
        for word, p in source.probs.items():
            if word not in mixed:
                mixed[word] = (1 - weight) * model_probability(word)
            mixed[word] += weight * p
    return mixed


def prefix_probability(model_given: float, sources: Sequence[Candidates]) -> float:
    """P(the next word starts with the typed letters), mixed as `mix` mixes the words: a
    prefix only the user's words start with ("Xeb" for "Xebrolindo") is not unlikely."""
    given = model_given
    for source in sources:
        if source.prefix_mass is not None:
            given = (1 - source.weight) * given + source.weight * source.prefix_mass
    return given


def correct(
    mixed: dict[str, float], corrections: Candidates
) -> tuple[dict[str, float], dict[str, float]]:
    """The mixed words and a correcting source's words, each with P(word | context, what was
    typed) by its noisy channel: the mixed words read the typed letters as is."""
    clean, total = corrections.channel
    return {word: p * clean / total for word, p in mixed.items()}, corrections.probs
