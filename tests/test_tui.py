"""The editor driven through Textual's Pilot, with the tiny model of conftest.py."""

from __future__ import annotations

import asyncio
import functools
import os
import signal
import stat
import sys
import threading
from pathlib import Path

import pytest
from textual import constants, events
from textual._xterm_parser import XTermParser
from textual.drivers.linux_driver import LinuxDriver
from textual.widgets import Footer, Input, Label
from textual.widgets._footer import FooterKey
from textual.widgets.text_area import Selection

from autocomplete import Suggester, userdata
from autocomplete.engine.suggester import Suggestion, Suggestions
from autocomplete.frontends.tui.app import EditorApp, EditorOptions
from autocomplete.frontends.tui.dialogs import ConfirmQuit, SaveAs
from autocomplete.frontends.tui.editor import Offer, SuggestingEditor
from autocomplete.frontends.tui.probability_panel import ProbabilityPanel, bar
from autocomplete.frontends.tui.status_bar import LOADING, StatusBar
from autocomplete.frontends.tui.suggestion_bar import SuggestionBar

SIZE = (100, 30)


def pilot_test(test):
    """Run an async test in its own event loop (no pytest async plugin is installed)."""

    @functools.wraps(test)
    def run(*args, **kwargs) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


@pytest.fixture(scope="session")
def suggester(tiny_model: Path) -> Suggester:
    # The bare model: saves in one test must not change the suggestions of the next.
    return Suggester.load(tiny_model, personal=False)


async def settle(pilot) -> None:
    """Let suggestion workers finish and their results reach the screen (an arriving offer
    can start another request, hence two rounds)."""
    for _ in range(2):
        # Cancelled (superseded) and failed workers count as done: the app handles both.
        await asyncio.gather(*(w.wait() for w in pilot.app.workers), return_exceptions=True)
        await pilot.pause()


def key_hints(app: EditorApp) -> list[str]:
    return [key.key for key in app.query(FooterKey)]


def editor_of(app: EditorApp) -> SuggestingEditor:
    return app.query_one(SuggestingEditor)


def bar_words(app: EditorApp) -> list[str]:
    labels = app.query_one(SuggestionBar).query(".slot").results(Label)
    return [str(label.content).split(" ", 1)[1] for label in labels if str(label.content)]


async def type_text(pilot, text: str) -> None:
    """Type `text` key by key (slow: Pilot waits for the app to be idle after each key)."""
    await pilot.press(*text)
    await settle(pilot)


def burst(app: EditorApp, keys: list[tuple[str, str]]) -> None:
    """Send keys the way a fast typist or a paste from tmux does: all at once, without
    waiting for the app to handle one before the next."""
    for key, character in keys:
        app.post_message(events.Key(key, character))


def letters(text: str) -> list[tuple[str, str]]:
    return [("space" if c == " " else c, c) for c in text]


def record_notifications(app: EditorApp, monkeypatch) -> list[tuple[str, str]]:
    """(severity, title) of each notification the app shows."""
    shown: list[tuple[str, str]] = []
    notify = app.notify

    def spy(message: str, *, title: str = "", severity: str = "information", **kwargs) -> None:
        shown.append((severity, title))
        notify(message, title=title, severity=severity, **kwargs)

    monkeypatch.setattr(app, "notify", spy)
    return shown


async def put_text(pilot, text: str) -> None:
    """Insert `text` at the cursor in one edit, as a paste would."""
    editor_of(pilot.app).insert(text)
    await settle(pilot)


