"""The long-gap task's part of OUT/report.md, results.json and its plot.

The section is spliced into an existing report (or one is started), so the task can be rerun
alone (`python -m autocomplete.compare --long-gap-only`) without retraining the language
models, and the full comparison writes it the same way.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from autocomplete.lesson.long_gap import LongGapResult

HEADING = "## Long-gap task, trained directly: accuracy vs gap"
PLOT = "long_gap.png"
KEY = "long_gap_task"  # results.json: KEY (mean per gap), KEY_seeds, KEY_setup
NEAR_CHANCE = 0.05  # a mean within this of chance reads as "at chance"
REMEMBERS = 0.9  # a mean at least this reads as "remembers"


def write(out: Path, result: LongGapResult, command: str) -> None:
    """Add (or replace) the task's results in OUT/results.json and OUT/report.md."""
    out.mkdir(parents=True, exist_ok=True)
    results_file = out / "results.json"
    results = json.loads(results_file.read_text(encoding="utf-8")) if results_file.exists() else {}
    results[KEY] = result.to_json()
    results[f"{KEY}_seeds"] = {
        cell: {str(k): values for k, values in gaps.items()}
        for cell, gaps in result.accuracy.items()
    }
    results[f"{KEY}_setup"] = {
        **asdict(result.config),
        "command": command,
        "minutes": result.minutes,
        "filler_words": result.filler_words,
    }
    results_file.write_text(json.dumps(results, indent=1), encoding="utf-8")
    plotted = _plot(out / PLOT, result)
    report_file = out / "report.md"
    report = report_file.read_text(encoding="utf-8") if report_file.exists() else ""
    report_file.write_text(splice(report, section(result, command, plotted)), encoding="utf-8")


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
    config = result.config
    cells = list(result.accuracy)
    gaps = list(config.gaps)
    lines = [
        HEADING,
        "",
        "A country, k consecutive words of real Portuguese, then the country's language "
        "(see `autocomplete/long_gap.py`): the filler never tells the answer, so only a "
        "network that carries the cue across k steps can answer. One network per cell, gap "
        f"and seed, trained on the answer alone: embedding {config.emb}, hidden "
        f"{config.hidden}, {config.steps} Adam steps of {config.batch_size} sequences, lr "
        f"{config.lr}, clip {config.clip}, LSTM forget bias {config.forget_bias}; the same "
        f"for every cell and gap. Fillers from {result.filler_words.get('train', 0):,} "
        f"training words; scored on {config.test_items:,} fresh sequences per network with "
        f"fillers from the held-out test split. Mean ± standard deviation over "
        f"{config.seeds} seeds. Chance: {100 * result.chance:.1f}%. "
        f"Command: `{command}`; took {result.minutes:g} minutes.",
        "",
    ]
    if plotted:
        lines += [f"![long-gap task accuracy vs gap]({PLOT})", ""]
    rows = [
        [str(k)]
        + [
            f"{100 * result.mean(cell, k):.1f}% ± {100 * result.spread(cell, k):.1f}"
            for cell in cells
        ]
        for k in gaps
    ]
    lines += [
        "| gap k | " + " | ".join(cells) + " |",
        "|---|" + "---|" * len(cells),
        *("| " + " | ".join(row) + " |" for row in rows),
        f"| chance | {' | '.join([f'{100 * result.chance:.1f}%'] * len(cells))} |",
        "",
    ]
    lines += [f"- {cell}: {_reading(result, cell)}" for cell in cells]
    return "\n".join(lines)


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


def _plot(path: Path, result: LongGapResult) -> bool:
    """Accuracy vs gap with seed spread; False without matplotlib (the table has it all)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    figure, axis = plt.subplots(figsize=(6, 4))
    gaps = list(result.config.gaps)
    for cell in result.accuracy:
        axis.errorbar(
            gaps,
            [result.mean(cell, k) for k in gaps],
            yerr=[result.spread(cell, k) for k in gaps],
            marker="o",
            capsize=3,
            label=cell,
        )
    axis.axhline(result.chance, linestyle=":", color="grey", label="chance")
    axis.set(xlabel="gap k (words)", ylabel="accuracy", xscale="log", ylim=(0, 1.05))
    axis.set_xticks(gaps, [str(k) for k in gaps])
    axis.legend()
    figure.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(figure)
    return True
