"""Fit the document cache's weights (engine/document_cache.CacheParameters) by held-out
likelihood: held-out text typed from its start, the cache reading what was typed so far.

    python benchmarks/fit_cache.py [--words 3000] [--json benchmarks/results/fit_cache.json]

Fitted on validation splits (FIT_SOURCES, --words each), checked on CHECK_SOURCES' validation
splits; test splits are never read. Mixed with the model alone (the personal mix comes first
in the Suggester and is fitted on its own, benchmarks/fit_mix.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from adaptation import MODERN, as_text, bare_model, split_of

from autocomplete.engine.document_cache import DocumentCache
from autocomplete.engine.tokenizer import pretokenize
from autocomplete.personal import fit

FIT_SOURCES = ("camara", "office-suporte")
CHECK_SOURCES = ("agencia-brasil", "gnome-ajuda")
WEIGHTS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3)
PAIR_WEIGHTS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9)


def events(text: str, model) -> np.ndarray:
    """(n, 4): P_model, the cache's unigram and pair probabilities, whether the pair was seen
    (the document has words after the previous token)."""
    cache = DocumentCache()
    rows = []
    for before, word in fit.held_out_words(text):
        cache.read(before)
        last = pretokenize(before[-100:])[-1:]
        unigram, pair = cache.parts(last[0] if last else None, [word])
        rows.append(
            (
                model(before, word),
                unigram.get(word, 0.0),
                pair[word] if pair is not None else 0.0,
                float(pair is not None),
            )
        )
    return np.array(rows).reshape(-1, 4)


def mean_log(data: np.ndarray, weight: float, pair_weight: float) -> float:
    model, unigram, pair, seen = data.T
    cache = np.where(seen > 0, (1 - pair_weight) * unigram + pair_weight * pair, unigram)
    probs = (1 - weight) * model + weight * cache
    return float(np.log(np.maximum(probs, fit.FLOOR)).mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=MODERN)
    parser.add_argument("--words", type=int, default=3_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    model = bare_model()

    data = {
        name: events(as_text(split_of(name, args.corpus), "valid", args.words), model)
        for name in FIT_SOURCES + CHECK_SOURCES
    }
    fitting = np.concatenate([data[name] for name in FIT_SOURCES])
    grid = {(w, p): mean_log(fitting, w, p) for w, p in itertools.product(WEIGHTS, PAIR_WEIGHTS)}
    best = max(grid, key=grid.get)
    print(f"fitted: weight {best[0]}, pair weight {best[1]}")
    report = {"fitted": {"weight": best[0], "pair_weight": best[1]}, "mean_log_prob": {}}
    for name, rows in data.items():
        alone = mean_log(rows, 0.0, 0.0)
        cached = mean_log(rows, *best)
        report["mean_log_prob"][name] = {"model": alone, "model + cache": cached}
        kind = "fit" if name in FIT_SOURCES else "check"
        print(
            f"{name} ({kind}, {len(rows):,} words): model {alone:.3f} ({math.exp(-alone):.0f}), "
            f"+ cache {cached:.3f} ({math.exp(-cached):.0f})"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
