"""Perplexity alone, per source, on a held-out split: the cheap score that chose the register
weight and blend (`evaluate` also simulates typing, which costs minutes per model).

    python benchmarks/split_perplexity.py CHECKPOINT OUT.json [--split valid] [--max-words 2000] \
        corpus/registro ../shared/corpus/moderno ../shared/corpus/machado

OUT.json has evaluate's shape ({"per_source": {name: {"model": {"perplexity": ...}}}}), so
benchmarks/register_weights.py reads either.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from autocomplete.engine import inference_file
from autocomplete.errors import AutocompleteError
from autocomplete.evaluation.evaluate import held_out_texts, perplexity


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint")
    parser.add_argument("out", type=Path)
    parser.add_argument("sources", nargs="+", help="corpus paths, as for evaluate")
    parser.add_argument("--split", default="valid", choices=("valid", "test"))
    parser.add_argument("--max-words", type=int, default=2000)
    args = parser.parse_args(argv)
    try:
        loaded = inference_file.read(args.checkpoint)
        per_source = {
            name: {"model": {"perplexity": perplexity(loaded, text)}}
            for path in args.sources
            for name, text, _ in held_out_texts(path, args.split, set(), args.max_words)
        }
    except AutocompleteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    args.out.write_text(json.dumps({"per_source": per_source}, indent=1), encoding="utf-8")
    for name, result in per_source.items():
        print(f"{name:<20} {result['model']['perplexity']:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
