"""Malformed checkpoints: each is one CheckpointError that says in this program's words what
is wrong with the file (never torch's advice to load it unsafely, never AttributeError)."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import pytest
import torch

from autocomplete.errors import CheckpointError
from autocomplete.training import checkpoint


@pytest.fixture(scope="module")
def payload(tiny_model: Path) -> dict:
    """What a good checkpoint holds, to break one field at a time."""
    return torch.load(tiny_model, map_location="cpu", weights_only=True)


def error_of(path: Path) -> str:
    with pytest.raises(CheckpointError) as error:
        checkpoint.load(path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message
    assert "weights_only" not in message and "torch.load" not in message
    return message.replace(str(path), "FILE")


class RunsCode:
    """A pickle that would create `marker` when loaded unsafely."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_files_that_are_not_checkpoints(tmp_path: Path, tiny_model: Path) -> None:
    text = tmp_path / "texto.pt"
    text.write_text("não sou um modelo\n", encoding="utf-8")
    assert error_of(text) == (
        "cannot read checkpoint FILE: not a checkpoint file (not written by torch.save)"
    )
    empty = tmp_path / "vazio.pt"
    empty.write_bytes(b"")
    assert error_of(empty) == "cannot read checkpoint FILE: the file is empty"
    truncated = tmp_path / "cortado.pt"
    truncated.write_bytes(tiny_model.read_bytes()[:5000])
    assert error_of(truncated) == "cannot read checkpoint FILE: truncated or damaged"
    foreign_zip = tmp_path / "outro.pt"
    with zipfile.ZipFile(foreign_zip, "w") as archive:
        archive.writestr("leia-me.txt", "olá")
    assert error_of(foreign_zip) == "cannot read checkpoint FILE: truncated or damaged"


def test_a_pickle_that_would_run_code_is_refused_without_running_it(tmp_path: Path) -> None:
    marker = tmp_path / "executou"
    evil = tmp_path / "malicioso.pt"
    torch.save({"format": checkpoint.FORMAT_NAME, "version": 1, "x": RunsCode(marker)}, evil)
    assert error_of(evil) == (
        "cannot read checkpoint FILE: it holds Python objects besides tensors and plain data,"
        " which could run code; refused"
    )
    assert not marker.exists()


NEWER = "this program reads up to 1: update autocomplete to use it"


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (2, f"FILE has format version 2; {NEWER}"),
        (10, f"FILE has format version 10; {NEWER}"),
        ("1", "FILE is damaged: its format version is '1'"),  # a string, not the number 1
        (True, "FILE is damaged: its format version is True"),
        (0, "FILE is damaged: its format version is 0"),
        (None, "FILE is damaged: its format version is None"),
    ],
)
def test_format_versions_are_compared_as_numbers(
    payload: dict, tmp_path: Path, version: object, expected: str
) -> None:
    path = tmp_path / "model.pt"
    torch.save({**payload, "version": version}, path)
    assert error_of(path) == expected


def broken(payload: dict, where: str, value: object) -> dict:
    """`payload` with the field at `where` ("tokenizer/sentencepiece") set to `value`, or
    removed when `value` is DELETE."""
    damaged = copy.deepcopy(payload)
    *parents, name = where.split("/")
    container = damaged
    for parent in parents:
        container = container[parent]
    if value is DELETE:
        del container[name]
    else:
        container[name] = value
    return damaged


DELETE = object()


@pytest.mark.parametrize(
    ("where", "value", "expected"),
    [
        ("model_config", "lstm", "its model_config has the wrong type (str)"),
        ("model_config", DELETE, "it has no model_config"),
        ("model_config/emb", "32", "its model_config.emb is '32'"),
        ("model_config/tie_weights", 1, "its model_config.tie_weights is 1"),
        ("model_config/vocab_size", -5, "its model_config is invalid: vocab-size must be"),
        ("model_config/cutoffs", ["2000"], "its model_config is invalid"),
        ("model_config/hidden", 64, "its weights do not fit its model_config"),
        ("train_config", [], "its train_config has the wrong type (list)"),
        ("train_config/lr", "depressa", "its train_config.lr is 'depressa'"),
        ("weights", [1, 2], "its weights has the wrong type (list)"),
        ("weights/embedding.weight", [[0.0]], "its weights are not all tensors"),
        ("weights/embedding.weight", DELETE, "its weights do not fit its model_config"),
        ("tokenizer", None, "its tokenizer has the wrong type (NoneType)"),
        ("tokenizer/sentencepiece", "texto", "its tokenizer is incomplete"),
        ("tokenizer/sentencepiece", b"lixo", "its tokenizer cannot be read"),
        ("tokenizer/display_forms", {1: "um"}, "its tokenizer's display forms are not text"),
        ("metrics", [0.5], "its metrics has the wrong type (list)"),
        ("corpus_fingerprint", 7, "its corpus_fingerprint has the wrong type (int)"),
        ("training", "passo 3", "its training has the wrong type (str)"),
    ],
)
def test_hand_built_checkpoints_with_wrong_fields(
    payload: dict, tmp_path: Path, where: str, value: object, expected: str
) -> None:
    path = tmp_path / "model.pt"
    torch.save(broken(payload, where, value), path)
    assert error_of(path).startswith(f"FILE is damaged: {expected}")


def test_a_good_checkpoint_still_loads(payload: dict, tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    torch.save({**payload, "training": None, "future_field": [1]}, path)
    loaded = checkpoint.load(path)
    assert len(loaded.tokenizer) == loaded.model.config.vocab_size
    assert loaded.training is None
