import numpy as np
import pytest

from autocomplete.engine.mixer import FITTED, RECENT_WORDS, START_SHARE, TRUST_KNEE, TRUST_POWER
from autocomplete.engine.sources import PersonalVocabulary
from autocomplete.engine.suggester import Suggester
from autocomplete.personal import fit
from autocomplete.personal.store import PersonalModel


def events(model, counts, totals, types=None) -> fit.Events:
    totals = np.array(totals, dtype=float)
    return fit.Events(
        model=np.array(model, dtype=float),
        counts=np.array(counts, dtype=float),
        totals=totals,
        types=np.array(types if types is not None else np.minimum(totals, 3), dtype=float),
    )


@pytest.mark.parametrize("diversity", [False, True])
def test_weights_sum_to_one_and_grow_with_evidence(diversity):
    parameters = fit.MixParameters(beta=(1000.0, 5.0, 2.0), diversity=diversity)
    few = parameters.weights([100, 1, 1], [50, 1, 1])
    many = parameters.weights([100, 40, 40], [50, 1, 1])
    unseen = parameters.weights([100, 0, 0], [50, 0, 0])
    for weights in (few, many, unseen):
        assert weights.sum() == pytest.approx(1.0) and (weights >= 0).all()
    assert many[0] < few[0] < unseen[0]  # the model keeps less where the user wrote more
    assert unseen[2] == unseen[3] == 0.0


def synthetic(user_right: bool, n: int = 400) -> fit.Events:
    """Held-out words the model gives 0.01; the user's two-word context saw them 4 times in
    5 (a user who repeats themselves) or never (a user whose past says nothing)."""
    rng = np.random.default_rng(0)
    totals = np.column_stack([np.full(n, 1e4), np.full(n, 20.0), rng.integers(1, 10, n)])
    counts = np.zeros((n, 3))
    counts[:, 0] = 50
    counts[:, 1] = 2
    counts[:, 2] = np.round(0.8 * totals[:, 2]) if user_right else 0
    return events(np.full(n, 0.01), counts, totals)


@pytest.mark.parametrize("fitter", [fit.fit_dirichlet, fit.fit_buckets])
def test_fitting_trusts_a_user_whose_past_predicts_and_not_one_whose_past_does_not(fitter):
    right, wrong = synthetic(True), synthetic(False)
    trusting, doubting = fitter(right), fitter(wrong)
    assert fit.log_likelihood(trusting, right) > fit.log_likelihood(doubting, right)
    assert fit.log_likelihood(doubting, wrong) > fit.log_likelihood(trusting, wrong)
    # Where the user's counts say nothing, the fitted mix is no worse than the model alone.
    alone = float(np.log(wrong.model).mean())
    assert fit.log_likelihood(doubting, wrong) >= alone - 0.01
    context = [1e4, 20.0, 5.0]
    assert trusting.weights(context, [500, 10, 2])[0] < doubting.weights(context, [500, 10, 2])[0]


def test_a_word_never_written_never_passes_the_models_choice(private_data_dir):
    model = {"pdf": 0.5, "mãos": 0.3, "anexo": 0.05, "ordem": 0.15}
    for parameters in (FITTED, fit.MixParameters(beta=(1.0, 0.01, 0.01))):
        personal = PersonalModel(mix=parameters)
        personal.learn_text("Segue documento em anexo. " * 3 + "Bom dia a todos.")
        mine, weight = personal.next_words(["documento", "em"], list(model))
        mixed = {w: (1 - weight) * p + weight * mine[w] for w, p in model.items()}
        unwritten = [w for w in model if w != "anexo"]
        assert sorted(unwritten, key=mixed.get) == sorted(unwritten, key=model.get)
        assert mixed["anexo"] > model["anexo"]
        assert max(mixed, key=mixed.get) in ("pdf", "anexo")
        personal.forget()
        personal.close()


def test_learning_holds_out_every_tenth_paragraph_and_releases_the_oldest(private_data_dir):
    store = PersonalModel()
    lines = [f"Linha numero {i} do texto." for i in range(40)]
    store.learn_text("\n".join(lines), hold_out=True)
    assert store.held_out_text().splitlines() == [lines[i] for i in (9, 19, 29, 39)]
    assert "numero" in store.words()
    # Paragraphs are counted on across saves: the next text's first is the 41st.
    store.learn_text("\n".join(f"Outra {i}." for i in range(10)), hold_out=True)
    assert store.held_out_text().splitlines()[-1] == "Outra 9."


