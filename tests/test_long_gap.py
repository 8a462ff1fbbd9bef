"""The long-gap memory task with tiny networks: the data, the training, the report section."""

from __future__ import annotations

import numpy as np
import pytest

from autocomplete.errors import ConfigError
from autocomplete.lesson import long_gap, long_gap_report
from autocomplete.lesson.long_gap import CUES, FillerText, LongGapConfig, LongGapResult

TEXT = ["O tempo passou depressa e ninguém disse nada na sala grande."] * 30
TINY = LongGapConfig(gaps=(2,), seeds=1, steps=150, emb=8, hidden=16, lr=1e-2, test_items=200)


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


def test_an_lstm_carries_the_cue_across_a_short_gap(text):
    accuracy = long_gap.train_and_score("lstm", 2, 0, text, TINY)
    assert accuracy > 0.9 > 3 / len(CUES)


def test_results_json_has_a_mean_per_cell_and_gap_and_chance():
    result = LongGapResult(
        accuracy={"rnn": {5: [0.2, 0.4]}, "lstm": {5: [1.0, 0.9]}}, chance=0.25, config=TINY
    )
    assert result.to_json() == {"rnn": {"5": 0.3}, "lstm": {"5": 0.95}, "chance": 0.25}
    assert result.spread("rnn", 5) == pytest.approx(np.std([0.2, 0.4], ddof=1))


def test_the_section_replaces_the_old_one_and_keeps_the_rest():
    report = "# Title\n\n## Main\n\nmain\n\n## Reading the numbers\n\nreading\n"
    first = long_gap_report.splice(report, f"{long_gap_report.HEADING}\n\nfirst")
    assert first.index("first") < first.index("## Reading the numbers")
    second = long_gap_report.splice(first, f"{long_gap_report.HEADING}\n\nsecond")
    assert "first" not in second and second.replace("second", "first") == first
    kept, keys = long_gap_report.keep(report, second, {"long_gap_task": 1, "models": 2})
    assert kept == second and keys == {"long_gap_task": 1}
