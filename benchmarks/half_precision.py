"""Does storing the weights in float16 change what users get? Measure it.

Loads the float32 weights of a training state, rounds a copy to float16 (what model.pt
stores by default) and scores both on the same held-out text with `evaluate`'s metrics.

    python benchmarks/half_precision.py --state runs/lstm/train_state.pt \
        --corpus ../shared/corpus/machado --max-words 5000
"""

from __future__ import annotations

import argparse
import copy
from dataclasses import asdict

import torch

from autocomplete.engine import inference_file
from autocomplete.engine.suggester import Suggester
from autocomplete.evaluation import evaluate
from autocomplete.training import checkpoint


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", required=True, help="a train_state.pt (float32 weights)")
    parser.add_argument("--corpus", default="../shared/corpus/machado")
    parser.add_argument("--max-words", type=int, default=5000)
    args = parser.parse_args()
    full = checkpoint.load(args.state)
    half = copy.deepcopy(full)
    with torch.no_grad():
        for parameter in half.model.parameters():
            parameter.copy_(parameter.half().float())
    text, split = evaluate.held_out_text(args.corpus, "test", {full.corpus_fingerprint})
    text = evaluate.first_words(text, args.max_words)
    rows = {}
    for name, loaded in (("float32", full), ("float16", half)):
        served = inference_file.from_checkpoint(loaded)
        metrics = evaluate.evaluate_suggester(Suggester.from_inference(served), text)
        metrics.perplexity = evaluate.perplexity(served, text)
        rows[name] = asdict(metrics)
    print(f"held-out: {args.corpus} ({split}), {rows['float32']['words']:,} words")
    print("| metric | float32 | float16 | relative change |\n|---|---:|---:|---:|")
    for key in ("perplexity", "top1", "top3", "top3_after_1", "top3_after_2", "keystroke_savings"):
        a, b = rows["float32"][key], rows["float16"][key]
        print(f"| {key} | {a:.4f} | {b:.4f} | {(b - a) / a:+.3%} |")


if __name__ == "__main__":
    main()
