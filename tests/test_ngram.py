import numpy as np
import pytest
from conftest import SAMPLE_CORPUS

from autocomplete import Suggester, Suggestion
from autocomplete.engine.ngram import KneserNeyTrigram
from autocomplete.engine.tokenizer import EOS_ID, PAD_ID, UNK_ID, Tokenizer
from autocomplete.training import checkpoint, corpus

SENTENCES = [
    "O Rio de Janeiro amanheceu com chuva.",
    "Fui ao Rio de Janeiro de manhã.",
    "Moro no Rio de Janeiro.",
    "A casa de Janeiro é azul.",
    "Vi a casa nova.",
    "Minha casa tem janela.",
    "Sua casa fica longe.",
]


@pytest.fixture(scope="module")
def tokenizer():
    return Tokenizer.train(SENTENCES, vocab_size=28)


@pytest.fixture(scope="module")
def trigram(tokenizer):
    return KneserNeyTrigram.train(tokenizer, SENTENCES)


def test_every_distribution_sums_to_one_over_the_vocabulary(tokenizer, trigram):
    word = tokenizer.word_id
    histories = [
        [],
        [EOS_ID],
        [EOS_ID, word("rio")],
        [word("rio"), word("de")],
        [word("casa"), word("de")],
        [UNK_ID, UNK_ID],
        [PAD_ID, PAD_ID],
    ]
    for history in histories:
        probs = trigram.probs(history)
        assert probs.shape == (len(tokenizer),)
        assert probs.sum() == pytest.approx(1.0, abs=1e-12), history
        assert (probs > 0).all(), history  # unseen words keep some mass
        assert np.exp(trigram.next_log_probs(history)).sum() == pytest.approx(1.0, abs=1e-12)


def test_probabilities_by_hand(tokenizer):
    """Stream </s> a b a b a c: every step of the interpolation worked out on paper."""
    a, b, c = (tokenizer.word_id(w) for w in ("casa", "rio", "azul"))
    model = KneserNeyTrigram.from_ids(tokenizer, np.array([a, b, a, b, a, c]))
    uniform = 1 / len(tokenizer)
    # Trigram counts (</s> a b) 1, (a b a) 2, (b a b) 1, (b a c) 1: n1=3, n2=1, n3=0, too few
    # for three discounts, so one absolute discount D3 = n1 / (n1 + 2 n2) = 0.6.
    # Bigram continuation counts (a b) 2, (b a) 1, (a c) 1: D2 = 2 / (2 + 2) = 0.5.
    # Unigram continuation counts b, a, c all 1: D1 = 1, so P(w) is uniform.
    assert model.probs([]) == pytest.approx(np.full(len(tokenizer), uniform))
    after_a = model.probs([a])  # total 3, backoff 2 * 0.5 / 3
    assert after_a[b] == pytest.approx((2 - 0.5) / 3 + uniform / 3)
    assert after_a[c] == pytest.approx((1 - 0.5) / 3 + uniform / 3)
    assert after_a[a] == pytest.approx(uniform / 3)
    after_b_a = model.probs([b, a])  # total 2, backoff 2 * 0.6 / 2
    assert after_b_a[b] == pytest.approx((1 - 0.6) / 2 + 0.6 * after_a[b])
    assert after_b_a[c] == pytest.approx((1 - 0.6) / 2 + 0.6 * after_a[c])
    assert after_b_a[a] == pytest.approx(0.6 * after_a[a])
    assert model.probs([c, a]) == pytest.approx(after_a)  # unseen context: the bigram whole


def test_lower_orders_use_continuation_counts(tokenizer, trigram):
    word = tokenizer.word_id
    unigram = trigram.probs([])
    # "janeiro" is more frequent than "casa" but follows only "de": a worse guess elsewhere.
    assert unigram[word("janeiro")] < unigram[word("casa")]
    assert trigram.probs([word("rio"), word("de")]).argmax() == word("janeiro")


def test_perplexity_is_lower_on_the_training_text(tokenizer, trigram):
    stream = tokenizer.encode_sentences(SENTENCES)
    shuffled = np.random.default_rng(0).permutation(stream)
    assert 1 < trigram.perplexity(stream) < trigram.perplexity(shuffled)


@pytest.fixture(scope="module")
def sample_trigram(tiny_model):
    """Suggestions from a trigram with the tiny LSTM's tokenizer, trained on the same text."""
    tokenizer = checkpoint.load(tiny_model).tokenizer
    documents = corpus.read_documents(SAMPLE_CORPUS)
    return Suggester(tokenizer, KneserNeyTrigram.train(tokenizer, corpus.split(documents).train))


def test_suggests_with_the_same_contract_as_the_suggester(sample_trigram):
    suggestions = sample_trigram.suggest("Segue documento em an", k=3)
    assert all(isinstance(s, Suggestion) for s in suggestions)
    assert suggestions[0].word == "anexo"
    assert all(s.word[0].isupper() for s in sample_trigram.suggest("", k=3))
    assert "não" in [s.word for s in sample_trigram.suggest("Eu nao", k=3)]
    assert "Anexo" in [s.word for s in sample_trigram.suggest("An", k=3)]
    assert sample_trigram.suggest("Segue ", k=0) == []
    assert len(sample_trigram.suggest("Segue ", k=1000)) <= 1000
    specials = {"<pad>", "<unk>", "</s>"}
    assert not specials & {s.word for s in sample_trigram.suggest("Segue ", k=1000)}


def test_abbreviations_are_offered_with_their_full_stop():
    sentences = ["Bom dia, Sr. Silva, tudo bem?", "O Sr. Costa chegou.", "Veja a pág. 3 agora."] * 5
    tokenizer = Tokenizer.train(sentences, 20)
    trigram = Suggester(tokenizer, KneserNeyTrigram.train(tokenizer, sentences))
    offered = [s.word for s in trigram.suggest("Bom dia, ", k=20)]
    assert "Sr." in offered and "Sr" not in offered
    assert [s.word for s in trigram.suggest("Veja a pá", k=1)] == ["pág."]
    assert "a" in [s.word for s in trigram.suggest("Veja ", k=20)]  # a word, not an initial
