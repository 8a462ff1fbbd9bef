"""Recovery copies: written while editing, removed by a clean save or quit, offered back after
a crash (including a real `kill -9` of the editor)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import json
import os
import pty
import signal
import stat
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest
from test_tui import SIZE, editor_of, pilot_test, record_notifications, settle
from textual.widgets import Input, Static

from autocomplete import Suggester
from autocomplete.frontends.tui import recovery
from autocomplete.frontends.tui.app import EditorApp, EditorOptions
from autocomplete.frontends.tui.dialogs import (
    ChangedOnDisk,
    ConfirmQuit,
    ConfirmReload,
    RecoverText,
    SaveAs,
)
from autocomplete.frontends.tui.files import changed_on_disk, disk_state, read_document
from autocomplete.frontends.tui.recovery import Instance, RecoveryCopy


@pytest.fixture(scope="module")
def suggester(tiny_model: Path) -> Suggester:
    return Suggester.load(tiny_model, personal=False)


def copies(private_data_dir: Path) -> list[Path]:
    folder = private_data_dir / "recovery"
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


async def recovery_written(pilot) -> None:
    """Let the recovery write that the last edit scheduled happen, however loaded the machine:
    the pause outlasts that edit's timer (asyncio wakes the earlier deadline first, so the
    timer has fired when the pause ends), then settle() waits for the write it started."""
    await pilot.pause()  # the edit has reached the app: its timer is set
    await pilot.pause(pilot.app.recovery_delay_s)
    await settle(pilot)


def copy_texts(private_data_dir: Path) -> list[str]:
    """The text of every recovery copy, whichever editor wrote it."""
    texts = []
    for copy in copies(private_data_dir):
        with contextlib.suppress(OSError, ValueError):
            texts.append(json.loads(copy.read_bytes())["text"])
    return texts


def copy_text(path: Path | None) -> str | None:
    recovered = RecoveryCopy(path).read()
    return recovered.text if recovered is not None else None


def test_copy_is_private_json_named_by_the_documents_path(
    tmp_path: Path, private_data_dir: Path
) -> None:
    copy = RecoveryCopy(tmp_path / "nota.txt")
    copy.write(["Olá", "\udc80"], edits=1)  # a lone surrogate from a bad paste survives too
    assert copy.path.parent == private_data_dir / "recovery"
    assert stat.S_IMODE(copy.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.path.parent.stat().st_mode) == 0o700
    me = Instance.current()
    assert json.loads(copy.path.read_text()) == {
        "path": str(tmp_path / "nota.txt"),
        "text": "Olá\n\udc80",
        "instance": {"pid": me.pid, "started": me.started, "boot": me.boot},
    }
    assert copy.read().text == "Olá\n\udc80"
    assert RecoveryCopy(tmp_path / "outra.txt").path != copy.path
    assert RecoveryCopy(None).path.name == f"sem-nome.{me.pid}-{me.started}.json"


def test_an_older_write_never_replaces_a_newer_copy_or_a_save(tmp_path: Path) -> None:
    copy = RecoveryCopy(tmp_path / "nota.txt")
    copy.write(["novo"], edits=5)
    copy.write(["velho"], edits=4)  # a slow worker arriving late
    assert copy.read().text == "novo"
    copy.remove(edits=7)  # saved after 7 edits
    copy.write(["antes do salvamento"], edits=6)
    assert copy.read() is None
    copy.write(["depois"], edits=8)
    assert copy.read().text == "depois"


def test_an_unreadable_copy_is_no_copy(tmp_path: Path) -> None:
    copy = RecoveryCopy(tmp_path / "nota.txt")
    copy.path.parent.mkdir(parents=True)
    for junk in (b"", b"{nao e json", b'{"path": null}', b'{"text": 3}'):
        copy.path.write_bytes(junk)
        assert copy.read() is None


@pilot_test
async def test_typing_keeps_a_copy_and_saving_removes_it(
    suggester: Suggester, tmp_path: Path, private_data_dir: Path
) -> None:
    path = tmp_path / "nota.txt"
    app = EditorApp(EditorOptions(path=path), suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Olá")
        await recovery_written(pilot)
        assert copy_text(path) == "Olá"
        await pilot.press(*" mundo")  # typing on: the copy follows
        await recovery_written(pilot)
        assert copy_text(path) == "Olá mundo"
        await pilot.press("!", "ctrl+s")  # saved while a write is still due
        await settle(pilot)
        await recovery_written(pilot)  # that late write does not bring the copy back
        assert copies(private_data_dir) == []


@pilot_test
@pytest.mark.parametrize("choice", ["save", "discard"])
async def test_quitting_removes_the_copy(
    suggester: Suggester, tmp_path: Path, private_data_dir: Path, choice: str
) -> None:
    path = tmp_path / "nota.txt"
    app = EditorApp(EditorOptions(path=path), suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Olá")
        await recovery_written(pilot)
        assert copy_text(path) == "Olá"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.click(f"#{choice}")
        await settle(pilot)
    assert not app.is_running
    assert copies(private_data_dir) == []


@pilot_test
async def test_an_unnamed_buffer_keeps_its_copy_until_named(
    suggester: Suggester, tmp_path: Path, private_data_dir: Path
) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Olá")
        await recovery_written(pilot)
        assert copy_text(None) == "Olá"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SaveAs)
        app.screen.query_one(Input).value = str(tmp_path / "novo.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert copies(private_data_dir) == []
        await pilot.press(*"!")  # from now on the copy is named after the file
        await recovery_written(pilot)
        assert copy_text(tmp_path / "novo.txt") == "Olá!"


@pilot_test
async def test_a_copy_that_cannot_be_written_warns_once(
    suggester: Suggester, tmp_path: Path, monkeypatch
) -> None:
    def disk_full(self: RecoveryCopy, text: str, edits: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(RecoveryCopy, "write", disk_full)
    app = EditorApp(EditorOptions(path=tmp_path / "nota.txt"), suggester=suggester)
    shown = record_notifications(app, monkeypatch)
    async with app.run_test(size=SIZE) as pilot:
        for word in ("Um ", "dois"):
            await pilot.press(*word)
            await recovery_written(pilot)
        assert shown == [("warning", "Sem cópia de recuperação")]
        assert editor_of(app).text == "Um dois"


class SlowToClose(Static):
    """A widget whose teardown outlasts a recovery timer: the app closes for that long."""

    async def on_unmount(self) -> None:
        await asyncio.sleep(recovery.DELAY_S * 2)


@pilot_test
async def test_no_recovery_timer_fires_after_the_editor_is_gone(
    suggester: Suggester, tmp_path: Path
) -> None:
    # The failure seen on a loaded machine, made certain: the app starts closing while a
    # write is due and is still closing, editor gone, when its timer would fire.
    app = EditorApp(EditorOptions(path=tmp_path / "nota.txt"), suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await app.mount(SlowToClose())
        await pilot.press("a")
        await pilot.pause()  # the edit has reached the app: a write is due
    # run_test re-raises what the app raised while closing (it was NoMatches).
    assert not app.is_running


def dead_instance() -> Instance:
    """An editor that is gone: this pid, but started at another time (the pid reused)."""
    me = Instance.current()
    return Instance(me.pid, me.started - 1, me.boot)


def crashed_session(path: Path, saved: str, unsaved: str) -> None:
    """What a killed editor leaves: FILE with `saved`, the recovery copy with `unsaved`."""
    path.write_text(saved, encoding="utf-8")
    RecoveryCopy(path, dead_instance()).write(unsaved.split("\n"), edits=1)


@pilot_test
async def test_recovering_restores_the_text_as_unsaved(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "nota.txt"
    crashed_session(path, "Oi\n", "Oi\nTexto digitado antes da falha")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RecoverText)
        await pilot.click("#recover")
        await settle(pilot)
        assert editor_of(app).text == "Oi\nTexto digitado antes da falha"
        assert app.modified
        assert path.read_text(encoding="utf-8") == "Oi\n"  # saving is still the user's call
        await pilot.press("ctrl+z")  # the file's text is one undo away
        assert editor_of(app).text == "Oi\n"


@pilot_test
async def test_discarding_deletes_the_copy(suggester: Suggester, tmp_path: Path) -> None:
    path = tmp_path / "nota.txt"
    crashed_session(path, "Oi\n", "Oi, perdido")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#discard")
        await pilot.pause()
        assert editor_of(app).text == "Oi\n" and not app.modified
        assert RecoveryCopy(path, dead_instance()).read() is None


@pilot_test
async def test_a_copy_equal_to_the_file_is_not_offered(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "nota.txt"
    crashed_session(path, "Oi\n", "Oi\n")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not isinstance(app.screen, RecoverText)
        assert RecoveryCopy(path, dead_instance()).read() is None


class Terminal:
    """`python -m autocomplete ARGS` in a pseudo-terminal, as a user runs it."""

    def __init__(self, *args: str) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autocomplete", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={**os.environ, "TERM": "xterm-256color"},
            start_new_session=True,
        )
        os.close(slave)
        self.output = bytearray()
        # The screen must be read, or the editor blocks once the terminal's buffer is full.
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            while chunk := os.read(self.master, 65536):
                self.output += chunk
        except OSError:  # EIO: the editor's side closed
            pass

    def wait_for(self, text: str, timeout: float = 120.0) -> None:
        """Wait for `text` on screen; the timeout only ends a hung run, it times nothing."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            assert self.process.poll() is None, self.output.decode(errors="replace")
            assert time.monotonic() < deadline, f"{text!r} never appeared on screen"
            time.sleep(0.1)

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def kill_9(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.master)


