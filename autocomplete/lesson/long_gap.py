"""The long-gap memory task: a cue, k words of real Portuguese, then the answer the cue decides.

Each sequence is a country (França, Alemanha, ... from `probe.COUNTRIES`) followed by k
consecutive words cut from real text; after the last word the network must name the
country's language. Nothing in the filler tells the language (the cue and answer words are
masked out of it), so the only way to answer is to carry the cue across k steps: the
gradient from the answer must reach the cue through k applications of the recurrence,
which is what the lesson says a simple RNN cannot do and a gated cell can.

Trained directly, one small network per (cell, k, seed), with the loss on the answer alone
and the same rules for every cell: each cell's learning rate is chosen by a small sweep at
the longest gap, and each network trains until its held-out accuracy reaches a target, stops
improving, or hits a step cap that grows with k (`long_gap_budget`). Validated on sequences
whose fillers come from the first half of the held-out test split, scored on fresh ones from
the second half. Chance is one over the number of languages.
"""

from __future__ import annotations

import copy
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

from autocomplete.errors import ConfigError
from autocomplete.lesson.long_gap_budget import Budget, Training, accuracy, train_to_target
from autocomplete.lesson.long_gap_cells import LONG_GAP_CELLS, LongGapCell, recurrent_layer
from autocomplete.lesson.probe import COUNTRIES
from autocomplete.training import corpus

UNK = 0
# The country is the cue (the last word of "Na França"); its language is the answer.
CUES = tuple(phrase.split()[-1] for phrase, _ in COUNTRIES)
ANSWERS = tuple(language for _, language in COUNTRIES)


@dataclass
class LongGapConfig:
    gaps: tuple[int, ...] = (5, 10, 20, 50, 100)
    cells: tuple[LongGapCell, ...] = LONG_GAP_CELLS
    seeds: int = 5
    budget: Budget = field(default_factory=Budget)
    # Also train each (cell, seed) on the gaps in turn, shortest first, one network throughout.
    curriculum: bool = True
    # Adam learning rates tried per cell at the longest gap; one value skips the sweep.
    lrs: tuple[float, ...] = (3e-4, 1e-3, 3e-3, 1e-2)
    # Small and narrow: a step at k = 100 costs ~11 ms (rnn, lstm) or ~23 ms (gru) on one
    # thread, so all cells, gaps, seeds and the sweep fit in well under an hour.
    batch_size: int = 32
    emb: int = 32
    hidden: int = 32
    clip: float = 1.0
    filler_vocab: int = 2_000  # most frequent training words; the rest read as one unknown word
    validation_items: int = 512  # fixed held-out sequences that decide when to stop
    test_items: int = 2_000  # fresh held-out sequences per (cell, k, seed)
    gradient_items: int = 256  # sequences the cue's gradient at initialisation is averaged over
    max_words: int = 2_000_000  # filler text read per split, at most
    threads: int = 1  # the matrices are tiny: more threads only add synchronisation

    def validate(self) -> None:
        for name in ("seeds", "batch_size", "emb", "hidden", "filler_vocab"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"long-gap {name} must be positive, not {getattr(self, name)}")
        if not self.gaps or min(self.gaps) < 1:
            raise ConfigError(f"long-gap gaps must be positive, not {self.gaps}")
        if not self.lrs or min(self.lrs) <= 0:
            raise ConfigError(f"long-gap learning rates must be positive, not {self.lrs}")
        unknown = set(self.cells) - set(LONG_GAP_CELLS)
        if unknown:
            raise ConfigError(f"unknown long-gap cells {sorted(unknown)}; use {LONG_GAP_CELLS}")
        self.budget.validate()


@dataclass
class FillerText:
    """Real text as word ids, cut into k-word fillers: training and held-out streams.

    The held-out test split is halved: validation decides when training stops, test scores.
    """

    train: np.ndarray
    validation: np.ndarray
    test: np.ndarray
    vocab_size: int  # filler ids are below it; the cues follow

    @classmethod
    def from_sentences(
        cls, train: Iterable[str], test: Iterable[str], config: LongGapConfig
    ) -> FillerText:
        train_words = _words(train, config.max_words)
        test_words = _words(test, config.max_words)
        masked = {word.lower() for word in (*CUES, *ANSWERS)}
        counts = Counter(word for word in train_words if word not in masked)
        ids = {word: i + 1 for i, (word, _) in enumerate(counts.most_common(config.filler_vocab))}
        held_out = np.array([ids.get(word, UNK) for word in test_words], dtype=np.int64)
        half = len(held_out) // 2
        text = cls(
            train=np.array([ids.get(word, UNK) for word in train_words], dtype=np.int64),
            validation=held_out[:half],
            test=held_out[half:],
            vocab_size=len(ids) + 1,
        )
        longest = max(config.gaps)
        if min(len(text.train), len(text.validation), len(text.test)) <= longest:
            raise ConfigError(
                f"the long-gap corpus is too small: {len(train_words)} training and "
                f"{len(test_words)} held-out words for gaps up to {longest}"
            )
        return text

    @classmethod
    def read(cls, paths: Sequence[str], config: LongGapConfig) -> FillerText:
        splits = [
            corpus.split(source.documents, source.name) for source in corpus.read_sources(paths)
        ]
        return cls.from_sentences(
            (s for part in splits for s in part.train),
            (s for part in splits for s in part.test),
            config,
        )


def _words(sentences: Iterable[str], limit: int) -> list[str]:
    words: list[str] = []
    for sentence in sentences:
        words += (match.lower() for match in corpus.WORD.findall(sentence))
        if len(words) >= limit:
            return words[:limit]
    return words


