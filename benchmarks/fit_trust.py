"""Fit the personal mix's trust (engine/mixer.TRUST_POWER, START_SHARE) on held-out text.

    python benchmarks/fit_trust.py [--learned juridico] [--learn-words 100000]
        [--fit-words 3000] [--json benchmarks/results/fit_trust.json]

A fitted store trusts its counts less in text whose recent words it has seen less often after
their two-word context than on its own held-out slice: its weights are scaled by
min(1, affinity / the store's affinity) ** power (MixParameters.trust), where a document's
first words are pulled toward START_SHARE of the store's affinity (MixParameters.
text_affinity). The store learns the first --learn-words words of the learned source's train
split as `learn` does (a slice set aside, the mix fitted on it: benchmarks/adaptation.learn).
Then the validation documents of the learned source and of OTHER (text like and unlike what
was learned, corpus/registro the project's own; test splits are never read) are typed each
from its start, as benchmarks/adaptation.py types the test documents: at every word, the
model's probability, the counts and the words of the document the store had seen are read
once, and each (power, start share) is scored by the mean log-probability of the words, each
source weighing the same. A word is scored at each of its offers: with nothing of it typed,
and again after its first and its first two letters (PREFIXES), as the editor completes it,
by the mixer's rule for a prefix (engine/mixer.mix: each source's share of the
prefix), so that the trust is fitted for the completions too, where most keystrokes are
saved. The best pair is the one to ship; the tables show what each did, next words alone too,
and the best pair under which no other source falls below the model alone (what that costs
the learned source).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import operator
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from adaptation import MODERN, as_text, documents, learn, split_of

from autocomplete.engine import inference_file
from autocomplete.engine.mixer import START_SHARE, TRUST_POWER
from autocomplete.engine.sources import PersonalVocabulary
from autocomplete.engine.suggester import Suggester
from autocomplete.personal import fit
from autocomplete.personal.store import PersonalModel
from autocomplete.userdata import ENVIRONMENT

OTHER = ("agencia-brasil", "office-suporte", "bosque", "camara", "tatoeba", "registro")
REGISTER = Path(__file__).resolve().parent.parent / "corpus"  # registro: the project's own
POWERS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0)
SHARES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)
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
            seen[name] = np.array(
                [
                    store.recent_seen(before)
                    for text in typed
                    for before, _ in fit.held_out_words(text)
                ]
            ).reshape(-1, 2)
            # collect reads every word of held_out_words while the store holds counts: the
            # rows pair up, document after document (a slice would silently shift them).
            assert len(seen[name]) == len(events[name]) == len(completions[name].given), name
            print(f"{name}: {len(typed)} documents, {len(events[name])} words", file=sys.stderr)
        store.close()

    grid = [(power, share) for power in POWERS for share in SHARES]
    scores = {
        pair: {
            name: _score(
                parameters, events[name], completions[name], _trust(parameters, seen[name], *pair)
            )
            for name in names
        }
        for pair in grid
    }
    # The model alone: the counts trusted nowhere.
    scores["model alone"] = {
        name: _score(parameters, events[name], completions[name], np.zeros(len(events[name])))
        for name in names
    }
    mean = {
        key: {
            objective: float(np.mean([row[name][objective] for name in names]))
            for objective in OBJECTIVES
        }
        for key, row in scores.items()
    }
    best = max(grid, key=lambda pair: mean[pair]["every offer"])
    # Learning must never make suggestions worse: the best pair under which no other source
    # falls below the model alone (to the rounding of a millionth of a nat per offer).
    alone = scores["model alone"]
    never_below = [
        pair
        for pair in grid
        if all(
            scores[pair][name]["every offer"] >= alone[name]["every offer"] - 1e-6
            for name in names
            if name != args.learned
        )
    ]
    safest = max(never_below, key=lambda pair: mean[pair]["every offer"], default=None)
    shipped = (TRUST_POWER, START_SHARE)
    print(f"store: {args.learned}, {learned['learned_words']:,} words, mix {parameters}")
    for objective in OBJECTIVES:
        print(
            f"\n{objective}: mean log-probability over the sources,"
            " by trust power (rows) and start share:"
        )
        print("| power | " + " | ".join(f"{share:g}" for share in SHARES) + " |")
        print("|---|" + "---:|" * len(SHARES))
        for power in POWERS:
            cells = [f"{mean[power, share][objective]:.4f}" for share in SHARES]
            print(f"| {power:g} | " + " | ".join(cells) + " |")
    rows = {
        "model alone": "model alone",
        "no trust scaling (power 0)": (0.0, 1.0),
        f"best: power {best[0]:g}, start share {best[1]:g}": best,
        f"shipped: power {shipped[0]:g}, start share {shipped[1]:g}": shipped,
    }
    if safest is not None:
        label = f"best never below the model alone: power {safest[0]:g}, share {safest[1]:g}"
        rows[label] = safest
    for objective in OBJECTIVES:
        print(f"\n{objective}: mean log-probability (perplexity) per source:")
        print("| | " + " | ".join(names) + " | mean |")
        print("|---|" + "---:|" * (len(names) + 1))
        for label, key in rows.items():
            if key in scores:
                row = scores[key]
                cells = [
                    f"{row[n][objective]:.4f} ({math.exp(-row[n][objective]):.0f})" for n in names
                ]
                print(f"| {label} | " + " | ".join(cells) + f" | {mean[key][objective]:.4f} |")
    print(f"best: power {best[0]:g}, start share {best[1]:g}; shipped: {shipped}")
    if args.json:
        affinity = {name: float(np.mean(parameters.text_affinity(*seen[name].T))) for name in names}
        report = {
            "learned": args.learned,
            "learn_words": learned["learned_words"],
            "mix": learned["mix"],
            "documents": {name: len(texts[name]) for name in names},
            "words": {name: len(events[name]) for name in names},
            "offers": {
                name: len(events[name]) + int(completions[name].typed.sum()) for name in names
            },
            "mean_affinity": affinity,
            "model_alone": scores["model alone"],
            "mean_log_prob": {f"power {p:g}, start share {s:g}": scores[p, s] for p, s in grid},
            "best": {"trust_power": best[0], "start_share": best[1], "objective": "every offer"},
            "best_never_below_model_alone": (
                {"trust_power": safest[0], "start_share": safest[1]} if safest else None
            ),
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


OBJECTIVES = ("next word", "every offer")


def _trust(
    parameters: fit.MixParameters, seen: np.ndarray, power: float, share: float
) -> np.ndarray:
    affinity = parameters.text_affinity(seen[:, 0], seen[:, 1], share)
    return parameters.trust(affinity, power)


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
