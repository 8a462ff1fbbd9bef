"""The long-gap memory task: a cue, k words of real Portuguese, then the answer the cue decides.

Each sequence is a country (França, Alemanha, ... from `probe.COUNTRIES`) followed by k
consecutive words cut from real text; after the last word the network must name the
country's language. Nothing in the filler tells the language (the cue and answer words are
masked out of it), so the only way to answer is to carry the cue across k steps: the
gradient from the answer must reach the cue through k applications of the recurrence,
which is what the lesson says a simple RNN cannot do and a gated cell can.

Trained directly, one small network per (cell, k, seed), with the loss on the answer alone
and the same budget (steps x batch, learning rate, clipping) for every cell and every k.
Scored on fresh sequences whose fillers come from the held-out test split of the text.
Chance is one over the number of languages.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor, nn

from autocomplete.config import Cell
from autocomplete.errors import ConfigError
from autocomplete.lesson.probe import COUNTRIES
from autocomplete.training import corpus
from autocomplete.training.model import CELLS

UNK = 0
# The country is the cue (the last word of "Na França"); its language is the answer.
CUES = tuple(phrase.split()[-1] for phrase, _ in COUNTRIES)
ANSWERS = tuple(language for _, language in COUNTRIES)


@dataclass
class LongGapConfig:
    gaps: tuple[int, ...] = (5, 10, 20, 50, 100)
    cells: tuple[Cell, ...] = ("rnn", "gru", "lstm")
    seeds: int = 5  # 6 minutes for all cells and gaps on a quiet 2-core CPU
    steps: int = 400  # the same budget for every cell and every k
    batch_size: int = 64
    emb: int = 32
    hidden: int = 64
    lr: float = 3e-3
    clip: float = 1.0
    forget_bias: float = 1.0  # the LSTM's, as in the language model (config.ModelConfig)
    filler_vocab: int = 2_000  # most frequent training words; the rest read as one unknown word
    test_items: int = 2_000  # fresh held-out sequences per (cell, k, seed)
    max_words: int = 2_000_000  # filler text read per split, at most
    threads: int = 1  # the matrices are tiny: more threads only add synchronisation

    def validate(self) -> None:
        for name in ("seeds", "steps", "batch_size", "emb", "hidden", "filler_vocab"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"long-gap {name} must be positive, not {getattr(self, name)}")
        if not self.gaps or min(self.gaps) < 1:
            raise ConfigError(f"long-gap gaps must be positive, not {self.gaps}")


@dataclass
class FillerText:
    """Real text as word ids, cut into k-word fillers: training and held-out streams."""

    train: np.ndarray
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
        text = cls(
            train=np.array([ids.get(word, UNK) for word in train_words], dtype=np.int64),
            test=np.array([ids.get(word, UNK) for word in test_words], dtype=np.int64),
            vocab_size=len(ids) + 1,
        )
        longest = max(config.gaps)
        if min(len(text.train), len(text.test)) <= longest:
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

    def __init__(self, cell: Cell, vocab_size: int, config: LongGapConfig):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size + len(CUES), config.emb)
        self.rnn = CELLS[cell](config.emb, config.hidden, batch_first=True)
        self.readout = nn.Linear(config.hidden, len(ANSWERS))
        if cell == "lstm":  # the same initialisation as the language model's LSTM
            for name, parameter in self.rnn.named_parameters():
                if name.startswith("bias_"):
                    size = parameter.shape[0] // 4
                    value = config.forget_bias if name.startswith("bias_ih") else 0.0
                    with torch.no_grad():
                        parameter[size : 2 * size].fill_(value)

    def forward(self, inputs: Tensor) -> Tensor:
        output, _ = self.rnn(self.embedding(inputs))
        return self.readout(output[:, -1])


def train_and_score(
    cell: Cell, k: int, seed: int, text: FillerText, config: LongGapConfig
) -> float:
    """Train one network on gap k and return its accuracy on fresh held-out sequences."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = LongGapNet(cell, text.vocab_size, config)
    optimizer = torch.optim.Adam(net.parameters(), lr=config.lr)
    for _ in range(config.steps):
        inputs, answers = make_batch(text.train, text.vocab_size, k, config.batch_size, rng)
        loss = nn.functional.cross_entropy(net(inputs), answers)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), config.clip)
        optimizer.step()
    test_rng = np.random.default_rng(10_000 + seed)  # other draws than training's
    inputs, answers = make_batch(text.test, text.vocab_size, k, config.test_items, test_rng)
    net.eval()
    with torch.no_grad():
        return (net(inputs).argmax(dim=-1) == answers).float().mean().item()


@dataclass
class LongGapResult:
    accuracy: dict[str, dict[int, list[float]]]  # cell -> k -> one accuracy per seed
    chance: float
    config: LongGapConfig
    minutes: float = 0.0
    filler_words: dict[str, int] = field(default_factory=dict)

    def mean(self, cell: str, k: int) -> float:
        return statistics.fmean(self.accuracy[cell][k])

    def spread(self, cell: str, k: int) -> float:
        """Sample standard deviation over seeds (0 with a single seed)."""
        values = self.accuracy[cell][k]
        return statistics.stdev(values) if len(values) > 1 else 0.0

    def to_json(self) -> dict:
        """The results.json form: mean accuracy per cell and gap (string keys), and chance."""
        table: dict = {
            cell: {str(k): round(self.mean(cell, k), 4) for k in gaps}
            for cell, gaps in self.accuracy.items()
        }
        table["chance"] = round(self.chance, 4)
        return table


def run(text: FillerText, config: LongGapConfig, log=sys.stderr) -> LongGapResult:
    config.validate()
    torch.set_num_threads(config.threads)
    started = time.monotonic()
    accuracy: dict[str, dict[int, list[float]]] = {cell: {} for cell in config.cells}
    for k in config.gaps:
        for cell in config.cells:
            accuracy[cell][k] = [
                train_and_score(cell, k, seed, text, config) for seed in range(config.seeds)
            ]
            print(
                f"long gap k={k} {cell}: "
                + " ".join(f"{a:.3f}" for a in accuracy[cell][k])
                + f" ({(time.monotonic() - started) / 60:.1f} min)",
                file=log,
                flush=True,
            )
    return LongGapResult(
        accuracy=accuracy,
        chance=1 / len(ANSWERS),
        config=config,
        minutes=round((time.monotonic() - started) / 60, 1),
        filler_words={"train": len(text.train), "test": len(text.test)},
    )
