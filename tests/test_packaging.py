"""Torch is optional: the `train` extra.

Every process here runs with torch blocked (`sys.modules["torch"] = None` makes any
`import torch` fail as if it were not installed), never by uninstalling it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_CORPUS

from autocomplete import inference_file

BLOCK_TORCH = "import sys; sys.modules['torch'] = None\n"


@pytest.fixture(scope="module")
def exported(tiny_model, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exported") / "model.npz"
    inference_file.export(tiny_model, path)
    return path


def without_torch(code: str, *args: str, path: list[Path] | None = None):
    """Run `code` in a new process where torch cannot be imported. With `path`, the process
    sees only those folders (no site processing, no PYTHONPATH): as an installed package."""
    if path is None:
        command = [sys.executable, "-c", BLOCK_TORCH + code, *args]
        environment = {**os.environ, "PYTHONPATH": str(REPO)}
    else:
        prelude = f"sys.path[:0] = {[str(folder) for folder in path]!r}\n"
        command = [sys.executable, "-I", "-S", "-c", BLOCK_TORCH + prelude + code, *args]
        environment = dict(os.environ)
    return subprocess.run(command, capture_output=True, text=True, env=environment, cwd=REPO)


@pytest.mark.parametrize("tool", ["train", "compare"])
def test_training_tools_without_torch_say_in_one_line_what_to_install(tool):
    code = f"import runpy; runpy.run_module('autocomplete.{tool}', run_name='__main__')"
    result = without_torch(code, "--help")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert 'pip install "autocomplete[train]"' in result.stderr
    assert "--index-url https://download.pytorch.org/whl/cpu" in result.stderr


def test_editor_suggester_and_evaluate_run_without_torch(exported):
    code = (
        "import runpy\nfrom autocomplete import Suggester, evaluate\n"
        "assert Suggester.load(sys.argv[1], personal=False).suggest('Segue documento em ')\n"
        "args = ['--checkpoint', sys.argv[1], '--max-words', '20', sys.argv[2]]\n"
        "assert evaluate.main(args) == 0\n"
        "sys.argv = ['autocomplete', '--help']\n"
        "runpy.run_module('autocomplete', run_name='__main__')\n"
    )
    result = without_torch(code, str(exported), str(SAMPLE_CORPUS))
    assert result.returncode == 0, result.stderr
    assert "perplexity" in result.stdout and "usage: autocomplete" in result.stdout


def test_a_torch_checkpoint_without_torch_is_one_checkpoint_error(tiny_model):
    code = (
        "from autocomplete import CheckpointError, Suggester\n"
        "try:\n    Suggester.load(sys.argv[1], personal=False)\n"
        "except CheckpointError as error:\n    print(error)\n"
    )
    result = without_torch(code, str(tiny_model))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"reading the training checkpoint {tiny_model} needs PyTorch")
