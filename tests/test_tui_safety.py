"""Where a habitual Enter or a second program could lose work (issue 28): every dialog's
default keeps the text, dialogs are centred alike, the personal store moved under an open
editor is reopened, bytes that are not text are not typed, the F2 panel names nothing an
installed user lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_recovery import crashed_session, dead_instance
from test_tui import SIZE, editor_of, pilot_test, put_text, record_notifications, settle
from test_tui_personal import append, save
from textual import events

from autocomplete import Suggester
from autocomplete.frontends.tui.app import EditorApp, EditorOptions
from autocomplete.frontends.tui.dialogs import (
    ChangedOnDisk,
    ConfirmQuit,
    ConfirmReadOnly,
    ConfirmReload,
    Dialog,
    RecoverText,
    SaveAs,
)
from autocomplete.frontends.tui.probability_panel import ProbabilityPanel
from autocomplete.frontends.tui.recovery import RecoveryCopy
from autocomplete.frontends.tui.status_bar import StatusBar
from autocomplete.personal import import_files as learn
from autocomplete.personal.store import PersonalModel, default_path

OTHER = "Mudado por outro programa\n"


@pytest.fixture(scope="module")
def suggester(tiny_model: Path) -> Suggester:
    return Suggester.load(tiny_model, personal=False)


# -- each dialog that can destroy text: Enter keeps it -------------------------------------
async def open_quit(pilot, path: Path) -> None:
    await pilot.press("end", *" editado", "ctrl+q")


async def open_changed(pilot, path: Path) -> None:
    await pilot.press("end", *" editado")
    path.write_text(OTHER, encoding="utf-8")
    await pilot.press("ctrl+s")


async def open_reload(pilot, path: Path) -> None:
    await open_changed(pilot, path)
    await pilot.pause()
    await pilot.press("r")  # Recarregar: asks once more, the buffer's edits would go


async def open_read_only(pilot, path: Path) -> None:
    path.chmod(0o444)
    await pilot.press("end", *" editado", "ctrl+s")


DIALOGS = {
    "quit": (open_quit, ConfirmQuit),
    "changed": (open_changed, ChangedOnDisk),
    "reload": (open_reload, ConfirmReload),
    "read-only": (open_read_only, ConfirmReadOnly),
}


@pilot_test
@pytest.mark.parametrize("name", DIALOGS)
async def test_enter_in_a_dialog_loses_nothing(
    suggester: Suggester, tmp_path: Path, name: str
) -> None:
    opening, dialog = DIALOGS[name]
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await opening(pilot, path)
        await pilot.pause()
        assert isinstance(app.screen, dialog)
        on_disk = path.read_text(encoding="utf-8")
        # Before: the focus was on Sobrescrever / Salvar mesmo assim / Salvar e sair.
        assert app.focused is not None and app.focused.id in ("cancel", "save-as")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, Dialog) and app.is_running
        assert path.read_text(encoding="utf-8") == on_disk  # nobody's text overwritten
        assert editor_of(app).text == "Oi editado\n" and app.modified  # nor the buffer's


@pilot_test
@pytest.mark.parametrize("name", DIALOGS)
async def test_tab_never_reaches_a_destructive_choice(
    suggester: Suggester, tmp_path: Path, name: str
) -> None:
    opening, _ = DIALOGS[name]
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await opening(pilot, path)
        await pilot.pause()
        destructive = list(app.screen.query(".destructive"))
        assert destructive  # each has one, with its key written on it
        for _ in range(6):
            await pilot.press("tab")
            assert app.focused not in destructive
        await pilot.press("escape")
        await settle(pilot)
        path.chmod(0o644)


@pilot_test
async def test_enter_on_the_recovery_question_keeps_both_texts(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "nota.txt"
    crashed_session(path, "Oi\n", "Oi, recuperado")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RecoverText)
        assert app.focused is not None and app.focused.id == "recover"
        await pilot.press("enter")
        await settle(pilot)
        assert editor_of(app).text == "Oi, recuperado" and app.modified  # unsaved, as an edit
        assert path.read_text(encoding="utf-8") == "Oi\n"
        await pilot.press("ctrl+z")  # the file's text is one undo away
        assert editor_of(app).text == "Oi\n"


@pilot_test
async def test_escape_on_the_recovery_question_keeps_the_copy_for_later(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "nota.txt"
    crashed_session(path, "Oi\n", "Oi, recuperado")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert editor_of(app).text == "Oi\n"
    assert RecoveryCopy(path, dead_instance()).read().text == "Oi, recuperado"


@pilot_test
async def test_save_as_with_an_empty_name_saves_nothing(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Olá", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SaveAs)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SaveAs) and editor_of(app).text == "Olá"


@pilot_test
async def test_reload_asks_once_more_and_its_key_reloads(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await open_reload(pilot, path)
        await pilot.pause()
        assert isinstance(app.screen, ConfirmReload)
        await pilot.press("d")  # the explicit key
        await settle(pilot)
        assert editor_of(app).text == OTHER and not app.modified


@pilot_test
@pytest.mark.parametrize("name", DIALOGS)
async def test_every_dialog_is_centred(suggester: Suggester, tmp_path: Path, name: str) -> None:
    opening, _ = DIALOGS[name]
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await opening(pilot, path)
        await pilot.pause()
        box = app.screen.query_one(".dialog").region
        width, height = SIZE
        assert abs(box.x - (width - box.right)) <= 1  # before: at the top-left corner
        assert abs(box.y - (height - box.bottom)) <= 1
        await pilot.press("escape")
        await settle(pilot)
        path.chmod(0o644)


# -- the personal store replaced under an open editor --------------------------------------
@pilot_test
async def test_a_store_moved_aside_by_learn_is_reopened_and_learning_goes_on(
    tiny_model: Path, tmp_path: Path, private_data_dir: Path, monkeypatch
) -> None:
    suggester = Suggester.load(tiny_model)
    path = tmp_path / "carta.txt"
    app = EditorApp(EditorOptions(path=path), suggester=suggester)
    shown = record_notifications(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await append(pilot, "Falei com Zuleica ontem.")
        await save(pilot)
        # What `learn` does with a damaged store: move it aside, start a new one.
        store = default_path()
        store.replace(store.with_name("personal.sqlite3.corrupt-1"))
        notes = tmp_path / "notas.txt"
        notes.write_text("Bom dia.", encoding="utf-8")
        assert learn.main([str(notes)]) == 0
        await append(pilot, " Zuleica manda abraços.")
        await save(pilot)
        assert ("information", "Vocabulário pessoal") in shown
        assert not [s for s in shown if s[1] == "Não foi possível aprender"]
    new = PersonalModel()
    assert {"bom", "dia", "zuleica", "manda", "abraços"} <= new.words()  # before: never learned
    new.close()


@pilot_test
async def test_the_words_of_a_failed_learning_are_learned_by_the_next_save(
    tiny_model: Path, tmp_path: Path, monkeypatch
) -> None:
    suggester = Suggester.load(tiny_model)
    learned: list[str] = []
    real_learn = suggester.learn

    def fail_once(text: str, *args) -> int:
        if not learned:
            learned.append("failed")
            raise OSError("disk I/O error")
        learned.append(text)
        return real_learn(text, *args)

    monkeypatch.setattr(suggester, "learn", fail_once)
    app = EditorApp(EditorOptions(path=tmp_path / "nota.txt"), suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await append(pilot, "Falei com Zuleica.")
        await save(pilot)
        await append(pilot, " Abraços.")
        await save(pilot)
    assert learned == ["failed", "Falei com Zuleica. Abraços."]  # before: "Abraços." alone


# -- input that is not text ----------------------------------------------------------------
@pilot_test
async def test_a_replacement_character_from_the_terminal_is_not_typed(
    suggester: Suggester,
) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        app.post_message(events.Key("\ufffd", "\ufffd"))  # what driver.py makes of a bad byte
        await pilot.pause()
        await pilot.press("b")
        await settle(pilot)
        assert editor_of(app).text == "ab"
        assert "1 byte que não é texto foi ignorado" in app.query_one(StatusBar).render()
        app.post_message(events.Paste("c\ufffdd\ufffd"))  # as the driver sends a paste
        await settle(pilot)
        assert editor_of(app).text == "abcd"
        assert "3 bytes que não são texto" in app.query_one(StatusBar).render()


# -- links --------------------------------------------------------------------------------
@pilot_test
async def test_the_f2_panel_points_to_nothing_outside_the_package(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em ")
        await pilot.press("f2")
        shown = str(app.query_one(ProbabilityPanel).content)
        assert "docs/" not in shown and ".md" not in shown  # before: docs/compare/report.md
        assert "probabilidade" in shown
