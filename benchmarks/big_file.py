"""A 20 MB file in the running editor, through a real terminal (tmux), against a baseline.

    python benchmarks/big_file.py [--baseline REF] [--keys 100] [--baseline-keys 15] [--runs 1]

Generates a Portuguese text just under the size limit from the lines of
../shared/corpus/moderno (into a temporary folder, deleted afterwards) and a small one, and
for each of this checkout and REF (exported with `git archive`, default main) and each file:
- open: from launching the editor until the file's first line is on screen;
- keystroke to screen: from `tmux send-keys` of one character until the screen changes
  (the screen is first left to settle, and the cursor does not blink), for `--keys`
  characters typed at the start and at the end of the file (the two ends bracket the middle:
  costs that grow with the lines below the cursor peak at the start, those that grow with
  the text before it at the end);
- key to its frame in the app: from the App receiving the key to the output of the next
  frame (what tmux and the polling add is left out), every key of both ends; and Enter's own
  keystroke to screen and frame;
- suggestion in the app: from the edit to the suggestions reaching the widgets, as the
  editor logs them (AUTOCOMPLETE_LATENCY_LOG);
- quit prompt: from Ctrl+Q until the "unsaved changes" question is on screen.
With --plain, the same for Textual's own TextArea alone in an app of nothing else (lines
wrapped, as in the editor): the floor a keystroke's frame stands on before the editor adds
suggestions, its bar and status line.
Medians over `--runs`; p50/p95 over all keystrokes of all runs.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus" / "moderno"
BIG_BYTES = 19_500_000  # under the 20 MB limit of both the baseline and this checkout
SMALL_BYTES = 50_000
SIZE = (100, 30)
# Typed at each end of the file, Enter (the newline) included: it splits a line there.
TEXT = "Bom dia, equipe. Segue em anexo o relatório da reunião de ontem;\npeço que leiam tudo. "
QUESTION = "alterações não salvas"
# What both children below share: the text area (`area`, a class) gets its cursor put at the
# start or the end of the file, not blinking, and the time from the App receiving a key to
# the output of its frame is appended to a file.
HARNESS = """
from time import perf_counter
from textual import events

class Harness:
    area = None  # the class of the app's text area
    key_at = None  # when the App got the key whose frame is not written yet
    key = None  # and which key it was

    def on_mount(self) -> None:
        self.call_after_refresh(self.place)

    def place(self) -> None:
        area = self.query_one(self.area)
        area.cursor_blink = False
        area.move_cursor(area.document.end if where == "end" else (0, 0), center=True)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and self.key_at is None:
            self.key_at, self.key = perf_counter(), event.key
        await super().on_event(event)

    def _display(self, screen, renderable) -> None:
        super()._display(screen, renderable)
        if renderable is not None and self.key_at is not None:
            with frames.open("a") as file:  # from the key's arrival to its frame's output
                file.write(f"{(perf_counter() - self.key_at) * 1000:.3f} {self.key}\\n")
            self.key_at = None
"""
# Run by tmux in the checkout (`python -c` imports from the working directory first): the
# editor, no learning.
CHILD = (
    """
import sys
from pathlib import Path
from autocomplete.frontends.tui import app
from autocomplete.frontends.tui.app import EditorApp, EditorOptions
from autocomplete.frontends.tui.editor import SuggestingEditor
from autocomplete.frontends.tui.files import read_document

path, where, log, frames = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
"""
    + HARNESS
    + """
class Placed(Harness, EditorApp):
    CSS_PATH = str(Path(app.__file__).with_name("app.tcss"))  # not beside this script
    area = SuggestingEditor

options = EditorOptions(path=path, learn=False, latency_log=log)
Placed(options, read_document(path)).run()
"""
)
# --plain: Textual's own text area alone, wrapping lines as the editor does, in an app of
# nothing else: no suggestions, no bar. What a keystroke costs before the editor adds to it.
PLAIN = (
    """
import sys
from pathlib import Path
from textual.app import App
from textual.widgets import TextArea

path, where, frames = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[4])
"""
    + HARNESS
    + """
class Plain(Harness, App):
    area = TextArea

    def compose(self):
        yield TextArea(path.read_text(encoding="utf-8"), soft_wrap=True)

