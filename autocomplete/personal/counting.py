"""Counting what a text teaches the personal store: words after their one- and two-word contexts.

A text is counted in memory, chunk by chunk (a second, forked process counts every other chunk
of a big import where this one runs no other threads: `_Helper`), bounded while it is counted
by the store's own pruning rule (`_Counts.drop_rarest`, store.py's docstring), so a big import
never holds more counts than the store could keep. The store (store.py) adds the result in one
transaction. The counts are numpy tables over numbered tokens (`_Table`), not dicts of tuples:
16 bytes an entry instead of about 200: a big import's tables are not what sets its peak of
memory (README, "It learns your words").
"""

from __future__ import annotations

import bisect
import multiprocessing
import queue
import signal
import sys
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress, pairwise
from multiprocessing.connection import Connection
from operator import and_, gt
from typing import NoReturn

import numpy as np

from autocomplete.engine.tokenizer import padded, pretokenize, sentence_runs
from autocomplete.text import (
    sentences,
    typed_paragraphs,
    usual_case_positions,
    word_flags,
)

MAX_WORD_LENGTH = 40  # longer "words" are noise (pasted hashes, URLs) and are not learned
PRUNED_SHARE = 0.5  # pruning goes down to half the bound, so that it runs rarely
ID_BITS = 21  # a token's number in a table's key: three fit in an int64
MAX_IDS = 1 << ID_BITS
# At most this many entries are counted in memory, whatever the store's bound (25 MB of
# store): with two processes' tokens numbered in one, numbers stay under MAX_IDS.
MAX_ENTRIES = MAX_IDS // 3
BATCH_WORDS = 50_000  # words read before they are added to the tables (`_Counts._flush`)
ROWS_AT_ONCE = 10_000  # table entries turned into rows for the store at a time
TABLES = (("words", 1), ("pairs", 2), ("triples", 3))  # each table's tokens in a key
HELPER_CHECK_S = 1.0  # how often a full queue checks that the counting process still runs


def context_keys(tokens: list[str]) -> tuple[str, str]:
    """('em', 'documento em') for the tokens before a word in its sentence
    (`tokenizer.sentence_before`); ('</s>', '</s> </s>') at a sentence's start."""
    kept = [t.lower() for t in tokens if len(t) <= MAX_WORD_LENGTH]  # as `_Counts.add`
    last = padded(kept[-2:])
    return _contexts(last[-2], last[-1])


def _contexts(second_last: str, last: str) -> tuple[str, str]:
    return last, f"{second_last} {last}"


def read_sentences(text: str) -> Iterator[str]:
    """The sentences of typed text, as learning reads them (a line break ends a paragraph)."""
    for paragraph in typed_paragraphs(text):
        yield from sentences(paragraph)


def sentence_tokens(sentence: str) -> list[str]:
    """A sentence's tokens as written, without those too long to be words."""
    tokens = pretokenize(sentence)
    if max(map(len, tokens), default=0) > MAX_WORD_LENGTH:  # rare: most sentences skip it
        tokens = [t for t in tokens if len(t) <= MAX_WORD_LENGTH]
    return tokens


def counted_words(tokens: list[str]) -> list[bool]:
    """Which tokens learning counts: a word, not a number (True > False only where a word
    is not all digits)."""
    return list(map(gt, word_flags(tokens), map(str.isdigit, tokens)))


def words_in_context(text: str) -> list[tuple[str, str]]:
    """(two-token context key, lower-cased word) for each word of `text` that learning
    counts, in order, read as `_Counts.add_text` reads it: one pass over the text, where
    `context_keys(sentence_before(...))` at every word would read it again each time."""
    return [pair for sentence in read_sentences(text) for pair in _sentence_in_context(sentence)]


@lru_cache(maxsize=64)
def _sentence_in_context(sentence: str) -> tuple[tuple[str, str], ...]:
    # Cached: the editor reads the same last sentences again after every word typed.
    tokens = sentence_tokens(sentence)
    lowered = [token.lower() for token in tokens]
    keys = []
    for run in sentence_runs(lowered):
        before = padded(run)
        keys += [_contexts(a, b)[1] for a, b in pairwise(before[:-1])]
    return tuple(compress(zip(keys, lowered, strict=True), counted_words(tokens)))


