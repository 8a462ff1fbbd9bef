"""The long-gap memory task with tiny networks: the data, the budget, the cells, the report."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch

from autocomplete.errors import ConfigError
from autocomplete.lesson import long_gap, long_gap_experiment, long_gap_report
from autocomplete.lesson.long_gap import CUES, FillerText, LongGapConfig, LongGapResult, SeedRun
from autocomplete.lesson.long_gap_budget import Budget, Training
from autocomplete.lesson.long_gap_cells import LONG_GAP_CELLS, recurrent_layer

TEXT = ["O tempo passou depressa e ninguém disse nada na sala grande."] * 30
BUDGET = Budget(target=0.9, eval_every=10, patience=40, base_steps=300, steps_per_word=0)
TINY = LongGapConfig(
    gaps=(2,), seeds=1, budget=BUDGET, lrs=(1e-2,), emb=8, hidden=16, batch_size=32,
    validation_items=200, test_items=200, gradient_items=64,
)  # fmt: skip


@pytest.fixture(scope="module")
def text() -> FillerText:
    return FillerText.from_sentences(TEXT, TEXT, TINY)


def test_a_batch_is_a_cue_then_consecutive_filler_words(text):
    inputs, answers = long_gap.make_batch(
        text.train, text.vocab_size, 5, 32, np.random.default_rng(0)
    )
    assert inputs.shape == (32, 6) and answers.shape == (32,)
    assert (inputs[:, 0] == text.vocab_size + answers).all()  # the cue names the answer
    assert (inputs[:, 1:] < text.vocab_size).all()  # fillers are filler words only
    for row in inputs[:, 1:].numpy():
        starts = np.flatnonzero(text.train[: len(text.train) - 4] == row[0])
        assert any((text.train[s : s + 5] == row).all() for s in starts)


def test_fillers_never_name_a_country_or_language():
    sentences = ["Na França falam francês e na Itália italiano, disse ele."] * 20
    text = FillerText.from_sentences(sentences, sentences, LongGapConfig(gaps=(2,)))
    assert text.vocab_size == 1 + len({"na", "falam", "e", "disse", "ele"})
    assert (text.train == long_gap.UNK).sum() == 4 * 20  # França, francês, Itália, italiano


def test_a_corpus_shorter_than_the_gap_is_a_config_error():
    with pytest.raises(ConfigError, match="too small"):
        FillerText.from_sentences(["Duas palavras."], ["Mais duas."], LongGapConfig(gaps=(5,)))


def test_held_out_text_is_halved_into_validation_and_test(text):
    assert abs(len(text.validation) - len(text.test)) <= 1
    assert len(text.validation) + len(text.test) == len(text.train)  # TEXT is both splits


def test_an_lstm_stops_at_the_target_before_the_cap(text):
    run = long_gap.train_and_score("lstm", 2, 0, 1e-2, text, TINY)
    assert run.training.stop == "target" and run.training.reached
    assert run.training.validation >= BUDGET.target
    assert run.training.steps < BUDGET.cap(2) and run.training.steps % BUDGET.eval_every == 0
    assert run.accuracy > 0.9 > 3 / len(CUES)  # on the test half, not the validation half


def test_a_network_that_cannot_learn_stops_when_it_stops_improving(text):
    run = long_gap.train_and_score("rnn", 2, 0, 1e-9, text, TINY)
    assert run.training.stop == "no improvement" and not run.training.reached
    assert run.training.steps == BUDGET.eval_every + BUDGET.patience < BUDGET.cap(2)


def test_the_step_cap_grows_with_the_gap():
    budget = Budget(base_steps=500, steps_per_word=35)
    assert budget.cap(0) == 500 and budget.cap(100) == 4000


def test_the_cue_gradient_is_measured_at_the_start_and_finite(text):
    run = long_gap.train_and_score("rnn", 2, 0, 1e-9, text, TINY)
    assert np.isfinite(run.cue_gradient) and run.cue_gradient > 0


def test_the_cue_gradient_vanishes_through_the_tanh_rnn_not_the_chrono_lstm(text):
    """At initialisation: the lesson's claim, measured on one seed's networks."""
    config = LongGapConfig(hidden=16, emb=8, gradient_items=64)
    inputs, answers = long_gap.make_batch(
        text.train, text.vocab_size, 60, 64, np.random.default_rng(0)
    )
    norms = {}
    for cell in ("rnn", "lstm"):
        torch.manual_seed(0)
        net = long_gap.LongGapNet(cell, text.vocab_size, config, 60)
        norms[cell] = long_gap.cue_gradient_norm(net, inputs, answers)
    assert 0 < norms["rnn"] < norms["lstm"] / 100  # vanished, yet measured (float64)


def test_each_cell_starts_at_its_initialisation():
    torch.manual_seed(0)
    irnn = recurrent_layer("irnn", 4, 8, 50)
    assert irnn.nonlinearity == "relu" and torch.equal(irnn.weight_hh_l0, torch.eye(8))
    lstm = recurrent_layer("lstm", 4, 8, 50)
    forget, input_gate = lstm.bias_ih_l0[8:16], lstm.bias_ih_l0[:8]
    assert (forget >= 0).all() and (forget <= np.log(50) + 1e-6).all()
    assert torch.equal(input_gate, -forget) and not lstm.bias_hh_l0.any()
    gru = recurrent_layer("gru", 4, 8, 50)
    assert (gru.bias_ih_l0[8:16] >= 0).all() and gru.bias_ih_l0[8:16].max() > 1
    assert recurrent_layer("rnn", 4, 8, 50).nonlinearity == "tanh"
    assert set(LONG_GAP_CELLS) == {"rnn", "irnn", "gru", "lstm"}


def test_the_experiment_sweeps_rates_and_runs_a_curriculum(text):
    config = LongGapConfig(
        gaps=(1, 2), cells=("lstm",), seeds=2, lrs=(1e-9, 1e-2),
        budget=Budget(target=0.9, eval_every=10, patience=20, base_steps=60, steps_per_word=0),
        emb=8, hidden=16, validation_items=100, test_items=100, gradient_items=16,
    )  # fmt: skip
    result = long_gap_experiment.run(text, config, log=io.StringIO())
    assert result.lr("lstm") == 1e-2  # the rate that learns wins the sweep
    assert set(result.sweep["lstm"]) == {1e-9, 1e-2}
    assert all(len(result.runs["lstm"][k]) == 2 for k in (1, 2))
    assert all(len(result.curriculum["lstm"][k]) == 2 for k in (1, 2))


def _result() -> LongGapResult:
    def run(accuracy: float, steps: int, reached: bool) -> SeedRun:
        stop = "target" if reached else "cap"
        return SeedRun(1e-2, Training(steps, reached, accuracy, stop), accuracy, 0.5)

    return LongGapResult(
        runs={
            "rnn": {5: [run(0.2, 300, False), run(0.4, 300, False)]},
            "lstm": {5: [run(1.0, 100, True), run(0.9, 200, True)]},
        },
        chance=0.25,
        config=LongGapConfig(gaps=(5,), cells=("rnn", "lstm"), seeds=2),
    )


def test_results_json_has_a_mean_per_cell_and_gap_and_chance():
    result = _result()
    assert result.to_json() == {"rnn": {"5": 0.3}, "lstm": {"5": 0.95}, "chance": 0.25}
    assert result.spread("rnn", 5) == pytest.approx(np.std([0.2, 0.4], ddof=1))


def test_results_json_has_sd_per_seed_values_steps_and_gradients(tmp_path):
    long_gap_report.write(tmp_path, _result(), "cmd")
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["long_gap_task"]["lstm"] == {"5": 0.95}
    assert results["long_gap_task_sd"]["rnn"]["5"] == pytest.approx(0.1414, abs=1e-4)
    assert results["long_gap_task_seeds"]["rnn"]["5"] == [0.2, 0.4]
    assert results["long_gap_task_steps"]["lstm"]["5"] == [100, 200]
    assert results["long_gap_task_reached"]["rnn"]["5"] == [False, False]
    assert results["long_gap_task_cue_gradient"]["lstm"]["5"] == [0.5, 0.5]
    assert results["long_gap_task_setup"]["budget"]["target"] == 0.95
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "| 5 | 30.0% ± 14.1 | 95.0% ± 7.1 |" in report


def test_the_section_replaces_the_old_one_and_keeps_the_rest():
    report = "# Title\n\n## Main\n\nmain\n\n## Reading the numbers\n\nreading\n"
    first = long_gap_report.splice(report, f"{long_gap_report.HEADING}\n\nfirst")
    assert first.index("first") < first.index("## Reading the numbers")
    second = long_gap_report.splice(first, f"{long_gap_report.HEADING}\n\nsecond")
    assert "first" not in second and second.replace("second", "first") == first
    kept, keys = long_gap_report.keep(report, second, {"long_gap_task": 1, "models": 2})
    assert kept == second and keys == {"long_gap_task": 1}
