import json
import os
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autocomplete import Suggester
from autocomplete.engine import inference_file
from autocomplete.engine.tokenizer import fold, sentence_before
from autocomplete.evaluation import evaluate
from autocomplete.personal import holdout
from autocomplete.personal import import_files as learn
from autocomplete.personal.counting import _Counts, context_keys, words_in_context
from autocomplete.personal.store import MAX_COMPLETIONS, PersonalModel, default_path
from autocomplete.text import WORD


def test_learned_phrase_dominates_its_context(private_data_dir):
    personal = PersonalModel()
    assert personal.learn_text("Segue documento em anexo.") == 4
    distribution, once = personal.next_words(["documento", "em"])
    assert max(distribution, key=distribution.get) == "anexo"
    # The weight grows with the evidence (engine/mixer.MixParameters, personal/fit.py).
    personal.learn_text("Segue documento em anexo. " * 9)
    _, ten_times = personal.next_words(["documento", "em"])
    assert 0.0 < once < ten_times < 1.0
    # An unseen context still offers the user's words, with a smaller weight.
    distribution, weight = personal.next_words(["de", "repente"])
    assert "anexo" in distribution and weight < once


def test_a_word_keeps_the_form_the_user_writes_most(private_data_dir):
    personal = PersonalModel()
    # A heading in capitals and a list's "A)" do not make "direitos" or "a" the user's capitals.
    personal.learn_text(
        "Fala com a Ana sobre os direitos dela.\n" * 3 + "Lista A) dos DIREITOS E GARANTIAS"
    )
    assert personal.written_form("a") is None and personal.written_form("direitos") is None
    assert personal.written_form("ana") == "Ana"


def test_paragraphs_set_aside_past_the_slice_bound_are_learned(private_data_dir, monkeypatch):
    """One paragraph in ten is set aside for fitting; once the slice outgrows its bound the
    oldest go into the counts in the same import, and none is lost or counted twice."""
    monkeypatch.setattr(holdout.overflow, "__defaults__", (60,))  # the slice's bound
    personal = PersonalModel()
    text = "\n".join(f"O parágrafo número palavra{i} chegou." for i in range(1, 41))
    # 5 words each: 36 paragraphs counted, 4 set aside, 3 of those released
    assert personal.learn_text(text, hold_out=True) == 5 * 39
    held = personal.held_out_text()
    assert held.splitlines() == ["O parágrafo número palavra40 chegou."]
    learned = personal.words()
    assert {"palavra10", "palavra20", "palavra30", "palavra39"} <= learned
    assert "palavra40" not in learned
    assert personal.next_words(["número", "palavra10"])[0].get("chegou", 0) > 0


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
    assert learn.main(["--forget", "--yes", "--stats"]) == 0
    assert "0 words" in capsys.readouterr().out
    assert learn.main([str(tmp_path / "missing.txt")]) == 2
    assert capsys.readouterr().err == (
        f"error: nothing learned; cannot learn from {tmp_path / 'missing.txt'} (does not exist)\n"
    )


