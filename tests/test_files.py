"""What a file holds besides its words survives editing: a BOM stays at the start, and each
line keeps its own break (CRLF, LF, CR, form feed...) unless the user edits that line."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_tui import SIZE, editor_of, pilot_test, record_notifications, settle

from autocomplete import Suggester
from autocomplete.errors import DocumentError
from autocomplete.frontends.tui.app import EditorApp, EditorOptions
from autocomplete.frontends.tui.dialogs import ConfirmReadOnly
from autocomplete.frontends.tui.files import (
    BOM,
    MAX_BYTES,
    ReadOnlyError,
    join_layout,
    megabytes,
    read_document,
    save_document,
    split_layout,
)

BREAKS = ["\r\n", "\n", "\r", "\f", "\v", "\x85", "\u2028", "\u2029", "\x1c"]


@given(
    st.booleans(),
    st.lists(st.one_of(st.sampled_from(BREAKS), st.sampled_from(["a", "Ação", " ", BOM, "é"]))),
)
def test_any_file_round_trips_exactly(bom: bool, pieces: list[str]) -> None:
    raw = (BOM if bom else "") + "".join(pieces)
    text, layout = split_layout(raw)
    assert not text.startswith(BOM) or raw.startswith(BOM * 2)
    # What the editor gets: one kind of break, which TextArea keeps as it is.
    assert not any(b in text for b in BREAKS if b != "\n")
    assert join_layout(text, layout) == raw


@pytest.mark.parametrize(
    ("raw", "newline"),
    [("a\nb\n", "\n"), ("a\r\nb\r\n", "\r\n"), ("a\rb", "\r"), ("x", "\n"), ("", "\n")],
)
def test_one_kind_of_break_needs_no_line_list(raw: str, newline: str) -> None:
    text, layout = split_layout(raw)
    assert "\r" not in text and layout.newline == newline and layout.lines is None


def test_mixed_breaks_follow_the_lines_they_belong_to() -> None:
    raw = "um\r\ndois\ntrês\r\nquatro\n"
    text, layout = split_layout(raw)
    assert text == "um\ndois\ntrês\nquatro\n"
    # Editing a line keeps its break; a line added after one takes that line's break.
    assert join_layout("um\nDOIS\ntrês\nquatro\n", layout) == "um\r\nDOIS\ntrês\r\nquatro\n"
    assert join_layout("um\ndois\ntrês\nnova\nquatro\n", layout) == (
        "um\r\ndois\ntrês\r\nnova\r\nquatro\n"
    )
    assert join_layout("um\ntrês\nquatro\n", layout) == "um\r\ntrês\r\nquatro\n"
    assert join_layout("zero\num\ndois\ntrês\nquatro\n", layout).endswith(
        "um\r\ndois\ntrês\r\nquatro\n"
    )


@pytest.fixture(scope="module")
def suggester(tiny_model: Path) -> Suggester:
    return Suggester.load(tiny_model, personal=False)


async def edit_and_save(path: Path, suggester: Suggester, *keys: str) -> str:
    """Open `path` as `python -m autocomplete` does, press `keys`, Ctrl+S; the editor's text."""
    app = EditorApp(EditorOptions(path=path), read_document(path), suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not app.modified
        return editor_of(app).text


@pilot_test
async def test_saving_a_mixed_file_changes_only_the_edited_lines(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "misto.txt"
    path.write_bytes(b"Oi\r\nlinha LF\nlinha CRLF\r\nfim")
    # Before: every break came back as CRLF (Textual keeps the first break it finds).
    await edit_and_save(path, suggester, "down", "end", *"!", "down", "end", "enter", *"nova")
    assert path.read_bytes() == b"Oi\r\nlinha LF!\nlinha CRLF\r\nnova\r\nfim"


@pilot_test
async def test_a_bom_stays_at_the_start_of_the_file(suggester: Suggester, tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(BOM.encode() + "Ação\r\n".encode())
    # Typing at the visible start used to go before the BOM's invisible character.
    text = await edit_and_save(path, suggester, *"Já ")
    assert text == "Já Ação\n"
    assert path.read_bytes() == (BOM + "Já Ação\r\n").encode()


# -- saving keeps who owns the file, its attributes and its links; asks over read-only ------
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file away")


@needs_root
def test_saving_as_root_keeps_the_owner_and_group(tmp_path: Path) -> None:
    path = tmp_path / "alheio.txt"
    path.write_text("velho")
    os.chown(path, 65534, 65534)  # nobody:nogroup
    save_document(path, "novo")
    info = path.stat()
    # Before: root:root, and the owner lost access to their own file.
    assert (info.st_uid, info.st_gid) == (65534, 65534) and path.read_text() == "novo"


def test_saving_keeps_extended_attributes(tmp_path: Path) -> None:
    path = tmp_path / "etiquetado.txt"
    path.write_text("velho")
    try:
        os.setxattr(path, "user.autocomplete.teste", b"valor")
    except OSError as error:
        pytest.skip(f"no user xattrs here: {error}")
    save_document(path, "novo")
    assert os.getxattr(path, "user.autocomplete.teste") == b"valor"  # before: dropped


def test_saving_keeps_hard_links(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("velho")
    other = tmp_path / "b.txt"
    os.link(path, other)
    save_document(path, "novo texto, mais longo")
    save_document(path, "curto")  # shorter: the old tail must go
    # Before: a.txt became a new file and b.txt kept the old text.
    assert other.read_text() == "curto" and os.path.samefile(path, other)
    assert path.stat().st_nlink == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]  # no spare left


def test_a_read_only_file_is_refused_unless_confirmed(tmp_path: Path) -> None:
    path = tmp_path / "fixo.txt"
    path.write_text("velho")
    path.chmod(0o444)
    with pytest.raises(ReadOnlyError, match="somente leitura"):
        save_document(path, "novo")  # before: overwritten without a word, even by root
    assert path.read_text() == "velho"
    save_document(path, "novo", over_read_only=True)
    assert path.read_text() == "novo" and stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_lone_surrogate_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "nota.txt"
    path.write_text("velho")
    with pytest.raises(DocumentError, match=r"U\+D800.*linha 2"):
        save_document(path, "Oi\r\nfim \ud800")  # before: UnicodeEncodeError
    assert path.read_text() == "velho"


@pilot_test
async def test_ctrl_s_on_a_read_only_file_asks_first(suggester: Suggester, tmp_path: Path) -> None:
    path = tmp_path / "fixo.txt"
    path.write_text("Oi\n")
    path.chmod(0o444)
    app = EditorApp(EditorOptions(path=path), read_document(path), suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end", "!", "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmReadOnly)
        await pilot.click("#cancel")
        await settle(pilot)
        assert path.read_text() == "Oi\n" and app.modified
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.click("#overwrite")
        await settle(pilot)
        assert path.read_text() == "Oi!\n" and not app.modified


@pilot_test
async def test_a_lone_surrogate_fails_to_save_without_a_crash(
    suggester: Suggester, tmp_path: Path, monkeypatch
) -> None:
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n")
    app = EditorApp(EditorOptions(path=path), read_document(path), suggester)
    async with app.run_test(size=SIZE) as pilot:
        shown = record_notifications(app, monkeypatch)
        editor_of(app).insert("\ud800")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running and app.modified
        assert ("error", "Não foi possível salvar") in shown
        assert path.read_text() == "Oi\n"


def test_a_file_over_the_limit_is_refused_with_its_real_size(tmp_path: Path) -> None:
    path = tmp_path / "enorme.txt"
    with path.open("wb") as file:  # sparse: nothing written to disk
        file.truncate(21_000_000)
    with pytest.raises(DocumentError, match=r"tem 21 MB; o limite é 20 MB$"):
        read_document(path)
    assert megabytes(MAX_BYTES + 1) == "20,1 MB"  # just over the limit never reads as it
    assert megabytes(MAX_BYTES) == "20 MB"
