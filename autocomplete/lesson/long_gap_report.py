"""The long-gap task's part of OUT/report.md, results.json and its plot.

The section is spliced into an existing report (or one is started), so the task can be rerun
alone (`python -m autocomplete.compare --long-gap-only`) without retraining the language
models, and the full comparison writes it the same way.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict
from pathlib import Path

from autocomplete.lesson.long_gap import LongGapResult
from autocomplete.lesson.long_gap_plot import plot

HEADING = "## Long-gap task, trained directly: accuracy vs gap"
PLOT = "long_gap.png"
# results.json: KEY (mean per gap), KEY_sd, KEY_seeds (accuracy per seed), KEY_steps,
# KEY_reached, KEY_cue_gradient, KEY_lr (the sweep), KEY_curriculum*, KEY_setup
KEY = "long_gap_task"
NEAR_CHANCE = 0.05  # a mean within this of chance reads as "at chance"
REMEMBERS = 0.9  # a mean at least this reads as "remembers"


def write(out: Path, result: LongGapResult, command: str) -> None:
    """Add (or replace) the task's results in OUT/results.json and OUT/report.md."""
    out.mkdir(parents=True, exist_ok=True)
    results_file = out / "results.json"
    results = json.loads(results_file.read_text(encoding="utf-8")) if results_file.exists() else {}
    results = {key: value for key, value in results.items() if not key.startswith(KEY)}
    results[KEY] = result.to_json()
    results.update(_per_seed(result, curriculum=False))
    if result.curriculum:
        results.update(_per_seed(result, curriculum=True))
    results[f"{KEY}_lr"] = {
        cell: {
            "chosen": result.lr(cell),
            "sweep_validation": {
                f"{lr:g}": {str(k): run.training.validation for k, run in by_gap.items()}
                for lr, by_gap in sweep.items()
            },
        }
        for cell, sweep in result.sweep.items()
    }
    results[f"{KEY}_setup"] = {
        **asdict(result.config),
        "command": command,
        "minutes": result.minutes,
        "filler_words": result.filler_words,
    }
    results_file.write_text(json.dumps(results, indent=1), encoding="utf-8")
    plotted = plot(out / PLOT, result)
    report_file = out / "report.md"
    report = report_file.read_text(encoding="utf-8") if report_file.exists() else ""
    report_file.write_text(splice(report, section(result, command, plotted)), encoding="utf-8")


def _per_seed(result: LongGapResult, curriculum: bool) -> dict[str, dict]:
    """The per-seed keys of one schedule: sd, accuracy, steps, reached, cue gradient."""
    runs = result.curriculum if curriculum else result.runs
    prefix = f"{KEY}_curriculum" if curriculum else KEY
    table = {
        f"{prefix}_sd": lambda cell, k: round(result.spread(cell, k, curriculum), 4),
        f"{prefix}_seeds": lambda cell, k: [run.accuracy for run in runs[cell][k]],
        f"{prefix}_steps": lambda cell, k: [run.training.steps for run in runs[cell][k]],
        f"{prefix}_reached": lambda cell, k: [run.training.reached for run in runs[cell][k]],
        f"{prefix}_cue_gradient": lambda cell, k: [run.cue_gradient for run in runs[cell][k]],
    }
    keys = {
        name: {cell: {str(k): value(cell, k) for k in runs[cell]} for cell in runs}
        for name, value in table.items()
    }
    if curriculum:
        keys[prefix] = {
            cell: {str(k): round(result.mean(cell, k, True), 4) for k in runs[cell]}
            for cell in runs
        }
    return keys


def keep(new_report: str, old_report: str, old_results: dict) -> tuple[str, dict]:
    """An earlier run's long-gap section spliced into a new report, and its results keys."""
    keys = {key: value for key, value in old_results.items() if key.startswith(KEY)}
    bounds = _bounds(old_report)
    if bounds is None:
        return new_report, keys
    return splice(new_report, old_report[slice(*bounds)].rstrip("\n")), keys


def splice(report: str, new_section: str) -> str:
    """Replace the report's long-gap section, or put it before the reading, or at the end."""
    bounds = _bounds(report)
    if bounds is not None:
        start, end = bounds
        rest = report[end:]
        return report[:start] + new_section + ("\n\n" + rest if rest else "\n")
    reading = report.find("## Reading the numbers")
    if reading >= 0:
        return report[:reading] + new_section + "\n\n" + report[reading:]
    return (report.rstrip("\n") + "\n\n" if report else "") + new_section + "\n"


