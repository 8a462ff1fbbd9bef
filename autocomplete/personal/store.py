"""What the editor learns from its user: their words and short phrases, with recency.

A network trained on 19th-century novels has never seen "e-mail", the names of the user's
colleagues or the phrases they write every day. Like phone keyboards, we keep counts of the
user's own words and of the one- and two-word contexts they follow, and the Suggester mixes
this small n-gram model with the LSTM (engine/sources.PersonalVocabulary reads
`PersonalModel.distribution`; engine/mixer.py weighs it).

Storage is SQLite (transactional, so two editors open at once cannot corrupt it), readable by
the user only (mode 0600), in the user's data folder. Counts decay with a half-life, so
recent habits outweigh old ones. A text is counted in memory (counting.py: chunk by chunk,
a second, forked process counting every other chunk of a big import), and added to the
store in one transaction: an import is stored whole or not at all.

The store has a size bound (`PersonalModel.max_bytes`). When learning takes it past the bound,
the rarest entries are dropped, lowest decayed count first (at equal counts, two-word contexts
before one-word contexts before plain words), until it is down to `PRUNED_SHARE` of the bound:
the user's frequent words and phrases stay, and so do the blocked words. `describe_bound`
says it in numbers (`learn --stats` prints it). Counting in memory keeps the same bound, in
entries (`STORED_ENTRY_BYTES` each), by the same rule: a big import never holds more counts
than the store could keep, and never writes the rare entries the store would drop anyway.

Memory holds only what every keystroke needs: the user's words with their counts (bounded by
the store's size) and the block list; the counts after a context are read from the store
when that context is first met, and kept in a small cache.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import itertools
import math
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from autocomplete.engine.mixer import FITTED, RECENT_WORDS, Evidence, MixParameters, blend_counts
from autocomplete.engine.tokenizer import fold, fold_all
from autocomplete.personal import holdout
from autocomplete.personal.counting import (
    PRUNED_SHARE,
    _Counts,
    chunks,
    context_keys,
    counted,
    words_in_context,
)
from autocomplete.userdata import data_dir

HALF_LIFE_DAYS = 60.0  # a habit unused for two months counts half
FREQUENT = 100  # the user's most frequent words are candidates in every context
MAX_STORE_BYTES = 20_000_000  # the store's default size bound
STORED_ENTRY_BYTES = 36  # an entry's share of a compacted store (measured): the bound in entries
LEARN_CHUNK_CHARS = 750_000  # a big import is counted in pieces of this size, two at a time
MAX_FOLLOWERS = 50  # the words that most often followed a context are its candidates
MAX_COMPLETIONS = 50  # the most frequent learned words offered for a typed prefix
CACHED_CONTEXTS = 256  # contexts whose counts stay in memory once read
CACHED_PREFIXES = 1024  # typed prefixes whose completions stay in memory (one letter: many)
CACHE_KIB = 32_768  # SQLite's page cache: a bounded store's hot pages stay in memory
REFRESHED_WORDS = 500  # after learning more distinct words than this, re-read them all lazily
SCHEMA = """
CREATE TABLE IF NOT EXISTS ngrams (
    context TEXT NOT NULL,      -- '' for single words, 'em' or 'documento em' before the word
    word TEXT NOT NULL,         -- lower-case
    count REAL NOT NULL,        -- decayed count as of updated_at
    updated_at REAL NOT NULL,   -- unix time
    PRIMARY KEY (context, word)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS forms (word TEXT PRIMARY KEY, written TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocked (word TEXT PRIMARY KEY);
"""


def _decayed(now: str) -> str:
    """SQL for a row's count decayed to the time `now` (an SQL expression)."""
    return f"count * pow(0.5, max(0.0, {now} - updated_at) / {HALF_LIFE_DAYS * 86_400})"


# What is learned is staged in a temporary table, then added in the store's key order (much
# faster than one upsert per row): the stored count decays to now, then the new one is added.
UPSERT = (
    "INSERT INTO ngrams SELECT * FROM temp.learned WHERE true ORDER BY context, word "
    "ON CONFLICT (context, word) DO UPDATE SET "
    f"count = {_decayed('excluded.updated_at')} + excluded.count, "
    "updated_at = max(updated_at, excluded.updated_at)"
)

# The `limit` entries the pruning rule drops first (see the module's docstring).
RAREST = (
    f"SELECT context, word FROM ngrams ORDER BY {_decayed(':now')}, "
    "instr(context, ' ') = 0, context = '' LIMIT :limit"
)
# A context's words and their counts decayed to a time: parameters (time, context)
COUNTS_AFTER = f"SELECT word, {_decayed('?')} FROM ngrams WHERE context = ?"
SET_FORM = "INSERT OR REPLACE INTO forms VALUES (?, ?)"
UNIGRAMS = "SELECT word FROM ngrams WHERE context = ''"


def default_path() -> Path:
    return data_dir() / "personal.sqlite3"


@dataclass
class _Words:
    """The user's words in memory, as every prediction and completion needs them."""

    counts: dict[str, float]  # word -> decayed count when read
    total: float
    folded: list[tuple[str, str]]  # sorted (folded word, word), for completion
    frequent: list[str]  # the FREQUENT most used words, candidates in every context
    forms: dict[str, str]  # word -> written form, where it is not the lower-case word


@dataclass
class _Context:
    """The words seen after one context, read from the store when first needed."""

    counts: dict[str, float]  # word -> decayed count when read
    total: float
    top: list[str]  # the MAX_FOLLOWERS most frequent


def _problem(error: sqlite3.Error) -> str:
    """Why SQLite could not open the store: locked, damaged or unreadable."""
    name = getattr(error, "sqlite_errorname", "")  # Python 3.11+; the message before that
    text = str(error)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return "locked"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return "damaged"
    if "not a database" in text:  # SQLITE_NOTADB before Python 3.11
        return "damaged"
    return "unreadable"  # permissions, a folder in its place, an I/O error: not its contents


def _identity(path: Path) -> tuple[int, int] | None:
    """(st_dev, st_ino) of the file at `path`: which file it is, whatever its name; None if
    there is none."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


@dataclass
class Stats:
    path: Path
    words: int
    contexts: int
    blocked: int
    size_bytes: int


class PersonalModel:
    """The user's n-gram counts in a SQLite file, with what predictions need in memory.

    Over 150 lines: opening and checking the file (integrity, a damaged file moved aside),
    the size bound (pruning, compacting), learning, the block list and the reads predictions
    make (`distribution`, `completions`) share one connection, one lock and the in-memory
    words that `_sync` keeps in step with other editors. Counting is in counting.py and the
    mixing weight in engine/mixer.py; the reads are the next candidate to move out."""

    def __init__(
        self,
        path: Path | None = None,
        max_bytes: int = MAX_STORE_BYTES,
        mix: MixParameters | None = None,
        cache_kib: int = CACHE_KIB,
    ):
        self.path = Path(path) if path is not None else default_path()
        self.cache_kib = cache_kib  # SQLite's page cache
        # How the user's orders are blended (engine/mixer.MixParameters): given, else the
        # store's own fit (personal/fit.fit_store) once it has one, else the shipped one.
        self._given_mix = mix
        self.mix = mix or FITTED
        self.max_bytes = max_bytes  # the size bound (see the module's docstring)
        self.notice: str | None = None  # a message for the user about the store, if any
        self.problem: str | None = None  # why it could not be opened (for the CLI)
        self.moved_aside: Path | None = None  # where a damaged store was moved to
        self._lock = threading.Lock()
        self._words: _Words | None = None  # read when first needed, again after big changes
        self._blocked: set[str] = set()
        self._context = lru_cache(maxsize=CACHED_CONTEXTS)(self._read_context)
        self._prefix = lru_cache(maxsize=CACHED_PREFIXES)(self._read_prefix)
        self._recent_seen = lru_cache(maxsize=8)(self._read_recent_seen)
        self._seen_after = lru_cache(maxsize=4 * RECENT_WORDS)(self._read_seen_after)
        self._data_version: int | None = None  # PRAGMA data_version when last read
        self._connection: sqlite3.Connection | None = self._connect()

    # -- storage --------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            return self._open()
        except sqlite3.Error as error:
            problem = _problem(error)
            reason = str(error)
        except OSError as error:
            problem, reason = "unreadable", error.strerror or str(error)
        if problem == "locked":
            self.problem = "in use by another program"
            self.notice = "vocabulário pessoal em uso por outro programa: aprendizado desligado"
            return None
        if problem == "unreadable":  # the user's data may be intact: never moved aside
            self.problem = f"unreadable: {reason}"
            self.notice = f"vocabulário pessoal ilegível ({reason}): aprendizado desligado"
            return None
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        try:
            self.path.replace(aside)
            connection = self._open()
        except (sqlite3.Error, OSError) as error:
            self.problem = f"damaged, and it cannot be replaced: {error}"
            self.notice = "vocabulário pessoal danificado: aprendizado desligado"
            return None
        self.moved_aside = aside
        self.notice = f"vocabulário pessoal danificado; guardado em {aside.name}, começando do zero"
        return connection

    def _open(self) -> sqlite3.Connection:
        created = not self.path.exists()
        if created:  # create it private before SQLite writes anything into it
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        connection = sqlite3.connect(self.path, timeout=5, check_same_thread=False)
        try:
            try:
                connection.execute("SELECT pow(2, 1)")
            except sqlite3.OperationalError:  # an SQLite built without its math functions
                connection.create_function("pow", 2, math.pow, deterministic=True)
            connection.executescript(SCHEMA + holdout.SCHEMA)
            connection.execute("PRAGMA temp_store = MEMORY")  # what is learned, staged
            connection.execute(f"PRAGMA cache_size = -{self.cache_kib}")
            # A bad page deep inside a table passes a plain query: check every page.
            (verdict,) = connection.execute("PRAGMA quick_check(1)").fetchone()
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed: {verdict}")
            os.chmod(self.path, 0o600)
            self._connection = connection
            self._opened = _identity(self.path)  # see reopen_if_replaced
            self._load()
        except BaseException:
            connection.close()
            self._connection = None
            raise
        return connection

    def _load(self) -> None:
        """Forget what memory holds of the store (again, when another program changed it)."""
        (self._data_version,) = self._connection.execute("PRAGMA data_version").fetchone()
        self._blocked = {word for (word,) in self._connection.execute("SELECT word FROM blocked")}
        fitted = self._setting("mix")
        if self._given_mix is None:
            self.mix = MixParameters.from_json(fitted) if fitted else FITTED
        self._words = None
        self._forget_cached()

    def _sync(self) -> None:
        """Catch up with other editors and `learn` runs that wrote since we last read."""
        (version,) = self._connection.execute("PRAGMA data_version").fetchone()
        if version != self._data_version:
            self._load()

    def _read_words(self) -> _Words:
        counts = dict(self._connection.execute(COUNTS_AFTER, (time.time(), "")))
        return _Words(
            counts=counts,
            total=sum(counts.values()),
            folded=sorted(zip(fold_all(list(counts)), counts, strict=True)),
            frequent=heapq.nlargest(FREQUENT, counts, key=counts.__getitem__),
            forms=dict(self._connection.execute("SELECT word, written FROM forms")),
        )

    def _user_words(self) -> _Words | None:
        """The user's words, read when first needed; None without a readable store (then
        suggestions come from the model alone)."""
        if self._words is None and self._connection is not None:
            # Locked for longer than the timeout by a big import, or damaged since opened.
            with contextlib.suppress(sqlite3.Error):
                self._words = self._read_words()
        return self._words

    def _forget_cached(self) -> None:
        """Drop what was derived from the store's counts, after they changed."""
        self._context.cache_clear()
        self._prefix.cache_clear()
        self._recent_seen.cache_clear()
        self._seen_after.cache_clear()

    def _read_context(self, context: str) -> _Context:
        counts = dict(self._connection.execute(COUNTS_AFTER, (time.time(), context)))
        top = heapq.nlargest(MAX_FOLLOWERS, counts, key=counts.__getitem__)
        return _Context(counts=counts, total=sum(counts.values()), top=top)

    def _refresh(self, words: list[str]) -> None:
        """Bring the words in memory up to date after this session wrote `words`."""
        self._forget_cached()
        if self._words is None:
            return
        if len(words) > REFRESHED_WORDS:  # a big import: cheaper to read them all when needed
            self._words = None
            return
        known = self._words
        marks = ", ".join("?" * len(words))
        rows = self._connection.execute(
            f"{COUNTS_AFTER} AND word IN ({marks})", [time.time(), "", *words]
        )
        for word, count in rows:
            before = known.counts.get(word)
            if before is None:
                bisect.insort(known.folded, (fold(word), word))
            known.counts[word] = count
            known.total += count - (before or 0.0)
        for word in words:
            known.forms.pop(word, None)
        known.forms.update(
            self._connection.execute(
                f"SELECT word, written FROM forms WHERE word IN ({marks})", words
            )
        )
        candidates = set(known.frequent).union(words)  # only these counts changed
        known.frequent = heapq.nlargest(FREQUENT, candidates, key=known.counts.__getitem__)

    def _used_bytes(self) -> int:
        """The store's size without its free pages (which new entries fill first)."""
        (page_size,) = self._connection.execute("PRAGMA page_size").fetchone()
        (pages,) = self._connection.execute("PRAGMA page_count").fetchone()
        (free,) = self._connection.execute("PRAGMA freelist_count").fetchone()
        return (pages - free) * page_size

    def _prune(self) -> None:
        """Drop the rarest entries (the rule is in the module's docstring) until the store
        holds about PRUNED_SHARE of its bound."""
        used = self._used_bytes()
        (entries,) = self._connection.execute("SELECT count(*) FROM ngrams").fetchone()
        kept = int(entries * self.max_bytes * PRUNED_SHARE / used)  # entries are about alike
        with self._connection:
            self._connection.execute(
                f"DELETE FROM ngrams WHERE (context, word) IN ({RAREST})",
                {"now": time.time(), "limit": entries - kept},
            )
            self._connection.execute(
                "DELETE FROM forms WHERE word NOT IN (SELECT word FROM ngrams WHERE context = '')"
            )
        self._words = None
        self._forget_cached()

    def _compact(self) -> None:
        """Give the pages that pruning freed back to the file system."""
        # When another program is reading, VACUUM fails: the free pages get reused instead.
        with contextlib.suppress(sqlite3.OperationalError):
            self._connection.execute("VACUUM")

    def describe_bound(self) -> str:
        """The size bound and the pruning rule, in numbers."""
        return (
            f"size bound {self.max_bytes / 1e6:,.0f} MB: past it, the rarest words and phrases "
            f"(lowest decayed count; phrases first) are dropped down to "
            f"{self.max_bytes * PRUNED_SHARE / 1e6:,.0f} MB; blocked words are kept"
        )

    def reopen_if_replaced(self) -> bool:
        """Open the store again if the file at `path` is no longer the one opened (a `learn`
        run moved a damaged store aside and started a new one, the user moved or deleted
        it): the old connection would write where nobody reads, or fail. True if reopened."""
        with self._lock:
            if self._connection is None or _identity(self.path) == self._opened:
                return False
            self._connection.close()
            self.notice = self.problem = self.moved_aside = None  # about the old file
            self._connection = self._connect()
            return True

    @property
    def available(self) -> bool:
        """False when the store could not be opened: nothing is learned this session."""
        return self._connection is not None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- learning -------------------------------------------------------------------------
    def learn_text(
        self, text: str, chunk_chars: int = LEARN_CHUNK_CHARS, hold_out: bool = False
    ) -> int:
        """Count the words and phrases of `text`; returns how many words were learned."""
        return self.learn_texts([text], chunk_chars, hold_out)

    def learn_texts(
        self, texts: Iterable[str], chunk_chars: int = LEARN_CHUNK_CHARS, hold_out: bool = False
    ) -> int:
        """`learn_text` of several texts (pieces of a big file, or files) in one import.

        The store gets increments, not totals from memory, so that two editors and a
        `learn --forget` in between all keep what each of them did. The import is one
        transaction; the store is pruned when it takes it past its bound, and then
        compacted. With `hold_out`, one paragraph in holdout.HOLD_OUT_EVERY is set aside
        for fitting the mix instead (personal/fit.fit_store); the oldest set-aside
        paragraphs past the slice's bound are counted now.
        """
        if self._connection is None:
            return 0
        pieces = (piece for text in texts for piece in chunks(text, chunk_chars))
        splitter = holdout.Splitter(int(self._setting("paragraphs") or 0))
        if hold_out:
            pieces = itertools.chain(splitter.split(pieces), self._released(splitter, chunk_chars))
        counts = counted(pieces, max(1, self.max_bytes // STORED_ENTRY_BYTES))
        words = counts.distinct_words()
        if words:
            self._add(counts, words)
        return counts.learned

    def _released(self, splitter: holdout.Splitter, chunk_chars: int) -> Iterator[str]:
        """After the pieces of an import: the oldest set-aside paragraphs its own push past
        the slice's bound, counted in the same pass (one text, as `Splitter.split` yields
        what it keeps: a second pass held two sets of tables, and a chunk a paragraph
        merged into them each)."""
        yield from chunks("\n".join(self._hold(splitter)), chunk_chars)

    def _hold(self, splitter: holdout.Splitter) -> list[str]:
        """Store the paragraphs `splitter` set aside; returns the oldest ones released."""
        with self._lock, self._connection:
            self._connection.executemany(
                "INSERT INTO held_out (text) VALUES (?)", [(p,) for p in splitter.held]
            )
            self._set("paragraphs", str(splitter.seen))
            stored = self._connection.execute(
                "SELECT id, length(text) FROM held_out ORDER BY id"
            ).fetchall()
            released = holdout.overflow(stored)
            marks = ", ".join("?" * len(released))
            texts = [
                text
                for (text,) in self._connection.execute(
                    f"SELECT text FROM held_out WHERE id IN ({marks}) ORDER BY id", released
                )
            ]
            self._connection.execute(f"DELETE FROM held_out WHERE id IN ({marks})", released)
        return texts

    def held_out_text(self) -> str:
        """The paragraphs set aside for fitting (`learn_texts(hold_out=True)`), a line each."""
        with self._lock:
            if self._connection is None:
                return ""
            rows = self._connection.execute("SELECT text FROM held_out ORDER BY id")
            return "\n".join(text for (text,) in rows)

    def set_mix(self, mix: MixParameters, fitted_on: int) -> None:
        """Keep a mix fitted for this store (on `fitted_on` characters of its held-out
        text); from now on, and in later sessions, it weighs the user's counts."""
        with self._lock:
            if self._connection is None:
                return
            with self._connection:
                self._set("mix", mix.to_json())
                self._set("fitted_on", str(fitted_on))
            if self._given_mix is None:
                self.mix = mix
            self._sync()

    def fitted_on(self) -> int:
        """Characters of held-out text the stored mix was fitted on (0: none fitted)."""
        with self._lock:
            return int(self._setting("fitted_on") or 0) if self._connection is not None else 0

    def _setting(self, name: str) -> str | None:
        row = self._connection.execute(
            "SELECT value FROM settings WHERE name = ?", (name,)
        ).fetchone()
        return row[0] if row else None

    def _set(self, name: str, value: str) -> None:
        self._connection.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (name, value))

    def _add(self, counts: _Counts, words: list[str]) -> None:
        """Write what a text taught, pruning and compacting the store if it passed its bound."""
        # How the user writes each word away from forced capitals: "Ana", "WhatsApp".
        forms = counts.forms.items()
        with self._lock:
            with self._connection:  # one transaction
                self._connection.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS learned "
                    "(context TEXT, word TEXT, count REAL, updated_at REAL)"
                )
                self._connection.executemany(
                    "INSERT INTO temp.learned VALUES (?, ?, ?, ?)", counts.rows(time.time())
                )
                self._connection.execute(UPSERT)
                # Emptied within the transaction, so staged rows never outlive the import in
                # memory (an editor keeps its connection open); a rollback empties it too.
                self._connection.execute("DELETE FROM temp.learned")
                self._connection.executemany(SET_FORM, [(w, f) for w, f in forms if f != w])
                self._connection.executemany(
                    "DELETE FROM forms WHERE word = ?", [(w,) for w, f in forms if f == w]
                )
            if self._used_bytes() > self.max_bytes:
                self._prune()
                self._compact()
            else:
                self._refresh(words)
            self._sync()
            # The pages the import wrote fill the page cache (cache_kib); suggestions read
            # a few hot ones back, so a big import does not keep the rest resident.
            self._connection.execute("PRAGMA shrink_memory")

    def block(self, word: str) -> None:
        """Never suggest this word again (from the model or from what was learned)."""
        word = word.lower()
        with self._lock:
            self._blocked.add(word)
            if self._connection is not None:
                with self._connection:
                    self._connection.execute("INSERT OR IGNORE INTO blocked VALUES (?)", (word,))
                self._sync()

    def unblock(self, word: str) -> bool:
        """Let a blocked word be suggested again; False if it was not blocked."""
        word = word.lower()
        with self._lock:
            if self._connection is not None:
                self._sync()
                with self._connection:
                    self._connection.execute("DELETE FROM blocked WHERE word = ?", (word,))
            if word not in self._blocked:
                return False
            self._blocked.discard(word)
            return True

    def forget(self) -> Stats:
        """Erase everything learned, and the block list; returns what was erased."""
        with self._lock:
            if self._connection is None:
                return self._stats()
            self._sync()
            erased = self._stats()
            with self._connection:
                self._connection.executescript(
                    "DELETE FROM ngrams; DELETE FROM forms; DELETE FROM blocked; "
                    "DELETE FROM held_out; DELETE FROM settings;"
                )
            self._connection.execute("VACUUM")
            self._load()
        return erased

    def blocked_words(self) -> list[str]:
        return sorted(self._blocked)

    def words(self) -> set[str]:
        """Every word learned so far."""
        with self._lock:
            if self._connection is None:
                return set()
            return {w for (w,) in self._connection.execute(UNIGRAMS)}

    def stats(self) -> Stats:
        with self._lock:
            if self._connection is not None:
                self._sync()
            return self._stats()

    def _stats(self) -> Stats:
        size = self.path.stat().st_size if self.path.exists() else 0
        words = contexts = 0
        if self._connection is not None:
            (words,) = self._connection.execute(f"SELECT count(*) FROM ({UNIGRAMS})").fetchone()
            (contexts,) = self._connection.execute(
                "SELECT count(DISTINCT context) FROM ngrams WHERE context != ''"
            ).fetchone()
        return Stats(
            path=self.path,
            words=words,
            contexts=contexts,
            blocked=len(self._blocked),
            size_bytes=size,
        )

    # -- prediction -----------------------------------------------------------------------
    def is_blocked(self, word: str) -> bool:
        return word.lower() in self._blocked

    def written_form(self, word: str) -> str | None:
        with self._lock:
            known = self._user_words()
        return known.forms.get(word) if known is not None else None

    def next_words(
        self, tokens_before: list[str], words: list[str] | None = None
    ) -> tuple[dict[str, float], float]:
        """The user's next-word distribution after these tokens, and its mixing weight
        (engine/mixer.py: from the evidence `distribution` reports)."""
        distribution, evidence = self.distribution(tokens_before, words)
        return distribution, self.mix.counts_weight(evidence)

    def distribution(
        self, tokens_before: list[str], words: list[str] | None = None
    ) -> tuple[dict[str, float], Evidence]:
        """The user's next-word distribution after these tokens, and the evidence behind it.

        The user's word, one- and two-word context frequencies, blended as the fitted mix
        weighs them (engine/mixer.MixParameters.weights, `self.mix`): the longer a context
        and the more consistently the same words followed it, the more it counts. Only
        `words` are scored when given, else the words that most often followed these
        contexts and the most frequent ones.
        """
        levels = self.evidence(tokens_before)
        if words is None:
            words = list({word for level in levels for word in level.top})
        return blend_counts(levels, self.mix, words)

    def evidence(self, tokens_before: list[str]) -> list[_Context]:
        """What the user wrote at each order: their words, then the words after the one- and
        two-token contexts of `tokens_before` (empty where never seen); [] without a store."""
        with self._lock:
            known = self._user_words()
            if known is None:
                return []
            levels = [_Context(known.counts, known.total, known.frequent)]
            try:
                levels += [self._context(context) for context in context_keys(tokens_before)]
            except sqlite3.Error:  # as in _user_words: the words alone
                levels += [_Context({}, 0.0, []), _Context({}, 0.0, [])]
            return levels

    def followers(self, tokens_before: list[str]) -> tuple[dict[str, float], float]:
        """The words the user wrote after the last two of `tokens_before` (in their
        sentence), with their counts and total (personal/phrases.py)."""
        levels = self.evidence(tokens_before)
        return (levels[2].counts, levels[2].total) if levels else ({}, 0.0)

    def affinity(self, text: str) -> float | None:
        """How like the store the end of `text` is (engine/mixer.MixParameters.trust and
        text_affinity); None when the mix does not use it."""
        recent = self.recent_seen(text)
        return None if recent is None else self.mix.text_affinity(*recent)

    def recent_seen(self, text: str, words: int = RECENT_WORDS) -> tuple[int, int] | None:
        """(how many of the last `words` words of `text` the store had seen after their
        two-word context, how many words were read); None when the mix does not use it."""
        if not self.mix.affinity or self._connection is None:
            return None
        end = max(text.rfind(" "), text.rfind("\n")) + 1  # not the word being typed
        start = max(0, end - words * 12)
        # The same window for every letter of a word: read once (cached).
        return self._recent_seen(text[start:end], start > 0, words)

    def _read_recent_seen(self, window: str, cut: bool, words: int) -> tuple[int, int]:
        first = window.find(" ") + 1 if cut else 0  # the window's first word may be cut
        recent = words_in_context(window[first:])[-words:]
        with self._lock:
            return sum(map(self._seen_after, recent)), len(recent)

    def _read_seen_after(self, pair: tuple[str, str]) -> bool:
        # Cached apart from the contexts: a window's words are read again after every word,
        # long after the suggestions' reads have pushed their contexts out of `_context`.
        key, word = pair
        try:
            return self._context(key).counts.get(word, 0.0) > 0
        except sqlite3.Error:  # locked by another program: unseen (trusted less, never more)
            return False  # until the next change read clears the cache

    def completions(self, folded_prefix: str, tokens_before: list[str] | None = None) -> list[str]:
        """Learned words whose folded spelling starts with `folded_prefix`: the
        MAX_COMPLETIONS most frequent, where there are more, and those that most often
        followed the contexts of `tokens_before` (a name rare overall but always written
        after "trimestral da" is offered there, among many commoner words)."""
        with self._lock:
            if self._user_words() is None:
                return []
            words = list(self._prefix(folded_prefix))
            if tokens_before is not None:
                with contextlib.suppress(sqlite3.Error):  # as in next_words
                    followers = {
                        word
                        for context in context_keys(tokens_before)
                        for word in self._context(context).top
                    }
                    words += sorted(
                        word
                        for word in followers.difference(words)
                        if fold(word).startswith(folded_prefix)
                    )
            return words

    def _read_prefix(self, folded_prefix: str) -> tuple[str, ...]:
        known = self._words
        low = bisect.bisect_left(known.folded, (folded_prefix,))
        high = bisect.bisect_left(known.folded, (folded_prefix + "\U0010ffff",), lo=low)
        words = [word for _, word in known.folded[low:high]]
        if len(words) > MAX_COMPLETIONS:
            words = heapq.nlargest(MAX_COMPLETIONS, words, key=known.counts.__getitem__)
        return tuple(words)