Plain().run()
"""
)


@dataclass
class Setup:
    checkout: Path
    keys: int
    editor: bool = True  # False: Textual's text area alone (PLAIN)


@dataclass
class Figures:
    opens: list[float] = field(default_factory=list)
    echoes: dict[str, list[float]] = field(default_factory=dict)
    enters: list[float] = field(default_factory=list)  # the echoes of Enter alone
    frames: dict[str, list[float]] = field(default_factory=dict)
    enter_frames: list[float] = field(default_factory=list)  # Enter's own frames in the app
    in_app: list[float] = field(default_factory=list)
    quits: list[float] = field(default_factory=list)


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def screen(session: str, styles: bool = True) -> str:
    """The pane's text; with `styles`, also its colours (grey ghost text differs from typed)."""
    return tmux("capture-pane", "-p", *(["-e"] if styles else []), "-t", session)


def wait_until(
    session: str, done, timeout: float, start: float | None = None, styles: bool = True
) -> float | None:
    """Seconds from `start` (default: now) until `done(screen)` holds, polling every
    millisecond; None on timeout."""
    start = time.perf_counter() if start is None else start
    while time.perf_counter() - start < timeout:
        if done(screen(session, styles)):
            return time.perf_counter() - start
        time.sleep(0.001)
    return None


def settled(session: str, quiet: float = 0.15, timeout: float = 30.0) -> str:
    """The screen once it has not changed for `quiet` seconds."""
    last, since, start = screen(session), time.perf_counter(), time.perf_counter()
    while time.perf_counter() - since < quiet and time.perf_counter() - start < timeout:
        time.sleep(0.005)
        now = screen(session)
        if now != last:
            last, since = now, time.perf_counter()
    return last


def make_text(size: int) -> str:
    """Lines of the modern corpus, repeated in order up to `size` bytes."""
    lines: list[str] = []
    for source in sorted(CORPUS.rglob("*.txt")):
        lines += [line for line in source.read_text(encoding="utf-8").splitlines() if line]
        if sum(map(len, lines)) > min(size, 5_000_000):
            break
    out, total = [], 0
    while total < size:
        for line in lines:
            if total + len(line.encode()) + 1 > size:
                break
            out.append(line)
            total += len(line.encode()) + 1
        else:
            continue
        break
    return "\n".join(out) + "\n"


