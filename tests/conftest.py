"""Shared fixtures: a tiny model trained in seconds on the repository's sample text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from textual.pilot import Pilot

from autocomplete import userdata
from autocomplete.engine.suggester import Suggester
from autocomplete.engine.tokenizer import EOS_ID
from autocomplete.training import trainer as train

# Tiny models gain nothing from threads, and on a shared 2-core machine torch's spinning
# worker threads slow every other process down.
torch.set_num_threads(1)

_press_together = Pilot.press


async def _press_in_order(pilot: Pilot, *keys: str) -> None:
    """Pilot.press sends all its keys and then waits once. A key that a binding handles (End,
    Backspace, Tab...) is only acted on after it bubbles from the focused widget up to the
    App, one message queue per hop, while a typed character is inserted by the widget itself:
    on a busy CPU "end", " " typed " " first. So press one key at a time and wait a round per
    hop: each round of Pilot.pause lets every widget finish what was queued before it, so the
    key moves up at least one hop per round and has reached the App when the rounds end."""
    for key in keys:
        await _press_together(pilot, key)
        focused = pilot.app.focused
        for _ in range(len(focused.ancestors) if focused else 1):
            await pilot.pause()


Pilot.press = _press_in_order  # every Pilot test, for the whole session


REPO = Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = REPO / "corpus" / "amostra"  # the project's own short e-mails and messages
SHARED_CORPUS = REPO.parent / "shared" / "corpus" / "machado"

TINY_FLAGS = {
    "--vocab-size": "200",
    "--emb": "32",
    "--hidden": "32",
    "--epochs": "8",
    "--batch-size": "4",
    "--bptt": "12",
    "--eval-every": "1000",
    "--lr": "0.01",
    "--dropout": "0.0",
    "--seed": "7",
}


def train_tiny(out: Path, corpus: Path = SAMPLE_CORPUS, **overrides: str) -> Path:
    """Train a tiny model into `out` and return the path of its model.pt."""
    flags = dict(TINY_FLAGS)
    flags.update({f"--{key.replace('_', '-')}": str(value) for key, value in overrides.items()})
    argv = ["--corpus", str(corpus), "--out", str(out), "--quiet"]
    for flag, value in flags.items():
        argv += [flag, value]
    assert train.main(argv) == 0
    return out / "model.pt"


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own user-data folder: the real personal vocabulary is never used."""
    folder = tmp_path_factory.mktemp("user-data")
    monkeypatch.setenv(userdata.ENVIRONMENT, str(folder))
    return folder


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    """A word LSTM trained on corpus/ (vocabulary 200) shared by the whole test session."""
    return train_tiny(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture
def machado() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus/machado is not present")
    return SHARED_CORPUS


class ScriptedModel:
    """A suggester's words with a scripted next-token model behind its phrases: after a word
    of `script` the model gives the word it maps to probability `prob`, after any other
    `</s>`. The tiny model is never sure of two words in a row; phrase tests need one that is.
    """

    def __init__(self, suggester, script: dict[str, str], prob: float = 0.9):
        self.suggester = suggester
        self.tokenizer = suggester.tokenizer
        self.script = script
        self.prob = prob
        self.scripted = Suggester(self.tokenizer, self)  # the words after the first: scripted

    def suggest(self, text: str, k: int = 3):
        return self.suggester.suggest(text, k)

    def suggest_after(self, context: str, ahead: str, k: int = 1):
        return self.scripted.suggest_after(context, ahead, k)

    def ids_after(self, context: str, ahead: str) -> list[int]:
        return self.scripted.ids_after(context, ahead)

    def next_log_probs(self, ids) -> np.ndarray:
        words = self.tokenizer.words
        log_probs = np.full(len(words), np.log((1 - self.prob) / (len(words) - 1)))
        following = self.script.get(words[ids[-1]])
        log_probs[self.tokenizer.ids[following] if following else EOS_ID] = np.log(self.prob)
        return log_probs
