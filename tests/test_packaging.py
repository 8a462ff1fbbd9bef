"""Torch is optional (the `train` extra) and the wheel carries the shipped model.

Every process here runs with torch blocked (`sys.modules["torch"] = None` makes any
`import torch` fail as if it were not installed), never by uninstalling it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import sentencepiece
from conftest import REPO, SAMPLE_CORPUS

from autocomplete.engine import inference_file

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


@pytest.mark.parametrize("tool", ["train", "compare", "lexicon"])
def test_training_tools_without_torch_say_in_one_line_what_to_install(tool):
    code = f"import runpy; runpy.run_module('autocomplete.{tool}', run_name='__main__')"
    result = without_torch(code, "--help")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert 'pip install "autocomplete[train]"' in result.stderr
    assert "--index-url https://download.pytorch.org/whl/cpu" in result.stderr


def test_editor_suggester_and_evaluate_run_without_torch(exported):
    code = (
        "import runpy\nfrom autocomplete import Suggester\n"
        "from autocomplete.evaluation import evaluate\n"
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


def test_the_wheel_carries_the_model_and_suggests_without_torch(exported, tmp_path):
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("setuptools is not installed: no wheel can be built offline")
    # The repository as the wheel sees it, with a small model in place of the shipped one.
    source = tmp_path / "source"
    shutil.copytree(REPO / "autocomplete", source / "autocomplete", ignore=_caches)
    for file in REPO.iterdir():
        if file.is_file():
            shutil.copy(file, source)
    (source / "checkpoints").mkdir()
    for shipped in ("default.json", "register.npz"):
        shutil.copy(REPO / "checkpoints" / shipped, source / "checkpoints")
    shutil.copy(exported, source / "checkpoints" / "model.npz")
    (source / "checkpoints" / "model.pt").write_bytes(b"training's, never shipped")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    build = [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
    run([*build, "-w", str(tmp_path / "dist"), str(source)])
    (wheel,) = (tmp_path / "dist").glob("autocomplete-*.whl")

    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    shipped = {"model.npz", "default.json", "register.npz"}
    assert {f"autocomplete/checkpoints/{name}" for name in shipped} <= names
    assert "autocomplete/checkpoints/model.pt" not in names
    modules = {
        path.relative_to(REPO).as_posix()
        for pattern in ("*.py", "*.tcss")
        for path in (REPO / "autocomplete").rglob(pattern)
    }
    assert modules <= names  # pyproject.toml lists the packages: a new one must be added there
    torch_requirements = [
        line for line in metadata.decode().splitlines() if line.startswith("Requires-Dist: torch")
    ]
    assert torch_requirements and all('extra == "train"' in r for r in torch_requirements)

    target = tmp_path / "installed"
    install = [*pip, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)]
    run(install)
    # Only the installed package and the folders of its dependencies (numpy's and
    # sentencepiece's site-packages) are importable: not the checkout.
    dependencies = {Path(module.__file__).parent.parent for module in (np, sentencepiece)}
    code = (
        "import autocomplete\nfrom autocomplete import Suggester\n"
        "from autocomplete.engine import inference_file\n"
        "print(autocomplete.__file__)\nprint(inference_file.DEFAULT_MODEL)\n"
        "print(Suggester.load(personal=False).suggest('Segue documento em ')[0].word)\n"
    )
    result = without_torch(code, path=[target, *sorted(dependencies)])
    assert result.returncode == 0, result.stderr
    package_file, model, word = result.stdout.splitlines()
    assert Path(package_file).is_relative_to(target) and word
    assert Path(model) == target / "autocomplete" / "checkpoints" / "model.npz"


def run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _caches(folder: str, names: list[str]) -> list[str]:
    return [name for name in names if name == "__pycache__"]
