"""The weight of corpus/registro (and the blend), chosen by measurement: one table, one choice.

Reads per-source perplexities on validation splits (`python -m autocomplete.evaluate
--per-source --json`, or benchmarks/split_perplexity.py) for the model before and for each
candidate, and scores each on the typing mix: the sources closest to what people type (the
project's e-mails and messages, conversational sentences, news, everyday help). The choice is
the candidate with the lowest geometric-mean perplexity on the typing mix among those no more
than 2% worse than the model before on every other source.

    python benchmarks/register_weights.py docs/training/register/valid-shipped.json \
        docs/training/register/valid-{10,30,b10-0.5,b30-0.5,b30-0.35,b30-0.25}.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from autocomplete.evaluation.register_fit import TOLERANCE

TYPING_MIX = ("registro", "tatoeba", "agencia-brasil", "bosque", "office-suporte")


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(value) for value in values) / len(values))


def perplexities(file: Path) -> dict[str, float]:
    per_source = json.loads(file.read_text(encoding="utf-8"))["per_source"]
    return {source: result["model"]["perplexity"] for source, result in per_source.items()}


def row(run: dict[str, float], before: dict[str, float]) -> dict:
    """The figures the choice rests on, for one run."""
    others = [name for name in run if name not in TYPING_MIX]
    worst = max((run[n] / before[n], n) for n in run if n != "registro")
    return {
        "registro_ppl": run["registro"],
        "typing_mix_ppl": geomean([run[n] for n in TYPING_MIX if n in run]),
        "others_ppl": geomean([run[n] for n in others]),
        "worst_other": worst,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="the model before")
    parser.add_argument("candidates", type=Path, nargs="+")
    args = parser.parse_args(argv)
    try:
        before = perplexities(args.before)
        rows = {file.stem: row(perplexities(file), before) for file in args.candidates}
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    allowed = [name for name, r in rows.items() if r["worst_other"][0] <= TOLERANCE]
    chosen = min(allowed, key=lambda name: rows[name]["typing_mix_ppl"], default=None)
    print("| run | registro ppl | typing-mix ppl | other sources ppl | worst other vs before |")
    print("|---|---:|---:|---:|---:|")
    for name, r in {args.before.stem + " (before)": row(before, before), **rows}.items():
        ratio, source = r["worst_other"]
        mark = " (chosen)" if name == chosen else ""
        print(
            f"| {name}{mark} | {r['registro_ppl']:.1f} | {r['typing_mix_ppl']:.1f} "
            f"| {r['others_ppl']:.1f} | {ratio - 1:+.1%} ({source}) |"
        )
    print(f"chosen: {chosen}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
