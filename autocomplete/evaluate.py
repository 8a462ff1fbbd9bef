"""python -m autocomplete.evaluate: how well and how fast the model suggests on held-out text.

    python -m autocomplete.evaluate --baseline-corpus ../shared/corpus/machado \\
        ../shared/corpus/machado --max-words 20000

Every metric but perplexity comes from calling `suggest` itself, as the editor does, with the
text before the cursor; `--baseline-corpus` adds a Kneser-Ney trigram trained on that
corpus's train split with the model's own tokenizer, scored the same way.

Which text is held out (`--split`): a FILE (a .txt file or a folder of them) is read whole,
except when it is a corpus one of the models was trained on (the same content fingerprint as
the checkpoint records, or the --baseline-corpus): then only its test split is scored, so
`evaluate CORPUS` never grades a model on its own training text. `--split test` forces the
test split, `--split all` the whole text.

The simulated user types the text character by character. Before each letter of a word they
look at the 3-slot bar; when it shows the word exactly as written they accept it with one
key, which also types the following space (one backspace more when the text goes on with
something else, such as a comma), provided that saves keys. Separators and punctuation are
typed normally. Keystroke savings = 1 - keys pressed / characters in the text.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from autocomplete import checkpoint as checkpoints
from autocomplete import corpus
from autocomplete.checkpoint import Checkpoint
from autocomplete.errors import AutocompleteError, CorpusError
from autocomplete.ngram import KneserNeyTrigram
from autocomplete.personal import PersonalModel
from autocomplete.suggest import Suggester, Suggestion
from autocomplete.tokenizer import EOS_ID, TOKEN, Tokenizer, is_word

SLOTS = 3  # suggestions in the editor's bar
LETTERS_PROBED = 2  # top-3 accuracy is also reported after typing 1 and 2 letters
PERPLEXITY_ROWS = 16  # parallel streams when scoring the model
PERPLEXITY_WINDOW = 256  # tokens per forward call


class SuggestsWords(Protocol):
    def suggest(self, text: str, k: int = 3) -> list[Suggestion]: ...


@dataclass
class Metrics:
    perplexity: float | None  # model only; evaluate_suggester leaves it None
    top1: float  # next word (nothing typed yet) is the first suggestion
    top3: float  # ... is among the 3 suggestions
    top3_after_1: float  # among the 3 after typing its first letter (words of 2+ letters)
    top3_after_2: float  # ... first 2 letters (words of 3+ letters)
    keystroke_savings: float  # 1 - keys pressed / characters, with the 3-slot bar
    latency_p50_ms: float  # per suggest call
    latency_p95_ms: float
    words: int


@dataclass
class _Word:
    """What the simulated user met while typing one word."""

    shown: list[list[str]]  # the bar before each letter typed (0, 1, 2, ... letters)
    keys_saved: int


def evaluate_suggester(
    suggester: SuggestsWords, text: str, max_words: int | None = None
) -> Metrics:
    """Type `text` (its first `max_words` words) through `suggester.suggest` and score it."""
    text = first_words(text, max_words)
    latencies: list[float] = []

    def bar(before_cursor: str) -> list[str]:
        start = time.perf_counter()
        suggestions = suggester.suggest(before_cursor, SLOTS)
        latencies.append(time.perf_counter() - start)
        return [suggestion.word for suggestion in suggestions]

    matches = [match for match in TOKEN.finditer(text) if is_word(match.group())]
    trials = [(m.group(), _type_word(bar, text, m.start(), m.end())) for m in matches]

    def top3_after(letters: int) -> float:
        return _mean([word in t.shown[letters] for word, t in trials if letters < len(t.shown)])

    latency_ms = np.array(latencies) * 1000 if latencies else np.zeros(1)
    return Metrics(
        perplexity=None,
        top1=_mean([trial.shown[0][:1] == [word] for word, trial in trials]),
        top3=top3_after(0),
        top3_after_1=top3_after(1),
        top3_after_2=top3_after(2),
        keystroke_savings=sum(t.keys_saved for _, t in trials) / len(text) if text else 0.0,
        latency_p50_ms=float(np.percentile(latency_ms, 50)),
        latency_p95_ms=float(np.percentile(latency_ms, 95)),
        words=len(trials),
    )


def _type_word(bar: Callable[[str], list[str]], text: str, start: int, end: int) -> _Word:
    """Type text[start:end] letter by letter, accepting it from the bar as soon as that pays.

    Once accepted, the bar is still read up to LETTERS_PROBED letters in, for the metrics.
    """
    word = text[start:end]
    space_follows = text[end : end + 1] == " "
    accept_cost = 1 if space_follows else 2  # the accept key, plus a backspace for its space
    result = _Word(shown=[], keys_saved=0)
    for letters in range(len(word)):
        if result.keys_saved and letters > LETTERS_PROBED:
            break
        shown = bar(text[: start + letters])
        result.shown.append(shown)
        typed_by_accept = end - start - letters + space_follows
        if not result.keys_saved and word in shown and typed_by_accept > accept_cost:
            result.keys_saved = typed_by_accept - accept_cost
    return result


def _mean(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def first_words(text: str, max_words: int | None) -> str:
    """`text` cut just before its word number max_words + 1 (all of it when None)."""
    if max_words is None:
        return text
    count = 0
    for match in TOKEN.finditer(text):
        if is_word(match.group()):
            count += 1
            if count > max_words:
                return text[: match.start()].rstrip()
    return text


def token_stream(tokenizer: Tokenizer, text: str) -> np.ndarray:
    """The ids the models are trained on: each sentence's tokens followed by </s>."""
    paragraphs = corpus.paragraphs(text)
    return tokenizer.encode_sentences(s for p in paragraphs for s in corpus.sentences(p))


