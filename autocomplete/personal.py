"""What the editor learns from its user: their words and short phrases, with recency.

A network trained on 19th-century novels has never seen "e-mail", the names of the user's
colleagues or the phrases they write every day. Like phone keyboards, we keep counts of the
user's own words and of the one- and two-word contexts they follow, and the Suggester mixes
this small n-gram model with the LSTM (see `PersonalModel.next_words`).

Storage is SQLite (transactional, so two editors open at once cannot corrupt it), readable by
the user only (mode 0600), in the user's data folder. Counts decay with a half-life, so
recent habits outweigh old ones. A copy of everything lives in memory for fast lookups.
"""

from __future__ import annotations

import bisect
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from autocomplete.corpus import paragraphs, sentences
from autocomplete.text import is_word, shows_usual_case
from autocomplete.tokenizer import EOS, fold, pretokenize
from autocomplete.userdata import data_dir

HALF_LIFE_DAYS = 60.0  # a habit unused for two months counts half
MAX_WORD_LENGTH = 40  # longer "words" are noise (pasted hashes, URLs) and are not learned
MIX_MAX = 0.6  # the personal weight for a context always followed by the same word
EVIDENCE_PRIOR = 1.0  # observations of a context at which its weight reaches MIX_MAX / 2
UNIGRAM_WEIGHT = 0.05  # weight of the user's plain word frequencies in any context
FREQUENT = 100  # the user's most frequent words are candidates in every context
SCHEMA = """
CREATE TABLE IF NOT EXISTS ngrams (
    context TEXT NOT NULL,      -- '' for single words, 'em' or 'documento em' before the word
    word TEXT NOT NULL,         -- lower-case
    count REAL NOT NULL,        -- decayed count as of updated_at
    updated_at REAL NOT NULL,   -- unix time
    PRIMARY KEY (context, word)
);
CREATE TABLE IF NOT EXISTS forms (word TEXT PRIMARY KEY, written TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blocked (word TEXT PRIMARY KEY);
"""


# An increment: the stored count decays to now, then the new observations are added.
UPSERT = (
    "INSERT INTO ngrams VALUES (?, ?, ?, ?) ON CONFLICT (context, word) DO UPDATE SET "
    "count = decay(count, updated_at, excluded.updated_at) + excluded.count, "
    "updated_at = max(updated_at, excluded.updated_at) RETURNING count"
)
SET_FORM = "INSERT OR REPLACE INTO forms VALUES (?, ?)"


def default_path() -> Path:
    return data_dir() / "personal.sqlite3"


def _decay(count: float, since: float, now: float) -> float:
    return count * 0.5 ** (max(0.0, now - since) / (HALF_LIFE_DAYS * 86_400))


def context_keys(tokens: list[str]) -> tuple[str, str]:
    """('em', 'documento em') for the lower-cased tokens before a word."""
    last = [t.lower() for t in tokens[-2:]]
    while len(last) < 2:
        last.insert(0, EOS)
    return last[1], f"{last[0]} {last[1]}"


def _events(text: str):
    """(bigram context, trigram context, word, written form) for every word of the text.

    The written form is None where the case shows nothing about how the user writes the word
    (text.shows_usual_case): "Não" at a sentence start says nothing about "não".
    """
    for paragraph in paragraphs(text):
        for sentence in sentences(paragraph):
            tokens = [t for t in pretokenize(sentence) if len(t) <= MAX_WORD_LENGTH]
            for position, token in enumerate(tokens):
                if is_word(token) and not token.isdigit():
                    before = tokens[:position]
                    short, long = context_keys(before)
                    yield short, long, token.lower(), token if shows_usual_case(before) else None


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


@dataclass
class Stats:
    path: Path
    words: int
    contexts: int
    blocked: int
    size_bytes: int


