"""Fit the personal mix's trust (engine/mixer: RECENT_WORDS, RECENT_PRIOR, START_SHARE,
TRUST_KNEE, TRUST_POWER) on held-out text.

    python benchmarks/fit_trust.py [--learned juridico] [--learn-words 100000]
        [--fit-words 3000] [--json benchmarks/results/fit_trust.json]

A fitted store trusts its counts less in text whose last RECENT_WORDS words it has seen less
often after their two-word context than on its own held-out slice: its weights are scaled by
min(1, affinity / (knee * the store's affinity)) ** power (MixParameters.trust), where a
document's first words are pulled toward START_SHARE of the store's affinity as if
RECENT_PRIOR words had been read (MixParameters.text_affinity). The store learns the first
--learn-words words of the learned source's train split as `learn` does (a slice set aside,
the mix fitted on it: benchmarks/adaptation.learn). Then the validation documents of the
learned source and of OTHER (text like and unlike what was learned, corpus/registro the
project's own; test splits are never read) are typed each from its start, as
benchmarks/adaptation.py types the test documents: at every word, the model's probability,
the counts and the words of the document the store had seen (for each window) are read once,
and each shape of the trust is scored by the mean log-probability of the words. A word is
scored at each of its offers: with nothing of it typed, and again after its first and its
first two letters (PREFIXES), as the editor completes it, by the mixer's rule for a prefix
(engine/mixer.mix: each source's share of the prefix), so that the trust is fitted for the
completions too, where most keystrokes are saved.

Learning must never make suggestions worse: the shape to ship is the best mean over the
sources (each weighing the same) among those under which no other source loses more than
TOLERANCE nats per offer against the model alone. The tables show it beside the best
unconstrained shape, the shipped one and the best of each window.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import math
import operator
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from adaptation import MODERN, as_text, documents, learn, split_of

from autocomplete.engine import inference_file
from autocomplete.engine.mixer import (
    RECENT_PRIOR,
    RECENT_WORDS,
    START_SHARE,
    TRUST_KNEE,
    TRUST_POWER,
)
from autocomplete.engine.sources import PersonalVocabulary
from autocomplete.engine.suggester import Suggester
from autocomplete.personal import fit
from autocomplete.personal.store import PersonalModel
from autocomplete.userdata import ENVIRONMENT

OTHER = ("agencia-brasil", "office-suporte", "bosque", "camara", "tatoeba", "registro")
REGISTER = Path(__file__).resolve().parent.parent / "corpus"  # registro: the project's own
WINDOWS = (30, 100, 200, 400)
PRIORS = (5.0, 20.0, 50.0)
SHARES = (0.0, 0.1, 0.3, 0.5, 1.0)
KNEES = (1.0, 0.8, 0.65, 0.5)
POWERS = (1.0, 2.0, 4.0, 8.0, 16.0, 24.0)
TOLERANCE = 1e-4  # nats per offer another source may lose against the model alone


@dataclass(frozen=True)
class Shape:
    """One trust (engine/mixer's five constants)."""

    window: int
    prior: float
    share: float
    knee: float
    power: float

    def __str__(self) -> str:
        return (
            f"window {self.window}, prior {self.prior:g}, start share {self.share:g},"
            f" knee {self.knee:g}, power {self.power:g}"
        )


SHIPPED = Shape(RECENT_WORDS, RECENT_PRIOR, START_SHARE, TRUST_KNEE, TRUST_POWER)
BEFORE = Shape(30, 5.0, 0.3, 1.0, 2.0)  # shipped until 2026-12-06: a short window, no knee
PREFIXES = 2  # a word is scored again after each of its first letters, up to this many


@dataclass
class Completions:
    """At each held-out word (a row of fit.Events), after each of its first PREFIXES letters:
    what the mixer reads for that prefix."""

    given: np.ndarray  # (n, PREFIXES) the model's P(the next word starts so)
    mass: np.ndarray  # (n, PREFIXES) the store's, over the completions it offers
    user: np.ndarray  # (n, PREFIXES) the store's P(the word | it starts so), 0 if not offered
    typed: np.ndarray  # (n, PREFIXES) the word is longer than the prefix: it is offered there

    def __add__(self, other: Completions) -> Completions:
        names = ("given", "mass", "user", "typed")
        return Completions(*(np.concatenate([getattr(self, n), getattr(other, n)]) for n in names))


def collect_completions(suggester: Suggester, text: str) -> Completions:
    """`Completions` at each word of `text` (fit.held_out_words), read through the
    Suggester's own query, model reading and personal source."""
    (personal,) = (s for s in suggester.sources if isinstance(s, PersonalVocabulary))
    rows = []
    for before, word in fit.held_out_words(text):
        row = []
        for letters in range(1, PREFIXES + 1):
            query = suggester.query(before + word[:letters]) if len(word) > letters else None
            if query is None:
                row.append((1.0, 0.0, 0.0, 0.0))
                continue
            reading = suggester.reading(query)
            found = personal.candidates(query, reading, 3)
            row.append((reading.given, found.prefix_mass or 0.0, found.probs.get(word, 0.0), 1.0))
        rows.append(row)
    table = np.array(rows, dtype=np.float64).reshape(-1, PREFIXES, 4)
    given, mass, user, typed = (table[:, :, i] for i in range(4))
    return Completions(given, mass, user, typed.astype(bool))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=MODERN)
    parser.add_argument("--learned", default="juridico")
    parser.add_argument("--learn-words", type=int, default=100_000)
    parser.add_argument("--fit-words", type=int, default=3_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    names = [args.learned, *(name for name in OTHER if name != args.learned)]
    texts = {
        name: documents(
            split_of(name, REGISTER if name == "registro" else args.corpus), "valid", args.fit_words
        )
        for name in names
    }
    loaded = inference_file.read(inference_file.DEFAULT_MODEL)
    with tempfile.TemporaryDirectory() as folder:
        os.environ[ENVIRONMENT] = folder
        store = PersonalModel(Path(folder) / "personal.sqlite3")
        learned = learn(
            store, as_text(split_of(args.learned, args.corpus), "train", args.learn_words)
        )
        parameters = store.mix
        if not parameters.affinity:  # the shipped mix: no affinity, nothing to scale
            sys.exit(f"the store got no fit of its own from {args.learn_words:,} words: give more")
        suggester = Suggester.from_inference(loaded, personal=store, slips=None)
        model = suggester.model_probability()
        events, completions, seen = {}, {}, {}
        for name, typed in texts.items():
            events[name] = functools.reduce(
                operator.add, (fit.collect(text, model, store) for text in typed)
            )
            completions[name] = functools.reduce(
                operator.add, (collect_completions(suggester, text) for text in typed)
            )
            befores = [before for text in typed for before, _ in fit.held_out_words(text)]
            seen[name] = {
                window: np.array([store.recent_seen(b, window) for b in befores]).reshape(-1, 2)
                for window in WINDOWS
            }
            # collect reads every word of held_out_words while the store holds counts: the
            # rows pair up, document after document (a slice would silently shift them).
            assert len(befores) == len(events[name]) == len(completions[name].given), name
            print(f"{name}: {len(typed)} documents, {len(events[name])} words", file=sys.stderr)
        store.close()

    def scored(trust: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
        return {
            name: _score(parameters, events[name], completions[name], trust[name]) for name in names
        }

    grid = [Shape(*values) for values in itertools.product(WINDOWS, PRIORS, SHARES, KNEES, POWERS)]
    scores = {
        shape: scored({name: _trust(parameters, seen[name], shape) for name in names})
        for shape in {*grid, SHIPPED, BEFORE}
    }
    alone = scored({name: np.zeros(len(events[name])) for name in names})  # counts trusted nowhere
    plain = scored({name: np.ones(len(events[name])) for name in names})  # no trust scaling

    def mean(row: dict[str, dict[str, float]], objective: str = "every offer") -> float:
        return float(np.mean([row[name][objective] for name in names]))

    def worst_other(row: dict[str, dict[str, float]]) -> float:
        """The most nats per offer another source loses against the model alone."""
        others = [name for name in names if name != args.learned]
        return max(alone[n]["every offer"] - row[n]["every offer"] for n in others)

    best = max(grid, key=lambda shape: mean(scores[shape]))
    safe = [shape for shape in grid if worst_other(scores[shape]) <= TOLERANCE]
    chosen = max(safe, key=lambda shape: mean(scores[shape]), default=None)
    rows = {
        "model alone": alone,
        "no trust scaling": plain,
        f"best: {best}": scores[best],
        f"before: {BEFORE}": scores[BEFORE],
        f"shipped: {SHIPPED}": scores[SHIPPED],
    }
    if chosen is not None:
        rows[f"chosen (no other source loses over {TOLERANCE:g}): {chosen}"] = scores[chosen]
    for window in WINDOWS:
        in_window = [shape for shape in safe if shape.window == window]
        if in_window:
            top = max(in_window, key=lambda shape: mean(scores[shape]))
            rows[f"best safe of window {window}: {top}"] = scores[top]
    print(f"store: {args.learned}, {learned['learned_words']:,} words, mix {parameters}")
    for objective in OBJECTIVES:
        print(f"\n{objective}: mean log-probability (perplexity) per source:")
        print("| | " + " | ".join(names) + " | mean |")
        print("|---|" + "---:|" * (len(names) + 1))
        for label, row in rows.items():
            cells = [f"{row[n][objective]:.4f} ({math.exp(-row[n][objective]):.0f})" for n in names]
            print(f"| {label} | " + " | ".join(cells) + f" | {mean(row, objective):.4f} |")
    print("\nevery offer, gain against the model alone (nats per offer):")
    print("| | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for label, row in rows.items():
        gains = [row[n]["every offer"] - alone[n]["every offer"] for n in names]
        print(f"| {label} | " + " | ".join(f"{gain:+.5f}" for gain in gains) + " |")
    print(f"chosen: {chosen}; shipped: {SHIPPED}")
    if args.json:
        affinity = {
            name: {
                window: float(np.mean(parameters.text_affinity(*seen[name][window].T)))
                for window in WINDOWS
            }
            for name in names
        }
        report = {
            "learned": args.learned,
            "learn_words": learned["learned_words"],
            "mix": learned["mix"],
            "documents": {name: len(texts[name]) for name in names},
            "words": {name: len(events[name]) for name in names},
            "offers": {
                name: len(events[name]) + int(completions[name].typed.sum()) for name in names
            },
            "mean_affinity_by_window": affinity,
            "tolerance": TOLERANCE,
            "best": asdict(best),
            "chosen": asdict(chosen) if chosen else None,
            "mean_log_prob": rows,  # the tables' rows, per source
            "every_offer_mean_by_shape": {
                str(shape): round(mean(scores[shape]), 5) for shape in grid
            },
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


OBJECTIVES = ("next word", "every offer")


def _trust(parameters: fit.MixParameters, seen: dict[int, np.ndarray], shape: Shape) -> np.ndarray:
    window = seen[shape.window]
    affinity = parameters.text_affinity(window[:, 0], window[:, 1], shape.share, shape.prior)
    return parameters.trust(affinity, shape.power, shape.knee)


def _score(
    parameters: fit.MixParameters, events: fit.Events, completions: Completions, trust: np.ndarray
) -> dict[str, float]:
    """Mean log-probability of the words with nothing of them typed (next word), and at each
    of their offers (every offer): then also after their first letters, where the mix is
    P(word | it starts so) = [(1 - w) P_model(word) + w P_user(word)] / [(1 - w) P_model(prefix)
    + w P_user(prefix)], w the counts' weight (mixer.mix)."""
    weights = fit.mix_weights(parameters, events, trust)
    next_word = fit.word_log_probs(weights, events)
    model_weight, counts_weight = weights[:, :1], 1.0 - weights[:, :1]
    user_mass = completions.mass * completions.user  # P_user(word), over the words offered
    word = model_weight * events.model[:, None] + counts_weight * user_mass
    prefix = model_weight * completions.given + counts_weight * completions.mass
    at_prefix = np.log(np.maximum(word / np.maximum(prefix, fit.FLOOR), fit.FLOOR))
    every = np.concatenate([next_word, at_prefix[completions.typed]])
    return {"next word": float(next_word.mean()), "every offer": float(every.mean())}


if __name__ == "__main__":
    sys.exit(main())
