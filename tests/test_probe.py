"""The long-gap probe generator, its scoring, and the gradient-by-distance measurement."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from autocomplete.config import ModelConfig
from autocomplete.engine.suggester import Suggester
from autocomplete.engine.tokenizer import pretokenize
from autocomplete.lesson import probe
from autocomplete.lesson.gradients import gradient_by_distance, input_gradient_norms
from autocomplete.text import is_word
from autocomplete.training.model import WordLM


def words_from_cue(item: probe.ProbeItem) -> int:
    """1 + the words between the item's cue and the end of its context."""
    tokens = pretokenize(item.context)
    cue_index = len(tokens) - 1 - tokens[::-1].index(item.cue)
    return 1 + sum(is_word(token) for token in tokens[cue_index + 1 :])


def test_cue_sits_at_the_requested_gap_for_every_kind():
    items = probe.generate(draws=3, seed=1)
    assert {item.kind for item in items} == {"lingua", "concordancia", "parenteses"}
    for kind in ("lingua", "concordancia", "parenteses"):
        assert {item.gap for item in items if item.kind == kind} == set(probe.GAPS)
    for item in items:
        assert words_from_cue(item) == item.gap, item


def test_sentences_are_well_formed():
    for item in probe.generate(draws=2, seed=3):
        assert item.context[0].isupper()
        assert item.target not in item.alternatives
        assert len(set(item.alternatives)) == len(item.alternatives) >= 1
        assert "  " not in item.context and "," not in item.context
        if item.kind == "parenteses":
            assert item.context.count("(") == 1 and ")" not in item.context
            assert not item.context.endswith(" ")
        else:
            assert item.context.endswith(" ") and item.target not in item.context.split()


def test_agreement_sets_are_balanced_over_gender_and_number():
    items = [i for i in probe.generate(gaps=(6,), draws=1) if i.kind == "concordancia"]
    assert len(items) == 4
    assert {i.context.split()[0] for i in items} == {"O", "A", "Os", "As"}
    assert len({" ".join(i.context.split()[2:-2]) for i in items}) == 1  # one filler for all
    for item in items:
        feminine = item.context.split()[0] in ("A", "As")
        assert item.target.rstrip("s") == ("ela" if feminine else "ele")


def test_generation_is_deterministic_and_seeded():
    assert probe.generate(seed=5) == probe.generate(seed=5)
    assert probe.generate(seed=5) != probe.generate(seed=6)


def test_vocabulary_limits_the_words_used():
    full = probe.generate(gaps=(3, 4, 6), draws=1)
    vocabulary = {t.lower() for item in full for t in pretokenize(item.context)}
    vocabulary |= {"francês", "inglês", "ela", "eles", "elas", ")", ",", "."}
    vocabulary -= {"alemão", "ainda"}
    items = probe.generate(gaps=(3, 4, 6), draws=4, vocabulary=vocabulary)
    assert {item.kind for item in items} == {"lingua", "concordancia", "parenteses"}
    for item in items:
        used = [t.lower() for t in pretokenize(item.context)] + [item.target, *item.alternatives]
        assert all(word.lower() in vocabulary for word in used if is_word(word)), item


def test_gaps_below_three_are_refused():
    with pytest.raises(ValueError):
        probe.generate(gaps=(2, 3))


def test_scoring_counts_an_item_right_when_the_target_beats_every_alternative():
    items = probe.generate(gaps=(3, 8), draws=1)

    def oracle(context: str, words):
        return [0.0] + [-5.0] * (len(words) - 1)

    def contrarian(context: str, words):
        return [-5.0] + [-1.0] * (len(words) - 1)

    right = probe.accuracy_by_gap(probe.score(items, oracle))
    wrong = probe.accuracy_by_gap(probe.score(items, contrarian))
    assert right["all"] == {3: 1.0, 8: 1.0} and wrong["all"] == {3: 0.0, 8: 0.0}
    assert set(right) == {"all", "lingua", "concordancia", "parenteses"}
    assert probe.score(items[:1], oracle)[0].target_prob == pytest.approx(1.0)
    assert probe.chance("concordancia", items) == 0.5


def test_a_tie_for_the_top_earns_its_share():
    items = [i for i in probe.generate(gaps=(3,), draws=1) if i.kind == "parenteses"]

    def undecided(context: str, words):
        return [-1.0, -1.0, -3.0]

    assert {s.credit for s in probe.score(items, undecided)} == {0.5}
    assert probe.chance("parenteses", items) == pytest.approx(1 / 3)


def test_suggester_scores_words_and_punctuation(tiny_model):
    suggester = Suggester.load(tiny_model)
    distribution = suggester.next_word_log_probs("Segue documento em")
    assert distribution.shape == (len(suggester.tokenizer),)
    assert math.isclose(float(np.exp(distribution).sum()), 1.0, rel_tol=1e-4)
    scorer = probe.suggester_scorer(suggester)
    first, second = scorer("Segue documento em", ["anexo", ")"])
    assert first == pytest.approx(float(distribution[suggester.tokenizer.word_id("anexo")]))
    assert second < 0


def toy_linear_rnn(decay: float) -> WordLM:
    """A tanh RNN whose states all stay at 0, where tanh' = 1: exactly h_t = U h_{t-1} + x_t.

    Zero embeddings and biases keep every pre-activation at 0, so d h_t / d x_{t-k} = U^k.
    With U = decay * (an orthogonal matrix), the gradient norm is decay^k times ||dL/dh_t||.
    """
    torch.manual_seed(0)
    config = ModelConfig(
        cell="rnn", vocab_size=10, emb=4, hidden=4, output="softmax", tie_weights=False, dropout=0
    )
    model = WordLM(config).eval()
    with torch.no_grad():
        model.embedding.weight.zero_()
        model.rnn.weight_ih_l0.copy_(torch.eye(4))
        orthogonal, _ = torch.linalg.qr(torch.randn(4, 4))
        model.rnn.weight_hh_l0.copy_(decay * orthogonal)
        model.rnn.bias_ih_l0.zero_()
        model.rnn.bias_hh_l0.zero_()
        model.decoder.bias.zero_()
    return model


def test_gradient_norms_of_a_linear_rnn_decay_as_the_power_of_its_weight():
    decay = 0.5
    model = toy_linear_rnn(decay)
    ids = torch.randint(0, 10, (3, 12))
    targets = torch.tensor([1, 4, 7])
    norms = input_gradient_norms(model, ids, targets)
    # All states are 0, so the model outputs the uniform distribution: dL/dh = W^T (p - e_y).
    uniform = torch.full((10,), 0.1)
    expected_at_t = np.mean(
        [(model.decoder.weight.T @ (uniform - torch.eye(10)[y])).norm().item() for y in targets]
    )
    expected = expected_at_t * decay ** np.arange(12)
    np.testing.assert_allclose(norms, expected, rtol=1e-5)


def test_gradient_by_distance_on_a_trained_model(tiny_model):
    from autocomplete.training import checkpoint

    model = checkpoint.load(tiny_model).model
    stream = np.random.default_rng(0).integers(3, 200, size=500)
    norms = gradient_by_distance(model, stream, max_distance=10, rows=4)
    assert norms.shape == (11,) and np.all(norms > 0) and np.all(np.isfinite(norms))
    assert not model.training
    with pytest.raises(ValueError):
        gradient_by_distance(model, stream[:20], max_distance=10)