def _bounds(report: str) -> tuple[int, int] | None:
    """Where the long-gap section starts and the next section starts, if it has one."""
    if HEADING not in report:
        return None
    start = report.index(HEADING)
    end = report.find("\n## ", start + len(HEADING))
    return start, len(report) if end < 0 else end + 1


def section(result: LongGapResult, command: str, plotted: bool) -> str:
    config, budget = result.config, result.config.budget
    cells = list(result.runs)
    gaps = list(config.gaps)
    lines = [
        HEADING,
        "",
        "A country, k consecutive words of real Portuguese, then the country's language "
        "(see `autocomplete/lesson/long_gap.py`): the filler never tells the answer, so only a "
        "network that carries the cue across k steps can answer. One network per cell, gap "
        f"and seed, trained on the answer alone: embedding {config.emb}, hidden "
        f"{config.hidden}, Adam on batches of {config.batch_size} sequences, clip "
        f"{config.clip}. Cells (`autocomplete/lesson/long_gap_cells.py`): `rnn` is the "
        "lesson's tanh "
        "RNN (PyTorch's initialisation); `irnn` a ReLU RNN started at U = identity (Le et al., "
        "2015); `gru` and `lstm` start with chrono initialisation (Tallec & Ollivier, 2018: "
        "the keep gate's bias log U(1, k), the LSTM's input gate the opposite).",
        "",
        "The same rules for every cell (`autocomplete/lesson/long_gap_budget.py`): each cell's "
        "learning rate is the one of "
        + ", ".join(f"{lr:g}" for lr in config.lrs)
        + " with the best mean validation accuracy over the gaps on a seed never scored "
        "(chosen: "
        + ", ".join(f"{cell} {result.lr(cell):g}" for cell in cells)
        + f"). Training validates every {budget.eval_every} steps on {config.validation_items} "
        f"fixed held-out sequences and stops at {100 * budget.target:.0f}% (the target), when "
        f"the best has not risen by {100 * budget.min_delta:.0f} points for {budget.patience} "
        f"steps, or at the cap of {budget.base_steps} + {budget.steps_per_word} k steps. "
        f"Fillers from {result.filler_words.get('train', 0):,} training words; validation and "
        f"test fillers from the two halves of the held-out split; scored on "
        f"{config.test_items:,} fresh test sequences per network. Mean ± standard deviation "
        f"over {config.seeds} seeds; the dots in the plot are the seeds. Chance: "
        f"{100 * result.chance:.1f}%. Command: `{command}`; took {result.minutes:g} minutes "
        f"on one thread.",
        "",
    ]
    if plotted:
        lines += [f"![long-gap task: accuracy vs gap, and the cue's gradient]({PLOT})", ""]
    lines += ["**Fresh network per gap**: test accuracy", "", _accuracy_table(result, False), ""]
    lines += [f"- {cell}: {_reading(result, cell)}" for cell in cells]
    lines += [
        "",
        f"**Steps to the target** (seeds that reached {100 * budget.target:.0f}% on validation; "
        f"mean steps of those; validated every {budget.eval_every} steps, so "
        f"{budget.eval_every} is the fewest):",
        "",
        _table(
            ["gap k (cap)", *cells],
            [
                [f"{k} ({budget.cap(k):,})"] + [_steps(result.runs[cell][k]) for cell in cells]
                for k in gaps
            ],
        ),
        "",
        "**The gradient that reaches the cue at initialisation**: mean over seeds of "
        f"‖d loss / d x_cue‖ (x_cue: the cue's embedding; {config.gradient_items} validation "
        "sequences, the loss summed over them), before the first step:",
        "",
        _table(
            ["gap k", *cells],
            [[str(k)] + [f"{_gradient(result, cell, k):.1e}" for cell in cells] for k in gaps],
        ),
        "",
    ]
    if result.curriculum:
        lines += [
            "**Curriculum**: one network per cell and seed trained on the gaps in turn, "
            "shortest first, each stage under the same rules and cap as a fresh network; "
            "test accuracy after each stage (seeds that reached the target in brackets):",
            "",
            _accuracy_table(result, True),
            "",
        ]
    lines += _explanation(result)
    return "\n".join(lines)