def export(ref: str, folder: Path) -> Path:
    """The checkout of `ref`, as files in `folder`."""
    command = ["git", "-C", str(REPO), "archive", ref, "autocomplete", "checkpoints"]
    archive = subprocess.run(command, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def run_editor(setup: Setup, path: Path, where: str, figures: Figures) -> None:
    checkout, keys = setup.checkout, setup.keys
    work = Path(tempfile.mkdtemp(prefix="big-file-run-"))
    log, frames = work / "latency.log", work / "frames.log"
    session = f"big-file-{os.getpid()}"
    child = CHILD if setup.editor else PLAIN
    command = shlex.join([sys.executable, "-c", child, str(path), where, str(log), str(frames)])
    first_line = path.open(encoding="utf-8").readline()[:40]
    for attempt in range(3):  # the server of the last session killed may still be exiting
        started = time.perf_counter()
        try:
            tmux(
                "new-session", "-d", "-s", session, "-c", str(checkout),
                "-x", str(SIZE[0]), "-y", str(SIZE[1]), "-e", f"AUTOCOMPLETE_DATA_DIR={work}",
                command,
            )  # fmt: skip
            break
        except subprocess.CalledProcessError:
            if attempt == 2:
                raise
            time.sleep(1)
    try:
        if where == "start":
            shown = wait_until(session, lambda s: first_line in s, 300, started, styles=False)
            if shown is None:
                raise SystemExit(f"the editor never showed {path.name}:\n{screen(session)}")
            figures.opens.append(shown)
        # The model has loaded once the status bar names it (the bar may stay empty).
        loaded = lambda s: "modelo:" in s and "carregando" not in s  # noqa: E731
        if setup.editor and wait_until(session, loaded, timeout=300) is None:
            raise SystemExit(f"the model never loaded:\n{screen(session)}")
        settled(session, quiet=1.0)
        log.write_text("")
        frames.write_text("")
        echoes = figures.echoes.setdefault(where, [])
        for character in (TEXT * (keys // len(TEXT) + 1))[:keys]:
            before = settled(session)
            sent = time.perf_counter()
            key = ["Enter"] if character == "\n" else ["-l", character]
            tmux("send-keys", "-t", session, *key)
            echo = wait_until(session, lambda s, before=before: s != before, 30, sent)
            if echo is not None:
                echoes.append(echo * 1000)
                if character == "\n":
                    figures.enters.append(echo * 1000)
        settled(session)
        if setup.editor:
            figures.in_app += [float(line) for line in log.read_text().split()]
        timed = [line.split() for line in frames.read_text().splitlines()]
        figures.frames.setdefault(where, []).extend(float(ms) for ms, _ in timed)
        figures.enter_frames += [float(ms) for ms, key in timed if key == "enter"]
        if not setup.editor:
            return  # no unsaved-changes question to wait for
        sent = time.perf_counter()
        tmux("send-keys", "-t", session, "C-q")
        asked = wait_until(session, lambda s: QUESTION in s, 60, sent)
        if asked is not None:
            figures.quits.append(asked)
    finally:
        tmux("kill-session", "-t", session)
        shutil.rmtree(work, ignore_errors=True)


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "too few samples"
    cuts = statistics.quantiles(values, n=20)
    return f"p50 {statistics.median(values):7.1f} ms, p95 {cuts[18]:7.1f} ms (n={len(values)})"


def report(name: str, figures: Figures) -> None:
    print(f"  {name}")
    if figures.opens:
        print(f"    open:                 {statistics.median(figures.opens):.2f} s")
    for where, echoes in figures.echoes.items():
        print(f"    keystroke to screen at the {where:5}: {percentiles(echoes)}")
    for where, frames in figures.frames.items():
        print(f"    key to its frame in the app at the {where:5}: {percentiles(frames)}")
    if figures.enters:
        print(f"    Enter to screen: p50 {statistics.median(figures.enters):7.1f} ms, "
              f"max {max(figures.enters):7.1f} ms (n={len(figures.enters)})")  # fmt: skip
    if figures.enter_frames:
        print(f"    Enter to its frame in the app: max {max(figures.enter_frames):7.1f} ms "
              f"(n={len(figures.enter_frames)})")  # fmt: skip
    if figures.in_app:
        print(f"    suggestion in the app:  {percentiles(figures.in_app)}")
    if figures.quits:
        print(f"    quit prompt:          {statistics.median(figures.quits) * 1000:.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="git ref to compare with")
    parser.add_argument("--keys", type=int, default=100, help="characters typed at each end")
    parser.add_argument("--baseline-keys", type=int, default=15, help="the same, baseline")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument(
        "--plain", action="store_true", help="also Textual's own text area alone (the floor)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="big-file-") as folder:
        big, small = Path(folder, "grande.txt"), Path(folder, "pequeno.txt")
        big.write_text(make_text(BIG_BYTES), encoding="utf-8")
        small.write_text(make_text(SMALL_BYTES), encoding="utf-8")
        lines = big.read_text(encoding="utf-8").count("\n")
        print(f"big file: {big.stat().st_size / 1e6:.1f} MB, {lines} lines; small file: "
              f"{small.stat().st_size / 1e3:.0f} kB; terminal {SIZE[0]}x{SIZE[1]}")  # fmt: skip
        setups = {
            f"baseline {args.baseline}": Setup(
                export(args.baseline, Path(folder, "baseline")), args.baseline_keys
            ),
            "this checkout": Setup(REPO, args.keys),
        }
        if args.plain:
            setups["Textual's TextArea alone"] = Setup(REPO, args.keys, editor=False)
        for path in (big, small):
            print(f"{path.name} ({path.stat().st_size / 1e6:.2f} MB)")
            for name, setup in setups.items():
                figures = Figures()
                for _ in range(args.runs):
                    for where in ("start", "end"):
                        run_editor(setup, path, where, figures)
                report(name, figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