def chunks(text: str, size: int) -> Iterator[str]:
    """`text` in pieces of about `size` characters, cut between paragraphs where it can."""
    start = 0
    while start < len(text):
        end = start + size
        if end < len(text):
            for separator in ("\n\n", "\n", ". ", " "):
                cut = text.find(separator, end, end + size)
                if cut >= 0:
                    end = cut + len(separator)
                    break
        yield text[start:end]
        start = end


@dataclass(frozen=True)
class _Table:
    """Counts by key: sorted, distinct int64 keys (a word's id, or its context's ids and its
    own, `_key`) and their counts. 16 bytes an entry, where a Counter of tuples took about
    200: a big import's counts no longer set its peak of memory."""

    keys: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    counts: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))

    def plus(self, keys: np.ndarray, counts: np.ndarray) -> _Table:
        """These counts and more, of distinct sorted `keys`: merged in linear time."""
        at = np.searchsorted(self.keys, keys)
        found = at < len(self.keys)
        found[found] = self.keys[at[found]] == keys[found]
        counts_here = self.counts.copy()
        counts_here[at[found]] += counts[found]
        new = ~found
        return _Table(
            np.insert(self.keys, at[new], keys[new]), np.insert(counts_here, at[new], counts[new])
        )

    def where(self, kept: np.ndarray) -> _Table:
        return _Table(self.keys[kept], self.counts[kept])


def _key(ids: Iterable[np.ndarray]) -> np.ndarray:
    """One int64 key for a word's ids with its context's before it, ID_BITS each (read one
    array at a time: a generator of them holds one in memory)."""
    parts = iter(ids)
    key = next(parts)
    for part in parts:
        key = (key << ID_BITS) | part
    return key


def _ids_in(key: np.ndarray, parts: int) -> Iterator[np.ndarray]:
    """The ids `_key` made `key` of, first to last."""
    for i in range(parts):
        yield (key >> (ID_BITS * (parts - 1 - i))) & (MAX_IDS - 1)


class _Numbers(dict[str, int]):
    """Tokens and their numbers, 0 to n - 1 in the order first seen: a token not seen yet
    gets the next one (looked up by `map`, without a Python call per known token)."""

    def __missing__(self, token: str) -> int:
        self[token] = number = len(self)
        return number


