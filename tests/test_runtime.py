"""numpy serves what torch trained: the same log-probabilities, from a file numpy reads."""

import mmap
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import REPO, SAMPLE_CORPUS, train_tiny

from autocomplete.engine import inference_file
from autocomplete.engine.lexicon import Lexicon
from autocomplete.engine.runtime import EMBEDDING
from autocomplete.errors import CheckpointError
from autocomplete.evaluation import evaluate
from autocomplete.training import checkpoint, corpus

POSITIONS = 1000
ROWS = 4  # the positions run as a batch, as evaluate's perplexity runs them
# Besides the tiny LSTM fixture (adaptive softmax, emb = hidden = 32), one of each other shape.
VARIANTS = {
    "gru": {"cell": "gru"},
    "rnn": {"cell": "rnn"},
    "lstm-2-layers": {"layers": 2},
    "lstm-hidden-48": {"hidden": 48},
    "lstm-softmax": {"output": "softmax"},
}


@pytest.fixture(scope="module", params=["lstm", *VARIANTS])
def model_path(request, tiny_model, tmp_path_factory) -> Path:
    if request.param == "lstm":
        return tiny_model
    return train_tiny(tmp_path_factory.mktemp(request.param), epochs=2, **VARIANTS[request.param])


@pytest.fixture(scope="module")
def exported(tiny_model, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exported") / "model.npz"
    inference_file.export(tiny_model, path)
    return path


def held_out_ids(model: inference_file.Inference) -> np.ndarray:
    """(ROWS, POSITIONS / ROWS) ids: the sample's held-out sentences, then seeded random
    words, which drive the state where text never takes it."""
    split = corpus.split(corpus.read_documents(SAMPLE_CORPUS))
    stream = evaluate.token_stream(model.tokenizer, " ".join(split.valid + split.test))
    random_words = np.random.default_rng(0).integers(3, model.model.config.vocab_size, POSITIONS)
    return np.concatenate([stream, random_words])[:POSITIONS].reshape(ROWS, -1)


def test_numpy_runtime_gives_torchs_log_probabilities(model_path, tmp_path):
    trained = checkpoint.load(model_path).model
    inference_file.export(model_path, tmp_path / "model.npz")
    served = inference_file.load(tmp_path / "model.npz")
    ids = held_out_ids(served)
    with torch.inference_mode():
        expected = trained.log_probs(trained.features(torch.from_numpy(ids))[0]).numpy()
    got = served.model.log_probs(served.model.features(ids)[0])
    assert got.dtype == np.float32 and got.shape == expected.shape
    assert got.shape[:2] == ids.shape and ids.size == POSITIONS
    assert np.abs(got - expected).max() <= 1e-3
    top3 = np.argsort(-got, axis=-1, kind="stable")[..., :3]
    assert (top3 == np.argsort(-expected, axis=-1, kind="stable")[..., :3]).all()
    targets = np.roll(ids, -1, axis=1)  # any ids: the picked entries of the full distribution
    picked = np.take_along_axis(got, targets[..., None], axis=-1)[..., 0]
    assert served.model.target_log_probs(served.model.features(ids)[0], targets) == (
        pytest.approx(picked, abs=1e-6)
    )


def test_one_token_at_a_time_resumes_the_state_exactly(model_path):
    served = inference_file.read(model_path)
    network = served.model
    ids = held_out_ids(served)[:2, :40]
    batched, final = network.features(ids)
    state = network.initial_state(2)
    for t in range(ids.shape[1]):
        kept = [array.copy() for array in state]
        step, new_state = network.features(ids[:, t : t + 1], state)
        np.testing.assert_allclose(step[:, 0], batched[:, t], atol=1e-5)
        for array, copy in zip(state, kept, strict=True):  # a cached state is never modified
            np.testing.assert_array_equal(array, copy)
        state = new_state
    for ours, theirs in zip(state, final, strict=True):
        np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_export_then_load_keeps_everything(tiny_model, tmp_path):
    original = checkpoint.load(tiny_model)
    with_words = tmp_path / "with-lexicon.pt"
    checkpoint.attach_lexicon(
        tiny_model, Lexicon(["computador", "ação"], np.array([2, 1], np.float32), "toy"), with_words
    )
    path = tmp_path / "model.npz"
    inference_file.export(with_words, path)
    assert sorted(tmp_path.iterdir()) == [path, with_words]  # no temporary file left behind
    served = inference_file.load(path)
    assert served.model.config == original.model.config
    assert served.tokenizer.model_bytes == original.tokenizer.model_bytes
    assert served.tokenizer.display_forms == original.tokenizer.display_forms
    assert served.train_config == original.train_config
    assert served.metrics == original.metrics
    assert served.corpus_fingerprint == original.corpus_fingerprint
    assert served.lexicon.words == ["computador", "ação"] and served.lexicon.source == "toy"
    assert served.lexicon.frequencies.tolist() == [2.0, 1.0]
    for name, tensor in original.model.state_dict().items():  # float16 values, kept exactly
        assert np.array_equal(served.model.weights[name], tensor.numpy()), name
    inference_file.export(tiny_model, path)  # replaces it
    assert inference_file.load(path).lexicon is None


def test_the_weights_are_mapped_from_the_file_not_read_into_memory(exported, tmp_path):
    """Only the embedding rows a session looks up are ever loaded; a compressed archive
    (written by other means than np.savez) cannot be mapped and loads the same weights."""
    served = inference_file.load(exported)
    embedding = served.model.weights[EMBEDDING]
    assert isinstance(embedding.base.base, mmap.mmap) and not embedding.flags.writeable
    compressed = tmp_path / "compressed.npz"
    with np.load(exported) as archive:
        np.savez_compressed(compressed, **{name: archive[name] for name in archive.files})
    read = inference_file.load(compressed)
    assert read.model.weights.keys() == served.model.weights.keys()
    for name, weight in served.model.weights.items():
        assert np.array_equal(read.model.weights[name], weight), name


def rewrite(source: Path, target: Path, change: Callable[[dict[str, np.ndarray]], None]) -> None:
    with np.load(source) as archive:
        arrays = {name: archive[name] for name in archive.files}
    change(arrays)
    np.savez(target, **arrays)


def text(value: str) -> np.ndarray:
    return np.frombuffer(value.encode(), np.uint8)


DAMAGES: dict[str, tuple[Callable[[dict], None], str]] = {
    "foreign npz": (lambda a: a.clear() or a.update(w=np.zeros(2)), "not an autocomplete model"),
    "format as a string array": (lambda a: a.update(format=np.array("x")), "not an autocomplete"),
    "newer version": (lambda a: a.update(version=np.array(10)), "version 10; this program reads"),
    "version as text": (lambda a: a.update(version=text("1")), "not a whole number"),
    "missing weight": (lambda a: a.pop("weights/embedding.weight"), "embedding.weight is missing"),
    "unexpected weight": (
        lambda a: a.update({"weights/extra": np.zeros(1, np.float16)}),
        "extra is unexpected",
    ),
    "float32 weight": (
        lambda a: a.update({"weights/rnn.bias_ih_l0": np.zeros(128, np.float32)}),
        "float32, not float16",
    ),
    "wrong shape": (
        lambda a: a.update({"weights/rnn.bias_ih_l0": np.zeros(3, np.float16)}),
        "shape (3,), expected (128,)",
    ),
    "missing tokenizer": (
        lambda a: a.pop("tokenizer/sentencepiece"),
        "tokenizer/sentencepiece is missing",
    ),
    "foreign tokenizer": (lambda a: a.update({"tokenizer/sentencepiece": text("x")}), "damaged"),
    "config not JSON": (lambda a: a.update(model_config=text("{")), "damaged"),
    "config a list": (lambda a: a.update(model_config=text("[]")), "not a JSON object"),
    "bad config": (
        lambda a: a.update(model_config=text('{"cell": "lstn"}')),
        "cell must be lstm",
    ),
    "float64 lexicon": (
        lambda a: a.update({"lexicon/frequencies": np.ones(1)}),
        "lexicon/frequencies must be",
    ),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_malformed_files_are_one_checkpoint_error(exported, tmp_path, damage):
    change, expected = DAMAGES[damage]
    path = tmp_path / "model.npz"
    rewrite(exported, path, change)
    with pytest.raises(CheckpointError) as error:
        inference_file.load(path)
    message = str(error.value)
    assert expected in message and str(path) in message and "\n" not in message


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("missing", "checkpoint not found"),
        ("folder", "is a folder"),
        ("text", "cannot read model file"),
        ("truncated", "cannot read model file"),
        ("one array", "cannot read model file"),
        ("pickled object", "cannot read model file"),
    ],
)
def test_files_that_are_no_npz_are_one_checkpoint_error(exported, tmp_path, damage, expected):
    path = tmp_path / "model.npz"
    if damage == "folder":
        path.mkdir()
    elif damage == "text":
        path.write_text("não sou um modelo\n")
    elif damage == "truncated":
        path.write_bytes(exported.read_bytes()[:5000])
    elif damage == "one array":
        with path.open("wb") as file:
            np.save(file, np.zeros(3))
    elif damage == "pickled object":
        np.savez(path, format=np.array([{"a": 1}], dtype=object))
    with pytest.raises(CheckpointError) as error:
        inference_file.read(path)
    message = str(error.value)
    assert expected in message and str(path) in message and "\n" not in message


def run_without_torch(code: str, *args: str) -> str:
    """Run `code` in a new process; its last line says whether torch got imported."""
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code + "\nprint('torch' in sys.modules)", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_suggesting_from_an_npz_never_imports_torch(exported):
    code = (
        "import sys\nfrom autocomplete import Suggester\n"
        "assert Suggester.load(sys.argv[1]).suggest('Segue documento em ')"
    )
    assert run_without_torch(code, str(exported)).splitlines()[-1] == "False"


def test_evaluate_on_an_npz_never_imports_torch(exported):
    code = (
        "import sys\nfrom autocomplete import evaluate\n"
        "assert evaluate.main(['--checkpoint', sys.argv[1], '--max-words', '20', sys.argv[2]]) == 0"
    )
    output = run_without_torch(code, str(exported), str(SAMPLE_CORPUS))
    assert "perplexity" in output and output.splitlines()[-1] == "False"
