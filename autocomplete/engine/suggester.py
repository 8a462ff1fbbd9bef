"""Suggester: the one inference API, over any next-word model.

This is the one place that turns text into suggestions; the editor and `evaluate` both call
`suggest`, so what is measured is what the user gets. One way through, stage by stage:

    text -> Query (query.py: parsed once, with the context's ids)
         -> the model's distribution (`NextWordModel`, incremental.py) -> Reading
         -> each candidate source (sources.py: model vocabulary, completion lexicon,
            personal vocabulary) -> one mixer (mixer.py)
         -> slip corrections (typos.py: the same sources for the prefixes one slip of the
            finger away, weighed by the noisy channel, marked as corrections)
         -> blocked words out -> casing (casing.py) -> Suggestions
    phrases (phrases.py) extend the returned top word.

The model is the word LSTM run by numpy with its incremental cache, or the Kneser-Ney trigram
baseline (ngram.py): the stages are the same whichever model is behind it, so the LSTM and
the baseline are measured on exactly the same terms.

A call with the same context as the previous one (another letter of the word being typed)
reuses the previous distribution and only filters it. One Suggester may be shared between
threads: the model and the caches are used under one lock.
"""

from __future__ import annotations

import contextlib
import dataclasses
import heapq
import threading
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path
from typing import Protocol

import numpy as np

from autocomplete.engine import inference_file, mixer, register_counts
from autocomplete.engine.casing import Casing
from autocomplete.engine.document_cache import DocumentCache, DocumentSource
from autocomplete.engine.incremental import IncrementalNetwork
from autocomplete.engine.inference_file import Inference
from autocomplete.engine.lexicon import Lexicon
from autocomplete.engine.mixer import Candidates
from autocomplete.engine.phrases import MAX_WORDS, Phrase, PhraseFinder
from autocomplete.engine.query import ContextIds, Query, parse
from autocomplete.engine.ranking import Suggestion, Suggestions, WordIndex
from autocomplete.engine.register_counts import RegisterCounts
from autocomplete.engine.sources import (
    CandidateSource,
    CompletionLexicon,
    CountsVocabulary,
    ModelVocabulary,
    PersonalCounts,
    PersonalVocabulary,
    Reading,
)
from autocomplete.engine.tokenizer import Tokenizer, pretokenize, sentence_before
from autocomplete.engine.typos import ErrorModel, SlipConfig, SlipCorrections
from autocomplete.personal import fit
from autocomplete.personal.phrases import user_phrase
from autocomplete.personal.store import PersonalModel

__all__ = ["NextWordModel", "Phrase", "Suggester", "Suggestion", "Suggestions", "parse"]

PERSONAL_EXTRA = 10  # model candidates beyond k, so blocked or re-ranked words leave room
SLIPS = SlipConfig()  # the default error model; None turns slip corrections off


class NextWordModel(Protocol):
    """What a Suggester needs from a language model."""

    def next_log_probs(self, ids: Sequence[int]) -> np.ndarray:
        """log P(next token | ids) over the tokenizer's vocabulary; `ids` start with `</s>`.
        The caller does not write into the result (a model may return a cached array)."""
        ...


class PersonalWords(PersonalCounts, Protocol):
    """What a Suggester needs from the user's personal vocabulary (personal.PersonalModel)."""

    def is_blocked(self, word: str) -> bool: ...
    def written_form(self, word: str) -> str | None: ...
    def learn_text(self, text: str, hold_out: bool = False) -> int: ...
    def block(self, word: str) -> None: ...
    def reopen_if_replaced(self) -> bool: ...
    @property
    def notice(self) -> str | None: ...


