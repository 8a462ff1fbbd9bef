"""python -m autocomplete.ship RUN: make a trained run's model the one the editor loads.

Training never writes into checkpoints/: its default output is a new folder under runs/.
Replacing the shipped model is this one explicit step. It checks that the new model loads,
gives it a completion lexicon when it has none (built from wordfreq and the model's own
training sources, see lexicon.py), says what it replaces, and writes it atomically, so the
editor never sees half a file.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from autocomplete import checkpoint, lexicon
from autocomplete.atomic import atomic_write
from autocomplete.errors import AutocompleteError


def describe(loaded: checkpoint.Checkpoint) -> str:
    config = loaded.model.config
    ppl = loaded.metrics.get("best_valid_ppl")
    sources = ", ".join(loaded.train_config.corpus)
    return (
        f"{config.cell.upper()} {config.layers}x{config.hidden}, {config.vocab_size:,} words, "
        f"validation perplexity {ppl if ppl is not None else '?'}, trained on {sources}"
    )


def ship(source: Path, target: Path) -> str:
    """Copy `source` over `target` after loading it; returns what was done, in words."""
    if source.is_dir():
        source = source / "model.pt"
    new = checkpoint.load(source)
    replaced = "(nothing there before)"
    if target.exists():
        try:
            replaced = describe(checkpoint.load(target))
        except AutocompleteError:
            replaced = "(an unreadable file)"
    if new.lexicon is None:
        words = lexicon.build(corpus_counts=lexicon.training_counts(new.train_config.corpus))
        checkpoint.attach_lexicon(source, words, out=target)
        added = f"\nwith a completion lexicon of {len(words):,} words: {words.source}"
    else:
        with source.open("rb") as data:
            atomic_write(target, lambda file: shutil.copyfileobj(data, file))
        added = ""
    return f"{target} now holds {source}: {describe(new)}{added}\nit replaced: {replaced}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autocomplete.ship",
        description="Replace the shipped model with a trained run's best model.",
    )
    parser.add_argument("run", type=Path, help="a training output folder, or its model.pt")
    parser.add_argument(
        "--to",
        type=Path,
        default=checkpoint.DEFAULT_CHECKPOINT,
        help=f"the file to replace (default: the shipped model, {checkpoint.DEFAULT_CHECKPOINT})",
    )
    args = parser.parse_args(argv)
    try:
        print(ship(args.run, args.to))
    except AutocompleteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot write {args.to}: {error.strerror}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