def make_batch(
    stream: np.ndarray, vocab_size: int, k: int, size: int, rng: np.random.Generator
) -> tuple[Tensor, Tensor]:
    """Inputs (size, 1 + k): a cue id then k consecutive filler words; targets: the answers."""
    answers = rng.integers(len(CUES), size=size)
    starts = rng.integers(len(stream) - k, size=size)
    fillers = stream[starts[:, None] + np.arange(k)]
    inputs = np.concatenate([(vocab_size + answers)[:, None], fillers], axis=1)
    return torch.from_numpy(inputs), torch.from_numpy(answers)


class LongGapNet(nn.Module):
    """Embedding -> one recurrent layer -> the answer read from the last state."""

    def __init__(self, cell: LongGapCell, vocab_size: int, config: LongGapConfig, k: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size + len(CUES), config.emb)
        self.rnn = recurrent_layer(cell, config.emb, config.hidden, k)
        self.readout = nn.Linear(config.hidden, len(ANSWERS))

    def forward(self, inputs: Tensor) -> Tensor:
        return self.read(self.embedding(inputs))

    def read(self, embedded: Tensor) -> Tensor:
        output, _ = self.rnn(embedded)
        return self.readout(output[:, -1])


def cue_gradient_norm(net: LongGapNet, inputs: Tensor, answers: Tensor) -> float:
    """Mean over sequences of ||d loss / d x_cue||, x_cue the cue's embedding (step 0)."""
    # On a float64 copy: through the tanh RNN the gradient at k = 100 (~1e-35) underflows
    # float32 to zero on its way back.
    measured = copy.deepcopy(net).double()
    embedded = measured.embedding(inputs).detach().requires_grad_(True)
    # A sum, not a mean: each sequence's gradient is its own, whatever the batch size.
    loss = nn.functional.cross_entropy(measured.read(embedded), answers, reduction="sum")
    (gradient,) = torch.autograd.grad(loss, embedded)
    return gradient[:, 0].norm(dim=-1).mean().item()


@dataclass
class SeedRun:
    """One network trained on one gap: how far it got and what it took."""

    lr: float
    training: Training
    accuracy: float  # on fresh sequences from the held-out test half
    cue_gradient: float  # cue_gradient_norm before the first step


def train_and_score(
    cell: LongGapCell, k: int, seed: int, lr: float, text: FillerText, config: LongGapConfig
) -> SeedRun:
    """Train one fresh network on gap k within the budget; score it on held-out sequences."""
    torch.manual_seed(seed)
    net = LongGapNet(cell, text.vocab_size, config, k)
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    return fit(net, optimizer, k, seed, text, config, np.random.default_rng(seed))


def fit(
    net: LongGapNet,
    optimizer: torch.optim.Adam,
    k: int,
    seed: int,
    text: FillerText,
    config: LongGapConfig,
    rng: np.random.Generator,
) -> SeedRun:
    """Measure the cue's gradient, train on gap k within the budget, score on the test half."""
    # Other draws than training's; the validation set is fixed, the same at every check.
    validation = make_batch(
        text.validation,
        text.vocab_size,
        k,
        config.validation_items,
        np.random.default_rng(seed + 10_000),
    )
    gradient = cue_gradient_norm(
        net, validation[0][: config.gradient_items], validation[1][: config.gradient_items]
    )
    training = train_to_target(
        net,
        optimizer,
        lambda: make_batch(text.train, text.vocab_size, k, config.batch_size, rng),
        validation,
        config.budget,
        k,
        config.clip,
    )
    test = make_batch(
        text.test, text.vocab_size, k, config.test_items, np.random.default_rng(seed + 20_000)
    )
    return SeedRun(optimizer.param_groups[0]["lr"], training, accuracy(net, *test), gradient)


@dataclass
class LongGapResult:
    runs: dict[str, dict[int, list[SeedRun]]]  # cell -> k -> one fresh network per seed
    chance: float
    config: LongGapConfig
    # cell -> k -> one network per seed, trained on every shorter gap first
    curriculum: dict[str, dict[int, list[SeedRun]]] = field(default_factory=dict)
    # The learning-rate sweep (fresh networks, a seed never scored): cell -> lr -> k -> run
    sweep: dict[str, dict[float, dict[int, SeedRun]]] = field(default_factory=dict)
    minutes: float = 0.0
    filler_words: dict[str, int] = field(default_factory=dict)

    def accuracy(self, cell: str, k: int, curriculum: bool = False) -> list[float]:
        runs = self.curriculum if curriculum else self.runs
        return [run.accuracy for run in runs[cell][k]]

    def mean(self, cell: str, k: int, curriculum: bool = False) -> float:
        return statistics.fmean(self.accuracy(cell, k, curriculum))

    def spread(self, cell: str, k: int, curriculum: bool = False) -> float:
        """Sample standard deviation over seeds (0 with a single seed)."""
        values = self.accuracy(cell, k, curriculum)
        return statistics.stdev(values) if len(values) > 1 else 0.0

    def lr(self, cell: str) -> float:
        """The learning rate the cell trained with (the sweep's choice), in both schedules."""
        return next(iter(self.runs[cell].values()))[0].lr

    def to_json(self) -> dict:
        """The results.json form: mean accuracy per cell and gap (string keys), and chance."""
        table: dict = {
            cell: {str(k): round(self.mean(cell, k), 4) for k in gaps}
            for cell, gaps in self.runs.items()
        }
        table["chance"] = round(self.chance, 4)
        return table
