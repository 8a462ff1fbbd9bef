"""The completion lexicon: building it, storing it in a checkpoint, completing with it."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch

from autocomplete import Suggester
from autocomplete.engine import inference_file
from autocomplete.engine.incremental import IncrementalNetwork
from autocomplete.engine.ngram import KneserNeyTrigram
from autocomplete.engine.ranking import _UnknownWords
from autocomplete.engine.tokenizer import SPECIAL_IDS, UNK_ID, fold
from autocomplete.errors import CheckpointError
from autocomplete.training import build_lexicon as lexicon
from autocomplete.training import checkpoint
from autocomplete.training.build_lexicon import Lexicon, build, is_lexicon_word, lowercase_counts

PARTIAL = "Preciso de ajuda com o meu comput"


@pytest.fixture(scope="module")
def common_words() -> Lexicon:
    return build(size=5000)


@pytest.fixture(scope="module")
def loaded(tiny_model):
    return inference_file.read(tiny_model)


def toy_lexicon(**frequencies: float) -> Lexicon:
    return Lexicon(list(frequencies), np.array(list(frequencies.values()), dtype=np.float32))


def with_lexicon(loaded: inference_file.Inference, lexicon: Lexicon) -> Suggester:
    """The tiny model's Suggester, completing from `lexicon` too (and no slip corrections,
    whose share of the evidence would shift the probabilities these tests compare)."""
    return Suggester(
        loaded.tokenizer, IncrementalNetwork(loaded.model), lexicon=lexicon, slips=None
    )


def words(suggestions) -> list[str]:
    return [s.word for s in suggestions]


def test_build_keeps_common_portuguese_words_by_frequency(common_words):
    assert len(common_words) == 5000
    assert {"computador", "você", "não", "e", "à"} <= set(common_words.words)
    assert not {"the", "this", "vc", "b"} & set(common_words.words)
    assert all(is_lexicon_word(word) for word in common_words.words)
    assert np.all(np.diff(common_words.frequencies) <= 0)  # most frequent first
    assert "wordfreq" in common_words.source and "CC-BY-SA 4.0" in common_words.source


@pytest.mark.parametrize(
    "word, kept",
    [
        ("computador", True),
        ("guarda-chuva", True),
        ("à", True),
        ("b", False),  # a single letter that is not a word
        ("sql", False),  # no vowel: an abbreviation
        ("mp3", False),
        ("2019", False),
        ("brasil-", False),
        ("d'água", False),
        ("naïve", False),
        ("Brasil", False),  # the lexicon is lower-case
    ],
)
def test_lexicon_words_are_lower_case_portuguese_word_tokens(word, kept):
    assert is_lexicon_word(word) is kept


def test_corpus_counts_keep_only_words_written_in_lower_case_often_enough():
    counts = lowercase_counts(["Li o computador da Ana.", "O computador e o celular."])
    assert counts["computador"] == counts["o"] == 2 and counts["ana"] == 0 and counts["e"] == 1
    kept = build(size=5000, corpus_counts=counts, min_count=2)
    assert kept.words == ["o", "computador"]  # wordfreq's order: most frequent first
    assert "lower case at least 2x" in kept.source


def test_lexicon_round_trips_through_a_checkpoint(tiny_model, tmp_path, common_words):
    out = tmp_path / "with-lexicon.pt"
    checkpoint.attach_lexicon(tiny_model, common_words, out)
    stored = checkpoint.load(out).lexicon
    assert stored.words == common_words.words
    assert np.array_equal(stored.frequencies, common_words.frequencies)
    assert stored.source == common_words.source
    assert checkpoint.load(tiny_model).lexicon is None  # the original is untouched and loads
    # save() writes it as well, and the payload is plain tensors and strings.
    again = tmp_path / "saved.pt"
    checkpoint.save(again, checkpoint.load(out))
    assert checkpoint.load(again).lexicon.words == common_words.words
    entry = torch.load(again, weights_only=True)["lexicon"]
    assert entry["words"].dtype == torch.uint8 and entry["frequencies"].dtype == torch.float32


def test_attaching_keeps_half_precision_weights(tiny_model, tmp_path):
    half = tmp_path / "half.pt"
    checkpoint.save(half, checkpoint.load(tiny_model), dtype=torch.float16)
    checkpoint.attach_lexicon(half, toy_lexicon(computador=1e-4))  # in place
    payload = torch.load(half, weights_only=True)
    assert all(t.dtype == torch.float16 for t in payload["weights"].values())
    assert checkpoint.load(half).lexicon.words == ["computador"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda entry: entry.update(words=torch.tensor([0xFF, 0xFE], dtype=torch.uint8)),
        lambda entry: entry.update(frequencies=entry["frequencies"][:1]),
        lambda entry: entry.update(frequencies=entry["frequencies"].double()),
        lambda entry: entry.update(frequencies=-entry["frequencies"]),
        lambda entry: entry.update(words=torch.tensor(list(b"a\na"), dtype=torch.uint8)),
        lambda entry: entry.pop("words"),
    ],
)
def test_damaged_lexicon_is_a_checkpoint_error(tiny_model, tmp_path, damage):
    path = tmp_path / "damaged.pt"
    checkpoint.attach_lexicon(tiny_model, toy_lexicon(computador=1e-4, teclado=1e-5), path)
    payload = torch.load(path, weights_only=True)
    damage(payload["lexicon"])
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match="damaged"):
        checkpoint.load(path)


def test_not_a_dictionary_is_a_checkpoint_error(tiny_model, tmp_path):
    payload = torch.load(tiny_model, weights_only=True)
    payload["lexicon"] = "computador"
    torch.save(payload, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match="damaged"):
        checkpoint.load(tmp_path / "bad.pt")


def test_a_word_outside_the_vocabulary_completes_from_the_lexicon(loaded, common_words):
    assert "computador" not in loaded.tokenizer.ids
    bare = Suggester.from_inference(loaded)
    assert bare.suggest(PARTIAL) == []
    suggester = with_lexicon(loaded, common_words)
    suggestions = suggester.suggest(PARTIAL)
    assert suggestions[0].word == "computador"
    assert len(set(words(suggestions))) == len(suggestions)
    assert all(w.startswith("comput") for w in words(suggestions))
    assert suggester.suggest("Preciso de ajuda com o meu Comput")[0].word == "Computador"
    assert suggester.suggest("COMPUT")[0].word == "COMPUTADOR"
    assert suggester.suggest("Trabalho com computac")[0].word == "computação"  # accents fold


def test_threads_asking_at_once_get_the_lexicon_words_from_one_index(loaded, common_words):
    """The first completions build the lexicon's index (and let the lexicon go) while other
    threads may ask too: each gets what one thread alone gets."""
    log_probs = np.log(np.full(len(loaded.tokenizer), 1e-4))
    alone = with_lexicon(loaded, common_words).words.lexicon_completions("comput", log_probs, 1, 3)
    index = with_lexicon(loaded, common_words).words
    barrier = threading.Barrier(4)

    def complete(_) -> dict[str, float]:
        barrier.wait()
        return index.lexicon_completions("comput", log_probs, 1, 3)

    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(complete, range(4)))
    assert "computador" in alone
    assert together == [alone] * 4
    assert index.lexicon_completions("comput", log_probs, 1, 3) == alone


def test_unknown_words_share_the_models_unknown_probability_by_frequency(loaded):
    rare, common = 1e-5, 3e-5
    suggester = with_lexicon(loaded, toy_lexicon(computação=rare, computador=common))
    suggestions = suggester.suggest(PARTIAL)
    # Only these two words start so: together they take all the probability, by frequency.
    assert words(suggestions) == ["computador", "computação"]
    assert suggestions[0].prob == pytest.approx(common / (rare + common), rel=1e-5)
    # Beside vocabulary words, each has P(<unk>) times its share, given the prefix.
    log_probs = suggester.next_word_log_probs("Meu ")
    unknown = float(np.exp(log_probs[UNK_ID]))
    vocabulary = sum(
        float(np.exp(log_probs[i]))
        for i, word in enumerate(loaded.tokenizer.words)
        if i not in SPECIAL_IDS and fold(word).startswith("co")
    )
    by_word = {s.word: s.prob for s in suggester.suggest("Meu co", k=1000)}
    assert sum(by_word.values()) == pytest.approx(1.0, rel=1e-5)
    expected = unknown * common / (rare + common) / (vocabulary + unknown)
    assert by_word["computador"] == pytest.approx(expected, rel=1e-4)


def test_a_confident_vocabulary_word_still_ranks_first(loaded, common_words):
    bare = Suggester.from_inference(loaded)
    suggester = with_lexicon(loaded, common_words)
    before = bare.suggest("Segue documento em an")
    after = suggester.suggest("Segue documento em an")
    assert before[0].word == after[0].word == "anexo"
    assert after[0].prob < before[0].prob  # it shares the prefix with the lexicon's words now
    assert any(w not in loaded.tokenizer.ids for w in words(suggester.suggest("em an", k=10)))


def test_next_words_stay_model_only(loaded, common_words):
    suggester = with_lexicon(loaded, common_words)
    bare = Suggester.from_inference(loaded)
    assert suggester.suggest("Preciso de ", k=10) == bare.suggest("Preciso de ", k=10)


def test_spellings_that_fold_like_a_known_word_are_never_offered(loaded):
    lexicon = toy_lexicon(nao=1e-3, anexo=1e-3, vocês=1e-3, voces=1e-4)
    suggester = with_lexicon(loaded, lexicon)
    assert "não" in words(suggester.suggest("Eu na", k=50))
    assert "nao" not in words(suggester.suggest("Eu na", k=50))  # "não" without its accent
    assert words(suggester.suggest("Segue em anex", k=50)) == ["anexo"]  # once, the model's
    offered = words(suggester.suggest("Eu e voc", k=50))
    assert "vocês" in offered and "voces" not in offered  # the commoner spelling of one fold


def test_personal_words_mix_with_lexicon_words(tiny_model, tmp_path, common_words):
    path = tmp_path / "with-lexicon.pt"
    checkpoint.attach_lexicon(tiny_model, common_words, path)
    suggester = Suggester.load(path)  # the loader passes the lexicon through
    model_only = suggester.suggest(PARTIAL, k=3)[0]
    assert model_only.word == "computador"
    suggester.learn("Preciso de ajuda com o meu computadorzinho.")
    mixed = words(suggester.suggest(PARTIAL, k=3))
    assert "computadorzinho" in mixed and "computador" in mixed
    suggester.block("computador")
    assert "computador" not in words(suggester.suggest(PARTIAL, k=10))


def test_trigram_completes_from_the_lexicon(loaded, common_words):
    sentences = ["Preciso de ajuda com o meu trabalho.", "Segue o documento em anexo."]
    trigram = KneserNeyTrigram.train(loaded.tokenizer, sentences)
    with_words = Suggester(loaded.tokenizer, trigram, lexicon=common_words)
    assert with_words.suggest(PARTIAL)[0].word == "computador"
    assert Suggester(loaded.tokenizer, trigram).suggest(PARTIAL) == []


def test_command_line_attaches_a_lexicon(tiny_model, tmp_path, capsys):
    out = tmp_path / "out.pt"
    assert lexicon.main([str(tiny_model), "--out", str(out), "--size", "300"]) == 0
    assert len(checkpoint.load(out).lexicon) == 300
    assert "300 words added" in capsys.readouterr().out
    assert lexicon.main([str(tmp_path / "missing.pt")]) == 2
    assert "checkpoint not found" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        lexicon.main([str(tiny_model), "--size", "0"])


def test_command_line_filters_by_the_corpus_training_split(tiny_model, tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("O computador e o teclado. O computador e o mouse.\n", encoding="utf-8")
    out = tmp_path / "out.pt"
    assert lexicon.main([str(tiny_model), "--out", str(out), "--corpus", str(corpus)]) == 0
    assert checkpoint.load(out).lexicon.words == ["o", "e", "computador"]


def test_prefix_index_finds_the_commonest_unknown_words(loaded, common_words):
    index = _UnknownWords.build(common_words, loaded.tokenizer)
    assert not set(index.words) & set(loaded.tokenizer.words)
    for prefix in ["c", "c", "co", "com", "comput", "zzz"]:  # "c" twice: its ranking is kept
        matching = [w for w in index.words if fold(w).startswith(prefix)]
        commonest = sorted((index.share_of[w] for w in matching), reverse=True)[:13]
        words, shares = index.top(prefix, 13)
        assert all(fold(w).startswith(prefix) for w in words)
        assert sorted(shares.tolist(), reverse=True) == pytest.approx(commonest)
        assert index.share(prefix) == pytest.approx(sum(index.share_of[w] for w in matching))
