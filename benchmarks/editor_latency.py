"""Keystroke-to-suggestion time in the running editor, typed through a real terminal (tmux).

    python benchmarks/editor_latency.py [--baseline TREE] [--runs 3] [--checkpoint PATH]
                                        [--text TEXT] [--gap-ms 80]

Starts `python -m autocomplete` of this checkout (and of TREE, e.g. `git worktree add --detach
/tmp/base main`, in turn, run by run) in a detached tmux session with an empty personal
vocabulary, waits for the model, then types TEXT one character at a time with `tmux
send-keys`. Figures per keystroke:
- echo (the baseline): from sending the key until the screen first changes;
- on screen: from sending the key until `tmux capture-pane` shows, in the bar, the top three
  that `Suggester.suggest` gives for the text typed so far (includes tmux, the terminal
  parser, Textual's rendering and the polling interval of a few ms);
- in the app: from the edit to the suggestions reaching the widgets, as the editor logs them
  when AUTOCOMPLETE_LATENCY_LOG is set.
Prints the last screen, then per tree the medians over the runs of each run's p50/p95 of the
three, of the suggestion's p95 minus the echo's, and of the time from launch to the first
suggestion.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from autocomplete.engine.suggester import Suggester

TEXT = (
    "Bom dia, equipe. Segue em anexo o relatório da reunião de ontem. "
    "Peço que leiam com atenção e enviem os comentários até sexta-feira."
)
HERE = Path(__file__).resolve().parent.parent
SIZE = (100, 30)
SLOT = re.compile(r"(?:^|\s)([123]) (\S+)")
STYLE = re.compile(r"\x1b\[[0-9;:]*m")


@dataclass
class Figures:
    values: dict[str, list[float]] = field(default_factory=dict)

    def add(self, figure: str, value: float) -> None:
        self.values.setdefault(figure, []).append(value)


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def screen(session: str, styles: bool = False) -> str:
    return tmux("capture-pane", "-p", *(["-e"] if styles else []), "-t", session)


def bar_words(text: str) -> list[str]:
    lines = STYLE.sub("", text).splitlines()
    bar = lines[-3] if len(lines) >= 3 else ""
    return [word for _, word in SLOT.findall(bar)]


def wait_for(
    session: str, expected: list[str], start: float, before: str = "", timeout: float = 5.0
) -> tuple[float | None, float | None]:
    """Seconds from `start` until the screen first differs from `before` (the key's echo;
    with styles, so a typed letter that was grey ghost text counts) and until it also shows
    `expected` in the bar; None for what never happens."""
    echo = None
    while time.perf_counter() - start < timeout:
        now = screen(session, styles=True)
        if now != before:
            echo = echo if echo is not None else time.perf_counter() - start
            if bar_words(now) == expected:
                return echo, time.perf_counter() - start
        time.sleep(0.001)
    return echo, None


def percentiles(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), statistics.quantiles(values, n=20)[18]


def run_once(tree: Path, suggester: Suggester, args: argparse.Namespace, figures: Figures) -> str:
    """One editor of `tree` in tmux, the paragraph typed into it; returns its last screen."""
    folder = Path(tempfile.mkdtemp(prefix="editor-latency-"))
    log = folder / "latency.log"
    session = f"editor-latency-{os.getpid()}"
    command = [sys.executable, "-m", "autocomplete", str(folder / "nota.txt")]
    if args.checkpoint:
        command += ["--checkpoint", str(args.checkpoint)]
    launched = time.perf_counter()
    tmux(
        "new-session", "-d", "-s", session, "-x", str(SIZE[0]), "-y", str(SIZE[1]),
        "-c", str(tree), "-e", f"AUTOCOMPLETE_DATA_DIR={folder}",
        "-e", f"AUTOCOMPLETE_LATENCY_LOG={log}", " ".join(command),
    )  # fmt: skip
    try:
        _, first = wait_for(
            session, [s.word for s in suggester.suggest("", k=3)], launched, timeout=120
        )
        if first is None:
            raise SystemExit(f"{tree}: the editor never showed a suggestion:\n{screen(session)}")
        figures.add("launch to first suggestion (s)", first)
        log.write_text("")  # keep only the typed paragraph's offers
        echoes: list[float] = []
        on_screen: list[float] = []
        missed = 0
        for end in range(1, len(args.text) + 1):
            expected = [s.word for s in suggester.suggest(args.text[:end], k=3)]
            before = screen(session, styles=True)
            sent = time.perf_counter()
            tmux("send-keys", "-t", session, "-l", args.text[end - 1])
            echo, shown = wait_for(session, expected, sent, before)
            if echo is not None:
                echoes.append(echo * 1000)
            if shown is None:
                missed += 1
            else:
                on_screen.append(shown * 1000)
            time.sleep(args.gap_ms / 1000)
        in_app = [float(line) for line in log.read_text().split()]
        # The echo is the baseline: what any terminal program costs to show a typed key.
        for name, values in [("echo", echoes), ("suggestion", on_screen), ("in the app", in_app)]:
            p50, p95 = percentiles(values)
            figures.add(f"{name} p50 (ms)", p50)
            figures.add(f"{name} p95 (ms)", p95)
        gap = percentiles(on_screen)[1] - percentiles(echoes)[1]
        figures.add("suggestion p95 - echo p95 (ms)", gap)
        figures.add("missed", missed)
        return screen(session)
    finally:
        tmux("kill-session", "-t", session)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--text", default=TEXT)
    parser.add_argument("--gap-ms", type=float, default=80, help="pause between keystrokes")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another source tree, run in turn")
    args = parser.parse_args()

    # The same model and an empty personal vocabulary, as the editors get: to know what to expect.
    data = tempfile.mkdtemp(prefix="editor-latency-data-")
    os.environ["AUTOCOMPLETE_DATA_DIR"] = data
    suggester = Suggester.load(args.checkpoint)
    shutil.rmtree(data, ignore_errors=True)
    trees = {"this checkout": HERE}
    if args.baseline:
        trees[f"baseline {args.baseline}"] = args.baseline.resolve()
    figures = {name: Figures() for name in trees}
    last = ""
    for _ in range(args.runs):  # the trees take turns, so load on the machine hits both
        for name, tree in trees.items():
            last = run_once(tree, suggester, args, figures[name])
    print(last)
    print(f"medians of {args.runs} runs, {len(args.text)} keystrokes each")
    current = figures["this checkout"]
    for name, figure in figures.items():
        print(name)
        for key, values in figure.values.items():
            line = f"  {key:<34} {statistics.median(values):8.1f}"
            if figure is not current:
                ratio = statistics.median(current.values[key]) / (statistics.median(values) or 1)
                line += f"   this checkout / baseline = {ratio:.2f}"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