def test_a_stores_own_fit_is_kept_and_goes_with_forget(private_data_dir):
    store = PersonalModel()
    text = "\n".join(
        f"Segue o documento {i} em anexo para a reunião de amanhã." for i in range(400)
    )
    store.learn_text(text, hold_out=True)
    assert fit.refit_due(store)

    def model(before: str, word: str) -> float:
        return 0.001  # a model that knows nothing of this user

    fitted = fit.fit_store(store, model)
    assert fitted is not None and 0 < fitted.affinity <= 1
    assert fitted.beta[2] < FITTED.beta[2]  # this user repeats themselves: trusted more
    assert not fit.refit_due(store)
    again = PersonalModel()  # another session reads the store's fit
    assert again.mix == fitted
    again.forget()
    assert again.mix == FITTED and again.held_out_text() == "" and fit.refit_due(again) is False


def test_text_unlike_the_store_trusts_it_less(private_data_dir):
    store = PersonalModel(
        mix=fit.MixParameters(beta=(100.0, 5.0, 2.0), diversity=True, affinity=0.5)
    )
    store.learn_text("Segue o documento em anexo para a reunião.\n" * 20)
    like = store.affinity("Bom dia. Segue o documento em anexo para a reunião. Segue o ")
    unlike = store.affinity("O time venceu o jogo de ontem por dois gols a zero no estádio ")
    assert unlike < like
    assert store.mix.trust(unlike) < store.mix.trust(like) <= 1.0


def test_trust_is_whole_in_text_like_the_slice_and_next_to_none_far_from_it():
    mix = fit.MixParameters(beta=(100.0, 5.0, 2.0), diversity=True, affinity=0.4)
    assert mix.trust(0.4) == mix.trust(0.4 * TRUST_KNEE) == 1.0  # the slice's own documents vary
    assert mix.trust(0.2 * TRUST_KNEE) == pytest.approx(0.5**TRUST_POWER)
    assert mix.trust(0.05) < 0.01  # news read by a legal store: the model alone, nearly
    assert fit.MixParameters(beta=(100.0, 5.0, 2.0)).trust(0.05) == 1.0  # no affinity fitted


def test_a_document_is_read_from_its_first_word(private_data_dir):
    store = PersonalModel(
        mix=fit.MixParameters(beta=(100.0, 5.0, 2.0), diversity=True, affinity=0.5)
    )
    store.learn_text("Segue o documento em anexo para a reunião.\n" * 20)
    assert store.recent_seen("") == (0, 0)
    assert store.affinity("") == pytest.approx(START_SHARE * 0.5)  # nothing typed: the prior
    assert store.recent_seen("Segue o documento em anexo ") == (5, 5)  # "Segue" is not cut
    long_text = "O time venceu o jogo de ontem por dois gols a zero. " * 40
    assert store.recent_seen(long_text + "Segue o documento em anexo ") == (5, RECENT_WORDS)
    assert store.recent_seen(long_text + "Segue o documento em anexo ", words=30) == (5, 30)


def test_what_the_store_learns_shows_in_the_text_it_had_read_before(private_data_dir):
    # The words read for affinity are cached per window and per word: learning must reach them.
    store = PersonalModel(
        mix=fit.MixParameters(beta=(100.0, 5.0, 2.0), diversity=True, affinity=0.5)
    )
    store.learn_text("Segue o documento em anexo para a reunião.\n" * 5)
    text = "O time venceu o jogo de ontem. "
    assert store.recent_seen(text) == (0, 7)
    store.learn_text("O time venceu o jogo de ontem.\n" * 5)
    assert store.recent_seen(text) == (7, 7)


def test_the_weights_follow_a_fit_that_another_program_stored(tiny_model):
    # The editor open while `learn` fits the same store: after the editor's next save reads
    # the store again, its suggestions weigh the counts by the new fit, not the one it
    # started with.
    suggester = Suggester.load(tiny_model)
    suggester.learn("Segue o documento em anexo.\n" * 5, refit=False)
    trusting = fit.MixParameters(beta=(1.0, 0.01, 0.01))
    PersonalModel().set_mix(trusting, fitted_on=1)
    suggester.learn("Bom dia.", refit=False)
    (source,) = (s for s in suggester.sources if isinstance(s, PersonalVocabulary))
    query = suggester.query("Segue o documento em ")
    found = source.candidates(query, suggester.reading(query), 3)
    evidence = source.counts.distribution(query.tokens_before)[1]
    assert source.counts.mix == trusting
    assert found.weight == pytest.approx(trusting.counts_weight(evidence))
    assert found.weight > 0.9
    assert suggester.suggest("Segue o documento em ", 1)[0].word == "anexo"
