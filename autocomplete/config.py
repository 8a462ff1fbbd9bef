"""Configuration dataclasses: every default and its help stated once.

The training command's flags are generated from these fields (train.py), so every field is
reachable from the command line. The defaults are the project's measured choice for a 2-core
CPU (see README "Training"): an LSTM with an adaptive softmax, trained with Adam and a cosine
schedule on a weighted mix of the Machado and modern sources.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Literal

from autocomplete.errors import ConfigError

Cell = Literal["lstm", "gru", "rnn"]
OutputLayer = Literal["adaptive", "softmax"]
# Adaptive softmax: each tail cluster is projected to emb / DIV_VALUE**(i+1) dimensions.
DIV_VALUE = 4.0


def option(default, help: str, **kwargs):
    """A config field whose help text becomes its command-line flag's help."""
    if isinstance(default, (list, dict)):
        return field(
            default_factory=lambda: copy.deepcopy(default), metadata={"help": help, **kwargs}
        )
    return field(default=default, metadata={"help": help, **kwargs})


# Sources are sampled by these weights: 1.0 takes each block of a source once per epoch, 0.5
# half of them, 3 three times; unlisted sources weigh 1.0. Chosen by held-out perplexity on
# the modern sources (benchmarks/mix_weights.py, README "Training data"): the small everyday
# sets gain from repetition, the technical ones cost the everyday text nothing at half
# weight, Machado helps conversation, and halving the Senate keeps parliament's register
# from dominating.
DEFAULT_WEIGHTS = {
    "machado": 1.0,
    "senado": 0.5,
    "camara": 1.0,
    **dict.fromkeys(
        ["python-docs", "libreoffice-ajuda", "gimp-ajuda", "debian-manuais", "manpages"], 0.5
    ),
    "mozilla-interface": 0.5,
    "juridico": 0.5,
    **dict.fromkeys(["tatoeba", "office-suporte", "agencia-brasil", "bosque", "gnome-ajuda"], 3.0),
    "cotidiano": 3.0,  # the project's own messages: 0.04% of the mix, see corpus/README.md
    # The project's e-mails and chats (corpus/registro): about 11% of the training tokens, the
    # weight of the shipped model's 70-minute run (README, "How the register weight was chosen").
    "registro": 10.0,
}
DEFAULT_CORPUS = [
    "../shared/corpus/machado",
    "../shared/corpus/moderno",
    "corpus/cotidiano",
    "corpus/registro",
]


