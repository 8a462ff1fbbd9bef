"""Why did the LSTM train worst in docs/compare? One change at a time, measured.

Each variant trains with `autocomplete.training.trainer.Trainer` for the same number of steps
(the same tokens: the reading per token does not depend on what else the machine runs), one after
the other in this process, on the same cached data. Per token: the best validation perplexity
after the budget. Per minute: the tokens/s each variant measured back to back, which turns
the per-token curve into a per-minute one (noisy on a shared machine: say so when quoting).

    PYTHONPATH=. python benchmarks/lstm_setup.py --corpus ../shared/corpus/machado \\
        --vocab-size 10000 --steps 600 --out /root/runs/lesson/setup
"""

from __future__ import annotations

import argparse
import json
import platform
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from autocomplete.config import ModelConfig, TrainConfig
from autocomplete.training.trainer import Trainer

# The docs/compare setting (emb = hidden = 256, Adam 3e-3, clip 0.5, forget bias 1) at
# half the batch, so that short runs take more steps.
BASE_MODEL = ModelConfig(emb=256, hidden=256)
BASE_TRAIN = TrainConfig(batch_size=32, eval_every=300)
# name: (model changes, trainer changes). Hidden 210 gives the LSTM the GRU's 395k
# recurrent weights (4 * (210^2 + 258 * 210) vs 3 * (256^2 + 258 * 256)).
VARIANTS: dict[str, tuple[dict, dict]] = {
    "rnn": ({"cell": "rnn"}, {}),
    "gru": ({"cell": "gru"}, {}),
    "lstm": ({"cell": "lstm"}, {}),
    "lstm forget bias 0": ({"cell": "lstm", "forget_bias": 0.0}, {}),
    "lstm clip 5": ({"cell": "lstm"}, {"clip": 5.0}),
    "lstm lr 6e-3": ({"cell": "lstm"}, {"lr": 6e-3}),
    "gru lr 6e-3": ({"cell": "gru"}, {"lr": 6e-3}),
    "lstm hidden 210 (GRU's weights)": ({"cell": "lstm", "hidden": 210}, {}),
}


def valid_curve(run_dir: Path) -> list[tuple[float, float]]:
    """(minutes into training, validation perplexity) at each validation of a run."""
    with (run_dir / "metrics.jsonl").open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    return [(r["elapsed_s"] / 60, r["valid_ppl"]) for r in records if "valid_ppl" in r]


def train_variant(name: str, args: argparse.Namespace, cache: Path) -> dict:
    model_changes, train_changes = VARIANTS[name]
    run_dir = Path(args.out) / name.replace(" ", "_").replace("(", "").replace(")", "")
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "metrics.jsonl").unlink(missing_ok=True)
    (run_dir / "train_state.pt").unlink(missing_ok=True)
    if not (run_dir / ".cache").is_symlink():
        (run_dir / ".cache").symlink_to(cache.resolve(), target_is_directory=True)
    train_config = replace(
        BASE_TRAIN,
        corpus=args.corpus,
        out=str(run_dir),
        max_steps=args.steps,
        threads=args.threads,
        **train_changes,
    )
    model_config = replace(BASE_MODEL, vocab_size=args.vocab_size, **model_changes)
    trainer = Trainer(train_config, model_config)
    summary = trainer.run(quiet=True)
    return {
        "name": name,
        "model": model_changes,
        "train": train_changes,
        "recurrent_parameters": sum(p.numel() for p in trainer.model.rnn.parameters()),
        "summary": summary,
        "curve": valid_curve(run_dir),
    }


def ppl_at_minute(curve: list[tuple[float, float]], minute: float) -> float:
    minutes, ppl = np.array(curve).T
    return float(np.exp(np.interp(minute, minutes, np.log(ppl))))


def report(results: list[dict]) -> str:
    common = min(r["curve"][-1][0] for r in results)
    for result in results:
        result["valid_ppl_at_common_minute"] = ppl_at_minute(result["curve"], common)
    baseline = next(r for r in results if r["name"] == "lstm")
    base_best = baseline["summary"]["best_valid_ppl"]
    base_at = baseline["valid_ppl_at_common_minute"]
    lines = [
        "| variant | recurrent weights | tokens/s | minutes | valid ppl after the steps "
        f"| valid ppl at {common:.1f} min |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        summary = result["summary"]
        best, at = summary["best_valid_ppl"], result["valid_ppl_at_common_minute"]
        lines.append(
            f"| {result['name']} | {result['recurrent_parameters']:,} "
            f"| {summary['tokens_per_s']:,.0f} | {summary['elapsed_s'] / 60:.1f} "
            f"| {best:.1f} ({100 * (best / base_best - 1):+.1f}%) "
            f"| {at:.1f} ({100 * (at / base_at - 1):+.1f}%) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", nargs="+", required=True)
    parser.add_argument("--vocab-size", type=int, default=30_000)
    parser.add_argument("--steps", type=int, default=600, help="budget per variant")
    parser.add_argument("--threads", type=int, default=0, help="torch threads; 0: default")
    parser.add_argument("--out", required=True, help="run folders (not the repository)")
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--json", default="benchmarks/results/lstm_setup.json")
    args = parser.parse_args()
    cache = Path(args.out) / ".cache"
    cache.mkdir(parents=True, exist_ok=True)
    results = []
    for name in args.variants:
        print(f"training {name} for {args.steps} steps", flush=True)
        results.append(train_variant(name, args, cache))
    table = report(results)
    print(table)
    Path(args.json).write_text(
        json.dumps(
            {
                "command": f"python benchmarks/lstm_setup.py --corpus {' '.join(args.corpus)} "
                f"--vocab-size {args.vocab_size} --steps {args.steps} --threads {args.threads}",
                "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads, "
                f"torch {torch.__version__}",
                "results": results,
                "table": table,
            },
            indent=1,
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
