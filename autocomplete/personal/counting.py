"""Counting what a text teaches the personal store: words after their one- and two-word contexts.

A text is counted in memory, chunk by chunk (a second, forked process counts every other chunk
of a big import where this one runs no other threads: `_Helper`), bounded while it is counted
by the store's own pruning rule (`_Counts.drop_rarest`, store.py's docstring), so a big import
never holds more counts than the store could keep. The store (store.py) adds the result in one
transaction.
"""

from __future__ import annotations

import bisect
import multiprocessing
import queue
import signal
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, compress
from multiprocessing.connection import Connection
from operator import and_
from typing import NoReturn

from autocomplete.engine.tokenizer import padded, pretokenize, sentence_runs
from autocomplete.text import is_word, sentences, typed_paragraphs, usual_case_positions

MAX_WORD_LENGTH = 40  # longer "words" are noise (pasted hashes, URLs) and are not learned
PRUNED_SHARE = 0.5  # pruning goes down to half the bound, so that it runs rarely
HELPER_CHECK_S = 1.0  # how often a full queue checks that the counting process still runs


def context_keys(tokens: list[str]) -> tuple[str, str]:
    """('em', 'documento em') for the tokens before a word in its sentence
    (`tokenizer.sentence_before`); ('</s>', '</s> </s>') at a sentence's start."""
    kept = [t.lower() for t in tokens if len(t) <= MAX_WORD_LENGTH]  # as `_Counts.add`
    last = padded(kept[-2:])
    return _contexts(last[-2], last[-1])


def _contexts(second_last: str, last: str) -> tuple[str, str]:
    return last, f"{second_last} {last}"


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


@dataclass
class _Counts:
    """What a text adds to the store, bounded (`drop_rarest`) while it is counted."""

    words: Counter[str] = field(default_factory=Counter)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)  # (previous, word)
    triples: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    # (word, how it was written) where no capital is forced: a word's usual form is its
    # commonest, so a heading in capitals or a list's "A)" does not make it the user's.
    written: Counter[tuple[str, str]] = field(default_factory=Counter)
    learned: int = 0  # words counted, those dropped as rare included

    def add_text(self, text: str, limit: int) -> None:
        """Count a text, keeping within `limit` entries after every sentence."""
        for paragraph in typed_paragraphs(text):  # a line break ends a paragraph
            for sentence in sentences(paragraph):
                self.add(sentence)
                self.drop_rarest(limit)

    def add(self, sentence: str) -> None:
        """Count the words of a sentence after their one- and two-token contexts.

        The written form counts only where no capital is forced (a sentence start, after a
        dialogue dash or an opening quote): "Não" there says nothing about how the user
        writes "não". Whole lists at a time (zip, compress): this runs over every word of
        an import. Interned, each distinct word is held once however many entries name it.
        """
        tokens = [t for t in pretokenize(sentence) if len(t) <= MAX_WORD_LENGTH]
        if not tokens:
            return
        lowered = list(map(sys.intern, map(str.lower, tokens)))
        # Each word's two tokens before it in its sentence (`padded`), as the Suggester asks.
        second, last = [], []
        for run in sentence_runs(lowered):
            before = padded(run)
            second += before[:-2]
            last += before[1:-1]
        counted = [is_word(t) and not t.isdigit() for t in tokens]
        self.learned += sum(counted)
        self.words.update(compress(lowered, counted))
        self.pairs.update(compress(zip(last, lowered, strict=True), counted))
        self.triples.update(compress(zip(second, last, lowered, strict=True), counted))
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

    def entries(self) -> int:
        return len(self.words) + len(self.pairs) + len(self.triples)

    def update(self, other: _Counts) -> None:
        """Add the counts of more text."""
        self.words.update(other.words)
        self.pairs.update(other.pairs)
        self.triples.update(other.triples)
        self.written.update(other.written)
        self.learned += other.learned

    def drop_rarest(self, limit: int) -> None:
        """Past `limit` entries, drop the rarest down to PRUNED_SHARE of it by the store's rule
        (the module's docstring; `RAREST` for the store): lowest count first, at equal counts
        two-word contexts, then one-word contexts, then plain words. Entries of equal count
        and kind all go or all stay: none is rarer than another."""
        if self.entries() <= limit:
            return
        tables = [self.triples, self.pairs, self.words]  # the order they go at equal counts
        classes = sorted(  # (count, kind, how many entries)
            (count, kind, size)
            for kind, table in enumerate(tables)
            for count, size in Counter(table.values()).items()
        )
        # Classes go in that order up to the first that makes up the excess.
        dropped = list(accumulate(size for _, _, size in classes))
        excess = self.entries() - int(limit * PRUNED_SHARE)
        cut, last_kind, _ = classes[bisect.bisect_left(dropped, excess)]
        # Kinds up to last_kind lose their entries of count `cut`; the others keep them.
        kept = [
            Counter({key: n for key, n in table.items() if n > cut - (kind > last_kind)})
            for kind, table in enumerate(tables)
        ]
        self.triples, self.pairs, self.words = kept
        self.written = Counter({k: n for k, n in self.written.items() if k[0] in self.words})

    def rows(self, now: float) -> list[tuple[str, str, float, float]]:
        """(context, word, count, time) rows for the store."""
        rows = [("", word, n, now) for word, n in self.words.items()]
        rows += [(last, word, n, now) for (last, word), n in self.pairs.items()]
        rows += [
            (_contexts(second, last)[1], word, n, now)
            for (second, last, word), n in self.triples.items()
        ]
        return rows


def counted(chunks: Iterator[str], limit: int) -> _Counts:
    """The counts of all `chunks`, kept within `limit` entries.

    Where this process may fork and there is more than one chunk, a second process counts
    every other chunk (with the same bound) and its counts are added at the end: a big
    import keeps both cores busy."""
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