class Suggester:
    """Suggestions from a next-word model: `suggest(text, k)` is the whole contract.

    Over 150 lines as the one public face of serving: loading, the thread-safe model cache,
    learning and blocking, phrases. The stages themselves live in their own modules (the
    module's docstring); `suggest` only runs them in order."""

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
        register: RegisterCounts | None = None,
    ):
        self.tokenizer = tokenizer
        self.model = model
        self.name = name  # shown in the editor's status bar
        self.personal = personal
        self.words = WordIndex(tokenizer, lexicon)
        # The stages after the query (the module's docstring), in order.
        self.sources: list[CandidateSource] = [
            ModelVocabulary(self.words),
            CompletionLexicon(self.words),
        ]
        if register is not None:  # e-mail and chat formulas, before the user's own words
            self.sources.append(CountsVocabulary(register))
        if personal is not None:
            self.sources.append(PersonalVocabulary(personal))
        self.document_cache = document_cache  # the open document's words (document_cache.py)
        if document_cache is not None:
            self.sources.append(DocumentSource(document_cache))
        self.error_model = ErrorModel(slips) if slips is not None else None
        # The source of corrections, run after the mix: it completes other prefixes by it.
        self.slips = (
            SlipCorrections(self.words, self.error_model, self._mixed)
            if self.error_model is not None
            else None
        )
        self.casing = Casing(tokenizer, self._written_form)
        self._lock = threading.RLock()
        self._context_ids = ContextIds(tokenizer)
        self._last_context: str | None = None
        self._last_ids: list[int] = []
        self._last_log_probs = np.empty(0)
        self._last_suggested: tuple[str, Suggestions] | None = None  # for suggest_phrase

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        personal: bool = True,
        slips: SlipConfig | None = SLIPS,
        document_cache: bool = False,
    ) -> Suggester:
        """Load a model (the shipped default when path is None); CheckpointError if bad.

        An .npz inference file is read by numpy alone; a training checkpoint (.pt) needs
        torch and is converted in memory (inference_file.read). With `personal`, suggestions
        mix in the user's own vocabulary (personal.py) from the user data folder;
        `personal=False` gives the bare model. `slips=None` offers no slip corrections.
        With `document_cache`, the words of the text passed to `suggest` (the open document)
        come back (document_cache.py). The register's counts beside the model file are mixed
        in when there are some (register_counts.py: the shipped model has them).
        """
        path = path if path is not None else inference_file.DEFAULT_MODEL
        loaded = inference_file.read(path)
        return cls.from_inference(
            loaded,
            personal=PersonalModel() if personal else None,
            slips=slips,
            document_cache=DocumentCache() if document_cache else None,
            register=register_counts.beside(path),
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
        register: RegisterCounts | None = None,
    ) -> Suggester:
        """Suggest with a loaded network, its tokenizer and its completion lexicon (and the
        register's counts, when given)."""
        config = loaded.model.config
        return cls(
            loaded.tokenizer,
            IncrementalNetwork(loaded.model),
            name=name or f"{config.cell.upper()} {config.layers}x{config.hidden}",
            personal=personal,
            lexicon=loaded.lexicon,
            slips=slips,
            document_cache=document_cache,
            register=register,
        )

    def add_document_cache(self, cache: DocumentCache | None = None) -> None:
        """From now on, the words of the text passed to `suggest` come back (the editor's
        open document: document_cache.py)."""
        with self._lock:
            self.document_cache = cache or DocumentCache()
            self.sources.append(DocumentSource(self.document_cache))

    @property
    def personal_notice(self) -> str | None:
        """A message for the user when the personal vocabulary could not be used as is."""
        return self.personal.notice if self.personal is not None else None

    def learn(self, text: str, refit: bool = True) -> int:
        """Add the user's text to the personal vocabulary; returns the words learned. One
        paragraph in ten is set aside, and with `refit` the mix is fitted again on those once
        they grew (`refit_mix`): the editor's saves fit the mix to the user."""
        self._last_suggested = None
        if self.personal is None:
            return 0
        learned = self.personal.learn_text(text, hold_out=True)
        if refit:
            self.refit_mix()
        return learned

    def refit_mix(self) -> bool:
        """Fit the personal mix again if its held-out slice grew enough since the last fit
        (personal/fit.py); True if it did. A few seconds of the model, on a copy of the
        network of its own: suggestions go on meanwhile, so a caller holds nothing they wait
        for."""
        if not isinstance(self.personal, PersonalModel) or not fit.refit_due(self.personal):
            return False
        if fit.fit_store(self.personal, self.model_probability()) is None:
            return False
        self._last_suggested = None
        return True

    def model_probability(self) -> Callable[[str, str], float]:
        """P(word | the text before it) by the model alone, for fitting: on its own copy of
        the network's state when it has one, so that the suggestions' cache is left alone."""
        model = self.model
        if isinstance(model, IncrementalNetwork):
            # Each word after the one before: the last state is all it resumes from, and 64
            # kept states, each with its distribution, held 6 MB more in a big import's fit.
            model = IncrementalNetwork(model.network, history=1)
        context_ids = ContextIds(self.tokenizer)

        def probability(before: str, word: str) -> float:
            with self._lock if model is self.model else contextlib.nullcontext():
                log_probs = model.next_log_probs(context_ids(before))
            return self.words.word_probability(word, log_probs)

        return probability

    def reopen_personal_if_replaced(self) -> bool:
        """Reopen the personal vocabulary if its file was replaced or moved since it was
        opened (by a `learn` run, or by hand); True if it was."""
        reopened = self.personal is not None and self.personal.reopen_if_replaced()
        if reopened:
            self._last_suggested = None  # ranked with the old file's words
        return reopened

    def block(self, word: str) -> None:
        """Never suggest `word` again (needs the personal vocabulary to remember it)."""
        self._last_suggested = None
        if self.personal is not None:
            self.personal.block(word)

    def suggest_phrase(self, text: str, max_words: int = MAX_WORDS) -> Phrase | None:
        """The rest of the phrase at the end of `text`, up to `max_words` words, when the model
        is confident of more than the next word (see phrases.py); None otherwise.

        Right after `suggest(text)` (the editor asks both on every keystroke), the phrase
        starts from that call's top word instead of ranking the words again."""
        last = self._last_suggested
        top = last[1][:1] if last is not None and last[0] == text and last[1] else None
        first = Suggestions(top, replace=last[1].replace) if top else None
        return self.phrases.suggest(text, max_words, first=first)

    @cached_property
    def phrases(self) -> PhraseFinder:
        """The phrase finder over this Suggester: the user's phrases, then the model's."""
        return PhraseFinder(self, user=self._user_phrase if self.personal is not None else None)

    def _user_phrase(self, context: str, threshold: float) -> list[tuple[str, float]]:
        """The user's phrase after `context` (personal/phrases.py), each word as the user
        writes it."""
        if not isinstance(self.personal, PersonalModel):
            return []
        phrase = user_phrase(self.personal, sentence_before(context), threshold)
        return [(self._written_form(w) or self.tokenizer.display(w), p) for w, p in phrase]

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

    def suggest(self, text: str, k: int = 3, after: str | None = None) -> Suggestions:
        """The k likeliest words to insert at the end of `text`, best first, and the number
        of characters before the end that they replace (see `Suggestions`). `after`, the
        text after the cursor, is read by the document cache alone (when there is one;
        None: as last given).

        `k` is an int >= 0 (ValueError otherwise). Beyond the model step and a linear-time
        partition of its output, a call costs O(k log k), so even k=10,000 is cheap.
        """
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"k must be an int >= 0 (the number of words wanted), not {k!r}")
        if k == 0 or not isinstance(text, str):
            return Suggestions()
        query = self.query(text)
        if query is None:
            return Suggestions()
        if self.document_cache is not None:
            self.document_cache.read(query.context, after)
        result = self._ranked(query, self.reading(query), k)
        self._last_suggested = text, result
        return result

    def suggest_after(self, context: str, ahead: str, k: int = 1) -> Suggestions:
        """The k likeliest next words after `context` followed by `ahead`, words not typed
        yet (the phrase on show so far, phrases.py), ranked as `suggest` ranks them: every
        source, the register's and the user's counts included. The model reads
        `ids_after(context, ahead)`, and the open document stays as last read."""
        query = parse(context + ahead + " ")
        if query is None:
            return Suggestions()
        with self._lock:
            ids = self.ids_after(context, ahead)
            log_probs = self.model.next_log_probs(ids)
        return self._ranked(query.with_ids(ids), Reading(log_probs), k)

    def ids_after(self, context: str, ahead: str) -> list[int]:
        """The ids the model reads for `context` followed by the words `ahead`: the context's
        own ids, then the words'. Tokenising the text with them could cut a long context's
        window elsewhere and send the model back over hundreds of tokens."""
        ahead_ids = [self.tokenizer.word_id(token) for token in pretokenize(ahead)]
        return [*self.context_ids(context), *ahead_ids]

    def _ranked(self, query: Query, reading: Reading, k: int) -> Suggestions:
        """The k best words for the query: every source mixed, slip corrections, blocked
        words out, cased."""
        model, weighted = self._candidates(query, reading, k)
        scored = self._without_blocked(self._mix(model, weighted, reading))
        corrections: dict[str, float] = {}
        if self.slips is not None and reading.folded:
            # The typed letters read as is are as likely as all the sources say, the user's
            # own words included: not only as the model says.
            given = mixer.prefix_probability(reading.given, weighted)
            # A correction must beat the clean word after the k offered to be offered (one
            # more than k: two words may case alike and be offered once).
            shown = heapq.nlargest(k + 1, scored.values())
            above = shown[k] if len(shown) > k else 0.0
            found = self.slips.candidates(
                query, dataclasses.replace(reading, given=given), k, above
            )
            if found.channel is not None:
                scored, corrections = mixer.correct(scored, found)
        ranked = [(p, word, False) for word, p in scored.items()]
        ranked += [(p, word, True) for word, p in self._without_blocked(corrections).items()]
        result = Suggestions(replace=query.replace)
        offered: set[str] = set()
        for prob, word, correction in sorted(ranked, key=lambda item: -item[0]):
            cased = self.casing(word, query)
            # Distinct words can case to the same text (e.g. upper-casing); offer it once.
            if cased not in offered:
                offered.add(cased)
                result.append(Suggestion(word=cased, prob=prob, correction=correction))
                if len(result) == k:
                    break
        return result

    def query(self, text: str) -> Query | None:
        """`text` parsed (query.parse), with the ids the model reads for its context; None
        when no word can come next."""
        query = parse(text)
        if query is None:
            return None
        with self._lock:
            self._read(query.context)
            return query.with_ids(self._last_ids)

    def reading(self, query: Query) -> Reading:
        """The model's distribution after the query, and its probability of the typed part
        (what every source reads: benchmarks/fit_trust.py reads it as they do)."""
        log_probs = self.next_word_log_probs(query.context)  # cached by `query`
        if not query.partial:
            return Reading(log_probs)
        # P(the word starts with what was typed): once per call, for every source.
        given = self.words.prefix_probability(query.folded, log_probs)
        return Reading(log_probs, query.folded, given)

    def _mixed(self, query: Query, reading: Reading, k: int) -> dict[str, float]:
        """Every source's candidates for the reading's prefix, mixed (mixer.py)."""
        return self._mix(*self._candidates(query, reading, k), reading)

    def _candidates(
        self, query: Query, reading: Reading, k: int
    ) -> tuple[dict[str, float], list[Candidates]]:
        """The model's own candidates, and those of the sources mixed in with a weight."""
        model: dict[str, float] = {}
        weighted: list[Candidates] = []
        for source in self.sources:
            candidates = source.candidates(query, reading, k + PERSONAL_EXTRA)
            if candidates.weight is None:
                model.update(candidates.probs)
            else:
                weighted.append(candidates)
        return model, weighted

    def _mix(
        self, model: dict[str, float], weighted: list[Candidates], reading: Reading
    ) -> dict[str, float]:
        if not weighted:
            return model

        def model_probability(word: str) -> float:
            """The model's P(word | its prefix) for a word outside its top candidates."""
            p = self.words.word_probability(word, reading.log_probs)
            return p / reading.given if reading.given else 0.0

        return mixer.mix(model, weighted, model_probability, reading.given)

    def _written_form(self, word: str) -> str | None:
        """How the user, or else the open document, writes `word` (casing.py). A capital
        the user puts on a word the model knows in lower case is not offered: it is a title
        or a heading's ("Superior Tribunal"), and elsewhere it costs the keystrokes."""
        written = self.personal.written_form(word) if self.personal is not None else None
        known_lower = word in self.tokenizer.ids and self.tokenizer.display(word) == word
        if written is not None and known_lower and written.lower() == word:
            written = None
        if written is None and self.document_cache is not None:
            written = self.document_cache.written_form(word)
        return written

    def _without_blocked(self, scored: dict[str, float]) -> dict[str, float]:
        """The words the user blocked out (they need the personal store to be remembered)."""
        if self.personal is None:
            return scored
        return {word: p for word, p in scored.items() if not self.personal.is_blocked(word)}
