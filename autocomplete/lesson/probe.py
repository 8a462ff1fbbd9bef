"""The long-gap probe: does a model still use a cue it read k words ago?

Each item is a Portuguese sentence cut just before a word that a cue earlier in the sentence
decides, with k words between them filled by neutral connectives ("com efeito", "desde
então", ...):

- lingua:        "Na França com efeito ... aprendi" -> francês (not inglês, italiano...)
- concordancia:  "A moça com efeito ... disse que" -> ela (not ele): gender agreement
- parenteses:    "Ele voltou para casa (com efeito ..." -> ")" (not "," or ".")

The gap is counted in words: k = 1 + the words between cue and target, so k = 3 means two
words in between ("A moça disse que ela"). The longest frame has two words between cue and
target, so gaps start at 3. Fillers are joined without commas: a run of "x, y, z" teaches a
model to expect another comma, which would bury the closing parenthesis under a pattern that
has nothing to do with memory.

The agreement target is a pronoun because ele/ela are frequent: with rare adjectives
(cansado/cansada) a model's choice says more about what it saw once than about the cue.
Items come in balanced sets: every country, both genders and numbers, every clause is
generated with the same filler, so a filler word that happens to favour one answer ("mais uma
vez" is feminine), or a model that always says "ele", scores chance. Scoring asks a model
for the log-probabilities of the target and its alternatives; an item is right when the
target beats every alternative (a tie for the top earns its share, so a model that cannot
tell scores chance).
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from autocomplete.engine.suggester import Suggester

GAPS = (3, 4, 6, 8, 12, 16, 20, 25, 30)

# (prepositional phrase with the country, its language): the frequent ones in a 19th-century
# Brazilian corpus; rarer pairs (Japão -> japonês) occur a handful of times and teach nothing.
COUNTRIES = (
    ("Na França", "francês"),
    ("Na Inglaterra", "inglês"),
    ("Na Alemanha", "alemão"),
    ("Na Itália", "italiano"),
    ("Na Espanha", "espanhol"),
    ("Em Portugal", "português"),
    ("Na Grécia", "grego"),
)
# (masculine, feminine) nouns, singular and plural; the article carries the gender too.
# The verb "disse(ram)" between noun and pronoun carries number, not gender.
NOUNS = (
    (("menino", "meninos"), ("menina", "meninas")),
    (("rapaz", "rapazes"), ("moça", "moças")),
    (("homem", "homens"), ("mulher", "mulheres")),
    (("senhor", "senhores"), ("senhora", "senhoras")),
    (("filho", "filhos"), ("filha", "filhas")),
    (("irmão", "irmãos"), ("irmã", "irmãs")),
    (("amigo", "amigos"), ("amiga", "amigas")),
)
PRONOUNS = (("ele", "ela"), ("eles", "elas"))  # [plural][gender]
SAYS = ("disse que", "disseram que")  # [plural]
CLAUSES = (
    "Ele voltou para casa",
    "O jantar acabou tarde",
    "Fomos ao teatro",
    "A carta chegou ontem",
    "Saímos muito cedo",
    "O médico veio ver o doente",
)
CLOSERS = (")", ",", ".")  # the target and what would come next if no parenthesis were open
# Neutral connectives and adverbs, common in the corpus, with no noun to agree with where
# possible; a few fixed expressions with a gendered word are kept and balanced out.
FILLERS = (
    "ainda",
    "depois",
    "então",
    "também",
    "talvez",
    "afinal",
    "enfim",
    "logo",
    "hoje",
    "sempre",
    "agora",
    "assim",
    "porém",
    "entretanto",
    "naturalmente",
    "realmente",
    "com efeito",
    "de repente",
    "de novo",
    "por isso",
    "ainda assim",
    "mais tarde",
    "pouco depois",
    "logo depois",
    "desde então",
    "até então",
    "por enquanto",
    "sem dúvida",
    "às vezes",
    "por fim",
    "ao menos",
    "pelo menos",
    "depois disso",
    "como sempre",
    "ao que parece",
    "como eu dizia",
    "como se sabe",
    "pelo que dizem",
    "pouco a pouco",
    "apesar de tudo",
    "antes de tudo",
    "por assim dizer",
    "mais uma vez",
    "a bem dizer",
    "não sei como",
    "de vez em quando",
    "depois de algum tempo",
    "como eu já disse",
)

# log-probabilities of each word in `words` coming right after `context`
Scorer = Callable[[str, Sequence[str]], Sequence[float]]


@dataclass(frozen=True)
class ProbeItem:
    kind: str  # lingua, concordancia or parenteses
    context: str  # the sentence up to the word to predict
    target: str
    alternatives: tuple[str, ...]  # the wrong answers the target must beat
    cue: str  # the word (or bracket) in the context that decides the target
    gap: int  # 1 + words between cue and target


@dataclass(frozen=True)
class ItemScore:
    item: ProbeItem
    target_prob: float  # the model's probability of the target as the next word
    # 1 when the target is more probable than every alternative; 1/n when n candidates tie
    # for the top (a trigram that never saw the context gives them all the same probability)
    credit: float


class _Lexicon:
    """The probe's word lists, restricted to what a vocabulary knows."""

    def __init__(self, vocabulary: Container[str] | None):
        def known(*phrases: str) -> bool:
            return vocabulary is None or all(
                word.lower() in vocabulary for phrase in phrases for word in phrase.split()
            )

        self.countries = [pair for pair in COUNTRIES if known(*pair)]
        self.nouns = [pair for pair in NOUNS if known(*pair[0], *pair[1])]
        self.agreement = known(*PRONOUNS[0], *PRONOUNS[1], *SAYS)
        self.clauses = [c for c in CLAUSES if known(c, *CLOSERS)]
        self.fillers = [f for f in FILLERS if known(f)]

    def filler(self, words: int, rng: random.Random) -> list[str] | None:
        """Phrases totalling exactly `words` words (None if the known phrases cannot).

        A phrase repeats only when no unused one fits (a small vocabulary knows few)."""
        phrases: list[str] = []
        left = words
        while left > 0:
            fitting = [f for f in self.fillers if len(f.split()) <= left]
            if not fitting:
                return None
            phrase = rng.choice([f for f in fitting if f not in phrases] or fitting)
            phrases.append(phrase)
            left -= len(phrase.split())
        return phrases


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _lingua(lexicon: _Lexicon, filler: list[str]) -> Iterable[ProbeItem]:
    if len(lexicon.countries) < 2:
        return
    languages = [language for _, language in lexicon.countries]
    for place, language in lexicon.countries:
        yield ProbeItem(
            kind="lingua",
            context=_join(place, *filler, "aprendi") + " ",
            target=language,
            alternatives=tuple(other for other in languages if other != language),
            cue=place.split()[-1],
            gap=_word_count(filler) + 2,
        )