def _accuracy_table(result: LongGapResult, curriculum: bool) -> str:
    runs = result.curriculum if curriculum else result.runs
    cells = list(runs)
    rows = [
        [str(k)]
        + [
            f"{100 * result.mean(cell, k, curriculum):.1f}% ± "
            f"{100 * result.spread(cell, k, curriculum):.1f}"
            + (
                f" ({sum(r.training.reached for r in runs[cell][k])}/{len(runs[cell][k])})"
                if curriculum
                else ""
            )
            for cell in cells
        ]
        for k in result.config.gaps
    ]
    rows.append(["chance", *[f"{100 * result.chance:.1f}%"] * len(cells)])
    return _table(["gap k", *cells], rows)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _steps(runs) -> str:
    reached = [run.training.steps for run in runs if run.training.reached]
    mean = f", {statistics.fmean(reached):,.0f}" if reached else ""
    return f"{len(reached)}/{len(runs)}{mean}"


def _gradient(result: LongGapResult, cell: str, k: int) -> float:
    return statistics.fmean(run.cue_gradient for run in result.runs[cell][k])


def _explanation(result: LongGapResult) -> list[str]:
    """Two paragraphs in the lesson's terms, with this run's numbers."""
    gaps = list(result.config.gaps)
    short, far = gaps[0], gaps[-1]
    cells = list(result.runs)
    lines = ["**Reading it.**"]
    if "rnn" in cells:
        far_gradient = _gradient(result, "rnn", far)
        drop = (
            f"a factor of {_gradient(result, 'rnn', short) / far_gradient:.1e}"
            if far_gradient > 0
            else "below the smallest float"
        )
        lines += [
            "",
            "In the tanh RNN the answer reaches the cue only through h_t = tanh(W x_t + U "
            "h_{t-1}): the chain rule multiplies k Jacobians diag(1 - h_t²) U, each one "
            "shrinking, so the gradient that tells the network what the cue should have "
            f"written falls from {_gradient(result, 'rnn', short):.1e} at k = {short} to "
            f"{far_gradient:.1e} at k = {far} ({drop}) "
            "before training starts, and is lost among the gradients of the filler words "
            f"read just before the answer. Fresh networks: {_at(result, 'rnn', False)}."
            + (
                " The IRNN starts with U = identity and ReLU, so at first its state is carried "
                f"forward rather than squashed (cue gradient {_gradient(result, 'irnn', far):.1e} "
                f"at k = {far}); {_at(result, 'irnn', False)}, but nothing shields its state "
                "from the filler it adds at every word, and training can move U away from "
                "the identity."
                if "irnn" in cells
                else ""
            ),
        ]
    gated = [cell for cell in ("lstm", "gru") if cell in cells]
    if gated:
        paragraph = (
            "The LSTM adds a cell state updated by addition, c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t: "
            "along it the derivative from one word to the next is the forget gate f_t, not a "
            "squashing Jacobian, so with f_t near 1 the gradient decays slowly rather than "
            "geometrically across the gap: the additive path. Chrono initialisation opens "
            "the forget gates (time scales up to k words) and nearly shuts the input gates, "
            "so from the first "
            "step the cue written at the start survives the filler; training then teaches the "
            "gates when to write (the cue) and when to keep (every filler word). "
            + "; ".join(
                f"{cell}: cue gradient {_gradient(result, cell, short):.1e} at k = {short} and "
                f"{_gradient(result, cell, far):.1e} at k = {far}, "
                f"{_at(result, cell, False)}"
                for cell in gated
            )
            + ". The GRU's update gate does the same with an interpolation, h_t = (1 - z_t) "
            "n_t + z_t h_{t-1}."
        )
        if result.curriculum and "rnn" in cells:
            paragraph += (
                " The curriculum separates learning the memory from holding it: trained on "
                "the shorter gaps first, where the gradient still reaches the cue, "
                f"{_at(result, 'rnn', True)} for the tanh RNN."
            )
        lines += ["", paragraph]
    return lines


def _at(result: LongGapResult, cell: str, curriculum: bool) -> str:
    gaps = [k for k in result.config.gaps if k >= 20] or list(result.config.gaps)
    return ", ".join(f"{100 * result.mean(cell, k, curriculum):.0f}% at k = {k}" for k in gaps)


def _reading(result: LongGapResult, cell: str) -> str:
    gaps = list(result.config.gaps)
    remembered = [k for k in gaps if result.mean(cell, k) >= REMEMBERS]
    at_chance = [k for k in gaps if result.mean(cell, k) - result.chance < NEAR_CHANCE]
    parts = [
        f"{100 * REMEMBERS:.0f}% or more up to k = {max(remembered)}"
        if remembered
        else f"below {100 * REMEMBERS:.0f}% at every gap"
    ]
    parts.append(
        "within 5 points of chance at k = " + ", ".join(map(str, at_chance))
        if at_chance
        else "above chance at every gap"
    )
    return "; ".join(parts) + "."
