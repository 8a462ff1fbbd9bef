"""Painted rows kept between frames (frontends/tui/painted_rows.py): a kept row is always the
row a fresh painting would give, whatever was typed, moved, selected or wrapped since."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_tui import SIZE, editor_of, pilot_test, settle
from textual.widgets.text_area import Selection

from autocomplete import Suggester
from autocomplete.frontends.tui.app import EditorApp

TEXT = (
    "Bom dia, equipe.\n"
    + "Segue em anexo o relatório da reunião de ontem, com as datas combinadas. " * 3
    + "\n\nAtenciosamente,\nAna\n"
)


@pytest.fixture(scope="module")
def suggester(tiny_model: Path) -> Suggester:
    return Suggester.load(tiny_model, personal=False)


def assert_rows_as_painted(app: EditorApp) -> None:
    editor = editor_of(app)
    with editor._painted.frame():  # as a frame asks for them: the widget's inputs read once
        kept = [editor.render_line(y) for y in range(editor.size.height)]
    for y, row in enumerate(kept):
        assert row == editor._render_line(y), f"row {y}"


@pilot_test
async def test_kept_rows_are_the_rows_a_fresh_painting_gives(suggester: Suggester) -> None:
    app = EditorApp(text=TEXT, suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        editor = editor_of(app)
        painted = [editor.render_line(y) for y in range(editor.size.height)]
        assert_rows_as_painted(app)
        steps = [
            ("end", "ctrl+end"),
            ("typed", *"Obrigada"),
            ("up", "up", "up"),
            ("typed in a wrapped line", *" e as metas"),
            ("enter", "enter"),
            ("backspace", "backspace", "backspace"),
            ("select", "shift+up", "shift+right", "shift+right"),
            ("unselect", "left"),
            ("home", "ctrl+home"),
            ("deleted", "delete", "delete"),
        ]
        for _, *keys in steps:
            await pilot.press(*keys)
            await settle(pilot)
            assert_rows_as_painted(app)
        editor.selection = Selection((1, 3), (3, 2))  # over several lines
        await settle(pilot)
        assert_rows_as_painted(app)
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        assert_rows_as_painted(app)
        assert painted != [editor.render_line(y) for y in range(editor.size.height)]
        resized = [editor.render_line(y) for y in range(editor.size.height)]
        app.theme = "textual-light"  # the whole widget's look: every row is painted again
        await settle(pilot)
        assert_rows_as_painted(app)
        assert resized != [editor.render_line(y) for y in range(editor.size.height)]


@pilot_test
async def test_a_keystroke_paints_only_the_rows_it_changed(suggester: Suggester) -> None:
    app = EditorApp(text=TEXT, suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        editor = editor_of(app)
        editor.move_cursor((3, 0))  # the start of "Atenciosamente,"
        await settle(pilot)
        painted: list[int] = []
        paint = editor._render_line

        def counted(y: int):
            painted.append(y)
            return paint(y)

        editor._render_line = counted
        await pilot.press("O")
        await settle(pilot)
        rows_with_text = editor.wrapped_document.height
        # Below the document a row is blank, painted afresh at no cost.
        repainted = {y for y in painted if y < rows_with_text}
        assert repainted == {editor.wrapped_document.location_to_offset((3, 0)).y}
        assert_rows_as_painted(app)
