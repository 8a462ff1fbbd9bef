"""python -m autocomplete.evaluate: how well and how fast the model suggests on held-out text.

    python -m autocomplete.evaluate --baseline --max-words 5000 --per-source \\
        ../shared/corpus/moderno ../shared/corpus/machado

Every metric but perplexity comes from calling `suggest` itself, as the editor does, with the
text before the cursor; `--baseline` adds a Kneser-Ney trigram trained on the model's own
training sources and weights (`--baseline-corpus PATH` on others), with the model's own
tokenizer, scored the same way.

Which text is held out (`--split`): each source of a FILE (a .txt file, a folder of them, or
a collection folder with a SOURCES.md) is read whole, except when the model or the baseline
was trained on it (the same content fingerprint as the checkpoint records): then only its
test split is scored, so `evaluate CORPUS` never grades a model on its own training text.
`--split test` forces the test split, `--split valid` the validation split (for choosing
settings without touching the test split), `--split all` the whole text. `--max-words N` keeps
the first N words of each source, so a large source does not drown the others.

The simulated user types the text character by character. Before each letter of a word they
look at the 3-slot bar; when it shows the word exactly as written they accept it with one
key, which also types the following space (one backspace more when the text goes on with
something else, such as a comma), provided that saves keys. Separators and punctuation are
typed normally. Keystroke savings = 1 - keys pressed / characters in the text.

Slips: for each word of at least SLIP_WORD_LETTERS letters, the user also types its first
SLIP_LETTERS letters with one slip of the finger (seeded: a neighbouring key on the ABNT2
keyboard, two letters swapped, a letter left out or an extra neighbouring key, never on the
first letter) and, as a control, the same letters clean; reported is how often the word is
among the 3 suggestions after each.

Phrases (phrases.py), per threshold: at each word start the user also sees the phrase on
offer, if any (the next word and at least one more word or the sentence's final mark). When
it is exactly what the text says next, they accept it all with one key (plus a backspace
when no space follows), and go on after it; otherwise they type the word as above. Reported:
how often a phrase is offered, how often its first two tokens and all of it are exactly
right (precision), and the keystroke savings with phrases. Every configuration of the LSTM
is scored so: with --personal, the user's own phrases (personal/phrases.py) are offered first,
as in the editor.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol

import numpy as np

from autocomplete import SLOTS
from autocomplete.engine import inference_file, register_counts
from autocomplete.engine.document_cache import DocumentCache
from autocomplete.engine.inference_file import Inference
from autocomplete.engine.ngram import KneserNeyTrigram
from autocomplete.engine.phrases import MAX_WORDS, Continuation
from autocomplete.engine.suggester import SLIPS, Suggester, Suggestion
from autocomplete.engine.tokenizer import EOS_ID, TOKEN, Tokenizer, fold
from autocomplete.engine.typos import NEIGHBOURS
from autocomplete.errors import AutocompleteError, CorpusError
from autocomplete.personal.store import PersonalModel
from autocomplete.text import is_word
from autocomplete.training import corpus

LETTERS_PROBED = 2  # top-3 accuracy is also reported after typing 1 and 2 letters
SLIP_LETTERS = 4  # top-3 after this many letters typed with one slip, and clean
SLIP_WORD_LETTERS = 6  # words long enough that even a left-out letter leaves a prefix
SLIP_SEED = 23
PERPLEXITY_ROWS = 16  # parallel streams when scoring the model
PERPLEXITY_WINDOW = 256  # tokens per forward call
PHRASE_THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


class SuggestsWords(Protocol):
    def suggest(self, text: str, k: int = 3) -> list[Suggestion]: ...


@dataclass
class Metrics:
    perplexity: float | None  # model only; evaluate_suggester leaves it None
    top1: float  # next word (nothing typed yet) is the first suggestion
    top3: float  # ... is among the 3 suggestions
    top3_after_1: float  # among the 3 after typing its first letter (words of 2+ letters)
    top3_after_2: float  # ... first 2 letters (words of 3+ letters)
    top3_after_slip: float  # ... first 4 letters typed with one slip (words of 6+ letters)
    top3_after_4_clean: float  # ... the same words' first 4 letters typed right (control)
    keystroke_savings: float  # 1 - keys pressed / characters, with the 3-slot bar
    latency_p50_ms: float  # per suggest call
    latency_p95_ms: float
    words: int
    phrases: list[PhraseMetrics] = field(default_factory=list)  # one per threshold


@dataclass
class PhraseMetrics:
    threshold: float
    offered: float  # share of word starts where a phrase is offered
    first_two: float  # share of those whose first two tokens are exactly what the text says
    whole: float  # ... whose every token is
    keystroke_savings: float  # with phrases accepted when exactly right (see module doc)


@dataclass
class _Word:
    """What the simulated user met while typing one word."""

    shown: list[list[str]]  # the bar before each letter typed (0, 1, 2, ... letters)
    keys_saved: int


def evaluate_suggester(
    suggester: SuggestsWords,
    text: str,
    max_words: int | None = None,
    phrases: Callable[[str], Continuation | None] | None = None,
    phrase_thresholds: Sequence[float] = PHRASE_THRESHOLDS,
) -> Metrics:
    """Type `text` (its first `max_words` words) through `suggester.suggest` and score it;
    with `phrases` (text before the cursor -> its continuation), phrases too."""
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

    def top3_after_typing(typed: Callable[[str], str]) -> float:
        """Whether each long word is among the 3 after typing `typed(word)` (not timed: the
        latency is the simulated user's, typing the text as written)."""
        return _mean(
            [
                word in [s.word for s in suggester.suggest(text[:start] + typed(word), SLOTS)]
                for word, start in long_words
            ]
        )

    long_words = [(m.group(), m.start()) for m in matches if len(m.group()) >= SLIP_WORD_LETTERS]
    slips = random.Random(SLIP_SEED)

    latency_ms = np.array(latencies) * 1000 if latencies else np.zeros(1)
    phrase_metrics = []
    if phrases is not None:
        starts = [match.start() for match in matches]
        offers = [phrases(text[:start]) for start in starts]
        saved = [trial.keys_saved for _, trial in trials]
        phrase_metrics = [
            _phrase_metrics(text, starts, saved, offers, threshold)
            for threshold in phrase_thresholds
        ]
    return Metrics(
        perplexity=None,
        top1=_mean([trial.shown[0][:1] == [word] for word, trial in trials]),
        top3=top3_after(0),
        top3_after_1=top3_after(1),
        top3_after_2=top3_after(2),
        top3_after_slip=top3_after_typing(lambda w: with_slip(w[: SLIP_LETTERS + 1], slips)),
        top3_after_4_clean=top3_after_typing(lambda w: w[:SLIP_LETTERS]),
        keystroke_savings=sum(t.keys_saved for _, t in trials) / len(text) if text else 0.0,
        latency_p50_ms=float(np.percentile(latency_ms, 50)),
        latency_p95_ms=float(np.percentile(latency_ms, 95)),
        words=len(trials),
        phrases=phrase_metrics,
    )


def with_slip(start: str, rng: random.Random) -> str:
    """The first len(start) - 1 letters of `start` as typed with one slip of the finger, never
    on the first letter: a neighbouring key, two letters swapped (two equal letters take a
    neighbouring key instead), a letter left out (the one after them comes in) or an extra
    neighbouring key."""
    letters = len(start) - 1
    kind = rng.choice(("neighbour", "swap", "missing", "extra"))
    if kind == "swap":
        at = rng.randrange(1, letters - 1)
        if start[at] != start[at + 1]:
            return start[:at] + start[at + 1] + start[at] + start[at + 2 : letters]
    at = rng.randrange(1, letters)
    if kind == "missing":
        return start[:at] + start[at + 1 :]
    key = rng.choice(sorted(NEIGHBOURS.get(fold(start[at]), "x")))
    if kind == "extra":
        return start[:at] + key + start[at : letters - 1]
    return start[:at] + key + start[at + 1 : letters]


def _phrase_metrics(
    text: str,
    starts: list[int],
    saved: list[int],
    offers: list[Continuation | None],
    threshold: float,
) -> PhraseMetrics:
    """Phrases cut at `threshold` at each word start (`starts`); `saved`: the keys each word
    saves without phrases."""
    phrases = [offer.phrase(threshold) if offer is not None else None for offer in offers]
    offered = [(i, phrase) for i, phrase in enumerate(phrases) if phrase is not None]
    # An offered phrase's first two tokens all reach the threshold: cut at 0 they stay.
    first_two = [(i, Continuation(offers[i].tokens[:2], 0).phrase(0.0)) for i, _ in offered]
    total_saved = 0
    word = 0
    while word < len(starts):
        phrase, start = phrases[word], starts[word]
        if phrase is not None and _written_at(text, start, phrase.text):
            end = start + len(phrase.text)
            space_follows = text[end : end + 1] == " "
            total_saved += len(phrase.text) + space_follows - (1 if space_follows else 2)
            while word < len(starts) and starts[word] < end:
                word += 1
        else:
            total_saved += saved[word]
            word += 1
    return PhraseMetrics(
        threshold=threshold,
        offered=len(offered) / len(starts) if starts else 0.0,
        first_two=_mean([_written_at(text, starts[i], phrase.text) for i, phrase in first_two]),
        whole=_mean([_written_at(text, starts[i], phrase.text) for i, phrase in offered]),
        keystroke_savings=total_saved / len(text) if text else 0.0,
    )


def _written_at(text: str, start: int, piece: str) -> bool:
    """Whether `text` goes on from `start` with exactly `piece`, ending at a word's end."""
    end = start + len(piece)
    return text.startswith(piece, start) and not text[end : end + 1].isalnum()


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
    paragraphs = corpus.document_paragraphs(text)
    return tokenizer.encode_sentences(s for p in paragraphs for s in corpus.sentences(p))


def perplexity(loaded: Inference, text: str) -> float:
    """The model's perplexity on `text`: exp of the mean negative log-likelihood per token.

    The token stream (after a leading </s>) is cut into PERPLEXITY_ROWS contiguous rows run
    side by side, carrying the state from window to window; every token is scored once.
    """
    stream = token_stream(loaded.tokenizer, text)
    if len(stream) == 0:
        raise CorpusError("no text to compute a perplexity on")
    ids = np.concatenate([[EOS_ID], stream]).astype(np.int64)
    count = len(stream)
    rows = min(PERPLEXITY_ROWS, count)
    columns = -(-count // rows)
    padding = rows * columns - count
    inputs = np.pad(ids[:-1], (0, padding)).reshape(rows, columns)
    targets = np.pad(ids[1:], (0, padding)).reshape(rows, columns)
    scored = (np.arange(rows * columns) < count).reshape(rows, columns)
    state = None
    total = 0.0
    for begin in range(0, columns, PERPLEXITY_WINDOW):
        window = slice(begin, begin + PERPLEXITY_WINDOW)
        features, state = loaded.model.features(inputs[:, window], state)
        mask = scored[:, window]
        log_probs = loaded.model.target_log_probs(features[mask], targets[:, window][mask])
        total -= float(log_probs.sum(dtype=np.float64))
    return math.exp(total / count)


def held_out_texts(
    path: str | Path,
    split: str,
    trained_on: set[str],
    max_words: int | None = None,
    known_splits: dict[tuple[str, str], corpus.Split] | None = None,
) -> list[tuple[str, str, str]]:
    """(source name, text, split used) for each source of a FILE argument, each cut to its
    first `max_words` words; see the module docstring for `split`. `known_splits` (by source
    name and fingerprint) saves cleaning and splitting a source a second time."""
    known_splits = known_splits or {}
    result = []
    for source in corpus.read_sources([path]):
        chosen_split = split
        if split == "auto":
            chosen_split = "test" if source.fingerprint in trained_on else "all"
        if chosen_split in ("valid", "test"):
            known = known_splits.get((source.name, source.fingerprint))
            chosen = getattr(known or corpus.split(source.documents, source.name), chosen_split)
        else:
            chosen = [
                sentence
                for document in source.documents
                for paragraph in corpus.document_paragraphs(document.text)
                for sentence in corpus.sentences(paragraph)
            ]
        if not chosen:
            raise CorpusError(f"{path} ({source.name}) has no {chosen_split} text to evaluate")
        result.append((source.name, first_words(" ".join(chosen), max_words), chosen_split))
    return result


def held_out_text(
    path: str | Path, split: str, trained_on: set[str], max_words: int | None = None
) -> tuple[str, str]:
    """(text, split used) of all the sources of a FILE argument together."""
    texts = held_out_texts(path, split, trained_on, max_words)
    return "\n".join(text for _, text, _ in texts), texts[0][2]


def trained_fingerprints(loaded: Inference) -> set[str]:
    """Fingerprints of the sources a checkpoint was trained on (whole corpus for old ones)."""
    sources = loaded.metrics.get("source_fingerprints", {})
    return {loaded.corpus_fingerprint, *(sources.values() if isinstance(sources, dict) else ())}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autocomplete.evaluate",
        description="Score the model's suggestions (and a trigram baseline) on held-out text.",
    )
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="a .txt file or folder (a folder with a SOURCES.md: each subfolder is a source)",
    )
    parser.add_argument(
        "--checkpoint",
        help="model file: an exported .npz, or a training checkpoint .pt, which needs torch "
        "(default: the shipped model)",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="add a Kneser-Ney trigram trained on the model's own training sources and weights",
    )
    parser.add_argument(
        "--baseline-corpus",
        action="append",
        metavar="PATH",
        help="... trained on this source instead (repeat for several), with the model's weights",
    )
    parser.add_argument(
        "--split",
        choices=("auto", "valid", "test", "all"),
        default="auto",
        help="auto (default): a source the model was trained on is scored on its test split",
    )
    parser.add_argument(
        "--max-words", type=_positive_int, help="score only the first N words of each source"
    )
    parser.add_argument(
        "--per-source", action="store_true", help="also score each source on its own"
    )
    parser.add_argument(
        "--personal",
        action="store_true",
        help="also score the model mixed with your personal vocabulary "
        "(see python -m autocomplete.learn)",
    )
    parser.add_argument(
        "--store",
        type=Path,
        metavar="PATH",
        help="with --personal: this personal store file instead of yours (e.g. one that "
        "`AUTOCOMPLETE_DATA_DIR=DIR python -m autocomplete.learn FILES` filled in DIR)",
    )
    parser.add_argument(
        "--cache",
        action="store_true",
        help="also score with the document cache (the words of the text typed so far), "
        "and with --personal, the personal vocabulary and the cache together",
    )
    parser.add_argument(
        "--phrase-thresholds",
        type=_thresholds,
        default=PHRASE_THRESHOLDS,
        metavar="T,T,...",
        help="phrase completion: the thresholds to score, comma-separated (default: "
        f"{','.join(map(str, PHRASE_THRESHOLDS))}); 'none' skips phrases",
    )
    parser.add_argument(
        "--no-slips",
        action="store_true",
        help="offer no corrections of slips of the finger (the model as before them)",
    )
    parser.add_argument(
        "--no-register",
        action="store_true",
        help="leave out the register's counts beside the model file (e-mail and chat "
        "formulas, engine/register_counts.py): the network alone",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser


def _positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {value}")
    return number


def _thresholds(value: str) -> tuple[float, ...]:
    if value == "none":
        return ()
    try:
        thresholds = tuple(float(part) for part in value.split(","))
    except ValueError:
        thresholds = ()
    if not thresholds or not all(0 <= t <= 1 for t in thresholds):
        raise argparse.ArgumentTypeError(f"expected probabilities like 0.3,0.5, not {value}")
    return thresholds


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        results, sources, per_source = _run(args)
    except AutocompleteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        report = {"text": sources, **results}
        if per_source:
            report["per_source"] = per_source
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(_tables(results, sources))
        for name, source_results in per_source.items():
            print(f"\n{name}\n" + _tables(source_results, []))
    return 0


def _run(args: argparse.Namespace) -> tuple[dict[str, dict], list[dict], dict[str, dict]]:
    path = Path(args.checkpoint) if args.checkpoint else inference_file.DEFAULT_MODEL
    loaded = inference_file.read(path)
    trained_on = trained_fingerprints(loaded)
    baseline_paths = args.baseline_corpus or (loaded.train_config.corpus if args.baseline else [])
    baseline_sources = corpus.read_sources(baseline_paths) if baseline_paths else []
    trained_on |= {source.fingerprint for source in baseline_sources}
    # Split once: the baseline trains on these splits and a FILE often is one of its sources.
    known_splits = {
        (s.name, s.fingerprint): corpus.split(s.documents, s.name) for s in baseline_sources
    }
    texts: dict[str, str] = {}
    sources = []
    for file in args.files:
        held_out = held_out_texts(file, args.split, trained_on, args.max_words, known_splits)
        for name, text, split in held_out:
            texts[name] = text
            sources.append({"path": file, "source": name, "split": split})

    _note(f"model: {path}")
    slips = None if args.no_slips else SLIPS
    register = None if args.no_register else register_counts.beside(path)
    if register is not None:
        _note(f"register counts: {register_counts.FILE_NAME} beside the model")
    serve = partial(Suggester.from_inference, loaded, slips=slips, register=register)
    models: dict[str, SuggestsWords] = {"model": serve()}
    perplexities: dict[str, Callable[[str], float]] = {"model": partial(perplexity, loaded)}
    personal = None
    if args.personal:
        personal = PersonalModel(args.store) if args.store else PersonalModel()
        _note(f"personal vocabulary: {personal.stats().words:,} words ({personal.path})")
        models["personal"] = serve(personal=personal)
    if args.cache:
        models["cache"] = serve(document_cache=DocumentCache())
        if personal is not None:
            models["personal+cache"] = serve(personal=personal, document_cache=DocumentCache())
    if baseline_sources:
        _note(f"trigram: training on {' '.join(baseline_paths)}")
        splits = {s.name: known_splits[s.name, s.fingerprint] for s in baseline_sources}
        weights = {n: w for n, w in loaded.train_config.weights.items() if n in splits}
        trigram = KneserNeyTrigram.train(loaded.tokenizer, corpus.mix(splits, weights, "train"))
        models["trigram"] = Suggester(
            loaded.tokenizer, trigram, name="trigram", lexicon=loaded.lexicon, slips=slips
        )
        perplexities["trigram"] = lambda text: trigram.perplexity(
            token_stream(loaded.tokenizer, text)
        )

    thresholds = args.phrase_thresholds

    def phrases(suggester: Suggester) -> Callable[[str], Continuation | None] | None:
        """The phrases `suggester` offers (the user's own too, with a personal store), scored
        for every configuration of the LSTM; none for the trigram baseline."""
        if not thresholds or suggester is models.get("trigram"):
            return None
        finder = suggester.phrases
        return lambda before_cursor: finder.continuation(before_cursor, MAX_WORDS, min(thresholds))

    def score(text: str) -> dict[str, dict]:
        results = {}
        for label, model in models.items():
            with_phrases = phrases(model)
            results[label] = asdict(_evaluate(model, text, with_phrases, thresholds))
            if label in perplexities:
                results[label]["perplexity"] = perplexities[label](text)
        return results

    per_source = {name: score(text) for name, text in texts.items()} if args.per_source else {}
    return score("\n".join(texts.values())), sources, per_source


def _evaluate(
    suggester: SuggestsWords,
    text: str,
    phrases: Callable[[str], Continuation | None] | None,
    thresholds: Sequence[float],
) -> Metrics:
    start = time.perf_counter()
    metrics = evaluate_suggester(suggester, text, phrases=phrases, phrase_thresholds=thresholds)
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
    ("top3_after_slip", "top-3 after 4 letters, one slip", "{:.1%}"),
    ("top3_after_4_clean", "top-3 after 4 letters, clean", "{:.1%}"),
    ("keystroke_savings", "keystroke savings", "{:.1%}"),
    ("latency_p50_ms", "latency p50 (ms)", "{:.2f}"),
    ("latency_p95_ms", "latency p95 (ms)", "{:.2f}"),
    ("words", "words", "{:,}"),
]


