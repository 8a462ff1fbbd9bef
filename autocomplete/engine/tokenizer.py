"""Words and punctuation, a sentencepiece word vocabulary, and Portuguese detokenization.

Casing policy: the model sees lower-case words only, which pools the statistics of "Casa" at
a sentence start with "casa" elsewhere (a 2M-word corpus cannot afford to learn both). Each
word's usual written form, counted where capitals are not forced by a sentence start, is
kept in `display_forms` ("capitu" -> "Capitu", "rio" -> "Rio" only if the corpus writes it
so most of the time); the Suggester re-cases with it and capitalises sentence starts. Which
positions show a word's usual case, and which are words at all, is text.py's rule.

Sentence boundaries are the `</s>` token, appended after every sentence of the corpus.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import numpy as np
import sentencepiece as spm

from autocomplete.errors import VocabularyError
from autocomplete.text import (
    CLOSERS,
    DIALOGUE_DASHES,
    OPENERS,
    SENTENCE_FINAL,
    WORD,
    ends_sentence,
    sentences,
    usual_case_positions,
)

PAD, UNK, EOS = "<pad>", "<unk>", "</s>"
PAD_ID, UNK_ID, EOS_ID = 0, 1, 2
SPECIAL_IDS = (PAD_ID, UNK_ID, EOS_ID)
CONTEXT_CHARS = 400  # `sentence_before` reads this much: its last tokens are all it needs
PIECE_PREFIX = "▁"  # sentencepiece's word-start marker
# What NFD splits off a letter as its accent: the combining diacritical marks.
ACCENTS = re.compile("[\u0300-\u036f]")

# A word (text.WORD), or one punctuation token: anything else but a space; "..." stays whole.
TOKEN = re.compile(rf"{WORD.pattern}|\.\.\.|[^\w\s]|_")
# Spacing for detokenize. Straight quotes both open and close (`detokenize` pairs up '"').
STRAIGHT_QUOTES = frozenset("\"'")
NO_SPACE_BEFORE = (CLOSERS - STRAIGHT_QUOTES) | SENTENCE_FINAL | frozenset(",;:%")
NO_SPACE_AFTER = OPENERS - DIALOGUE_DASHES - STRAIGHT_QUOTES


def pretokenize(text: str) -> list[str]:
    """Split text into word and punctuation tokens, keeping their written case."""
    return TOKEN.findall(text)


def padded(tokens: list[str]) -> list[str]:
    """A sentence's tokens as the personal vocabulary counts them: its first word follows
    `</s> </s>`, its second `</s> word`."""
    return [EOS, EOS, *tokens]


def sentence_before(text: str) -> list[str]:
    """The tokens before the end of `text` within their sentence: the next word's context,
    exactly as learning counts it (personal/store). A line is a paragraph
    (text.typed_paragraphs), cut into sentences by text.sentences and `sentence_runs`; after a
    sentence's end
    nothing is before the next word: "Segue o anexo. Obrigado " -> ["Obrigado"], which
    `padded` makes `</s> Obrigado` for the store, as learning "Obrigado pela ajuda" did."""
    window = text[-CONTEXT_CHARS:]
    line = window.rsplit("\n", 1)[-1]
    if len(line) == len(window) < len(text):  # cut mid-line: drop the word cut in two
        line = line.split(" ", 1)[-1] if " " in line else ""
    pieces = sentences(line.strip())
    tokens = sentence_runs(pretokenize(pieces[-1]))[-1] if pieces else []
    return [] if ends_sentence(tokens) else tokens


def sentence_runs(tokens: list[str]) -> list[list[str]]:
    """`tokens` cut after every sentence end (text.ends_sentence, closing quotes and brackets
    staying with the sentence they close), the lower-case ones text.sentences keeps ("Vens?
    perguntou ela", "claro... e volta"): the word after one starts a sentence, for the
    Suggester's casing (text.capital_forced) and its context alike."""
    if SENTENCE_FINAL.isdisjoint(tokens[:-1]):  # most sentences: one end mark, the last token
        return [tokens]
    runs: list[list[str]] = []
    start = 0
    for index, token in enumerate(tokens):
        if token in SENTENCE_FINAL:
            end = index + 1
            while end < len(tokens) and tokens[end] in CLOSERS:
                end += 1
            if end < len(tokens) and ends_sentence(tokens[start:end]):
                runs.append(tokens[start:end])
                start = end
    runs.append(tokens[start:])
    return runs


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Você' -> 'voce', 'NÃO' -> 'nao'. Works on each word
    of a newline-joined list alike, which folds a whole vocabulary in one call."""
    if text.isascii():  # most words
        return text.lower()
    return ACCENTS.sub("", unicodedata.normalize("NFD", text.lower()))


def fold_all(words: list[str]) -> list[str]:
    """`fold` of each word (none holds a newline). A lower-case ASCII word (most of a
    vocabulary) folds to itself and is given back as is, not as a copy; the rest are folded in
    one call, 3x faster than one call each. A model's folded indexes then hold a fifth of the
    strings, and none is made only to be thrown away (what is freed of many small strings stays
    with the process)."""
    folded = list(words)
    others = [i for i, word in enumerate(words) if not (word.isascii() and word.islower())]
    if others:
        changed = fold("\n".join(words[i] for i in others)).split("\n")
        for i, word in zip(others, changed, strict=True):
            folded[i] = word
    return folded


def detokenize(tokens: Iterable[str]) -> str:
    """Join tokens as Portuguese is written: 'Olá , mundo !' -> 'Olá, mundo!'."""
    out: list[str] = []
    open_quote = False
    glue_next = True
    for token in tokens:
        if token == '"':
            open_quote = not open_quote
            if open_quote:
                out.append(token if glue_next else " " + token)
                glue_next = True
            else:
                out.append(token)
                glue_next = False
            continue
        if glue_next or token in NO_SPACE_BEFORE:
            out.append(token)
        else:
            out.append(" " + token)
        glue_next = token in NO_SPACE_AFTER
    return "".join(out)


class Tokenizer:
    """Lower-cased word ids from a sentencepiece `model_type=word` vocabulary."""

    def __init__(self, model_bytes: bytes, display_forms: dict[str, str]):
        self.model_bytes = model_bytes
        self.display_forms = display_forms
        # Serving reads words by the ids of this list and the dict below, never by the
        # processor (7 MB in memory): it is let go once it has listed them.
        processor = spm.SentencePieceProcessor(model_proto=model_bytes)
        pieces = processor.id_to_piece(list(range(processor.get_piece_size())))  # one call
        self.words: list[str] = [piece.removeprefix(PIECE_PREFIX) for piece in pieces]
        self.words[PAD_ID], self.words[UNK_ID], self.words[EOS_ID] = PAD, UNK, EOS
        self.ids: dict[str, int] = {word: i for i, word in enumerate(self.words)}

    @cached_property
    def processor(self) -> spm.SentencePieceProcessor:
        """For encoding whole texts (training, evaluation): built again when first needed."""
        return spm.SentencePieceProcessor(model_proto=self.model_bytes)

    # The folded indexes are built on first use (a model loads faster without them); threads
    # that race to build one build the same.
    @cached_property
    def folded_words(self) -> list[str]:
        return fold_all(self.words)

    @cached_property
    def folded_ids(self) -> dict[str, int]:
        """Many people type Portuguese without accents: an unknown "nao" in the context is
        read as the most frequent word that folds the same way ("não")."""
        ids: dict[str, int] = {}
        for i, folded in enumerate(self.folded_words):
            ids.setdefault(folded, i)
        return ids

    def __len__(self) -> int:
        return len(self.words)

    @classmethod
    def train(cls, sentences: Iterable[str], vocab_size: int, threads: int = 2) -> Tokenizer:
        """Build the vocabulary: the `vocab_size - 3` most frequent lower-cased tokens."""
        counts: Counter[str] = Counter()
        surface: defaultdict[str, Counter[str]] = defaultdict(Counter)
        with tempfile.TemporaryDirectory() as tmp:
            text_path = Path(tmp) / "pretokenized.txt"
            with text_path.open("w", encoding="utf-8") as handle:
                for sentence in sentences:
                    tokens = pretokenize(sentence)
                    if not tokens:
                        continue
                    for token, usual_case in zip(tokens, usual_case_positions(tokens), strict=True):
                        lower = token.lower()
                        counts[lower] += 1
                        if usual_case:
                            surface[lower][token] += 1
                    handle.write(" ".join(tokens).lower() + "\n")
            available = len(counts) + len(SPECIAL_IDS)
            if vocab_size > available:
                raise VocabularyError(
                    f"corpus too small for --vocab-size {vocab_size}: it has only "
                    f"{len(counts)} distinct words (use --vocab-size {available} or less)"
                )
            if vocab_size <= len(SPECIAL_IDS):
                raise VocabularyError(f"--vocab-size must be more than {len(SPECIAL_IDS)}")
            prefix = Path(tmp) / "vocab"
            spm.SentencePieceTrainer.train(
                input=str(text_path),
                model_prefix=str(prefix),
                model_type="word",
                vocab_size=vocab_size,
                normalization_rule_name="identity",  # text is already NFC and lower-cased
                character_coverage=1.0,
                pad_id=PAD_ID,
                unk_id=UNK_ID,
                bos_id=-1,
                eos_id=EOS_ID,
                max_sentence_length=1 << 20,
                num_threads=max(1, threads),
                minloglevel=2,
            )
            model_bytes = (prefix.with_suffix(".model")).read_bytes()
        display_forms = {}
        for lower, forms in surface.items():
            best, _ = forms.most_common(1)[0]
            if best != lower:
                display_forms[lower] = best
        tokenizer = cls(model_bytes, {})
        tokenizer.display_forms = {w: f for w, f in display_forms.items() if w in tokenizer.ids}
        return tokenizer

    def encode_sentences(self, sentences: Iterable[str]) -> np.ndarray:
        """One id stream: each sentence's tokens followed by `</s>`."""
        lines = [" ".join(pretokenize(sentence)).lower() for sentence in sentences]
        encoded = self.processor.encode([line for line in lines if line])
        total = sum(len(ids) + 1 for ids in encoded)
        stream = np.empty(total, dtype=np.int32)
        position = 0
        for ids in encoded:
            stream[position : position + len(ids)] = ids
            stream[position + len(ids)] = EOS_ID
            position += len(ids) + 1
        return stream

    def word_id(self, token: str) -> int:
        lower = token.lower()
        found = self.ids.get(lower)
        return found if found is not None else self.folded_ids.get(fold(lower), UNK_ID)

    def display(self, word: str) -> str:
        """The usual written form of a vocabulary word ("capitu" -> "Capitu")."""
        return self.display_forms.get(word, word)

    def state(self) -> dict:
        return {"sentencepiece": self.model_bytes, "display_forms": self.display_forms}

    @classmethod
    def from_state(cls, state: dict) -> Tokenizer:
        return cls(state["sentencepiece"], dict(state["display_forms"]))
