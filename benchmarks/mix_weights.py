"""Choose the sources' sampling weights by held-out perplexity on the modern sources.

A Kneser-Ney trigram stands in for the LSTM: it trains in seconds, so every candidate mix
gets its own model, and its perplexity follows the data the same way. One vocabulary (from
the unweighted mix) serves every candidate, so their perplexities compare. The score of a
mix is the geometric mean of its per-source validation perplexities over the everyday
sources (EVERYDAY); the mean over all modern sources is shown too. Each source counts once,
however large its folder.

    python benchmarks/mix_weights.py ../shared/corpus/machado ../shared/corpus/moderno
"""

from __future__ import annotations

import argparse
import json
import math
import time

import numpy as np

from autocomplete.config import DEFAULT_WEIGHTS
from autocomplete.engine.ngram import KneserNeyTrigram
from autocomplete.engine.tokenizer import Tokenizer
from autocomplete.training import corpus

VALID_TOKENS = 15_000  # per source: enough for a stable perplexity, fast enough for many mixes


TECHNICAL = (
    "python-docs", "juridico", "manpages", "libreoffice-ajuda", "debian-manuais", "gimp-ajuda",
    "mozilla-interface",
)  # fmt: skip
# What a person types today is closest to these: conversation, mail support, news, speech.
EVERYDAY = (
    "tatoeba",
    "office-suporte",
    "agencia-brasil",
    "bosque",
    "gnome-ajuda",
    "senado",
    "camara",
)


def candidates() -> dict[str, dict[str, float]]:
    """Mixes to compare. Weights stay <= 1: a trigram's discounts come from counts of counts,
    which repeated blocks would distort (the LSTM does not have that problem, so the chosen
    proportions are scaled up for it afterwards)."""
    return {
        "natural sizes": {},
        "no machado": {"machado": 0.0},
        "technical 0.5": dict.fromkeys(TECHNICAL, 0.5),
        "technical 0.3": dict.fromkeys(TECHNICAL, 0.3),
        "senado 0.5": {"senado": 0.5},
        "senado 0.5, technical 0.5": {"senado": 0.5, **dict.fromkeys(TECHNICAL, 0.5)},
        "senado 0.35 camara 0.7, technical 0.5": {
            "senado": 0.35, "camara": 0.7, **dict.fromkeys(TECHNICAL, 0.5)
        },
        "senado 0.5, technical 0.5, machado 0.6": {
            "senado": 0.5, "machado": 0.6, **dict.fromkeys(TECHNICAL, 0.5)
        },
        # The project's own everyday messages (corpus/cotidiano), in and out of the chosen mix.
        "chosen, without cotidiano": {**DEFAULT_WEIGHTS, "cotidiano": 0.0},
        "chosen (config.py)": DEFAULT_WEIGHTS,
    }  # fmt: skip


def geomean(values) -> float:
    return math.exp(np.mean([math.log(value) for value in values]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="+")
    parser.add_argument("--vocab-size", type=int, default=30_000)
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--only", help="run only the mixes whose label contains this")
    args = parser.parse_args()

    sources = corpus.read_sources(args.corpus)
    splits = {source.name: corpus.split(source.documents, source.name) for source in sources}
    tokenizer = Tokenizer.train(corpus.mix(splits, {}, "train"), args.vocab_size)
    modern = [name for name in splits if name not in ("machado", "cotidiano")]
    valid = {name: tokenizer.encode_sentences(splits[name].valid)[:VALID_TOKENS] for name in splits}
    results = {}
    for label, weights in candidates().items():
        if args.only and args.only not in label:
            continue
        start = time.perf_counter()
        stream = tokenizer.encode_sentences(corpus.mix(splits, weights, "train"))
        model = KneserNeyTrigram.from_ids(tokenizer, stream)
        per_source = {name: model.perplexity(valid[name]) for name in splits}
        score = geomean(per_source[name] for name in modern)
        everyday = geomean(per_source[name] for name in EVERYDAY if name in per_source)
        results[label] = {
            "weights": weights,
            "train_tokens": len(stream),
            "everyday_geomean_ppl": everyday,
            "modern_geomean_ppl": score,
            "per_source_ppl": per_source,
        }
        print(
            f"{label:<40} everyday {everyday:6.1f}  all modern {score:6.1f}"
            f"  machado {per_source.get('machado', 0):7.1f}"
            f"  tokens {len(stream):>10,}  ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    print("\nper source (valid perplexity):")
    print(" " * 40 + "".join(f"{name[:9]:>10}" for name in splits))
    for label, result in results.items():
        cells = "".join(f"{result['per_source_ppl'][name]:10.0f}" for name in splits)
        print(f"{label:<40}{cells}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(results, file, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
