import numpy as np
import pytest

from autocomplete.engine.tokenizer import (
    EOS_ID,
    UNK_ID,
    Tokenizer,
    detokenize,
    fold,
    fold_all,
    pretokenize,
)
from autocomplete.errors import VocabularyError

SENTENCES = [
    "Segue documento em anexo.",
    "Você disse-me que ia chover, não?",
    "— Capitu olhou para mim e sorriu.",
    "Eu vi Capitu na janela.",
    "O Rio de Janeiro amanheceu com chuva.",
    "Capitu voltou ao Rio no dia seguinte...",
    "Envie o e-mail para a equipe.",
] * 3


def test_pretokenize_keeps_portuguese_words_whole():
    assert pretokenize("Você disse-me: \"d'água\"... ok!") == [
        "Você", "disse-me", ":", '"', "d'água", '"', "...", "ok", "!",
    ]  # fmt: skip
    assert pretokenize("e-mail às 10h") == ["e-mail", "às", "10h"]


@pytest.mark.parametrize(
    "text",
    [
        "Olá, mundo!",
        "Ele perguntou: quem veio (e por quê)?",
        'Ela disse "sim" e saiu.',
        "— Não sei... talvez amanhã; ou depois.",
        "«Bom dia», disse ela.",
    ],
)
def test_detokenize_round_trip(text):
    assert detokenize(pretokenize(text)) == text


def test_vocabulary_encoding_and_display_forms():
    tokenizer = Tokenizer.train(SENTENCES, vocab_size=30)
    assert len(tokenizer) == 30
    ids = tokenizer.encode_sentences(["Segue documento em anexo.", "Palavrainexistente aqui."])
    assert ids.dtype == np.int32
    assert (ids == EOS_ID).sum() == 2
    assert UNK_ID in ids
    assert tokenizer.words[tokenizer.word_id("Capitu")] == "capitu"
    assert tokenizer.display("capitu") == "Capitu"
    assert tokenizer.display("rio") == "Rio"
    assert tokenizer.display("você") == "você"
    # Ids follow frequency: '.' and 'o' come before words seen three times.
    assert tokenizer.word_id(".") < tokenizer.word_id("anexo")


def test_tokenizer_state_round_trip():
    tokenizer = Tokenizer.train(SENTENCES, vocab_size=25)
    copy = Tokenizer.from_state(tokenizer.state())
    assert copy.words == tokenizer.words
    assert copy.display_forms == tokenizer.display_forms


def test_vocabulary_larger_than_corpus_is_an_error():
    with pytest.raises(VocabularyError, match="corpus too small for --vocab-size 5000"):
        Tokenizer.train(SENTENCES, vocab_size=5000)


def test_unaccented_words_are_read_as_their_accented_form():
    tokenizer = Tokenizer.train(SENTENCES, vocab_size=40)
    assert tokenizer.word_id("nao") == tokenizer.word_id("não") != UNK_ID
    assert tokenizer.word_id("VOCE") == tokenizer.word_id("você")
    assert tokenizer.word_id("xyzzy") == UNK_ID


@pytest.mark.parametrize(
    "words",
    [[], [""], ["Você", "NÃO", "", "ação", "İstanbul", "ΟΔΟΣ", "e-mail", "casa", "2024", "Ok"]],
)
def test_folding_a_list_at_once_folds_each_word(words):
    assert fold_all(words) == [fold(word) for word in words]


def test_a_word_that_folds_to_itself_is_not_copied():
    words = ["casa", "e-mail", "ação", "Rio"]
    folded = fold_all(words)
    assert [a is b for a, b in zip(folded, words, strict=True)] == [True, True, False, False]


def test_the_tokenizer_encodes_after_letting_its_processor_go():
    tokenizer = Tokenizer.train(SENTENCES, vocab_size=40)
    served = Tokenizer(tokenizer.model_bytes, {})  # as a model file is read: no processor kept
    assert "processor" not in vars(served)
    assert served.encode_sentences(["Não sei."]).tolist() == (
        tokenizer.encode_sentences(["Não sei."]).tolist()
    )
