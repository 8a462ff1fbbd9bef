"""A long document in the editor: it opens, typing works anywhere in it, the recovery copy
and the save happen off the UI thread, and quitting waits for a save being written."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from test_recovery import recovery_written
from test_tui import SIZE, bar_words, editor_of, pilot_test, settle

from autocomplete import Suggester
from autocomplete.frontends.tui import document as document_module
from autocomplete.frontends.tui import editor as editor_module
from autocomplete.frontends.tui import recovery
from autocomplete.frontends.tui.app import EditorApp, EditorOptions
from autocomplete.frontends.tui.dialogs import ConfirmQuit
from autocomplete.frontends.tui.recovery import RecoveryCopy

# ~2 MB over 10k lines: long enough for the recovery copy to be written in several chunks.
LINE = "Segue em anexo o relatório da reunião de ontem, com as decisões da equipe."
LINES = 10 * recovery.CHUNK_LINES + 7


@pytest.fixture(scope="module")
def suggester(tiny_model: Path) -> Suggester:
    return Suggester.load(tiny_model, personal=False)


@pytest.fixture
def long_file(tmp_path: Path) -> Path:
    path = tmp_path / "longo.txt"
    path.write_text("\n".join(f"{number} {LINE} " * 3 for number in range(LINES)) + "\n")
    return path


def open_editor(path: Path, suggester: Suggester) -> EditorApp:
    return EditorApp(EditorOptions(path=path), path.read_text(encoding="utf-8"), suggester)


@pilot_test
async def test_typing_in_the_middle_and_at_the_end_of_a_long_file(
    suggester: Suggester, long_file: Path
) -> None:
    app = open_editor(long_file, suggester)
    async with app.run_test(size=SIZE) as pilot:
        editor = editor_of(app)
        assert editor.document.line_count == LINES + 1
        middle = LINES // 2
        editor.move_cursor((middle, len(editor.document[middle])))
        await pilot.press(*"Bom dia ")
        await settle(pilot)
        assert editor.document[middle].endswith(f"{LINE} Bom dia ")
        assert bar_words(app)  # suggestions for the text before the cursor
        editor.move_cursor(editor.document.end)
        await pilot.press(*"Fim ")
        await settle(pilot)
        assert editor.document[LINES] == "Fim "
        assert bar_words(app)


@pilot_test
async def test_the_recovery_copy_is_written_off_the_ui_thread_only_after_a_change(
    suggester: Suggester, long_file: Path, monkeypatch
) -> None:
    writers: list[threading.Thread] = []
    write = RecoveryCopy.write

    def spy(self: RecoveryCopy, lines: list[str], edits: int) -> None:
        writers.append(threading.current_thread())
        write(self, lines, edits)

    monkeypatch.setattr(RecoveryCopy, "write", spy)
    app = open_editor(long_file, suggester)
    async with app.run_test(size=SIZE) as pilot:
        await recovery_written(pilot)
        assert writers == []  # opened, nothing changed: nothing to keep
        editor_of(app).move_cursor((3, 0))
        await pilot.press("x")
        await recovery_written(pilot)
        assert len(writers) == 1 and writers[0] is not threading.main_thread()
        copy = app._recovery.read()
        assert copy is not None and copy.text == editor_of(app).text
        await recovery_written(pilot)  # a while without typing: no second write
        assert len(writers) == 1
        await pilot.press("y")
        await recovery_written(pilot)
        assert len(writers) == 2
        assert app._recovery.read().text.split("\n")[3].startswith("xy3 ")


class HeldSave:
    """save_document that waits until `release()`: a save of a file that takes long."""

    def __init__(self, monkeypatch) -> None:
        self.started = threading.Event()
        self._go = threading.Event()
        save = document_module.save_document

        def held(*args, **kwargs) -> None:
            self.started.set()
            assert self._go.wait(30), "the test never released the save"
            save(*args, **kwargs)

        monkeypatch.setattr(document_module, "save_document", held)

    def release(self) -> None:
        self._go.set()

    async def type_and_save(self, pilot) -> None:
        """Type "a" at the start and press Ctrl+S; return once the save is held."""
        await pilot.press("a", "ctrl+s")
        await asyncio.to_thread(self.started.wait, 30)


@pilot_test
async def test_typing_goes_on_while_a_save_is_written(
    suggester: Suggester, long_file: Path, monkeypatch
) -> None:
    held = HeldSave(monkeypatch)
    app = open_editor(long_file, suggester)
    async with app.run_test(size=SIZE) as pilot:
        await held.type_and_save(pilot)
        await pilot.press("b")  # handled while the save waits
        await pilot.pause()
        assert editor_of(app).document[0].startswith("ab0 ")
        held.release()
        await settle(pilot)
        assert long_file.read_text(encoding="utf-8").startswith("a0 ")  # as of Ctrl+S
        assert app.modified  # the "b" typed since is not saved


@pilot_test
async def test_quitting_waits_for_a_save_being_written(
    suggester: Suggester, long_file: Path, monkeypatch
) -> None:
    held = HeldSave(monkeypatch)
    app = open_editor(long_file, suggester)
    async with app.run_test(size=SIZE) as pilot:
        await held.type_and_save(pilot)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmQuit)
        held.release()
        await settle(pilot)
        assert not app.is_running  # saved, so quit without asking
    assert long_file.read_text(encoding="utf-8").startswith("a0 ")
    assert app._recovery.read() is None


@pilot_test
async def test_the_context_of_a_very_long_line_is_cut_near_the_cursor(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "uma-linha.txt"
    path.write_text(f"Início.\n{LINE} " * 2 + f"{LINE} " * 3000)  # one paragraph of 220 kB
    app = open_editor(path, suggester)
    async with app.run_test(size=SIZE) as pilot:
        editor = editor_of(app)
        editor.move_cursor(editor.document.end)
        before = editor.text_before_cursor()
        assert before is not None and editor.text.endswith(before)
        assert editor_module.CONTEXT_CHARS <= len(before) <= 2 * editor_module.CONTEXT_CHARS
        await pilot.press(*"Bom dia ")
        await settle(pilot)
        assert editor.text_before_cursor() == before + "Bom dia "  # the start stayed put
        assert bar_words(app)
