import json
import math
import subprocess
import sys

import pytest
import torch
from conftest import SAMPLE_CORPUS

from autocomplete.engine import inference_file
from autocomplete.engine.phrases import Continuation, Token
from autocomplete.engine.ranking import Suggestion
from autocomplete.engine.suggester import Suggester
from autocomplete.engine.tokenizer import EOS_ID
from autocomplete.evaluation import evaluate
from autocomplete.evaluation.evaluate import (
    Metrics,
    PhraseMetrics,
    evaluate_suggester,
    first_words,
    held_out_text,
)
from autocomplete.training import checkpoint, corpus

TEXT = "casa amarela, casa azul"  # 23 characters


# The bars the fake shows, by text before the cursor; nothing anywhere else.
BARS = {
    "": ["casa", "a", "o"],
    "ca": ["casa"],
    "casa ": ["azul"],
    "casa a": ["amarela", "azul"],
    "casa am": ["amarela"],
    "casa amarela, ": ["casa"],
    "casa amarela, c": ["casa"],
    "casa amarela, casa a": ["amarela"],
    "casa amarela, casa az": ["azul"],
    "casa amarela, casa azu": ["azul"],
}


class FakeSuggester:
    """Shows BARS and records every text it is asked about."""

    def __init__(self):
        self.calls: list[str] = []

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        self.calls.append(text)
        return [Suggestion(word, 0.5) for word in BARS.get(text, [])[:k]]


# The phrases on offer at each word start of TEXT: right at the first, wrong at the third.
PHRASES = {
    "": Continuation((Token("casa", 0.9), Token("amarela", 0.8)), 0),
    "casa amarela, ": Continuation((Token("casa", 0.9), Token("amarela", 0.6)), 0),
}


def test_phrases_by_hand():
    """At 0.5 both phrases are offered. "casa amarela" is accepted with one key, plus a
    backspace for its space before the comma: 12 characters for 2 keys, where the bar saved
    4 + 4; the rest is typed as without phrases (see the test above): 14 keys saved of 23.
    At 0.7 the second phrase is cut to one word, no phrase; at 0.85 the first one too."""
    metrics = evaluate_suggester(
        FakeSuggester(), TEXT, phrases=PHRASES.get, phrase_thresholds=(0.5, 0.7, 0.85)
    )
    assert metrics.phrases == [
        PhraseMetrics(0.5, offered=2 / 4, first_two=1 / 2, whole=1 / 2, keystroke_savings=14 / 23),
        PhraseMetrics(0.7, offered=1 / 4, first_two=1.0, whole=1.0, keystroke_savings=14 / 23),
        PhraseMetrics(0.85, offered=0.0, first_two=0.0, whole=0.0, keystroke_savings=12 / 23),
    ]
    assert metrics.keystroke_savings == pytest.approx(12 / 23)  # without phrases


def test_keystrokes_and_accuracy_by_hand():
    """The user presses 11 keys for 23 characters:

    casa+space: accepted from the empty bar (1 key)
    amarela:    "a" typed, then accepted (1), then a backspace for the space before "," (1)
    ", ":       typed (2)
    casa+space: accepted (1)
    azul:       shown after "az", but accepting (1) plus the backspace (1) would cost as much
                as typing "ul", so typed in full (4)
    """
    fake = FakeSuggester()
    metrics = evaluate_suggester(fake, TEXT)
    assert metrics.words == 4
    assert metrics.keystroke_savings == pytest.approx(1 - 11 / 23)
    assert metrics.top1 == metrics.top3 == pytest.approx(2 / 4)  # casa, casa
    assert metrics.top3_after_1 == pytest.approx(2 / 4)  # amarela, casa
    assert metrics.top3_after_2 == pytest.approx(3 / 4)  # casa, amarela, azul
    assert metrics.perplexity is None
    assert 0 <= metrics.latency_p50_ms <= metrics.latency_p95_ms
    # Every bar read while typing is a prefix of the text; azul is never accepted, so read to
    # its end. Then "amarela", the one word of 6+ letters, is typed with a slip and clean.
    typing, slip_probes = fake.calls[:-2], fake.calls[-2:]
    assert all(TEXT.startswith(call) for call in typing)
    assert typing[-3:] == ["casa amarela, casa a", "casa amarela, casa az", TEXT[:-1]]
    slipped, clean = slip_probes
    assert clean == "casa amar" and slipped.startswith("casa a") and len(slipped) == len(clean)
    assert slipped != clean
    assert metrics.top3_after_slip == metrics.top3_after_4_clean == 0.0  # no bar for them


def test_top3_after_letters_counts_only_longer_words():
    metrics = evaluate_suggester(FakeSuggester(), "o casa")
    assert metrics.words == 2
    assert metrics.top3_after_1 == metrics.top3_after_2 == 0.0  # only "casa" is counted


def test_max_words_cuts_the_text():
    assert first_words("Olá, mundo! Tudo bem?", 2) == "Olá, mundo!"
    assert first_words("Olá, mundo!", 5) == "Olá, mundo!"
    assert evaluate_suggester(FakeSuggester(), TEXT, max_words=2).words == 2


