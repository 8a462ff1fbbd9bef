"""Read corpus sources into clean sentences, a deterministic split and a weighted mix.

A source is one folder of .txt files (senado, python-docs, machado...): `read_sources` takes
several paths, and a folder holding a SOURCES.md is a collection whose subfolders are each a
source. Every source gets its own cleaning (cleaning.py) and its own held-out split.

Some text was extracted from PDFs or man pages: lines are hard-wrapped mid-sentence and some
end in a hyphen that belongs to the word. `paragraphs()` undoes that wrapping for documents
that look wrapped; other documents already hold a sentence or paragraph a line. `sentences()`
cuts paragraphs at sentence ends; `split()` assigns blocks of paragraphs to train/valid/test
by a hash of their own text, so adding or removing other files or sources never moves a
block from one split to another. `mix()` weighs the sources' blocks for training.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autocomplete.errors import CorpusError
from autocomplete.text import (
    CLOSERS,
    DIALOGUE_DASHES,
    OPENERS,
    SENTENCE_FINAL_MARKS,
    SENTENCE_START_LETTER,
    WORD,
    is_abbreviation,
    starts_dialogue,
)
from autocomplete.training import cleaning

VALID_FRACTION = 0.05
TEST_FRACTION = 0.05
BLOCK_WORDS = 400  # paragraphs are grouped into blocks of at least this many words for the split
MIN_BLOCKS_TO_HASH = 20


def _one_of(characters: Iterable[str]) -> str:
    """A regular expression's character class matching any of `characters`."""
    return f"[{re.escape(''.join(sorted(characters)))}]"


# A line ending so may end a paragraph: a sentence's end, or a colon before a line of
# dialogue or a list ("Capitu respondeu:" / "— Não.").
TERMINAL = re.compile(f"{_one_of(SENTENCE_FINAL_MARKS + ':')}{_one_of(CLOSERS)}*$")
# Word-final hyphens followed by these are clitic or compound hyphens ("disse-" + "me").
CLITICS = frozenset(
    [
        "me",
        "te",
        "se",
        "lhe",
        "lhes",
        "o",
        "a",
        "os",
        "as",
        "lo",
        "la",
        "los",
        "las",
        "no",
        "na",
        "nos",
        "nas",
        "vos",
        "mo",
        "ma",
        "mos",
        "mas",
        "to",
        "ta",
        "lho",
        "lha",
        "lhos",
        "lhas",
        "nos-ia",
        "ia",
        "ei",
        "á",
        "ás",
        "emos",
        "eis",
        "ão",
    ]
)
SENTENCE_END = re.compile(
    f"(?<={_one_of(SENTENCE_FINAL_MARKS)})({_one_of(CLOSERS)}*)\\s+"
    f"(?={_one_of(OPENERS | DIALOGUE_DASHES)}?\\s*[{SENTENCE_START_LETTER}])"
)


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


@dataclass
class Source:
    name: str  # its folder (or file) name: the key of its cleaning recipe and mixing weight
    documents: list[Document]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.documents)


PARTS = ("train", "valid", "test")


@dataclass
class Split:
    """Blocks of sentences (consecutive paragraphs of one document) per part."""

    blocks: dict[str, list[list[str]]] = field(default_factory=lambda: {p: [] for p in PARTS})
    cleaning_report: cleaning.CleaningReport = field(default_factory=cleaning.CleaningReport)

    def sentences(self, part: str) -> list[str]:
        return [sentence for block in self.blocks[part] for sentence in block]

    @property
    def train(self) -> list[str]:
        return self.sentences("train")

    @property
    def valid(self) -> list[str]:
        return self.sentences("valid")

    @property
    def test(self) -> list[str]:
        return self.sentences("test")


def read_documents(path: str | Path, report: ReadReport | None = None) -> list[Document]:
    """Read one .txt file or every .txt file under a folder, NFC-normalised, in sorted order."""
    return list(iter_documents(path, report))


def iter_documents(
    path: str | Path, report: ReadReport | None = None, piece_chars: int | None = None
) -> Iterator[Document]:
    """`read_documents` one file at a time; with `piece_chars`, each file in pieces of about
    that many characters cut at line ends, so that a big file is never held whole."""
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
                    found = sum(1 for _ in WORD.finditer(text))  # no list of a big file's words
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
        report.words += words
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


COLLECTION_MARKER = "SOURCES.md"


def read_sources(paths: Iterable[str | Path], report: ReadReport | None = None) -> list[Source]:
    """One Source per path, or per subfolder of a collection (a folder with a SOURCES.md)."""
    report = report if report is not None else ReadReport()
    sources: list[Source] = []
    for path in paths:
        root = Path(path)
        if root.is_dir() and (root / COLLECTION_MARKER).is_file():
            members = sorted(p for p in root.iterdir() if p.is_dir())
        else:
            members = [root]
        for member in members:
            name = member.stem if member.is_file() else member.resolve().name
            if any(source.name == name for source in sources):
                raise CorpusError(f"two corpus sources are named {name!r}: {member}")
            sources.append(Source(name=name, documents=read_documents(member, report)))
    if not sources:
        raise CorpusError("no corpus path given")
    return sources


def looks_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped text: many lines stop mid-sentence and the next goes on in lower case."""
    pairs = [(a, b) for a, b in itertools.pairwise(lines) if a and b]
    if len(pairs) < 10:
        return False
    broken = sum(1 for a, b in pairs if not TERMINAL.search(a) and b[:1].islower())
    return broken > 0.25 * len(pairs)


def document_paragraphs(text: str) -> list[str]:
    """Paragraphs of a document: unwrapped when hard-wrapped, else one a line (a line that
    ends in a comma goes on in the next)."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    if looks_wrapped(lines):
        return paragraphs(text)
    result: list[str] = []
    for line in lines:
        if line and result and result[-1].endswith(","):  # "Atenciosamente," + "Ana Paula"
            result[-1] += " " + line
        elif line:
            result.append(line)
    return [re.sub(r"\s+", " ", paragraph) for paragraph in result]


