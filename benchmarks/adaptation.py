"""Does learning help? Bare model vs the same model with a learned personal store, on held-out
modern text of two kinds: text of the source that was learned, and text of other sources.

    python benchmarks/adaptation.py [--learned camara] [--other agencia-brasil office-suporte]
        [--learn-words 100000] [--max-words 2000] [--json benchmarks/results/adaptation.json]

The store learns the first --learn-words words of the learned source's train split (in a
temporary AUTOCOMPLETE_DATA_DIR: the user's own store is never touched). Then the simulated
user of `python -m autocomplete.evaluate` types, character by character through
`Suggester.suggest`, the first --max-words words of the test split of the learned source
(same source) and of each other source (another source), with each configuration:

  bare               the shipped model alone
  learned            the model with the learned store, mixed by the fitted estimator
                     (engine/mixer.FITTED; before it, hand-set constants: see the README)
  learned + cache    ... and the document cache (engine/document_cache: the words of the
                     text typed so far; the text is typed from its start)

Reported per text and configuration: next@1, next@3 (the next word, nothing typed yet, first
or among the 3 of the bar), keystroke savings with the 3-slot bar, the model's phrases
(threshold 0.7: offered at word starts, and wholly right), p95 latency per keystroke, and the
store's size. Test splits are never learned or fitted on; the shipped model was trained on the
train splits of all these sources, so a gain here is what the user's counts add to a model
that has already read text like theirs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from autocomplete.engine import inference_file
from autocomplete.engine.document_cache import DocumentCache
from autocomplete.engine.mixer import FITTED
from autocomplete.engine.phrases import MAX_WORDS, THRESHOLD, PhraseFinder
from autocomplete.engine.suggester import Suggester
from autocomplete.evaluation.evaluate import evaluate_suggester, first_words
from autocomplete.personal.store import PersonalModel
from autocomplete.training import corpus
from autocomplete.userdata import ENVIRONMENT

HERE = Path(__file__).resolve().parent.parent
MODERN = HERE.parent / "shared" / "corpus" / "moderno"


def split_of(name: str, root: Path) -> corpus.Split:
    (source,) = corpus.read_sources([root / name])
    return corpus.split(source.documents, source.name)


def as_text(split: corpus.Split, part: str, max_words: int | None = None) -> str:
    """A part of a split as typed text: a block (consecutive paragraphs) a line."""
    blocks = [" ".join(block) for block in split.blocks[part]]
    return first_words("\n".join(blocks), max_words) if max_words else "\n".join(blocks)


def bare_model() -> Callable[[str, str], float]:
    """P(word | the text before it) by the shipped model alone (no personal words, no slips):
    what the fitted mixes start from."""
    bare = Suggester.from_inference(inference_file.read(inference_file.DEFAULT_MODEL), slips=None)

    def model(before: str, word: str) -> float:
        return bare.words.word_probability(word, bare.next_word_log_probs(before))

    return model


def learn(store: PersonalModel, text: str) -> dict:
    start = time.perf_counter()
    learned = store.learn_text(text)
    stats = store.stats()
    return {
        "learned_words": learned,
        "learn_s": round(time.perf_counter() - start, 1),
        "distinct_words": stats.words,
        "contexts": stats.contexts,
        "store_bytes": stats.size_bytes,
    }


def score(suggester: Suggester, text: str) -> dict:
    finder = PhraseFinder(suggester)

    def phrases(before_cursor: str):
        return finder.continuation(before_cursor, MAX_WORDS, THRESHOLD)

    start = time.perf_counter()
    metrics = evaluate_suggester(suggester, text, phrases=phrases, phrase_thresholds=(THRESHOLD,))
    (phrase,) = metrics.phrases
    return {
        "words": metrics.words,
        "next@1": metrics.top1,
        "next@3": metrics.top3,
        "top3_after_1": metrics.top3_after_1,
        "keystroke_savings": metrics.keystroke_savings,
        "savings_with_phrases": phrase.keystroke_savings,
        "phrases_offered": phrase.offered,
        "phrases_right": phrase.whole,
        "latency_p50_ms": metrics.latency_p50_ms,
        "latency_p95_ms": metrics.latency_p95_ms,
        "seconds": round(time.perf_counter() - start, 1),
    }


def table(results: dict) -> str:
    rows = [
        ("next@1", "next@1", "{:.1%}"),
        ("next@3", "next@3", "{:.1%}"),
        ("keystroke savings", "keystroke_savings", "{:.2%}"),
        ("savings with phrases", "savings_with_phrases", "{:.2%}"),
        ("phrases offered / right", None, None),
        ("p95 per keystroke (ms)", "latency_p95_ms", "{:.2f}"),
    ]
    lines = []
    for kind, by_config in results["texts"].items():
        configs = list(by_config)
        words = next(iter(by_config.values()))["words"]
        lines.append(f"\n{kind} ({words:,} words)")
        lines.append("| | " + " | ".join(configs) + " |")
        lines.append("|---|" + "---:|" * len(configs))
        for label, key, fmt in rows:
            if key is None:
                cells = [
                    f"{m['phrases_offered']:.1%} / {m['phrases_right']:.1%}"
                    for m in by_config.values()
                ]
            else:
                cells = [fmt.format(m[key]) for m in by_config.values()]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=MODERN, help="the modern collection")
    parser.add_argument("--learned", default="camara", help="its train split is learned")
    parser.add_argument("--other", nargs="+", default=["agencia-brasil"], help="other sources")
    parser.add_argument("--learn-words", type=int, default=100_000)
    parser.add_argument("--max-words", type=int, default=2_000, help="typed per text")
    parser.add_argument("--checkpoint", type=Path, default=inference_file.DEFAULT_MODEL)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    loaded = inference_file.read(args.checkpoint)
    learned_split = split_of(args.learned, args.corpus)
    texts = {f"same source: {args.learned} (test)": as_text(learned_split, "test", args.max_words)}
    for name in args.other:
        texts[f"another source: {name} (test)"] = as_text(
            split_of(name, args.corpus), "test", args.max_words
        )
    with tempfile.TemporaryDirectory() as folder:
        os.environ[ENVIRONMENT] = folder  # nothing here may touch the user's own store
        store = PersonalModel(Path(folder) / "personal.sqlite3")
        store_stats = learn(store, as_text(learned_split, "train", args.learn_words))
        print(f"learned {args.learned}: {store_stats}", file=sys.stderr)
        results: dict = {"learned": {"source": args.learned, **store_stats}, "texts": {}}
        configs: dict[str, Callable[[], Suggester]] = {
            "bare": lambda: Suggester.from_inference(loaded),
            "learned": lambda: Suggester.from_inference(loaded, personal=store),
            "learned + cache": lambda: Suggester.from_inference(
                loaded, personal=store, document_cache=DocumentCache()
            ),
        }
        results["mix"] = asdict(FITTED) | {"buckets": str(FITTED.buckets)}
        results["cache"] = asdict(DocumentCache().parameters)
        for kind, text in texts.items():
            results["texts"][kind] = {}
            for label, make in configs.items():
                metrics = score(make(), text)
                print(f"{kind} / {label}: {metrics}", file=sys.stderr, flush=True)
                results["texts"][kind][label] = metrics
        store.close()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
