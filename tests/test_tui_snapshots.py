"""Screenshots of the main layouts (pytest-textual-snapshot; refresh with --snapshot-update).

Deterministic: the tiny model is trained from a fixed seed, the terminal size is fixed, the
cursor does not blink and the latency clock is frozen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from autocomplete import Suggester
from autocomplete.frontends.tui import editor
from autocomplete.frontends.tui.app import EditorApp

SIZE = (80, 24)


@pytest.fixture
def app(tiny_model: Path, monkeypatch) -> EditorApp:
    monkeypatch.setattr(editor, "perf_counter", lambda: 0.0)  # "sugestão em 0 ms"
    return EditorApp(suggester=Suggester.load(tiny_model))


def typing(text: str, *keys: str):
    async def run_before(pilot) -> None:
        text_area = pilot.app.query_one(editor.SuggestingEditor)
        text_area.cursor_blink = False
        if text:
            text_area.insert(text)
        await pilot.press(*keys)
        for _ in range(2):
            await asyncio.gather(*(w.wait() for w in pilot.app.workers), return_exceptions=True)
            await pilot.pause()

    return run_before


def test_empty(snap_compare, app: EditorApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=typing(""))


def test_with_suggestions(snap_compare, app: EditorApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=typing("Segue documento em an"))


def test_probability_panel(snap_compare, app: EditorApp) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=typing("Segue documento em ", "f2"))
