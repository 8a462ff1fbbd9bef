"""The editor and the personal vocabulary: learning on save, --no-learn, blocking a word, and
saves that fail."""

from __future__ import annotations

import errno
import sqlite3
import threading
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_tui import (
    SIZE,
    bar_words,
    editor_of,
    pilot_test,
    put_text,
    record_notifications,
    settle,
)

from autocomplete import Suggester
from autocomplete.frontends.tui.app import EditorApp, EditorOptions
from autocomplete.frontends.tui.status_bar import LOADING, StatusBar
from autocomplete.personal import fit
from autocomplete.personal.typed_text import TOKEN, changed_text, finished


@pytest.fixture
def personal_suggester(tiny_model: Path) -> Suggester:
    """The tiny model with a personal vocabulary of its own (this test's data folder)."""
    return Suggester.load(tiny_model)


def record_learning(suggester: Suggester, monkeypatch) -> list[str]:
    """The texts the editor passes to `suggester.learn`, which still learns them."""
    learned: list[str] = []
    learn = suggester.learn

    def spy(text: str, *args) -> int:
        learned.append(text)
        return learn(text, *args)

    monkeypatch.setattr(suggester, "learn", spy)
    return learned


async def append(pilot, text: str) -> None:
    editor = editor_of(pilot.app)
    editor.move_cursor(editor.document.end)
    await put_text(pilot, text)


async def save(pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot)


def test_changed_text_is_only_what_is_new() -> None:
    assert changed_text("", "Bom dia.\n") == "Bom dia."
    assert changed_text("Bom dia.\n", "Bom dia.\n") == ""
    # A paragraph is one line: appending to it learns the new words only.
    assert changed_text("Segue documento em", "Segue documento em anexo. Abraços") == (
        "anexo. Abraços"
    )
    # Separate changes stay separate pieces, so no false word pairs are learned.
    assert changed_text("a\nb\nc\n", "a\nlinha nova\nb\nc mudou\n") == "linha nova\n\nmudou"
    assert changed_text("Um e-mail frio.", "Um e-mail d'água fria.") == "d'água fria"
    assert changed_text("Apagar isto e aquilo.", "Apagar aquilo.") == ""


def test_finished_leaves_out_the_words_still_being_typed() -> None:
    assert finished("Primeira linha tr", 17) == "Primeira linha "  # at the end of the text
    assert finished("Bom di\nAbraços.", 6) == "Bom \nAbraços."  # at the cursor
    assert finished("Bom dia.\nAbraços, Ana", 8) == "Bom dia.\nAbraços, "  # cursor after "."
    assert finished("Segue o e-ma", 12) == "Segue o "
    assert finished("Tudo certo.", 11) == "Tudo certo."  # punctuation finished the word
    assert finished("Tudo certo ", 11) == "Tudo certo "


def words(text: str) -> Counter[str]:
    return Counter(token.strip() for token in TOKEN.findall(text) if not token.isspace())


@settings(deadline=None)  # Hypothesis's 200 ms per example is a clock a loaded machine breaks
@given(st.text(), st.text())
def test_changed_text_never_counts_a_word_more_often_than_it_was_written(
    old: str, new: str
) -> None:
    changed = changed_text(old, new)
    assert not words(changed) - words(new)
    assert changed_text(new, new) == ""


