"""Fit the power of the personal mix's trust (engine/mixer.TRUST_POWER) on held-out text.

    python benchmarks/fit_trust.py [--learned juridico] [--learn-words 100000]
        [--fit-words 3000] [--json benchmarks/results/fit_trust.json]

A fitted store trusts its counts less in text whose recent words it has seen less often after
their two-word context than on its own held-out slice: its weights are scaled by
min(1, affinity / the store's affinity) ** power (MixParameters.trust). The store learns the
first --learn-words words of the learned source's train split as `learn` does (a slice set
aside, the mix fitted on it: benchmarks/adaptation.learn). Then, at every word of the
validation splits of the learned source and of OTHER (text like and unlike what was learned,
corpus/registro the project's own; test splits are never read), the model's probability, the
counts and the text's affinity are read once, and each power is scored by the mean
log-probability of the words (each text weighing the same). The best power is the one to
ship; the table shows what each did.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from adaptation import MODERN, as_text, bare_model, learn, split_of

from autocomplete.engine.mixer import TRUST_POWER
from autocomplete.personal import fit
from autocomplete.personal.store import PersonalModel
from autocomplete.userdata import ENVIRONMENT

OTHER = ("agencia-brasil", "office-suporte", "bosque", "camara", "tatoeba", "registro")
REGISTER = Path(__file__).resolve().parent.parent / "corpus"  # registro: the project's own
POWERS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)


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
        name: as_text(
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
        events, affinities = {}, {}
        for name, text in texts.items():
            events[name] = fit.collect(text, model, store)
            words = list(fit.held_out_words(text))[: len(events[name])]
            affinities[name] = np.array([store.affinity(before) for before, _ in words])
            print(f"{name}: {len(events[name])} words read", file=sys.stderr)
        store.close()

    scores = {
        power: {
            name: fit.log_likelihood(
                parameters, events[name], parameters.trust(affinities[name], power)
            )
            for name in names
        }
        for power in POWERS
    }
    best = max(POWERS, key=lambda power: np.mean(list(scores[power].values())))
    model_alone = {
        name: float(np.log(np.maximum(events[name].model, fit.FLOOR)).mean()) for name in names
    }
    print(f"store: {args.learned}, {learned['learned_words']:,} words, mix {parameters}")
    print("| trust power | " + " | ".join(names) + " | mean |")
    print("|---|" + "---:|" * (len(names) + 1))
    rows = {"model alone": model_alone, **{f"{power:g}": scores[power] for power in POWERS}}
    for label, row in rows.items():
        cells = [f"{row[name]:.4f} ({math.exp(-row[name]):.0f})" for name in names]
        mark = (
            " (best)"
            if label == f"{best:g}"
            else " (shipped)"
            if label == f"{TRUST_POWER:g}"
            else ""
        )
        print(f"| {label}{mark} | " + " | ".join(cells) + f" | {np.mean(list(row.values())):.4f} |")
    print(f"best power: {best:g} (shipped: {TRUST_POWER:g})")
    if args.json:
        report = {
            "learned": args.learned,
            "learn_words": learned["learned_words"],
            "mix": learned["mix"],
            "words": {name: len(events[name]) for name in names},
            "mean_affinity": {name: float(affinities[name].mean()) for name in names},
            "mean_log_prob": {label: row for label, row in rows.items()},
            "best_power": best,
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
