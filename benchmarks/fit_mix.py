"""Fit the personal mix (autocomplete/personal/fit.py) and compare the estimators by held-out
likelihood, against the model alone and today's hand-set constants.

    python benchmarks/fit_mix.py [--learned camara] [--learn-words 100000] [--fit-words 5000]
        [--json benchmarks/results/fit_mix.json]

The store learns the first --learn-words words of the learned source's train split (in a
temporary data folder). Fitting reads held-out words the store never learned:
  same      the learned source's validation split (its first --fit-words words)
  other     the validation splits of FIT_OTHER (text unlike what was learned), as much again
Each estimator is fitted on "same" alone and on "same + other", then scored (mean log-prob of
each word, and its perplexity) on check texts fitted on by none: the rest of the learned
source's validation split and the validation split of CHECK_OTHER. Test splits are never read.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from adaptation import MODERN, as_text, bare_model, split_of

from autocomplete.engine.tokenizer import sentence_before
from autocomplete.evaluation.evaluate import first_words
from autocomplete.personal import fit
from autocomplete.personal.store import PersonalModel
from autocomplete.userdata import ENVIRONMENT

FIT_OTHER = ("office-suporte", "bosque")
CHECK_OTHER = "agencia-brasil"


# The mix before it was fitted (personal.py's hand-set constants), kept here to compare.
MIX_MAX, EVIDENCE_PRIOR, UNIGRAM_WEIGHT = 0.6, 1.0, 0.05


def hand_set(store: PersonalModel, text: str, events: fit.Events) -> float:
    """Mean log-prob of the held-out words under the old hand-set mix."""
    logs = []
    for (before, word), model in zip(fit.held_out_words(text), events.model, strict=False):
        levels = [level for level in store.evidence(sentence_before(before)) if level.total > 0]
        mine = 0.0
        for position, level in enumerate(levels):
            keep = 1.0 if position == 0 else level.total / (level.total + EVIDENCE_PRIOR)
            mine = (1 - keep) * mine + keep * level.counts.get(word, 0.0) / level.total
        weight = UNIGRAM_WEIGHT
        if len(levels) > 1:
            total, types = levels[-1].total, len(levels[-1].counts)
            repeat = max(0.0, 1.0 - (types - 1) / total)
            weight += (MIX_MAX - UNIGRAM_WEIGHT) * total / (total + EVIDENCE_PRIOR) * repeat
        logs.append(math.log(max((1 - weight) * model + weight * mine, fit.FLOOR)))
    return float(np.mean(logs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=MODERN)
    parser.add_argument("--learned", default="camara")
    parser.add_argument("--learn-words", type=int, default=100_000)
    parser.add_argument("--fit-words", type=int, default=5_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    model = bare_model()

    learned = split_of(args.learned, args.corpus)
    valid = as_text(learned, "valid")
    same_fit = first_words(valid, args.fit_words)
    same_check = first_words(valid[len(same_fit) :], args.fit_words)
    per_other = args.fit_words // len(FIT_OTHER)
    other_fit = [as_text(split_of(n, args.corpus), "valid", per_other) for n in FIT_OTHER]
    other_check = as_text(split_of(CHECK_OTHER, args.corpus), "valid", args.fit_words)

    with tempfile.TemporaryDirectory() as folder:
        os.environ[ENVIRONMENT] = folder
        store = PersonalModel(Path(folder) / "personal.sqlite3")
        store.learn_text(as_text(learned, "train", args.learn_words))
        stats = store.stats()
        print(f"store: {stats.words:,} words, {stats.contexts:,} contexts", file=sys.stderr)
        start = time.perf_counter()
        texts = {
            "same (fit)": same_fit,
            "other (fit)": "\n".join(other_fit),
            f"{args.learned} (check)": same_check,
            f"{CHECK_OTHER} (check)": other_check,
        }
        events = {name: fit.collect(text, model, store) for name, text in texts.items()}
        print(f"events read in {time.perf_counter() - start:.0f} s", file=sys.stderr)
        hand = {name: hand_set(store, texts[name], events[name]) for name in texts}
        store.close()

    fitted: dict[str, fit.MixParameters] = {}
    for on, data in {
        "same": events["same (fit)"],
        "same+other": events["same (fit)"] + events["other (fit)"],
    }.items():
        fitted[f"dirichlet, {on}"] = fit.fit_dirichlet(data)
        fitted[f"dirichlet+diversity, {on}"] = fit.fit_dirichlet(data, diversity=True)
        fitted[f"buckets (EM), {on}"] = fit.fit_buckets(data)

    checks = [name for name in texts if name.endswith("(check)")]
    rows = {"model alone": {n: float(np.log(np.maximum(events[n].model, fit.FLOOR)).mean())
                            for n in texts},
            "hand-set (today)": hand}  # fmt: skip
    for label, parameters in fitted.items():
        rows[label] = {n: fit.log_likelihood(parameters, events[n]) for n in texts}
    print("| mean log-prob (perplexity) | " + " | ".join(texts) + " |")
    print("|---|" + "---:|" * len(texts))
    for label, scores in rows.items():
        cells = [f"{scores[n]:.3f} ({math.exp(-scores[n]):.0f})" for n in texts]
        print(f"| {label} | " + " | ".join(cells) + " |")
    for label, parameters in fitted.items():
        if parameters.kind == "dirichlet":
            print(f"{label}: beta = {tuple(round(b, 3) for b in parameters.beta)}")
    if args.json:
        report = {
            "learned": args.learned,
            "learn_words": args.learn_words,
            "events": {n: len(e) for n, e in events.items()},
            "checks": checks,
            "mean_log_prob": rows,
            "fitted": {
                label: {**asdict(p), "buckets": {str(k): v for k, v in p.buckets.items()}}
                for label, p in fitted.items()
            },
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
