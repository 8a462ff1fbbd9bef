"""When the suggestion is drawn: in the frame of its keystroke while the Suggester is quick,
from a worker when it is slow (never blocking typing, never showing words for older text)."""

from __future__ import annotations

import math
import re
import threading
from pathlib import Path

import pytest
from test_tui import SIZE, bar_words, editor_of, pilot_test, settle

from autocomplete import Suggester
from autocomplete.frontends.tui import pace
from autocomplete.frontends.tui.app import EditorApp, EditorOptions
from autocomplete.frontends.tui.pace import Pace

TYPED = "Segue documento em an"
STYLE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
SLOW_S = 0.05  # what each call of the slow Suggester costs, on the clock the pace reads


@pytest.fixture(scope="module")
def suggester(tiny_model: Path) -> Suggester:
    return Suggester.load(tiny_model, personal=False)


def record_frames(app: EditorApp) -> list[str]:
    """The text of each frame the app draws from now on (the parts of the screen it redraws)."""
    frames: list[str] = []
    display = app._display

    def spy(screen, update) -> None:
        if update is not None:
            frames.append(STYLE.sub("", update.render_segments(app.console)))
        display(screen, update)

    app._display = spy
    return frames


def slot_words(app: EditorApp) -> list[str]:
    """The bar's words, a correction without what it replaces ("Seg→Semana": "Semana")."""
    return [label.split("→")[-1] for label in bar_words(app)]


def keys(text: str) -> list[str]:
    return ["space" if character == " " else character for character in text]


@pilot_test
async def test_the_suggestion_is_drawn_in_the_frame_of_its_keystroke(
    suggester: Suggester,
) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        editor = editor_of(app)
        # However busy the test machine: the tiny model counts as quick (Pace has its tests).
        editor.pace, editor.phrase_pace = Pace(math.inf), Pace(math.inf)
        frames = record_frames(app)
        shown: list[str] = []
        for end, key in enumerate(keys(TYPED), start=1):
            frames.clear()
            await pilot.press(key)  # and no waiting for workers: there are none to wait for
            words = [s.word for s in suggester.suggest(TYPED[:end], k=3)]
            assert slot_words(app) == words
            labels = bar_words(app)
            drawn = next(frame for frame in frames if TYPED[:end] in frame)
            if labels != shown:  # new words: in the frame that draws the character
                assert all(f"{slot} {label}" in drawn for slot, label in enumerate(labels, 1))
            shown = labels


class SlowSuggester:
    """The tiny Suggester, slow on the pace's clock (each call advances it by SLOW_S) and,
    while `gate` is closed, stuck in its call until the test opens it."""

    def __init__(self, suggester: Suggester, clock: list[float]) -> None:
        self._suggester = suggester
        self._clock = clock
        self.gate = threading.Event()
        self.gate.set()
        self.learning = threading.Event()

    def suggest(self, text: str, k: int = 3):
        self._clock[0] += SLOW_S
        self.gate.wait(timeout=600)  # the timeout only ends a hung run
        return self._suggester.suggest(text, k)

    def learn(self, text: str, refit: bool = True) -> int:
        self.learning.set()
        self.gate.wait(timeout=600)
        return 0

    def __getattr__(self, name: str):
        return getattr(self._suggester, name)


@pytest.fixture
def slow(suggester: Suggester, monkeypatch) -> SlowSuggester:
    clock = [0.0]
    monkeypatch.setattr(pace, "thread_time", lambda: clock[0])
    return SlowSuggester(suggester, clock)


@pilot_test
async def test_a_slow_suggester_never_blocks_typing_nor_shows_older_words(
    slow: SlowSuggester, suggester: Suggester
) -> None:
    app = EditorApp(suggester=slow)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)  # the first offer, asked at once, was slow: now a worker asks
        offered: list[str] = []
        editor = editor_of(app)
        editor.offered.subscribe(app, lambda shown: offered.append(shown.offer), immediate=True)
        slow.gate.clear()
        await pilot.press(*"Bom")
        assert editor.text == "Bom"  # typed while the Suggester is stuck on "B"
        assert bar_words(app) == [] and editor.suggestion == ""  # not the words for ""
        slow.gate.set()
        await settle(pilot)
        assert slot_words(app) == [s.word for s in suggester.suggest("Bom", k=3)]
        assert [offer.text for offer in offered if offer is not None] == ["Bom"]


@pilot_test
async def test_tab_waits_for_the_slow_suggesters_word(slow: SlowSuggester, suggester) -> None:
    app = EditorApp(suggester=slow)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        slow.gate.clear()
        await pilot.press(*keys("Segue documento em "), "tab")
        assert editor_of(app).text == "Segue documento em "
        slow.gate.set()
        await settle(pilot)
        first = suggester.suggest("Segue documento em ", k=1)[0].word
        assert editor_of(app).text == f"Segue documento em {first} "


@pilot_test
async def test_typing_goes_on_while_a_save_is_learning(
    slow: SlowSuggester, suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "nota.txt"
    path.write_text("", encoding="utf-8")
    app = EditorApp(EditorOptions(path=path), suggester=slow)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        editor = editor_of(app)
        editor.pace = Pace(math.inf)  # quick, but held by the learning: a worker asks
        await pilot.press(*keys("Bom dia. "))
        slow.gate.clear()
        await pilot.press("ctrl+s")
        slow.learning.wait(timeout=600)
        await pilot.press(*"Seg")
        assert editor.text == "Bom dia. Seg"
        assert bar_words(app) == []
        slow.gate.set()
        await settle(pilot)
        assert slot_words(app) == [s.word for s in suggester.suggest("Bom dia. Seg", k=3)]


def test_pace_is_quick_while_the_95th_percentile_fits_the_budget() -> None:
    timed = Pace(budget_s=0.008, window=20)
    assert timed.quick()  # nothing timed yet
    for _ in range(19):
        timed.record(0.002)
    timed.record(0.5)  # one slow call in twenty: still quick
    assert timed.quick()
    timed.record(0.5)
    assert not timed.quick()
    for _ in range(19):  # quick again once the slow calls leave the window
        timed.record(0.002)
    assert timed.quick()
