"""Replacing the shipped model is one explicit step that says what it replaces."""

from __future__ import annotations

import numpy as np
from conftest import SAMPLE_CORPUS, train_tiny

from autocomplete.engine import inference_file
from autocomplete.training import checkpoint, ship
from autocomplete.training import trainer as train


def test_ship_exports_over_the_target_and_says_what_it_replaced(tmp_path, tiny_model, capsys):
    target = tmp_path / "checkpoints" / "model.npz"
    inference_file.export(tiny_model, target)
    assert ship.main([str(tiny_model.parent), "--to", str(target)]) == 0
    out = capsys.readouterr().out
    assert "now holds" in out and "it replaced: LSTM 1x32" in out
    shipped = inference_file.load(target)  # the file numpy serves
    assert shipped.metrics == checkpoint.load(tiny_model).metrics
    # A run's model has no completion lexicon: shipping gives it one, from its own corpus.
    assert "completion lexicon" in out and shipped.lexicon is not None
    assert "reunião" in shipped.lexicon.words


def test_ship_refuses_a_bad_model_and_keeps_the_old_one(tmp_path, tiny_model, capsys):
    target = tmp_path / "model.npz"
    inference_file.export(tiny_model, target)
    before = target.read_bytes()
    bad = tmp_path / "run"
    bad.mkdir()
    (bad / "model.pt").write_bytes(b"not a model")
    assert ship.main([str(bad), "--to", str(target)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert target.read_bytes() == before


def test_ship_writes_no_torch_checkpoint(tmp_path, tiny_model, capsys):
    target = tmp_path / "model.pt"
    assert ship.main([str(tiny_model), "--to", str(target)]) == 2
    assert ".npz" in capsys.readouterr().err and not target.exists()


def test_a_fine_tuned_model_keeps_its_starting_models_lexicon(tmp_path, tiny_model, capsys):
    start = tmp_path / "start.npz"
    assert ship.main([str(tiny_model), "--to", str(start)]) == 0  # gives it a lexicon
    lexicon = inference_file.load(start).lexicon
    out = tmp_path / "tuned"
    argv = ["--init-from", str(start), "--corpus", str(SAMPLE_CORPUS), "--out", str(out)]
    assert train.main([*argv, "--epochs", "1", "--batch-size", "4", "--quiet"]) == 0
    target = tmp_path / "shipped.npz"
    assert ship.main([str(out), "--to", str(target)]) == 0
    assert "lexicon of the model it was fine-tuned from" in capsys.readouterr().out
    assert inference_file.load(target).lexicon.words == lexicon.words


def test_blend_ships_weights_between_the_start_and_the_fine_tuned_model(tmp_path, capsys):
    start, out = tmp_path / "start.npz", tmp_path / "tuned"
    assert ship.main([str(train_tiny(tmp_path / "first", epochs=1)), "--to", str(start)]) == 0
    argv = ["--init-from", str(start), "--corpus", str(SAMPLE_CORPUS), "--out", str(out)]
    assert train.main([*argv, "--epochs", "2", "--batch-size", "4", "--quiet"]) == 0
    target = tmp_path / "blended.npz"
    assert ship.main([str(out), "--to", str(target), "--blend", "0.25"]) == 0
    blended, tuned = inference_file.load(target), inference_file.read(out / "model.pt")
    before = inference_file.load(start)
    assert blended.metrics["blend_with_start"] == 0.25
    for name, weight in blended.model.weights.items():
        expected = 0.25 * tuned.model.weights[name] + 0.75 * before.model.weights[name]
        assert np.allclose(weight, expected, atol=2e-3), name
    # A model trained from scratch has nothing to blend with: one line, exit 2.
    scratch = train_tiny(tmp_path / "scratch", epochs=1)
    assert ship.main([str(scratch), "--to", str(tmp_path / "x.npz"), "--blend", "0.5"]) == 2
    assert "--blend needs a model fine-tuned" in capsys.readouterr().err
