"""Fitting the personal mix (engine/mixer.MixParameters): how far the user's counts move
the model's distribution.

Two estimators, each a set of interpolation weights for one context, so that
    P(w | h) = λ_model · P_model(w | h) + Σ_o λ_o · c_o(h, w) / c_o(h)
over the orders o = word (the user's plain word frequencies), one-word and two-word contexts:

- Dirichlet prior (MAP): the model's distribution is a prior worth β_o observations at each
  order, updated by the user's counts from the shortest context to the longest,
      P_0(w) = (c_0(w) + β_0 · P_model(w | h)) / (c_0 + β_0)
      P_1(w) = (c_1(h, w) + β_1 · P_0(w)) / (c_1(h) + β_1)
      P_2(w) = (c_2(h, w) + β_2 · P_1(w)) / (c_2(h) + β_2),
  which unrolls into the weights above (`MixParameters.weights`). With `diversity`, β_o is
  multiplied by the number of distinct words seen after the context (Witten-Bell): a context
  followed by a different word each time ("de") moves the model less than one always
  followed by the same word ("documento em" -> "anexo").
- Evidence buckets: the weights themselves, one set per bucket of (c_2(h), c_1(h)) in powers of
  two, fitted by EM.

Fitted per store (`fit_store`): on the paragraphs learning set aside (personal/holdout.py),
the user's own text, so the mix trusts the counts as far as they predicted that user's words;
with the share of those words the store had seen after their two-word context (`affinity`),
which lets the Suggester trust the counts less in text unlike them (MixParameters.trust).
`benchmarks/fit_mix.py` compares the estimators once, on the project's data.

Both are fitted by held-out likelihood: `collect` reads, at every word of a held-out text that
the store never learned, the model's probability of that word and the user's counts, and
`fit_dirichlet` / `fit_buckets` maximise the mean log-probability of the words. Neither can
rank a word the user never wrote above the model's choice: such words all keep λ_model times
their model probability, so their order is the model's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from autocomplete.engine.mixer import ORDERS, MixParameters, bucket
from autocomplete.engine.tokenizer import TOKEN, sentence_before
from autocomplete.text import is_word

MIN_FIT_WORDS = 300  # held-out words before a store gets its own fit (the shipped one till then)
FIT_WORDS = 3_000  # the most held-out words read per fit (about 5 s of the model)
REFIT_GROWTH = 1.25  # the held-out slice grew this much since the last fit: fit again
FLOOR = 1e-7  # a word neither the model nor the user knows: its probability when scored
EM_ROUNDS = 100
BUCKET_PRIOR = 5.0  # a bucket's weights are pulled toward the overall ones by this many words


class Evidence(Protocol):
    """What fitting needs from the store (personal.store.PersonalModel)."""

    def evidence(self, tokens_before: list[str]) -> list: ...


class FittedStore(Evidence, Protocol):
    """What fitting a store's own mix needs (personal.store.PersonalModel)."""

    def held_out_text(self) -> str: ...
    def set_mix(self, mix: MixParameters, fitted_on: int) -> None: ...
    def fitted_on(self) -> int: ...


class ModelProbability(Protocol):
    def __call__(self, context: str, word: str) -> float: ...


@dataclass
class Events:
    """Every held-out word: the model's probability of it, and the user's counts."""

    model: np.ndarray  # (n,) P_model(w | h)
    counts: np.ndarray  # (n, 3) c_o(h, w)
    totals: np.ndarray  # (n, 3) c_o(h)
    types: np.ndarray  # (n, 3) distinct words after h

    def __len__(self) -> int:
        return len(self.model)

    def __add__(self, other: Events) -> Events:
        pairs = zip(self.parts(), other.parts(), strict=True)
        return Events(*(np.concatenate([a, b]) for a, b in pairs))

    def parts(self) -> tuple[np.ndarray, ...]:
        return self.model, self.counts, self.totals, self.types

    def user(self) -> np.ndarray:
        """(n, 3) the user's probability of each word at each order (0 where unseen)."""
        return np.divide(
            self.counts, self.totals, out=np.zeros_like(self.counts), where=self.totals > 0
        )


def held_out_words(text: str) -> Iterator[tuple[str, str]]:
    """(text before it, lower-cased word) for each word of `text`, as learning counts words
    (no bare numbers)."""
    for match in TOKEN.finditer(text):
        token = match.group()
        if is_word(token) and not token.isdigit():
            yield text[: match.start()], token.lower()


def collect(
    text: str, model: ModelProbability, store: Evidence, max_words: int | None = None
) -> Events:
    """Events at each word of `text` (`held_out_words`)."""
    rows = []
    for before, word in held_out_words(text):
        levels = store.evidence(sentence_before(before))
        if not levels:
            continue
        rows.append(
            (
                model(before, word),
                [level.counts.get(word, 0.0) for level in levels],
                [level.total for level in levels],
                [len(level.counts) for level in levels],
            )
        )
        if max_words is not None and len(rows) >= max_words:
            break
    return Events(
        model=np.array([row[0] for row in rows]),
        counts=np.array([row[1] for row in rows], dtype=np.float64).reshape(-1, ORDERS),
        totals=np.array([row[2] for row in rows], dtype=np.float64).reshape(-1, ORDERS),
        types=np.array([row[3] for row in rows], dtype=np.float64).reshape(-1, ORDERS),
    )