@torch.inference_mode()
def perplexity(checkpoint: Checkpoint, text: str) -> float:
    """The model's perplexity on `text`: exp of the mean negative log-likelihood per token.

    The token stream (after a leading </s>) is cut into PERPLEXITY_ROWS contiguous rows run
    side by side, carrying the state from window to window; every token is scored once.
    """
    stream = token_stream(checkpoint.tokenizer, text)
    if len(stream) == 0:
        raise CorpusError("no text to compute a perplexity on")
    ids = torch.from_numpy(np.concatenate([[EOS_ID], stream]).astype(np.int64))
    count = len(stream)
    rows = min(PERPLEXITY_ROWS, count)
    columns = -(-count // rows)
    padding = rows * columns - count
    inputs = torch.nn.functional.pad(ids[:-1], (0, padding)).view(rows, columns)
    targets = torch.nn.functional.pad(ids[1:], (0, padding)).view(rows, columns)
    scored = (torch.arange(rows * columns) < count).view(rows, columns)
    model = checkpoint.model.eval()
    state = None
    total = 0.0
    for begin in range(0, columns, PERPLEXITY_WINDOW):
        window = slice(begin, begin + PERPLEXITY_WINDOW)
        features, state = model.features(inputs[:, window], state)
        mask = scored[:, window]
        if mask.any():
            total += model.loss(features[mask], targets[:, window][mask]).item() * int(mask.sum())
    return math.exp(total / count)


def held_out_text(path: str | Path, split: str, trained_on: set[str]) -> tuple[str, str]:
    """(text, split used) for a FILE argument; see the module docstring for `split`."""
    documents = corpus.read_documents(path)
    if split == "auto":
        split = "test" if corpus.fingerprint(documents) in trained_on else "all"
    if split == "test":
        chosen = corpus.split(documents).test
    else:
        chosen = [
            sentence
            for document in documents
            for paragraph in corpus.paragraphs(document.text)
            for sentence in corpus.sentences(paragraph)
        ]
    if not chosen:
        raise CorpusError(f"{path} has no {split} text to evaluate")
    return " ".join(chosen), split


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autocomplete.evaluate",
        description="Score the model's suggestions (and a trigram baseline) on held-out text.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="a .txt file or folder")
    parser.add_argument("--checkpoint", help="model file (default: the shipped model)")
    parser.add_argument(
        "--baseline-corpus", metavar="PATH", help="train a Kneser-Ney trigram on this corpus"
    )
    parser.add_argument(
        "--split",
        choices=("auto", "test", "all"),
        default="auto",
        help="auto (default): a FILE that is a training corpus is scored on its test split",
    )
    parser.add_argument("--max-words", type=_positive_int, help="score only the first N words")
    parser.add_argument(
        "--personal",
        action="store_true",
        help="also score the model mixed with your personal vocabulary (see autocomplete.learn)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {value}")
    return number


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        results, sources = _run(args)
    except AutocompleteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"text": sources, **results}, indent=2, ensure_ascii=False))
    else:
        print(_table(results, sources))
    return 0