def test_empty_text_gives_zero_metrics():
    metrics = evaluate_suggester(FakeSuggester(), "")
    assert metrics.words == 0 and metrics.keystroke_savings == 0.0


@pytest.fixture(scope="module")
def loaded(tiny_model):
    return inference_file.read(tiny_model)


def test_the_tiny_model_saves_keystrokes_on_its_sample(loaded):
    text = " ".join(corpus.split(corpus.read_documents(SAMPLE_CORPUS)).train)
    metrics = evaluate_suggester(Suggester.from_inference(loaded), text, max_words=80)
    assert metrics.words == 80
    assert 0 < metrics.top3 <= 1 and 0 < metrics.keystroke_savings < 1
    assert metrics.top3 <= metrics.top3_after_2


def test_batched_perplexity_equals_torchs_one_stream(loaded, tiny_model, monkeypatch):
    text = (SAMPLE_CORPUS / "amostra.txt").read_text(encoding="utf-8")[:1500]
    stream = evaluate.token_stream(loaded.tokenizer, text)
    assert len(stream) > 2 * evaluate.PERPLEXITY_ROWS  # several rows, a padded tail
    ids = torch.tensor([[EOS_ID, *stream.tolist()]])
    trained = checkpoint.load(tiny_model).model
    with torch.inference_mode():
        features, _ = trained.features(ids[:, :-1])
        expected = math.exp(trained.loss(features, ids[:, 1:]).item())
    # Rows after the first start without context, so they score slightly worse.
    assert evaluate.perplexity(loaded, text) == pytest.approx(expected, rel=0.1)
    assert evaluate.perplexity(loaded, text) > 1
    monkeypatch.setattr(evaluate, "PERPLEXITY_ROWS", 1)  # one stream, as torch ran it
    assert evaluate.perplexity(loaded, text) == pytest.approx(expected, rel=1e-4)


def test_a_training_corpus_is_scored_on_its_test_split(loaded, tmp_path):
    documents = corpus.read_documents(SAMPLE_CORPUS)
    trained_on = evaluate.trained_fingerprints(loaded)
    text, split = held_out_text(SAMPLE_CORPUS, "auto", trained_on)
    assert split == "test" and text == " ".join(corpus.split(documents, "amostra").test)
    other = tmp_path / "outro.txt"
    other.write_text("Texto novo. Nunca visto antes.\n", encoding="utf-8")
    assert held_out_text(other, "auto", trained_on) == ("Texto novo. Nunca visto antes.", "all")
    assert held_out_text(SAMPLE_CORPUS, "all", trained_on)[1] == "all"


def test_cli_prints_json_for_the_model_and_the_trigram(tiny_model, capsys):
    argv = ["--checkpoint", str(tiny_model), "--baseline-corpus", str(SAMPLE_CORPUS)]
    assert evaluate.main([*argv, "--json", "--max-words", "40", str(SAMPLE_CORPUS)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["text"] == [{"path": str(SAMPLE_CORPUS), "source": "amostra", "split": "test"}]
    for name in ("model", "trigram"):
        metrics = Metrics(**result[name])
        assert metrics.words == 40 and metrics.perplexity > 1


def test_cli_prints_an_aligned_table(tiny_model, capsys):
    argv = ["--checkpoint", str(tiny_model), "--max-words", "20", str(SAMPLE_CORPUS)]
    assert evaluate.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("held-out text:") and lines[1].split() == ["model"]
    assert any(line.startswith("keystroke savings") for line in lines)
    metrics_table, phrase_table = "\n".join(lines[1:]).split("\n\n")
    assert len({len(line) for line in metrics_table.splitlines()}) == 1  # columns line up
    assert phrase_table.startswith("phrases (model")
    assert len({len(line) for line in phrase_table.splitlines()[1:]}) == 1


@pytest.mark.parametrize(
    "problem", ["missing checkpoint", "bad checkpoint", "missing file", "missing baseline"]
)
def test_cli_bad_input_is_one_line_and_exit_2(tiny_model, tmp_path, capsys, problem):
    bad = tmp_path / "model.pt"
    bad.write_bytes(b"not a checkpoint")
    argv = {
        "missing checkpoint": ["--checkpoint", str(tmp_path / "none.pt"), str(SAMPLE_CORPUS)],
        "bad checkpoint": ["--checkpoint", str(bad), str(SAMPLE_CORPUS)],
        "missing file": ["--checkpoint", str(tiny_model), str(tmp_path / "none.txt")],
        "missing baseline": [
            *("--checkpoint", str(tiny_model), "--baseline-corpus", str(tmp_path / "none")),
            str(SAMPLE_CORPUS),
        ],
    }[problem]
    assert evaluate.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1


def test_module_entry_point_exits_2_without_a_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "autocomplete.evaluate",
            "--checkpoint",
            str(tmp_path / "x.pt"),
            ".",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert (
        result.stderr.startswith("error: checkpoint not found") and "Traceback" not in result.stderr
    )
