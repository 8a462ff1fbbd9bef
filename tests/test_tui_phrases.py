"""The editor's phrases: grey text beyond the next word, Shift+Tab, the counter, --no-phrases."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ScriptedModel
from test_tui import SIZE, editor_of, pilot_test, settle

from autocomplete import Suggester
from autocomplete.engine.phrases import MAX_WORDS, Phrase, PhraseFinder
from autocomplete.frontends.tui.app import EditorApp, EditorOptions
from autocomplete.frontends.tui.status_bar import StatusBar

SCRIPT = {"anexo": "com", "com": "o", "o": "brasil", "disposição": "."}
TEXT = "Segue documento em an"  # the tiny model completes "anexo"; the script goes on


class PhrasingSuggester:
    """The tiny Suggester, with its phrases from the scripted model (conftest.py)."""

    def __init__(self, suggester: Suggester):
        self._suggester = suggester
        self._phrases = PhraseFinder(ScriptedModel(suggester, SCRIPT))

    def suggest_phrase(self, text: str, max_words: int = MAX_WORDS) -> Phrase | None:
        return self._phrases.suggest(text, max_words)

    def __getattr__(self, name: str):
        return getattr(self._suggester, name)


async def put_text(pilot, text: str) -> None:
    """Insert `text` at the cursor in one edit and wait for its words, then its phrase."""
    editor_of(pilot.app).insert(text)
    await settle(pilot)
    await settle(pilot)


async def press(pilot, key: str) -> None:
    await pilot.press(key)
    await settle(pilot)
    await settle(pilot)


@pytest.fixture(scope="module")
def phrasing(tiny_model: Path) -> PhrasingSuggester:
    return PhrasingSuggester(Suggester.load(tiny_model, personal=False))


@pilot_test
async def test_the_phrase_is_grey_and_shift_tab_inserts_it_all(phrasing) -> None:
    app = EditorApp(suggester=phrasing)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, TEXT)
        assert editor_of(app).suggestion == "exo com o Brasil"
        await press(pilot, "shift+tab")
        assert editor_of(app).text == "Segue documento em anexo com o Brasil "
        # 16 characters and a space for one key.
        assert app.query_one(StatusBar).keys_saved == len("exo com o Brasil ") - 1


@pilot_test
async def test_the_counter_counts_a_phrase_and_a_word(phrasing) -> None:
    app = EditorApp(suggester=phrasing)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, TEXT)
        await press(pilot, "shift+tab")
        saved_by_phrase = len("exo com o Brasil ") - 1
        # The tiny model is unsure of the next word: no phrase, Tab inserts one word.
        word = phrasing.suggest(editor_of(app).text, 1)[0].word
        assert phrasing.suggest_phrase(editor_of(app).text) is None
        assert editor_of(app).suggestion == word
        await press(pilot, "tab")
        assert editor_of(app).text == f"Segue documento em anexo com o Brasil {word} "
        saved_by_tab = len(f"{word} ") - 1
        assert app.query_one(StatusBar).keys_saved == saved_by_phrase + saved_by_tab


@pilot_test
async def test_tab_and_right_accept_one_word_of_the_phrase(phrasing) -> None:
    for key in ("tab", "right"):
        app = EditorApp(suggester=phrasing)
        async with app.run_test(size=SIZE) as pilot:
            await put_text(pilot, TEXT)
            await press(pilot, key)
            assert editor_of(app).text == "Segue documento em anexo "
            assert app.query_one(StatusBar).keys_saved == len("exo ") - 1


@pilot_test
async def test_a_full_stop_ends_the_phrase(phrasing) -> None:
    app = EditorApp(suggester=phrasing)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Qualquer dúvida, estou à disp")
        assert editor_of(app).suggestion == "osição."
        await press(pilot, "shift+tab")
        assert editor_of(app).text == "Qualquer dúvida, estou à disposição. "


@pilot_test
async def test_escape_hides_the_phrase(phrasing) -> None:
    app = EditorApp(suggester=phrasing)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, TEXT)
        await press(pilot, "escape")
        assert editor_of(app).suggestion == ""
        await press(pilot, "shift+tab")  # nothing on show: nothing inserted
        assert editor_of(app).text == TEXT


@pilot_test
async def test_without_phrases_the_grey_text_is_one_word(phrasing) -> None:
    app = EditorApp(EditorOptions(phrases=False), suggester=phrasing)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, TEXT)
        assert editor_of(app).suggestion == "exo"
        await press(pilot, "shift+tab")  # the grey text is the word: that is what it inserts
        assert editor_of(app).text == "Segue documento em anexo "


USER_PHRASE = "Fico à disposição para quaisquer esclarecimentos.\n"


@pilot_test
async def test_a_phrase_the_user_wrote_three_times_is_offered_and_shift_tab_inserts_it(
    tiny_model: Path,
) -> None:
    suggester = Suggester.load(tiny_model)  # the test's own personal store (conftest)
    suggester.learn(USER_PHRASE * 2)
    assert suggester.suggest_phrase("Fico à ") is None  # twice is not yet a phrase
    suggester.learn(USER_PHRASE)
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Obrigada. Fico à di")
        assert editor_of(app).suggestion == "sposição para quaisquer esclarecimentos"
        await press(pilot, "shift+tab")
        assert editor_of(app).text == "Obrigada. Fico à disposição para quaisquer esclarecimentos "


def test_a_blocked_word_blocks_the_users_phrases_and_forget_takes_them(tiny_model: Path):
    suggester = Suggester.load(tiny_model)
    suggester.learn(USER_PHRASE * 3)
    assert suggester.suggest_phrase("Fico à ").text == "disposição para quaisquer esclarecimentos"
    suggester.block("quaisquer")
    assert suggester.suggest_phrase("Fico à ") is None
    suggester.personal.forget()
    assert suggester.suggest_phrase("Fico à ") is None
