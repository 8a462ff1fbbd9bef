"""Suggestion latency per keystroke, as the editor sees it, and the time to the first suggestion.

    python benchmarks/latency.py [--checkpoint PATH] [--text PATH] [--chars N] [--repeats R]

Types held-out text one character at a time through `Suggester.suggest`, passing the whole
text before the cursor each time, as the editor does; then types it again with phrases on,
timing `suggest` and `suggest_phrase` together for each keystroke (the editor runs the phrase
in a worker after the words are on show: this sum is the work a keystroke costs, an upper
bound on the wait). Each repeat loads the model afresh
(load = `Suggester.load` + the first suggestion, warm process) and types the text; a fresh
Python process also measures import + load + first suggestion (cold start). Figures are
medians over the repeats. The default text is the test split of ../shared/corpus/machado,
which the shipped model did not train on (see `evaluate.held_out_text`).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from autocomplete.engine import inference_file
from autocomplete.engine.suggester import Suggester
from autocomplete.evaluation.evaluate import held_out_text

DEFAULT_TEXT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "machado"
COLD_START = """
import sys, time
start = time.perf_counter()
from autocomplete import Suggester
Suggester.load(sys.argv[1]).suggest("")
print(time.perf_counter() - start)
"""


def type_text(
    suggester: Suggester, text: str, phrases: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Milliseconds of each `suggest` call (and `suggest_phrase` with `phrases`) while typing
    `text` one character at a time: wall-clock time, and this thread's CPU time, which other
    processes on a shared CPU inflate much less."""
    wall = np.empty(len(text))
    cpu = np.empty(len(text))
    for cursor in range(1, len(text) + 1):
        start, start_cpu = time.perf_counter(), time.thread_time()
        suggester.suggest(text[:cursor], 3)
        if phrases:
            suggester.suggest_phrase(text[:cursor])
        wall[cursor - 1] = time.perf_counter() - start
        cpu[cursor - 1] = time.thread_time() - start_cpu
    return wall * 1000, cpu * 1000


def one_repeat(path: Path, text: str) -> dict[str, float]:
    start = time.perf_counter()
    suggester = Suggester.load(path)
    suggester.suggest("", 3)
    load_s = time.perf_counter() - start
    cold = subprocess.run(
        [sys.executable, "-c", COLD_START, str(path)], capture_output=True, text=True, check=True
    )
    timings = {}
    for label, phrases in (("", False), ("phrases_", True)):
        wall, cpu = type_text(suggester, text, phrases)
        timings |= {
            f"{label}p50_ms": float(np.percentile(wall, 50)),
            f"{label}p95_ms": float(np.percentile(wall, 95)),
            f"{label}max_ms": float(wall.max()),
            f"{label}cpu_p95_ms": float(np.percentile(cpu, 95)),
        }
    return {
        **timings,
        "load_s": load_s,
        "cold_start_s": float(cold.stdout.strip()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", type=Path, default=inference_file.DEFAULT_MODEL)
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT, help=".txt file or folder")
    parser.add_argument("--chars", type=int, default=10_000, help="characters to type")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    trained_on = {inference_file.read(args.checkpoint).corpus_fingerprint}
    text, split = held_out_text(args.text, "auto", trained_on)
    text = text[: args.chars]
    runs = [one_repeat(args.checkpoint, text) for _ in range(args.repeats)]
    print(f"checkpoint {args.checkpoint}; text {args.text} ({split}), {len(text):,} keystrokes")
    print(f"medians over {args.repeats} repeats:")
    for key, label in [
        ("p50_ms", "latency p50 (ms)"),
        ("p95_ms", "latency p95 (ms)"),
        ("max_ms", "latency max (ms)"),
        ("cpu_p95_ms", "CPU time p95 (ms)"),
        ("phrases_p50_ms", "with phrases: suggest + suggest_phrase p50 (ms)"),
        ("phrases_p95_ms", "with phrases: suggest + suggest_phrase p95 (ms)"),
        ("phrases_max_ms", "with phrases: suggest + suggest_phrase max (ms)"),
        ("phrases_cpu_p95_ms", "with phrases: CPU time p95 (ms)"),
        ("load_s", "load + first suggestion, warm process (s)"),
        ("cold_start_s", "import + load + first suggestion, new process (s)"),
    ]:
        print(f"  {label:<50}{statistics.median(run[key] for run in runs):>8.2f}")


if __name__ == "__main__":
    main()
