"""Start-up time, memory and keystroke latency of the serving path, side by side with a baseline.

    python benchmarks/startup.py [--runs 5] [--baseline TREE[:CHECKPOINT]] ...

Each setup is a source tree (this checkout by default) and a model file. `--baseline` adds
another tree, e.g. the last commit that served the model with torch:

    git worktree add --detach /tmp/torch-path 8c9cdc5
    python benchmarks/startup.py --baseline /tmp/torch-path:RUN/model.pt

where RUN/model.pt is the torch checkpoint the shipped .npz was exported from, so both setups
serve the same weights. The setups take turns run by run, so load on the machine hits both.
Per setup, medians over the runs of:
- cold start: a new `python -c` process that imports the Suggester, loads the model and
  suggests after "Segue documento em ", from spawn to exit, and its peak memory;
- steps: the same launch cut into steps, one after another in a new process: importing
  Textual, the editor's modules, the engine (numpy), reading the model file, building the
  Suggester with the personal store, the first suggestion;
- editor: `python -m autocomplete` in a detached tmux window, from launch until the window is
  drawn (its first paint) and until the suggestion bar first shows words, and the editor's
  resident memory then and after TEXT is typed into it, a key every 30 ms;
- a plain Textual app (its own text area, nothing else) in the same window, from launch until
  drawn: the floor under the editor's window;
- keystrokes (warm): `suggest` after every character of a paragraph typed into a loaded
  Suggester, p50/p95 per keystroke (one process per run, the personal vocabulary off).
The personal vocabulary and recovery copies go to an empty temporary folder. Every child
runs with the compiled bytecode an installed package has (pip compiles it at install, Python
caches it on a first import): a launch that compiled the project's modules every time, as it
does where PYTHONDONTWRITEBYTECODE is set (this workplace sets it), cost 70 ms more than a
user's. One untimed import per setup writes that cache first.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
PROMPT = "Segue documento em "
TEXT = (
    "Bom dia, equipe. Segue em anexo o relatório da reunião de ontem. "
    "Peço que leiam com atenção e enviem os comentários até sexta-feira. "
    "Qualquer dúvida, estou à disposição. Obrigado pela ajuda de sempre."
)
COLD = """
import sys
from autocomplete import Suggester
Suggester.load({checkpoint}).suggest({prompt!r})
"""
TYPING = """
import json, sys, time
from autocomplete import Suggester
suggester = Suggester.load({checkpoint}, personal=False)
suggester.suggest("")
times = []
for end in range(1, len({text!r}) + 1):
    start = time.perf_counter()
    suggester.suggest({text!r}[:end])
    times.append((time.perf_counter() - start) * 1000)
print(json.dumps({{"times": times, "torch": "torch" in sys.modules}}))
"""
# The launch's steps one after another in a new process, each timed (in the editor the model's
# steps run in a thread beside Textual's, so the editor's own figures are less than their sum).
STEPS = """
import json, time
steps = {{}}
start = time.perf_counter()
def step(name):
    global start
    now = time.perf_counter()
    steps[name] = now - start
    start = now
import textual.app
step("step: import textual (s)")
import autocomplete.frontends.tui.app
step("step: import the editor's modules (s)")
import autocomplete.engine.suggester
step("step: import the engine, numpy (s)")
from autocomplete import Suggester
from autocomplete.engine import inference_file
from autocomplete.personal.store import PersonalModel
loaded = inference_file.read({checkpoint} or inference_file.DEFAULT_MODEL)
step("step: read the model file (s)")
suggester = Suggester.from_inference(loaded, personal=PersonalModel())
step("step: the Suggester, personal store (s)")
suggester.suggest({prompt!r})
step("step: first suggestion (s)")
print(json.dumps(steps))
"""
# The floor under the editor's window: Textual's own text area in an app of nothing else,
# launched the same way (`plain Textual app drawn`).
PLAIN = """
from textual.app import App
from textual.widgets import TextArea

class Plain(App):
    def compose(self):
        yield TextArea({prompt!r}, soft_wrap=True)

