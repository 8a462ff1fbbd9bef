"""Prepared training data: sources -> cleaning and split -> weighted mix -> vocabulary ->
cached id streams -> batches.

Batching for truncated backpropagation through time: the id stream is cut into `batch_size`
contiguous rows, so row r of window w+1 continues row r of window w and the hidden state can
be carried from one window to the next. With a stream "a b c d e f g h i j" and 2 rows:

    a b c d e      window 1 (bptt=2): inputs [a b], [f g]  targets [b c], [g h]
    f g h i j      window 2:          inputs [c d], [h i]  targets [d e], [i j]
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from autocomplete.engine.tokenizer import Tokenizer
from autocomplete.training import corpus

CACHE_VERSION = 2  # bump when cleaning, splitting or mixing changes


@dataclass
class PreparedData:
    tokenizer: Tokenizer
    train: np.ndarray
    valid: np.ndarray
    test: np.ndarray
    fingerprint: str  # of all sources together
    report: corpus.ReadReport
    source_fingerprints: dict[str, str]  # source name -> fingerprint (evaluate's "auto" split)
    cleaning: list[str]  # per source and step: what cleaning removed (cleaning.CleaningReport)


def prepare(
    corpus_paths: Sequence[str | Path],
    weights: dict[str, float],
    vocab_size: int,
    cache_dir: Path | None,
    tokenizer: Tokenizer | None = None,
) -> PreparedData:
    """Read, clean, split, mix and encode the sources, reusing the cached id streams when
    nothing changed."""
    report = corpus.ReadReport()
    sources = corpus.read_sources(corpus_paths, report)
    source_fingerprints = {source.name: source.fingerprint for source in sources}
    fingerprint = hashlib.sha256(json.dumps(source_fingerprints).encode()).hexdigest()[:16]
    key_source = f"{CACHE_VERSION}:{fingerprint}:{vocab_size}:{sorted(weights.items())}"
    if tokenizer is not None:
        key_source += ":" + hashlib.sha1(tokenizer.model_bytes).hexdigest()
    key = hashlib.sha1(key_source.encode()).hexdigest()[:16]
    cache_file = cache_dir / f"data-{key}.npz" if cache_dir is not None else None
    if cache_file is not None and cache_file.exists():
        try:
            with np.load(cache_file, allow_pickle=False) as cached:
                return PreparedData(
                    tokenizer=Tokenizer(
                        cached["sentencepiece"].tobytes(),
                        json.loads(str(cached["display_forms"])),
                    ),
                    train=cached["train"],
                    valid=cached["valid"],
                    test=cached["test"],
                    fingerprint=fingerprint,
                    report=report,
                    source_fingerprints=source_fingerprints,
                    cleaning=json.loads(str(cached["cleaning"])),
                )
        except (OSError, ValueError, KeyError, RuntimeError, zipfile.BadZipFile, EOFError):
            # A damaged cache (a full disk, a kill mid-write by an older version) is only a
            # cache: rebuild it rather than fail every later run.
            print(f"rebuilding the damaged data cache {cache_file}", file=sys.stderr)
            cache_file.unlink(missing_ok=True)
    splits = {source.name: corpus.split(source.documents, source.name) for source in sources}
    cleaning = [line for name, part in splits.items() for line in part.cleaning_report.lines(name)]
    train_sentences = corpus.mix(splits, weights, "train")
    if tokenizer is None:
        tokenizer = Tokenizer.train(train_sentences, vocab_size)
    prepared = PreparedData(
        tokenizer=tokenizer,
        train=tokenizer.encode_sentences(train_sentences),
        valid=tokenizer.encode_sentences(corpus.mix(splits, weights, "valid")),
        test=tokenizer.encode_sentences(corpus.mix(splits, weights, "test")),
        fingerprint=fingerprint,
        report=report,
        source_fingerprints=source_fingerprints,
        cleaning=cleaning,
    )
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache_file.with_suffix(".tmp.npz")
        np.savez(
            temporary,
            train=prepared.train,
            valid=prepared.valid,
            test=prepared.test,
            sentencepiece=np.frombuffer(tokenizer.model_bytes, dtype=np.uint8),
            display_forms=np.array(json.dumps(tokenizer.display_forms, ensure_ascii=False)),
            cleaning=np.array(json.dumps(cleaning, ensure_ascii=False)),
        )
        temporary.replace(cache_file)
    return prepared


def shard(stream: np.ndarray, rank: int, world_size: int) -> np.ndarray:
    """The contiguous part of the stream that one distributed process trains on."""
    size = len(stream) // world_size
    return stream[rank * size : (rank + 1) * size]


def batchify(stream: np.ndarray, batch_size: int) -> torch.Tensor:
    """(tokens,) -> (batch_size, tokens // batch_size) of contiguous rows."""
    columns = len(stream) // batch_size
    if columns < 2:
        raise ValueError("stream too short for this batch size")
    rows = stream[: columns * batch_size].reshape(batch_size, columns)
    return torch.from_numpy(rows.astype(np.int64))


def windows(
    batches: torch.Tensor, bptt: int, start: int = 0
) -> Iterator[tuple[int, torch.Tensor, torch.Tensor]]:
    """Yield (window index, inputs, targets), each (batch, <=bptt), from window `start` on."""
    columns = batches.shape[1]
    for index, begin in enumerate(range(0, columns - 1, bptt)):
        if index < start:
            continue
        length = min(bptt, columns - 1 - begin)
        yield index, batches[:, begin : begin + length], batches[:, begin + 1 : begin + 1 + length]


def window_count(batches: torch.Tensor, bptt: int) -> int:
    return len(range(0, batches.shape[1] - 1, bptt))
