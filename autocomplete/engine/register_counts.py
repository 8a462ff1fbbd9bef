"""The register's counts: how e-mails and messages go on, read from the project's own corpus.

The shipped network learned the register of e-mail and chat only in part: it is a blend that
keeps 0.65 of the weights from before the register fine-tune, so that news, help pages and
hearings keep their perplexity (docs/training/register_weights.md). These counts bring back the
formulas it half learned ("Segue em" -> "anexo", "Aguardo seu" -> "retorno") where a context of
the register was seen: they are mixed with the model as the user's counts are (mixer.py, a
Dirichlet prior with its own β fitted on held-out text of the typing mix), before the user's
own words, which still move the result.

The counts are those of corpus/registro's training split (never its validation or test
split), counted as `learn` counts a text (personal/counting.py), in `register.npz` beside the
model file it completes (numpy arrays, no pickles); evaluation/register_fit.py writes it.
"""

from __future__ import annotations

import bisect
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from autocomplete.atomic import atomic_write
from autocomplete.engine.mixer import Evidence, MixParameters, blend_counts
from autocomplete.engine.tokenizer import fold
from autocomplete.errors import CheckpointError
from autocomplete.personal.counting import context_keys

FILE_NAME = "register.npz"
FORMAT = "autocomplete-register-counts-v1"
CANDIDATES = 50  # the words most often seen at an order are its candidates
COMPLETIONS = 50  # the most frequent words offered for a typed prefix
CACHED_CONTEXTS = 256


@dataclass(frozen=True)
class Level:
    """The words seen after one context (or overall), as fitting and mixing read them."""

    counts: dict[str, float]
    total: float
    top: list[str]


EMPTY = Level({}, 0.0, [])


