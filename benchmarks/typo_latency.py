"""What correcting slips of the finger costs per keystroke, and in memory.

    python benchmarks/typo_latency.py [--chars N] [--repeats R]

In one process, alternating repeat by repeat (so both see the same machine), one Suggester
with slip corrections and one without type held-out modern text one character at a time, as
the editor asks (`suggest(text before the cursor, 3)`); the one with corrections also types
the same text with a slip in every word of 6+ letters (evaluate.with_slip), where corrections
are found and completed. Reported: p50/p95 milliseconds per keystroke, medians over the
repeats; the memory the corrections keep (tracemalloc, after typing, with minus without); and
the keys a SymSpell-style deletion dictionary of all folded prefixes would hold, the index
that typos.py does without.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
import tracemalloc
from pathlib import Path

import numpy as np

from autocomplete.engine import inference_file
from autocomplete.engine.suggester import SLIPS, Suggester
from autocomplete.engine.tokenizer import TOKEN, fold_all
from autocomplete.evaluation.evaluate import (
    SLIP_LETTERS,
    SLIP_SEED,
    SLIP_WORD_LETTERS,
    held_out_text,
    trained_fingerprints,
    with_slip,
)

DEFAULT_TEXT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "moderno"


def keystroke_ms(suggester: Suggester, text: str) -> np.ndarray:
    """Milliseconds of each `suggest` call while typing `text` one character at a time."""
    times = np.empty(len(text))
    for cursor in range(1, len(text) + 1):
        start = time.perf_counter()
        suggester.suggest(text[:cursor], 3)
        times[cursor - 1] = time.perf_counter() - start
    return times * 1000


def slipped(text: str) -> str:
    """`text` with one slip in the first letters of every word of 6+ letters."""
    rng = random.Random(SLIP_SEED)

    def slip(match) -> str:
        word = match.group()
        if len(word) < SLIP_WORD_LETTERS or not word.isalpha():
            return word
        return with_slip(word[: SLIP_LETTERS + 1], rng) + word[SLIP_LETTERS + 1 :]

    return TOKEN.sub(slip, text)


def kept_bytes(suggester: Suggester, text: str) -> int:
    """Bytes allocated while typing `text` and still held after it (tracemalloc)."""
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    keystroke_ms(suggester, text)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before


def deletion_keys(words: list[str]) -> int:
    """Keys of a deletion dictionary (every one-letter deletion, and the string itself, of
    every folded prefix of 3+ letters of the vocabulary and lexicon words), SymSpell-style."""
    prefixes = {word[:end] for word in fold_all(words) for end in range(3, len(word) + 1)}
    return len(prefixes) + sum(len(prefix) for prefix in prefixes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chars", type=int, default=3000, help="characters of text typed")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT)
    args = parser.parse_args()

    loaded = inference_file.read(inference_file.DEFAULT_MODEL)
    text, _ = held_out_text(args.text, "auto", trained_fingerprints(loaded))
    text = text[: args.chars]
    typo_text = slipped(text)
    with_slips = Suggester.from_inference(loaded, slips=SLIPS)
    without = Suggester.from_inference(loaded, slips=None)
    for suggester in (with_slips, without):  # completion indexes built, caches warm
        keystroke_ms(suggester, text[:300])

    runs: dict[str, list[np.ndarray]] = {"without": [], "with": [], "with, slipped text": []}
    for _ in range(args.repeats):
        runs["without"].append(keystroke_ms(without, text))
        runs["with"].append(keystroke_ms(with_slips, text))
        runs["with, slipped text"].append(keystroke_ms(with_slips, typo_text))
    report = {
        name: {
            f"p{q}_ms": round(statistics.median(float(np.percentile(t, q)) for t in times), 3)
            for q in (50, 95)
        }
        for name, times in runs.items()
    }
    report["memory_kept_with_minus_without_kb"] = round(
        (kept_bytes(with_slips, typo_text) - kept_bytes(without, typo_text)) / 1024, 1
    )
    report["deletion_dictionary_keys"] = deletion_keys(
        loaded.tokenizer.words + loaded.lexicon.words
    )
    report["keystrokes"] = len(text)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