Plain().run()
"""
CACHED_BYTECODE = {"PYTHONDONTWRITEBYTECODE": ""}  # empty: Python writes and reads its cache
SLOT = re.compile(r"(?:^|\s)1 \S+")


@dataclass
class Setup:
    name: str
    tree: Path
    checkpoint: Path | None
    figures: dict[str, list[float]] = field(default_factory=dict)
    torch_imported: bool = False

    def add(self, figure: str, value: float) -> None:
        self.figures.setdefault(figure, []).append(value)

    @classmethod
    def parse(cls, spec: str) -> Setup:
        tree, _, checkpoint = spec.partition(":")
        return cls(spec, Path(tree).resolve(), Path(checkpoint).resolve() if checkpoint else None)


def checkpoint_literal(setup: Setup) -> str:
    return repr(str(setup.checkpoint)) if setup.checkpoint else "None"


def run_child(setup: Setup, code: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds from spawn to exit, peak resident MB, and stdout of `python -c code`."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code], cwd=setup.tree, env=env, stdout=subprocess.PIPE
    )
    output = child.stdout.read().decode() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{setup.name}: the child process failed (status {status})")
    return elapsed, usage.ru_maxrss / 1024, output


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def time_editor(setup: Setup, folder: Path, env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "autocomplete", str(folder / "nota.txt")]
    if setup.checkpoint:
        command += ["--checkpoint", str(setup.checkpoint)]
    drawn = None

    def done(lines: list[str], session: str, now: float) -> bool:
        nonlocal drawn
        if drawn is None and any(line.strip() for line in lines):
            drawn = now
        if len(lines) < 3 or not SLOT.search(lines[-3]):
            return False
        setup.add("editor drawn (s)", drawn if drawn is not None else now)
        setup.add("editor first suggestion (s)", now)
        pid = int(tmux("display-message", "-p", "-t", session, "#{pane_pid}"))
        setup.add("editor resident memory (MB)", resident_mb(pid))
        for character in TEXT:  # as a person types, a key every 30 ms
            tmux("send-keys", "-t", session, "-l", character)
            time.sleep(0.03)
        time.sleep(1.0)  # the last key's suggestion and frame
        setup.add("editor resident after typing TEXT (MB)", resident_mb(pid))
        return True

    in_tmux(setup, " ".join(command), env, done, "the editor showed no suggestion")


def time_plain_textual(setup: Setup, env: dict[str, str]) -> None:
    """`PLAIN` from launch until its text is drawn."""
    command = shlex.join([sys.executable, "-c", PLAIN.format(prompt=PROMPT)])

    def done(lines: list[str], session: str, now: float) -> bool:
        if not any(PROMPT.strip() in line for line in lines):
            return False
        setup.add("plain Textual app drawn (s)", now)
        return True

    in_tmux(setup, command, env, done, "the plain Textual app drew nothing")


def in_tmux(
    setup: Setup,
    command: str,
    env: dict[str, str],
    done: Callable[[list[str], str, float], bool],
    failure: str,
) -> None:
    """Run `command` in a detached tmux window of 100x30 and poll its screen every 5 ms until
    `done(its lines, the session, seconds since launch)`."""
    session = f"startup-{os.getpid()}"
    data = env["AUTOCOMPLETE_DATA_DIR"]
    launched = time.perf_counter()
    tmux(
        "new-session", "-d", "-s", session, "-x", "100", "-y", "30", "-c", str(setup.tree),
        "-e", f"AUTOCOMPLETE_DATA_DIR={data}",
        *(f"-e{name}={value}" for name, value in CACHED_BYTECODE.items()), command,
    )  # fmt: skip
    try:
        while time.perf_counter() - launched < 60:
            lines = tmux("capture-pane", "-p", "-t", session).splitlines()
            if done(lines, session, time.perf_counter() - launched):
                return
            time.sleep(0.005)
        raise SystemExit(f"{setup.name}: {failure} within 60 s")
    finally:
        tmux("kill-session", "-t", session)


def compile_bytecode(setup: Setup, env: dict[str, str]) -> None:
    """Import what a launch imports once, untimed, so that its bytecode cache is written."""
    run_child(setup, "import autocomplete.__main__, autocomplete.engine.suggester", env)


def run_once(setup: Setup) -> None:
    with tempfile.TemporaryDirectory(prefix="startup-") as folder:
        env = {**os.environ, "AUTOCOMPLETE_DATA_DIR": folder, **CACHED_BYTECODE}
        checkpoint = checkpoint_literal(setup)
        seconds, peak, _ = run_child(setup, COLD.format(checkpoint=checkpoint, prompt=PROMPT), env)
        setup.add("cold start to first suggestion (s)", seconds)
        setup.add("cold start peak memory (MB)", peak)
        _, _, output = run_child(setup, STEPS.format(checkpoint=checkpoint, prompt=PROMPT), env)
        for step, seconds in json.loads(output).items():
            setup.add(step, seconds)
        time_editor(setup, Path(folder), env)
        time_plain_textual(setup, env)
        _, _, output = run_child(setup, TYPING.format(checkpoint=checkpoint, text=TEXT), env)
        result = json.loads(output)
        times = result["times"]
        setup.add("keystroke p50 (ms)", statistics.median(times))
        setup.add("keystroke p95 (ms)", statistics.quantiles(times, n=20)[18])
        setup.torch_imported = result["torch"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--checkpoint", help="model for this checkout (default: the shipped one)")
    parser.add_argument(
        "--baseline", action="append", default=[], help="TREE[:CHECKPOINT] to compare with"
    )
    args = parser.parse_args()
    current = Setup("this checkout", HERE, Path(args.checkpoint) if args.checkpoint else None)
    setups = [current, *(Setup.parse(spec) for spec in args.baseline)]
    for setup in setups:
        compile_bytecode(setup, {**os.environ, **CACHED_BYTECODE})
    for _ in range(args.runs):
        for setup in setups:
            run_once(setup)
    for setup in setups:
        print(f"{setup.name} (torch imported while suggesting: {setup.torch_imported})")
        for figure, values in setup.figures.items():
            line = f"  {figure:<40} median {statistics.median(values):8.2f}"
            if setup is not current:
                ratio = statistics.median(current.figures[figure]) / statistics.median(values)
                line += f"   this checkout / baseline = {ratio:.2f}"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
