"""Keystroke-to-suggestion time in the running editor, typed through a real terminal (tmux).

    python benchmarks/editor_latency.py [--baseline TREE] [--runs 3] [--checkpoint PATH]
                                        [--text TEXT] [--gap-ms 80]

Starts `python -m autocomplete` of this checkout (and of TREE, e.g. `git worktree add --detach
/tmp/base main`, in turn, run by run) in a detached tmux session with an empty personal
vocabulary, waits for the model, then types TEXT one character at a time with `tmux
send-keys`. Figures per keystroke:
- echo (the baseline): from sending the key until the screen first changes;
- on screen: from sending the key until `tmux capture-pane` shows, in the bar, the top three
  that the tree's own `Suggester.suggest` gives for the text typed so far (asked once per
  tree before typing, in a process of its own; includes tmux, the terminal
  parser, Textual's rendering and the polling interval of a few ms);
- in the app: from the edit to the suggestions reaching the widgets, as the editor logs them
  when AUTOCOMPLETE_LATENCY_LOG is set.
Prints the last screen, then per tree the medians over the runs of each run's p50/p95 of the
three, of the suggestion's p95 minus the echo's, and of the time from launch to the first
suggestion.
"""

from __future__ import annotations

import argparse
import json
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
    # A slip's correction shows what it replaces: "compy→computador".
    return [word.split("→")[-1] for _, word in SLOT.findall(bar)]


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


# What a tree's Suggester offers (an empty personal vocabulary) before typing and after each
# character of the text, loaded as the tree's editor loads it (with the open document as a
# cache where its editor has one): run by the tree's own code, as its editor is.
OFFERS = """
import json, sys
from autocomplete.engine.suggester import Suggester
text, checkpoint, cache = sys.argv[1], sys.argv[2] or None, sys.argv[3] == "cache"
suggester = Suggester.load(checkpoint, document_cache=cache)
ask = (lambda typed: suggester.suggest(typed, k=3, after="")) if cache else (
    lambda typed: suggester.suggest(typed, k=3))
print(json.dumps([[s.word for s in ask(text[:end])] for end in range(len(text) + 1)]))
"""


def expected_offers(tree: Path, args: argparse.Namespace) -> list[list[str]]:
    loader = (tree / "autocomplete" / "frontends" / "tui" / "suggestions.py").read_text()
    cache = "cache" if "document_cache=True" in loader else "none"
    with tempfile.TemporaryDirectory(prefix="editor-latency-data-") as data:
        environment = {**os.environ, "PYTHONPATH": str(tree), "AUTOCOMPLETE_DATA_DIR": data}
        done = subprocess.run(
            [sys.executable, "-c", OFFERS, args.text, str(args.checkpoint or ""), cache],
            cwd=tree, env=environment, check=True, capture_output=True, text=True,
        )  # fmt: skip
    return json.loads(done.stdout)


def run_once(
    tree: Path, offers: list[list[str]], args: argparse.Namespace, figures: Figures
) -> str:
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
        _, first = wait_for(session, offers[0], launched, timeout=120)
        if first is None:
            raise SystemExit(f"{tree}: the editor never showed a suggestion:\n{screen(session)}")
        figures.add("launch to first suggestion (s)", first)
        log.write_text("")  # keep only the typed paragraph's offers
        echoes: list[float] = []
        on_screen: list[float] = []
        missed = 0
        for end in range(1, len(args.text) + 1):
            expected = offers[end]
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

    trees = {"this checkout": HERE}
    if args.baseline:
        trees[f"baseline {args.baseline}"] = args.baseline.resolve()
    figures = {name: Figures() for name in trees}
    offers = {name: expected_offers(tree, args) for name, tree in trees.items()}
    last = ""
    for _ in range(args.runs):  # the trees take turns, so load on the machine hits both
        for name, tree in trees.items():
            last = run_once(tree, offers[name], args, figures[name])
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