@pilot_test
async def test_each_save_learns_only_what_changed(
    personal_suggester: Suggester, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "carta.txt"
    path.write_text("Bom dia, equipe.\n", encoding="utf-8")
    learned = record_learning(personal_suggester, monkeypatch)
    app = EditorApp(EditorOptions(path=path), "Bom dia, equipe.\n", personal_suggester)
    async with app.run_test(size=SIZE) as pilot:
        await append(pilot, "Falei com Zuleica ontem.")
        await save(pilot)
        await append(pilot, " Zuleica manda abraços.")
        await save(pilot)
        await save(pilot)  # nothing new: nothing learned
    assert learned == ["Falei com Zuleica ontem.", "Zuleica manda abraços."]
    assert "Zuleica" in [s.word for s in personal_suggester.suggest("Falei com Zu")]


@pilot_test
async def test_refitting_the_mix_after_a_save_holds_nothing_suggestions_wait_for(
    personal_suggester: Suggester, tmp_path: Path, monkeypatch
) -> None:
    """The refit takes seconds of the model: the suggester's lock is free meanwhile (the
    lock is not reentrant, so a learner holding it could not take it here)."""
    free: list[bool] = []

    def fitting(store, model) -> None:
        lock = editor_of(app).suggester_lock
        free.append(lock.acquire(timeout=5))
        if free[-1]:
            lock.release()

    monkeypatch.setattr(fit, "refit_due", lambda store: True)
    monkeypatch.setattr(fit, "fit_store", fitting)
    app = EditorApp(EditorOptions(path=tmp_path / "nota.txt"), suggester=personal_suggester)
    async with app.run_test(size=SIZE) as pilot:
        await append(pilot, "Falei com Zuleica ontem.")
        await save(pilot)
    assert free == [True]


@pilot_test
async def test_a_half_typed_word_is_learned_once_finished(
    personal_suggester: Suggester, tmp_path: Path, monkeypatch
) -> None:
    learned = record_learning(personal_suggester, monkeypatch)
    app = EditorApp(EditorOptions(path=tmp_path / "nota.txt"), suggester=personal_suggester)
    async with app.run_test(size=SIZE) as pilot:
        await append(pilot, "Nova linha tr")
        await save(pilot)
        assert (tmp_path / "nota.txt").read_text(encoding="utf-8") == "Nova linha tr"
        await append(pilot, "abalho.")
        await save(pilot)
    assert learned == ["Nova linha", "trabalho."]
    assert "tr" not in personal_suggester.personal.words()


@pilot_test
async def test_a_save_while_the_model_loads_is_learned_by_the_next(
    tiny_model: Path, tmp_path: Path, monkeypatch
) -> None:
    release = threading.Event()
    suggester = Suggester.load(tiny_model)
    learned = record_learning(suggester, monkeypatch)

    def slow_load(cls, path=None, personal=True, **options) -> Suggester:
        release.wait(timeout=600)  # the test releases it; the timeout only ends a hung run
        return suggester

    monkeypatch.setattr(Suggester, "load", classmethod(slow_load))
    app = EditorApp(EditorOptions(path=tmp_path / "nota.txt", checkpoint=tiny_model))
    async with app.run_test(size=SIZE) as pilot:
        editor_of(app).insert("Primeira parte.")  # settle() would wait for the model
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.query_one(StatusBar).model == LOADING and not app.modified
        assert learned == []
        release.set()
        await settle(pilot)
        await append(pilot, " Segunda parte.")
        await save(pilot)
    assert learned == ["Primeira parte. Segunda parte."]


@pilot_test
async def test_no_learn_loads_the_bare_model_and_learns_nothing(
    tiny_model: Path, tmp_path: Path, private_data_dir: Path, monkeypatch
) -> None:
    asked: list[bool] = []
    load = Suggester.load.__func__

    def load_spy(cls, path=None, personal=True, **options) -> Suggester:
        asked.append(personal)
        return load(cls, path, personal, **options)

    monkeypatch.setattr(Suggester, "load", classmethod(load_spy))
    path = tmp_path / "nota.txt"
    app = EditorApp(EditorOptions(path=path, checkpoint=tiny_model, learn=False))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await append(pilot, "Falei com Zuleica ontem.")
        await save(pilot)
        assert path.read_text(encoding="utf-8") == "Falei com Zuleica ontem."
        # No personal vocabulary: nowhere to keep a block list, so no "Nunca sugerir".
        assert "block_word" not in {b.binding.action for b in app.active_bindings.values()}
    assert asked == [False]
    assert not (private_data_dir / "personal.sqlite3").exists()


@pilot_test
async def test_ctrl_n_never_suggests_the_word_again(
    personal_suggester: Suggester, tiny_model: Path
) -> None:
    app = EditorApp(suggester=personal_suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em an")
        assert editor_of(app).suggestion == "exo"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert "anexo" not in bar_words(app)
        assert editor_of(app).suggestion != "exo"
    # Forever: a new session (same data folder) does not offer it either.
    words = [s.word for s in Suggester.load(tiny_model).suggest("Segue documento em an", k=10)]
    assert words and "anexo" not in words


@pilot_test
async def test_command_palette_blocks_the_shown_word(personal_suggester: Suggester) -> None:
    app = EditorApp(suggester=personal_suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em an")
        await pilot.press("ctrl+p", *"nunca")
        await settle(pilot)  # the palette searches its commands in a worker
        await pilot.press("enter")
        await settle(pilot)
        assert "anexo" not in bar_words(app)
        assert personal_suggester.personal.is_blocked("anexo")


@pilot_test
async def test_a_corrupt_store_is_set_aside_with_a_notice(
    tiny_model: Path, private_data_dir: Path, monkeypatch
) -> None:
    (private_data_dir / "personal.sqlite3").write_bytes(b"isto nao e um banco SQLite" * 100)
    app = EditorApp(EditorOptions(checkpoint=tiny_model))
    shown = record_notifications(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert ("warning", "Vocabulário pessoal") in shown
        await put_text(pilot, "Segue documento em an")
        assert editor_of(app).suggestion == "exo"  # suggestions go on


@pilot_test
async def test_failed_learning_still_saves(
    personal_suggester: Suggester, tmp_path: Path, monkeypatch
) -> None:
    def broken(text: str, *args) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(personal_suggester, "learn", broken)
    path = tmp_path / "nota.txt"
    app = EditorApp(EditorOptions(path=path), suggester=personal_suggester)
    shown = record_notifications(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await append(pilot, "Olá.")
        await save(pilot)
        assert not app.modified and app.is_running
    assert path.read_text(encoding="utf-8") == "Olá."
    assert ("warning", "Não foi possível aprender") in shown


@pilot_test
@pytest.mark.parametrize(
    "code", [errno.ENOSPC, errno.EROFS, errno.EACCES], ids=["disco cheio", "só leitura", "acesso"]
)
async def test_failed_save_keeps_the_text_and_the_file(
    personal_suggester: Suggester, tmp_path: Path, monkeypatch, code: int
) -> None:
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    learned = record_learning(personal_suggester, monkeypatch)
    app = EditorApp(EditorOptions(path=path), "Oi\n", personal_suggester)
    shown = record_notifications(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        await append(pilot, "Texto novo.")
        with monkeypatch.context() as failing:
            failing.setattr("autocomplete.atomic.os.replace", fail_with(code))
            await save(pilot)
            assert ("error", "Não foi possível salvar") in shown
            assert app.modified and editor_of(app).text == "Oi\nTexto novo."
            assert path.read_text(encoding="utf-8") == "Oi\n"
            assert sorted(p.name for p in tmp_path.iterdir()) == ["nota.txt"]  # no temp file
            assert learned == []  # not saved: not learned
        await save(pilot)  # the disk has room again: nothing was lost
        assert path.read_text(encoding="utf-8") == "Oi\nTexto novo." and not app.modified
    assert learned == ["Texto novo."]


def fail_with(code: int):
    def fail(*args: object) -> None:
        raise OSError(code, errno.errorcode[code])

    return fail
