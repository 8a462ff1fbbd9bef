"""How much of the held-out modern text each vocabulary size covers.

A word outside the model's vocabulary is read as <unk> in the context and can only be
completed from the lexicon, never predicted. This counts, per vocabulary size, the share of
word tokens in each source's validation split that fall outside the N most frequent words of
the weighted training mix (the same counting as `Tokenizer.train`).

    python benchmarks/vocab_coverage.py ../shared/corpus/machado ../shared/corpus/moderno
"""

from __future__ import annotations

import argparse
from collections import Counter

from autocomplete.config import DEFAULT_WEIGHTS
from autocomplete.engine.tokenizer import SPECIAL_IDS, pretokenize
from autocomplete.text import is_word
from autocomplete.training import corpus

SIZES = (30_000, 40_000, 50_000, 60_000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="+")
    args = parser.parse_args()
    sources = corpus.read_sources(args.corpus)
    splits = {source.name: corpus.split(source.documents, source.name) for source in sources}
    counts = Counter(
        token.lower()
        for sentence in corpus.mix(splits, DEFAULT_WEIGHTS, "train")
        for token in pretokenize(sentence)
    )
    ranked = [word for word, _ in counts.most_common()]
    print(f"{len(ranked):,} distinct tokens in the weighted training mix")
    print(f"{'source':<20}" + "".join(f"{size:>10,}" for size in SIZES) + "   (OOV word tokens)")
    totals = dict.fromkeys(SIZES, 0)
    words_total = 0
    for name, part in splits.items():
        words = [t.lower() for s in part.valid for t in pretokenize(s) if is_word(t)]
        words_total += len(words)
        cells = ""
        for size in SIZES:
            vocabulary = set(ranked[: size - len(SPECIAL_IDS)])
            missing = sum(word not in vocabulary for word in words)
            totals[size] += missing
            cells += f"{missing / len(words):>10.2%}"
        print(f"{name:<20}{cells}")
    print(f"{'all':<20}" + "".join(f"{totals[s] / words_total:>10.2%}" for s in SIZES))


if __name__ == "__main__":
    main()
