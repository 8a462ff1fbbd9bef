"""python -m autocomplete.compare: simple RNN vs GRU vs LSTM vs Kneser-Ney trigram, measured.

One command trains the three recurrent cells with the same size, data, vocabulary, seed and
time budget through the project's own trainer, fits the trigram on the same training text,
evaluates all four on the same held-out text with `evaluate`'s metrics, runs the long-gap
probe (`probe`) and the gradient-by-distance measurement (`gradients`), trains the long-gap
task (`long_gap`) directly, and writes OUT/report.md and OUT/results.json (plus PNG plots
when matplotlib is installed: `pip install -e .[plots]`).

Layout of OUT: report.md, results.json, *.png, and runs/<cell>/ with each trainer's
model.pt and metrics.jsonl (runs/ is git-ignored). The three runs share runs/.cache, so the
corpus is read and the vocabulary built once, and all three models get the very same one.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from autocomplete.config import ModelConfig, TrainConfig
from autocomplete.engine import inference_file
from autocomplete.engine.ngram import KneserNeyTrigram
from autocomplete.engine.suggester import Suggester
from autocomplete.engine.tokenizer import Tokenizer
from autocomplete.errors import AutocompleteError, ConfigError
from autocomplete.evaluation import evaluate
from autocomplete.lesson import (
    long_gap,
    long_gap_budget,
    long_gap_experiment,
    long_gap_report,
    probe,
)
from autocomplete.lesson.gradients import gradient_by_distance
from autocomplete.lesson.probe import ItemScore, ProbeItem
from autocomplete.training import checkpoint, corpus, data
from autocomplete.training import trainer as train

CELLS = ("rnn", "gru", "lstm")
NGRAM = "trigram"
CURVE_EVAL_EVERY = 300  # validations often enough to draw learning curves within minutes
RUN_FILES = ("model.pt", "train_state.pt", "metrics.jsonl")
# Probe gaps summarised together; the probe's gaps run from 3 to 30.
BANDS = {"short": range(3, 6), "middle": range(6, 16), "long": range(16, 31)}
GRADIENT_TABLE_DISTANCES = (0, 1, 2, 4, 8, 16, 24, 32, 40)
REGENERATE = """how docs/compare was made (its report.md gives each part's minutes):
  language models:  python -m autocomplete.compare --corpus ../shared/corpus/machado \\
                      ../shared/corpus/moderno corpus/cotidiano --max-steps 2000 --lr 0.006 \\
                      --batch-size 32 --emb 256 --hidden 256 --threads 2 --eval-every 1000 \\
                      --max-words 1000 --skip-long-gap --out docs/compare
  long-gap task:    python -m autocomplete.compare --long-gap-only \\
                      --corpus ../shared/corpus/machado --out docs/compare
Leave out --skip-long-gap to run both in one command (the long-gap fillers then come from
--corpus unless --long-gap-corpus is given). --long-gap-only replaces only the long-gap
section of OUT/report.md and its keys in OUT/results.json; a language-model run keeps them."""


@dataclass
class CompareConfig:
    corpus: list[str]
    minutes: float  # training budget of each recurrent model; 0: the trainer's --max-steps
    out: str = "compare/"
    max_words: int = 3_000  # held-out words for the suggestion metrics (the slow part)
    probe_draws: int = 8  # fillers per gap; each gives one balanced set of items per kind
    max_distance: int = 40  # gradient measured for k = 0 .. max_distance
    gradient_rows: int = 128  # text windows the gradient is averaged over
    command: str = ""  # recorded in the report


@dataclass
class ModelResult:
    name: str
    metrics: evaluate.Metrics
    probe: list[ItemScore]
    training: dict | None = None  # the trainer's summary; None for the trigram
    recurrent_parameters: int | None = None
    parameters: int | None = None
    curve: list[dict] = field(default_factory=list)  # metrics.jsonl records
    gradient: np.ndarray | None = None


# -- running ------------------------------------------------------------------------------
def train_cell(
    cell: str, config: CompareConfig, train_config: TrainConfig, model_config: ModelConfig
) -> dict:
    """Train one cell into OUT/runs/<cell> on the shared cache; returns the trainer summary."""
    runs = Path(config.out) / "runs"
    run_dir = runs / cell
    run_dir.mkdir(parents=True, exist_ok=True)
    for name in RUN_FILES:  # a previous comparison's files would mix into this one's
        (run_dir / name).unlink(missing_ok=True)
    cache_link = run_dir / ".cache"
    if not cache_link.is_symlink():
        cache_link.symlink_to(Path("..") / ".cache", target_is_directory=True)
    trainer = train.Trainer(
        replace(train_config, corpus=config.corpus, out=str(run_dir), max_minutes=config.minutes),
        replace(model_config, cell=cell),
    )
    print(f"training {cell}", file=sys.stderr)
    return trainer.run(quiet=True)


def read_curve(run_dir: Path) -> list[dict]:
    with (run_dir / "metrics.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def neural_result(
    cell: str,
    config: CompareConfig,
    summary: dict,
    held_out: str,
    items: list[ProbeItem],
    stream: np.ndarray,
) -> ModelResult:
    """Load a trained cell and measure it: evaluate's metrics, the probe, the gradient."""
    run_dir = Path(config.out) / "runs" / cell
    loaded = checkpoint.load(run_dir / "model.pt")
    served = inference_file.from_checkpoint(loaded)  # measured as the editor serves it
    suggester = Suggester.from_inference(served, name=cell)
    metrics = evaluate.evaluate_suggester(suggester, held_out, max_words=config.max_words)
    metrics.perplexity = evaluate.perplexity(served, held_out)
    return ModelResult(
        name=cell,
        metrics=metrics,
        probe=probe.score(items, probe.suggester_scorer(suggester)),
        training=summary,
        recurrent_parameters=sum(p.numel() for p in loaded.model.rnn.parameters()),
        parameters=sum(p.numel() for p in loaded.model.parameters()),
        curve=read_curve(run_dir),
        gradient=gradient_by_distance(
            loaded.model, stream, config.max_distance, rows=config.gradient_rows
        ),
    )


def ngram_result(
    tokenizer: Tokenizer,
    sentences: list[str],
    config: CompareConfig,
    held_out: str,
    items: list[ProbeItem],
) -> ModelResult:
    """The trigram, counted on the same training sentences with the same vocabulary."""
    model = KneserNeyTrigram.train(tokenizer, sentences)
    suggester = Suggester(tokenizer, model, name=NGRAM)
    metrics = evaluate.evaluate_suggester(suggester, held_out, max_words=config.max_words)
    metrics.perplexity = model.perplexity(evaluate.token_stream(tokenizer, held_out))
    return ModelResult(
        name=NGRAM, metrics=metrics, probe=probe.score(items, probe.suggester_scorer(suggester))
    )


def run(config: CompareConfig, train_config: TrainConfig, model_config: ModelConfig) -> Path:
    started = time.monotonic()
    out = Path(config.out)
    prepared = data.prepare(
        config.corpus, train_config.weights, model_config.vocab_size, out / "runs" / ".cache"
    )
    splits = {s.name: corpus.split(s.documents, s.name) for s in corpus.read_sources(config.corpus)}
    held_out = " ".join(corpus.mix(splits, train_config.weights, "test"))
    summaries = {cell: train_cell(cell, config, train_config, model_config) for cell in CELLS}
    print("evaluating", file=sys.stderr)
    items = probe.generate(draws=config.probe_draws, vocabulary=prepared.tokenizer.ids)
    results = [
        neural_result(cell, config, summaries[cell], held_out, items, prepared.test)
        for cell in CELLS
    ]
    train_sentences = corpus.mix(splits, train_config.weights, "train")
    results.append(ngram_result(prepared.tokenizer, train_sentences, config, held_out, items))
    setup = {
        "command": config.command,
        "corpus": config.corpus,
        "corpus_files": prepared.report.files,
        "corpus_words": prepared.report.words,
        "train_tokens": len(prepared.train),
        "test_tokens": len(prepared.test),
        "vocabulary": len(prepared.tokenizer),
        "minutes": config.minutes,
        "max_words": config.max_words,
        "model": asdict(model_config),
        "train": asdict(replace(train_config, corpus=config.corpus, max_minutes=config.minutes)),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"{torch.get_num_threads()} torch threads, "
        f"torch {torch.__version__}, Python {platform.python_version()}",
        "written": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "probe_items": len(items),
        "wall_minutes": round((time.monotonic() - started) / 60, 1),
    }
    return write_report(out, setup, results, items)


# -- report -------------------------------------------------------------------------------
def write_report(
    out: Path, setup: dict, results: list[ModelResult], items: list[ProbeItem]
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    plots = write_plots(out, results, items)
    sections = [
        _header(setup, plots),
        _main_table(results),
        _curves_section(results, plots),
        _probe_section(results, items, plots),
        _gradient_section(results, plots),
        _reading(results, items),
    ]
    report = out / "report.md"
    results_file = out / "results.json"
    # The long-gap task's part of an earlier run is kept: it is regenerated on its own.
    text, kept = long_gap_report.keep(
        "\n\n".join(sections) + "\n",
        report.read_text(encoding="utf-8") if report.exists() else "",
        json.loads(results_file.read_text(encoding="utf-8")) if results_file.exists() else {},
    )
    report.write_text(text, encoding="utf-8")
    results_file.write_text(
        json.dumps(
            {"setup": setup, "models": [_result_json(r) for r in results], **kept}, indent=1
        ),
        encoding="utf-8",
    )
    return report


def _result_json(result: ModelResult) -> dict:
    return {
        "name": result.name,
        "metrics": asdict(result.metrics),
        "training": result.training,
        "parameters": result.parameters,
        "recurrent_parameters": result.recurrent_parameters,
        "probe_accuracy": probe.accuracy_by_gap(result.probe),
        "probe_target_probability": probe.probability_by_gap(result.probe),
        "gradient_norms": None if result.gradient is None else result.gradient.tolist(),
    }


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.1f}%"


def _number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _header(setup: dict, plots: dict[str, str]) -> str:
    model = setup["model"]
    train_config = setup["train"]
    return "\n".join(
        [
            "# Simple RNN vs GRU vs LSTM vs Kneser-Ney trigram",
            "",
            "Generated by `python -m autocomplete.compare`; every number below comes from the "
            "run that wrote this file.",
            "",
            f"- Command: `{setup['command']}`",
            f"- Corpus: `{setup['corpus']}` ({setup['corpus_files']} files, "
            f"{setup['corpus_words']:,} words; {setup['train_tokens']:,} training tokens; "
            f"held-out test split {setup['test_tokens']:,} tokens)",
            f"- Budget: {_budget(setup)} of training per recurrent model, one "
            f"after the other on {setup['machine']}; the whole comparison took "
            f"{setup['wall_minutes']:g} minutes",
            f"- Same for the three cells: vocabulary {setup['vocabulary']:,}, embedding "
            f"{model['emb']}, hidden {model['hidden']}, {model['layers']} layer(s), "
            f"{model['output']} softmax, dropout {model['dropout']}, batch "
            f"{train_config['batch_size']} x bptt {train_config['bptt']}, Adam lr "
            f"{train_config['lr']} with cosine decay over the budget, clip "
            f"{train_config['clip']}, seed {train_config['seed']}",
            f"- Suggestion metrics on the first {setup['max_words']:,} words of the test split; "
            "perplexity on the whole split",
            f"- Written {setup['written']}"
            + (
                ""
                if plots
                else "; plots not drawn: matplotlib is not installed (`pip install -e .[plots]`)"
            ),
        ]
    )


def _budget(setup: dict) -> str:
    train_config = setup["train"]
    steps = train_config.get("max_steps", 0)
    limits = [f"{setup['minutes']:g} minutes"] if setup["minutes"] else []
    if steps:
        tokens = steps * train_config["batch_size"] * train_config["bptt"]
        limits.append(f"{steps:,} steps ({tokens:,} tokens)")
    return " or ".join(limits)


def _main_table(results: list[ModelResult]) -> str:
    headers = [
        "model",
        "parameters (recurrent)",
        "steps (tokens/s)",
        "best valid ppl",
        "test ppl",
        "top-1",
        "top-3",
        "top-3 after 1 letter",
        "top-3 after 2 letters",
        "keystroke savings",
        "latency p50 / p95 ms",
    ]
    rows = []
    for result in results:
        m, t = result.metrics, result.training
        rows.append(
            [
                result.name,
                f"{result.parameters:,} ({result.recurrent_parameters:,})"
                if result.parameters
                else "–",
                f"{t['steps']:,} ({t['tokens_per_s']:,.0f})" if t else "–",
                _number(t["best_valid_ppl"]) if t else "–",
                _number(m.perplexity),
                _percent(m.top1),
                _percent(m.top3),
                _percent(m.top3_after_1),
                _percent(m.top3_after_2),
                _percent(m.keystroke_savings),
                f"{m.latency_p50_ms:.2f} / {m.latency_p95_ms:.2f}",
            ]
        )
    return "## Main table\n\n" + _table(headers, rows)


def _valid_points(curve: list[dict]) -> list[tuple[float, float]]:
    return [(r["elapsed_s"] / 60, r["valid_ppl"]) for r in curve if "valid_ppl" in r]


def _curves_section(results: list[ModelResult], plots: dict[str, str]) -> str:
    lines = ["## Learning curves", ""]
    if "curves" in plots:
        lines += [f"![validation perplexity over training time]({plots['curves']})", ""]
    lines.append("Validation perplexity at each validation (minutes into training: perplexity):")
    lines.append("")
    for result in results:
        if result.curve:
            points = ", ".join(f"{m:.1f}: {ppl:.1f}" for m, ppl in _valid_points(result.curve))
            lines.append(f"- {result.name}: {points} (stopped: {result.training['stop_reason']})")
    return "\n".join(lines)


def _probe_section(
    results: list[ModelResult], items: list[ProbeItem], plots: dict[str, str]
) -> str:
    tables = {result.name: probe.accuracy_by_gap(result.probe) for result in results}
    kinds = sorted({item.kind for item in items})
    lines = [
        "## Long-gap probe: accuracy vs distance from the cue",
        "",
        f"{len(items)} generated sentences where a cue decides the next word k words later "
        "(see `autocomplete/lesson/probe.py`): country -> language, gender agreement across a "
        "clause, an open parenthesis that must close. An item counts as right when the model "
        "gives the right word a higher probability than every alternative (a tie for the top "
        "earns its share). `all` is the mean "
        "over the three kinds. Chance: "
        + ", ".join(f"{kind} {_percent(probe.chance(kind, items))}" for kind in kinds)
        + ".",
        "",
    ]
    if "probe" in plots:
        lines += [f"![probe accuracy vs gap]({plots['probe']})", ""]
    for kind in ["all", *kinds]:
        lines += [f"**{kind}**: accuracy", "", _gap_table(tables, kind), ""]
    probabilities = {result.name: probe.probability_by_gap(result.probe) for result in results}
    lines += [
        "**all**: mean probability the model gives the right word (over the whole vocabulary)",
        "",
        _gap_table(probabilities, "all"),
    ]
    return "\n".join(lines)


def _gap_table(tables: dict[str, dict[str, dict[int, float]]], kind: str) -> str:
    """Rows: gaps; columns: models; cells: tables[model][kind][gap] as a percentage."""
    gaps = sorted({gap for table in tables.values() for gap in table.get(kind, {})})
    rows = [
        [str(gap)] + [_percent(tables[name].get(kind, {}).get(gap)) for name in tables]
        for gap in gaps
    ]
    return _table(["gap k", *tables], rows)


def _gradient_section(results: list[ModelResult], plots: dict[str, str]) -> str:
    measured = [r for r in results if r.gradient is not None]
    lines = [
        "## The gradient vs distance",
        "",
        "Norm of d loss_t / d x_{t-k} (x: the input word embedding), averaged over random "
        "windows of the test split, relative to k = 0. The loss at step t is the model's "
        "prediction of the word after t.",
        "",
    ]
    if "gradients" in plots:
        lines += [f"![gradient norm vs distance]({plots['gradients']})", ""]
    distances = [k for k in GRADIENT_TABLE_DISTANCES if k < len(measured[0].gradient)]
    rows = [
        [str(k)] + [f"{r.gradient[k] / r.gradient[0]:.2e}" for r in measured] for k in distances
    ]
    lines.append(_table(["k", *(r.name for r in measured)], rows))
    lines.append("")
    lines.append(
        "Absolute norm at k = 0: "
        + ", ".join(f"{r.name} {r.gradient[0]:.2e}" for r in measured)
        + "."
    )
    return "\n".join(lines)


def _band_accuracy(result: ModelResult, band: range) -> float:
    table = probe.accuracy_by_gap(result.probe)["all"]
    return float(np.mean([acc for gap, acc in table.items() if gap in band]))


def _band_difference(better: ModelResult, worse: ModelResult, band: range) -> tuple[float, float]:
    """Accuracy of `better` minus `worse` over a band of gaps, and its standard error.

    Both scored the same items, so the error comes from per-item differences, kind by kind
    (the accuracy is a mean over kinds): SE = sqrt(sum of var_k / n_k) / kinds.
    """
    differences: dict[str, list[float]] = {}
    for a, b in zip(better.probe, worse.probe, strict=True):
        if a.item.gap in band:
            differences.setdefault(a.item.kind, []).append(a.credit - b.credit)
    means = [np.mean(d) for d in differences.values()]
    variance = sum(np.var(d, ddof=1) / len(d) for d in differences.values())
    return float(np.mean(means)), float(np.sqrt(variance) / len(differences))


def _verdict(difference: float, error: float) -> str:
    if difference > 2 * error:
        return "beats"
    if difference < -2 * error:
        return "does not beat (it does worse than)"
    return "does not beat (no difference beyond two standard errors from)"


def _reading(results: list[ModelResult], items: list[ProbeItem]) -> str:
    by_name = {r.name: r for r in results}
    rnn, lstm = by_name["rnn"], by_name["lstm"]
    chance = float(np.mean([probe.chance(kind, items) for kind in {i.kind for i in items}]))
    rows = [
        [r.name] + [_percent(_band_accuracy(r, band)) for band in BANDS.values()] for r in results
    ]
    rows.append(["chance"] + [_percent(chance)] * len(BANDS))
    lines = [
        "## Reading the numbers",
        "",
        "Probe accuracy over all kinds, by band of gaps:",
        "",
        _table(
            ["model", *(f"{name} (k {b.start}-{b.stop - 1})" for name, b in BANDS.items())], rows
        ),
        "",
    ]
    for name, band in list(BANDS.items())[1:]:
        difference, error = _band_difference(lstm, rnn, band)
        lines.append(
            f"- {name.capitalize()} gaps: LSTM minus simple RNN {100 * difference:+.1f} points "
            f"(standard error {100 * error:.1f}). On this data and budget the LSTM "
            f"{_verdict(difference, error)} the simple RNN at {name} gaps."
        )
    best = min((r for r in results if r.metrics.perplexity), key=lambda r: r.metrics.perplexity)
    far = min(len(rnn.gradient), len(lstm.gradient)) - 1
    lines += [
        f"- At k = {far} the gradient has fallen to {rnn.gradient[far] / rnn.gradient[0]:.1e} "
        f"of its k = 0 value for the simple RNN and to "
        f"{lstm.gradient[far] / lstm.gradient[0]:.1e} for the LSTM.",
        f"- Lowest test perplexity: {best.name} ({best.metrics.perplexity:.1f}).",
    ]
    return "\n".join(lines)


# -- plots --------------------------------------------------------------------------------
def write_plots(out: Path, results: list[ModelResult], items: list[ProbeItem]) -> dict[str, str]:
    """PNG files by section; none without matplotlib (the tables carry the same numbers)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return {}
    plots = {
        "curves": _plot_curves(plt, results),
        "probe": _plot_probe(plt, results, items),
        "gradients": _plot_gradients(plt, results),
    }
    names = {}
    for key, figure in plots.items():
        name = f"{key}.png"
        figure.savefig(out / name, dpi=90, bbox_inches="tight")
        plt.close(figure)
        names[key] = name
    return names


def _plot_curves(plt, results: list[ModelResult]):
    figure, axis = plt.subplots(figsize=(6, 4))
    for result in results:
        if result.curve:
            minutes, ppl = zip(*_valid_points(result.curve), strict=True)
            axis.plot(minutes, ppl, marker="o", label=result.name)
        elif result.metrics.perplexity:
            axis.axhline(
                result.metrics.perplexity,
                linestyle="--",
                color="grey",
                label=f"{result.name} (test)",
            )
    axis.set(xlabel="training minutes", ylabel="validation perplexity", yscale="log")
    axis.legend()
    return figure


def _plot_probe(plt, results: list[ModelResult], items: list[ProbeItem]):
    kinds = ["all", *sorted({item.kind for item in items})]
    figure, axes = plt.subplots(1, len(kinds), figsize=(4 * len(kinds), 3.5), sharey=True)
    for axis, kind in zip(axes, kinds, strict=True):
        for result in results:
            table = probe.accuracy_by_gap(result.probe).get(kind, {})
            axis.plot(list(table), list(table.values()), marker="o", label=result.name)
        kind_chance = (
            np.mean([probe.chance(k, items) for k in kinds[1:]])
            if kind == "all"
            else probe.chance(kind, items)
        )
        axis.axhline(kind_chance, linestyle=":", color="grey", label="chance")
        axis.set(title=kind, xlabel="gap k (words)", ylim=(0, 1.05))
    axes[0].set_ylabel("accuracy")
    axes[0].legend()
    return figure


def _plot_gradients(plt, results: list[ModelResult]):
    figure, axis = plt.subplots(figsize=(6, 4))
    for result in results:
        if result.gradient is not None:
            axis.plot(result.gradient / result.gradient[0], label=result.name)
    axis.set(xlabel="distance k (tokens)", ylabel="gradient norm / norm at k = 0", yscale="log")
    axis.legend()
    return figure


# -- command line -------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autocomplete.compare",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train RNN, GRU and LSTM on the same budget, compare them with a trigram, "
        "train the long-gap memory task,\nand write OUT/report.md and OUT/results.json. Other "
        "flags (--emb, --hidden, --max-steps, --lr, ...) go to the\ntrainer, for all three "
        "cells.",
        epilog=REGENERATE,
    )
    parser.add_argument(
        "--corpus",
        nargs="+",
        required=True,
        help="corpus sources, as for autocomplete.train",
    )
    parser.add_argument(
        "--minutes",
        type=float,
        default=0.0,
        help="training budget per recurrent model (or give the trainer's --max-steps)",
    )
    parser.add_argument("--out", default="compare/", help="output folder (default compare/)")
    parser.add_argument("--max-words", type=int, default=3_000, help="held-out words scored")
    parser.add_argument("--probe-draws", type=int, default=8, help="probe fillers per gap")
    parser.add_argument(
        "--max-distance", type=int, default=40, help="gradient measured up to this distance"
    )
    task = parser.add_argument_group("long-gap task")
    parts = task.add_mutually_exclusive_group()
    parts.add_argument("--long-gap-only", action="store_true", help="run the long-gap task alone")
    parts.add_argument("--skip-long-gap", action="store_true", help="leave the long-gap task out")
    defaults = long_gap.LongGapConfig()
    task.add_argument(
        "--long-gap-corpus", nargs="+", help="filler text (default: the --corpus sources)"
    )
    task.add_argument(
        "--long-gap-gaps", type=int, nargs="+", default=list(defaults.gaps), help="gaps k"
    )
    task.add_argument("--long-gap-seeds", type=int, default=defaults.seeds, help="seeds per k")
    task.add_argument(
        "--long-gap-base-steps",
        type=int,
        default=defaults.budget.base_steps,
        help="step cap per network: this plus --long-gap-steps-per-word times k",
    )
    task.add_argument("--long-gap-steps-per-word", type=int, default=defaults.budget.steps_per_word)
    task.add_argument(
        "--long-gap-lrs",
        type=float,
        nargs="+",
        default=list(defaults.lrs),
        help="learning rates swept per cell (one: no sweep)",
    )
    return parser


def run_long_gap(args: argparse.Namespace, command: str) -> Path:
    config = long_gap.LongGapConfig(
        gaps=tuple(args.long_gap_gaps),
        seeds=args.long_gap_seeds,
        lrs=tuple(args.long_gap_lrs),
        budget=long_gap_budget.Budget(
            base_steps=args.long_gap_base_steps, steps_per_word=args.long_gap_steps_per_word
        ),
    )
    config.validate()
    text = long_gap.FillerText.read(args.long_gap_corpus or args.corpus, config)
    result = long_gap_experiment.run(text, config)
    out = Path(args.out)
    long_gap_report.write(out, result, command)
    return out / "report.md"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args, trainer_argv = build_parser().parse_known_args(argv)
    trainer_args = train.build_parser().parse_args(trainer_argv)
    if trainer_args.eval_every is None:
        trainer_args.eval_every = CURVE_EVAL_EVERY
    command = shlex.join(["python", "-m", "autocomplete.compare", *argv])
    try:
        if not args.long_gap_only:
            if args.minutes < 0 or not (args.minutes or trainer_args.max_steps):
                raise ConfigError("give a positive --minutes or --max-steps budget per model")
            train_config, model_config = train.configs_from_args(trainer_args)
            config = CompareConfig(
                corpus=args.corpus,
                minutes=args.minutes,
                out=args.out,
                max_words=args.max_words,
                probe_draws=args.probe_draws,
                max_distance=args.max_distance,
                command=command,
            )
            report = run(config, train_config, model_config)
        if not args.skip_long_gap:
            report = run_long_gap(args, command)
    except AutocompleteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"report written to {report}")
    return 0
