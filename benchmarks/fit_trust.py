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
source weighing the same. The best pair is the one to ship; the tables show what each did.
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
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from adaptation import MODERN, as_text, bare_model, documents, learn, split_of

from autocomplete.engine.mixer import START_SHARE, TRUST_POWER
from autocomplete.personal import fit
from autocomplete.personal.store import PersonalModel
from autocomplete.userdata import ENVIRONMENT

OTHER = ("agencia-brasil", "office-suporte", "bosque", "camara", "tatoeba", "registro")
REGISTER = Path(__file__).resolve().parent.parent / "corpus"  # registro: the project's own
POWERS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)
SHARES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)


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
    model = bare_model()
    with tempfile.TemporaryDirectory() as folder:
        os.environ[ENVIRONMENT] = folder
        store = PersonalModel(Path(folder) / "personal.sqlite3")
        learned = learn(
            store, as_text(split_of(args.learned, args.corpus), "train", args.learn_words)
        )
        parameters = store.mix
        if not parameters.affinity:  # the shipped mix: no affinity, nothing to scale
            sys.exit(f"the store got no fit of its own from {args.learn_words:,} words: give more")
        events, seen = {}, {}
        for name, typed in texts.items():
            events[name] = functools.reduce(
                operator.add, (fit.collect(text, model, store) for text in typed)
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
            assert len(seen[name]) == len(events[name]), name
            print(f"{name}: {len(typed)} documents, {len(events[name])} words", file=sys.stderr)
        store.close()

    grid = [(power, share) for power in POWERS for share in SHARES]
    scores = {
        pair: {name: _score(parameters, events[name], seen[name], *pair) for name in names}
        for pair in grid
    }
    mean = {pair: float(np.mean(list(row.values()))) for pair, row in scores.items()}
    best = max(grid, key=mean.__getitem__)
    shipped = (TRUST_POWER, START_SHARE)
    model_alone = {
        name: float(np.log(np.maximum(events[name].model, fit.FLOOR)).mean()) for name in names
    }
    print(f"store: {args.learned}, {learned['learned_words']:,} words, mix {parameters}")
    print("mean log-probability over the sources, by trust power (rows) and start share:")
    print("| power | " + " | ".join(f"{share:g}" for share in SHARES) + " |")
    print("|---|" + "---:|" * len(SHARES))
    for power in POWERS:
        cells = [f"{mean[power, share]:.4f}" for share in SHARES]
        print(f"| {power:g} | " + " | ".join(cells) + " |")
    print("\nmean log-probability (perplexity) per source:")
    print("| | " + " | ".join(names) + " | mean |")
    print("|---|" + "---:|" * (len(names) + 1))
    rows = {
        "model alone": model_alone,
        "no trust scaling (power 0)": scores[0.0, 1.0],
        f"best: power {best[0]:g}, start share {best[1]:g}": scores[best],
        f"shipped: power {shipped[0]:g}, start share {shipped[1]:g}": scores.get(shipped, {}),
    }
    for label, row in rows.items():
        if row:
            cells = [f"{row[name]:.4f} ({math.exp(-row[name]):.0f})" for name in names]
            print(f"| {label} | " + " | ".join(cells) + f" | {np.mean(list(row.values())):.4f} |")
    print(f"best: power {best[0]:g}, start share {best[1]:g}; shipped: {shipped}")
    if args.json:
        affinity = {name: float(np.mean(parameters.text_affinity(*seen[name].T))) for name in names}
        report = {
            "learned": args.learned,
            "learn_words": learned["learned_words"],
            "mix": learned["mix"],
            "documents": {name: len(texts[name]) for name in names},
            "words": {name: len(events[name]) for name in names},
            "mean_affinity": affinity,
            "model_alone": model_alone,
            "mean_log_prob": {f"power {p:g}, start share {s:g}": scores[p, s] for p, s in grid},
            "best": {"trust_power": best[0], "start_share": best[1]},
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _score(
    parameters: fit.MixParameters, events: fit.Events, seen: np.ndarray, power: float, share: float
) -> float:
    affinity = parameters.text_affinity(seen[:, 0], seen[:, 1], share)
    return fit.log_likelihood(parameters, events, parameters.trust(affinity, power))


if __name__ == "__main__":
    sys.exit(main())
