"""Phrase completion (phrases.py): the greedy continuation, where it stops, how it is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ScriptedModel

from autocomplete.engine.phrases import Continuation, Phrase, PhraseFinder, Token
from autocomplete.engine.suggester import Suggester

# After "anexo" the scripted model is sure of "com", then "o", "brasil", "em", ...
SCRIPT = {"anexo": "com", "com": "o", "o": "brasil", "brasil": "em", "disposição": "."}


@pytest.fixture(scope="module")
def suggester(tiny_model: Path) -> Suggester:
    return Suggester.load(tiny_model, personal=False)


@pytest.fixture
def finder(suggester: Suggester) -> PhraseFinder:
    return PhraseFinder(ScriptedModel(suggester, SCRIPT))


def test_the_phrase_completes_the_word_and_goes_on(finder: PhraseFinder) -> None:
    phrase = finder.suggest("Segue documento em an")
    # The display form "Brasil", single spaces, and what it replaces: the "an" typed.
    assert phrase == Phrase(
        text="anexo com o Brasil", prob=pytest.approx(phrase.prob), replace=2, words=4
    )
    assert phrase.prob == pytest.approx(
        finder.suggester.suggest("Segue documento em an", 1)[0].prob * 0.9**3
    )


def test_the_first_word_is_suggests_top_word(suggester: Suggester) -> None:
    for text in ["Segue documento em an", "Segue documento em anexo ", "Bom dia, ", ""]:
        continuation = PhraseFinder(suggester, threshold=0.0).continuation(text, 4, 0.0)
        assert continuation.tokens[0].text == suggester.suggest(text, 1)[0].word
        assert continuation.replace == suggester.suggest(text, 1).replace


def test_at_most_max_words(finder: PhraseFinder) -> None:
    assert finder.suggest("Segue documento em an", max_words=2).text == "anexo com"
    with pytest.raises(ValueError, match="max_words"):
        finder.suggest("Segue documento em an", max_words=0)


def test_a_sentence_end_is_the_last_token_and_sticks_to_its_word(finder: PhraseFinder) -> None:
    phrase = finder.suggest("Qualquer dúvida, estou à disp")
    assert phrase.text == "disposição." and phrase.words == 1 and phrase.replace == 4


def test_tokens_below_the_threshold_end_the_phrase(suggester: Suggester) -> None:
    unsure = PhraseFinder(ScriptedModel(suggester, SCRIPT, prob=0.4), threshold=0.5)
    assert unsure.suggest("Segue documento em an") is None  # only "anexo" is sure enough
    sure = PhraseFinder(ScriptedModel(suggester, SCRIPT, prob=0.4), threshold=0.3)
    assert sure.suggest("Segue documento em an").text == "anexo com o Brasil"


def test_nothing_but_the_first_word_is_no_phrase(finder: PhraseFinder) -> None:
    assert finder.suggest("Segue documento em ") is None  # the scripted model: </s> next
    assert finder.suggest("Olá,") is None  # no word at all after closing punctuation


def test_a_cut_keeps_the_tokens_up_to_the_first_unsure_one() -> None:
    continuation = Continuation(
        (Token("Segue", 0.6), Token("em", 0.9), Token("anexo", 0.3), Token(".", 0.8)), replace=0
    )
    assert continuation.phrase(0.5) == Phrase("Segue em", pytest.approx(0.54), 0, 2)
    assert continuation.phrase(0.2) == Phrase("Segue em anexo.", pytest.approx(0.1296), 0, 3)
    assert continuation.phrase(0.7) is None


def test_suggester_offers_the_phrase_finders_phrase(suggester: Suggester) -> None:
    for text in ["Segue documento em an", "Qualquer dúvida, estou à disp", "Bom dia, "]:
        assert suggester.suggest_phrase(text) == PhraseFinder(suggester).suggest(text)


def test_a_keystroke_ranks_the_words_once(suggester: Suggester, monkeypatch) -> None:
    """The editor asks `suggest` then `suggest_phrase` for the same text: the phrase starts
    from that answer's top word, and is the same phrase as when asked on its own."""
    calls: list[tuple] = []
    suggest = suggester.suggest

    def counted(*args):
        calls.append(args)
        return suggest(*args)

    for text in ["Segue documento em an", "Qualquer dúvida, estou à disp", "Bom dia, "]:
        alone = PhraseFinder(suggester).suggest(text)
        suggester.suggest(text, 3)
        monkeypatch.setattr(suggester, "suggest", counted)
        assert suggester.suggest_phrase(text) == alone
        assert calls == []
        monkeypatch.undo()


def test_looking_ahead_leaves_the_document_and_the_next_keystroke_alone(tiny_model: Path) -> None:
    """A phrase's words are not typed: asking for the words after them leaves the document
    cache as last read, and the words for the text on screen are the same as before."""
    suggester = Suggester.load(tiny_model, personal=False, document_cache=True)
    text = "Segue documento em anexo. Segue documento em "
    before = suggester.suggest(text, 3)
    words = suggester.document_cache.words
    ahead = suggester.suggest_after(text, "anexo o", 3)
    assert ahead and ahead != before
    assert suggester.ids_after(text, "anexo o")[-2:] == [
        suggester.tokenizer.word_id(word) for word in ("anexo", "o")
    ]
    assert suggester.document_cache.words == words
    assert suggester.suggest(text, 3) == before