@pilot_test
async def test_text_typed_before_kill_9_is_offered_back(
    suggester: Suggester, tiny_model: Path, tmp_path: Path, private_data_dir: Path
) -> None:
    path = tmp_path / "carta.txt"
    path.write_text("Prezada Ana,\n", encoding="utf-8")
    editor = Terminal(str(path), "--checkpoint", str(tiny_model), "--no-learn")
    typed = "Segue o relatório em anexo. "
    try:
        editor.wait_for("carta.txt")  # the status bar is on screen: keys will be read
        editor.type(typed)
        # Wait for the copy however long a loaded machine takes; the deadline only ends a
        # hung run.
        deadline = time.monotonic() + 120
        while not any(typed in text for text in copy_texts(private_data_dir)):
            assert time.monotonic() < deadline, "the editor never wrote a recovery copy"
            time.sleep(0.1)
    finally:
        editor.kill_9()
    assert editor.process.returncode == -signal.SIGKILL
    assert path.read_text(encoding="utf-8") == "Prezada Ana,\n"

    app = EditorApp(EditorOptions(path=path), read_document(path), suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RecoverText)
        await pilot.click("#recover")
        await settle(pilot)
        # Typed where the cursor starts: at the top of the file.
        assert editor_of(app).text == typed + "Prezada Ana,\n"
        assert app.modified


