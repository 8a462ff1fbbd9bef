"""Openings of held-out e-mails and messages: each model's top 3 after their first words.

From every document of a source's held-out split, each paragraph's first sentence of four
words or more gives one opening: its first three words are typed (and a space), and the fourth
is the word expected. The rule takes every such opening, so none is picked by hand. Each
checkpoint serves as the editor would with an empty personal vocabulary.

    python benchmarks/openings.py corpus/registro --checkpoint OLD.npz --checkpoint NEW.npz
"""

from __future__ import annotations

import argparse
import sys

from autocomplete import Suggester
from autocomplete.errors import AutocompleteError
from autocomplete.text import WORD, document_paragraphs, sentences
from autocomplete.training import corpus

PROMPT_WORDS = 3


def openings(source_path: str, part: str) -> list[tuple[str, str]]:
    """(prompt, expected word) for each paragraph opening in the held-out part."""
    (source,) = corpus.read_sources([source_path])
    held_out = set(corpus.split(source.documents, source.name).sentences(part))
    result = []
    for document in source.documents:
        for paragraph in document_paragraphs(document.text):
            first = sentences(paragraph)[0]
            words = list(WORD.finditer(first))
            if first not in held_out or len(words) <= PROMPT_WORDS:
                continue
            prompt = first[: words[PROMPT_WORDS - 1].end()] + " "
            result.append((prompt, words[PROMPT_WORDS].group()))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", help="a corpus source folder, e.g. corpus/registro")
    parser.add_argument("--checkpoint", action="append", required=True, help="repeat to compare")
    parser.add_argument("--split", default="test", choices=("valid", "test"))
    args = parser.parse_args(argv)
    try:
        suggesters = [Suggester.load(path, personal=False) for path in args.checkpoint]
        items = openings(args.source, args.split)
    except AutocompleteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print("| typed | expected | " + " | ".join(args.checkpoint) + " |")
    print("|---|---|" + "---|" * len(suggesters))
    hits = [0] * len(suggesters)
    for prompt, expected in items:
        cells = []
        for index, suggester in enumerate(suggesters):
            words = [s.word for s in suggester.suggest(prompt, k=3)]
            hit = expected.lower() in (word.lower() for word in words)
            hits[index] += hit
            cells.append(", ".join(words) + (" ✓" if hit else ""))
        print(f"| {prompt.strip()} | {expected} | " + " | ".join(cells) + " |")
    summary = " | ".join(f"{count}/{len(items)}" for count in hits)
    print(f"| expected word in the top 3 | | {summary} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
