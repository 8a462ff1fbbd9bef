"""Atomic file replacement: a crash mid-write never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def atomic_write(path: str | Path, write: Callable[[BinaryIO], object]) -> None:
    """Call `write(file)` on a temporary file beside `path`, fsync it, then rename it over.

    The new file keeps the permissions, owner, group and extended attributes of the file it
    replaces, as far as this process may set them (or the umask default for a new file); the
    folder is fsynced too so the rename itself survives a power cut.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        old: os.stat_result | None = path.stat()
    except FileNotFoundError:
        old = None
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        if old is None:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        else:
            _copy_metadata(path, old, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def overwrite_in_place(path: str | Path, data: bytes) -> None:
    """Write `data` into the existing file `path` itself (same inode), for a file with hard
    links, which a rename would split: the other names would keep the old text.

    Not atomic, so the new text is first written and fsynced whole to a file beside it, kept
    until the overwrite is on disk: a crash mid-overwrite leaves that complete copy
    (".NAME.XXXX.tmp") next to the damaged file.
    """
    path = Path(path)
    old = path.stat()
    handle, spare = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    overwriting = False
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        _copy_metadata(path, old, spare)  # readable only by whoever could read the file
        _fsync_folder(path.parent)
        with path.open("r+b") as file:  # "r+": never creates, never truncates before writing
            overwriting = True
            file.write(data)
            file.truncate()
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        if not overwriting:  # the file is untouched; the spare may be half-written
            Path(spare).unlink(missing_ok=True)
        raise
    Path(spare).unlink(missing_ok=True)


def _copy_metadata(source: Path, old: os.stat_result, target: str) -> None:
    """Give `target` the owner, group, mode and extended attributes `source` had."""
    # Owner first: chown clears set-user-id bits, so the mode must come after it. Only root
    # may give a file away; anyone may set a group they belong to. What is not allowed is
    # left as the process's own, as for any file it creates.
    with contextlib.suppress(OSError):
        os.chown(target, old.st_uid, old.st_gid)
    with contextlib.suppress(OSError):
        os.chown(target, -1, old.st_gid)
    os.chmod(target, stat.S_IMODE(old.st_mode))
    if not hasattr(os, "listxattr"):  # Linux only
        return
    try:
        names = os.listxattr(source)
    except OSError:  # the file system has none
        return
    for name in names:
        # One attribute this process may not set (a "trusted." one without root, an
        # SELinux label the policy refuses) must not stop the save.
        with contextlib.suppress(OSError):
            os.setxattr(target, name, os.getxattr(source, name))


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some file systems refuse fsync on folders
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