@pilot_test
async def test_bar_shows_the_suggesters_top_three(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await type_text(pilot, "Segue documento em ")
        expected = [s.word for s in suggester.suggest("Segue documento em ", k=3)]
        assert bar_words(app) == expected
        assert editor_of(app).suggestion == expected[0]


@pilot_test
async def test_tab_inserts_the_first_suggestion_and_a_space(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em ")
        first = suggester.suggest("Segue documento em ", k=1)[0].word
        await pilot.press("tab")
        await settle(pilot)
        assert editor_of(app).text == f"Segue documento em {first} "
        assert app.query_one(StatusBar).keys_saved == len(first)  # word + space - Tab


def terminal_keys(data: str, monkeypatch) -> list[events.Key]:
    """The key events Textual's terminal parser makes of the bytes a terminal sends."""
    monkeypatch.setattr(constants, "ESCAPE_DELAY", 0.0)  # a lone ESC+key ends at once
    parser = XTermParser()
    keys = [*parser.feed(data), *parser.tick()]
    assert all(isinstance(key, events.Key) for key in keys)
    return keys


@pilot_test
async def test_alt_2_inserts_the_second_suggestion(suggester: Suggester, monkeypatch) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em ")
        second = suggester.suggest("Segue documento em ", k=2)[1].word
        keys = terminal_keys("\x1b2", monkeypatch)  # what most terminals send for Alt+2
        assert [key.key for key in keys] == ["alt+2"]
        burst(app, [(key.key, key.character) for key in keys])
        await settle(pilot)
        assert editor_of(app).text == f"Segue documento em {second} "


@pilot_test
async def test_pound_inverted_exclamation_and_trade_mark_are_typed(
    suggester: Suggester, monkeypatch
) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Custa 10 ")
        keys = terminal_keys("£ ¡Olá! Marca™", monkeypatch)
        burst(app, [(key.key, key.character) for key in keys])
        await settle(pilot)
        assert editor_of(app).text == "Custa 10 £ ¡Olá! Marca™"


@pilot_test
async def test_invalid_utf8_from_the_terminal_is_dropped_without_a_crash(
    suggester: Suggester, monkeypatch
) -> None:
    """Bytes go through Textual's Linux driver input thread, which Pilot bypasses: before,
    its strict decoder raised UnicodeDecodeError there and the app panicked and exited; then
    the bad bytes were typed as U+FFFD and saved into the file. Now they are not typed."""
    app = EditorApp(suggester=suggester)  # makes the driver decode with errors="replace"
    async with app.run_test(size=SIZE) as pilot:
        read_end, write_end = os.pipe()
        with monkeypatch.context() as patch:  # a driver reading the pipe, not the test's stdin
            patch.setattr(sys, "__stdin__", os.fdopen(read_end, "rb", closefd=False))
            patch.setattr(signal, "signal", lambda *args: None)  # keep pytest's Ctrl+Z
            driver = LinuxDriver(app)
        # 0xC3 starts a two-byte character that "(" cannot continue; 0xFF is never UTF-8.
        os.write(write_end, b"a\xc3(b\xffc\xc3\xa7")
        thread = threading.Thread(target=driver._run_input_thread)  # Textual's thread target
        thread.start()
        try:
            for _ in range(6000):  # until the keys arrive; the bound only ends a broken run
                if editor_of(app).text == "a(bcç":
                    break
                await pilot.pause(0.01)
        finally:
            driver.exit_event.set()
            thread.join()
            os.close(read_end)
            os.close(write_end)
        await settle(pilot)  # the suggestions the typing started finish before teardown
        assert editor_of(app).text == "a(bcç"
        assert "bytes que não são texto" in app.query_one(StatusBar).render()
        assert app.is_running


@pilot_test
async def test_completion_replaces_the_partial_word(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em an")
        word = suggester.suggest("Segue documento em an", k=1)[0].word
        assert word == "anexo"
        assert editor_of(app).suggestion == "exo"
        await pilot.press("tab")
        await settle(pilot)
        assert editor_of(app).text == "Segue documento em anexo "
        assert app.query_one(StatusBar).keys_saved == 3  # "exo " typed by one key


@pilot_test
async def test_right_accepts_the_next_word_as_tab_does(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em ")
        first = suggester.suggest("Segue documento em ", k=1)[0].word
        assert editor_of(app).suggestion == first
        await pilot.press("right")
        await settle(pilot)
        assert editor_of(app).text == f"Segue documento em {first} "
        assert editor_of(app).cursor_location == (0, len(editor_of(app).text))
        assert app.query_one(StatusBar).keys_saved == len(first)  # word + space - Right


@pilot_test
async def test_right_completes_the_partial_word_as_tab_does(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em an")
        await pilot.press("right")
        await settle(pilot)
        assert editor_of(app).text == "Segue documento em anexo "
        assert app.query_one(StatusBar).keys_saved == 3  # "exo " typed by one key


@pilot_test
async def test_right_accepts_a_correction_of_the_word_typed(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Eu acho que nao")
        assert bar_words(app)[0] == "não"
        assert editor_of(app).suggestion == ""  # "não" is no insertion after "nao"
        await pilot.press("right")
        await settle(pilot)
        assert editor_of(app).text == "Eu acho que não "
        assert app.query_one(StatusBar).keys_saved == 0  # "ã" for "a" and a space, one key


@pytest.mark.parametrize("text", ["Segue documento em ", "Segue em an", "Eu acho que nao", "Vo"])
@pilot_test
async def test_right_and_tab_insert_the_same(
    suggester: Suggester, text: str, tmp_path: Path, monkeypatch
) -> None:
    accepted = []
    for key in ["tab", "right"]:
        # Each app its own user data: the first one's recovery copy must not open a dialog.
        monkeypatch.setenv(userdata.ENVIRONMENT, str(tmp_path / key))
        app = EditorApp(suggester=suggester)
        async with app.run_test(size=SIZE) as pilot:
            await put_text(pilot, text + " resto")  # a space follows: the cursor steps over it
            editor_of(app).move_cursor((0, len(text)))
            await settle(pilot)
            await pilot.press(key)
            await settle(pilot)
            editor = editor_of(app)
            saved = app.query_one(StatusBar).keys_saved
            accepted.append((editor.text, editor.cursor_location, saved))
    assert accepted[0] == accepted[1]
    assert accepted[0][0] != text + " resto"


@pilot_test
async def test_right_without_a_suggestion_moves_the_cursor(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em anexo")
        editor_of(app).move_cursor((0, 0))
        await pilot.press("right", "right")  # inside a word: no suggestion
        await settle(pilot)
        assert editor_of(app).cursor_location == (0, 2)
        editor_of(app).move_cursor((0, len("Segue documento em")))
        await settle(pilot)
        assert bar_words(app) != []  # completions of "em"
        # Hidden by Esc, so Right only moves; Shift+Right only selects.
        await pilot.press("escape", "right", "shift+right")
        await settle(pilot)
        assert editor_of(app).text == "Segue documento em anexo"
        assert editor_of(app).selection == Selection((0, 19), (0, 20))
        assert app.query_one(StatusBar).keys_saved == 0


@pilot_test
async def test_tab_typed_right_after_a_space_waits_for_its_suggestion(
    suggester: Suggester,
) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em")
        burst(app, [("space", " "), ("tab", "\t")])  # Tab arrives before the offer for "em "
        await settle(pilot)
        first = suggester.suggest("Segue documento em ", k=1)[0].word
        assert editor_of(app).text == f"Segue documento em {first} "


@pilot_test
async def test_escape_hides_until_the_next_keystroke(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em ")
        await pilot.press("escape")
        await settle(pilot)
        assert editor_of(app).suggestion == ""
        assert bar_words(app) == []
        await pilot.press("tab")  # nothing on show: Tab indents
        await settle(pilot)
        assert editor_of(app).text.startswith("Segue documento em  ")
        assert bar_words(app) != []  # the Tab was a keystroke: suggestions are back


@pilot_test
async def test_punctuation_after_an_accepted_word_replaces_its_space(
    suggester: Suggester,
) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em an")
        await pilot.press("tab", "full_stop")
        await settle(pilot)
        assert editor_of(app).text == "Segue documento em anexo."
        assert app.query_one(StatusBar).keys_saved == 2  # the space was not saved after all
        await pilot.press("space", "comma")  # a typed space stays
        assert editor_of(app).text == "Segue documento em anexo. ,"


@pilot_test
async def test_no_suggestions_inside_a_word(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento")
        await pilot.press("left", "left")
        await settle(pilot)
        assert editor_of(app).suggestion == ""
        assert bar_words(app) == []


@pilot_test
async def test_enter_is_a_newline_even_with_a_suggestion(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em ")
        await pilot.press("enter")
        await settle(pilot)
        assert editor_of(app).text == "Segue documento em \n"


@pilot_test
async def test_results_for_changed_text_are_dropped(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Bom dia, equipe.")
        burst(app, letters(" Segue documento em an"))  # each key makes the last offer stale
        await settle(pilot)
        text = editor_of(app).text
        assert bar_words(app) == [s.word for s in suggester.suggest(text, k=3)]


@pilot_test
async def test_f2_shows_ten_probabilities_and_the_report(suggester: Suggester) -> None:
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Segue documento em ")
        panel = app.query_one(ProbabilityPanel)
        assert not panel.display
        await pilot.press("f2")
        assert panel.display
        shown = str(panel.content)
        for suggestion in suggester.suggest("Segue documento em ", k=10):
            assert suggestion.word in shown
        assert "probabilidade" in shown  # what the bars mean, not a file a wheel lacks
        assert panel.border_title == "Próxima palavra"


@pilot_test
async def test_typing_works_while_the_model_loads(tiny_model: Path, monkeypatch) -> None:
    loaded = threading.Event()
    load = Suggester.load.__func__

    def slow_load(cls, path=None, personal=True, **options):
        loaded.wait(timeout=600)  # the test releases it; the timeout only ends a hung run
        return load(cls, path, personal, **options)

    monkeypatch.setattr(Suggester, "load", classmethod(slow_load))
    app = EditorApp(EditorOptions(checkpoint=tiny_model))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Bom dia, ")
        assert editor_of(app).text == "Bom dia, "
        assert app.query_one(StatusBar).model == LOADING
        assert bar_words(app) == []
        assert key_hints(app) == []  # drawn after the first words (key_hints.py)
        loaded.set()
        await settle(pilot)
        assert app.query_one(StatusBar).model == "LSTM 1x32"
        assert "tab" in key_hints(app) and "ctrl+s" in key_hints(app)
        expected = load(Suggester, tiny_model, document_cache=True).suggest("Bom dia, ")
        assert bar_words(app) == [s.word for s in expected]


@pilot_test
async def test_a_burst_of_binding_changes_rebuilds_the_key_hints_once(
    suggester: Suggester, monkeypatch
) -> None:
    rebuilds = []
    rebuild = Footer.recompose

    async def counted(footer) -> None:
        rebuilds.append(footer)
        await rebuild(footer)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(rebuilds) == 1  # the launch's focus, stack and terminal focus changes
        for _ in range(5):
            app.screen.refresh_bindings()
        await settle(pilot)
        assert len(rebuilds) == 2
        assert key_hints(app)[:4] == ["tab", "alt+1", "alt+2", "alt+3"]


@pilot_test
async def test_broken_checkpoint_leaves_a_working_editor(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    app = EditorApp(EditorOptions(checkpoint=broken))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notice = str(app.query_one("#notice", Label).content)
        assert notice.startswith("Sugestões desligadas:") and "broken.pt" in notice
        assert "ctrl+s" in key_hints(app)
        await pilot.press(*"Olá", "tab")
        assert editor_of(app).text == "Olá "  # Tab indents to column 4: no suggestion


@pilot_test
async def test_ctrl_s_writes_the_file_keeping_its_permissions(
    suggester: Suggester, tmp_path: Path
) -> None:
    path = tmp_path / "nota.txt"
    path.write_text("Oi\n", encoding="utf-8")
    path.chmod(0o600)
    app = EditorApp(EditorOptions(path=path), text="Oi\n", suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("end", *", Carlos")
        assert app.modified
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert path.read_text(encoding="utf-8") == "Oi, Carlos\n"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert not app.modified


@pilot_test
async def test_ctrl_s_on_a_new_buffer_asks_for_a_name(suggester: Suggester, tmp_path: Path) -> None:
    path = tmp_path / "novo.txt"
    app = EditorApp(suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"Olá")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SaveAs)
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await settle(pilot)
        assert path.read_text(encoding="utf-8") == "Olá"
        assert app.query_one(StatusBar).file_name == "novo.txt"


@pilot_test
async def test_ctrl_q_with_unsaved_changes_asks(suggester: Suggester, tmp_path: Path) -> None:
    app = EditorApp(EditorOptions(path=tmp_path / "x.txt"), suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmQuit)
        await pilot.press("escape")  # cancel: back to the text
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmQuit)
        assert editor_of(app).text == "a"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.click("#save")
        await settle(pilot)
        assert (tmp_path / "x.txt").read_text(encoding="utf-8") == "a"
    assert app.return_code == 0


@pilot_test
async def test_ctrl_q_without_changes_quits_at_once(suggester: Suggester) -> None:
    app = EditorApp(text="Olá", suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


def test_ghost_text_is_only_what_accepting_inserts() -> None:
    def offer(text: str, word: str, replace: int) -> Offer:
        return Offer.of(text, Suggestions([Suggestion(word, 0.5)], replace=replace), 0.0)

    assert offer("em an", "anexo", 2).ghost() == "exo"
    assert offer("em an", "anexo", 2).partial == "an"
    assert offer("em ", "anexo", 0).ghost() == "anexo"
    assert offer("acho que nao", "não", 3).ghost() == ""  # a correction: no insertion shows it
    assert offer("Nao", "Não", 3).ghost() == ""
    assert Offer.of("em ", Suggestions(), 0.0).ghost() == ""


def test_bar_drawing() -> None:
    assert bar(1.0, 4) == "████"
    assert bar(0.5, 4) == "██  "
    assert bar(1 / 32, 4) == "▏   "
    assert bar(0.0, 4) == "    "


@pilot_test
async def test_typing_lays_out_nothing(suggester: Suggester, monkeypatch) -> None:
    """A keystroke's words reach the bar and the F2 panel without a layout of the screen:
    their sizes never depend on the words (a layout costs most in a long document)."""
    app = EditorApp(text="Bom dia.\n", suggester=suggester)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel, bar_ = app.query_one(ProbabilityPanel), app.query_one(SuggestionBar)
        await pilot.press("f2")
        await settle(pilot)
        laid_out: list[str] = []
        for widget in (panel, *bar_.query(Label)):
            refresh = widget.refresh

            def spied(*regions, refresh=refresh, widget=widget, **options):
                if options.get("layout"):
                    laid_out.append(widget.id or type(widget).__name__)
                return refresh(*regions, **options)

            monkeypatch.setattr(widget, "refresh", spied)
        editor_of(app).move_cursor((1, 0))
        await pilot.press(*"Segue em an")
        await settle(pilot)
        assert bar_words(app) and "Completar" in str(panel.border_title)
        assert laid_out == []
