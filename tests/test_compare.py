"""python -m autocomplete.compare end to end, with tiny models and a budget of seconds."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from conftest import SAMPLE_CORPUS

from autocomplete.lesson import compare, long_gap_report, probe
from autocomplete.training import checkpoint

TINY = [
    "--minutes", "0.03", "--max-words", "60", "--probe-draws", "1", "--max-distance", "8",
    "--vocab-size", "150", "--emb", "16", "--hidden", "16", "--batch-size", "4", "--bptt", "12",
    "--epochs", "2", "--eval-every", "20",
    "--long-gap-gaps", "2", "4", "--long-gap-seeds", "2", "--long-gap-base-steps", "3",
    "--long-gap-steps-per-word", "0", "--long-gap-lrs", "0.01",
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
        assert pngs == ["curves.png", "gradients.png", "long_gap.png", "probe.png"]
        assert all(f"]({name})" in report for name in pngs)


def test_no_plots_without_matplotlib(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    assert compare.write_plots(tmp_path, [], []) == {}


def test_a_bad_budget_is_one_line_and_exit_2(tmp_path, capsys):
    argv = ["--corpus", str(SAMPLE_CORPUS), "--minutes", "0", "--out", str(tmp_path)]
    assert compare.main(argv) == 2
    assert capsys.readouterr().err.startswith("error: give a positive --minutes")


def test_the_long_gap_task_is_in_the_report_and_results(comparison):
    report = (comparison / "report.md").read_text(encoding="utf-8")
    results = json.loads((comparison / "results.json").read_text(encoding="utf-8"))
    task = results["long_gap_task"]
    assert set(task) == {"rnn", "irnn", "gru", "lstm", "chance"}
    assert all(set(task[cell]) == {"2", "4"} for cell in ("rnn", "irnn", "gru", "lstm"))
    assert len(results["long_gap_task_seeds"]["irnn"]["4"]) == 2  # one per seed
    assert set(results["long_gap_task_sd"]["lstm"]) == {"2", "4"}
    assert task["chance"] == pytest.approx(1 / 7, abs=1e-4)
    assert report.index(long_gap_report.HEADING) < report.index("## Reading the numbers")


def test_long_gap_only_keeps_the_language_model_part(comparison, tmp_path):
    """Rerunning the task alone replaces its section and keys, and nothing else."""
    out = tmp_path / "out"
    out.mkdir()
    for name in ("report.md", "results.json"):
        (out / name).write_text((comparison / name).read_text(encoding="utf-8"), "utf-8")
    corpus = Path(json.loads((comparison / "results.json").read_text())["setup"]["corpus"][0])
    argv = ["--long-gap-only", "--corpus", str(corpus), "--out", str(out)]
    argv += ["--long-gap-gaps", "3", "--long-gap-seeds", "1", "--long-gap-base-steps", "2"]
    argv += ["--long-gap-lrs", "0.01"]
    assert compare.main(argv) == 0
    report = (out / "report.md").read_text(encoding="utf-8")
    old_report = (comparison / "report.md").read_text(encoding="utf-8")
    assert report.count(long_gap_report.HEADING) == 1 and "| 3 |" in report
    assert report.split(long_gap_report.HEADING)[0] == old_report.split(long_gap_report.HEADING)[0]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert set(results["long_gap_task"]["lstm"]) == {"3"}
    assert results["models"] == json.loads((comparison / "results.json").read_text())["models"]