def fit_store(store: FittedStore, model: ModelProbability) -> MixParameters | None:
    """Fit the store's mix on its held-out slice and keep it in the store; None (the mix left
    as it was) while the slice holds fewer than MIN_FIT_WORDS words."""
    text = store.held_out_text()
    events = collect(text, model, store, FIT_WORDS)
    if len(events) < MIN_FIT_WORDS:
        return None
    fitted = fit_dirichlet(events, diversity=True)
    seen_in_context = float((events.counts[:, 2] > 0).mean())
    fitted = replace(fitted, affinity=max(seen_in_context, FLOOR))
    store.set_mix(fitted, len(text))
    return fitted


def refit_due(store: FittedStore) -> bool:
    """Whether the held-out slice grew enough since the store's mix was fitted."""
    return len(store.held_out_text()) > REFIT_GROWTH * store.fitted_on()


def log_likelihood(
    parameters: MixParameters, events: Events, trust: np.ndarray | float = 1.0
) -> float:
    """Mean natural log-probability of the held-out words under the mix, the counts' weights
    scaled by `trust` at each word (MixParameters.trust; 1: as fitted)."""
    return float(word_log_probs(mix_weights(parameters, events, trust), events).mean())


def mix_weights(
    parameters: MixParameters, events: Events, trust: np.ndarray | float = 1.0
) -> np.ndarray:
    """(n, 4) `MixParameters.weights` of every event, the counts' scaled by `trust`."""
    if parameters.kind == "buckets":
        weights = np.array(
            [parameters.weights(t, k) for t, k in zip(events.totals, events.types, strict=True)]
        )
    else:
        weights = _dirichlet_weights(parameters, events)
    weights[:, 1:] *= np.reshape(trust, (-1, 1))
    weights[:, 0] = 1.0 - weights[:, 1:].sum(axis=1)
    return weights


def _dirichlet_weights(parameters: MixParameters, events: Events) -> np.ndarray:
    """`MixParameters.weights` of every event at once."""
    weights = np.zeros((len(events), ORDERS + 1))
    rest = np.ones(len(events))
    for order in range(ORDERS - 1, -1, -1):
        total = events.totals[:, order]
        beta = parameters.beta[order] * (
            np.maximum(events.types[:, order], 1) if parameters.diversity else 1.0
        )
        share = total / (total + beta)
        weights[:, 1 + order] = rest * share
        rest = rest * (1.0 - share)
    weights[:, 0] = rest
    return weights


def _components(events: Events) -> np.ndarray:
    """(n, 4): P_model and the user's probability at each order."""
    return np.column_stack([events.model, events.user()])


def word_log_probs(weights: np.ndarray, events: Events) -> np.ndarray:
    """(n,) the natural log-probability of each held-out word under the mix's `weights`."""
    probs = (weights * _components(events)).sum(axis=1)
    return np.log(np.maximum(probs, FLOOR))


def fit_dirichlet(events: Events, diversity: bool = False) -> MixParameters:
    """β per order maximising the held-out likelihood (coordinate search on log β)."""
    start = MixParameters(kind="dirichlet", beta=(1e4, 10.0, 10.0), diversity=diversity)
    return _coordinate_search(
        start, lambda p: log_likelihood(p, events), lambda p, i, x: _with_beta(p, i, x)
    )


def _with_beta(parameters: MixParameters, index: int, log_beta: float) -> MixParameters:
    beta = list(parameters.beta)
    beta[index] = math.exp(log_beta)
    return replace(parameters, beta=tuple(beta))


def _coordinate_search(
    start: MixParameters,
    score: Callable[[MixParameters], float],
    moved: Callable[[MixParameters, int, float], MixParameters],
) -> MixParameters:
    best, best_score = start, score(start)
    step = 2.0
    while step > 0.01:
        improved = False
        for index in range(ORDERS):
            here = math.log(best.beta[index])
            for candidate in (here - step, here + step):
                trial = moved(best, index, min(max(candidate, -10.0), 30.0))
                trial_score = score(trial)
                if trial_score > best_score + 1e-9:
                    best, best_score, improved = trial, trial_score, True
        if not improved:
            step /= 2
    return best


def fit_buckets(events: Events) -> MixParameters:
    """Interpolation weights per (c_2, c_1) bucket by EM, each bucket's pulled toward the
    weights fitted on all events (BUCKET_PRIOR words' worth) so that rare buckets stay sane."""
    components = _components(events)
    seen = np.column_stack([np.ones(len(events), bool), events.totals > 0])
    keys = [(bucket(t[2]), bucket(t[1])) for t in events.totals]
    overall = _em(components, seen, np.full(ORDERS + 1, 1 / (ORDERS + 1)), 0.0)
    buckets = {}
    for key in sorted(set(keys)):
        rows = np.array([k == key for k in keys])
        buckets[key] = tuple(_em(components[rows], seen[rows], overall, BUCKET_PRIOR).tolist())
    return MixParameters(kind="buckets", buckets=buckets, default=tuple(overall.tolist()))


def _em(components: np.ndarray, seen: np.ndarray, prior: np.ndarray, strength: float):
    """Weights maximising Σ log Σ_o λ_o p_o (renormalised over the orders seen per event),
    with a Dirichlet pull of `strength` pseudo-events toward `prior`."""
    weights = prior.copy()
    for _ in range(EM_ROUNDS):
        masked = np.where(seen, weights, 0.0)
        masked /= masked.sum(axis=1, keepdims=True)
        joint = masked * components
        total = np.maximum(joint.sum(axis=1, keepdims=True), FLOOR)
        responsibility = joint / total
        weights = responsibility.sum(axis=0) + strength * prior
        weights /= weights.sum()
    return weights