def _concordancia(lexicon: _Lexicon, filler: list[str], rng: random.Random) -> Iterable[ProbeItem]:
    if not lexicon.nouns or not lexicon.agreement:
        return
    masculine, feminine = rng.choice(lexicon.nouns)
    for plural in (0, 1):
        for gender, nouns in enumerate((masculine, feminine)):
            article = (("O", "A"), ("Os", "As"))[plural][gender]
            noun = nouns[plural]
            yield ProbeItem(
                kind="concordancia",
                context=_join(article, noun, *filler, SAYS[plural]) + " ",
                target=PRONOUNS[plural][gender],
                alternatives=(PRONOUNS[plural][1 - gender],),
                cue=noun,
                gap=_word_count(filler) + 3,
            )


def _parenteses(lexicon: _Lexicon, filler: list[str]) -> Iterable[ProbeItem]:
    if not filler:  # "()" is no sentence: this kind needs one word inside at least
        return
    for clause in lexicon.clauses:
        yield ProbeItem(
            kind="parenteses",
            context=f"{clause} ({' '.join(filler)}",
            target=CLOSERS[0],
            alternatives=CLOSERS[1:],
            cue="(",
            gap=_word_count(filler) + 1,
        )


def _word_count(filler: list[str]) -> int:
    return sum(len(phrase.split()) for phrase in filler)


