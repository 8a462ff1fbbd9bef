"""The numpy network as a next-word model: its incremental cache gives what a fresh run
gives, and looking a few words ahead and back again costs one step per word ahead."""

import numpy as np
import pytest

from autocomplete import Suggester
from autocomplete.engine import inference_file
from autocomplete.engine.incremental import IncrementalNetwork
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


def test_the_suggester_delegates_to_its_model(loaded):
    suggester = Suggester.from_inference(loaded)
    ids = context_ids(loaded.tokenizer, "Bom dia. ")
    expected = IncrementalNetwork(loaded.model).next_log_probs(ids)
    np.testing.assert_allclose(suggester.next_log_probs(ids), expected, atol=1e-6)
    assert suggester.name == "LSTM 1x32"