class PersonalModel:
    """In-memory n-gram counts backed by a SQLite file."""

    def __init__(self, path: Path | None = None, writable: bool = True):
        self.path = Path(path) if path is not None else default_path()
        self.notice: str | None = None  # a message for the user about the store, if any
        self.problem: str | None = None  # why it could not be opened (for the CLI)
        self.moved_aside: Path | None = None  # where a damaged store was moved to
        self.writable = writable
        self._lock = threading.Lock()
        self._counts: dict[str, dict[str, tuple[float, float]]] = {}
        self._totals: dict[str, float] = {}
        self._forms: dict[str, str] = {}
        self._blocked: set[str] = set()
        self._folded: list[tuple[str, str]] = []  # sorted (folded word, word) for completion
        self._frequent: list[str] = []  # the user's most used words, always candidates
        self._data_version: int | None = None  # PRAGMA data_version when last read
        self._connection: sqlite3.Connection | None = None
        if writable:
            self._connection = self._connect()

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
            connection.create_function("decay", 3, _decay, deterministic=True)
            connection.executescript(SCHEMA)
            # A bad page deep inside a table passes a plain query: check every page.
            (verdict,) = connection.execute("PRAGMA quick_check(1)").fetchone()
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed: {verdict}")
            os.chmod(self.path, 0o600)
            self._connection = connection
            self._load()
        except BaseException:
            connection.close()
            self._connection = None
            raise
        return connection

    def _load(self) -> None:
        """Read the whole store into memory (again, when another program has changed it)."""
        (self._data_version,) = self._connection.execute("PRAGMA data_version").fetchone()
        self._counts = {}
        rows = self._connection.execute("SELECT context, word, count, updated_at FROM ngrams")
        for context, word, count, updated_at in rows:
            self._counts.setdefault(context, {})[word] = (count, updated_at)
        now = time.time()
        self._totals = {
            context: sum(_decay(c, t, now) for c, t in words.values())
            for context, words in self._counts.items()
        }
        self._forms = dict(self._connection.execute("SELECT word, written FROM forms"))
        self._blocked = {word for (word,) in self._connection.execute("SELECT word FROM blocked")}
        self._folded = sorted((fold(word), word) for word in self._counts.get("", {}))
        self._refresh_frequent()

    def _sync(self) -> None:
        """Catch up with other editors and `learn` runs that wrote since we last read."""
        (version,) = self._connection.execute("PRAGMA data_version").fetchone()
        if version != self._data_version:
            self._load()

    def _refresh_frequent(self) -> None:
        unigrams = self._counts.get("", {})
        self._frequent = sorted(unigrams, key=lambda w: unigrams[w][0], reverse=True)[:FREQUENT]

    @property
    def available(self) -> bool:
        """False when the store could not be opened: nothing is learned this session."""
        return self._connection is not None

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # -- learning -------------------------------------------------------------------------
    def learn_text(self, text: str) -> int:
        """Count the words and phrases of `text`; returns how many words were learned.

        The store gets increments, not totals from memory, so that two editors and a
        `learn --forget` in between all keep what each of them did.
        """
        if self._connection is None:
            return 0
        updates: dict[tuple[str, str], float] = {}
        forms: dict[str, str] = {}
        learned = 0
        for short, long, word, written in _events(text):
            for context in ("", short, long):
                updates[(context, word)] = updates.get((context, word), 0.0) + 1.0
            if written is not None:
                forms[word] = written
            learned += 1
        if not learned:
            return 0
        now = time.time()
        with self._lock:
            with self._connection:  # one transaction
                stored = {
                    key: self._connection.execute(UPSERT, (*key, added, now)).fetchone()[0]
                    for key, added in updates.items()
                }
                # How the user writes each word away from forced capitals: "Ana", "WhatsApp".
                for word, written in forms.items():
                    if written != word:
                        self._connection.execute(SET_FORM, (word, written))
                    else:
                        self._connection.execute("DELETE FROM forms WHERE word = ?", (word,))
            self._remember(updates, stored, forms, now)
            self._sync()
        return learned

    def _remember(
        self,
        updates: dict[tuple[str, str], float],
        stored: dict[tuple[str, str], float],
        forms: dict[str, str],
        now: float,
    ) -> None:
        """Bring the in-memory copy up to what this session has just written."""
        for (context, word), count in stored.items():
            words = self._counts.setdefault(context, {})
            if context == "" and word not in words:
                bisect.insort(self._folded, (fold(word), word))
            words[word] = (count, now)
            self._totals[context] = self._totals.get(context, 0.0) + updates[(context, word)]
        self._refresh_frequent()
        for word, written in forms.items():
            if written != word:
                self._forms[word] = written
            else:
                self._forms.pop(word, None)

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
            if self._connection is not None:
                self._sync()
            erased = self._stats()
            self._counts.clear()
            self._totals.clear()
            self._forms.clear()
            self._blocked.clear()
            self._folded.clear()
            self._frequent.clear()
            if self._connection is not None:
                with self._connection:
                    self._connection.executescript(
                        "DELETE FROM ngrams; DELETE FROM forms; DELETE FROM blocked;"
                    )
                self._connection.execute("VACUUM")
        return erased

    def blocked_words(self) -> list[str]:
        return sorted(self._blocked)

    def words(self) -> set[str]:
        """Every word learned so far."""
        with self._lock:
            return set(self._counts.get("", {}))

    def stats(self) -> Stats:
        with self._lock:
            if self._connection is not None:
                self._sync()
            return self._stats()

    def _stats(self) -> Stats:
        size = self.path.stat().st_size if self.path.exists() else 0
        return Stats(
            path=self.path,
            words=len(self._counts.get("", {})),
            contexts=len(self._counts) - (1 if "" in self._counts else 0),
            blocked=len(self._blocked),
            size_bytes=size,
        )

    # -- prediction -----------------------------------------------------------------------
    def is_blocked(self, word: str) -> bool:
        return word.lower() in self._blocked

    def written_form(self, word: str) -> str | None:
        return self._forms.get(word)

    def next_words(
        self, tokens_before: list[str], words: list[str] | None = None
    ) -> tuple[dict[str, float], float]:
        """The user's next-word distribution after these tokens, and its mixing weight.

        Interpolates trigram -> bigram -> unigram counts (each level backs off to the one
        below in proportion to how little it has seen); the weight grows with the evidence
        for the longest context seen, from UNIGRAM_WEIGHT up to MIX_MAX. Only `words` are
        scored when given, else the words seen in these contexts and the most frequent ones.
        """
        short, long = context_keys(tokens_before)
        now = time.time()
        with self._lock:
            levels = [c for c in ("", short, long) if self._totals.get(c, 0.0) > 0]
            if not levels:
                return {}, 0.0
            if words is None:
                candidates = set(self._frequent)
                for context in levels[1:]:
                    candidates.update(self._counts[context])
            else:
                candidates = set(words)
            distribution = dict.fromkeys(candidates, 0.0)
            for level, context in enumerate(levels):
                seen, total = self._counts[context], self._totals[context]
                keep = 1.0 if level == 0 else total / (total + EVIDENCE_PRIOR)
                for word in candidates:
                    count, since = seen.get(word, (0.0, now))
                    distribution[word] = (1 - keep) * distribution[word] + keep * _decay(
                        count, since, now
                    ) / total
        weight = UNIGRAM_WEIGHT
        if len(levels) > 1:
            # Trust the longest context seen in proportion to how often it was seen and how
            # consistently one word followed it: "documento em" -> "anexo" every time earns
            # a large weight; "de", followed by a different word each time, almost none.
            total, types = self._totals[levels[-1]], len(self._counts[levels[-1]])
            repeat = max(0.0, 1.0 - (types - 1) / total)
            weight += (MIX_MAX - UNIGRAM_WEIGHT) * total / (total + EVIDENCE_PRIOR) * repeat
        return distribution, weight

    def completions(self, folded_prefix: str) -> list[str]:
        """Learned words whose folded spelling starts with `folded_prefix`."""
        with self._lock:
            low = bisect.bisect_left(self._folded, (folded_prefix,))
            high = bisect.bisect_left(self._folded, (folded_prefix + "\U0010ffff",), lo=low)
            return [word for _, word in self._folded[low:high]]
