"""The inference file: everything the Suggester needs, in one .npz that numpy reads.

Training writes torch checkpoints (checkpoint.py) that it resumes from; serving reads this
file with numpy alone, so the editor, the Suggester and `evaluate` never import torch.
`export` turns a checkpoint into one, and `python -m autocomplete.ship` writes the shipped
model with it. Files are written atomically and read with `allow_pickle=False`, so a file
can never run code; every problem with one becomes a one-line CheckpointError.

Layout (np.savez; text is UTF-8 in uint8 arrays, JSON where it is structured):
    format, version                        "autocomplete-inference", int64 1
    model_config, train_config, metrics    JSON objects
    corpus_fingerprint                     text
    tokenizer/sentencepiece                the sentencepiece model's bytes
    tokenizer/display_forms                JSON object: word -> usual written form
    lexicon/words, lexicon/frequencies,    optional: Lexicon.packed_words (uint8),
    lexicon/source                         float32 frequencies, its attribution (text)
    weights/<state_dict name>              float16, WordLM's names and shapes
"""

from __future__ import annotations

import json
import struct
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from autocomplete.atomic import atomic_write
from autocomplete.config import ModelConfig, TrainConfig, from_dict
from autocomplete.engine.lexicon import Lexicon
from autocomplete.engine.runtime import Network
from autocomplete.engine.tokenizer import Tokenizer
from autocomplete.errors import CheckpointError, ConfigError, needs_torch

if TYPE_CHECKING:
    from autocomplete.training.checkpoint import Checkpoint

FORMAT_NAME = "autocomplete-inference"
FORMAT_VERSION = 1


def _checkpoints_folder() -> Path:
    """Where the shipped model lives: inside the installed package (the wheel carries the
    repository's checkpoints/ as autocomplete/checkpoints/, see pyproject.toml), else in
    the checkout (source tree or editable install). A plain path, as importlib.resources
    would give for an unzipped install (pip's only kind): np.load and ship need a file."""
    package = Path(__file__).resolve().parent.parent  # autocomplete/, above engine/
    installed = package / "checkpoints"
    return installed if installed.is_dir() else package.parent / "checkpoints"


CHECKPOINTS = _checkpoints_folder()
DEFAULT_MODEL = CHECKPOINTS / "model.npz"  # the shipped model (python -m autocomplete.ship)
WEIGHTS = "weights/"
LOCAL_HEADER = 30  # bytes of a zip member's local header before its name (the zip format)


@dataclass
class Inference:
    """A model ready to serve, with what was recorded about its training."""

    model: Network
    tokenizer: Tokenizer
    train_config: TrainConfig
    metrics: dict[str, Any] = field(default_factory=dict)
    corpus_fingerprint: str = ""
    lexicon: Lexicon | None = None  # completion words beyond the vocabulary


def read(path: str | Path) -> Inference:
    """An inference file, or a torch checkpoint (.pt, needs torch) converted in memory."""
    path = Path(path)
    if path.suffix == ".pt":
        try:
            from autocomplete.training import (
                checkpoint,  # imports torch: only for training's own files
            )
        except ModuleNotFoundError as error:
            if error.name != "torch":
                raise
            raise CheckpointError(needs_torch(f"reading the training checkpoint {path}")) from None
        return from_checkpoint(checkpoint.load(path))
    return load(path)


def export(checkpoint_path: str | Path, path: str | Path) -> None:
    """Write the inference file of the torch checkpoint at `checkpoint_path` (needs torch)."""
    from autocomplete.training import checkpoint

    save(path, from_checkpoint(checkpoint.load(checkpoint_path)))


def from_checkpoint(loaded: Checkpoint) -> Inference:
    weights = {name: tensor.cpu().numpy() for name, tensor in loaded.model.state_dict().items()}
    return Inference(
        model=Network.from_weights(loaded.model.config, weights),
        tokenizer=loaded.tokenizer,
        train_config=loaded.train_config,
        metrics=loaded.metrics,
        corpus_fingerprint=loaded.corpus_fingerprint,
        lexicon=loaded.lexicon,
    )


def save(path: str | Path, inference: Inference) -> None:
    arrays = {
        "format": _utf8(FORMAT_NAME),
        "version": np.array(FORMAT_VERSION, dtype=np.int64),
        "model_config": _utf8(json.dumps(asdict(inference.model.config))),
        "train_config": _utf8(json.dumps(asdict(inference.train_config), ensure_ascii=False)),
        "metrics": _utf8(json.dumps(inference.metrics, ensure_ascii=False)),
        "corpus_fingerprint": _utf8(inference.corpus_fingerprint),
        "tokenizer/sentencepiece": np.frombuffer(inference.tokenizer.model_bytes, np.uint8),
        "tokenizer/display_forms": _utf8(
            json.dumps(inference.tokenizer.display_forms, ensure_ascii=False)
        ),
    }
    if inference.lexicon is not None:
        arrays["lexicon/words"] = np.frombuffer(inference.lexicon.packed_words(), np.uint8)
        arrays["lexicon/frequencies"] = inference.lexicon.frequencies.astype(np.float32)
        arrays["lexicon/source"] = _utf8(inference.lexicon.source)
    for name, weight in inference.model.weights.items():
        arrays[WEIGHTS + name] = weight.astype(np.float16)
    atomic_write(Path(path), lambda file: np.savez(file, **arrays))


