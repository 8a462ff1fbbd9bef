"""Slips of the finger: the error model (engine/typos.py), the shipped model's corrections,
and the editor showing and accepting one."""

from __future__ import annotations

import pytest
from test_tui import SIZE, bar_words, editor_of, pilot_test, put_text, settle

from autocomplete import Suggester
from autocomplete.engine.typos import NEIGHBOURS, ErrorModel, SlipConfig
from autocomplete.frontends.tui.app import EditorApp

CLEAN = [
    "Preciso de ajuda com o meu comp",
    "Obrigado pela aten",
    "Segue documento em an",
    "Eu acho que nao",
    "Qualquer dúvida, estou à dispo",
]


@pytest.fixture(scope="module")
def shipped() -> Suggester:
    return Suggester.load(personal=False)


def words(suggestions) -> list[str]:
    return [s.word for s in suggestions]


def test_neighbours_follow_the_abnt2_keyboard():
    assert NEIGHBOURS["a"] == {"q", "w", "s", "z"}
    assert {"k", "o", "p", "c"} <= NEIGHBOURS["l"]  # "ç" beside "l", folded to "c"
    assert "y" in NEIGHBOURS["u"] and "m" not in NEIGHBOURS["u"]


def test_each_kind_of_slip_leads_back_to_the_intended_prefix():
    slips = ErrorModel().one_slip("compy")
    assert slips["compu"] > slips["compa"]  # "y" touches "u", not "a"
    assert ErrorModel().one_slip("cmop")["comp"] > 0  # swapped
    assert ErrorModel().one_slip("cmpu")["compu"] > 0  # a letter left out
    assert ErrorModel().one_slip("comkp")["comp"] > 0  # one key too many
    assert "compy" not in slips and "comp" in slips  # no slip at all is not a slip


def test_the_first_letter_is_rarely_wrong_and_short_prefixes_read_clean():
    slips = ErrorModel().one_slip("vasa")
    assert slips["casa"] < slips["vaza"]  # both neighbouring keys
    assert ErrorModel().one_slip("ca") == {}
    assert ErrorModel().one_slip("12ab") == {}


def test_prefixes_looked_up_together_are_those_a_bisection_finds(shipped):
    """known_prefixes (one vectorised search) agrees with has_prefix, for the variants of
    typed words, accented and non-Latin spellings, and prefixes past the table's byte cut."""
    index = shipped.words
    asked = [
        v
        for typed in ("compy", "govern", "acao", "ministerio")
        for v in ErrorModel().one_slip(typed)
    ]
    asked += ["", "a", "zzzz", "çã", "número", "inconstitucionalissimamente", "a" * 30]
    asked += [spelling[:n] for spelling in index._sorted[1][::997] for n in (3, 6, 30)]
    longest = max(index._sorted[1], key=len)
    assert len(longest.encode()) > 24  # past the cut: bisected, and found
    asked += [longest, longest[:25], longest + "x"]
    assert index.known_prefixes(asked) == [index.has_prefix(prefix) for prefix in asked]
    assert any(index.known_prefixes(asked)) and not all(index.known_prefixes(asked))
    assert index.known_prefixes([]) == []


def test_a_longer_typed_part_holds_a_slip_more_often():
    model = ErrorModel(SlipConfig(slip_rate=0.05))
    assert model.clean(8) < model.clean(4)

    def odds_of_a_slip(typed: str) -> float:
        return sum(model.one_slip(typed).values()) / model.clean(len(typed))

    assert odds_of_a_slip("computad") > 1.5 * odds_of_a_slip("comp")


@pytest.mark.parametrize(
    ("text", "meant"),
    [("Preciso de ajuda com o meu compy", "computador"), ("Obrigado pela atne", "atenção")],
)
def test_the_shipped_model_corrects_a_slip(shipped: Suggester, text: str, meant: str):
    offered = {s.word: s for s in shipped.suggest(text, k=3)}
    assert meant in offered and offered[meant].correction
    assert shipped.suggest(text, k=3).replace == len(text.rsplit(" ", 1)[1])


@pytest.mark.parametrize("text", CLEAN)
def test_clean_prefixes_keep_their_results(shipped: Suggester, text: str):
    offered = shipped.suggest(text, k=3)
    before = words(Suggester.load(personal=False, slips=None).suggest(text, k=3))
    assert offered[0].word == before[0] and not offered[0].correction
    # A correction may only take the place of a completion far less likely than itself
    # ("nós" for "nao" at 2e-5, over "não-livres" at 1e-6): the rest keep their order.
    completions = [s.word for s in offered if not s.correction]
    assert completions == before[: len(completions)]


def test_a_blocked_word_is_never_offered_as_a_correction():
    suggester = Suggester.load()  # the personal vocabulary in the test's private data folder
    assert "computador" in words(suggester.suggest("Preciso de ajuda com o meu compy", k=3))
    suggester.block("computador")
    for text in ("Preciso de ajuda com o meu compy", "Preciso de ajuda com o meu cpmu"):
        assert "computador" not in words(suggester.suggest(text, k=10))


@pilot_test
async def test_the_editor_shows_a_correction_and_tab_accepts_it(shipped: Suggester) -> None:
    app = EditorApp(suggester=shipped)
    async with app.run_test(size=SIZE) as pilot:
        await put_text(pilot, "Preciso de ajuda com o meu compy")
        assert "compy→computador" in bar_words(app)
        assert bar_words(app)[0] == "compy→computador"
        assert editor_of(app).suggestion == ""  # no ghost text: the typed letters change
        await pilot.press("tab")
        await settle(pilot)
        assert editor_of(app).text == "Preciso de ajuda com o meu computador "
