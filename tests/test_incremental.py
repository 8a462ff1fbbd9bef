"""The numpy network as a next-word model: its incremental cache gives what a fresh run
gives, and looking a few words ahead and back again costs one step per word ahead."""

import numpy as np
import pytest

from autocomplete import Suggester
from autocomplete.engine import inference_file
from autocomplete.engine.incremental import DISTRIBUTIONS_KEPT, IncrementalNetwork
from autocomplete.engine.query import context_ids
from autocomplete.engine.runtime import Network


@pytest.fixture(scope="module")
def loaded(tiny_model):
    return inference_file.read(tiny_model)


def test_looking_ahead_and_back_reuses_the_cached_states(loaded, monkeypatch):
    model = IncrementalNetwork(loaded.model)
    ids = context_ids(loaded.tokenizer, "Segue documento em ")
    here = model.next_log_probs(ids)
    first, second = (loaded.tokenizer.ids[word] for word in ("anexo", "com"))
    steps: list[int] = []
    run = Network.features

    def counted(network, inputs, state=None):
        steps.append(np.shape(inputs)[1])
        return run(network, inputs, state)

    monkeypatch.setattr(Network, "features", counted)
    one_ahead = model.next_log_probs([*ids, first])
    two_ahead = model.next_log_probs([*ids, first, second])
    back = model.next_log_probs(ids)
    assert steps == [1, 1]  # one step per word ahead, none to come back
    assert back is here  # the very same cached distribution
    fresh = IncrementalNetwork(loaded.model)
    np.testing.assert_allclose(one_ahead, fresh.next_log_probs([*ids, first]), atol=1e-6)
    np.testing.assert_allclose(two_ahead, fresh.next_log_probs([*ids, first, second]), atol=1e-6)
    with pytest.raises(ValueError, match="read-only"):
        back[0] = 0.0


def test_only_the_latest_distributions_are_kept_and_older_ones_come_back_the_same(loaded):
    model = IncrementalNetwork(loaded.model)
    text = "Segue documento em anexo com o relatório da reunião de ontem e a ata "
    ends = [end + 1 for end, character in enumerate(text) if character == " "]
    contexts = [context_ids(loaded.tokenizer, text[:end]) for end in ends]
    first = model.next_log_probs(contexts[1]).copy()
    for ids in contexts[2:]:
        model.next_log_probs(ids)
    kept = [position for position in model._history if position.log_probs is not None]
    assert len(model._history) > DISTRIBUTIONS_KEPT == len(kept)
    again = model.next_log_probs(contexts[1])  # its distribution let go: computed again
    np.testing.assert_allclose(again, first, atol=1e-6)


def test_the_suggester_delegates_to_its_model(loaded):
    suggester = Suggester.from_inference(loaded)
    ids = context_ids(loaded.tokenizer, "Bom dia. ")
    expected = IncrementalNetwork(loaded.model).next_log_probs(ids)
    np.testing.assert_allclose(suggester.next_log_probs(ids), expected, atol=1e-6)
    assert suggester.name == "LSTM 1x32"
