"""python -m autocomplete.train: train the word language model and write one checkpoint.

Optimiser: Adam with a linear warm-up and a cosine decay over the run's budget (epochs or
--max-minutes, whichever ends first). Adam reaches a good perplexity in a fraction of the
updates that plain SGD needs, which is what a minutes-long CPU budget calls for; the cosine
tail plays the role of the classic recipe's learning-rate annealing without waiting for a
validation plateau.

Outputs in --out: model.pt (best validation perplexity so far, inference-ready),
train_state.pt (latest state with the optimiser, for --resume) and metrics.jsonl.
Both .pt files are replaced atomically, so killing the process never damages them.

Distributed: `torchrun --nproc_per_node=N -m autocomplete.train ...` runs PyTorch DDP
(gloo on CPU, nccl on CUDA). Each rank trains on its own contiguous shard of the stream;
rank 0 alone writes files and prints.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
import time
from dataclasses import fields
from pathlib import Path

import torch
import torch.distributed as dist
from tqdm import tqdm

from autocomplete.config import ModelConfig, TrainConfig
from autocomplete.engine import inference_file
from autocomplete.engine.inference_file import Inference
from autocomplete.errors import AutocompleteError, CheckpointError, ConfigError
from autocomplete.training import checkpoint, data
from autocomplete.training.model import WordLM, detach

LOG_EVERY = 50  # optimizer steps between metrics.jsonl lines
EVAL_BATCH = 16


def _weights(text: str) -> tuple[str, float]:
    name, equals, value = text.partition("=")
    try:
        return name, float(value) if equals and name else float("nan")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected SOURCE=WEIGHT, not {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """Flags generated from the config dataclasses: each default and help is stated there."""
    parser = argparse.ArgumentParser(
        prog="python -m autocomplete.train",
        description="Train the word-level language model on a weighted mix of Portuguese "
        "corpus sources. Never writes over the shipped model: see `python -m autocomplete.ship`.",
    )
    for config in (TrainConfig, ModelConfig):
        group = parser.add_argument_group(config.__name__)
        defaults = config()
        for item in fields(config):
            default = getattr(defaults, item.name)
            kind = {"weights": _weights, "cutoffs": int}.get(item.name, type(default))
            if isinstance(default, list) and item.name != "cutoffs":
                kind = str
            extra = {"nargs": item.metadata["nargs"]} if "nargs" in item.metadata else {}
            if isinstance(default, bool):
                extra, kind = {"action": argparse.BooleanOptionalAction}, None
            shown = (
                " ".join(f"{k}={v}" for k, v in default.items())
                if item.name == "weights"
                else default
            )
            group.add_argument(
                "--" + item.name.replace("_", "-"),
                **({"type": kind} if kind else {}),
                **extra,
                # None tells a flag that was not given (it then keeps the resumed run's value).
                default=None,
                help=f"{item.metadata['help']} (default: {shown if shown != '' else 'none'})",
            )
    parser.add_argument(
        "--resume",
        nargs="?",
        const="",
        default=None,
        metavar="STATE",
        help="continue from STATE (a train_state.pt or its folder; default OUT/train_state.pt)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def configs_from_args(args: argparse.Namespace, base_train=None, base_model=None):
    """Dataclass defaults (or the resumed run's configs) overridden by the flags given."""
    given = {key: value for key, value in vars(args).items() if value is not None}
    if "weights" in given:
        weights = dict(given["weights"])
        bad = [name for name, weight in weights.items() if not weight >= 0]
        if bad:
            raise ConfigError(f"--weights takes SOURCE=WEIGHT with a weight >= 0 ({bad[0]})")
        given["weights"] = {**(base_train or TrainConfig()).weights, **weights}
    train_config = base_train or TrainConfig()
    model_config = base_model or ModelConfig()
    for config in (train_config, model_config):
        for item in fields(config):
            if item.name in given and not (base_model and config is model_config):
                setattr(config, item.name, given[item.name])
    if not train_config.out:
        train_config.out = str(Path("runs") / time.strftime("%Y%m%d-%H%M%S"))
    train_config.validate()
    model_config.validate()
    return train_config, model_config


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError("--device cuda asked for, but no CUDA GPU is available")
    return torch.device(name)


class Trainer:
    """One training run: set-up, the schedule, validation, the checkpoint files and the loop.

    Over 150 lines because a run's state (model, optimizer, step, clock, best perplexity)
    is read by each of those parts; each concern is its own small method group (the
    `# --` headers), `__init__` only calls the set-up ones in order.
    """

    def __init__(
        self,
        train_config: TrainConfig,
        model_config: ModelConfig,
        resume_state=None,
        initial: Inference | None = None,
    ):
        """`resume_state` continues a run; `initial` (--init-from) starts a new run from a
        trained model's weights and vocabulary."""
        self.config = train_config
        self.model_config = model_config
        self.out = Path(train_config.out)
        self._set_up_processes()
        self._check_writable(fresh=resume_state is None)
        given = resume_state or initial
        self._set_up_data(given.tokenizer if given else None)
        self._set_up_model(initial)
        self._set_up_progress(resume_state)
        self._wrap_for_devices()

    # -- set-up, one concern each (in the order __init__ runs them) --------------------------
    def _set_up_processes(self) -> None:
        """This process's rank among the distributed ones, its device, threads and seed."""
        self.rank = int(os.environ.get("RANK", 0))
        self.world_size = int(os.environ.get("WORLD_SIZE", 1))
        self.is_main = self.rank == 0
        self.device = resolve_device(self.config.device)
        if self.world_size > 1:
            local_rank = int(os.environ.get("LOCAL_RANK", 0))
            if self.device.type == "cuda":
                self.device = torch.device("cuda", local_rank)
                torch.cuda.set_device(self.device)
            dist.init_process_group("nccl" if self.device.type == "cuda" else "gloo")
        if self.config.threads:
            torch.set_num_threads(self.config.threads)
        torch.manual_seed(self.config.seed)

    def _set_up_data(self, tokenizer) -> None:
        """The prepared corpus (with `tokenizer`, when resuming or fine-tuning) and this
        rank's training and validation batches."""
        train_config = self.config
        # Rank 0 prepares (and caches) the data first; the others then read the cache.
        if self.is_main:
            self.data = self._prepare(tokenizer)
        self._barrier()
        if not self.is_main:
            self.data = self._prepare(tokenizer)
        self.model_config.vocab_size = len(self.data.tokenizer)
        train_shard = data.shard(self.data.train, self.rank, self.world_size)
        valid_shard = data.shard(self.data.valid, self.rank, self.world_size)
        if len(train_shard) < 2 * train_config.batch_size or len(valid_shard) < 2:
            raise ConfigError(
                f"corpus too small: {len(self.data.train)} training and {len(self.data.valid)} "
                f"validation tokens for --batch-size {train_config.batch_size} "
                f"on {self.world_size} process(es)"
            )
        self.train_batches = data.batchify(train_shard, train_config.batch_size)
        # Small validation sets (toy corpora) get fewer rows rather than no validation at all.
        self.valid_batches = data.batchify(
            valid_shard, max(1, min(EVAL_BATCH, len(valid_shard) // 4))
        )
        self.steps_per_epoch = data.window_count(self.train_batches, train_config.bptt)

    def _set_up_model(self, initial: Inference | None) -> None:
        """The network (from `initial`'s weights when fine-tuning) on its device, and Adam."""
        self.model = WordLM(self.model_config)
        if initial is not None:
            self.model.load_state_dict(
                {
                    name: torch.from_numpy(weight.astype("float32"))
                    for name, weight in initial.model.weights.items()
                }
            )
        self.model.to(self.device)
        self.optimizer = torch.optim.Adam(
            self.model.parameters(), lr=self.config.lr, weight_decay=self.config.weight_decay
        )

    def _set_up_progress(self, resume_state) -> None:
        """Where the run stands: from the start, or where `resume_state` left it."""
        self.step = 0
        self.epoch = 0
        self.window = 0  # next window within the epoch
        self.tokens_seen = 0
        self.elapsed_before = 0.0
        self.best_valid_ppl = math.inf
        self.bad_evaluations = 0
        if resume_state is not None:
            self._restore(resume_state)
        self.tokens_at_start = self.tokens_seen

    def _wrap_for_devices(self) -> None:
        """DDP across processes, bfloat16 autocast on a GPU."""
        self.trained = self.model
        if self.world_size > 1:
            self.trained = torch.nn.parallel.DistributedDataParallel(
                self.model, find_unused_parameters=self.model_config.output == "adaptive"
            )
        self.autocast = (
            torch.autocast("cuda", dtype=torch.bfloat16)
            if self.device.type == "cuda"
            else contextlib.nullcontext()
        )

    # -- set-up helpers ----------------------------------------------------------------------
    def _prepare(self, tokenizer) -> data.PreparedData:
        config = self.config
        return data.prepare(
            config.corpus,
            config.weights,
            self.model_config.vocab_size,
            self.out / ".cache",
            tokenizer,
        )

    def _check_writable(self, fresh: bool) -> None:
        if not self.is_main:
            return
        if fresh and (self.out / "model.pt").exists():
            raise ConfigError(
                f"{self.out} already holds a trained model: choose another --out "
                f"(or continue that run with --resume {self.out})"
            )
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            # Temporary files of a run killed mid-write (atomic_write's, the cache's): the
            # files they were meant to replace are intact, and nothing else writes here.
            for stale in [*self.out.glob(".*.tmp"), *self.out.glob(".cache/*.tmp.npz")]:
                stale.unlink(missing_ok=True)
            probe = self.out / ".write-probe"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as error:
            raise ConfigError(
                f"cannot write to output folder {self.out}: {error.strerror}"
            ) from None

    def _barrier(self) -> None:
        if self.world_size > 1:
            dist.barrier()

    def _restore(self, state: checkpoint.Checkpoint) -> None:
        self.model.load_state_dict(state.model.state_dict())
        training = state.training
        self.optimizer.load_state_dict(training["optimizer"])
        self.step = training["step"]
        self.epoch = training["epoch"]
        self.window = training["window"]
        self.tokens_seen = training["tokens_seen"]
        self.elapsed_before = training["elapsed_s"]
        self.best_valid_ppl = training["best_valid_ppl"]
        self.bad_evaluations = training["bad_evaluations"]
        torch.set_rng_state(training["rng_state"])

    # -- schedule and evaluation ----------------------------------------------------------
    def total_steps(self) -> int:
        epochs = self.config.epochs * self.steps_per_epoch
        return min(epochs, self.config.max_steps) if self.config.max_steps else epochs

    def progress(self, elapsed: float) -> float:
        """Fraction of the run done: by steps, or by the clock when it binds sooner."""
        by_steps = self.step / max(1, self.total_steps())
        by_time = elapsed / (self.config.max_minutes * 60) if self.config.max_minutes else 0.0
        return min(1.0, max(by_steps, by_time))

    def learning_rate(self, elapsed: float) -> float:
        peak = self.config.lr
        if self.step < self.config.warmup_steps:
            return peak * (self.step + 1) / self.config.warmup_steps
        floor = peak * self.config.min_lr_ratio
        return floor + 0.5 * (peak - floor) * (1 + math.cos(math.pi * self.progress(elapsed)))

    @torch.no_grad()
    def validate(self) -> float:
        self.model.eval()
        total = torch.zeros(2, dtype=torch.float64, device=self.device)
        state = None
        for _, inputs, targets in data.windows(self.valid_batches, self.config.bptt):
            inputs, targets = inputs.to(self.device), targets.to(self.device)
            with self.autocast:
                loss, state = self.model(inputs, targets, state)
            total[0] += loss.double() * targets.numel()
            total[1] += targets.numel()
        if self.world_size > 1:
            dist.all_reduce(total)
        self.model.train()
        return math.exp(min(50.0, (total[0] / total[1]).item()))

    # -- files ----------------------------------------------------------------------------
    def _metrics(self, elapsed: float) -> dict:
        return {
            "step": self.step,
            "epoch": self.epoch,
            "tokens_seen": self.tokens_seen,
            "elapsed_s": round(elapsed, 2),
            "best_valid_ppl": round(self.best_valid_ppl, 3),
            "source_fingerprints": self.data.source_fingerprints,
            "corpus_files": self.data.report.files,
            "corpus_words": self.data.report.words,
            "train_tokens": len(self.data.train),
            "device": str(self.device),
            "world_size": self.world_size,
        }

    def save(self, elapsed: float, best: bool) -> None:
        if not self.is_main:
            return
        metrics = self._metrics(elapsed)
        dtype = torch.float16 if self.config.save_dtype == "float16" else torch.float32
        snapshot = checkpoint.Checkpoint(
            model=self.model,
            tokenizer=self.data.tokenizer,
            train_config=self.config,
            metrics=metrics,
            corpus_fingerprint=self.data.fingerprint,
        )
        if best:
            checkpoint.save(self.out / "model.pt", snapshot, dtype=dtype)
        snapshot.training = {
            "optimizer": self.optimizer.state_dict(),
            "step": self.step,
            "epoch": self.epoch,
            "window": self.window,
            "tokens_seen": self.tokens_seen,
            "elapsed_s": elapsed,
            "best_valid_ppl": self.best_valid_ppl,
            "bad_evaluations": self.bad_evaluations,
            "rng_state": torch.get_rng_state(),
        }
        checkpoint.save(self.out / "train_state.pt", snapshot)

    def log(self, record: dict) -> None:
        if self.is_main:
            with (self.out / "metrics.jsonl").open("a", encoding="utf-8") as file:
                file.write(json.dumps(record) + "\n")

    # -- the loop -------------------------------------------------------------------------
    def evaluate_and_save(self, elapsed: float) -> bool:
        """Validate, keep the best model; returns True when patience has run out."""
        valid_ppl = self.validate()
        improved = valid_ppl < self.best_valid_ppl
        if improved:
            self.best_valid_ppl = valid_ppl
            self.bad_evaluations = 0
        else:
            self.bad_evaluations += 1
        self.save(elapsed, best=improved)
        self.log(
            {
                "step": self.step,
                "tokens_seen": self.tokens_seen,
                "elapsed_s": round(elapsed, 2),
                "valid_ppl": round(valid_ppl, 3),
                "epoch": self.epoch,
            }
        )
        if self.is_main:
            tqdm.write(
                f"step {self.step}: valid perplexity {valid_ppl:.2f}"
                + (" (best, saved)" if improved else "")
            )
        return self.bad_evaluations >= self.config.patience

    def run(self, quiet: bool = False) -> dict:
        config = self.config
        start = time.monotonic() - self.elapsed_before
        deadline = start + config.max_minutes * 60 if config.max_minutes else math.inf
        bar = tqdm(
            total=self.total_steps(),
            initial=self.step,
            disable=quiet or not self.is_main,
            unit="step",
            dynamic_ncols=True,
        )
        window_tokens = config.batch_size * config.bptt * self.world_size
        rate_start, rate_tokens = time.monotonic(), 0
        running_loss, running_count = 0.0, 0
        stop_reason = "epochs done"
        self.model.train()
        try:
            while self.epoch < config.epochs:
                state = None
                for window, inputs, targets in data.windows(
                    self.train_batches, config.bptt, self.window
                ):
                    self.window = window
                    elapsed = time.monotonic() - start
                    for group in self.optimizer.param_groups:
                        group["lr"] = self.learning_rate(elapsed)
                    inputs = inputs.to(self.device, non_blocking=True)
                    targets = targets.to(self.device, non_blocking=True)
                    with self.autocast:
                        loss, state = self.trained(inputs, targets, state)
                    state = detach(state)
                    self.optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(self.model.parameters(), config.clip)
                    self.optimizer.step()
                    self.step += 1
                    self.tokens_seen += window_tokens
                    rate_tokens += window_tokens
                    running_loss += loss.item()
                    running_count += 1
                    bar.update(1)
                    if self.step % LOG_EVERY == 0:
                        now = time.monotonic()
                        rate = rate_tokens / max(1e-9, now - rate_start)
                        mean_loss = running_loss / running_count
                        bar.set_postfix(
                            loss=f"{mean_loss:.3f}",
                            ppl=f"{math.exp(mean_loss):.1f}",
                            tok_s=f"{rate:,.0f}",
                            epoch=self.epoch + 1,
                        )
                        self.log(
                            {
                                "step": self.step,
                                "tokens_seen": self.tokens_seen,
                                "elapsed_s": round(now - start, 2),
                                "train_loss": round(mean_loss, 4),
                                "lr": self.optimizer.param_groups[0]["lr"],
                                "tokens_per_s": round(rate, 1),
                            }
                        )
                        rate_start, rate_tokens = now, 0
                        running_loss, running_count = 0.0, 0
                    out_of_time = time.monotonic() >= deadline
                    out_of_steps = 0 < config.max_steps <= self.step
                    if self.step % config.eval_every == 0 or out_of_time or out_of_steps:
                        self.window += 1  # resume after this window
                        if self.evaluate_and_save(time.monotonic() - start):
                            stop_reason = "no improvement (early stop)"
                            return self._finish(stop_reason, start, bar)
                        self.window -= 1
                    if out_of_time or out_of_steps:
                        stop_reason = "time budget reached" if out_of_time else "steps done"
                        return self._finish(stop_reason, start, bar)
                self.epoch += 1
                self.window = 0
                if self.evaluate_and_save(time.monotonic() - start):
                    stop_reason = "no improvement (early stop)"
                    break
        except KeyboardInterrupt:
            stop_reason = "interrupted (Ctrl+C)"
            self.save(time.monotonic() - start, best=False)
        return self._finish(stop_reason, start, bar)

    def _finish(self, reason: str, start: float, bar) -> dict:
        bar.close()
        elapsed = time.monotonic() - start
        summary = {
            "stop_reason": reason,
            "best_valid_ppl": round(self.best_valid_ppl, 3),
            "steps": self.step,
            "tokens_seen": self.tokens_seen,
            "elapsed_s": round(elapsed, 1),
            "tokens_per_s": round(
                (self.tokens_seen - self.tokens_at_start)
                / max(1e-9, elapsed - self.elapsed_before),
                1,
            ),
        }
        if self.is_main:
            print(
                f"{reason}: best valid perplexity {summary['best_valid_ppl']}, "
                f"{self.step} steps, {summary['tokens_per_s']:,.0f} tokens/s, "
                f"model in {self.out / 'model.pt'}"
            )
        if self.world_size > 1:
            # Every rank done (rank 0 writes last) before any tears the group down.
            self._barrier()
            dist.destroy_process_group()
        return summary


def resume_path(args: argparse.Namespace) -> Path:
    if args.resume:
        path = Path(args.resume)
        return path / "train_state.pt" if path.is_dir() else path
    if not args.out:
        raise ConfigError("--resume needs the run to continue: --resume RUN_FOLDER")
    return Path(args.out) / "train_state.pt"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.resume is not None:
            state = checkpoint.load(resume_path(args))
            if state.training is None:
                raise CheckpointError(f"{resume_path(args)} holds no training state to resume")
            train_config, model_config = configs_from_args(
                args, base_train=state.train_config, base_model=state.model.config
            )
            trainer = Trainer(train_config, model_config, resume_state=state)
        elif args.init_from:
            # The starting model fixes the network's shape and vocabulary; the run is new.
            initial = inference_file.read(args.init_from)
            train_config, model_config = configs_from_args(args, base_model=initial.model.config)
            trainer = Trainer(train_config, model_config, initial=initial)
        else:
            train_config, model_config = configs_from_args(args)
            trainer = Trainer(train_config, model_config)
        if trainer.is_main:
            cleaning_report = trainer.out / "cleaning.txt"
            cleaning_report.write_text("\n".join(trainer.data.cleaning) + "\n", encoding="utf-8")
            print(
                f"{trainer.data.report.summary()}; vocabulary {len(trainer.data.tokenizer):,}; "
                f"{len(trainer.data.train):,} training tokens; device {trainer.device}; "
                f"what cleaning removed: {cleaning_report}; writing to {trainer.out}",
                file=sys.stderr,
            )
        # SIGTERM (e.g. from a job scheduler) stops as cleanly as Ctrl+C.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        trainer.run(quiet=args.quiet)
    except AutocompleteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a full disk or a folder that vanished: the files on disk are
        # whole (atomic writes), so the run can resume once there is room
        print(
            f"error: cannot write {error.filename or 'a file'}: {error.strerror}", file=sys.stderr
        )
        return 2
    except KeyboardInterrupt:
        print("interrupted before training started", file=sys.stderr)
        return 130
    return 0