# -- one copy per editor instance -----------------------------------------------------------
@pytest.fixture
def running_editor():
    """Another editor still running: a live process, known by its pid and start time."""
    process = subprocess.Popen(["sleep", "600"])
    try:
        yield process, Instance(process.pid, recovery._start_time(process.pid) or 0, "")
    finally:
        process.kill()
        process.wait()


def test_two_editors_keep_separate_copies(tmp_path: Path) -> None:
    path = tmp_path / "nota.txt"
    first, second = RecoveryCopy(path), RecoveryCopy(path, dead_instance())
    first.write(["do primeiro"], edits=1)
    second.write(["do segundo"], edits=1)
    # Before: one file per document; the last writer won and one removal took both.
    assert first.path != second.path
    first.remove(edits=2)
    assert second.read().text == "do segundo"
    assert [copy.text for copy in first.left_behind()] == ["do segundo"]


def test_a_copy_is_offered_only_once_its_editor_is_gone(tmp_path: Path, running_editor) -> None:
    process, other = running_editor
    path = tmp_path / "nota.txt"
    RecoveryCopy(path, other).write(["do outro editor"], edits=1)
    assert other.alive() and RecoveryCopy(path).left_behind() == []
    process.kill()
    process.wait()
    assert not other.alive()
    assert [copy.text for copy in RecoveryCopy(path).left_behind()] == ["do outro editor"]


def test_a_copy_without_a_readable_instance_is_nobodys_and_offered(tmp_path: Path) -> None:
    path = tmp_path / "nota.txt"
    old, damaged = RecoveryCopy(path, dead_instance()), RecoveryCopy(path, Instance(1, 2, "x"))
    old.path.parent.mkdir(parents=True, exist_ok=True)
    old.path.write_text(json.dumps({"path": str(path), "text": "de antes"}), encoding="utf-8")
    damaged.path.write_text(json.dumps({"text": "avariada", "instance": [1]}), encoding="utf-8")
    offered = RecoveryCopy(path).left_behind()
    assert sorted(copy.text for copy in offered) == ["avariada", "de antes"]
    assert all(copy.instance is None for copy in offered)


@pilot_test
async def test_saving_or_discarding_never_deletes_another_editors_copy(
    suggester: Suggester, tmp_path: Path, running_editor
) -> None:
    _, other = running_editor
    path = tmp_path / "nota.txt"
    crashed_session(path, "Oi\n", "Oi, perdido")
    RecoveryCopy(path, other).write(["Oi, do outro editor aberto"], edits=1)
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, RecoverText)  # the crashed one, not the running one
        await pilot.click("#discard")
        await pilot.pause()
        await pilot.press("end", "!", "ctrl+s")
        await settle(pilot)
        assert path.read_text(encoding="utf-8") == "Oi!\n"
    assert RecoveryCopy(path, dead_instance()).read() is None
    assert RecoveryCopy(path, other).read().text == "Oi, do outro editor aberto"


