"""Completion lexicon: common Portuguese words, with their frequencies, beyond the model's ids.

A model completes only the words of its own vocabulary (the 30k commonest of its training
text), so "comput" found nothing. The ranking (ranking.py) also offers the lexicon's words the
model has no id for, at the share of the model's `<unk>` probability that their frequency
gives them. The lexicon lives inside the checkpoint (checkpoint.py) and the inference file
exported from it (inference_file.py): inference needs no other file, and no wordfreq.

Words and frequencies come from the `wordfreq` package's Portuguese list (Robyn Speer et al.,
data CC-BY-SA 4.0, https://github.com/rspeer/wordfreq), needed only to build a lexicon
(`pip install autocomplete[train]`). Its list merges web, subtitle and social-media text, so
it carries names, English and typos; `build` keeps a word only when

- it is one word token for the project's tokenizer, spelled with Portuguese letters (and
  inner hyphens), with a vowel (drops "sql", "vc"), one letter only for "a", "e", "o", "à", "é";
- English does not use it more than three times as often as Portuguese (drops "this",
  "configuration", keeps loans such as "shopping" or "hardware");
- given corpus counts, the corpus writes it in lower case at least `min_count` times: names
  are written with a capital, and one-off typos and foreign fragments rarely recur. Two keeps
  "atenciosamente" (twice in the 8.4M training words of ../shared/corpus) and drops "voce".

Measured with the shipped Machado model on text its counts never saw (the source left out of
them): keystroke savings 25.0% -> 32.5% on office-suporte and 35.9% -> 37.0% on tatoeba with
the corpus rule, 33.2% and 37.2% without it. The corpus rule is worth that small loss: without
it the lexicon offers names in lower case ("lula", "michael"), swearing and European spellings
("projecto", "direcção").

    python -m autocomplete.lexicon CHECKPOINT [--out PATH] [--size N] [--corpus PATH ...]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np

from autocomplete.engine.lexicon import Lexicon
from autocomplete.engine.tokenizer import pretokenize
from autocomplete.errors import AutocompleteError, exit_without_torch
from autocomplete.text import ONE_LETTER_WORDS

DEFAULT_SIZE = 50_000
MIN_COUNT = 2
ENGLISH_RATIO = 3.0
LETTERS = "a-zàáâãçéêíóôõúü"
PORTUGUESE_WORD = re.compile(f"[{LETTERS}]+(?:-[{LETTERS}]+)*")
VOWEL = re.compile("[aeiouàáâãéêíóôõúü]")


def is_lexicon_word(word: str) -> bool:
    """A lower-case Portuguese word as the tokenizer splits words (the first rule of `build`)."""
    return (
        pretokenize(word) == [word]
        and PORTUGUESE_WORD.fullmatch(word) is not None
        and VOWEL.search(word) is not None
        and (len(word) > 1 or word in ONE_LETTER_WORDS)
    )


def lowercase_counts(sentences: Iterable[str]) -> Counter[str]:
    """How often each word token is written in lower case (a name rarely is)."""
    counts: Counter[str] = Counter()
    for sentence in sentences:
        counts.update(token for token in pretokenize(sentence) if token.islower())
    return counts


def build(
    size: int = DEFAULT_SIZE,
    corpus_counts: Mapping[str, int] | None = None,
    min_count: int = MIN_COUNT,
) -> Lexicon:
    """The `size` commonest wordfreq Portuguese words that pass the module docstring's rules.

    Without `corpus_counts` the corpus rule is skipped (more names and noise get in).
    """
    from importlib import metadata  # imported here, like the rest of building: loading a

    try:  # model, which imports this module, needs none of it
        import wordfreq
    except ImportError:
        raise AutocompleteError(
            "building a lexicon needs the wordfreq package: pip install 'autocomplete[train]'"
        ) from None
    portuguese = wordfreq.get_frequency_dict("pt")
    english = wordfreq.get_frequency_dict("en")
    words: list[str] = []
    frequencies: list[float] = []
    for word, frequency in sorted(portuguese.items(), key=lambda item: (-item[1], item[0])):
        if len(words) == size:
            break
        if not is_lexicon_word(word) or english.get(word, 0.0) > ENGLISH_RATIO * frequency:
            continue
        if corpus_counts is not None and corpus_counts.get(word, 0) < min_count:
            continue
        words.append(word)
        frequencies.append(frequency)
    rule = f"English at most {ENGLISH_RATIO:g}x as frequent"
    if corpus_counts is not None:
        rule += f", written in lower case at least {min_count}x in the training corpus"
    source = (
        f"wordfreq {metadata.version('wordfreq')} Portuguese list (Robyn Speer et al., "
        f"data CC-BY-SA 4.0, https://github.com/rspeer/wordfreq); kept: {rule}"
    )
    return Lexicon(words, np.array(frequencies, dtype=np.float32), source)


def training_counts(paths: Iterable[str | Path]) -> Counter[str]:
    """`lowercase_counts` of the training split of each corpus: text held out for scoring
    cannot vouch for the words it is then scored on."""
    from autocomplete.training import corpus  # only building reads corpora (see `build`)

    counts: Counter[str] = Counter()
    for source in corpus.read_sources(paths):
        counts.update(lowercase_counts(corpus.split(source.documents, source.name).train))
    return counts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autocomplete.lexicon",
        description="Build a completion lexicon from wordfreq and store it in a checkpoint.",
    )
    parser.add_argument("checkpoint", type=Path, help="the checkpoint file to add it to")
    parser.add_argument("--out", type=Path, help="write here instead (default: in place)")
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="most words to keep")
    parser.add_argument(
        "--corpus",
        nargs="+",
        metavar="PATH",
        help="keep only words these corpora write in lower case (their training split)",
    )
    parser.add_argument("--min-count", type=int, default=MIN_COUNT, help="with --corpus")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        from autocomplete.training import checkpoint  # imports torch
    except ModuleNotFoundError as missing:
        exit_without_torch(missing, "__main__", "adding a lexicon to a checkpoint")

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.size < 1 or args.min_count < 1:
        parser.error("--size and --min-count must be positive")
    out = args.out or args.checkpoint
    try:
        counts = training_counts(args.corpus) if args.corpus else None
        lexicon = build(args.size, counts, args.min_count)
        checkpoint.attach_lexicon(args.checkpoint, lexicon, out)
    except (AutocompleteError, OSError) as error:  # OSError: the output cannot be written
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{len(lexicon):,} words added to {out}\n{lexicon.source}")
    return 0
