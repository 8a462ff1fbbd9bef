"""Portuguese text rules, stated once: what a word is, where a sentence ends, where a capital
is forced. The corpus reader, the tokenizer, the ranking, the personal vocabulary and the
editor's learning all read text through these, so they cannot disagree.

Words. Letters and digits, with inner hyphens or apostrophes: "disse-me", "d'água",
"e-mail" are one word each. The underscore is not a letter: "foo_bar" is two words.

Sentence ends. A sentence ends at ".", "!", "?" or an ellipsis ("…" or "..."), possibly
followed by closing quotes or brackets («Vens?»), except a full stop after an abbreviation
("Sr.", "pág.") or an initial ("J."). A semicolon never ends one; a colon does not either:
Portuguese writes lower case after it ("três coisas: pão, leite e ovos"), unlike English
titles or German. In typed text a line break ends a paragraph (corpus.paragraphs first
undoes the hard wrapping of extracted text).

Capitals. A capital is forced where a sentence starts, and openers (brackets, quotes,
dialogue dashes) in front of its first word change nothing: "— Sim", «"Sim», "(Sim.)". It is
also forced at the start of direct speech after a colon: 'Ele disse: "Vou."' and
"Perguntou: — Vens?". Elsewhere an opener forces nothing: 'a palavra "casa"' and the
narrator's "— Não sei — disse ele — mas vou." keep lower case.

Usual case. Where a capital is forced, the case of a word says nothing about how it is
usually written. Right after an opener or a colon it says little: writers capitalise there by
choice ('chamou-o de "Mestre"', "Assunto: Reunião"). Only the remaining positions teach that
"Capitu" is written with a capital (`shows_usual_case`); every position where a capital is
forced is one of the positions left out, so learning and casing never contradict each other.

Dialogue. Portuguese marks speech with a dash: "—" or "–" in print, a hyphen followed by a
space ("- Oi") when typed. A line that starts with one starts a paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_LETTER_OR_DIGIT = r"[^\W_]"
_JOINERS = "-'’"  # inside a word: "disse-me", "d'água", "d’água"
WORD = re.compile(rf"{_LETTER_OR_DIGIT}+(?:[{_JOINERS}]{_LETTER_OR_DIGIT}+)*")
# A word being typed may end in a joiner: "disse-" on the way to "disse-me".
PARTIAL_WORD = re.compile(rf"{_LETTER_OR_DIGIT}+(?:[{_JOINERS}]{_LETTER_OR_DIGIT}*)*$")

SENTENCE_FINAL_MARKS = ".!?…"
SENTENCE_FINAL = frozenset({*SENTENCE_FINAL_MARKS, "..."})  # as tokens
CLOSERS = frozenset("\"”»')]}")  # may follow the end of a sentence: «Vens?»
DIALOGUE_DASHES = frozenset("—–-")  # as tokens: a hyphen alone is a typed dash
OPENERS = frozenset('([{«“"—–')  # a word follows them directly, without a space
SPEECH_OPENERS = frozenset('"“«') | DIALOGUE_DASHES  # what starts direct speech
# A sentence starts with a capital (or a number): the corpus cuts paragraphs only there.
SENTENCE_START_LETTER = "A-ZÀ-ÖØ-Ý0-9"

ABBREVIATIONS = frozenset(
    [
        "sr",
        "sra",
        "srs",
        "sras",
        "d",
        "dr",
        "dra",
        "drs",
        "exa",
        "exmo",
        "exma",
        "v",
        "vv",
        "s",
        "rev",
        "revmo",
        "cap",
        "pág",
        "págs",
        "p",
        "pp",
        "etc",
        "cf",
        "gen",
        "cel",
        "ten",
        "prof",
        "profa",
        "sto",
        "sta",
        "n",
        "nº",
        "art",
        "fl",
        "fls",
        "ex",
        "av",
        "obs",
        "tel",
    ]
)
# Tokens before a word that decide its case: runs of openers and closers are short.
CASE_LOOKBACK = 8
# Portuguese words of one letter; any other lone letter is an initial or an abbreviation.
ONE_LETTER_WORDS = frozenset("aàáeéoóô")


def is_word(token: str) -> bool:
    """A word token (as `WORD` finds), not punctuation."""
    return token[:1].isalnum()


def is_word_character(character: str) -> bool:
    """Part of a word, a joiner included ("e-mail" is one run of word characters)."""
    return character.isalnum() or character in _JOINERS


def is_abbreviation(word: str) -> bool:
    """'Sr', 'pág', 'V', 'J' (an initial): written with a full stop that ends no sentence."""
    lower = word.lower()
    return lower in ABBREVIATIONS or (
        len(lower) == 1 and lower.isalpha() and lower not in ONE_LETTER_WORDS
    )


def ends_sentence(tokens: Sequence[str]) -> bool:
    """Whether these tokens (of one paragraph) end with the end of a sentence."""
    end = len(tokens)
    while end and tokens[end - 1] in CLOSERS:
        end -= 1
    if not end or tokens[end - 1] not in SENTENCE_FINAL:
        return False
    return not (tokens[end - 1] == "." and end > 1 and is_abbreviation(tokens[end - 2]))


def capital_forced(before: Sequence[str]) -> bool:
    """Whether the word after these tokens (of one paragraph) must start with a capital."""
    end = len(before)
    while end and before[end - 1] in OPENERS | DIALOGUE_DASHES:
        end -= 1
    if not end:  # the paragraph's first word
        return True
    if end < len(before) and before[end - 1] == ":" and before[end] in SPEECH_OPENERS:
        return True  # direct speech
    return ends_sentence(before[:end])


def shows_usual_case(before: Sequence[str]) -> bool:
    """Whether the case of the word after these tokens shows how that word is usually
    written: no capital is forced there, and no opener or colon invites one."""
    if before and (before[-1] in OPENERS | DIALOGUE_DASHES or before[-1] == ":"):
        return False
    return not capital_forced(before)


def usual_case_positions(tokens: Sequence[str]) -> list[bool]:
    """`shows_usual_case(tokens[:i])` for every position i, in linear time. After a word it
    always holds (a word ends no sentence and opens nothing), so only positions after
    punctuation are looked at, each through the CASE_LOOKBACK tokens before it."""
    return [
        i > 0
        and (is_word(tokens[i - 1]) or shows_usual_case(tokens[max(0, i - CASE_LOOKBACK) : i]))
        for i in range(len(tokens))
    ]


def starts_dialogue(line: str) -> bool:
    """A line of speech: it starts with a dash ("— Sim", "- Sim")."""
    return line[:1] in DIALOGUE_DASHES and (line[:1] != "-" or line[1:2] == " ")