@pilot_test
async def test_a_recovered_copy_goes_once_this_editor_holds_the_text(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "nota.txt"
    crashed_session(path, "Oi\n", "Oi, recuperado")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#recover")
        await recovery_written(pilot)
        assert copy_text(path) == "Oi, recuperado"  # this editor's own copy
        assert RecoveryCopy(path, dead_instance()).read() is None


# -- a file another program changed since it was opened ------------------------------------
async def save_after_outside_change(pilot, path: Path) -> None:
    """Type, let another program rewrite FILE, then Ctrl+S: the question is on screen."""
    await pilot.press("end", *" editado")
    path.write_text("Mudado por outro programa\n", encoding="utf-8")
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ChangedOnDisk)  # before: overwritten without a word


@pilot_test
async def test_saving_over_an_outside_change_asks_and_can_overwrite(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await save_after_outside_change(pilot, path)
        await pilot.click("#cancel")
        await settle(pilot)
        assert path.read_text(encoding="utf-8") == "Mudado por outro programa\n"
        assert app.modified
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.click("#overwrite")
        await settle(pilot)
        assert path.read_text(encoding="utf-8") == "Oi editado\n" and not app.modified
        await pilot.press("!", "ctrl+s")  # saved by this editor since: no question
        await settle(pilot)
        assert not isinstance(app.screen, ChangedOnDisk)
        assert path.read_text(encoding="utf-8") == "Oi editado!\n"


@pilot_test
async def test_reloading_takes_the_outside_change_and_undo_brings_the_buffer_back(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await save_after_outside_change(pilot, path)
        await pilot.click("#reload")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmReload)  # the buffer's edits would go: asks again
        await pilot.press("d")
        await settle(pilot)
        assert editor_of(app).text == "Mudado por outro programa\n" and not app.modified
        await pilot.press("ctrl+z")
        assert editor_of(app).text == "Oi editado\n"


@pilot_test
async def test_save_as_keeps_both_texts(suggester: Suggester, tmp_path: Path) -> None:
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    app = EditorApp(EditorOptions(path=path), "Oi\n", suggester)
    async with app.run_test(size=SIZE) as pilot:
        await save_after_outside_change(pilot, path)
        await pilot.click("#save-as")
        await pilot.pause()
        assert isinstance(app.screen, SaveAs)
        app.screen.query_one(Input).value = str(tmp_path / "minha.txt")
        await pilot.press("enter")
        await settle(pilot)
    assert path.read_text(encoding="utf-8") == "Mudado por outro programa\n"
    assert (tmp_path / "minha.txt").read_text(encoding="utf-8") == "Oi editado\n"


def test_touching_a_file_without_changing_it_is_no_change(tmp_path: Path) -> None:
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    known = disk_state(path)
    os.utime(path, ns=(1, 1))
    assert not changed_on_disk(path, known)
    path.write_text("Oi!\n", encoding="utf-8")
    assert changed_on_disk(path, known)
    assert changed_on_disk(path, None)  # created since
    assert not changed_on_disk(tmp_path / "apagado.txt", known)  # gone: saving recreates it


def test_two_editors_killed_on_one_file_both_leave_their_text(
    tiny_model: Path, tmp_path: Path, private_data_dir: Path
) -> None:
    path = tmp_path / "carta.txt"
    path.write_text("Prezada Ana,\n", encoding="utf-8")
    typed = ["Texto do primeiro. ", "Texto do segundo. "]
    editors = [Terminal(str(path), "--checkpoint", str(tiny_model), "--no-learn") for _ in typed]
    try:
        for editor, text in zip(editors, typed, strict=True):
            editor.wait_for("carta.txt")
            editor.type(text)
        deadline = time.monotonic() + 120  # ends a hung run only
        while not all(any(t in c for c in copy_texts(private_data_dir)) for t in typed):
            assert time.monotonic() < deadline, "the editors never wrote their copies"
            time.sleep(0.1)
    finally:
        for editor in editors:
            editor.kill_9()
    # Before: one shared copy, so the first editor's text was gone.
    left = sorted(copy.text for copy in RecoveryCopy(path).left_behind())
    assert left == sorted(text + "Prezada Ana,\n" for text in typed)
