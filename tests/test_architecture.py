"""The layout's rules, read from the import graph (tests/import_graph.py): no circles, and no
import running back up (serving, the personal vocabulary and the front ends never reach
training or torch)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from import_graph import PACKAGE, cycles, graph

ROOT = Path(__file__).resolve().parent.parent / PACKAGE
SHARED = {"text", "text_files", "config", "errors", "atomic", "userdata"}
# What each part may not import (its modules' names start so).
FORBIDDEN = {
    "engine": ("training", "evaluation", "lesson", "frontends"),
    "personal": ("training", "evaluation", "lesson", "frontends"),
    "frontends": ("training", "evaluation", "lesson"),
    "training": ("evaluation", "lesson", "frontends", "personal"),
    "evaluation": ("lesson", "frontends"),
}
# The one lazy import allowed to run against the rules: Suggester.load and inference_file.read
# given a training checkpoint (.pt) convert it in memory, which needs torch.
ALLOWED = {("autocomplete.engine.inference_file", "autocomplete.training.checkpoint")}


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_the_import_graph_has_no_circle():
    assert cycles(graph(ROOT)) == []


def test_no_import_runs_back_up():
    wrong = []
    for module, targets in graph(ROOT).items():
        part = _part(module)
        for target in targets:
            if (module, target) in ALLOWED:
                continue
            if part in SHARED and _part(target) not in SHARED:
                wrong.append((module, target))
            if _part(target) in FORBIDDEN.get(part, ()):
                wrong.append((module, target))
    assert wrong == []


def test_only_training_evaluation_and_the_lesson_import_torch():
    importers = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "torch" for name in names):
                importers.add(path.relative_to(ROOT).parts[0])
    assert importers <= {"training", "lesson"}


def test_suggesting_loads_neither_training_nor_torch():
    code = (
        "import sys\nfrom autocomplete import Suggester\n"
        "assert Suggester.load().suggest('Segue documento em an')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('autocomplete.training', "
        "'autocomplete.evaluation', 'autocomplete.lesson', 'torch'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
