"""A training budget that fits the gap: train until held-out accuracy reaches a target.

The same rules for every cell: validate every `eval_every` steps on fixed held-out
sequences; stop at the target, or when the best validation accuracy has not risen by
`min_delta` for `patience` steps, or at a step cap that grows with the gap k (each step reads
k + 1 words, and a longer gap may need more of them before the cue's signal is found).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from autocomplete.errors import ConfigError


@dataclass
class Budget:
    target: float = 0.95  # validation accuracy that counts as "carries the cue"
    eval_every: int = 100  # steps between validations
    patience: int = 1_000  # steps without a new best before giving up
    min_delta: float = 0.02  # a new best must beat the old by this (validation noise ~0.015)
    base_steps: int = 500  # the cap is base_steps + steps_per_word * k
    steps_per_word: int = 35

    def cap(self, k: int) -> int:
        return self.base_steps + self.steps_per_word * k

    def validate(self) -> None:
        if not 0 < self.target <= 1:
            raise ConfigError(f"long-gap target accuracy must be in (0, 1], not {self.target}")
        for name in ("eval_every", "patience", "base_steps"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"long-gap {name} must be positive, not {getattr(self, name)}")
        if self.steps_per_word < 0:
            raise ConfigError(f"long-gap steps_per_word must be >= 0, not {self.steps_per_word}")


@dataclass
class Training:
    steps: int
    reached: bool  # the validation accuracy reached the target
    validation: float  # accuracy on the validation sequences when training stopped
    stop: str  # "target", "no improvement", "cap" or "diverged"


def accuracy(net: nn.Module, inputs: Tensor, answers: Tensor) -> float:
    was_training = net.training
    net.eval()
    with torch.no_grad():
        value = (net(inputs).argmax(dim=-1) == answers).float().mean().item()
    net.train(was_training)
    return value


def train_to_target(
    net: nn.Module,
    optimizer: torch.optim.Optimizer,
    next_batch: Callable[[], tuple[Tensor, Tensor]],
    validation: tuple[Tensor, Tensor],
    budget: Budget,
    k: int,
    clip: float,
) -> Training:
    """Adam steps on the answer's loss until a stop rule fires; validated at the cap too."""
    cap = budget.cap(k)
    best, best_step, score = 0.0, 0, 0.0
    for step in range(1, cap + 1):
        inputs, answers = next_batch()
        loss = nn.functional.cross_entropy(net(inputs), answers)
        if not math.isfinite(loss.item()):
            return Training(step, False, score, "diverged")
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), clip)
        optimizer.step()
        if step % budget.eval_every and step < cap:
            continue
        score = accuracy(net, *validation)
        if score >= budget.target:
            return Training(step, True, score, "target")
        if score >= best + budget.min_delta:
            best, best_step = score, step
        if step - best_step >= budget.patience:
            return Training(step, False, score, "no improvement")
    return Training(cap, False, score, "cap")
