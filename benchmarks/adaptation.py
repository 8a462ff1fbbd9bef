"""Does learning help? Bare model vs the same model with a learned personal store, on held-out
modern text of two kinds: text of the source that was learned, and text of other sources.

    python benchmarks/adaptation.py [--learned juridico]
        [--other agencia-brasil office-suporte camara bosque] [--learn-words 100000]
        [--max-words 2000] [--split test|valid] [--json benchmarks/results/adaptation.json]

The store learns the first --learn-words words of the learned source's train split as `learn`
does (in a temporary AUTOCOMPLETE_DATA_DIR: the user's own store is never touched): one
paragraph in ten set aside, and the mix fitted on those (personal/fit.fit_store). Then the
simulated user of `python -m autocomplete.evaluate` types, character by character through
`Suggester.suggest`, the test documents (blocks of consecutive paragraphs of one document,
each typed from its start) of the learned source (same source) and of each other source
(another source), up to --max-words words each, with each configuration:

  bare               the shipped model alone
  bare + cache       ... with the document cache: what learning adds in the editor, which
                     always has the open document as a cache, is learned + cache against it
  learned            the model with the learned store, mixed by the store's own fit
  learned + cache    ... and the document cache (engine/document_cache: the words of the
                     document typed so far, its weight growing with them)

Reported per text and configuration: next@1, next@3 (the next word, nothing typed yet, first
or among the 3 of the bar), keystroke savings with the 3-slot bar, the phrases (the user's and
the model's, threshold 0.7: offered at word starts, and wholly right), p95 latency per
keystroke (the mean over documents), and the store's size. Test splits are never learned or
fitted on; the shipped model was trained on the train splits of all these sources, so a gain
here is what the user's counts add to a model that has already read text like theirs.
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
from autocomplete.engine.phrases import MAX_WORDS, THRESHOLD
from autocomplete.engine.suggester import Suggester
from autocomplete.evaluation.evaluate import evaluate_suggester, first_words
from autocomplete.personal import fit
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
    return bare.model_probability()


def documents(split: corpus.Split, part: str, max_words: int) -> list[str]:
    """The first documents (blocks) of a part of a split, up to about `max_words` words."""
    found, words = [], 0
    for block in split.blocks[part]:
        if words >= max_words:
            break
        found.append(first_words(" ".join(block), max_words - words))
        words += len(found[-1].split())
    return found


def learn(store: PersonalModel, text: str) -> dict:
    """Learn as `learn` does: a slice set aside, the mix fitted on it."""
    start = time.perf_counter()
    learned = store.learn_text(text, hold_out=True)
    learn_s = time.perf_counter() - start
    fitted = fit.fit_store(store, bare_model())
    stats = store.stats()
    return {
        "learned_words": learned,
        "learn_s": round(learn_s, 1),
        "fit_s": round(time.perf_counter() - start - learn_s, 1),
        "mix": asdict(fitted) if fitted is not None else None,
        "distinct_words": stats.words,
        "contexts": stats.contexts,
        "store_bytes": stats.size_bytes,
    }


def score(make: Callable[[], Suggester], documents: list[str]) -> dict:
    """Each document typed from its start by a fresh Suggester; means weighted by words
    (next@k, phrases offered), characters (savings) or offers (phrases right)."""
    start = time.perf_counter()
    keys = ("words", "chars", "next@1", "next@3", "saved", "saved_phrases", "offered", "right")
    totals: dict[str, float] = dict.fromkeys((*keys, "p95"), 0.0)
    for document in documents:
        suggester = make()

        def phrases(before_cursor: str, finder=suggester.phrases):
            return finder.continuation(before_cursor, MAX_WORDS, THRESHOLD)

        metrics = evaluate_suggester(
            suggester, document, phrases=phrases, phrase_thresholds=(THRESHOLD,)
        )
        (phrase,) = metrics.phrases
        words, chars = metrics.words, len(document)
        offered = phrase.offered * words
        totals["words"] += words
        totals["chars"] += chars
        totals["next@1"] += metrics.top1 * words
        totals["next@3"] += metrics.top3 * words
        totals["saved"] += metrics.keystroke_savings * chars
        totals["saved_phrases"] += phrase.keystroke_savings * chars
        totals["offered"] += offered
        totals["right"] += phrase.whole * offered
        totals["p95"] += metrics.latency_p95_ms * words
    words = totals["words"]
    return {
        "words": int(words),
        "documents": len(documents),
        "next@1": totals["next@1"] / words,
        "next@3": totals["next@3"] / words,
        "keystroke_savings": totals["saved"] / totals["chars"],
        "savings_with_phrases": totals["saved_phrases"] / totals["chars"],
        "phrases_offered": totals["offered"] / words,
        "phrases_right": totals["right"] / totals["offered"] if totals["offered"] else 0.0,
        "latency_p95_ms": totals["p95"] / words,
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
        first = next(iter(by_config.values()))
        lines.append(f"\n{kind} ({first['documents']} documents, {first['words']:,} words)")
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
    parser.add_argument("--learned", default="juridico", help="its train split is learned")
    parser.add_argument(
        "--other",
        nargs="+",
        default=["agencia-brasil", "office-suporte", "camara", "bosque"],
        help="other sources",
    )
    parser.add_argument("--learn-words", type=int, default=100_000)
    parser.add_argument("--max-words", type=int, default=2_000, help="typed per text")
    parser.add_argument(
        "--split", choices=("test", "valid"), default="test", help="valid: to choose by"
    )
    parser.add_argument("--checkpoint", type=Path, default=inference_file.DEFAULT_MODEL)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    loaded = inference_file.read(args.checkpoint)
    learned_split = split_of(args.learned, args.corpus)
    texts = {
        f"same source: {args.learned} ({args.split})": documents(
            learned_split, args.split, args.max_words
        )
    }
    for name in args.other:
        texts[f"another source: {name} ({args.split})"] = documents(
            split_of(name, args.corpus), args.split, args.max_words
        )
    with tempfile.TemporaryDirectory() as folder:
        os.environ[ENVIRONMENT] = folder  # nothing here may touch the user's own store
        store = PersonalModel(Path(folder) / "personal.sqlite3")
        store_stats = learn(store, as_text(learned_split, "train", args.learn_words))
        print(f"learned {args.learned}: {store_stats}", file=sys.stderr)
        results: dict = {"learned": {"source": args.learned, **store_stats}, "texts": {}}
        configs: dict[str, Callable[[], Suggester]] = {
            "bare": lambda: Suggester.from_inference(loaded),
            "bare + cache": lambda: Suggester.from_inference(
                loaded, document_cache=DocumentCache()
            ),
            "learned": lambda: Suggester.from_inference(loaded, personal=store),
            "learned + cache": lambda: Suggester.from_inference(
                loaded, personal=store, document_cache=DocumentCache()
            ),
        }
        results["cache"] = asdict(DocumentCache().parameters)
        for kind, typed in texts.items():
            results["texts"][kind] = {}
            for label, make in configs.items():
                metrics = score(make, typed)
                print(f"{kind} / {label}: {metrics}", file=sys.stderr, flush=True)
                results["texts"][kind][label] = metrics
        store.close()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
