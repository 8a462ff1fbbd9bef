"""What learning and the document cache cost per keystroke, with a store of 100k distinct
words: bare vs learned vs learned + document cache, in one run.

    python benchmarks/adaptation_latency.py [--distinct 100000] [--chars 3000] [--repeats 3]

The store (in a temporary data folder) learns the train splits of LEARNED_SOURCES in turn
until it holds --distinct distinct words, as `learn` does (a slice set aside, the mix
fitted on it, so each keystroke also measures how like the store the text is). Then --chars
characters of agencia-brasil's test split are typed one at a time through
`Suggester.suggest(text, 3)` (the bar), each configuration in turn, --repeats rounds;
reported are the medians over rounds of p50 and p95 per keystroke. The machine is shared:
compare the ratios to bare from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from adaptation import MODERN, as_text, bare_model, split_of

from autocomplete.engine import inference_file
from autocomplete.engine.document_cache import DocumentCache
from autocomplete.engine.suggester import Suggester
from autocomplete.personal import fit
from autocomplete.personal.store import PersonalModel
from autocomplete.userdata import ENVIRONMENT

LEARNED_SOURCES = ("senado", "camara", "juridico", "python-docs", "libreoffice-ajuda")


def type_through(suggester: Suggester, text: str) -> tuple[float, float]:
    latencies = []
    for end in range(1, len(text) + 1):
        start = time.perf_counter()
        suggester.suggest(text[:end], 3)
        latencies.append(time.perf_counter() - start)
    ms = np.array(latencies) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=MODERN)
    parser.add_argument("--distinct", type=int, default=100_000)
    parser.add_argument("--chars", type=int, default=3_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    loaded = inference_file.read(inference_file.DEFAULT_MODEL)
    text = as_text(split_of("agencia-brasil", args.corpus), "test")[: args.chars]
    with tempfile.TemporaryDirectory() as folder:
        os.environ[ENVIRONMENT] = folder
        store = PersonalModel(Path(folder) / "personal.sqlite3")
        learned = 0
        for name in LEARNED_SOURCES:
            train = as_text(split_of(name, args.corpus), "train")
            learned += store.learn_text(train, hold_out=True)
            if store.stats().words >= args.distinct:
                break
        fit.fit_store(store, bare_model())
        stats = store.stats()
        print(f"store: {learned:,} words learned, {stats.words:,} distinct, "
              f"{stats.size_bytes / 1e6:.1f} MB", file=sys.stderr)  # fmt: skip
        configs = {
            "bare": lambda: Suggester.from_inference(loaded),
            "learned": lambda: Suggester.from_inference(loaded, personal=store),
            "learned + cache": lambda: Suggester.from_inference(
                loaded, personal=store, document_cache=DocumentCache()
            ),
        }
        rounds: dict[str, list[tuple[float, float]]] = {label: [] for label in configs}
        for _ in range(args.repeats):
            for label, make in configs.items():
                rounds[label].append(type_through(make(), text))
        store.close()
    report = {
        "store": {
            "learned_words": learned,
            "distinct_words": stats.words,
            "bytes": stats.size_bytes,
            "mix": store.mix.to_json(),
        },
        "chars": len(text),
        "latency_ms": {
            label: {
                "p50": statistics.median(p50 for p50, _ in runs),
                "p95": statistics.median(p95 for _, p95 in runs),
            }
            for label, runs in rounds.items()
        },
    }
    for label, numbers in report["latency_ms"].items():
        print(f"{label}: p50 {numbers['p50']:.2f} ms, p95 {numbers['p95']:.2f} ms")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