def _run(args: argparse.Namespace) -> tuple[dict[str, dict], list[dict]]:
    path = Path(args.checkpoint) if args.checkpoint else checkpoints.DEFAULT_CHECKPOINT
    loaded = checkpoints.load(path)
    trained_on = {loaded.corpus_fingerprint}
    baseline_documents = None
    if args.baseline_corpus:
        baseline_documents = corpus.read_documents(args.baseline_corpus)
        trained_on.add(corpus.fingerprint(baseline_documents))
    texts, sources = [], []
    for file in args.files:
        text, split = held_out_text(file, args.split, trained_on)
        texts.append(text)
        sources.append({"path": file, "split": split})
    text = first_words(" ".join(texts), args.max_words)

    _note(f"model: {path}")
    model = Suggester(loaded.tokenizer, loaded.model, lexicon=loaded.lexicon)
    results = {"model": asdict(_evaluate(model, text))}
    results["model"]["perplexity"] = perplexity(loaded, text)
    if args.personal:
        personal = PersonalModel()
        _note(f"personal vocabulary: {personal.stats().words:,} words")
        mixed = Suggester(loaded.tokenizer, loaded.model, personal=personal, lexicon=loaded.lexicon)
        results["personal"] = asdict(_evaluate(mixed, text))
    if baseline_documents is not None:
        _note(f"trigram: training on {args.baseline_corpus}")
        sentences = corpus.split(baseline_documents).train
        trigram = KneserNeyTrigram.train(loaded.tokenizer, sentences, loaded.lexicon)
        results["trigram"] = asdict(_evaluate(trigram, text))
        results["trigram"]["perplexity"] = trigram.perplexity(token_stream(loaded.tokenizer, text))
    return results, sources


def _evaluate(suggester: SuggestsWords, text: str) -> Metrics:
    start = time.perf_counter()
    metrics = evaluate_suggester(suggester, text)
    _note(f"  {metrics.words:,} words in {time.perf_counter() - start:.0f} s")
    return metrics


def _note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


ROWS = [
    ("perplexity", "perplexity", "{:.1f}"),
    ("top1", "next word, top-1", "{:.1%}"),
    ("top3", "next word, top-3", "{:.1%}"),
    ("top3_after_1", "top-3 after 1 letter", "{:.1%}"),
    ("top3_after_2", "top-3 after 2 letters", "{:.1%}"),
    ("keystroke_savings", "keystroke savings", "{:.1%}"),
    ("latency_p50_ms", "latency p50 (ms)", "{:.2f}"),
    ("latency_p95_ms", "latency p95 (ms)", "{:.2f}"),
    ("words", "words", "{:,}"),
]


def _table(results: dict[str, dict], sources: list[dict]) -> str:
    lines = [
        "held-out text: " + ", ".join(f"{source['path']} ({source['split']})" for source in sources)
    ]
    width = max(len(label) for _, label, _ in ROWS)
    lines.append(" " * width + "".join(f"{name:>12}" for name in results))
    for key, label, form in ROWS:
        cells = "".join(
            f"{form.format(metrics[key]) if metrics[key] is not None else '-':>12}"
            for metrics in results.values()
        )
        lines.append(f"{label:<{width}}{cells}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