@dataclass
class _Counts:
    """What a text adds to the store, bounded (`drop_rarest`) while it is counted.

    Tokens are numbered (`ids`, lower-case, interned: each held once) and each table holds
    keys made of those numbers (`_Table`); the sentences read since the last `_flush` wait
    in flat arrays of ids, so that a table is merged once per BATCH_WORDS words."""

    ids: _Numbers = field(default_factory=lambda: _Numbers())
    words: _Table = field(default_factory=_Table)
    pairs: _Table = field(default_factory=_Table)  # (previous, word)
    triples: _Table = field(default_factory=_Table)  # (second previous, previous, word)
    # (word, how it was written) where no capital is forced: a word's usual form is its
    # commonest, so a heading in capitals or a list's "A)" does not make it the user's.
    written: Counter[tuple[str, str]] = field(default_factory=Counter)
    learned: int = 0  # words counted, those dropped as rare included
    # The words read since the last `_flush`, and the two tokens before each.
    waiting: tuple[array, array, array] = field(
        default_factory=lambda: (array("q"), array("q"), array("q"))
    )

    def add_text(self, text: str, limit: int) -> None:
        """Count a text, keeping within `limit` entries after every BATCH_WORDS words."""
        for sentence in read_sentences(text):
            self.add(sentence)
            if len(self.waiting[0]) >= BATCH_WORDS:
                self.drop_rarest(limit)
        self.drop_rarest(limit)

    def add(self, sentence: str) -> None:
        """Read the words of a sentence after their one- and two-token contexts.

        The written form counts only where no capital is forced (a sentence start, after a
        dialogue dash or an opening quote): "Não" there says nothing about how the user
        writes "não". Whole lists at a time (map, compress): this runs over every word of
        an import.
        """
        tokens = sentence_tokens(sentence)
        if not tokens:
            return
        lowered = list(map(sys.intern, map(str.lower, tokens)))
        # Each word's two tokens before it in its sentence (`padded`), as the Suggester asks.
        second, last, ids = [], [], []
        for run in sentence_runs(lowered):
            before = list(map(self.ids.__getitem__, padded(run)))
            second += before[:-2]
            last += before[1:-1]
            ids += before[2:]
        counted = counted_words(tokens)
        self.learned += sum(counted)
        for waiting, part in zip(self.waiting, (second, last, ids), strict=True):
            waiting.extend(compress(part, counted))
        usual = map(and_, counted, usual_case_positions(tokens))
        self.written.update(compress(zip(lowered, tokens, strict=True), usual))

    @property
    def forms(self) -> dict[str, str]:
        """Each word's commonest written form (the lower-case word itself included)."""
        usual: dict[str, tuple[int, str]] = {}
        for (word, form), n in self.written.items():
            if n > usual.get(word, (0, ""))[0]:
                usual[word] = n, form
        return {word: form for word, (_, form) in usual.items()}

    def _flush(self) -> None:
        """Add the words waiting to the tables."""
        second, last, word = (np.frombuffer(ids, np.int64) for ids in self.waiting)
        for (name, _), key in zip(
            TABLES, (word, _key((last, word)), _key((second, last, word))), strict=True
        ):
            keys, counts = np.unique(key, return_counts=True)
            setattr(self, name, getattr(self, name).plus(keys, counts.astype(np.float64)))
        self.waiting = (array("q"), array("q"), array("q"))
        if len(self.ids) > MAX_IDS // 2:  # numbers no table uses any more are given back
            self._renumber()

    def entries(self) -> int:
        return len(self.words.keys) + len(self.pairs.keys) + len(self.triples.keys)

    def update(self, other: _Counts) -> None:
        """Add the counts of more text, numbered its own way. `other` is emptied as it is
        added, each part given back once merged: this merge is a big import's peak of
        memory."""
        self._flush()
        other._flush()
        self.written.update(other.written)
        self.learned += other.learned
        ours = np.array(list(map(self.ids.__getitem__, other.ids)), np.int64)
        other.written, other.ids = Counter(), _Numbers()
        for name, parts in TABLES:
            theirs = getattr(other, name)
            setattr(other, name, _Table())
            keys = _key(ours[ids] for ids in _ids_in(theirs.keys, parts))
            counts = theirs.counts
            del theirs  # its keys, numbered the other way
            order = np.argsort(keys)
            keys, counts = keys[order], counts[order]
            del order
            setattr(self, name, getattr(self, name).plus(keys, counts))
        if len(self.ids) > MAX_IDS // 2:
            self._renumber()

    def drop_rarest(self, limit: int) -> None:
        """Past `limit` entries, drop the rarest down to PRUNED_SHARE of it by the store's rule
        (the module's docstring; `RAREST` for the store): lowest count first, at equal counts
        two-word contexts, then one-word contexts, then plain words. Entries of equal count
        and kind all go or all stay: none is rarer than another."""
        self._flush()
        if self.entries() <= limit:
            return
        tables = [self.triples, self.pairs, self.words]  # the order they go at equal counts
        classes = sorted(  # (count, kind, how many entries)
            (count, kind, size)
            for kind, table in enumerate(tables)
            for count, size in zip(*np.unique(table.counts, return_counts=True), strict=True)
        )
        # Classes go in that order up to the first that makes up the excess.
        dropped = list(accumulate(size for _, _, size in classes))
        excess = self.entries() - int(limit * PRUNED_SHARE)
        cut, last_kind, _ = classes[bisect.bisect_left(dropped, excess)]
        # Kinds up to last_kind lose their entries of count `cut`; the others keep them.
        self.triples, self.pairs, self.words = (
            table.where(table.counts > cut - (kind > last_kind))
            for kind, table in enumerate(tables)
        )
        self._renumber()
        kept = set(self.distinct_words())
        self.written = Counter({key: n for key, n in self.written.items() if key[0] in kept})

    def _renumber(self) -> None:
        """Number only the tokens the tables still use, 0 to n - 1 in the same order (so the
        keys stay sorted): pruning leaves most numbers unused."""
        used = np.unique(
            np.concatenate(
                [
                    self.words.keys,
                    *_ids_in(self.pairs.keys, 2),
                    *_ids_in(self.triples.keys, 3),
                ]
            )
        )
        tokens = list(self.ids)
        self.ids = _Numbers((tokens[number], new) for new, number in enumerate(used.tolist()))
        for name, parts in TABLES:
            table = getattr(self, name)
            ids = (np.searchsorted(used, number) for number in _ids_in(table.keys, parts))
            setattr(self, name, _Table(_key(ids), table.counts))

    def distinct_words(self) -> list[str]:
        """The words counted (those dropped as rare aside)."""
        self._flush()
        tokens = list(self.ids)
        return [tokens[number] for number in self.words.keys.tolist()]

    def rows(self, now: float) -> Iterator[tuple[str, str, float, float]]:
        """(context, word, count, time) rows for the store, a few at a time: a list of them
        all would be a big import's peak of memory."""
        self._flush()
        tokens = list(self.ids)
        for name, parts in TABLES:
            table = getattr(self, name)
            for start in range(0, len(table.keys), ROWS_AT_ONCE):
                part = slice(start, start + ROWS_AT_ONCE)
                ids = [number.tolist() for number in _ids_in(table.keys[part], parts)]
                for *before, word, count in zip(*ids, table.counts[part].tolist(), strict=True):
                    # '', 'em' or 'documento em', as `_contexts` writes them
                    context = " ".join(tokens[number] for number in before)
                    yield context, tokens[word], count, now