def test_learn_checks_every_path_before_learning_any(tmp_path, capsys, private_data_dir):
    good = tmp_path / "good.txt"
    good.write_text("Segue documento em anexo.", encoding="utf-8")
    binary = tmp_path / "binarios"
    binary.mkdir()
    (binary / "a.txt").write_bytes(b"\0\1\2")
    nope = tmp_path / "nope.txt"
    dots = tmp_path / "dots.txt"
    dots.write_text("... --- !!!\n" * 1000, encoding="utf-8")
    assert learn.main([str(good), str(nope), str(binary), str(dots)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (  # one line, every bad path named (before: the first one only)
        f"error: nothing learned; cannot learn from {nope} (does not exist), "
        f"{binary} (no readable text: binary file), {dots} (no readable text: no words)\n"
    )
    assert PersonalModel().words() == set()  # before: good.txt was stored all the same
    folder = tmp_path / "notas"
    folder.mkdir()
    (folder / "um.txt").write_text("Bom dia.", encoding="utf-8")
    (folder / "dois.txt").write_text("Boa noite, Ana.", encoding="utf-8")
    assert learn.main([str(good), str(folder)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{good}: 4 words stored",
        f"{folder}: 2 files, 5 words stored",
        "learned 9 words, 9 new: ana, anexo, boa, bom, dia, documento, em, noite, segue",
    ]


# A fresh interpreter runs no other threads, so the import forks a counting process. `learn`
# gets two files; Ctrl+C comes while the second one's third chunk is counted.
LEARN_STOPPED = """
import multiprocessing, os, sys
from autocomplete.personal import holdout
from autocomplete.personal import import_files as learn
from autocomplete.personal import counting
from autocomplete.personal import store as personal
assert counting._may_fork(), "no second process to count in"
calls = 0
add_text = counting._Counts.add_text
parent = os.getpid()
def add_text_then_ctrl_c(counts, text, limit):
    global calls
    # Ctrl+C reaches the parent: the counting process (a fork, with this patch and its own
    # copy of `calls`) ignores it, and must not raise it either, however fast it counts.
    if os.getpid() == parent:
        calls += 1
        if calls == 4:  # after the first file's chunk and the second's first and third
            raise KeyboardInterrupt
    add_text(counts, text, limit)
counting._Counts.add_text = add_text_then_ctrl_c
personal.PersonalModel.learn_texts.__defaults__ = (400, False)
code = learn.main(sys.argv[1:])
print(code, len(multiprocessing.active_children()))
"""


def test_learn_cli_stopped_by_ctrl_c_keeps_the_files_learned_before(tmp_path, private_data_dir):
    first, second = tmp_path / "notas.txt", tmp_path / "grande.txt"
    first.write_text("Segue documento em anexo.\n\nAbraços, Fernanda", encoding="utf-8")
    second.write_text(CHUNKED_TEXT.replace("Fernanda", "Beatriz"), encoding="utf-8")
    command = [sys.executable, "-c", LEARN_STOPPED, str(first), str(second)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    # What was stored before Ctrl+C is reported; exit code 130, no counting process left.
    assert result.stdout.splitlines() == [f"{first}: 6 words stored", "130 0"]
    assert result.stderr == (
        "interrupted: the files learned before Ctrl+C are kept, the one being read is not\n"
    )
    words = PersonalModel().words()
    assert {"segue", "fernanda"} <= words and "beatriz" not in words


def test_a_counting_process_that_dies_is_one_line_and_exit_code_2(tmp_path, private_data_dir):
    script = (
        "import os, sys\n"
        "from autocomplete.personal import import_files as learn\n"
        "from autocomplete.personal import counting\n"
        "from autocomplete.personal import store as personal\n"
        "counting._count_in_helper = lambda *arguments: os._exit(3)\n"
        "personal.PersonalModel.learn_texts.__defaults__ = (400, False)\n"
        "sys.exit(learn.main(sys.argv[1:]))\n"
    )
    text = tmp_path / "grande.txt"
    text.write_text(CHUNKED_TEXT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", script, str(text)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr == "error: the counting process stopped (exit code 3)\n"
    assert PersonalModel().words() == set()


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
    if not inference_file.DEFAULT_MODEL.exists():
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
    argv = ["--checkpoint", str(tiny_model), "--personal", "--cache", "--json", str(second)]
    capsys.readouterr()  # drop what training the fixture printed
    assert evaluate.main(argv) == 0
    results = json.loads(capsys.readouterr().out)
    assert results["personal"]["keystroke_savings"] > results["model"]["keystroke_savings"] + 0.1
    # The document cache: the second half repeats itself, so its words come back.
    assert results["cache"]["keystroke_savings"] > results["model"]["keystroke_savings"]
    assert "personal+cache" in results


def damage_a_page_inside(path: Path) -> None:
    """Overwrite one page in the middle of the file, leaving SQLite's header intact."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    middle = len(data) // page // 2 * page
    data[middle : middle + page] = b"\xa5" * page
    path.write_bytes(bytes(data))


def learned_store() -> None:
    personal = PersonalModel()
    personal.learn_text(" ".join(f"palavra{i} segue outra{i}." for i in range(3000)))
    personal.close()


def test_damage_inside_the_store_is_moved_aside_with_a_notice(private_data_dir, capsys):
    learned_store()
    damage_a_page_inside(default_path())
    assert default_path().read_bytes().startswith(b"SQLite format 3\0")
    personal = PersonalModel()
    assert personal.available and "danificado" in personal.notice
    (aside,) = private_data_dir.glob("personal.sqlite3.corrupt-*")
    assert personal.moved_aside == aside
    assert personal.learn_text("Bom dia") == 2 and personal.words() == {"bom", "dia"}
    personal.close()
    learned_store()
    damage_a_page_inside(default_path())
    assert learn.main(["--stats"]) == 0  # the command line goes on the same way
    err = capsys.readouterr().err
    assert err.startswith(f"note: {default_path()} was damaged; moved to") and err.count("\n") == 1


def test_an_unreadable_store_is_reported_as_such_and_left_alone(private_data_dir, capsys):
    default_path().mkdir(parents=True)  # cannot be opened (root ignores file permissions)
    personal = PersonalModel()
    assert not personal.available and "ilegível" in personal.notice
    assert personal.learn_text("Bom dia") == 0
    assert default_path().is_dir() and not list(private_data_dir.glob("*.corrupt-*"))
    for argv in (["--stats"], ["--forget", "--yes"]):
        assert learn.main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: cannot open {default_path()}: unreadable")
        assert err.count("\n") == 1


def counts_in(path: Path) -> dict[str, float]:
    connection = sqlite3.connect(path)
    try:
        return dict(connection.execute("SELECT word, count FROM ngrams WHERE context = ''"))
    finally:
        connection.close()


def test_two_writers_and_a_forget_compose(private_data_dir):
    first, second = PersonalModel(), PersonalModel()  # two editors open at once
    first.learn_text("bom dia")
    second.learn_text("bom dia")
    assert counts_in(default_path()) == pytest.approx({"bom": 2.0, "dia": 2.0})
    second.block("dia")
    PersonalModel().forget()  # `learn --forget --yes` while both stay open
    first.learn_text("boa noite")
    assert first.words() == {"boa", "noite"}  # the forget reached the open editor
    assert not first.is_blocked("dia")
    second.learn_text("boa noite")
    first.block("noite")
    second.learn_text("boa")
    assert counts_in(default_path()) == pytest.approx({"boa": 3.0, "noite": 2.0})
    assert second.is_blocked("noite")
    reopened = PersonalModel()
    assert reopened.words() == {"boa", "noite"} and reopened.blocked_words() == ["noite"]


def test_learning_a_file_twice_says_nothing_was_new(tmp_path, capsys, private_data_dir):
    notes = tmp_path / "notas.txt"
    notes.write_text("Segue documento em anexo.", encoding="utf-8")
    assert learn.main([str(notes)]) == 0
    assert capsys.readouterr().out == (
        f"{notes}: 4 words stored\nlearned 4 words, 4 new: anexo, documento, em, segue\n"
    )
    assert learn.main([str(notes)]) == 0
    assert capsys.readouterr().out == (
        f"{notes}: 4 words stored\nlearned 4 words, none new (counts of known words went up)\n"
    )


def test_stats_lists_blocked_words_and_unblock_brings_one_back(capsys, private_data_dir):
    personal = PersonalModel()
    personal.block("Anexo")
    personal.block("boleto")
    personal.close()
    assert learn.main(["--stats"]) == 0
    assert "blocked: anexo, boleto (--unblock WORD" in capsys.readouterr().out
    assert learn.main(["--unblock", "anexo", "--unblock", "nada"]) == 0
    assert capsys.readouterr().out == "«anexo» will be suggested again\n«nada» was not blocked\n"
    assert PersonalModel().blocked_words() == ["boleto"]


def test_forget_asks_first_or_needs_yes(tmp_path, capsys, private_data_dir, monkeypatch):
    PersonalModel().learn_text("Bom dia, equipe.")
    assert learn.main(["--forget"]) == 2  # no terminal to ask on
    assert capsys.readouterr().err == (
        "error: --forget erases everything learned; add --yes to confirm\n"
    )
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert learn.main(["--forget"]) == 1
    assert capsys.readouterr().out == "nothing erased\n"
    assert PersonalModel().words() == {"bom", "dia", "equipe"}
    monkeypatch.setattr("builtins.input", lambda prompt: "s")
    assert learn.main(["--forget"]) == 0
    assert capsys.readouterr().out.startswith("erased 3 words, 6 contexts, 0 blocked (")
    assert PersonalModel().words() == set()


def all_counts(path: Path) -> dict[tuple[str, str], float]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT context, word, count FROM ngrams")
        return {(context, word): count for context, word, count in rows}
    finally:
        connection.close()


CHUNKED_TEXT = "\n\n".join(
    f"Segue o documento {i} em anexo. Abraços, Fernanda — até {i % 7} de maio." for i in range(300)
)
# A fresh interpreter runs no other threads, so its chunks are counted in a second process.
LEARN_IN_CHUNKS = f"""
import sys
from autocomplete.personal import counting
from autocomplete.personal import store as personal
assert counting._may_fork(), "no second process to count in"
store = personal.PersonalModel(sys.argv[1])
print(store.learn_text({CHUNKED_TEXT!r}, chunk_chars=500))
store.close()
"""


@pytest.mark.parametrize("second_process", [False, True])
def test_learning_in_chunks_counts_as_learning_at_once(tmp_path, monkeypatch, second_process):
    at_once = PersonalModel(tmp_path / "at-once.sqlite3")
    learned = at_once.learn_text(CHUNKED_TEXT)
    path = tmp_path / "chunks.sqlite3"
    if second_process:
        command = [sys.executable, "-c", LEARN_IN_CHUNKS, str(path)]
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        assert int(result.stdout) == learned
    else:
        monkeypatch.setattr("autocomplete.personal.counting._may_fork", lambda: False)
        assert PersonalModel(path).learn_text(CHUNKED_TEXT, chunk_chars=500) == learned
    assert all_counts(path) == pytest.approx(all_counts(at_once.path), rel=1e-6)
    assert PersonalModel(path).written_form("fernanda") == "Fernanda"
    at_once.close()


def test_pruning_keeps_the_store_in_its_bound_and_the_frequent_words(tmp_path):
    bound = 120_000
    personal = PersonalModel(tmp_path / "personal.sqlite3", max_bytes=bound)
    personal.block("Obrigado")
    text = "\n\n".join(
        f"Segue documento em anexo. Raro{i} cedo{i} sumiu{i}, Zé{i}." for i in range(4000)
    )
    assert personal.learn_text(text, chunk_chars=20_000) == 4000 * 8  # the dropped ones too
    assert personal.path.stat().st_size <= bound
    words = personal.words()
    assert {"segue", "documento", "em", "anexo"} <= words
    rare = {f"raro{i}" for i in range(4000)}
    assert len(words & rare) < len(rare) / 2  # most were dropped, the oldest first
    assert "raro0" not in words and "raro3999" in words
    distribution, _ = personal.next_words(["documento", "em"])
    assert max(distribution, key=distribution.get) == "anexo"
    personal.close()
    reopened = PersonalModel(tmp_path / "personal.sqlite3", max_bytes=bound)
    assert reopened.is_blocked("obrigado")  # pruning never unblocks a word
    assert reopened.completions("anex") == ["anexo"]
    assert "dropped down to" in reopened.describe_bound()
    reopened.close()


def table(counts: _Counts) -> dict[tuple[str, ...], float]:
    """What counting holds, as the store gets it: (*context, word) -> count."""
    return {(*context.split(), word): n for context, word, n, _ in counts.rows(0.0)}


def test_counting_drops_the_rarest_by_the_store_rule():
    counts = _Counts()
    counts.add_text("Segue em Anexo.\nSegue em Anexo.\nOlá.", limit=100)
    assert table(counts) == {
        **{(word,): 2 for word in ("segue", "em", "anexo")},
        ("olá",): 1,
        **{("</s>", "segue"): 2, ("segue", "em"): 2, ("em", "anexo"): 2, ("</s>", "olá"): 1},
        **{("</s>", "</s>", "segue"): 2, ("</s>", "segue", "em"): 2, ("segue", "em", "anexo"): 2},
        ("</s>", "</s>", "olá"): 1,
    }
    assert counts.forms == {"em": "em", "anexo": "Anexo"}  # "Segue", "Olá": capitals forced
    counts.drop_rarest(limit=12)  # within the bound: nothing goes
    assert counts.entries() == 12
    # Down to 5: the count-1 entries go, then at count 2 phrases before words, all of a kind.
    counts.drop_rarest(limit=11)
    assert table(counts) == {("segue",): 2, ("em",): 2, ("anexo",): 2}
    assert counts.forms == {"em": "em", "anexo": "Anexo"}
    counts.drop_rarest(limit=2)  # down to 1: the three words, equally rare, all go
    assert counts.entries() == 0 and counts.forms == {} and counts.distinct_words() == []


def test_counts_of_parts_of_a_text_add_up_to_the_counts_of_it():
    """As the second counting process's counts are added to the first's: each numbers the
    tokens its own way."""
    lines = [f"Segue o relatório {i % 7} em anexo. Obrigado, Ana{i % 3}!" for i in range(60)]
    whole, first, second = _Counts(), _Counts(), _Counts()
    whole.add_text("\n".join(lines), limit=10_000)
    first.add_text("\n".join(lines[:20]), limit=10_000)
    second.add_text("\n".join(lines[20:]), limit=10_000)
    first.update(second)
    assert table(first) == table(whole) and first.learned == whole.learned
    assert sorted(first.distinct_words()) == sorted(whole.distinct_words())


def test_concurrent_chunked_writers_compose(tmp_path):
    path = tmp_path / "personal.sqlite3"
    writers = [PersonalModel(path), PersonalModel(path)]
    threads = [
        threading.Thread(
            target=writer.learn_text, args=("bom dia\n\n" * 300,), kwargs={"chunk_chars": 100}
        )
        for writer in writers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts_in(path) == pytest.approx({"bom": 600.0, "dia": 600.0})
    for writer in writers:
        writer.close()


def test_predictions_follow_what_was_just_learned(private_data_dir):
    personal = PersonalModel()
    personal.learn_text("Segue documento em anexo.")
    assert "pdf" not in personal.next_words(["documento", "em"])[0]  # now read and cached
    personal.learn_text("Segue documento em pdf.")
    assert "pdf" in personal.next_words(["documento", "em"])[0]
    assert personal.completions("pd") == ["pdf"]


def test_completions_offer_the_most_frequent_of_many(private_data_dir):
    personal = PersonalModel()
    personal.learn_text(" ".join(f"acento{i}" for i in range(300)) + " acentuado" * 5)
    offered = personal.completions("acen")
    assert len(offered) == MAX_COMPLETIONS and "acentuado" in offered


def test_a_word_that_follows_its_context_is_completed_among_commoner_ones(tiny_model):
    suggester = Suggester.load(tiny_model)
    common = " ".join(f"Qual{i} quero{i}." for i in range(MAX_COMPLETIONS)) + " "
    suggester.learn(common * 10 + "Segue o relatório trimestral da Quintanilha. " * 3)
    personal = suggester.personal
    assert "quintanilha" not in personal.completions("qu")  # rare among 100 commoner words
    assert "quintanilha" in personal.completions("qu", ["trimestral", "da"])
    offered = suggester.suggest("O relatório trimestral da Qu", k=3)
    assert "Quintanilha" in [suggestion.word for suggestion in offered]


def test_a_line_break_ends_a_paragraph_when_learning():
    counts = _Counts()
    counts.add_text("Bom dia, segue em anexo\nAtenciosamente,\nAna", limit=10_000)
    learned = table(counts)
    assert ("em", "anexo", "atenciosamente") not in learned
    assert ("anexo", "atenciosamente") not in learned
    assert (",", "ana") not in learned
    assert learned[("</s>", "</s>", "atenciosamente")] == 1
    # A hard-wrapped file (many lines broken mid-sentence) is still unwrapped.
    wrapped = "\n".join(["o relatório do mês passado foi", "enviado para a diretoria e"] * 8)
    counts = _Counts()
    counts.add_text(wrapped + "\naprovado.", limit=10_000)
    learned = table(counts)
    assert learned[("foi", "enviado")] == 8 and learned[("e", "o")] == 7


TYPED = (
    "Segue o anexo. Obrigado pela ajuda!\nAtenciosamente,\nAna\n\n"
    "O Sr. Silva disse: — Vou amanhã. Ele vai, claro... e volta."
)


def test_the_suggester_asks_for_the_context_learning_counted():
    """One definition of a word's context (tokenizer.sentence_before, padded with </s>): at
    every word of a typed text, the context the Suggester asks the store for is the one
    learning counted that word after, after a full stop inside a paragraph too."""
    counts = _Counts()
    counts.add_text(TYPED, limit=10_000)
    learned = table(counts)
    for match in WORD.finditer(TYPED):
        one, two = context_keys(sentence_before(TYPED[: match.start()]))
        word = match.group().lower()
        assert (one, word) in learned, (one, word)
        assert (*two.split(" "), word) in learned, (two, word)
    assert context_keys(sentence_before("Segue o anexo. Obrigado ")) == (
        "obrigado",
        "</s> obrigado",
    )
    assert sentence_before("Bom dia.\n") == [] and sentence_before("") == []


def test_a_text_read_in_one_pass_has_the_contexts_the_suggester_asks_word_by_word():
    """words_in_context (the store's affinity reads the recent text with it) agrees with
    context_keys(sentence_before(...)) at every word learning counts."""
    text = TYPED + "\nEm 3 de março, às 10h, a reunião (no 2º andar) foi adiada."
    asked = [
        (context_keys(sentence_before(text[: match.start()]))[1], match.group().lower())
        for match in WORD.finditer(text)
        if not match.group().isdigit()
    ]
    assert words_in_context(text) == asked
    assert ("</s> obrigado", "pela") in asked and ("</s> </s>", "atenciosamente") in asked


def test_after_a_full_stop_the_suggester_finds_the_learned_two_word_context(tiny_model):
    suggester = Suggester.load(tiny_model)
    suggester.learn("Segue o anexo. Obrigado pela ajuda.")
    personal = suggester.personal
    asked: list[tuple[str, str]] = []
    distribution = personal.distribution
    personal.distribution = lambda before, words=None: (
        asked.append(context_keys(before)) or distribution(before, words)
    )
    suggester.suggest("Recebi o anexo. Obrigado ", k=3)
    assert asked == [("obrigado", "</s> obrigado")]
    assert personal._context("</s> obrigado").counts.keys() == {"pela"}
