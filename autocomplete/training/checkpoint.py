"""One checkpoint file: weights, configs, tokenizer, metrics and corpus fingerprint.

Files are written atomically (temporary file in the same folder, fsync, rename), so a crash
or `kill -9` mid-write leaves the previous file intact. They are read with
`torch.load(weights_only=True)`, which never runs pickled code, and validated before use.

An optional completion lexicon (lexicon.py) is stored as plain tensors under "lexicon":
"words" (uint8, the newline-joined UTF-8 words), "frequencies" (float32) and "source" (its
attribution). Files without one load as before.
"""

from __future__ import annotations

import pickle
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch

from autocomplete.atomic import atomic_write
from autocomplete.config import ModelConfig, TrainConfig, from_dict
from autocomplete.engine.lexicon import Lexicon
from autocomplete.engine.tokenizer import Tokenizer
from autocomplete.errors import CheckpointError, ConfigError
from autocomplete.training.model import WordLM

FORMAT_NAME = "autocomplete-wordlm"
FORMAT_VERSION = 1
ZIP_MAGIC = b"PK\x03\x04"
PICKLE_MAGIC = b"\x80"  # a pickle's protocol opcode: torch.save's legacy format
Config = TypeVar("Config", ModelConfig, TrainConfig)


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
    payload = _read(path)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT_NAME:
        raise CheckpointError(f"{path} is not an autocomplete checkpoint")
    _check_version(path, payload.get("version"))
    return payload


def load(path: str | Path, device: str | torch.device = "cpu") -> Checkpoint:
    """Load and validate a checkpoint; every problem becomes a one-line CheckpointError that
    says, in this program's words, what is wrong with the file."""
    path = Path(path)
    payload = _read_payload(path)
    model_config = _config(path, payload, "model_config", ModelConfig, required=True)
    if model_config.output != "softmax":  # older files recorded it where it did nothing
        model_config.tie_weights = False
    train_config = _config(path, payload, "train_config", TrainConfig, required=False)
    model = _model(path, model_config, _field(path, payload, "weights", dict))
    tokenizer = _tokenizer(path, _field(path, payload, "tokenizer", dict))
    try:
        lexicon = _lexicon_from_payload(payload["lexicon"]) if "lexicon" in payload else None
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path} is damaged: its lexicon: {error}") from None
    if len(tokenizer) != model_config.vocab_size:
        raise CheckpointError(f"{path} is damaged: tokenizer and model sizes differ")
    model.to(device).eval()
    return Checkpoint(
        model=model,
        tokenizer=tokenizer,
        train_config=train_config,
        metrics=_field(path, payload, "metrics", dict, {}),
        corpus_fingerprint=_field(path, payload, "corpus_fingerprint", str, ""),
        training=_field(path, payload, "training", (dict, type(None)), None),
        lexicon=lexicon,
    )


def _read(path: Path) -> object:
    """The unpickled payload; never runs code stored in the file."""
    try:
        with path.open("rb") as file:
            head = file.read(len(ZIP_MAGIC))
    except IsADirectoryError:
        raise CheckpointError(f"checkpoint is a folder, not a file: {path}") from None
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint not found: {path}") from None
    except OSError as error:
        raise CheckpointError(f"cannot read checkpoint {path}: {error.strerror}") from None
    if not head:
        raise CheckpointError(f"cannot read checkpoint {path}: the file is empty")
    # torch.save writes a zip archive (older versions a bare pickle); anything else would
    # only reach the unpickler to fail with torch's advice to load it unsafely.
    if not head.startswith((ZIP_MAGIC, PICKLE_MAGIC)):
        raise CheckpointError(
            f"cannot read checkpoint {path}: not a checkpoint file (not written by torch.save)"
        )
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise CheckpointError(
            f"cannot read checkpoint {path}: it holds Python objects besides tensors and plain"
            " data, which could run code; refused"
        ) from None
    except Exception:  # torch raises many types for truncated or damaged archives
        raise CheckpointError(f"cannot read checkpoint {path}: truncated or damaged") from None


def _check_version(path: Path, version: object) -> None:
    # bool is an int to Python, and "1" would print like 1: both are damage, not versions.
    if type(version) is not int or version < 1:
        raise CheckpointError(f"{path} is damaged: its format version is {version!r}")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has format version {version}; this program reads up to {FORMAT_VERSION}:"
            " update autocomplete to use it"
        )


_MISSING = object()


def _field(
    path: Path, payload: dict, name: str, kind: type | tuple[type, ...], default: Any = _MISSING
) -> Any:
    """payload[name], which must be a `kind`; `default` if absent (required without one)."""
    value = payload.get(name, default)
    if value is _MISSING:
        raise CheckpointError(f"{path} is damaged: it has no {name}")
    if not isinstance(value, kind):
        raise CheckpointError(
            f"{path} is damaged: its {name} has the wrong type ({type(value).__name__})"
        )
    return value


def _config(path: Path, payload: dict, name: str, cls: type[Config], *, required: bool) -> Config:
    """The config stored under `name`, each known field of the type of its default."""
    data = _field(path, payload, name, dict, _MISSING if required else {})
    defaults = asdict(cls())
    for key, value in data.items():
        expected = type(defaults.get(key, value))  # keys of other versions are ignored
        if expected is float and type(value) is int:
            continue  # 1 is a fine learning rate or dropout
        if expected is list and type(value) is str:
            continue  # older files held one corpus path, not a list
        if type(value) is not expected:
            raise CheckpointError(f"{path} is damaged: its {name}.{key} is {value!r}")
    try:
        return from_dict(cls, data)
    except TypeError as error:  # e.g. a non-string key
        raise CheckpointError(f"{path} is damaged: its {name} is malformed ({error})") from None


def _model(path: Path, config: ModelConfig, weights: dict) -> WordLM:
    if not all(isinstance(tensor, torch.Tensor) for tensor in weights.values()):
        raise CheckpointError(f"{path} is damaged: its weights are not all tensors")
    try:
        model = WordLM(config)
    except ConfigError as error:
        raise CheckpointError(f"{path} is damaged: its model_config is invalid: {error}") from None
    except (TypeError, ValueError):  # e.g. cutoffs that are not numbers
        raise CheckpointError(f"{path} is damaged: its model_config is invalid") from None
    floats = {
        name: tensor.float() if tensor.is_floating_point() else tensor
        for name, tensor in weights.items()
    }
    try:
        model.load_state_dict(floats)
    except RuntimeError:  # missing, extra or misshapen weights
        message = f"{path} is damaged: its weights do not fit its model_config"
        raise CheckpointError(message) from None
    return model


def _tokenizer(path: Path, state: dict) -> Tokenizer:
    model_bytes = state.get("sentencepiece")
    forms = state.get("display_forms")
    if not isinstance(model_bytes, bytes) or not isinstance(forms, dict):
        raise CheckpointError(f"{path} is damaged: its tokenizer is incomplete")
    if not all(isinstance(item, str) for pair in forms.items() for item in pair):
        raise CheckpointError(f"{path} is damaged: its tokenizer's display forms are not text")
    try:
        return Tokenizer.from_state(state)
    except (RuntimeError, IndexError):  # sentencepiece rejects the bytes, or they are empty
        raise CheckpointError(f"{path} is damaged: its tokenizer cannot be read") from None
