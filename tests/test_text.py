"""The Portuguese text rules (text.py), and the modules that read text agreeing on them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autocomplete import SLOTS
from autocomplete import text as text_rules
from autocomplete.engine.query import parse
from autocomplete.engine.tokenizer import Tokenizer, pretokenize
from autocomplete.evaluation import evaluate
from autocomplete.frontends.tui.keys import SLOT_DIGITS
from autocomplete.personal.store import PersonalModel
from autocomplete.personal.typed_text import finished
from autocomplete.text import (
    CASE_LOOKBACK,
    PARTIAL_WORD,
    WORD,
    capital_forced,
    ends_sentence,
    is_abbreviation,
    shows_usual_case,
    starts_dialogue,
    usual_case_positions,
)
from autocomplete.training import corpus


def test_words_keep_inner_hyphens_and_apostrophes():
    text = "e-mail, d'água e d’água: disse-me foo_bar 3,5"
    words = ["e-mail", "d'água", "e", "d’água", "disse-me", "foo", "bar", "3", "5"]
    assert WORD.findall(text) == words
    assert [t for t in pretokenize(text) if WORD.fullmatch(t)] == WORD.findall(text)
    assert PARTIAL_WORD.search("Ele disse-").group() == "disse-"


@pytest.mark.parametrize(
    ("tokens", "ends"),
    [
        (["Olá", "."], True),
        (["Vens", "?"], True),
        (["Vens", "?", "»"], True),
        (["Bom", "…"], True),
        (["Bom", "..."], True),
        (["Falei", "com", "o", "Sr", "."], False),
        (["J", "."], False),  # an initial
        (["Vi", "a", "."], True),  # "a" is a word, not an initial
        (["pão", ";"], False),
        (["três", "coisas", ":"], False),
        ([], False),
    ],
)
def test_sentence_ends(tokens, ends):
    assert ends_sentence(tokens) == ends


@pytest.mark.parametrize(
    ("before", "forced"),
    [
        ("", True),
        ("Bom dia.", True),
        ("Você vai?»", True),
        ("—", True),  # a line of dialogue
        ("- ", True),  # a typed dash
        ("Sim. —", True),
        ('"', True),
        ("(", True),
        ('Ele disse: "', True),  # direct speech
        ("Perguntou: —", True),
        ("Comprei três coisas:", False),  # Portuguese: lower case after a colon
        ('a palavra "', False),
        ("Não sei — disse ele —", False),  # the narrator, inside the sentence
        ("Falei com o Sr.", False),
        ("ele (", False),
        ("Bom dia,", False),
    ],
)
def test_where_a_capital_is_forced(before, forced):
    assert capital_forced(pretokenize(before)) == forced


TOKENS = st.lists(
    st.sampled_from(["casa", "Sr", ".", "?", ":", ",", ";", '"', "«", "»", "—", "-", "(", ")"])
)


@given(TOKENS)
def test_the_case_is_never_learned_where_a_capital_is_forced(before):
    assert not (capital_forced(before) and shows_usual_case(before))


@given(TOKENS)
def test_usual_case_positions_is_shows_usual_case_at_every_position(tokens):
    # The one-pass form the learners use; runs of openers and closers stay within its lookback.
    assert usual_case_positions(tokens) == [
        shows_usual_case(tokens[max(0, i - CASE_LOOKBACK) : i]) for i in range(len(tokens))
    ]
    words = pretokenize('O Sr. Silva disse: «Vens?» — Não sei — disse ele. "Sim." (Ok.) Fim')
    assert usual_case_positions(words) == [shows_usual_case(words[:i]) for i in range(len(words))]


@pytest.mark.parametrize(
    ("before", "shows"),
    [("Falei com", True), ("Assunto:", False), ('a palavra "', False), ("disse ele —", False)],
)
def test_the_case_shows_little_where_writers_capitalise_by_choice(before, shows):
    assert shows_usual_case(pretokenize(before)) == shows


def test_abbreviations_and_dialogue_lines():
    assert is_abbreviation("Sr") and is_abbreviation("pág") and is_abbreviation("J")
    assert not is_abbreviation("a") and not is_abbreviation("casa")
    assert starts_dialogue("— Sim") and starts_dialogue("– Sim") and starts_dialogue("- Sim")
    assert not starts_dialogue("-5 graus") and not starts_dialogue("Sim — disse")


# Every kind of position: text start, direct speech, sentence start, dialogue, the narrator
# after a dash, after an abbreviation, mid-sentence, inside quotes, after a colon.
TEXT = (
    'Alfa disse: "Beta vem." Gama foi.\n— Delta, disse ele — Épsilon sabe. '
    'Vi o Sr. Zeta e a palavra "Eta" e Teta: Iota com Kapa.'
)
WORDS = ["Alfa", "Beta", "Gama", "Delta", "Épsilon", "Zeta", "Eta", "Iota", "Kapa"]


def test_ranking_personal_and_tokenizer_agree_on_forced_capitals(tmp_path):
    personal = PersonalModel(tmp_path / "personal.sqlite3")
    personal.learn_text(TEXT)
    sentences = [s for p in text_rules.paragraphs(TEXT) for s in corpus.sentences(p)]
    distinct = {token.lower() for sentence in sentences for token in pretokenize(sentence)}
    tokenizer = Tokenizer.train(sentences, vocab_size=len(distinct) + 3)
    learned = {w for w in WORDS if personal.written_form(w.lower()) == w}
    displayed = {w for w in WORDS if tokenizer.display(w.lower()) == w}
    forced = {w for w in WORDS if parse(TEXT[: TEXT.index(w)]).sentence_start}
    assert forced == {"Alfa", "Beta", "Gama", "Delta"}
    assert learned == displayed == {"Zeta", "Kapa"}  # only where the case is the writer's own
    assert not forced & learned


def test_corpus_sentences_end_where_the_rules_say():
    paragraph = "O Sr. Matos chegou. Vens? — Sim. Ela disse: vem; «Vou já!» Depois… Fim"
    pieces = corpus.sentences(paragraph)
    assert pieces == [
        "O Sr. Matos chegou.",
        "Vens?",
        "— Sim.",
        "Ela disse: vem; «Vou já!»",
        "Depois…",
        "Fim",
    ]
    assert all(ends_sentence(pretokenize(piece)) for piece in pieces[:-1])


def test_a_word_being_typed_is_a_word_of_the_rules():
    assert finished("Mando o e-ma", 12) == "Mando o "
    assert finished("Mando o e-mail já", 4) == " o e-mail "


def test_the_editor_and_evaluate_count_the_same_slots():
    assert evaluate.SLOTS == SLOTS == len(SLOT_DIGITS)
