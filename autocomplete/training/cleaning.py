"""Per-source cleaning of the training text, with a count of what every step removed.

Each corpus source carries its own remnants (see ../shared/corpus/moderno/SOURCES.md):
forms of address in the spoken sets, issue numbers and code in python-docs, glued menu
labels in the help pages, `key = value` interface strings, option tables in manpages.
A source's cleaning is a list of named steps; a step maps one paragraph to its cleaned form
or to None (drop it). `clean()` runs them in order and counts, per step, the paragraphs and
words it dropped and the paragraphs it rewrote, so the effect of every rule is measured.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from autocomplete.engine.tokenizer import fold

Step = Callable[[str], "str | None"]
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _word_count(text: str) -> int:
    return len(WORD.findall(text))


# -- steps ----------------------------------------------------------------------------------
# Spoken sets: the stenographers abbreviate forms of address that people say in full.
ADDRESS_FORMS = [
    (re.compile(r"\bV\. ?Exas\."), "Vossas Excelências"),
    (re.compile(r"\bV\. ?Exa\."), "Vossa Excelência"),
    (re.compile(r"\bSrs\."), "Senhores"),
    (re.compile(r"\bSras\."), "Senhoras"),
    (re.compile(r"\bSr\."), "Senhor"),
    (re.compile(r"\bSra\."), "Senhora"),
    (re.compile(r"\bExm[oa]s?\.", re.IGNORECASE), "Excelentíssimo"),
    (re.compile(r"\bDep\."), "Deputado"),
]
SPEAKER_TAG = re.compile(r"^(?:[OA] )?(?:SRA?\.|SENHORA?|PRESIDENTE)[^a-zà-ÿ]{0,80}?[-–—:]\s+")


def expand_address_forms(text: str) -> str:
    for pattern, full in ADDRESS_FORMS:
        text = pattern.sub(full, text)
    return text


def strip_speaker_tag(text: str) -> str | None:
    return SPEAKER_TAG.sub("", text) or None


ISSUE_NUMBER = re.compile(r"^(?:gh-|bpo-)?\d{3,}:\s*")


def strip_issue_number(text: str) -> str | None:
    return ISSUE_NUMBER.sub("", text) or None


REST_ROLE = re.compile(r":[\w:.-]+:`~?([^`]*)`")
BACKTICKS = re.compile(r"`+")


def strip_rest_markup(text: str) -> str | None:
    if text.startswith((".. ", "::")):
        return None
    return BACKTICKS.sub("", REST_ROLE.sub(r"\1", text)) or None


# A dotted or snake_case identifier, a call, an option, a path, an assignment, markup.
CODE_TOKEN = re.compile(
    r"\w+\.\w+\.\w+|\w+_\w+|\w+\(\S*\)|^-{1,2}\w|^/\w+|[=<>{}\[\]$|\\]|::|\w+/\w+/\w+"
)


def drop_code(text: str) -> str | None:
    tokens = text.split()
    code = sum(1 for token in tokens if CODE_TOKEN.search(token))
    return None if code >= 2 and code > 0.25 * len(tokens) else text


# fmt: off
ENGLISH = frozenset([
    "the", "is", "are", "and", "of", "to", "in", "for", "with", "this", "that", "you", "it",
    "be", "not", "from", "by", "on", "an", "or", "can", "will", "which", "if", "when", "use",
    "used", "returns",
])
PORTUGUESE = frozenset([
    "de", "que", "o", "a", "e", "do", "da", "em", "um", "uma", "para", "é", "com", "não", "os",
    "as", "no", "na", "se", "por", "mais", "ao", "ou",
])
# fmt: on


def drop_english(text: str) -> str | None:
    words = [word.lower() for word in WORD.findall(text)]
    english = sum(word in ENGLISH for word in words)
    portuguese = sum(word in PORTUGUESE for word in words)
    return None if english >= 2 and english > portuguese else text


URL_OR_EMAIL = re.compile(r"https?://|www\.|\S+@\S+\.\w")


def drop_urls(text: str) -> str | None:
    return None if URL_OR_EMAIL.search(text) else text


GLUED_LABEL = re.compile(r"\b([a-zà-öø-ÿ]{2,})([A-ZÀ-ÖØ-Þ][a-zà-öø-ÿ]+)")


def unglue_labels(text: str) -> str:
    """'através deArquivo → Imprimir' -> 'através de Arquivo → Imprimir' (not 'LibreOffice')."""
    return GLUED_LABEL.sub(r"\1 \2", text)


FUNCTION_SYNTAX = re.compile(r"^[A-ZÀ-Þ][A-ZÀ-Þ0-9._]+\s*\(")


def drop_function_syntax(text: str) -> str | None:
    return None if FUNCTION_SYNTAX.match(text) else text


INTERFACE_KEY = re.compile(r"^[\w.-]*\s*=\s*")


def strip_interface_key(text: str) -> str | None:
    """'.title = Modo de filtragem' -> 'Modo de filtragem'."""
    return INTERFACE_KEY.sub("", text, count=1).strip() or None


def drop_fragments(text: str) -> str | None:
    """Labels and buttons ('Salvar', 'Dados importados') are not running text."""
    return text if _word_count(text) >= 4 else None


MANPAGE_LAYOUT = re.compile(r"^[-‐/]|\S\s{3,}\S|<\S+@\S+>")


def drop_manpage_layout(text: str) -> str | None:
    """Option tables, path columns and author lines ('‐‐ Name <mail>  date')."""
    return None if MANPAGE_LAYOUT.search(text) else text


LEGAL_ENUMERATION = re.compile(r"^(?:[IVXLC]+\s*[-–]|§\s*\d+º?|Art\.\s*\d+º?\.?|[a-z]\))\s*")
REPEALED = re.compile(r"^\(?(?:Suprimido|Revogad[oa]|Vetad[oa])\)?\.?$", re.IGNORECASE)


def strip_legal_enumeration(text: str) -> str | None:
    text = LEGAL_ENUMERATION.sub("", text)
    return None if not text or REPEALED.match(text) else text


NEWS_CREDIT = re.compile(r"Repórter da Agência Brasil|^Edição:|\S\s{4,}\S")


def drop_news_credits(text: str) -> str | None:
    return None if NEWS_CREDIT.search(text) else text


# -- per-source recipes -----------------------------------------------------------------------
TECHNICAL = [("code", drop_code), ("english", drop_english), ("urls", drop_urls)]
HELP_PAGES = [
    ("glued labels", unglue_labels),
    ("function syntax", drop_function_syntax),
    *TECHNICAL,
]
SPOKEN = [("speaker tags", strip_speaker_tag), ("forms of address", expand_address_forms)]

RECIPES: dict[str, list[tuple[str, Step]]] = {
    "senado": SPOKEN,
    "camara": SPOKEN,
    "python-docs": [
        ("issue numbers", strip_issue_number),
        ("reST markup", strip_rest_markup),
        *TECHNICAL,
    ],
    "libreoffice-ajuda": HELP_PAGES,
    "gimp-ajuda": HELP_PAGES,
    "gnome-ajuda": HELP_PAGES,
    "debian-manuais": TECHNICAL,
    "manpages": [("option tables and authors", drop_manpage_layout), *TECHNICAL],
    "mozilla-interface": [
        ("interface keys", strip_interface_key),
        ("fragments", drop_fragments),
        *TECHNICAL,
    ],
    "office-suporte": TECHNICAL,
    "juridico": [("enumerations", strip_legal_enumeration)],
    "agencia-brasil": [("credits", drop_news_credits)],
}
DEDUPLICATE_MIN_WORDS = 4  # short lines ("Obrigado, Presidente.") repeat naturally


@dataclass
class StepReport:
    dropped: int = 0  # paragraphs removed
    dropped_words: int = 0
    rewritten: int = 0  # paragraphs changed but kept
    words_removed_by_rewrites: int = 0


@dataclass
class CleaningReport:
    paragraphs_in: int = 0
    words_in: int = 0
    steps: dict[str, StepReport] = field(default_factory=dict)

    def lines(self, source: str) -> list[str]:
        out = [f"{source}: {self.paragraphs_in:,} paragraphs, {self.words_in:,} words"]
        for name, step in self.steps.items():
            share = (step.dropped_words + step.words_removed_by_rewrites) / max(1, self.words_in)
            out.append(
                f"  {name:<26} dropped {step.dropped:>6,} paragraphs ({step.dropped_words:>8,}"
                f" words), rewrote {step.rewritten:>6,}: {share:.1%} of the words"
            )
        return out


def _near_duplicate_key(text: str) -> str:
    return " ".join(WORD.findall(fold(re.sub(r"\d+", "0", text))))


def clean(source: str, paragraphs: Iterable[str], report: CleaningReport) -> list[str]:
    """The source's cleaning steps, then near-duplicate removal, with counts in `report`."""
    steps = [*RECIPES.get(source, []), ("near-duplicates", None)]
    for name, _ in steps:
        report.steps.setdefault(name, StepReport())
    seen: set[str] = set()
    kept = []
    for paragraph in paragraphs:
        words = _word_count(paragraph)
        report.paragraphs_in += 1
        report.words_in += words
        text: str | None = paragraph
        for name, step in steps:
            counts = report.steps[name]
            if step is None:
                key = _near_duplicate_key(text)
                if key.count(" ") + 1 >= DEDUPLICATE_MIN_WORDS and key in seen:
                    text = None
                seen.add(key)
            else:
                cleaned = step(text)
                if cleaned is not None and cleaned != text:
                    counts.rewritten += 1
                    counts.words_removed_by_rewrites += max(0, words - _word_count(cleaned))
                    words = _word_count(cleaned)
                text = cleaned
            if text is None:
                counts.dropped += 1
                counts.dropped_words += words
                break
        if text is not None:
            kept.append(text)
    return kept
