"""Write the metadata JSON that ships beside the model (checkpoints/default.json), and the
README's quality tables from the same numbers.

Records how the model was made (commands, sources and weights, corpus fingerprints, training
time and speed, hardware) and its held-out metrics, read from `python -m autocomplete.evaluate
--json --per-source` outputs: the shipped model with its trigram baseline, and the model it
replaced (and the trigram baseline, when evaluated with --baseline).

    python -m autocomplete.evaluate --checkpoint checkpoints/model.npz --baseline --split test \
        --per-source --max-words 2000 --json ../shared/corpus/moderno ../shared/corpus/machado \
        > new.json
    python -m autocomplete.evaluate --checkpoint OLD --split test --per-source ... > old.json
    python benchmarks/describe_checkpoint.py --evaluation new.json --previous old.json \
        --command "python -m autocomplete.train ..." > checkpoints/default.json
    python benchmarks/describe_checkpoint.py --evaluation new.json --previous old.json --markdown
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from dataclasses import asdict

from autocomplete.engine import inference_file
from autocomplete.evaluation.evaluate import ROWS as METRICS  # the rows evaluate prints

COLUMNS = ("this model", "previous model", "KN trigram, same mix")


def _columns(new: dict, previous: dict) -> list[dict]:
    """The model, the one it replaced and, when evaluated with --baseline, the trigram."""
    return [new["model"], previous["model"], *([new["trigram"]] if "trigram" in new else [])]


def _table(title: str, columns: list[dict]) -> list[str]:
    names = COLUMNS[: len(columns)]
    lines = [f"| {title} | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for key, label, form in METRICS:
        cells = [form.format(c[key]) if c.get(key) is not None else "-" for c in columns]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def markdown(new: dict, previous: dict) -> str:
    sources = [s["source"] for s in new["text"]]
    lines = _table(f"test splits, {len(sources)} sources", _columns(new, previous))
    names = COLUMNS[: len(_columns(new, previous))]
    lines += ["", "| source (test split) | " + " | ".join(
        f"{name}: ppl / top-3 / savings" for name in names
    ) + " |", "|---|" + "---:|" * len(names)]  # fmt: skip
    for name in sources:
        cells = [
            f"{c['perplexity']:.0f} / {c['top3']:.1%} / {c['keystroke_savings']:.1%}"
            for c in _columns(new["per_source"][name], previous["per_source"][name])
        ]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=str(inference_file.DEFAULT_MODEL))
    parser.add_argument("--evaluation", required=True, help="evaluate --json of this model")
    parser.add_argument("--previous", required=True, help="evaluate --json of the model before")
    parser.add_argument("--command", action="append", default=[], help="training command(s)")
    parser.add_argument("--hardware", default="", help="what trained it, in words")
    parser.add_argument("--note", default="", help="anything else a reader should know")
    parser.add_argument("--markdown", action="store_true", help="print the README tables")
    args = parser.parse_args()
    with open(args.evaluation, encoding="utf-8") as file:
        new = json.load(file)
    with open(args.previous, encoding="utf-8") as file:
        previous = json.load(file)
    if args.markdown:
        print(markdown(new, previous))
        return
    loaded = inference_file.read(args.checkpoint)
    training = loaded.metrics
    description = {
        "checkpoint": args.checkpoint,
        "size_bytes": os.path.getsize(args.checkpoint),
        "commands": args.command,
        "note": args.note,
        "corpus": loaded.train_config.corpus,
        "weights": loaded.train_config.weights,
        "corpus_fingerprint": loaded.corpus_fingerprint,
        "model_config": asdict(loaded.model.config),
        "parameters": sum(weight.size for weight in loaded.model.weights.values()),
        "training": training,
        "training_minutes": round(training.get("elapsed_s", 0) / 60, 1),
        "lexicon": None
        if loaded.lexicon is None
        else {"words": len(loaded.lexicon), "source": loaded.lexicon.source},
        "hardware": {
            "trained_on": args.hardware,
            "machine": platform.machine(),
            "cpu_count": os.cpu_count(),
        },
        "held_out_evaluation": {"model": new, "previous_model": previous},
    }
    print(json.dumps(description, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
