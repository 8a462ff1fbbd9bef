"""The register's counts (engine/register_counts.py) and how they are built
(evaluation/register_fit.py)."""

import math
import shutil

import numpy as np
import pytest

from autocomplete import Suggester
from autocomplete.engine import inference_file, register_counts
from autocomplete.engine.mixer import MixParameters
from autocomplete.engine.register_counts import RegisterCounts
from autocomplete.errors import CheckpointError
from autocomplete.evaluation import register_fit
from autocomplete.personal.counting import counted
from autocomplete.personal.store import PersonalModel
from autocomplete.training import corpus

FORMULAS = MixParameters(beta=(math.inf, 100.0, 2.0), diversity=True)
MAILS = "Remeto em anexo o relatório.\nRemeto em anexo a planilha.\nRemeto em anexo a ata.\n"


def counts_of(text: str, mix: MixParameters = FORMULAS) -> RegisterCounts:
    return RegisterCounts.from_rows(counted(iter([text]), 10**6).rows(now=0.0), mix)


def test_counts_are_read_back_as_written(tmp_path):
    counts = counts_of(MAILS + "Fico à disposição.\n")
    path = tmp_path / register_counts.FILE_NAME
    counts.write(path)
    again = RegisterCounts.read(path)
    assert again.mix == counts.mix
    for before in (["remeto", "em"], ["à"], [], ["nunca", "visto"]):
        assert again.evidence(before) == counts.evidence(before)
        assert again.distribution(before) == counts.distribution(before)
    after_em = again.evidence(["remeto", "em"])
    assert after_em[2].counts == {"anexo": 3.0} and after_em[2].total == 3.0
    assert again.completions("an", ["remeto", "em"]) == ["anexo"]


@pytest.mark.parametrize("damage", ["truncated", "other npz", "text"])
def test_a_damaged_file_is_one_clear_error(tmp_path, damage):
    path = tmp_path / register_counts.FILE_NAME
    if damage == "truncated":
        counts_of(MAILS).write(path)
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "other npz":
        np.savez(path, words=np.zeros(3))
    else:
        path.write_text("not numpy", encoding="utf-8")
    with pytest.raises(CheckpointError) as error:
        RegisterCounts.read(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


@pytest.fixture
def shipped_copy(tmp_path):
    """The shipped model in a folder of its own, where a register.npz may be put beside it."""
    if not inference_file.DEFAULT_MODEL.exists():
        pytest.skip("no shipped checkpoint")
    model = tmp_path / "model.npz"
    shutil.copy(inference_file.DEFAULT_MODEL, model)
    return model


def test_the_counts_beside_a_model_file_bring_the_formulas_back(shipped_copy):
    bare = Suggester.load(shipped_copy, personal=False)
    assert bare.suggest("Remeto em ", k=1)[0].word != "anexo"
    counts_of(MAILS).write(shipped_copy.parent / register_counts.FILE_NAME)
    served = Suggester.load(shipped_copy, personal=False)
    assert served.suggest("Remeto em ", k=1)[0].word == "anexo"
    assert served.suggest("Remeto em an", k=1)[0].word == "anexo"
    # Where the register saw nothing, the model's ranking is untouched.
    assert [s.word for s in served.suggest("O senador ", k=3)] == [
        s.word for s in bare.suggest("O senador ", k=3)
    ]


def test_a_word_the_user_blocked_is_not_offered_by_the_register(shipped_copy, private_data_dir):
    counts_of(MAILS).write(shipped_copy.parent / register_counts.FILE_NAME)
    personal = PersonalModel()
    personal.block("anexo")
    served = Suggester.load(shipped_copy)
    assert "anexo" not in [s.word for s in served.suggest("Remeto em ", k=10)]


def test_counts_hold_the_training_split_alone(tmp_path):
    folder = tmp_path / "registro"
    folder.mkdir()
    for index in range(60):  # one document a file, each with a word of its own
        (folder / f"{index:02d}.txt").write_text(
            f"Bom dia, tudo bem? Segue o arquivo número palavra{index}.\n", encoding="utf-8"
        )
    [source] = corpus.read_sources([folder])
    parts = corpus.split(source.documents, source.name)
    words = register_fit.count_training_split(folder).evidence([])[0].counts
    held_out = {
        w.lower() for s in parts.sentences("valid") + parts.sentences("test") for w in s.split()
    }
    trained = {w.lower() for s in parts.train for w in s.split()}
    assert {w for w in held_out if w.startswith("palavra")}.isdisjoint(words)
    assert {w.rstrip(".") for w in trained if w.startswith("palavra")} <= set(words)


def test_phrases_go_on_with_the_registers_formulas(shipped_copy):
    """A phrase's words after the first are every source's top words, not the network's."""
    text = "Qualquer coisa, fico à "
    bare = Suggester.load(shipped_copy, personal=False).suggest_phrase(text)
    assert bare is None or not bare.text.startswith("disposição para")
    counts_of("Fico à disposição para o que precisar.\n" * 10).write(
        shipped_copy.parent / register_counts.FILE_NAME
    )
    served = Suggester.load(shipped_copy, personal=False)
    assert served.suggest_phrase(text).text.startswith("disposição para")
