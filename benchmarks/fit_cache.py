"""Fit the document cache's weights (engine/document_cache.CacheParameters) by held-out
likelihood: held-out documents, each typed from its start, the cache reading what was typed
of it so far; its weight grows with the words it holds (max_weight · n / (n + half_words)).

    python benchmarks/fit_cache.py [--words 3000] [--json benchmarks/results/fit_cache.json]

A document is a block of the split (consecutive paragraphs of one document, at least 400
words: training/corpus.py). Fitted on validation documents (FIT_SOURCES, --words each),
checked on CHECK_SOURCES' validation documents; test splits are never read. Mixed with the
model alone (the personal mix comes first in the Suggester and is fitted on its own,
benchmarks/fit_mix.py).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from adaptation import MODERN, bare_model, split_of

from autocomplete.engine.document_cache import CacheParameters, DocumentCache
from autocomplete.engine.tokenizer import pretokenize
from autocomplete.personal import fit

FIT_SOURCES = ("camara", "office-suporte")
CHECK_SOURCES = ("agencia-brasil", "gnome-ajuda")
WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4)
HALF_WORDS = (1.0, 10.0, 30.0, 100.0, 300.0, 1000.0)
PAIR_WEIGHTS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9)


def documents(name: str, root: Path, words: int) -> list[str]:
    """The first validation documents of a source, up to about `words` words."""
    texts, total = [], 0
    for block in split_of(name, root).blocks["valid"]:
        if total >= words:
            break
        texts.append(" ".join(block))
        total += len(texts[-1].split())
    return texts


def events(text: str, model) -> np.ndarray:
    """(n, 5): P_model, the cache's unigram and pair probabilities, whether the pair was seen
    (the document has words after the previous token), and the words the cache holds."""
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
                cache.words,
            )
        )
    return np.array(rows).reshape(-1, 5)


def mean_log(data: np.ndarray, parameters: CacheParameters) -> float:
    model, unigram, pair, seen, words = data.T
    share = parameters.pair_weight
    cache = np.where(seen > 0, (1 - share) * unigram + share * pair, unigram)
    weight = parameters.weight(words)
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
        name: np.concatenate(
            [events(text, model) for text in documents(name, args.corpus, args.words)]
        )
        for name in FIT_SOURCES + CHECK_SOURCES
    }
    fitting = np.concatenate([data[name] for name in FIT_SOURCES])
    grid = [
        CacheParameters(*values) for values in itertools.product(WEIGHTS, HALF_WORDS, PAIR_WEIGHTS)
    ]
    best = max(grid, key=lambda parameters: mean_log(fitting, parameters))
    print(f"fitted: {best}")
    report = {"fitted": asdict(best), "mean_log_prob": {}}
    for name, rows in data.items():
        alone = mean_log(rows, CacheParameters(max_weight=0.0))
        cached = mean_log(rows, best)
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
