"""Read a tree of Portuguese .txt files into clean sentences and a deterministic split.

The Machado corpus was extracted from PDFs: lines are hard-wrapped mid-sentence, paragraphs
are not separated by blank lines and some lines end in a hyphen that belongs to the word.
`paragraphs()` undoes that wrapping; `sentences()` cuts paragraphs at sentence ends; `split()`
assigns blocks of paragraphs to train/valid/test by a hash of their own text, so adding or
removing other files never moves a block from one split to another.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autocomplete.errors import CorpusError

VALID_FRACTION = 0.05
TEST_FRACTION = 0.05
BLOCK_WORDS = 400  # paragraphs are grouped into blocks of at least this many words for the split

DIALOGUE_DASHES = ("—", "–", "- ")
TERMINAL = re.compile(r"[.!?:…][\"”»')\]]*$")
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
ABBREVIATIONS = frozenset(
    [
        "sr",
        "sra",
        "srs",
        "sras",
        "d",
        "dr",
        "dra",
        "drs",
        "exa",
        "exmo",
        "exma",
        "v",
        "vv",
        "s",
        "rev",
        "revmo",
        "cap",
        "pág",
        "págs",
        "p",
        "pp",
        "etc",
        "cf",
        "gen",
        "cel",
        "ten",
        "prof",
        "profa",
        "sto",
        "sta",
        "n",
        "nº",
        "art",
        "fl",
        "fls",
        "ex",
        "av",
        "obs",
        "tel",
    ]
)
SENTENCE_END = re.compile(r"(?<=[.!?…])([\"”»')\]]*)\s+(?=[—–\"“«(]?\s*[A-ZÀ-ÖØ-Ý0-9])")
WORD = re.compile(r"\w+", re.UNICODE)


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
class Split:
    train: list[str]
    valid: list[str]
    test: list[str]


def read_documents(path: str | Path, report: ReadReport | None = None) -> list[Document]:
    """Read one .txt file or every .txt file under a folder, NFC-normalised, in sorted order."""
    report = report if report is not None else ReadReport()
    root = Path(path)
    if not root.exists():
        raise CorpusError(f"corpus path does not exist: {root}")
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*.txt") if p.is_file())
    documents = []
    for file in files:
        try:
            raw = file.read_bytes()
        except OSError as error:
            report.skipped.append((str(file), f"unreadable: {error.strerror}"))
            continue
        if b"\x00" in raw[:4096]:
            report.skipped.append((str(file), "binary file"))
            continue
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            report.skipped.append((str(file), "not UTF-8"))
            continue
        text = unicodedata.normalize("NFC", text)
        words = len(WORD.findall(text))
        if words == 0:
            report.skipped.append((str(file), "no words"))
            continue
        report.files += 1
        report.words += words
        documents.append(
            Document(name=str(file.relative_to(root) if root.is_dir() else file.name), text=text)
        )
    if not documents:
        reason = f" ({report.skipped[0][1]})" if report.skipped else ""
        raise CorpusError(f"no readable text in {root}{reason}")
    return documents


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
            or line.startswith(DIALOGUE_DASHES)
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
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and not TERMINAL.search(line)


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
        if before.endswith(".") and (last in ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
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


def split(documents: Iterable[Document]) -> Split:
    """Deterministic train/valid/test split of sentences by blocks of paragraphs."""
    result = Split(train=[], valid=[], test=[])
    for document in documents:
        for block in _blocks(paragraphs(document.text)):
            bucket = _bucket(block)
            if bucket < TEST_FRACTION:
                target = result.test
            elif bucket < TEST_FRACTION + VALID_FRACTION:
                target = result.valid
            else:
                target = result.train
            for paragraph in block:
                target.extend(sentences(paragraph))
    # A tiny corpus may hash no block into valid/test: hold out every 10th sentence instead.
    for held_out in (result.valid, result.test):
        if not held_out and len(result.train) >= 10:
            held_out.extend(result.train[9::10])
            del result.train[9::10]
    return result


def fingerprint(documents: Iterable[Document]) -> str:
    """A short hash of the corpus content, recorded in checkpoints."""
    digest = hashlib.sha256()
    for document in documents:
        digest.update(document.name.encode("utf-8") + b"\0" + document.text.encode("utf-8"))
    return digest.hexdigest()[:16]