def generate(
    gaps: Sequence[int] = GAPS,
    draws: int = 8,
    seed: int = 0,
    vocabulary: Container[str] | None = None,
) -> list[ProbeItem]:
    """Probe items: for each gap, `draws` fillers, each used for one balanced set per kind.

    With a vocabulary (lower-case words), only words it knows are used, so no cue, target or
    filler reaches the model as <unk>.
    """
    if min(gaps) < 3:
        raise ValueError(f"gaps start at 3 (two words between cue and target), not {min(gaps)}")
    lexicon = _Lexicon(vocabulary)
    rng = random.Random(seed)
    items: list[ProbeItem] = []
    for gap in gaps:
        for _ in range(draws):
            # Between cue and target, each frame has its own words: "aprendi" (lingua),
            # "disse que" (concordancia), none (parenteses).
            worded = lexicon.filler(gap - 2, rng)
            if worded is not None:
                items += _lingua(lexicon, worded)
            agreeing = lexicon.filler(gap - 3, rng)
            if agreeing is not None:
                items += _concordancia(lexicon, agreeing, rng)
            bracketed = lexicon.filler(gap - 1, rng)
            if bracketed is not None:
                items += _parenteses(lexicon, bracketed)
    return items


def score(items: Iterable[ProbeItem], scorer: Scorer) -> list[ItemScore]:
    scores = []
    for item in items:
        log_probs = np.asarray(scorer(item.context, [item.target, *item.alternatives]))
        best = log_probs == log_probs.max()
        credit = 1.0 / float(best.sum()) if best[0] else 0.0
        scores.append(ItemScore(item=item, target_prob=float(np.exp(log_probs[0])), credit=credit))
    return scores


def suggester_scorer(suggester: Suggester) -> Scorer:
    """Score through a suggester's next-token distribution (over the LSTM or the trigram),
    the one the editor's suggestions come from."""
    tokenizer = suggester.tokenizer

    def log_probs(context: str, words: Sequence[str]) -> list[float]:
        distribution = suggester.next_word_log_probs(context)
        return [float(distribution[tokenizer.word_id(word)]) for word in words]

    return log_probs


def chance(kind: str, items: Iterable[ProbeItem]) -> float:
    """Accuracy of a random guess among each item's candidates."""
    sizes = [1 + len(item.alternatives) for item in items if item.kind == kind]
    return float(np.mean([1 / size for size in sizes])) if sizes else float("nan")


def accuracy_by_gap(scores: Iterable[ItemScore]) -> dict[str, dict[int, float]]:
    """{kind: {gap: accuracy}}, plus "all": the mean over kinds, so each kind weighs the same."""
    return _mean_by_gap(scores, lambda result: result.credit)


def probability_by_gap(scores: Iterable[ItemScore]) -> dict[str, dict[int, float]]:
    """{kind: {gap: mean probability of the target}}, plus "all" as in accuracy_by_gap."""
    return _mean_by_gap(scores, lambda result: result.target_prob)


def _mean_by_gap(
    scores: Iterable[ItemScore], measure: Callable[[ItemScore], float]
) -> dict[str, dict[int, float]]:
    grouped: defaultdict[str, defaultdict[int, list[float]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for result in scores:
        grouped[result.item.kind][result.item.gap].append(measure(result))
    table = {
        kind: {gap: float(np.mean(values)) for gap, values in sorted(by_gap.items())}
        for kind, by_gap in sorted(grouped.items())
    }
    gaps = sorted({gap for by_gap in table.values() for gap in by_gap})
    table["all"] = {
        gap: float(np.mean([by_gap[gap] for by_gap in table.values() if gap in by_gap]))
        for gap in gaps
    }
    return table
