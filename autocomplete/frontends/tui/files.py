"""Reading and saving the edited file: UTF-8 text only, saves atomic, and the BOM and line
breaks the file had are written back as they were."""

from __future__ import annotations

import difflib
import hashlib
import math
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autocomplete.atomic import atomic_write, overwrite_in_place
from autocomplete.errors import DocumentError

MAX_BYTES = 20_000_000  # 20 MB: larger files are logs or data, not something typed by hand


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
            f"{path} tem {megabytes(info.st_size)}; o limite é {megabytes(MAX_BYTES)}"
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


def megabytes(size: int) -> str:
    """`size` in MB (10^6 bytes), rounded up to a tenth: a file just over the limit never
    reads as the limit itself ("20,1 MB", "21 MB")."""
    tenths = math.ceil(size / 100_000)
    return f"{tenths // 10},{tenths % 10} MB".replace(",0 MB", " MB")


@dataclass(frozen=True)
class DiskState:
    """What the file on disk was when the editor read or last saved it."""

    mtime_ns: int
    size: int
    sha256: str


def disk_state(path: Path) -> DiskState | None:
    """The file's state now; None if it does not exist (or cannot be read)."""
    try:
        info = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    return DiskState(info.st_mtime_ns, info.st_size, digest)


def changed_on_disk(path: Path, known: DiskState | None) -> bool:
    """Whether another program changed (or created) `path` since it was `known`."""
    try:
        info = path.stat()
    except OSError:
        return False  # gone (or unreachable): saving recreates it, nobody's text is lost
    if known is None:
        return True  # created since the editor started
    if (info.st_mtime_ns, info.st_size) == (known.mtime_ns, known.size):
        return False  # the cheap check first: no need to read a big file on every save
    # Same size but touched, or rewritten with the same bytes: only the content counts.
    now = disk_state(path)
    return now is None or now.sha256 != known.sha256


class ReadOnlyError(DocumentError):
    """The file is read-only: saving over it needs the user's word."""


def save_document(path: Path, text: str, *, over_read_only: bool = False) -> None:
    """Write `text` to `path` keeping its permissions, owner, group, extended attributes and
    hard links; raises ReadOnlyError for a read-only file (unless `over_read_only`),
    DocumentError for text UTF-8 cannot hold, OSError if the system refuses."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate, from a paste or a recovery copy
        line = len(_BREAKS.findall(text, 0, error.start)) + 1
        raise DocumentError(
            f"o texto tem um caractere inválido (U+{ord(text[error.start]):04X}) na linha "
            f"{line}, que UTF-8 não representa: apague-o para salvar"
        ) from None
    # Write through a symlink to its target instead of replacing the link with a file.
    target = path.resolve()
    try:
        info: os.stat_result | None = target.stat()
    except FileNotFoundError:
        info = None
    if info is None:
        atomic_write(target, lambda file: file.write(data))
        return
    # No write bit at all counts too: root may write anything, but a 0444 file says "keep".
    if not over_read_only and (
        not stat.S_IMODE(info.st_mode) & 0o222 or not os.access(target, os.W_OK)
    ):
        raise ReadOnlyError(f"{path} é somente leitura")
    if info.st_nlink > 1:
        # A rename would give this name a new file and leave the other links with the old
        # text; refusing would leave the user unable to save. In place, after a complete
        # copy of the new text is on disk beside it, keeps both the links and the text.
        overwrite_in_place(target, data)
    else:
        atomic_write(target, lambda file: file.write(data))


# -- how the file stores its lines --------------------------------------------------------
# The editor works on text with "\n" between lines and no BOM (Textual's TextArea would turn
# every line break into the first one it finds, and show a BOM as a character the cursor
# can type in front of). TextLayout remembers what the file had, so a save writes it back.
BOM = "\ufeff"
# Every break str.splitlines() knows, as TextArea splits on all of them; "\r\n" first.
_ODD_BREAKS = "\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # every break but "\n"
_BREAKS = re.compile(f"\r\n|[\n{_ODD_BREAKS}]")


def _has_odd_breaks(text: str) -> bool:
    # `in` scans at memory speed; a regular expression tests each character (1 s for 20 MB).
    return any(character in text for character in _ODD_BREAKS)


@dataclass(frozen=True)
class TextLayout:
    """What a file had besides its text: a BOM, and the break after each line."""

    bom: bool = False
    newline: str = "\n"  # for lines the user adds; all of them when `endings` is None
    # Mixed breaks: the file's lines (without breaks) and the break after each but the last.
    lines: tuple[str, ...] | None = None
    endings: tuple[str, ...] | None = None


def split_layout(raw: str) -> tuple[str, TextLayout]:
    """The text to edit ("\\n" breaks, no BOM) and the layout that writes it back as `raw`."""
    bom = raw.startswith(BOM)
    text = raw[len(BOM) :] if bom else raw
    if not _has_odd_breaks(text):  # the common case
        return text, TextLayout(bom=bom)
    crlf = text.count("\r\n")
    if crlf == text.count("\n") == text.count("\r") and not _has_odd_breaks(
        text.replace("\r\n", "")
    ):
        return text.replace("\r\n", "\n"), TextLayout(bom=bom, newline="\r\n")
    parts = _BREAKS.split(text)
    endings = tuple(_BREAKS.findall(text))
    if len(set(endings)) == 1:
        return "\n".join(parts), TextLayout(bom=bom, newline=endings[0])
    # New lines get the break most of the file uses (ties: the first one found, as Textual).
    newline = max(dict.fromkeys(endings), key=endings.count)
    return "\n".join(parts), TextLayout(bom, newline, tuple(parts), endings)


def join_layout(text: str, layout: TextLayout) -> str:
    """`text` as the file stores it: the BOM back in front, each line with its old break.

    With mixed breaks, lines the user did not touch keep theirs; an edited line keeps the
    break of the line it replaced, and a new line takes the break of the line before it.
    """
    bom = BOM if layout.bom else ""
    if layout.lines is None or layout.endings is None:
        return bom + (text if layout.newline == "\n" else text.replace("\n", layout.newline))
    old, new = layout.lines, text.split("\n")
    endings = _match_endings(old, layout.endings, new, layout.newline)
    pieces = [line + ending for line, ending in zip(new, endings, strict=False)]
    return bom + "".join(pieces) + new[-1]


def _match_endings(
    old: Sequence[str], old_endings: Sequence[str], new: Sequence[str], default: str
) -> list[str]:
    """The break after each line of `new` but the last, taken from the matching old line."""
    # Unchanged lines at both ends first: cheap, and usually almost the whole file.
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    # Breaks of the old lines, with one extra for the last line (which has none).
    before = [*old_endings, default]
    after = before[:head]
    old_middle = old[head : len(old) - tail]
    new_middle = new[head : len(new) - tail]
    matcher = difflib.SequenceMatcher(None, old_middle, new_middle)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            after += before[head + i1 : head + i2]
            continue
        # Edited lines keep the break of the old line at their place; lines beyond take
        # the break of the last old line replaced, or of the line before them.
        nearest = before[head + i2 - 1] if i2 > i1 else (after[-1] if after else default)
        for offset in range(j2 - j1):
            after.append(before[head + i1 + offset] if i1 + offset < i2 else nearest)
    after += before[len(old) - tail :]
    return after[: len(new) - 1]
