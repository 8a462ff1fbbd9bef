"""The recurrent layers of the long-gap task, each initialised at its best for long gaps.

- rnn: the lesson's tanh RNN, h_t = tanh(W x_t + U h_{t-1} + b), PyTorch's default init.
- irnn: a ReLU RNN with U = identity and zero biases (Le et al., 2015): at the start
  h_t = relu(h_{t-1} + W x_t), so the state is carried forward, not squashed.
- lstm, gru: chrono initialisation (Tallec & Ollivier, 2018): the gate that keeps the old
  state gets bias log(u), u ~ U(1, T - 1), with T the horizon (the cue is read k + 1 steps
  before the answer, so U(1, k)); the LSTM's input gate gets the opposite bias. Forgetting
  then starts at time scales spread up to the gap, instead of about one step.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

LongGapCell = Literal["rnn", "irnn", "gru", "lstm"]
LONG_GAP_CELLS: tuple[LongGapCell, ...] = ("rnn", "irnn", "gru", "lstm")


def recurrent_layer(cell: LongGapCell, emb: int, hidden: int, k: int) -> nn.RNNBase:
    if cell == "rnn":
        return nn.RNN(emb, hidden, batch_first=True)
    if cell == "irnn":
        layer = nn.RNN(emb, hidden, nonlinearity="relu", batch_first=True)
        with torch.no_grad():
            layer.weight_hh_l0.copy_(torch.eye(hidden))
            layer.bias_hh_l0.zero_()
            layer.bias_ih_l0.zero_()
        return layer
    if cell == "gru":
        layer = nn.GRU(emb, hidden, batch_first=True)
        # Gates (reset, update z, new); h_t = (1 - z) n + z h_{t-1}: z near 1 keeps the state.
        _chrono(layer, keep_gate=1, k=k)
        return layer
    if cell == "lstm":
        layer = nn.LSTM(emb, hidden, batch_first=True)
        # Gates (input, forget, cell, output): the input gate is closed as the forget gate opens.
        _chrono(layer, keep_gate=1, k=k, opposite_gate=0)
        return layer
    raise ValueError(f"unknown long-gap cell {cell!r}; choose from {LONG_GAP_CELLS}")


def _chrono(layer: nn.RNNBase, keep_gate: int, k: int, opposite_gate: int | None = None) -> None:
    hidden = layer.hidden_size
    keep = torch.log(torch.empty(hidden).uniform_(1.0, max(k, 1)))
    with torch.no_grad():
        layer.bias_hh_l0.zero_()
        bias = layer.bias_ih_l0
        bias.zero_()
        bias[keep_gate * hidden : (keep_gate + 1) * hidden] = keep
        if opposite_gate is not None:
            bias[opposite_gate * hidden : (opposite_gate + 1) * hidden] = -keep
