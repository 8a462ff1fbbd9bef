"""Training speed: the classic word-language-model recipe vs the project's default trainer.

Both runs use the same prepared token stream (same vocabulary, same split) and the same
wall-clock budget, one after the other in this process, and both final perplexities are
measured by the same function on the same validation stream.

(a) classic: 2x200 LSTM, tied, full softmax, SGD lr 20 (/4 when validation stops improving),
    batch 20, bptt 35, clip 0.25, dropout 0.2 -- written here as a plain reference loop.
(b) project: `autocomplete.training.trainer.Trainer` with its default configuration.

    python benchmarks/train_speed.py --corpus ../shared/corpus/machado --minutes 10
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import tempfile
import time
from pathlib import Path

import torch

from autocomplete.config import ModelConfig, TrainConfig
from autocomplete.training import checkpoint, data
from autocomplete.training.model import WordLM, detach
from autocomplete.training.trainer import Trainer

EVAL_ROWS = 16
BPTT = 35


@torch.no_grad()
def valid_perplexity(model: WordLM, valid: torch.Tensor) -> float:
    model.eval()
    total, count, state = 0.0, 0, None
    for _, inputs, targets in data.windows(valid, BPTT):
        loss, state = model(inputs, targets, state)
        total += loss.item() * targets.numel()
        count += targets.numel()
    model.train()
    return math.exp(total / count)


def classic(prepared: data.PreparedData, minutes: float, seed: int) -> dict:
    """The PyTorch word_language_model recipe, as a plain loop."""
    torch.manual_seed(seed)
    config = ModelConfig(
        vocab_size=len(prepared.tokenizer), emb=200, hidden=200, layers=2, dropout=0.2,
        output="softmax", tie_weights=True,
    )  # fmt: skip
    model = WordLM(config)
    train = data.batchify(prepared.train, 20)
    valid = data.batchify(prepared.valid, EVAL_ROWS)
    lr, best = 20.0, math.inf
    evaluate_every = max(60.0, minutes * 60 / 5)  # the recipe anneals per epoch; we get ~1
    start = last_eval = time.monotonic()
    tokens = 0
    while time.monotonic() - start < minutes * 60:
        state = None
        for _, inputs, targets in data.windows(train, BPTT):
            state = detach(state) if state is not None else None
            loss, state = model(inputs, targets, state)
            model.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
            with torch.no_grad():
                for parameter in model.parameters():
                    parameter.add_(parameter.grad, alpha=-lr)
            tokens += targets.numel()
            now = time.monotonic()
            if now - start >= minutes * 60:
                break
            if now - last_eval >= evaluate_every:
                ppl = valid_perplexity(model, valid)
                if ppl < best:
                    best = ppl
                else:
                    lr /= 4
                last_eval = time.monotonic()
    # Wall-clock throughput, validation included, as the trainer reports it.
    tokens_per_s = tokens / (time.monotonic() - start)
    return {
        "run": "classic 2x200 LSTM, full softmax, SGD",
        "tokens": tokens,
        "tokens_per_s": tokens_per_s,
        "valid_ppl": valid_perplexity(model, valid),
    }


def project(corpus: str, minutes: float, seed: int, out: Path) -> dict:
    """The project's trainer with its defaults, on the same cached data."""
    config = TrainConfig(
        corpus=corpus, out=str(out), max_minutes=minutes, seed=seed, threads=torch.get_num_threads()
    )
    trainer = Trainer(config, ModelConfig())
    summary = trainer.run(quiet=True)
    best = checkpoint.load(out / "model.pt")
    valid = data.batchify(trainer.data.valid, EVAL_ROWS)
    return {
        "run": "project default (" + _describe(best.model.config) + ")",
        "tokens": summary["tokens_seen"],
        "tokens_per_s": summary["tokens_per_s"],
        "valid_ppl": valid_perplexity(best.model, valid),
    }


def _describe(config: ModelConfig) -> str:
    shape = f"{config.layers}x{config.hidden} {config.cell.upper()}, emb {config.emb}"
    return f"{shape}, {config.output} softmax, Adam"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="../shared/corpus/machado")
    parser.add_argument("--minutes", type=float, default=10.0, help="budget for each run")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        # The trainer caches the prepared stream in OUT/.cache; the classic loop reuses it.
        prepared = data.prepare(args.corpus, ModelConfig().vocab_size, out / ".cache")
        rows = [
            classic(prepared, args.minutes, args.seed),
            project(args.corpus, args.minutes, args.seed, out),
        ]
    base = rows[0]
    print(
        f"budget {args.minutes:g} min each, {torch.get_num_threads()} threads, "
        f"{platform.processor() or platform.machine()}, torch {torch.__version__}"
    )
    print("| run | tokens/s | valid ppl | speed ratio | ppl ratio |\n|---|---:|---:|---:|---:|")
    for row in rows:
        row["speed_ratio"] = row["tokens_per_s"] / base["tokens_per_s"]
        row["ppl_ratio"] = row["valid_ppl"] / base["valid_ppl"]
        print(
            f"| {row['run']} | {row['tokens_per_s']:,.0f} | {row['valid_ppl']:.1f} | "
            f"{row['speed_ratio']:.1f}x | {row['ppl_ratio']:.2f} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"minutes": args.minutes, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
