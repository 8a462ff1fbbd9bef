"""python -m autocomplete.compare end to end, with tiny models and a budget of seconds."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_CORPUS

from autocomplete import checkpoint, compare, probe

TINY = [
    "--minutes", "0.03", "--max-words", "60", "--probe-draws", "1", "--max-distance", "8",
    "--vocab-size", "150", "--emb", "16", "--hidden", "16", "--batch-size", "4", "--bptt", "12",
    "--epochs", "2", "--eval-every", "20",
]  # fmt: skip
MODELS = ("rnn", "gru", "lstm", "trigram")


@pytest.fixture(scope="module")
def comparison(tmp_path_factory) -> Path:
    """One tiny comparison on the sample text plus probe sentences, so the probe has words."""
    root = tmp_path_factory.mktemp("compare")
    corpus_dir = root / "corpus"
    corpus_dir.mkdir()
    sentences = [
        f"{item.context}{item.target}." for item in probe.generate(gaps=(3, 4, 8), draws=2)
    ]
    text = (SAMPLE_CORPUS / "amostra.txt").read_text(encoding="utf-8")
    (corpus_dir / "texto.txt").write_text(text + "\n" + "\n".join(sentences), encoding="utf-8")
    out = root / "out"
    assert compare.main(["--corpus", str(corpus_dir), "--out", str(out), *TINY]) == 0
    return out


def test_report_has_a_row_per_model_in_every_table(comparison):
    report = (comparison / "report.md").read_text(encoding="utf-8")
    main_table = report.split("## Main table")[1].split("##")[0]
    rows = [line for line in main_table.splitlines() if line.startswith("|")][2:]
    assert [row.split("|")[1].strip() for row in rows] == list(MODELS)
    assert "--minutes 0.03" in report and "0.03 minutes of training" in report
    probe_header = "| gap k | rnn | gru | lstm | trigram |"
    assert report.count(probe_header) == 5  # accuracy: all + three kinds; probability: all
    assert "| k | rnn | gru | lstm |" in report
    assert "On this data and budget the LSTM" in report


def test_results_json_holds_the_same_models(comparison):
    results = json.loads((comparison / "results.json").read_text(encoding="utf-8"))
    assert [model["name"] for model in results["models"]] == list(MODELS)
    for model in results["models"]:
        assert model["metrics"]["perplexity"] > 1
        assert set(model["probe_accuracy"]["all"]) == {str(gap) for gap in probe.GAPS}
    assert results["models"][-1]["gradient_norms"] is None
    assert len(results["models"][0]["gradient_norms"]) == 9


def test_the_three_cells_share_one_vocabulary(comparison):
    loaded = [checkpoint.load(comparison / "runs" / cell / "model.pt") for cell in MODELS[:3]]
    assert [c.model.config.cell for c in loaded] == list(MODELS[:3])
    assert len({c.tokenizer.model_bytes for c in loaded}) == 1
    assert len({(c.model.config.emb, c.model.config.hidden) for c in loaded}) == 1


def test_plots_exist_exactly_when_matplotlib_does(comparison):
    report = (comparison / "report.md").read_text(encoding="utf-8")
    pngs = sorted(path.name for path in comparison.glob("*.png"))
    if importlib.util.find_spec("matplotlib") is None:
        assert pngs == [] and "matplotlib is not installed" in report
    else:
        assert pngs == ["curves.png", "gradients.png", "probe.png"]
        assert all(f"]({name})" in report for name in pngs)


def test_no_plots_without_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    assert compare.write_plots(tmp_path, [], []) == {}


def test_a_bad_budget_is_one_line_and_exit_2(tmp_path, capsys):
    argv = ["--corpus", str(SAMPLE_CORPUS), "--minutes", "0", "--out", str(tmp_path)]
    assert compare.main(argv) == 2
    assert capsys.readouterr().err.startswith("error: --minutes")
