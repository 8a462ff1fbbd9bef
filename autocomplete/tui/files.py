"""Reading and saving the edited file: UTF-8 text only, saves atomic."""

from __future__ import annotations

import stat
from pathlib import Path

from autocomplete.atomic import atomic_write
from autocomplete.errors import DocumentError

MAX_BYTES = 20 * 1024 * 1024  # larger files are logs or data, not something typed by hand


def read_document(path: Path) -> str:
    """The text of `path`; "" when it does not exist yet (the first save creates it).

    Raises DocumentError, with a one-line reason, for anything the editor could mangle:
    folders, devices, unreadable, binary, not UTF-8 or too large.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        return ""
    except OSError as error:
        raise DocumentError(f"não foi possível abrir {path}: {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise DocumentError(f"{path} é uma pasta, não um arquivo")
    if not stat.S_ISREG(info.st_mode):  # reading a FIFO or a device could block forever
        raise DocumentError(f"{path} não é um arquivo comum")
    if info.st_size > MAX_BYTES:
        raise DocumentError(
            f"{path} tem {info.st_size / 2**20:.0f} MB; o limite é {MAX_BYTES // 2**20} MB"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DocumentError(f"não foi possível ler {path}: {error.strerror}") from None
    if b"\0" in data:
        raise DocumentError(f"{path} parece ser um arquivo binário, não texto")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DocumentError(
            f"{path} não está em UTF-8 (byte inválido na posição {error.start})"
        ) from None


def save_document(path: Path, text: str) -> None:
    """Write `text` atomically, keeping the file's permissions; OSError if it cannot."""
    # Write through a symlink to its target instead of replacing the link with a file.
    atomic_write(path.resolve(), lambda file: file.write(text.encode("utf-8")))
