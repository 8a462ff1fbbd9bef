"""`python -m autocomplete FILE`: bad files stop before the app starts, with one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autocomplete import __main__ as cli
from autocomplete.frontends.tui.app import EditorOptions
from autocomplete.frontends.tui.files import MAX_BYTES, read_document, save_document


def run_main(capsys, argv: list[str]) -> tuple[int, str]:
    code = cli.main(argv)
    return code, capsys.readouterr().err


def bad_files(tmp_path: Path) -> dict[str, Path]:
    binary = tmp_path / "imagem.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Atenção, não é UTF-8".encode("latin-1"))
    huge = tmp_path / "enorme.txt"
    with huge.open("wb") as file:  # sparse: no 20 MB written to disk
        file.truncate(MAX_BYTES + 1)
    return {"pasta": tmp_path, "binário": binary, "UTF-8": latin1, "20 MB": huge}


@pytest.mark.parametrize("kind", ["pasta", "binário", "UTF-8", "20 MB"])
def test_bad_file_exits_2_with_one_line(capsys, tmp_path: Path, kind: str) -> None:
    path = bad_files(tmp_path)[kind]
    before = path.read_bytes() if path.is_file() else None
    code, err = run_main(capsys, [str(path)])
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("autocomplete: ") and kind in err
    assert (path.read_bytes() if path.is_file() else None) == before  # never touched


def test_unreadable_file_exits_2(capsys, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "segredo.txt"
    path.write_text("x")

    def refuse(self: Path) -> bytes:  # chmod 000 does not stop root, who runs CI here
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    code, err = run_main(capsys, [str(path)])
    assert code == 2 and err == f"autocomplete: não foi possível ler {path}: Permission denied\n"


def test_bad_file_from_the_command_line_has_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autocomplete", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,  # only ends a hung run
    )
    assert result.returncode == 2
    assert result.stderr == f"autocomplete: {tmp_path} é uma pasta, não um arquivo\n"


def test_options_reach_the_app(tmp_path: Path, monkeypatch) -> None:
    started: list[tuple[EditorOptions, str]] = []

    class FakeApp:
        def __init__(self, options: EditorOptions, text: str) -> None:
            started.append((options, text))

        def run(self) -> None:
            pass

    monkeypatch.setattr(cli, "EditorApp", FakeApp)
    monkeypatch.setenv(cli.LATENCY_LOG_VARIABLE, str(tmp_path / "ms.log"))
    path = tmp_path / "nota.txt"
    path.write_text("Olá\n", encoding="utf-8")
    assert cli.main([str(path), "--checkpoint", "m.pt", "--no-learn"]) == 0
    assert started == [
        (
            EditorOptions(
                path=path,
                checkpoint=Path("m.pt"),
                learn=False,
                latency_log=tmp_path / "ms.log",
            ),
            "Olá\n",
        )
    ]


def test_help_is_in_portuguese(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    assert "próxima palavra" in capsys.readouterr().out


def test_missing_file_is_an_empty_new_document(tmp_path: Path) -> None:
    assert read_document(tmp_path / "novo.txt") == ""


def test_text_round_trips_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    text = "\ufeffLinha 1\r\nAção\r\n\tfim sem quebra"
    path.write_bytes(text.encode("utf-8"))
    assert read_document(path) == text
    save_document(path, read_document(path))
    assert path.read_bytes() == text.encode("utf-8")


def test_saving_through_a_symlink_writes_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real.txt"
    target.write_text("velho")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    save_document(link, "novo")
    assert link.is_symlink() and target.read_text() == "novo"
