"""The long-gap task's figure: accuracy vs gap (fresh networks, curriculum) beside the
gradient that reaches the cue at initialisation, on a log scale."""

from __future__ import annotations

import statistics
from pathlib import Path

from autocomplete.lesson.long_gap import LongGapResult

JITTER = 0.04  # seeds' points spread sideways (a fraction of log10 k) so they do not overlap


def plot(path: Path, result: LongGapResult) -> bool:
    """Draw the figure into path; False without matplotlib (the tables hold every number)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    panels = [("fresh network per gap", False)]
    if result.curriculum:
        panels.append(("curriculum (shorter gaps first)", True))
    figure, axes = plt.subplots(1, len(panels) + 1, figsize=(5 * (len(panels) + 1), 4))
    gaps = list(result.config.gaps)
    for axis, (title, curriculum) in zip(axes, panels, strict=False):
        for index, cell in enumerate(result.runs):
            means = [result.mean(cell, k, curriculum) for k in gaps]
            (line,) = axis.plot(gaps, means, marker="o", label=cell)
            offset = 10 ** (JITTER * (index - 1.5))
            for k in gaps:
                seeds = result.accuracy(cell, k, curriculum)
                axis.scatter(
                    [k * offset] * len(seeds), seeds, s=10, alpha=0.4, color=line.get_color()
                )
        axis.axhline(result.chance, linestyle=":", color="grey", label="chance")
        axis.set(
            title=title,
            xlabel="gap k (words)",
            ylabel="test accuracy",
            xscale="log",
            ylim=(0, 1.05),
        )
        axis.set_xticks(gaps, [str(k) for k in gaps])
        axis.minorticks_off()
    axes[0].legend()
    gradient = axes[-1]
    for cell, by_gap in result.runs.items():
        gradient.plot(
            gaps,
            [statistics.fmean(run.cue_gradient for run in by_gap[k]) for k in gaps],
            marker="o",
            label=cell,
        )
    gradient.set(
        title="gradient reaching the cue, at initialisation",
        xlabel="gap k (words)",
        ylabel="||d loss / d cue embedding||",
        xscale="log",
        yscale="log",
    )
    gradient.set_xticks(gaps, [str(k) for k in gaps], minor=False)
    gradient.xaxis.set_minor_formatter("")
    gradient.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=90, bbox_inches="tight")
    plt.close(figure)
    return True
