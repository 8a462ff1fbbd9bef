"""python -m autocomplete.learn: teach the editor your own writing, no retraining needed.

python -m autocomplete.learn notas/ emails.txt   # import .txt files or folders of them
python -m autocomplete.learn --stats             # what is stored, and the blocked words
python -m autocomplete.learn --unblock WORD      # suggest a blocked word again
python -m autocomplete.learn --forget            # erase everything learned (asks first)
"""

from __future__ import annotations

import argparse
import ctypes
import sqlite3
import sys
from pathlib import Path

from autocomplete.engine.suggester import Suggester
from autocomplete.errors import AutocompleteError, CorpusError
from autocomplete.personal import fit
from autocomplete.personal.store import PersonalModel, Stats
from autocomplete.text_files import ReadReport, iter_documents

SHOWN_NEW_WORDS = 10  # new words named after "learned N words"
PIECE_CHARS = 500_000  # a big file is read this much at a time, never whole
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
MMAP_THRESHOLD_BYTES = 4 * 1024 * 1024  # blocks this big come from, and go back to, the system
# The store's page cache here: the fit reads the held-out slice's contexts once, and a cache
# the editor's size would keep them all (a 50 MB import: 5 MB less at the peak, as fast).
LEARN_CACHE_KIB = 2_048


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autocomplete.learn",
        description="Import your own writing into the personal vocabulary used for suggestions.",
    )
    parser.add_argument("files", nargs="*", help=".txt files or folders of them")
    parser.add_argument("--stats", action="store_true", help="show what is stored")
    parser.add_argument(
        "--unblock", action="append", default=[], metavar="WORD", help="suggest WORD again"
    )
    parser.add_argument("--forget", action="store_true", help="erase everything learned")
    parser.add_argument("--yes", action="store_true", help="--forget without asking")
    args = parser.parse_args(argv)
    if not (args.files or args.stats or args.forget or args.unblock):
        parser.error("give FILES to learn, --stats, --unblock WORD or --forget")
    bad = _unreadable(args.files)
    if bad:  # before anything is stored: a rerun with the typo fixed counts nothing twice
        print(f"error: nothing learned; cannot learn from {', '.join(bad)}", file=sys.stderr)
        return 2
    personal = PersonalModel(cache_kib=LEARN_CACHE_KIB)
    try:
        return _run(args, personal)
    except (AutocompleteError, sqlite3.Error, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl+C: each path is learned in one transaction
        print(
            "interrupted: the files learned before Ctrl+C are kept, the one being read is not",
            file=sys.stderr,
        )
        return 130
    finally:
        personal.close()


def _run(args: argparse.Namespace, personal: PersonalModel) -> int:
    if not personal.available:
        print(f"error: cannot open {personal.path}: {personal.problem}", file=sys.stderr)
        return 2
    if personal.moved_aside is not None:
        print(
            f"note: {personal.path} was damaged; moved to {personal.moved_aside}, starting afresh",
            file=sys.stderr,
        )
    if args.forget:
        if not args.yes and not sys.stdin.isatty():
            print(
                "error: --forget erases everything learned; add --yes to confirm", file=sys.stderr
            )
            return 2
        if not (args.yes or _confirmed(personal)):
            print("nothing erased")
            return 1
        print(f"erased {_describe(personal.forget())} ({personal.path})")
    for word in args.unblock:
        if personal.unblock(word):
            print(f"«{word}» will be suggested again")
        else:
            print(f"«{word}» was not blocked")
    if args.files:
        _learn(personal, args.files)
    if args.stats:
        stats = personal.stats()
        print(f"{stats.path}: {_describe(stats)}, {stats.size_bytes / 1024:,.0f} KiB")
        print(personal.describe_bound())
        blocked = personal.blocked_words()
        if blocked:
            print(f"blocked: {', '.join(blocked)} (--unblock WORD to suggest one again)")
    return 0


def _confirmed(personal: PersonalModel) -> bool:
    try:
        answer = input(f"erase {_describe(personal.stats())} from {personal.path}? [y/N] ")
    except EOFError:  # Ctrl+D: no
        return False
    return answer.strip().lower() in ("y", "yes", "s", "sim")


def _describe(stats: Stats) -> str:
    return f"{stats.words:,} words, {stats.contexts:,} contexts, {stats.blocked:,} blocked"


def _unreadable(paths: list[str]) -> list[str]:
    """Each path that would stop an import, with why: read through once, as learning reads
    it (a folder of binaries or non-UTF-8 files holds nothing to learn)."""
    bad = []
    for path in paths:
        if not Path(path).exists():
            bad.append(f"{path} (does not exist)")
            continue
        report = ReadReport()
        try:
            for _ in iter_documents(path, report, PIECE_CHARS, count_words=False):
                pass
        except CorpusError:
            why = f": {report.skipped[0][1]}" if report.skipped else ""
            bad.append(f"{path} (no readable text{why})")
    return bad


def _fit(personal: PersonalModel) -> None:
    """Fit the mix to this store on the paragraphs learning set aside (personal/fit.py)."""
    if fit.refit_due(personal):
        model = Suggester.load(personal=False, slips=None).model_probability()
        fitted = fit.fit_store(personal, model)
        if fitted is not None:
            beta = ", ".join(f"{b:.3g}" for b in fitted.beta)
            print(f"mix fitted on the paragraphs set aside: beta {beta}")


def _glibc() -> ctypes.CDLL | None:
    """The C library's allocator controls where it is glibc's (Linux), else None."""
    try:
        libc = ctypes.CDLL(None)
    except (OSError, TypeError):  # Windows: no C library loaded by name None
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


def _learn(personal: PersonalModel, paths: list[str]) -> None:
    libc = _glibc()
    if libc is not None:
        # Counting makes and frees arrays of tens of MB. After the first is freed, glibc raises
        # its mmap threshold and keeps the later ones in a heap it cannot shrink; a fixed one
        # gives each back when freed (a 50 MB import: peak 157 -> 145-150 MB; 128 KiB instead
        # of 4 MiB was 4% slower for no less memory).
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    known = personal.words()
    learned = 0
    for path in paths:
        report = ReadReport()
        pieces = iter_documents(path, report, PIECE_CHARS, count_words=False)
        words = personal.learn_texts((document.text for document in pieces), hold_out=True)
        learned += words
        for skipped, why in report.skipped:
            print(f"skipped {skipped}: {why}", file=sys.stderr)
        plural = "" if report.files == 1 else "s"
        files = f"{report.files:,} file{plural}, " if Path(path).is_dir() else ""
        print(f"{path}: {files}{words:,} words stored")
    if libc is not None:
        libc.malloc_trim(0)  # the counting's small objects, freed, before the fit loads the model
    _fit(personal)
    new = sorted(personal.words() - known)
    if not new:
        print(f"learned {learned:,} words, none new (counts of known words went up)")
        return
    shown = ", ".join(new[:SHOWN_NEW_WORDS]) + (", …" if len(new) > SHOWN_NEW_WORDS else "")
    print(f"learned {learned:,} words, {len(new):,} new: {shown}")
