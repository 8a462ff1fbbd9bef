"""Configuration dataclasses with commented defaults.

The defaults are the project's measured choice for a 2-core CPU (see README "Training"):
a one-layer LSTM with an adaptive softmax, trained with Adam and a cosine schedule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

from autocomplete.errors import ConfigError

Cell = Literal["lstm", "gru", "rnn"]
OutputLayer = Literal["adaptive", "softmax"]


@dataclass
class ModelConfig:
    cell: Cell = "lstm"  # recurrent cell: lstm (default), gru, or rnn (tanh, the lesson's h_t)
    vocab_size: int = 30_000  # words incl. special tokens; the rest of the corpus maps to <unk>
    emb: int = 256  # word embedding size
    hidden: int = 256  # recurrent state size (= emb, so the output needs no projection)
    layers: int = 1  # stacked recurrent layers
    dropout: float = 0.2  # on embeddings, between layers and before the output layer
    output: OutputLayer = "adaptive"  # adaptive softmax is ~6x faster than a full one on CPU
    # Adaptive softmax cluster boundaries (word ranks). Frequent words get the full-size head.
    cutoffs: list[int] = field(default_factory=lambda: [2_000, 10_000])
    tie_weights: bool = True  # share input embedding and output matrix (full softmax only)

    def validate(self) -> None:
        _positive(self, "vocab_size", "emb", "hidden", "layers")
        if self.cell not in ("lstm", "gru", "rnn"):
            raise ConfigError(f"cell must be lstm, gru or rnn, not {self.cell!r}")
        if self.output not in ("adaptive", "softmax"):
            raise ConfigError(f"output must be adaptive or softmax, not {self.output!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), not {self.dropout}")


@dataclass
class TrainConfig:
    corpus: str = "corpus/"  # a .txt file or a folder tree of them
    out: str = "checkpoints/"  # model.pt (best), train_state.pt (resume), metrics.jsonl
    batch_size: int = 64  # parallel streams; wide batches keep both CPU cores busy
    bptt: int = 35  # truncated backprop length in tokens
    lr: float = 3e-3  # Adam peak learning rate
    min_lr_ratio: float = 0.05  # cosine decays to lr * min_lr_ratio at the end of the budget
    warmup_steps: int = 100  # linear warm-up avoids early Adam blow-ups
    weight_decay: float = 0.0
    clip: float = 0.5  # global gradient-norm clipping
    epochs: int = 10  # upper bound; --max-minutes usually ends the run first
    max_minutes: float = 0.0  # wall-clock budget; 0 means no limit
    eval_every: int = 1_000  # validate every N optimizer steps (and at every epoch end)
    patience: int = 3  # stop after this many validations without improvement
    device: str = "auto"  # auto picks CUDA when present
    seed: int = 1234
    threads: int = 0  # torch CPU threads; 0 keeps torch's default
    save_dtype: Literal["float16", "float32"] = "float16"  # weights in model.pt

    def validate(self) -> None:
        _positive(self, "batch_size", "bptt", "epochs", "eval_every")
        if self.lr <= 0:
            raise ConfigError(f"lr must be positive, not {self.lr}")
        if self.max_minutes < 0:
            raise ConfigError(f"max-minutes must be >= 0, not {self.max_minutes}")
        if self.clip <= 0:
            raise ConfigError(f"clip must be positive, not {self.clip}")
        if self.device not in ("auto", "cpu", "cuda") and not self.device.startswith("cuda:"):
            raise ConfigError(f"device must be auto, cpu or cuda, not {self.device!r}")
        if self.save_dtype not in ("float16", "float32"):
            raise ConfigError(f"save-dtype must be float16 or float32, not {self.save_dtype!r}")


def _positive(config: object, *names: str) -> None:
    for name in names:
        value = getattr(config, name)
        if value <= 0:
            flag = name.replace("_", "-")
            raise ConfigError(f"{flag} must be a positive number, not {value}")


def from_dict(cls, data: dict):
    """Build a config from a checkpoint dict, ignoring keys a newer/older version added."""
    known = {f.name for f in fields(cls)}
    return cls(**{key: value for key, value in data.items() if key in known})
