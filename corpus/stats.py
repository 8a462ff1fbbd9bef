"""How varied the project's own register corpus is: documents, words, situations, distinct
sentences and word trigrams, and the most repeated of each.

    python corpus/stats.py corpus/registro corpus/registro_teste [--top 15] [--json]

A document is one .txt file, and each file is one situation (its name says which). Sentences
and words are cut by the same rules the training reader uses, so the figures describe what the
model is trained on. Sign-off and greeting lines ("Atenciosamente,", "Um abraço,") are formulas
and are expected among the most repeated sentences; body sentences should not repeat.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from autocomplete.errors import CorpusError
from autocomplete.text import WORD, document_paragraphs, sentences
from autocomplete.text_files import read_documents


def corpus_stats(folders: list[str], top: int) -> dict:
    documents = [document for folder in folders for document in read_documents(folder)]
    sentence_counts: Counter[str] = Counter()
    trigram_counts: Counter[tuple[str, ...]] = Counter()
    words = 0
    for document in documents:
        for paragraph in document_paragraphs(document.text):
            for sentence in sentences(paragraph):
                sentence_counts[sentence] += 1
                tokens = [match.group().lower() for match in WORD.finditer(sentence)]
                words += len(tokens)
                trigram_counts.update(zip(tokens, tokens[1:], tokens[2:], strict=False))
    situations = {Path(document.name).stem.split("-", 1)[-1] for document in documents}
    repeated = [(s, n) for s, n in sentence_counts.most_common(top) if n > 1]
    long_repeated = [s for s, n in sentence_counts.items() if n > 1 and len(s.split()) > 4]
    return {
        "documents": len(documents),
        "situations": len(situations),
        "words": words,
        "sentences": sum(sentence_counts.values()),
        "distinct_sentences": len(sentence_counts),
        "repeated_sentences_over_4_words": len(long_repeated),
        "trigrams": sum(trigram_counts.values()),
        "distinct_trigrams": len(trigram_counts),
        "most_repeated_sentences": repeated,
        "most_repeated_trigrams": [(" ".join(t), n) for t, n in trigram_counts.most_common(top)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--top", type=int, default=15, help="how many repeated items to list")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    try:
        stats = corpus_stats(args.folders, args.top)
    except CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=1))
        return 0
    for key, value in stats.items():
        if isinstance(value, list):
            print(f"{key.replace('_', ' ')}:")
            for item, count in value:
                print(f"  {count:5d}  {item}")
        else:
            print(f"{key.replace('_', ' ')}: {value:,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
