"""A real client: headless Neovim's built-in LSP client runs the server, syncs a buffer it
types into, and asks for completions (tests/neovim_completion.lua). Skipped without nvim."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tests" / "neovim_completion.lua"
NVIM = shutil.which("nvim")


@pytest.mark.skipif(NVIM is None, reason="nvim is not installed (apt install neovim)")
def test_neovim_completes_a_word_and_offers_next_words(tmp_path: Path):
    environment = os.environ | {
        "AUTOCOMPLETE_PYTHON": sys.executable,
        "PYTHONPATH": str(REPO),  # this checkout's server, not an installed one
        "AUTOCOMPLETE_TIMINGS": "20",
    }
    run = subprocess.run(
        [NVIM, "--headless", "--clean", str(tmp_path / "notas.txt"), "-c", f"luafile {SCRIPT}"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=120,  # only a hang takes this long
    )
    lines = run.stdout.splitlines()
    assert run.returncode == 0, run.stdout + run.stderr
    completed, next_words, latency = lines
    assert completed.startswith("Preciso de ajuda com o meu comput -> computador ")
    assert next_words.startswith("Segue documento em  -> ")
    assert len(next_words.split(" | ")) == 5
    assert latency.startswith("latency p50 ")
