"""How much does the loss at step t still depend on the word read k steps earlier?

The norm of d loss_t / d x_{t-k}, with x the input embedding, measured on real text. For a
simple RNN, h_t = tanh(W x_t + U h_{t-1}), the chain rule multiplies k Jacobians
diag(1 - h^2) U together, so the gradient shrinks geometrically with k (the vanishing
gradient); an LSTM's cell state gives it an additive path through which it can survive.
"""

from __future__ import annotations

import numpy as np
import torch

from autocomplete.training.model import WordLM

WARMUP = 20  # tokens read before the measured window, so the state is not the zero start


def input_gradient_norms(model: WordLM, ids: torch.Tensor, targets: torch.Tensor) -> np.ndarray:
    """Mean over rows of ||d loss / d x_{t-k}|| for k = 0 .. ids.shape[1] - 1.

    ids (rows, steps) are read from a zero state; the loss is the negative log-likelihood of
    targets (rows,) after the last step t. Index k of the result is k steps before t.
    """
    with torch.enable_grad():
        embedded = model.embedding(ids).detach().requires_grad_(True)
        output, _ = model.rnn(embedded)
        features = model.projection(output[:, -1:])
        # model.loss is a mean over rows; the sum gives each row its own gradient.
        loss = model.loss(features, targets[:, None]) * ids.shape[0]
        (gradient,) = torch.autograd.grad(loss, embedded)
    norms = gradient.norm(dim=-1).mean(dim=0)  # (steps,): oldest first
    return norms.flip(0).numpy()


def gradient_by_distance(
    model: WordLM, stream: np.ndarray, max_distance: int = 40, rows: int = 64, seed: int = 0
) -> np.ndarray:
    """input_gradient_norms averaged over `rows` random windows of an id stream.

    Each window starts WARMUP tokens before the measured steps; their gradients are dropped.
    """
    length = WARMUP + max_distance + 1
    if len(stream) <= length:
        raise ValueError(f"stream of {len(stream)} tokens is too short for {length}-token windows")
    starts = np.random.default_rng(seed).integers(0, len(stream) - length, size=rows)
    windows = np.stack([stream[start : start + length + 1] for start in starts]).astype(np.int64)
    was_training = model.training
    model.eval()  # no dropout: measure the network, not a random mask
    try:
        norms = input_gradient_norms(
            model, torch.from_numpy(windows[:, :-1]), torch.from_numpy(windows[:, -1])
        )
    finally:
        model.train(was_training)
    return norms[: max_distance + 1]
