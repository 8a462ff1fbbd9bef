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

import numpy as np

from autocomplete.engine import inference_file
from autocomplete.engine.runtime import Network
from autocomplete.errors import AutocompleteError, CheckpointError, ConfigError
from autocomplete.training import build_lexicon as lexicon


def describe(loaded: inference_file.Inference) -> str:
    config = loaded.model.config
    ppl = loaded.metrics.get("best_valid_ppl")
    sources = ", ".join(loaded.train_config.corpus)
    return (
        f"{config.cell.upper()} {config.layers}x{config.hidden}, {config.vocab_size:,} words, "
        f"validation perplexity {ppl if ppl is not None else '?'}, trained on {sources}"
    )


def ship(source: Path, target: Path, blend: float = 1.0) -> str:
    """Export `source` over `target` after loading it; returns what was done, in words.

    `blend` < 1 ships `blend` x the fine-tuned weights + (1 - blend) x those of the model it
    was fine-tuned from (weight-space ensembling, Wortsman et al., 2022): most of what the
    fine-tuning taught, little of what it made the model forget."""
    if source.is_dir():
        source = source / "model.pt"
    if target.suffix == ".pt":
        raise CheckpointError(f"the shipped model is an .npz inference file, not {target}")
    if not 0 < blend <= 1:
        raise ConfigError(f"--blend must be in (0, 1], not {blend}")
    new = inference_file.read(source)
    start = _starting_model(new)
    previous = target
    replaced = "(nothing there before)"
    if previous.exists():
        try:
            replaced = describe(inference_file.read(previous))
        except AutocompleteError:
            replaced = "(an unreadable file)"
    added = ""
    if blend < 1:
        if start is None:
            raise ConfigError(
                "--blend needs a model fine-tuned (train --init-from) from a readable one"
            )
        new = _blended(new, start, blend)
        added += f"\n{blend:g} of its weights, {1 - blend:g} of {new.train_config.init_from}'s"
    if new.lexicon is None and start is not None and start.lexicon is not None:
        new = dataclasses.replace(new, lexicon=start.lexicon)
        added += (
            f"\nwith the lexicon of the model it was fine-tuned from ({len(start.lexicon):,} words)"
        )
    if new.lexicon is None:
        words = lexicon.build(corpus_counts=lexicon.training_counts(new.train_config.corpus))
        new = dataclasses.replace(new, lexicon=words)
        added += f"\nwith a completion lexicon of {len(words):,} words: {words.source}"
    inference_file.save(target, new)
    return f"{target} now holds {source}: {describe(new)}{added}\nit replaced: {replaced}"


def _starting_model(new: inference_file.Inference) -> inference_file.Inference | None:
    """The model `new` was fine-tuned from (train --init-from), when it is readable and has
    the same vocabulary (so its lexicon, which holds the words beyond it, fits too)."""
    start = new.train_config.init_from
    if not start:
        return None
    try:
        initial = inference_file.read(start)
    except AutocompleteError:
        return None
    same = initial.tokenizer.model_bytes == new.tokenizer.model_bytes
    return initial if same and initial.model.config == new.model.config else None


def _blended(
    new: inference_file.Inference, start: inference_file.Inference, blend: float
) -> inference_file.Inference:
    weights = {
        name: blend * weight.astype(np.float32)
        + (1 - blend) * start.model.weights[name].astype(np.float32)
        for name, weight in new.model.weights.items()
    }
    return dataclasses.replace(
        new,
        model=Network.from_weights(new.model.config, weights),
        metrics={**new.metrics, "blend_with_start": blend},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autocomplete.ship",
        description="Replace the shipped model with a trained run's best model.",
    )
    parser.add_argument(
        "run", type=Path, help="a training output folder, its model.pt, or an exported .npz"
    )
    parser.add_argument(
        "--blend",
        type=float,
        default=1.0,
        help="ship this share of the fine-tuned weights, the rest from the model it was "
        "fine-tuned from (train --init-from): keeps what that model knew (default: 1)",
    )
    parser.add_argument(
        "--to",
        type=Path,
        default=inference_file.DEFAULT_MODEL,
        help=f"the file to replace (default: the shipped model, {inference_file.DEFAULT_MODEL})",
    )
    args = parser.parse_args(argv)
    try:
        print(ship(args.run, args.to, args.blend))
    except AutocompleteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot write {args.to}: {error.strerror}", file=sys.stderr)
        return 2
    return 0