def _table(results: dict[str, dict], sources: list[dict]) -> str:
    lines = (
        ["held-out text: " + ", ".join(f"{s['source']} ({s['split']})" for s in sources)]
        if sources
        else []
    )
    width = max(len(label) for _, label, _ in ROWS)
    lines.append(" " * width + "".join(f"{name:>12}" for name in results))
    for key, label, form in ROWS:
        cells = "".join(
            f"{form.format(metrics[key]) if metrics[key] is not None else '-':>12}"
            for metrics in results.values()
        )
        lines.append(f"{label:<{width}}{cells}")
    return "\n".join(lines)


def _tables(results: dict[str, dict], sources: list[dict]) -> str:
    """The metrics table, then a phrase table for each model scored on phrases."""
    tables = [_table(results, sources)]
    tables += [_phrase_table(label, m) for label, m in results.items() if m.get("phrases")]
    return "\n\n".join(tables)


def _phrase_table(label: str, metrics: dict) -> str:
    """One row per threshold: how often a phrase is offered, its precision, the savings."""
    lines = [
        f"phrases ({label}; keystroke savings without phrases: {metrics['keystroke_savings']:.1%})",
        f"{'threshold':>10}{'offered':>10}{'first 2 right':>15}{'all right':>11}{'savings':>10}",
    ]
    for row in metrics["phrases"]:
        lines.append(
            f"{row['threshold']:>10.2f}{row['offered']:>10.1%}{row['first_two']:>15.1%}"
            f"{row['whole']:>11.1%}{row['keystroke_savings']:>10.1%}"
        )
    return "\n".join(lines)