@dataclass
class ModelConfig:
    cell: Cell = option("lstm", "recurrent cell: lstm, gru, or rnn (tanh, the lesson's h_t)")
    # 40k covers the modern held-out text better than 30k (2.8% vs 3.6% of its words outside
    # the vocabulary, benchmarks/vocab_coverage.py) and keeps a 1x512 model under 30 MB.
    vocab_size: int = option(
        40_000, "words incl. special tokens; rarer words map to <unk> (and the lexicon)"
    )
    emb: int = option(256, "word embedding size")
    # 512 beat 256 by 11% in validation perplexity per token and kept up per minute on this CPU
    # (docs/training/): the mix has 7M tokens, enough for the larger state.
    hidden: int = option(512, "recurrent state size (projected to emb when they differ)")
    layers: int = option(1, "stacked recurrent layers")
    dropout: float = option(0.2, "dropout on embeddings, between layers and before the output")
    output: OutputLayer = option(
        "adaptive", "adaptive (about 6x faster than a full softmax on a CPU) or softmax"
    )
    cutoffs: list[int] = option(
        [2_000, 10_000], "adaptive softmax cluster boundaries (word ranks)", nargs="+"
    )
    tie_weights: bool = option(False, "share embedding and output matrix (--output softmax only)")
    # Jozefowicz et al. 2015: a forget bias of 1 lets a fresh LSTM keep its cell state.
    forget_bias: float = option(1.0, "LSTM forget-gate bias at initialisation")

    def adaptive_cutoffs(self) -> list[int]:
        """The adaptive softmax's cluster boundaries inside this vocabulary."""
        cutoffs = [c for c in self.cutoffs if 0 < c < self.vocab_size]
        # Tiny vocabularies (tests, toy corpora) get one head/tail split at a quarter.
        return cutoffs or [max(1, self.vocab_size // 4)]

    def validate(self) -> None:
        _positive(self, "vocab_size", "emb", "hidden", "layers")
        if self.cell not in ("lstm", "gru", "rnn"):
            raise ConfigError(f"cell must be lstm, gru or rnn, not {self.cell!r}")
        if self.output not in ("adaptive", "softmax"):
            raise ConfigError(f"output must be adaptive or softmax, not {self.output!r}")
        if self.tie_weights and self.output != "softmax":
            raise ConfigError("tie-weights works with --output softmax only")
        if not 0.0 <= self.dropout < 1.0:
            raise ConfigError(f"dropout must be in [0, 1), not {self.dropout}")


@dataclass
class TrainConfig:
    corpus: list[str] = option(
        DEFAULT_CORPUS,
        "corpus sources: .txt files or folders (a folder with a SOURCES.md: each subfolder is a "
        "source)",
        nargs="+",
    )
    weights: dict[str, float] = option(
        DEFAULT_WEIGHTS, "sampling weight per source, e.g. senado=0.5 tatoeba=3", nargs="+"
    )
    out: str = option("", "output folder (default: a new folder under runs/)")
    batch_size: int = option(64, "parallel streams per step; wide batches keep CPU cores busy")
    bptt: int = option(35, "truncated backprop length in tokens")
    lr: float = option(3e-3, "Adam peak learning rate")
    min_lr_ratio: float = option(0.05, "the cosine decays to lr * this at the end of the budget")
    warmup_steps: int = option(100, "linear warm-up steps (avoids early Adam blow-ups)")
    weight_decay: float = option(0.0, "Adam weight decay")
    clip: float = option(0.5, "global gradient-norm clipping")
    epochs: int = option(10, "maximum epochs; --max-minutes usually ends the run first")
    max_minutes: float = option(0.0, "wall-clock training budget in minutes; 0: no limit")
    # A step budget is the same number of tokens whatever else the machine is running.
    max_steps: int = option(0, "optimizer-step budget; 0: no limit (the cosine decays over it)")
    eval_every: int = option(1_000, "validate every N optimizer steps (and at every epoch end)")
    patience: int = option(3, "stop after this many validations without improvement")
    device: str = option("auto", "auto (CUDA when present), cpu, cuda or cuda:N")
    seed: int = option(1234, "random seed")
    threads: int = option(0, "torch CPU threads; 0 keeps torch's default")
    save_dtype: Literal["float16", "float32"] = option("float16", "weights in model.pt")
    init_from: str = option(
        "",
        "fine-tune: start from this model's weights, shape and vocabulary (an exported .npz "
        "such as checkpoints/model.npz, or a model.pt) instead of random ones",
    )

    def __post_init__(self) -> None:
        if isinstance(self.corpus, str):  # checkpoints before several sources held one path
            self.corpus = [self.corpus]

    def validate(self) -> None:
        _positive(self, "batch_size", "bptt", "epochs", "eval_every")
        if not self.corpus:
            raise ConfigError("give at least one --corpus path")
        for name, weight in self.weights.items():
            if not (isinstance(weight, (int, float)) and weight >= 0):
                raise ConfigError(f"weight of {name} must be a number >= 0, not {weight!r}")
        if self.lr <= 0:
            raise ConfigError(f"lr must be positive, not {self.lr}")
        if self.max_minutes < 0:
            raise ConfigError(f"max-minutes must be >= 0, not {self.max_minutes}")
        if self.max_steps < 0:
            raise ConfigError(f"max-steps must be >= 0, not {self.max_steps}")
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
