"""Portuguese text rules, stated once: what a word is, where a sentence ends, where a capital
is forced. The corpus reader, the tokenizer, the ranking, the personal vocabulary and the
editor's learning all read text through these, so they cannot disagree.

Words. Letters and digits, with inner hyphens or apostrophes: "disse-me", "d'água",
"e-mail" are one word each. The underscore is not a letter: "foo_bar" is two words.

Sentence ends. A sentence ends at ".", "!", "?" or an ellipsis ("…" or "..."), possibly
followed by closing quotes or brackets («Vens?»), except a full stop after an abbreviation
("Sr.", "pág.") or an initial ("J."). A semicolon never ends one; a colon does not either:
Portuguese writes lower case after it ("três coisas: pão, leite e ovos"), unlike English
titles or German. In typed text a line break ends a paragraph (text.paragraphs first
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

import itertools
import operator
import re
from collections.abc import Iterable, Sequence

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


def word_flags(tokens: Sequence[str]) -> list[bool]:
    """`is_word` of each token, in one pass at C speed (this runs over every token learned)."""
    return list(map(str.isalnum, map(operator.itemgetter(slice(1)), tokens)))


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
    usual = [False, *word_flags(tokens[:-1])][: len(tokens)]
    for i in itertools.compress(range(1, len(usual)), map(operator.not_, usual[1:])):
        usual[i] = shows_usual_case(tokens[max(0, i - CASE_LOOKBACK) : i])
    return usual


def starts_dialogue(line: str) -> bool:
    """A line of speech: it starts with a dash ("— Sim", "- Sim")."""
    return line[:1] in DIALOGUE_DASHES and (line[:1] != "-" or line[1:2] == " ")


# Paragraphs and sentences: how typed text, imported files and corpora are cut.


def _one_of(characters: Iterable[str]) -> str:
    """A regular expression's character class matching any of `characters`."""
    return f"[{re.escape(''.join(sorted(characters)))}]"


# A line ending so may end a paragraph: a sentence's end, or a colon before a line of
# dialogue or a list ("Capitu respondeu:" / "— Não.").
TERMINAL = re.compile(f"{_one_of(SENTENCE_FINAL_MARKS + ':')}{_one_of(CLOSERS)}*$")
# Word-final hyphens followed by these are clitic or compound hyphens ("disse-" + "me").
CLITICS = frozenset(
    [
        "me",
        "te",
        "se",
        "lhe",
        "lhes",
        "o",
        "a",
        "os",
        "as",
        "lo",
        "la",
        "los",
        "las",
        "no",
        "na",
        "nos",
        "nas",
        "vos",
        "mo",
        "ma",
        "mos",
        "mas",
        "to",
        "ta",
        "lho",
        "lha",
        "lhos",
        "lhas",
        "nos-ia",
        "ia",
        "ei",
        "á",
        "ás",
        "emos",
        "eis",
        "ão",
    ]
)
SENTENCE_END = re.compile(
    f"(?<={_one_of(SENTENCE_FINAL_MARKS)})({_one_of(CLOSERS)}*)\\s+"
    f"(?={_one_of(OPENERS | DIALOGUE_DASHES)}?\\s*[{SENTENCE_START_LETTER}])"
)


def looks_wrapped(lines: list[str]) -> bool:
    """Hard-wrapped text: many lines stop mid-sentence and the next goes on in lower case."""
    pairs = [(a, b) for a, b in itertools.pairwise(lines) if a and b]
    if len(pairs) < 10:
        return False
    broken = sum(1 for a, b in pairs if not TERMINAL.search(a) and b[:1].islower())
    return broken > 0.25 * len(pairs)


def document_paragraphs(text: str) -> list[str]:
    """Paragraphs of a document: unwrapped when hard-wrapped, else one a line (a line that
    ends in a comma goes on in the next)."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    if looks_wrapped(lines):
        return paragraphs(text)
    result: list[str] = []
    for line in lines:
        if line and result and result[-1].endswith(","):  # "Atenciosamente," + "Ana Paula"
            result[-1] += " " + line
        elif line:
            result.append(line)
    return [re.sub(r"\s+", " ", paragraph) for paragraph in result]


def typed_paragraphs(text: str) -> list[str]:
    """Paragraphs of typed text, as learning reads it: one a line (a line break ends a
    paragraph: "segue em anexo" / "Atenciosamente," / "Ana" are three), unless the text is
    hard-wrapped (`looks_wrapped`, a file of many broken lines), which is unwrapped."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    if looks_wrapped(lines):
        return paragraphs(text)
    return [" ".join(line.split()) for line in lines if line]  # as re.sub(r"\s+", " "), faster


def paragraphs(text: str) -> list[str]:
    """Undo hard wrapping: join the lines of each paragraph, fixing line-end hyphens."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lengths = sorted(len(line) for line in lines if line)
    if not lengths:
        return []
    # Lines much shorter than the usual width end a paragraph (when they end a sentence too).
    wrap_width = lengths[int(0.9 * (len(lengths) - 1))]
    short = 0.8 * wrap_width
    result: list[str] = []
    current = ""
    previous = ""
    for line in lines:
        if not line:
            _flush(result, current)
            current, previous = "", ""
            continue
        starts_new = (
            not current
            or starts_dialogue(line)
            or _is_heading(line)
            or _is_heading(previous)
            or (TERMINAL.search(previous) is not None and len(previous) < short)
        )
        if starts_new:
            _flush(result, current)
            current = line
        elif current.endswith("-") and not current.endswith(" -"):
            current = _join_hyphenated(current, line)
        else:
            current = f"{current} {line}"
        previous = line
    _flush(result, current)
    return result


def _flush(result: list[str], paragraph: str) -> None:
    if paragraph:
        result.append(re.sub(r"\s+", " ", paragraph))


def _is_heading(line: str) -> bool:
    # isupper: it has letters, all capitals (in C: this runs twice over every line imported)
    return line.isupper() and not TERMINAL.search(line)


def _join_hyphenated(current: str, line: str) -> str:
    """'disse-' + 'me ...' keeps the hyphen; 'compa-' + 'nhia ...' is a syllable break."""
    head = current[:-1]
    next_word = line.split(" ", 1)[0]
    bare = next_word.rstrip(".,;:!?…\"”»')").lower()
    last_word = head.rsplit(" ", 1)[-1]
    keep = bare in CLITICS or next_word[:1].isupper() or "-" in last_word or not bare.isalpha()
    return f"{current}{line}" if keep else f"{head}{line}"


def sentences(paragraph: str) -> list[str]:
    """Cut a paragraph at sentence ends, not after abbreviations such as 'D.' or 'Sr.'."""
    pieces: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(paragraph):
        end = match.start(1)
        before = paragraph[start:end]
        last = before.rsplit(" ", 1)[-1].rstrip(".").lower()
        if before.endswith(".") and is_abbreviation(last):
            continue
        pieces.append(paragraph[start : match.end(1)].strip())
        start = match.end()
    pieces.append(paragraph[start:].strip())
    return [piece for piece in pieces if piece]
