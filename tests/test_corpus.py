from pathlib import Path

import pytest

from autocomplete import corpus
from autocomplete.errors import CorpusError

WRAPPED = """Capítulo I
O DIA SEGUINTE
Quando a manhã chegou, o velho abriu a janela e olhou para a rua com
a calma de quem já viu tudo. Conhecia-
se de longe o seu chapéu, e a compa-
nhia dos vizinhos era sempre a mesma.
— Bom dia, disse ele.
— Bom dia, respondeu o rapaz.
"""


def test_paragraphs_join_wrapped_lines_and_fix_hyphens():
    result = corpus.paragraphs(WRAPPED)
    assert result[0] == "Capítulo I"
    assert result[1] == "O DIA SEGUINTE"
    assert result[2].startswith(
        "Quando a manhã chegou, o velho abriu a janela e olhou para a rua com a"
    )
    assert "Conhecia-se de longe" in result[2]
    assert "a companhia dos vizinhos" in result[2]
    assert result[3:] == ["— Bom dia, disse ele.", "— Bom dia, respondeu o rapaz."]


def test_blank_lines_and_short_final_lines_end_paragraphs():
    text = (
        "Uma linha longa que continua na linha seguinte sem ponto no fim da\n"
        "frase, e termina aqui.\n"
        "Outro parágrafo começa agora, com uma linha bem comprida também\n"
        "\n"
        "Depois da linha em branco."
    )
    result = corpus.paragraphs(text)
    assert len(result) == 3
    assert result[0].endswith("sem ponto no fim da frase, e termina aqui.")


def test_sentences_respect_abbreviations():
    text = "O Sr. Matos chegou com D. Maria. Ela sorriu! Ele perguntou: quem? — Ninguém."
    assert corpus.sentences(text) == [
        "O Sr. Matos chegou com D. Maria.",
        "Ela sorriu!",
        "Ele perguntou: quem?",
        "— Ninguém.",
    ]


def _documents(count: int) -> list[corpus.Document]:
    return [
        corpus.Document(
            name=f"doc{d}.txt",
            text="\n\n".join(
                f"Parágrafo {p} do documento {d}, " + "com palavras repetidas " * 30 + "."
                for p in range(12)
            ),
        )
        for d in range(count)
    ]


def test_split_is_deterministic_and_stable_when_files_are_added():
    first = corpus.split(_documents(6))
    again = corpus.split(_documents(6))
    assert first == again
    assert first.train and first.valid and first.test
    more = corpus.split([*_documents(6), corpus.Document("novo.txt", "Um texto novo. " * 400)])
    # Every held-out sentence of the smaller corpus stays held out in the same split.
    assert set(first.valid) <= set(more.valid)
    assert set(first.test) <= set(more.test)


def test_read_documents_reports_and_skips_bad_files(tmp_path: Path):
    (tmp_path / "bom.txt").write_text("Olá, mundo. Tudo bem?", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("ação".encode("latin-1"))
    (tmp_path / "binario.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "ignorado.md").write_text("não é .txt", encoding="utf-8")
    report = corpus.ReadReport()
    documents = corpus.read_documents(tmp_path, report)
    assert [d.name for d in documents] == ["bom.txt"]
    assert report.files == 1 and report.words == 4
    assert sorted(why for _, why in report.skipped) == ["binary file", "not UTF-8"]
    assert "skipped 2" in report.summary()


def test_read_documents_normalises_to_nfc(tmp_path: Path):
    (tmp_path / "nfd.txt").write_text("voce\u0302 esta\u0301", encoding="utf-8")
    assert corpus.read_documents(tmp_path)[0].text == "você está"


def test_missing_or_empty_corpus_is_an_error(tmp_path: Path):
    with pytest.raises(CorpusError, match="does not exist"):
        corpus.read_documents(tmp_path / "nada")
    (tmp_path / "vazio.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no readable text"):
        corpus.read_documents(tmp_path)


def test_fingerprint_changes_with_content():
    a = corpus.fingerprint([corpus.Document("a.txt", "um")])
    b = corpus.fingerprint([corpus.Document("a.txt", "dois")])
    assert a != b and len(a) == 16
