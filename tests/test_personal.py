import json
import os
import sqlite3
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autocomplete import Suggester, evaluate, inference_file, learn
from autocomplete.personal import PersonalModel, default_path
from autocomplete.tokenizer import fold


def test_learned_phrase_dominates_its_context(private_data_dir):
    personal = PersonalModel()
    assert personal.learn_text("Segue documento em anexo.") == 4
    distribution, weight = personal.next_words(["documento", "em"])
    assert max(distribution, key=distribution.get) == "anexo"
    assert 0.3 < weight <= 0.7
    # An unseen context still offers the user's words, with a small weight.
    distribution, weight = personal.next_words(["de", "repente"])
    assert "anexo" in distribution and weight < 0.1


def test_store_is_private_and_survives_reopening(private_data_dir):
    personal = PersonalModel()
    personal.learn_text("A Fernanda mandou o e-mail. Fernanda respondeu.")
    personal.close()
    path = default_path()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again = PersonalModel()
    assert again.completions("fer") == ["fernanda"]
    assert again.written_form("fernanda") == "Fernanda"
    assert again.completions("e-m") == ["e-mail"]


def test_block_and_forget(private_data_dir):
    personal = PersonalModel()
    personal.learn_text("Obrigado pela ajuda.")
    personal.block("Obrigado")
    assert PersonalModel().is_blocked("obrigado")
    personal.forget()
    reopened = PersonalModel()
    assert not reopened.is_blocked("obrigado")
    assert reopened.next_words(["pela"]) == ({}, 0.0)


def test_corrupt_store_is_moved_aside(private_data_dir):
    default_path().parent.mkdir(parents=True, exist_ok=True)
    default_path().write_bytes(b"this is not a database" * 100)
    personal = PersonalModel()
    assert personal.available and "danificado" in personal.notice
    assert list(private_data_dir.glob("personal.sqlite3.corrupt-*"))
    assert personal.learn_text("Bom dia") == 2


def test_two_stores_open_at_once_do_not_corrupt(private_data_dir):
    first, second = PersonalModel(), PersonalModel()
    first.learn_text("primeira janela")
    second.learn_text("segunda janela")
    counts = dict(
        sqlite3.connect(default_path()).execute("SELECT word, count FROM ngrams WHERE context=''")
    )
    assert set(counts) == {"primeira", "segunda", "janela"}


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=300))
def test_learning_any_text_never_raises(text):
    with tempfile.TemporaryDirectory() as folder:
        personal = PersonalModel(Path(folder) / "personal.sqlite3")
        personal.learn_text(text + " " + text)
        distribution, _ = personal.next_words(text.split()[-2:])
        assert all(0.0 <= p <= 1.0 for p in distribution.values())
        assert all(personal.completions(fold(word[:2])) for word in distribution)
        personal.close()


def test_learn_cli(tmp_path, capsys, private_data_dir):
    notes = tmp_path / "notas.txt"
    notes.write_text("Segue documento em anexo.\nAbraços, Fernanda", encoding="utf-8")
    assert learn.main([str(notes), "--stats"]) == 0
    out = capsys.readouterr().out
    assert "learned 6 words" in out and "6 words" in out
    assert learn.main(["--forget", "--stats"]) == 0
    assert "0 words" in capsys.readouterr().out
    assert learn.main([str(tmp_path / "missing.txt")]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"error: corpus path does not exist: {tmp_path / 'missing.txt'}"
    )


def test_learned_words_are_mixed_into_suggestions(tiny_model):
    suggester = Suggester.load(tiny_model)
    assert "whatsapp" not in suggester.tokenizer.ids
    assert all(s.word != "WhatsApp" for s in suggester.suggest("Mandei o boleto pelo ", k=3))
    assert suggester.learn("Mandei o boleto pelo WhatsApp.") == 5
    assert suggester.suggest("Mandei o boleto pelo ", k=3)[0].word == "WhatsApp"
    assert suggester.suggest("Mandei o boleto pelo wh", k=3)[0].word == "WhatsApp"
    assert suggester.suggest("Depois falamos pelo Wh", k=1)[0].word == "WhatsApp"
    # The bare model knows nothing of it.
    bare = Suggester.load(tiny_model, personal=False)
    assert all(s.word != "WhatsApp" for s in bare.suggest("Mandei o boleto pelo ", k=3))


def test_blocked_word_is_never_suggested(tiny_model):
    suggester = Suggester.load(tiny_model)
    first = suggester.suggest("Segue documento em ", k=3)[0].word
    suggester.block(first)
    assert first not in [s.word for s in suggester.suggest("Segue documento em ", k=10)]
    assert first not in [
        s.word for s in Suggester.load(tiny_model).suggest("Segue documento em ", k=10)
    ]


def test_acceptance_learning_one_text_with_the_shipped_model(tmp_path):
    if not inference_file.default_path().exists():
        pytest.skip("no shipped checkpoint")
    text = tmp_path / "email.txt"
    text.write_text("Bom dia, Carla.\nSegue documento em anexo.\nAbraços", encoding="utf-8")
    assert learn.main([str(text)]) == 0
    words = [s.word for s in Suggester.load().suggest("Segue documento em ", k=3)]
    assert "anexo" in words


def test_learning_the_first_half_raises_savings_on_the_second(tmp_path, tiny_model, capsys):
    lines = [
        "Oi Fernanda, mandei o boleto do condomínio pelo WhatsApp.",
        "Fernanda, confirma se o boleto do condomínio chegou pelo WhatsApp?",
    ] * 4
    first, second = tmp_path / "primeira.txt", tmp_path / "segunda.txt"
    first.write_text("\n".join(lines[:4]), encoding="utf-8")
    second.write_text("\n".join(lines[4:]), encoding="utf-8")
    assert learn.main([str(first)]) == 0
    argv = ["--checkpoint", str(tiny_model), "--personal", "--json", str(second)]
    capsys.readouterr()  # drop what training the fixture printed
    assert evaluate.main(argv) == 0
    results = json.loads(capsys.readouterr().out)
    assert results["personal"]["keystroke_savings"] > results["model"]["keystroke_savings"] + 0.1
