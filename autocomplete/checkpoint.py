"""One checkpoint file: weights, configs, tokenizer, metrics and corpus fingerprint.

Files are written atomically (temporary file in the same folder, fsync, rename), so a crash
or `kill -9` mid-write leaves the previous file intact. They are read with
`torch.load(weights_only=True)`, which never runs pickled code, and validated before use.

An optional completion lexicon (lexicon.py) is stored as plain tensors under "lexicon":
"words" (uint8, the newline-joined UTF-8 words), "frequencies" (float32) and "source" (its
attribution). Files without one load as before.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from autocomplete.atomic import atomic_write
from autocomplete.config import ModelConfig, TrainConfig, from_dict
from autocomplete.errors import CheckpointError, ConfigError
from autocomplete.lexicon import Lexicon
from autocomplete.model import WordLM
from autocomplete.tokenizer import Tokenizer

FORMAT_NAME = "autocomplete-wordlm"
FORMAT_VERSION = 1


@dataclass
class Checkpoint:
    model: WordLM
    tokenizer: Tokenizer
    train_config: TrainConfig
    metrics: dict[str, Any] = field(default_factory=dict)
    corpus_fingerprint: str = ""
    # Resume state, present only in train_state.pt files.
    training: dict[str, Any] | None = None
    lexicon: Lexicon | None = None  # completion words beyond the vocabulary


def save(
    path: str | Path,
    checkpoint: Checkpoint,
    dtype: torch.dtype = torch.float32,
) -> None:
    weights = {
        name: tensor.detach().to("cpu", dtype=dtype if tensor.is_floating_point() else None)
        for name, tensor in checkpoint.model.state_dict().items()
    }
    payload = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "model_config": asdict(checkpoint.model.config),
        "train_config": asdict(checkpoint.train_config),
        "tokenizer": checkpoint.tokenizer.state(),
        "metrics": checkpoint.metrics,
        "corpus_fingerprint": checkpoint.corpus_fingerprint,
        "weights": weights,
    }
    if checkpoint.training is not None:
        payload["training"] = checkpoint.training
    if checkpoint.lexicon is not None:
        payload["lexicon"] = _lexicon_payload(checkpoint.lexicon)
    atomic_write(Path(path), lambda file: torch.save(payload, file))


def attach_lexicon(path: str | Path, lexicon: Lexicon, out: str | Path | None = None) -> None:
    """Store `lexicon` in the checkpoint at `path` (replacing any), written atomically to `out`
    (default: `path` itself). Everything else is kept as stored, float16 weights included."""
    payload = _read_payload(Path(path))
    payload["lexicon"] = _lexicon_payload(lexicon)
    atomic_write(Path(out or path), lambda file: torch.save(payload, file))


def _lexicon_payload(lexicon: Lexicon) -> dict[str, Any]:
    words = np.frombuffer(lexicon.packed_words(), dtype=np.uint8).copy()
    return {
        "words": torch.from_numpy(words),
        "frequencies": torch.from_numpy(lexicon.frequencies.astype(np.float32)),
        "source": lexicon.source,
    }


def _lexicon_from_payload(entry: Any) -> Lexicon:
    if not isinstance(entry, dict):
        raise TypeError("lexicon is not a dictionary")
    words, frequencies = entry["words"], entry["frequencies"]
    for tensor, dtype in ((words, torch.uint8), (frequencies, torch.float32)):
        if not isinstance(tensor, torch.Tensor) or tensor.dtype != dtype or tensor.dim() != 1:
            raise TypeError(f"lexicon arrays must be 1-D {dtype} tensors")
    return Lexicon.unpack(words.numpy().tobytes(), frequencies.numpy(), str(entry["source"]))


def _read_payload(path: Path) -> dict[str, Any]:
    """The stored dictionary, once it is known to be a checkpoint this program can read."""
    if not path.exists():
        raise CheckpointError(f"checkpoint not found: {path}")
    if path.is_dir():
        raise CheckpointError(f"checkpoint is a folder, not a file: {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for truncated/foreign files
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        raise CheckpointError(f"cannot read checkpoint {path}: {first_line[:200]}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
        raise CheckpointError(f"{path} is not an autocomplete checkpoint")
    version = payload.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has format version {version}; this program reads up to {FORMAT_VERSION}"
        )
    return payload


def load(path: str | Path, device: str | torch.device = "cpu") -> Checkpoint:
    """Load and validate a checkpoint; every problem becomes a one-line CheckpointError."""
    path = Path(path)
    payload = _read_payload(path)
    try:
        model_config = from_dict(ModelConfig, payload["model_config"])
        if model_config.output != "softmax":  # older files recorded it where it did nothing
            model_config.tie_weights = False
        model = WordLM(model_config)
        weights = {
            name: tensor.float() if tensor.is_floating_point() else tensor
            for name, tensor in payload["weights"].items()
        }
        model.load_state_dict(weights)
        tokenizer = Tokenizer.from_state(payload["tokenizer"])
        lexicon = _lexicon_from_payload(payload["lexicon"]) if "lexicon" in payload else None
    except (KeyError, RuntimeError, TypeError, ValueError, ConfigError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise CheckpointError(f"{path} is damaged: {message[:200]}") from None
    if len(tokenizer) != model_config.vocab_size:
        raise CheckpointError(f"{path} is damaged: tokenizer and model sizes differ")
    model.to(device).eval()
    return Checkpoint(
        model=model,
        tokenizer=tokenizer,
        train_config=from_dict(TrainConfig, payload.get("train_config", {})),
        metrics=dict(payload.get("metrics", {})),
        corpus_fingerprint=str(payload.get("corpus_fingerprint", "")),
        training=payload.get("training"),
        lexicon=lexicon,
    )
