"""The weight of corpus/registro, chosen by measurement: one table, one choice.

Reads the `python -m autocomplete.evaluate --per-source --json` output of one run per weight
(files named valid-WEIGHT.json, on validation splits) and scores each on the typing mix: the
sources closest to what people type (the project's e-mails and messages, conversational
sentences, news, everyday help). The choice is the weight with the lowest geometric-mean
perplexity on the typing mix among the runs that are no more than 2% worse than the run
without registro on every other source.

    python benchmarks/register_weights.py RESULTS_FOLDER [--markdown]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

TYPING_MIX = ("registro", "tatoeba", "agencia-brasil", "bosque", "office-suporte")
TOLERANCE = 1.02  # the most any other source's perplexity may grow


def geomean(values: list[float]) -> float:
    return math.exp(sum(math.log(value) for value in values) / len(values))


def load(folder: Path) -> dict[float, dict[str, dict]]:
    """weight -> source -> the model's metrics on it."""
    runs = {}
    for file in folder.glob("valid-*.json"):
        weight = float(file.stem.removeprefix("valid-"))
        per_source = json.loads(file.read_text(encoding="utf-8"))["per_source"]
        runs[weight] = {source: result["model"] for source, result in per_source.items()}
    return dict(sorted(runs.items()))


def choose(runs: dict[float, dict[str, dict]]) -> tuple[float, dict[float, dict]]:
    """The chosen weight and, per weight, the figures the choice rests on."""
    if 0.0 not in runs:
        raise ValueError("the run without registro (valid-0.json) is the reference; it is missing")
    reference = runs[0.0]
    rows = {}
    for weight, sources in runs.items():
        mix = [sources[name] for name in TYPING_MIX if name in sources]
        others = [name for name in sources if name not in TYPING_MIX]
        ratios = [sources[n]["perplexity"] / reference[n]["perplexity"] for n in others]
        rows[weight] = {
            "typing_mix_ppl": geomean([m["perplexity"] for m in mix]),
            "typing_mix_top3": sum(m["top3"] for m in mix) / len(mix),
            "typing_mix_savings": sum(m["keystroke_savings"] for m in mix) / len(mix),
            "registro_ppl": sources["registro"]["perplexity"],
            "registro_top3": sources["registro"]["top3"],
            "others_ppl": geomean([sources[n]["perplexity"] for n in others] or [math.nan]),
            "worst_other_ratio": max(ratios, default=1.0),
        }
    allowed = [w for w, row in rows.items() if row["worst_other_ratio"] <= TOLERANCE]
    return min(allowed, key=lambda w: rows[w]["typing_mix_ppl"]), rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    try:
        chosen, rows = choose(load(args.folder))
    except (OSError, ValueError, KeyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        "| registro weight | typing-mix ppl | typing-mix next@3 | typing-mix savings "
        "| registro ppl | registro next@3 | other sources ppl | worst other vs 0 |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for weight, row in rows.items():
        mark = " (chosen)" if weight == chosen else ""
        print(
            f"| {weight:g}{mark} | {row['typing_mix_ppl']:.1f} | {row['typing_mix_top3']:.1%} "
            f"| {row['typing_mix_savings']:.1%} | {row['registro_ppl']:.1f} "
            f"| {row['registro_top3']:.1%} | {row['others_ppl']:.1f} "
            f"| {row['worst_other_ratio']:.3f} |"
        )
    print(f"chosen: {chosen:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
