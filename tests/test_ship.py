"""Replacing the shipped model is one explicit step that says what it replaces."""

from __future__ import annotations

import shutil

from autocomplete import checkpoint, ship


def test_ship_replaces_the_target_and_says_what_it_replaced(tmp_path, tiny_model, capsys):
    target = tmp_path / "checkpoints" / "model.pt"
    target.parent.mkdir()
    shutil.copy(tiny_model, target)
    assert ship.main([str(tiny_model.parent), "--to", str(target)]) == 0
    out = capsys.readouterr().out
    assert "now holds" in out and "it replaced: LSTM 1x32" in out
    shipped = checkpoint.load(target)
    assert shipped.metrics == checkpoint.load(tiny_model).metrics
    # A run's model has no completion lexicon: shipping gives it one, from its own corpus.
    assert "completion lexicon" in out and shipped.lexicon is not None
    assert "reunião" in shipped.lexicon.words


def test_ship_refuses_a_bad_model_and_keeps_the_old_one(tmp_path, tiny_model, capsys):
    target = tmp_path / "model.pt"
    shutil.copy(tiny_model, target)
    bad = tmp_path / "run"
    bad.mkdir()
    (bad / "model.pt").write_bytes(b"not a model")
    assert ship.main([str(bad), "--to", str(target)]) == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert target.read_bytes() == tiny_model.read_bytes()
