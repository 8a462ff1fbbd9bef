"""The personal vocabulary under a big import: learning time and memory, store size, and what a
full store costs the editor (start and keystrokes), for this tree and optionally a baseline.

    python benchmarks/personal_store.py [--baseline TREE] [--megabytes 50] [--repeats 3]

Builds a ~50 MB Portuguese text at run time from ../shared/corpus (modern sources, then Machado)
in a temporary folder (never committed). For each tree (a checkout of the project: this one, and
`--baseline`, e.g. `git worktree add /tmp/base main`), in fresh processes run from that tree:
  - `python -m autocomplete.learn FILE` into an empty user-data folder: wall time, CPU time,
    peak RSS (of the process and its counting process, the larger), median of --repeats runs,
    the trees taking turns;
  - the store's size on disk afterwards;
  - a new process's import + `Suggester.load()` + first suggestion, with that full store and
    with an empty one (median of --repeats);
  - `suggest` latency per keystroke (p50, p95) typing a passage of the learned text, full store
    vs empty store, in those same processes, and their resident memory after it.
The machine is shared: compare ratios (full / empty, tree / baseline) from one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autocomplete.userdata import ENVIRONMENT

HERE = Path(__file__).resolve().parent.parent
CORPUS = HERE.parent / "shared" / "corpus"
STORE_FILES = ("personal.sqlite3", "personal.sqlite3-journal", "personal.sqlite3-wal")
EDITOR = """
import json, sys, time
start = time.perf_counter()
from autocomplete import Suggester
suggester = Suggester.load()
suggester.suggest("", 3)
load_s = time.perf_counter() - start
text = open(sys.argv[1], encoding="utf-8").read()
latencies = []
for cursor in range(1, len(text) + 1):
    begin = time.perf_counter()
    suggester.suggest(text[:cursor], 3)
    latencies.append((time.perf_counter() - begin) * 1000)
