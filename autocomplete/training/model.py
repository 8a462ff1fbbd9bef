"""WordLM: embedding -> recurrent cell (LSTM, GRU or simple RNN) -> output layer.

Knows nothing of files or text: ids in, log-probabilities out. Word ids must be sorted by
frequency (the tokenizer guarantees it) because the adaptive softmax gives the frequent
words, with low ids, the large head and the rare ones cheaper tail clusters.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from autocomplete.config import DIV_VALUE, ModelConfig

# LSTM state is (h, c); GRU and RNN state is h alone.
State = Tensor | tuple[Tensor, Tensor]

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}


class WordLM(nn.Module):
    def __init__(self, config: ModelConfig):
        super().__init__()
        config.validate()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.emb)
        self.dropout = nn.Dropout(config.dropout)
        self.rnn = CELLS[config.cell](
            config.emb,
            config.hidden,
            num_layers=config.layers,
            dropout=config.dropout if config.layers > 1 else 0.0,
            batch_first=True,
        )
        # Project the state down to the embedding size so the output can share the embedding.
        self.projection = (
            nn.Linear(config.hidden, config.emb) if config.hidden != config.emb else nn.Identity()
        )
        if config.output == "adaptive":
            self.adaptive = nn.AdaptiveLogSoftmaxWithLoss(
                config.emb,
                config.vocab_size,
                cutoffs=config.adaptive_cutoffs(),
                div_value=DIV_VALUE,
            )
            self.decoder = None
        else:
            self.adaptive = None
            self.decoder = nn.Linear(config.emb, config.vocab_size)
            if config.tie_weights:
                self.decoder.weight = self.embedding.weight
        self._init_weights()

    def _init_weights(self) -> None:
        nn.init.uniform_(self.embedding.weight, -0.1, 0.1)
        if self.decoder is not None:
            nn.init.zeros_(self.decoder.bias)
        # torch keeps two bias vectors (b_ih, b_hh) and adds them: the forget gate's sum is
        # set to exactly forget_bias (gate order i, f, g, o).
        if self.config.cell == "lstm":
            for name, parameter in self.rnn.named_parameters():
                if name.startswith("bias_"):
                    size = parameter.shape[0] // 4
                    value = self.config.forget_bias if name.startswith("bias_ih") else 0.0
                    with torch.no_grad():
                        parameter[size : 2 * size].fill_(value)

    def initial_state(self, batch_size: int, device: torch.device | str = "cpu") -> State:
        shape = (self.config.layers, batch_size, self.config.hidden)
        zeros = torch.zeros(shape, device=device)
        return (zeros, zeros.clone()) if self.config.cell == "lstm" else zeros

    def features(self, ids: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        """Run the recurrence: ids (batch, time) -> output features (batch, time, emb)."""
        embedded = self.dropout(self.embedding(ids))
        output, state = self.rnn(embedded, state)
        return self.dropout(self.projection(output)), state

    def loss(self, features: Tensor, targets: Tensor) -> Tensor:
        """Mean negative log-likelihood of `targets` (batch, time) in nats."""
        flat = features.reshape(-1, features.shape[-1])
        if self.adaptive is not None:
            return self.adaptive(flat, targets.reshape(-1)).loss
        logits = self.decoder(flat)
        return nn.functional.cross_entropy(logits.float(), targets.reshape(-1).long())

    def log_probs(self, features: Tensor) -> Tensor:
        """Full log-distribution over the vocabulary for features (..., emb)."""
        flat = features.reshape(-1, features.shape[-1])
        if self.adaptive is not None:
            result = self.adaptive.log_prob(flat)
        else:
            result = torch.log_softmax(self.decoder(flat).float(), dim=-1)
        return result.reshape(*features.shape[:-1], -1)

    def forward(self, ids: Tensor, targets: Tensor, state: State | None = None):
        """Training entry point (what DDP wraps): returns (loss, new state)."""
        features, state = self.features(ids, state)
        return self.loss(features, targets), state


def detach(state: State) -> State:
    """Cut the graph between truncated-BPTT windows while keeping the values."""
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()
