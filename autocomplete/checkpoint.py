"""One checkpoint file: weights, configs, tokenizer, metrics and corpus fingerprint.

Files are written atomically (temporary file in the same folder, fsync, rename), so a crash
or `kill -9` mid-write leaves the previous file intact. They are read with
`torch.load(weights_only=True)`, which never runs pickled code, and validated before use.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch

from autocomplete.atomic import atomic_write
from autocomplete.config import ModelConfig, TrainConfig, from_dict
from autocomplete.errors import CheckpointError, ConfigError
from autocomplete.model import WordLM
from autocomplete.tokenizer import Tokenizer

FORMAT_NAME = "autocomplete-wordlm"
FORMAT_VERSION = 1
DEFAULT_CHECKPOINT = Path(__file__).resolve().parent.parent / "checkpoints" / "model.pt"


@dataclass
class Checkpoint:
    model: WordLM
    tokenizer: Tokenizer
    train_config: TrainConfig
    metrics: dict[str, Any] = field(default_factory=dict)
    corpus_fingerprint: str = ""
    # Resume state, present only in train_state.pt files.
    training: dict[str, Any] | None = None


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
    atomic_write(Path(path), lambda file: torch.save(payload, file))


def load(path: str | Path, device: str | torch.device = "cpu") -> Checkpoint:
    """Load and validate a checkpoint; every problem becomes a one-line CheckpointError."""
    path = Path(path)
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
    except (KeyError, RuntimeError, TypeError, ConfigError) as error:
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
    )