def counted(chunks: Iterator[str], limit: int) -> _Counts:
    """The counts of all `chunks`, kept within `limit` entries.

    Where this process may fork and there is more than one chunk, a second process counts
    every other chunk (with the same bound) and its counts are added at the end: a big
    import keeps both cores busy. No more than MAX_ENTRIES are held, whatever `limit`."""
    limit = min(limit, MAX_ENTRIES)
    counts = _Counts()
    helper: _Helper | None = None
    try:
        for index, chunk in enumerate(chunks):
            if index == 1 and _may_fork():
                helper = _Helper(limit)
            if helper is not None and index % 2:
                helper.count(chunk)
                continue
            counts.add_text(chunk, limit)
        if helper is not None:
            counts.update(helper.counts())
            counts.drop_rarest(limit)
    finally:
        if helper is not None:
            helper.stop()
    return counts


def _may_fork() -> bool:
    """False while other threads run (as in the editor: a fork copies one thread, and a lock
    another one held stays locked) or where fork does not exist. Fork, not spawn: spawn
    would import the caller's main module again in the child."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()


class _Helper:
    """A forked process that counts the chunks it is given; its counts come back at the end."""

    def __init__(self, limit: int):
        fork = multiprocessing.get_context("fork")
        self._chunks = fork.Queue(maxsize=2)  # enough to keep it busy; the rest waits here
        self._results, sending = fork.Pipe(duplex=False)
        self._process = fork.Process(
            target=_count_in_helper, args=(self._chunks, sending, limit), daemon=True
        )
        self._process.start()
        sending.close()  # the child's end: a child that dies then reads as EOF here

    def count(self, chunk: str | None) -> None:
        """Queue a chunk (None: the end), waiting while two are queued: unless it died."""
        while True:
            try:
                return self._chunks.put(chunk, timeout=HELPER_CHECK_S)
            except queue.Full:
                if not self._process.is_alive():
                    self._died()

    def counts(self) -> _Counts:
        self.count(None)
        try:
            return self._results.recv()
        except EOFError:
            self._died()

    def _died(self) -> NoReturn:
        self._process.join()
        raise ChildProcessError(
            f"the counting process stopped (exit code {self._process.exitcode})"
        )

    def stop(self) -> None:
        """End the process (at once, after Ctrl+C or an error here) and its queue."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        if self._process.exitcode != 0:  # chunks it never read are dropped, not waited on
            self._chunks.cancel_join_thread()
        self._chunks.close()
        self._chunks.join_thread()  # the queue's thread is gone: a next import may fork again
        self._results.close()


def _count_in_helper(chunks: multiprocessing.Queue, results: Connection, limit: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the parent, which ends us
    counts = _Counts()
    for chunk in iter(chunks.get, None):
        counts.add_text(chunk, limit)
    results.send(counts)