def paragraphs(text: str) -> list[str]:
    """Undo hard wrapping: join the lines of each paragraph, fixing line-end hyphens."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lengths = sorted(len(line) for line in lines if line)
    if not lengths:
        return []
    # Lines much shorter than the usual width end a paragraph (when they end a sentence too).
    wrap_width = lengths[int(0.9 * (len(lengths) - 1))]
    short = 0.8 * wrap_width
    result: list[str] = []
    current = ""
    previous = ""
    for line in lines:
        if not line:
            _flush(result, current)
            current, previous = "", ""
            continue
        starts_new = (
            not current
            or starts_dialogue(line)
            or _is_heading(line)
            or _is_heading(previous)
            or (TERMINAL.search(previous) is not None and len(previous) < short)
        )
        if starts_new:
            _flush(result, current)
            current = line
        elif current.endswith("-") and not current.endswith(" -"):
            current = _join_hyphenated(current, line)
        else:
            current = f"{current} {line}"
        previous = line
    _flush(result, current)
    return result


def _flush(result: list[str], paragraph: str) -> None:
    if paragraph:
        result.append(re.sub(r"\s+", " ", paragraph))


def _is_heading(line: str) -> bool:
    # isupper: it has letters, all capitals (in C: this runs twice over every line imported)
    return line.isupper() and not TERMINAL.search(line)


def _join_hyphenated(current: str, line: str) -> str:
    """'disse-' + 'me ...' keeps the hyphen; 'compa-' + 'nhia ...' is a syllable break."""
    head = current[:-1]
    next_word = line.split(" ", 1)[0]
    bare = next_word.rstrip(".,;:!?…\"”»')").lower()
    last_word = head.rsplit(" ", 1)[-1]
    keep = bare in CLITICS or next_word[:1].isupper() or "-" in last_word or not bare.isalpha()
    return f"{current}{line}" if keep else f"{head}{line}"


def sentences(paragraph: str) -> list[str]:
    """Cut a paragraph at sentence ends, not after abbreviations such as 'D.' or 'Sr.'."""
    pieces: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(paragraph):
        end = match.start(1)
        before = paragraph[start:end]
        last = before.rsplit(" ", 1)[-1].rstrip(".").lower()
        if before.endswith(".") and is_abbreviation(last):
            continue
        pieces.append(paragraph[start : match.end(1)].strip())
        start = match.end()
    pieces.append(paragraph[start:].strip())
    return [piece for piece in pieces if piece]


def _blocks(document_paragraphs: list[str]) -> Iterator[list[str]]:
    block: list[str] = []
    words = 0
    for paragraph in document_paragraphs:
        block.append(paragraph)
        words += paragraph.count(" ") + 1
        if words >= BLOCK_WORDS:
            yield block
            block, words = [], 0
    if block:
        yield block


def _bucket(block: list[str]) -> float:
    digest = hashlib.sha1("\n".join(block).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split(documents: Iterable[Document], source: str = "") -> Split:
    """Deterministic train/valid/test split of one source's cleaned sentences, by blocks."""
    result = Split()
    for document in documents:
        kept = cleaning.clean(source, document_paragraphs(document.text), result.cleaning_report)
        for block in _blocks(kept):
            bucket = _bucket(block)
            if bucket < TEST_FRACTION:
                part = "test"
            elif bucket < TEST_FRACTION + VALID_FRACTION:
                part = "valid"
            else:
                part = "train"
            result.blocks[part].append([s for paragraph in block for s in sentences(paragraph)])
    # Too few blocks for hashing to give each part its share (a tiny corpus): its last tenth
    # of sentences is the test split and the tenth before it the validation split.
    if sum(len(blocks) for blocks in result.blocks.values()) < MIN_BLOCKS_TO_HASH:
        every = [s for part in PARTS for block in result.blocks[part] for s in block]
        tenth = len(every) // 10
        if tenth:
            result.blocks = {
                "train": [every[: -2 * tenth]],
                "valid": [every[-2 * tenth : -tenth]],
                "test": [every[-tenth:]],
            }
    return result


def mix(splits: dict[str, Split], weights: dict[str, float], part: str) -> list[str]:
    """One part of every source, each block taken `weight` times on average (0 leaves the
    source out; 2.5 takes every block twice and half of them a third time, by their hash),
    in a block order shuffled deterministically so that sources interleave. Weights of
    sources that are not in `splits` are ignored: the defaults name every known source."""
    chosen: list[tuple[float, list[str]]] = []
    for name, source_split in splits.items():
        weight = weights.get(name, 1.0)
        for block in source_split.blocks[part]:
            bucket = _bucket([name, *block])
            copies = int(weight) + (bucket < weight - int(weight))
            # Every block once (in hash order), then the second copies, and so on.
            chosen.extend((copy + bucket, block) for copy in range(copies))
    chosen.sort(key=lambda item: item[0])
    return [sentence for _, block in chosen for sentence in block]


def fingerprint(documents: Iterable[Document]) -> str:
    """A short hash of the corpus content, recorded in checkpoints."""
    digest = hashlib.sha256()
    for document in documents:
        digest.update(document.name.encode("utf-8") + b"\0" + document.text.encode("utf-8"))
    return digest.hexdigest()[:16]
