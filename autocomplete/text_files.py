"""Reading .txt files and folders of them, NFC-normalised, skipping what is not UTF-8 text:
shared by the training corpus (training/corpus.py) and `python -m autocomplete.learn`
(personal/import_files.py), so both read a file the same way."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autocomplete.errors import CorpusError
from autocomplete.text import WORD


@dataclass
class ReadReport:
    files: int = 0
    words: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        text = f"read {self.files} files, {self.words:,} words"
        if self.skipped:
            text += f"; skipped {len(self.skipped)}: " + "; ".join(
                f"{path} ({why})" for path, why in self.skipped[:5]
            )
        return text


@dataclass
class Document:
    name: str
    text: str


def read_documents(path: str | Path, report: ReadReport | None = None) -> list[Document]:
    """Read one .txt file or every .txt file under a folder, NFC-normalised, in sorted order."""
    return list(iter_documents(path, report))


def iter_documents(
    path: str | Path,
    report: ReadReport | None = None,
    piece_chars: int | None = None,
    count_words: bool = True,
) -> Iterator[Document]:
    """`read_documents` one file at a time; with `piece_chars`, each file in pieces of about
    that many characters cut at line ends, so that a big file is never held whole. Without
    `count_words`, `report.words` stays 0: finding a piece's first word is enough to know it
    holds some, and counting them all took a tenth of `learn`'s time."""
    report = report if report is not None else ReadReport()
    root = Path(path)
    if not root.exists():
        raise CorpusError(f"corpus path does not exist: {root}")
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*.txt") if p.is_file())
    read = 0
    for file in files:
        name = str(file.relative_to(root) if root.is_dir() else file.name)
        words = 0
        try:
            with file.open("rb") as stream:
                if b"\x00" in stream.peek(4096)[:4096]:
                    report.skipped.append((str(file), "binary file"))
                    continue
                # newline="": the text as written, as bytes.decode would give it
                text_stream = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
                for piece in _pieces(text_stream, piece_chars):
                    text = unicodedata.normalize("NFC", piece)
                    if count_words:
                        found = sum(1 for _ in WORD.finditer(text))  # no list of all the words
                    else:
                        found = int(WORD.search(text) is not None)
                    if found:
                        words += found
                        yield Document(name=name, text=text)
        except OSError as error:
            report.skipped.append((str(file), f"unreadable: {error.strerror}"))
            continue
        except UnicodeDecodeError:
            report.skipped.append((str(file), "not UTF-8"))
            continue
        if words == 0:
            report.skipped.append((str(file), "no words"))
            continue
        report.files += 1
        report.words += words if count_words else 0
        read += 1
    if not read:
        reason = f" ({report.skipped[0][1]})" if report.skipped else ""
        raise CorpusError(f"no readable text in {root}{reason}")


def _pieces(stream: io.TextIOBase, piece_chars: int | None) -> Iterator[str]:
    if piece_chars is None:
        yield stream.read()
        return
    while piece := stream.read(piece_chars) + stream.readline():
        yield piece
