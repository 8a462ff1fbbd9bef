"""The long-gap experiment: every cell, gap and seed, fresh networks and a curriculum.

Each cell gets its own learning rate from a small sweep of fresh networks on a seed that is
never scored, the same rules for every cell: the rate with the best mean validation accuracy
over the gaps wins (a tie goes to fewer steps). The curriculum trains one network per (cell,
seed) on the gaps in turn, shortest first, at the cell's chosen rate, each stage under the
same budget as a fresh network on that gap; it is reported beside the fresh networks, so a
reader sees what it changes and for whom.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import torch

from autocomplete.lesson.long_gap import (
    ANSWERS,
    FillerText,
    LongGapConfig,
    LongGapNet,
    LongGapResult,
    SeedRun,
    fit,
    train_and_score,
)
from autocomplete.lesson.long_gap_cells import LongGapCell

# (cell, seed, lr, text, config) -> one run per gap
Schedule = Callable[[LongGapCell, int, float, FillerText, LongGapConfig], dict[int, SeedRun]]


def fresh(
    cell: LongGapCell, seed: int, lr: float, text: FillerText, config: LongGapConfig
) -> dict[int, SeedRun]:
    """One new network per gap."""
    return {k: train_and_score(cell, k, seed, lr, text, config) for k in config.gaps}


def curriculum(
    cell: LongGapCell, seed: int, lr: float, text: FillerText, config: LongGapConfig
) -> dict[int, SeedRun]:
    """One network (and optimiser) trained on each gap in turn, shortest first."""
    gaps = sorted(config.gaps)
    torch.manual_seed(seed)
    net = LongGapNet(cell, text.vocab_size, config, gaps[-1])
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    return {k: fit(net, optimizer, k, seed, text, config, rng) for k in gaps}


def choose_lr(
    cell: LongGapCell, text: FillerText, config: LongGapConfig, log
) -> tuple[float, dict[float, dict[int, SeedRun]]]:
    seed = config.seeds  # seeds 0 .. seeds - 1 are scored
    runs = {lr: fresh(cell, seed, lr, text, config) for lr in config.lrs}

    def score(lr: float) -> tuple[float, int]:
        gaps = runs[lr].values()
        return statistics.fmean(r.training.validation for r in gaps), -sum(
            r.training.steps for r in gaps
        )

    for lr, by_gap in runs.items():
        _log(log, f"sweep {cell} lr={lr:g}", by_gap.values())
    return max(runs, key=score), runs


def run(text: FillerText, config: LongGapConfig, log=sys.stderr) -> LongGapResult:
    config.validate()
    torch.set_num_threads(config.threads)
    started = time.monotonic()
    lrs = {cell: config.lrs[0] for cell in config.cells}
    sweep: dict[str, dict[float, dict[int, SeedRun]]] = {}
    if len(config.lrs) > 1:
        for cell in config.cells:
            lrs[cell], sweep[cell] = choose_lr(cell, text, config, log)
    schedules: list[Schedule] = [fresh, curriculum] if config.curriculum else [fresh]
    found: dict[str, dict[str, dict[int, list[SeedRun]]]] = {}  # schedule -> cell -> k -> runs
    for schedule in schedules:
        runs: dict[str, dict[int, list[SeedRun]]] = found.setdefault(schedule.__name__, {})
        for cell in config.cells:
            seeds = [schedule(cell, s, lrs[cell], text, config) for s in range(config.seeds)]
            runs[cell] = {k: [by_gap[k] for by_gap in seeds] for k in config.gaps}
            for k in config.gaps:
                minutes = (time.monotonic() - started) / 60
                what = f"{schedule.__name__} {cell} lr={lrs[cell]:g} k={k}"
                _log(log, what, runs[cell][k], minutes)
    return LongGapResult(
        runs=found["fresh"],
        chance=1 / len(ANSWERS),
        config=config,
        curriculum=found.get("curriculum", {}),
        sweep=sweep,
        minutes=round((time.monotonic() - started) / 60, 1),
        filler_words={
            "train": len(text.train),
            "validation": len(text.validation),
            "test": len(text.test),
        },
    )


def _log(log, what: str, runs, minutes: float | None = None) -> None:
    """One line: test accuracy / steps trained, per seed (or per gap, for a sweep)."""
    cells = " ".join(f"{r.accuracy:.3f}/{r.training.steps}" for r in runs)
    when = "" if minutes is None else f" ({minutes:.1f} min)"
    print(f"long gap {what}: {cells}{when}", file=log, flush=True)