def load(path: str | Path) -> Inference:
    """Read and validate an inference file; every problem becomes a one-line CheckpointError."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"checkpoint not found: {path}")
    if path.is_dir():
        raise CheckpointError(f"checkpoint is a folder, not a file: {path}")
    arrays = _read_arrays(path)
    try:
        format_name = _text(arrays, "format")
    except ValueError:
        format_name = None
    if format_name != FORMAT_NAME:
        raise CheckpointError(f"{path} is not an autocomplete model file")
    version = arrays.get("version")
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise CheckpointError(f"{path} is damaged: its format version is not a whole number")
    if int(version) > FORMAT_VERSION:
        raise CheckpointError(
            f"{path} has format version {int(version)}; this program reads up to {FORMAT_VERSION}"
        )
    try:
        return _inference(arrays)
    except (KeyError, RuntimeError, TypeError, ValueError, ConfigError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise CheckpointError(f"{path} is damaged: {message[:200]}") from None


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    try:
        with open(path, "rb") as file:
            archive = np.load(file, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):  # a lone .npy array
                raise ValueError("a single array, not an .npz archive")
            with archive:
                return {
                    name: _mapped(file, archive, name)
                    if name.startswith(WEIGHTS)
                    else archive[name]
                    for name in archive.files
                }
    except Exception as error:  # numpy and zipfile raise many types for foreign/truncated files
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        reason = first_line or type(error).__name__
        raise CheckpointError(f"cannot read model file {path}: {reason[:200]}") from None


def _mapped(file: BinaryIO, archive: np.lib.npyio.NpzFile, name: str) -> np.ndarray:
    """A weight array mapped read-only from the file rather than read into memory: a page is
    loaded when first used, so of the embedding (two thirds of the file) only the rows a
    session looks up ever are. np.savez stores members uncompressed; a compressed one (a file
    written by other means) is read whole."""
    member = archive.zip.getinfo(f"{name}.npy")
    if member.compress_type != zipfile.ZIP_STORED:
        return archive[name]
    # The member's local header: 30 bytes, then its name and extra field, then the .npy.
    file.seek(member.header_offset)
    local = file.read(LOCAL_HEADER)
    name_length, extra_length = struct.unpack("<HH", local[26:LOCAL_HEADER])
    file.seek(member.header_offset + LOCAL_HEADER + name_length + extra_length)
    version = np.lib.format.read_magic(file)
    read_header = {
        (1, 0): np.lib.format.read_array_header_1_0,
        (2, 0): np.lib.format.read_array_header_2_0,
    }[version]
    shape, fortran_order, dtype = read_header(file)
    if dtype.hasobject:
        raise ValueError(f"{name} holds Python objects")
    order = "F" if fortran_order else "C"
    mapped = np.memmap(file, dtype, mode="r", offset=file.tell(), shape=shape, order=order)
    return np.asarray(mapped)  # a plain read-only array over the mapping


def _inference(arrays: dict[str, np.ndarray]) -> Inference:
    """The validated contents; ValueError (or its kin) says what is wrong."""
    config = from_dict(ModelConfig, _json_object(arrays, "model_config"))
    weights = {
        name.removeprefix(WEIGHTS): array
        for name, array in arrays.items()
        if name.startswith(WEIGHTS)
    }
    for name, array in weights.items():
        if array.dtype != np.float16:
            raise ValueError(f"weight {name} is {array.dtype}, not float16")
    network = Network.from_weights(config, weights)
    display_forms = _json_object(arrays, "tokenizer/display_forms")
    if not all(isinstance(form, str) for form in display_forms.values()):
        raise ValueError("tokenizer/display_forms must map words to text")
    tokenizer = Tokenizer(_bytes(arrays, "tokenizer/sentencepiece"), display_forms)
    if len(tokenizer) != config.vocab_size:
        raise ValueError("tokenizer and model sizes differ")
    return Inference(
        model=network,
        tokenizer=tokenizer,
        train_config=from_dict(TrainConfig, _json_object(arrays, "train_config")),
        metrics=_json_object(arrays, "metrics"),
        corpus_fingerprint=_text(arrays, "corpus_fingerprint"),
        lexicon=_lexicon(arrays) if any(name.startswith("lexicon/") for name in arrays) else None,
    )


def _lexicon(arrays: dict[str, np.ndarray]) -> Lexicon:
    frequencies = arrays.get("lexicon/frequencies")
    if frequencies is None or frequencies.dtype != np.float32 or frequencies.ndim != 1:
        raise ValueError("lexicon/frequencies must be a 1-D float32 array")
    words = _bytes(arrays, "lexicon/words")
    return Lexicon.unpack(words, frequencies, _text(arrays, "lexicon/source"))


def _utf8(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), np.uint8)


def _bytes(arrays: dict[str, np.ndarray], name: str) -> bytes:
    array = arrays.get(name)
    if array is None:
        raise ValueError(f"{name} is missing")
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D uint8 array")
    return array.tobytes()


def _text(arrays: dict[str, np.ndarray], name: str) -> str:
    return _bytes(arrays, name).decode("utf-8")


def _json_object(arrays: dict[str, np.ndarray], name: str) -> dict[str, Any]:
    value = json.loads(_text(arrays, name))
    if not isinstance(value, dict):
        raise ValueError(f"{name} is not a JSON object")
    return value
