"""Screenshots of the main layouts (pytest-textual-snapshot; refresh with --snapshot-update).

Deterministic: the tiny model is trained from a fixed seed, the terminal size is fixed, the
cursor does not blink and the latency clock is frozen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from autocomplete import Suggester
from autocomplete.frontends.tui import editor
from autocomplete.frontends.tui.app import EditorApp, EditorOptions

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


def test_changed_on_disk_dialog(snap_compare, tiny_model: Path, tmp_path: Path, monkeypatch):
    """Every dialog shares this look (one Dialog rule in app.tcss): centred, the focus on
    Cancelar, the destructive choices red with their keys."""
    monkeypatch.setattr(editor, "perf_counter", lambda: 0.0)
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    app = EditorApp(EditorOptions(path=path), "Oi\n", Suggester.load(tiny_model))

    async def run_before(pilot) -> None:
        await typing("", "end", "!")(pilot)
        path.write_text("Mudado por outro programa\n", encoding="utf-8")
        await pilot.press("ctrl+s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
