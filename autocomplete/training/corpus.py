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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from autocomplete.errors import CorpusError
from autocomplete.text import WORD as WORD  # re-exported: lesson/long_gap.py reads corpus.WORD
from autocomplete.text import document_paragraphs, sentences
from autocomplete.text_files import Document, ReadReport, read_documents
from autocomplete.training import cleaning

VALID_FRACTION = 0.05
TEST_FRACTION = 0.05
BLOCK_WORDS = 400  # paragraphs are grouped into blocks of at least this many words for the split
MIN_BLOCKS_TO_HASH = 20


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
