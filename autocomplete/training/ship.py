"""python -m autocomplete.ship RUN: make a trained run's model the one the editor loads.

Training never writes into checkpoints/: its default output is a new folder under runs/.
Replacing the shipped model is this one explicit step. It checks that the new model loads,
gives it a completion lexicon when it has none (built from wordfreq and the model's own
training sources, see lexicon.py), says what it replaces, and writes it atomically as the
inference file numpy serves (inference_file.py), so the editor never sees half a file and
never needs torch.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from autocomplete.engine import inference_file
from autocomplete.engine.lexicon import Lexicon
from autocomplete.errors import AutocompleteError, CheckpointError
from autocomplete.training import build_lexicon as lexicon


def describe(loaded: inference_file.Inference) -> str:
    config = loaded.model.config
    ppl = loaded.metrics.get("best_valid_ppl")
    sources = ", ".join(loaded.train_config.corpus)
    return (
        f"{config.cell.upper()} {config.layers}x{config.hidden}, {config.vocab_size:,} words, "
        f"validation perplexity {ppl if ppl is not None else '?'}, trained on {sources}"
    )


def ship(source: Path, target: Path) -> str:
    """Export `source` over `target` after loading it; returns what was done, in words."""
    if source.is_dir():
        source = source / "model.pt"
    if target.suffix == ".pt":
        raise CheckpointError(f"the shipped model is an .npz inference file, not {target}")
    new = inference_file.read(source)
    previous = target
    replaced = "(nothing there before)"
    if previous.exists():
        try:
            replaced = describe(inference_file.read(previous))
        except AutocompleteError:
            replaced = "(an unreadable file)"
    added = ""
    if new.lexicon is None and (kept := _starting_lexicon(new)) is not None:
        new = dataclasses.replace(new, lexicon=kept)
        added = f"\nwith the lexicon of the model it was fine-tuned from ({len(kept):,} words)"
    if new.lexicon is None:
        words = lexicon.build(corpus_counts=lexicon.training_counts(new.train_config.corpus))
        new = dataclasses.replace(new, lexicon=words)
        added = f"\nwith a completion lexicon of {len(words):,} words: {words.source}"
    inference_file.save(target, new)
    return f"{target} now holds {source}: {describe(new)}{added}\nit replaced: {replaced}"


def _starting_lexicon(new: inference_file.Inference) -> Lexicon | None:
    """The lexicon of the model `new` was fine-tuned from (train --init-from), when both
    have the same vocabulary: a lexicon holds the words beyond the vocabulary, so it fits."""
    start = new.train_config.init_from
    if not start:
        return None
    try:
        initial = inference_file.read(start)
    except AutocompleteError:
        return None
    same = initial.tokenizer.model_bytes == new.tokenizer.model_bytes
    return initial.lexicon if same else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autocomplete.ship",
        description="Replace the shipped model with a trained run's best model.",
    )
    parser.add_argument(
        "run", type=Path, help="a training output folder, its model.pt, or an exported .npz"
    )
    parser.add_argument(
        "--to",
        type=Path,
        default=inference_file.DEFAULT_MODEL,
        help=f"the file to replace (default: the shipped model, {inference_file.DEFAULT_MODEL})",
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
