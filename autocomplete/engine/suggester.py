"""Suggester: the one inference API, over any next-word model.

This is the one place that turns text into suggestions; the editor and `evaluate` both call
`suggest`, so what is measured is what the user gets. A Suggester composes:
- a next-word model (`NextWordModel`): the word LSTM run by numpy with its incremental cache
  (incremental.py), or the Kneser-Ney trigram baseline (ngram.py);
- the tokenizer that gives the model its ids and the words their usual case;
- the candidate index with the optional completion lexicon (ranking.WordIndex);
- the optional personal vocabulary (personal.py), mixed into the model's probabilities;
- the slip model (typos.py): completions of the prefixes one slip of the finger away from
  the typed one, offered as corrections.
It parses the text (ranking.parse), ranks, mixes and cases the words the same way whichever
model is behind it, so the LSTM and the baseline are measured on exactly the same terms.

A call with the same context as the previous one (another letter of the word being typed)
reuses the previous distribution and only filters it. One Suggester may be shared between
threads: the model and the caches are used under one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from autocomplete.engine import inference_file
from autocomplete.engine.document_cache import DocumentCache
from autocomplete.engine.incremental import IncrementalNetwork
from autocomplete.engine.inference_file import Inference
from autocomplete.engine.lexicon import Lexicon
from autocomplete.engine.phrases import MAX_WORDS, Phrase, PhraseFinder
from autocomplete.engine.ranking import (
    ContextIds,
    Query,
    Suggestion,
    Suggestions,
    WordIndex,
    parse,
)
from autocomplete.engine.tokenizer import Tokenizer, fold, pretokenize, sentence_before
from autocomplete.engine.typos import ErrorModel, SlipConfig, SlipPrefixes
from autocomplete.personal.store import PersonalModel
from autocomplete.text import is_abbreviation

__all__ = ["NextWordModel", "Phrase", "Suggester", "Suggestion", "Suggestions", "parse"]

PERSONAL_EXTRA = 10  # model candidates beyond k, so blocked or re-ranked words leave room
SLIPS = SlipConfig()  # the default error model; None turns slip corrections off


class NextWordModel(Protocol):
    """What a Suggester needs from a language model."""

    def next_log_probs(self, ids: Sequence[int]) -> np.ndarray:
        """log P(next token | ids) over the tokenizer's vocabulary; `ids` start with `</s>`.
        The caller does not write into the result (a model may return a cached array)."""
        ...


class PersonalWords(Protocol):
    """What a Suggester needs from the user's personal vocabulary (personal.PersonalModel)."""

    def next_words(
        self, tokens_before: list[str], words: list[str] | None = None
    ) -> tuple[dict[str, float], float]: ...
    def completions(
        self, folded_prefix: str, tokens_before: list[str] | None = None
    ) -> list[str]: ...
    def is_blocked(self, word: str) -> bool: ...
    def written_form(self, word: str) -> str | None: ...
    def learn_text(self, text: str) -> int: ...
    def block(self, word: str) -> None: ...
    @property
    def notice(self) -> str | None: ...


