"""Keystroke-to-suggestion time in the running editor, typed through a real terminal (tmux).

    python benchmarks/editor_latency.py [--checkpoint PATH] [--text TEXT] [--gap-ms 80]

Starts `python -m autocomplete` in a detached tmux session, waits for the model, then types
TEXT one character at a time with `tmux send-keys`. Figures per keystroke:
- echo (the baseline): from sending the key until the screen first changes;
- on screen: from sending the key until `tmux capture-pane` shows, in the bar, the top three
  that `Suggester.suggest` gives for the text typed so far (includes tmux, the terminal
  parser, Textual's rendering and the polling interval of a few ms);
- in the app: from the edit to the suggestions reaching the widgets, as the editor logs them
  when AUTOCOMPLETE_LATENCY_LOG is set.
Prints p50/p95 of both, the time from launch to the first suggestion, and the final screen.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autocomplete.engine.suggester import Suggester

TEXT = (
    "Bom dia, equipe. Segue em anexo o relatório da reunião de ontem. "
    "Peço que leiam com atenção e enviem os comentários até sexta-feira."
)
SIZE = (100, 30)
SLOT = re.compile(r"(?:^|\s)([123]) (\S+)")
STYLE = re.compile(r"\x1b\[[0-9;:]*m")


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


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "too few samples"
    cuts = statistics.quantiles(values, n=20)
    return f"p50 {statistics.median(values):.1f} ms, p95 {cuts[18]:.1f} ms (n={len(values)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, default=None)
    parser.add_argument("--text", default=TEXT)
    parser.add_argument("--gap-ms", type=float, default=80, help="pause between keystrokes")
    args = parser.parse_args()

    suggester = Suggester.load(args.checkpoint)  # the same model, to know what to expect
    folder = Path(tempfile.mkdtemp(prefix="editor-latency-"))
    log = folder / "latency.log"
    session = f"editor-latency-{os.getpid()}"
    command = [sys.executable, "-m", "autocomplete", str(folder / "nota.txt")]
    if args.checkpoint:
        command += ["--checkpoint", str(args.checkpoint)]
    launched = time.perf_counter()
    tmux(
        "new-session", "-d", "-s", session, "-x", str(SIZE[0]), "-y", str(SIZE[1]),
        "-e", f"AUTOCOMPLETE_LATENCY_LOG={log}", " ".join(command),
    )  # fmt: skip
    try:
        _, first = wait_for(
            session, [s.word for s in suggester.suggest("", k=3)], launched, timeout=120
        )
        if first is None:
            print("the editor never showed a suggestion:\n" + screen(session))
            return 1
        print(f"launch to first suggestion: {first:.2f} s")
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
        print(f"keystroke to its echo on screen:   {percentiles(echoes)}")
        print(f"keystroke to suggestion on screen: {percentiles(on_screen)}; {missed} missed")
        print(f"edit to suggestion in the app:     {percentiles(in_app)}")
        print(screen(session))
    finally:
        tmux("kill-session", "-t", session)
    return 0


if __name__ == "__main__":
    sys.exit(main())