latencies.sort()
status = open("/proc/self/status").read()
print(json.dumps({
    "rss_mb": int(status.split("VmRSS:")[1].split()[0]) / 1024,
    "load_s": load_s,
    "p50_ms": latencies[len(latencies) // 2],
    "p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
}))
"""


def build_text(
    corpus: Path, folder: Path, megabytes: float, passage_chars: int
) -> tuple[Path, Path]:
    """A ~`megabytes` text from the corpus, and a passage of it to type."""
    files = [
        *sorted((corpus / "moderno").rglob("*.txt")),
        *sorted((corpus / "machado").rglob("*.txt")),
    ]
    if not files:
        sys.exit(f"no corpus text under {corpus}")
    target = int(megabytes * 1_000_000)
    text_path, written = folder / "learn.txt", 0
    with text_path.open("w", encoding="utf-8") as out:
        for file in files:
            if written >= target:
                break
            data = file.read_text(encoding="utf-8")[: target - written]
            out.write(data + "\n\n")
            written += len(data.encode("utf-8")) + 2
    # A passage from the middle of a paragraph-rich part (Machado's prose, near the end).
    with text_path.open(encoding="utf-8") as source:
        source.seek(max(0, written - 2_000_000))
        source.readline()
        passage = " ".join(source.read(passage_chars * 2).split())[:passage_chars]
    passage_path = folder / "passage.txt"
    passage_path.write_text(passage, encoding="utf-8")
    return text_path, passage_path


def run_measured(argv: list[str], tree: Path, data: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak RSS (MB) and stdout of one child process from `tree`."""
    env = {**os.environ, ENVIRONMENT: str(data), "PYTHONPATH": str(tree)}
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=tree, env=env, stdout=subprocess.PIPE, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed in {tree} (exit {child.returncode})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def store_bytes(data: Path) -> int:
    return sum((data / name).stat().st_size for name in STORE_FILES if (data / name).exists())


def measure_learning(name: str, tree: Path, text: Path, work: Path, run: int) -> dict:
    """One `learn` of the text into an empty user-data folder `work/NAME-full-RUN`."""
    full = work / f"{name}-full-{run}"
    full.mkdir()
    learn_argv = [sys.executable, "-m", "autocomplete.learn", str(text), "--stats"]
    learn_s, learn_cpu_s, learn_mb, out = run_measured(learn_argv, tree, full)
    if run == 0:
        for line in out.strip().splitlines()[1:]:  # what is stored, past "learned N words"
            print(f"  [{name}] {line}", flush=True)
    return {
        "learn_s": learn_s,
        "learn_cpu_s": learn_cpu_s,
        "learn_peak_mb": learn_mb,
        "store_mb": store_bytes(full) / 1e6,
    }


def measure_editor(name: str, tree: Path, passage: Path, repeats: int, work: Path) -> dict:
    """Start and keystroke figures with the first run's full store and with an empty one."""
    empty = work / f"{name}-empty"
    empty.mkdir()
    result = {}
    editor_argv = [sys.executable, "-c", EDITOR, str(passage)]
    for store, data in (("full", work / f"{name}-full-0"), ("empty", empty)):
        runs = [json.loads(run_measured(editor_argv, tree, data)[3]) for _ in range(repeats)]
        for key in ("load_s", "p50_ms", "p95_ms", "rss_mb"):
            result[f"{key}_{store}"] = statistics.median(run[key] for run in runs)
    return result


ROWS = [
    ("learn_s", "learn the text: wall (s)"),
    ("learn_cpu_s", "learn the text: CPU, user + system (s)"),
    ("learn_peak_mb", "learn the text: peak RSS (MB)"),
    ("store_mb", "store on disk after (MB)"),
    ("load_s_empty", "new process: import+load+first suggest, empty (s)"),
    ("load_s_full", "new process: import+load+first suggest, full (s)"),
    ("p50_ms_empty", "keystroke p50, empty store (ms)"),
    ("p50_ms_full", "keystroke p50, full store (ms)"),
    ("p95_ms_empty", "keystroke p95, empty store (ms)"),
    ("p95_ms_full", "keystroke p95, full store (ms)"),
    ("rss_mb_empty", "resident after typing, empty store (MB)"),
    ("rss_mb_full", "resident after typing, full store (MB)"),
]


def report(results: dict[str, dict]) -> None:
    names = list(results)
    ratio = "this / baseline" if "baseline" in results else ""
    print(f"{'':<52}" + "".join(f"{name:>12}" for name in names) + f"{ratio:>17}")
    for key, label in ROWS:
        line = f"{label:<52}" + "".join(f"{results[n][key]:>12.2f}" for n in names)
        if ratio:
            line += f"{results['this'][key] / results['baseline'][key]:>17.2f}"
        print(line)
    for name in names:
        r = results[name]
        print(
            f"{name}: start full - empty {r['load_s_full'] - r['load_s_empty']:+.2f} s; "
            f"p95 full / empty {r['p95_ms_full'] / r['p95_ms_empty']:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="with moderno/ and machado/")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure the same way")
    parser.add_argument("--megabytes", type=float, default=50.0, help="size of the text to learn")
    parser.add_argument("--passage", type=int, default=1_500, help="characters typed")
    parser.add_argument(
        "--repeats", type=int, default=3, help="learn runs per tree, editor processes per store"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        text, passage = build_text(args.corpus, work, args.megabytes, args.passage)
        size = text.stat().st_size / 1e6
        print(f"text {size:.1f} MB; typing {args.passage:,} characters; {args.repeats} repeats")
        trees = {"this": HERE}
        if args.baseline is not None:
            trees = {"baseline": args.baseline.resolve(), **trees}
        learned: dict[str, list[dict]] = {name: [] for name in trees}
        for run in range(args.repeats):  # the trees take turns: load on the machine hits both
            for name, tree in trees.items():
                learned[name].append(measure_learning(name, tree, text, work, run))
        results = {}
        for name, tree in trees.items():
            runs = learned[name]
            results[name] = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            results[name] |= measure_editor(name, tree, passage, args.repeats, work)
        report(results)


if __name__ == "__main__":
    main()