class Suggester:
    """Suggestions from a next-word model: `suggest(text, k)` is the whole contract."""

    def __init__(
        self,
        tokenizer: Tokenizer,
        model: NextWordModel,
        *,
        name: str = "model",
        personal: PersonalWords | None = None,
        lexicon: Lexicon | None = None,
        slips: SlipConfig | None = SLIPS,
        document_cache: DocumentCache | None = None,
    ):
        self.tokenizer = tokenizer
        self.document_cache = document_cache  # words of the open document (document_cache.py)
        self.model = model
        self.name = name  # shown in the editor's status bar
        self.personal = personal
        self.words = WordIndex(tokenizer, lexicon)
        self.error_model = ErrorModel(slips) if slips is not None else None
        self._slip_prefixes = (
            SlipPrefixes(self.words, self.error_model) if self.error_model is not None else None
        )
        self._lock = threading.RLock()
        self._context_ids = ContextIds(tokenizer)
        self._last_context: str | None = None
        self._last_ids: list[int] = []
        self._last_log_probs = np.empty(0)

    @classmethod
    def load(
        cls, path: str | Path | None = None, personal: bool = True, slips: SlipConfig | None = SLIPS
    ) -> Suggester:
        """Load a model (the shipped default when path is None); CheckpointError if bad.

        An .npz inference file is read by numpy alone; a training checkpoint (.pt) needs
        torch and is converted in memory (inference_file.read). With `personal`, suggestions
        mix in the user's own vocabulary (personal.py) from the user data folder;
        `personal=False` gives the bare model. `slips=None` offers no slip corrections.
        """
        loaded = inference_file.read(path if path is not None else inference_file.DEFAULT_MODEL)
        return cls.from_inference(
            loaded, personal=PersonalModel() if personal else None, slips=slips
        )

    @classmethod
    def from_inference(
        cls,
        loaded: Inference,
        *,
        name: str | None = None,
        personal: PersonalWords | None = None,
        slips: SlipConfig | None = SLIPS,
        document_cache: DocumentCache | None = None,
    ) -> Suggester:
        """Suggest with a loaded network, its tokenizer and its completion lexicon."""
        config = loaded.model.config
        return cls(
            loaded.tokenizer,
            IncrementalNetwork(loaded.model),
            name=name or f"{config.cell.upper()} {config.layers}x{config.hidden}",
            personal=personal,
            lexicon=loaded.lexicon,
            slips=slips,
            document_cache=document_cache,
        )

    @property
    def personal_notice(self) -> str | None:
        """A message for the user when the personal vocabulary could not be used as is."""
        return self.personal.notice if self.personal is not None else None

    def learn(self, text: str) -> int:
        """Add the user's text to the personal vocabulary; returns the words learned."""
        return self.personal.learn_text(text) if self.personal is not None else 0

    def block(self, word: str) -> None:
        """Never suggest `word` again (needs the personal vocabulary to remember it)."""
        if self.personal is not None:
            self.personal.block(word)

    def suggest_phrase(self, text: str, max_words: int = MAX_WORDS) -> Phrase | None:
        """The rest of the phrase at the end of `text`, up to `max_words` words, when the model
        is confident of more than the next word (see phrases.py); None otherwise."""
        return self._phrases.suggest(text, max_words)

    @cached_property
    def _phrases(self) -> PhraseFinder:
        return PhraseFinder(self)

    def next_log_probs(self, ids: Sequence[int]) -> np.ndarray:
        """The model's log P(next token | ids), read-only; see `NextWordModel`."""
        with self._lock:
            return self.model.next_log_probs(ids)

    def next_word_log_probs(self, context: str) -> np.ndarray:
        """log P(next token | the text `context`) over the vocabulary (read-only, cached)."""
        with self._lock:
            self._read(context)
            return self._last_log_probs

    def context_ids(self, context: str) -> list[int]:
        """The token ids the model reads for the text `context` (cached with its log-probs,
        so asking right after a suggestion for the same context tokenises nothing again)."""
        with self._lock:
            self._read(context)
            return list(self._last_ids)

    def _read(self, context: str) -> None:
        if context != self._last_context:
            self._last_ids = self._context_ids(context)
            self._last_log_probs = self.model.next_log_probs(self._last_ids)
            self._last_log_probs.setflags(write=False)  # shared by later calls
            self._last_context = context

    def suggest(self, text: str, k: int = 3, after: str = "") -> Suggestions:
        """The k likeliest words to insert at the end of `text`, best first, and the number
        of characters before the end that they replace (see `Suggestions`). `after`, the
        text after the cursor, is read by the document cache (when there is one) alone.

        `k` is an int >= 0 (ValueError otherwise). Beyond the model step and a linear-time
        partition of its output, a call costs O(k log k), so even k=10,000 is cheap.
        """
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"k must be an int >= 0 (the number of words wanted), not {k!r}")
        if k == 0 or not isinstance(text, str):
            return Suggestions()
        query = parse(text)
        if query is None:
            return Suggestions()
        log_probs = self.next_word_log_probs(query.context)
        if self.document_cache is not None:
            self.document_cache.read(query.context, after)
        corrections: dict[str, float] = {}
        if query.partial:
            folded = fold(query.partial)
            # P(the word starts with what was typed): once per call, for both uses below.
            given = self.words.prefix_probability(folded, log_probs)
            scored = self._completions(query, folded, log_probs, given, k)
            if self._slip_prefixes is not None:
                scored, corrections = self._with_slips(scored, query, folded, log_probs, given, k)
        else:
            scored = self.words.next_words(log_probs, k + PERSONAL_EXTRA)
            if self.personal is not None:
                scored = self._mix_personal(scored, query, log_probs, 1.0, "")
            if self.document_cache is not None:
                scored = self._mix_cache(scored, query, log_probs, 1.0, "", k)
        ranked = [(p, word, False) for word, p in scored.items()]
        ranked += [(p, word, True) for word, p in corrections.items()]
        result = Suggestions(replace=len(query.partial))
        offered: set[str] = set()
        for prob, word, correction in sorted(ranked, key=lambda item: -item[0]):
            cased = self._cased(word, query)
            # Distinct words can case to the same text (e.g. upper-casing); offer it once.
            if cased not in offered:
                offered.add(cased)
                result.append(Suggestion(word=cased, prob=prob, correction=correction))
                if len(result) == k:
                    break
        return result

    def _completions(
        self, query: Query, folded: str, log_probs: np.ndarray, given: float, k: int
    ) -> dict[str, float]:
        """P(word | context, its folded spelling starts with `folded`), the user's words mixed
        in; `given` is the model's P(the word starts so)."""
        scored = self.words.completions(folded, log_probs, given, k + PERSONAL_EXTRA)
        if self.personal is not None:
            scored = self._mix_personal(scored, query, log_probs, given, folded)
        if self.document_cache is not None:
            scored = self._mix_cache(scored, query, log_probs, given, folded, k)
        return scored

    def _mix_cache(
        self,
        scored: dict[str, float],
        query: Query,
        log_probs: np.ndarray,
        given: float,
        folded: str,
        k: int,
    ) -> dict[str, float]:
        """Mix in the document's words: (1 - w) * P + w * P_cache, where w is the cache's
        fitted weight (given the prefix: its share of words so spelt against the model's)."""
        cache = self.document_cache
        last = pretokenize(query.context[-100:])[-1:]
        previous = last[0] if last else None
        words = cache.candidates(previous, folded, k + PERSONAL_EXTRA)
        probs = cache.probabilities(previous, {*words, *scored})
        if not probs:
            return scored
        weight = cache.parameters.weight
        if folded:
            mass = sum(probs[w] for w in words)
            weight = weight * mass / (weight * mass + (1 - weight) * given) if mass > 0 else 0.0
            probs = {w: p / mass for w, p in probs.items()} if mass > 0 else {}
        mixed = {w: (1 - weight) * p for w, p in scored.items()}
        for word in words:
            if word not in mixed and not (self.personal and self.personal.is_blocked(word)):
                model_p = self.words.word_probability(word, log_probs) / given if given else 0.0
                mixed[word] = (1 - weight) * model_p
        for word in mixed:
            mixed[word] += weight * probs.get(word, 0.0)
        return mixed

    def _with_slips(
        self,
        scored: dict[str, float],
        query: Query,
        folded: str,
        log_probs: np.ndarray,
        given: float,
        k: int,
    ) -> tuple[dict[str, float], dict[str, float]]:
        """The completions of what was typed and the corrections of a slip in it, each with
        P(word | context, typed) by the noisy channel: P(word | context) * P(typed | word),
        where a completion was typed with no slip. Both are completed by the same path, so a
        blocked word is no correction either."""
        prefixes = self._slip_prefixes.likeliest(folded, log_probs)
        if not prefixes:
            return scored, {}
        clean = given * self.error_model.clean(len(folded))
        total = clean + sum(p_typed * given_there for p_typed, given_there in prefixes.values())
        corrections: dict[str, float] = {}
        for prefix, (p_typed, given_there) in prefixes.items():
            weight = p_typed * given_there / total
            for word, p in self._completions(query, prefix, log_probs, given_there, k).items():
                # A word starting with the typed letters is a completion, scored above.
                if not fold(word).startswith(folded) and p * weight > corrections.get(word, 0):
                    corrections[word] = p * weight
        return {word: p * clean / total for word, p in scored.items()}, corrections

    def _mix_personal(
        self,
        scored: dict[str, float],
        query: Query,
        log_probs: np.ndarray,
        given: float,
        folded: str,
    ) -> dict[str, float]:
        """Mix in what the user wrote: (1 - w) * P_model + w * P_user, blocked words out.

        Words the model has never seen (names, "e-mail") enter through P_user alone. `folded`
        is the prefix the word starts with ("" for a next word) and `given` the model's
        probability of it (1 for a next word).
        """
        personal = self.personal
        before = sentence_before(query.context)  # the context as learning counts it
        if folded:
            candidates = personal.completions(folded, before)
            mine, weight = personal.next_words(before, candidates)
            total = sum(mine.values())
            # Given the prefix: the user's probability of a word so spelt against the
            # model's (`given`), so a user who rarely writes "qu..." moves "qu" little.
            mass = weight * total
            weight = mass / (mass + (1 - weight) * given) if mass > 0 else 0.0
            mine = {w: p / total for w, p in mine.items()} if total > 0 else {}
        else:
            mine, weight = personal.next_words(before)
        mixed = {w: (1 - weight) * p for w, p in scored.items() if not personal.is_blocked(w)}
        # The model's probability for user words outside its top candidates (given the prefix).
        for word, p in mine.items():
            if personal.is_blocked(word):
                continue
            if word not in mixed:
                model_p = self.words.word_probability(word, log_probs) / given if given else 0.0
                mixed[word] = (1 - weight) * model_p
            mixed[word] += weight * p
        return mixed

    def _cased(self, word: str, query: Query) -> str:
        """How to write `word` here: as the user or the corpus usually writes it, with its
        abbreviation's full stop, upper-cased after a typed capital, capitalised where a
        capital is forced (text.capital_forced)."""
        written = self.personal.written_form(word) if self.personal is not None else None
        if written is None and self.document_cache is not None:
            written = self.document_cache.written_form(word)
        word = written or self.tokenizer.display(word)
        if is_abbreviation(word):  # "Sr." and "pág.", never a bare "Sr"
            word += "."
        typed = query.partial
        if len(typed) > 1 and typed.isupper():
            return word.upper()
        if (typed and typed[0].isupper()) or (not typed and query.sentence_start):
            return word[:1].upper() + word[1:]
        return word
