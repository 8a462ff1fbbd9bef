"""WordLM inference in numpy: torch trains (model.py), numpy serves.

The same network as model.WordLM in evaluation mode (no dropout), read from the same
state_dict names and shapes: embedding -> `layers` recurrent layers -> projection to emb ->
adaptive softmax or full softmax. The equations and gate order are torch's, so an exported
model gives the log-probabilities torch gives (tests/test_runtime.py holds them within 1e-3).

Weights are stored as float16 and computed in float32: numpy's float16 arithmetic is slow
and would round every intermediate sum. The embedding table, the largest, stays float16 and
only the rows looked up are widened: converting all of it took a third of the model's load.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from autocomplete.config import DIV_VALUE, ModelConfig

# Each layer's state: LSTM (h, c), GRU and RNN (h,); each array (layers, batch, hidden).
State = tuple[np.ndarray, ...]
GATES = {"lstm": 4, "gru": 3, "rnn": 1}
EMBEDDING = "embedding.weight"  # kept in its stored precision (see above)
SCORE_CHUNK = 256  # positions per full distribution in `target_log_probs` (bounds memory)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # exact identity; never overflows like 1/(1+e^-x)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# One time step of one layer: (input part, recurrent part, state) -> new state, where the
# parts are W_ih x + b_ih and W_hh h + b_hh with torch's gates side by side.
def _lstm_step(from_input: np.ndarray, from_state: np.ndarray, state: State) -> State:
    i, f, g, o = np.split(from_input + from_state, 4, axis=-1)
    c = _sigmoid(f) * state[1] + _sigmoid(i) * np.tanh(g)
    return _sigmoid(o) * np.tanh(c), c


def _gru_step(from_input: np.ndarray, from_state: np.ndarray, state: State) -> State:
    input_r, input_z, input_n = np.split(from_input, 3, axis=-1)
    state_r, state_z, state_n = np.split(from_state, 3, axis=-1)
    r = _sigmoid(input_r + state_r)
    z = _sigmoid(input_z + state_z)
    n = np.tanh(input_n + r * state_n)  # torch resets (W_hn h + b_hn), bias included
    return ((1.0 - z) * n + z * state[0],)


def _rnn_step(from_input: np.ndarray, from_state: np.ndarray, state: State) -> State:
    return (np.tanh(from_input + from_state),)


STEPS: dict[str, Callable[[np.ndarray, np.ndarray, State], State]] = {
    "lstm": _lstm_step,
    "gru": _gru_step,
    "rnn": _rnn_step,
}


def _cutoffs(config: ModelConfig) -> list[int]:
    """Adaptive softmax boundaries: the shortlist ends at the first, the vocabulary last."""
    return [*config.adaptive_cutoffs(), config.vocab_size]


def expected_shapes(config: ModelConfig) -> dict[str, tuple[int, ...]]:
    """Every weight of WordLM(config)'s state_dict and its shape."""
    vocab, emb, hidden = config.vocab_size, config.emb, config.hidden
    gates = GATES[config.cell] * hidden
    shapes: dict[str, tuple[int, ...]] = {EMBEDDING: (vocab, emb)}
    for layer in range(config.layers):
        shapes[f"rnn.weight_ih_l{layer}"] = (gates, emb if layer == 0 else hidden)
        shapes[f"rnn.weight_hh_l{layer}"] = (gates, hidden)
        shapes[f"rnn.bias_ih_l{layer}"] = (gates,)
        shapes[f"rnn.bias_hh_l{layer}"] = (gates,)
    if hidden != emb:
        shapes["projection.weight"] = (emb, hidden)
        shapes["projection.bias"] = (emb,)
    if config.output == "adaptive":
        cutoffs = _cutoffs(config)
        shapes["adaptive.head.weight"] = (cutoffs[0] + len(cutoffs) - 1, emb)
        for i in range(len(cutoffs) - 1):
            projected = int(emb // DIV_VALUE ** (i + 1))  # as torch sizes its tail clusters
            shapes[f"adaptive.tail.{i}.0.weight"] = (projected, emb)
            shapes[f"adaptive.tail.{i}.1.weight"] = (cutoffs[i + 1] - cutoffs[i], projected)
    else:
        shapes["decoder.weight"] = (vocab, emb)
        shapes["decoder.bias"] = (vocab,)
    return shapes


@dataclass(frozen=True, eq=False)
class Network:
    """A WordLM's inference: ids in, features and log-probabilities out, all numpy."""

    config: ModelConfig
    weights: dict[str, np.ndarray]  # by torch's state_dict names; float32 but EMBEDDING

    @classmethod
    def from_weights(cls, config: ModelConfig, weights: Mapping[str, np.ndarray]) -> Network:
        """Check names, shapes and dtypes against `config`; ValueError names the first wrong."""
        config.validate()
        expected = expected_shapes(config)
        missing = sorted(expected.keys() - weights.keys())
        unexpected = sorted(weights.keys() - expected.keys())
        if missing or unexpected:
            raise ValueError(
                f"weight {(missing or unexpected)[0]} is {'missing' if missing else 'unexpected'}"
            )
        for name, shape in expected.items():
            array = weights[name]
            if not np.issubdtype(array.dtype, np.floating):
                raise ValueError(f"weight {name} holds {array.dtype}, not floating point numbers")
            if array.shape != shape:
                raise ValueError(f"weight {name} has shape {array.shape}, expected {shape}")
        return cls(
            config,
            {
                name: weights[name] if name == EMBEDDING else weights[name].astype(np.float32)
                for name in expected
            },
        )

    def initial_state(self, batch_size: int) -> State:
        zeros = np.zeros((self.config.layers, batch_size, self.config.hidden), np.float32)
        return (zeros, zeros.copy()) if self.config.cell == "lstm" else (zeros,)

    def features(self, ids: np.ndarray, state: State | None = None) -> tuple[np.ndarray, State]:
        """Run the recurrence: ids (batch, time) -> output features (batch, time, emb).

        `state` is never modified: a cached state can be resumed from any number of times.
        """
        ids = np.asarray(ids)
        state = state if state is not None else self.initial_state(ids.shape[0])
        outputs = self.weights[EMBEDDING][ids].astype(np.float32)
        layer_states = []
        for layer in range(self.config.layers):
            outputs, layer_state = self._layer(layer, outputs, tuple(s[layer] for s in state))
            layer_states.append(layer_state)
        new_state = tuple(np.stack(parts) for parts in zip(*layer_states, strict=True))
        w = self.weights
        if "projection.weight" in w:
            outputs = outputs @ w["projection.weight"].T + w["projection.bias"]
        return outputs, new_state

    def _layer(self, layer: int, inputs: np.ndarray, state: State) -> tuple[np.ndarray, State]:
        """One recurrent layer over (batch, time, features); returns its outputs and state."""
        w = self.weights
        # The input side of every time step in one product; only the recurrence is a loop.
        from_inputs = inputs @ w[f"rnn.weight_ih_l{layer}"].T + w[f"rnn.bias_ih_l{layer}"]
        recurrent, recurrent_bias = w[f"rnn.weight_hh_l{layer}"].T, w[f"rnn.bias_hh_l{layer}"]
        step = STEPS[self.config.cell]
        outputs = np.empty((*inputs.shape[:2], self.config.hidden), np.float32)
        for t in range(inputs.shape[1]):
            state = step(from_inputs[:, t], state[0] @ recurrent + recurrent_bias, state)
            outputs[:, t] = state[0]
        return outputs, state

    def log_probs(self, features: np.ndarray) -> np.ndarray:
        """Full log-distribution over the vocabulary for features (..., emb)."""
        flat = features.reshape(-1, features.shape[-1])
        w = self.weights
        if self.config.output != "adaptive":
            result = _log_softmax(flat @ w["decoder.weight"].T + w["decoder.bias"])
            return result.reshape(*features.shape[:-1], -1)
        cutoffs = _cutoffs(self.config)
        # The head scores the shortlist words and one entry per tail cluster; a tail word's
        # log-probability is its cluster's head entry plus its log-probability in the cluster.
        head = self._head(flat)
        result = np.empty((len(flat), self.config.vocab_size), np.float32)
        result[:, : cutoffs[0]] = head[:, : cutoffs[0]]
        for i, (start, stop) in enumerate(itertools.pairwise(cutoffs)):
            result[:, start:stop] = self._cluster(i, flat) + head[:, cutoffs[0] + i, None]
        return result.reshape(*features.shape[:-1], -1)

    def target_log_probs(self, features: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Log-probability of each target id (any shape) after the features (..., emb)."""
        flat = features.reshape(-1, features.shape[-1])
        flat_targets = np.asarray(targets).reshape(-1)
        result = np.empty(len(flat_targets), np.float32)
        for start in range(0, len(flat), SCORE_CHUNK):
            chunk = slice(start, start + SCORE_CHUNK)
            result[chunk] = self._score(flat[chunk], flat_targets[chunk])
        return result.reshape(np.shape(targets))

    def _score(self, flat: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """`target_log_probs` of one chunk. A tail cluster runs only for its own targets, as
        torch's adaptive loss does: 0.25 s instead of 1.5 s for 3,000 words, shipped model."""
        if self.config.output != "adaptive":
            return np.take_along_axis(self.log_probs(flat), targets[:, None], axis=1)[:, 0]
        cutoffs = _cutoffs(self.config)
        head = self._head(flat)
        cluster_of = np.searchsorted(cutoffs, targets, side="right")  # 0: the shortlist
        result = np.empty(len(targets), np.float32)
        in_head = np.flatnonzero(cluster_of == 0)
        result[in_head] = head[in_head, targets[in_head]]
        for i, (start, _) in enumerate(itertools.pairwise(cutoffs)):
            rows = np.flatnonzero(cluster_of == i + 1)
            if rows.size:
                cluster = self._cluster(i, flat[rows])
                in_cluster = cluster[np.arange(rows.size), targets[rows] - start]
                result[rows] = head[rows, cutoffs[0] + i] + in_cluster
        return result

    def _head(self, flat: np.ndarray) -> np.ndarray:
        return _log_softmax(flat @ self.weights["adaptive.head.weight"].T)

    def _cluster(self, i: int, flat: np.ndarray) -> np.ndarray:
        """Log-distribution inside tail cluster i (two Linear layers without bias, as torch)."""
        projected = flat @ self.weights[f"adaptive.tail.{i}.0.weight"].T
        return _log_softmax(projected @ self.weights[f"adaptive.tail.{i}.1.weight"].T)