class RegisterCounts:
    """Word, one-word-context and two-word-context counts, read with binary searches."""

    def __init__(
        self,
        vocabulary: list[str],
        words: np.ndarray,  # (n, 2) word id, count
        pairs: np.ndarray,  # (n, 3) context id, word id, count; sorted by context
        triples: np.ndarray,  # (n, 4) first and second context id, word id, count; sorted
        mix: MixParameters,
    ):
        self.vocabulary = vocabulary
        self.ids = {word: index for index, word in enumerate(vocabulary)}
        self._words = words
        self._pairs = pairs
        self._triples = triples
        self._triple_keys = triples[:, 0] * len(vocabulary) + triples[:, 1]
        self.mix = mix
        # A context is looked up on every keystroke of the word after it: read each once.
        self._after_one = lru_cache(maxsize=CACHED_CONTEXTS)(self._read_after_one)
        self._after_two = lru_cache(maxsize=CACHED_CONTEXTS)(self._read_after_two)

    # -- reading and writing --------------------------------------------------------------
    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[str, str, float, float]], mix: MixParameters
    ) -> RegisterCounts:
        """From the (context, word, count, time) rows personal/counting.py hands the user's
        store: context "" for the words, one token or two (space-separated) for the pairs
        and triples."""
        tables: list[dict[tuple[str, ...], int]] = [{}, {}, {}]
        for context, word, count, _ in rows:
            key = (*context.split(" "), word) if context else (word,)
            tables[len(key) - 1][key] = int(count)
        vocabulary = sorted({token for table in tables for key in table for token in key})
        ids = {word: index for index, word in enumerate(vocabulary)}

        def table(counts: dict[tuple[str, ...], int], width: int) -> np.ndarray:
            listed = sorted([*(ids[token] for token in key), n] for key, n in counts.items())
            return np.array(listed, dtype=np.int64).reshape(-1, width)

        words, pairs, triples = (
            table(t, width) for t, width in zip(tables, (2, 3, 4), strict=True)
        )
        return cls(vocabulary, words, pairs, triples, mix)

    @classmethod
    def read(cls, path: str | Path) -> RegisterCounts:
        """CheckpointError when the file is damaged or of another kind."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if data["format"].tobytes().decode() != FORMAT:
                    raise ValueError("not a register counts file")
                vocabulary = data["vocabulary"].tobytes().decode("utf-8").split("\n")
                mix = MixParameters.from_json(data["mix"].tobytes().decode())
                return cls(vocabulary, data["words"], data["pairs"], data["triples"], mix)
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as error:
            raise CheckpointError(f"cannot read the register counts {path}: {error}") from None

    def write(self, path: str | Path) -> None:
        def as_bytes(text: str) -> np.ndarray:
            return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)

        def save(file) -> None:
            np.savez_compressed(
                file,
                format=as_bytes(FORMAT),
                vocabulary=as_bytes("\n".join(self.vocabulary)),
                mix=as_bytes(self.mix.to_json()),
                words=self._words,
                pairs=self._pairs,
                triples=self._triples,
            )

        atomic_write(Path(path), save)

    # -- what the Suggester and fitting ask ------------------------------------------------
    def evidence(self, tokens_before: list[str]) -> list[Level]:
        """The words overall, then after the one- and two-token contexts of `tokens_before`
        (personal/counting.context_keys, as the user's store is asked)."""
        last, both = context_keys(tokens_before)
        second = both.split(" ", 1)[0]
        return [self._overall, self._after_one(last), self._after_two(second, last)]

    def distribution(
        self, tokens_before: list[str], words: list[str] | None = None
    ) -> tuple[dict[str, float], Evidence]:
        """P(word | the register, these tokens) for `words` (else the likeliest ones)."""
        levels = self.evidence(tokens_before)
        if words is None:
            words = list({word: None for level in levels for word in level.top})
        return blend_counts(levels, self.mix, words)

    def completions(self, folded_prefix: str, tokens_before: list[str] | None = None) -> list[str]:
        """Words starting with `folded_prefix`: the most frequent, and those that followed
        the contexts of `tokens_before`."""
        low = bisect.bisect_left(self._folded, (folded_prefix,))
        high = bisect.bisect_left(self._folded, (folded_prefix + "\U0010ffff",), lo=low)
        matching = [word for _, word in self._folded[low:high]]
        overall = self._overall.counts
        found = sorted(matching, key=lambda word: -overall[word])[:COMPLETIONS]
        if tokens_before is not None:
            followers = [w for level in self.evidence(tokens_before)[1:] for w in level.top]
            found += [
                word
                for word in dict.fromkeys(followers)
                if word not in found and fold(word).startswith(folded_prefix)
            ]
        return found

    # -- lookups -----------------------------------------------------------------------------
    @cached_property
    def _overall(self) -> Level:
        return self._rows(self._words)

    @cached_property
    def _folded(self) -> list[tuple[str, str]]:
        return sorted((fold(word), word) for word in self._overall.counts)

    def _read_after_one(self, last: str) -> Level:
        index = self.ids.get(last)
        if index is None:
            return EMPTY
        column = self._pairs[:, 0]
        low, high = np.searchsorted(column, index), np.searchsorted(column, index, "right")
        return self._rows(self._pairs[low:high, 1:])

    def _read_after_two(self, second: str, last: str) -> Level:
        first, then = self.ids.get(second), self.ids.get(last)
        if first is None or then is None:
            return EMPTY
        key = first * len(self.vocabulary) + then
        low = np.searchsorted(self._triple_keys, key)
        high = np.searchsorted(self._triple_keys, key, "right")
        return self._rows(self._triples[low:high, 2:])

    def _rows(self, rows: np.ndarray) -> Level:
        """(word id, count) rows as a Level (whole columns at a time: rows are many)."""
        ids, counts = rows[:, 0], rows[:, 1]
        words = [self.vocabulary[i] for i in ids.tolist()]
        top = np.argsort(-counts, kind="stable")[:CANDIDATES].tolist()
        return Level(
            dict(zip(words, map(float, counts.tolist()), strict=True)),
            float(counts.sum()),
            [words[i] for i in top],
        )


def beside(model_path: str | Path) -> RegisterCounts | None:
    """The register counts that complete the model file at `model_path`: the `register.npz`
    in its folder, if there is one (the shipped model's is in checkpoints/)."""
    path = Path(model_path).parent / FILE_NAME
    return RegisterCounts.read(path) if path.exists() else None
