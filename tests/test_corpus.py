from pathlib import Path

import pytest

from autocomplete import text as text_rules
from autocomplete.errors import CorpusError
from autocomplete.training import corpus

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
    result = text_rules.paragraphs(WRAPPED)
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
    result = text_rules.paragraphs(text)
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
                # Letters, not digits: near-duplicate removal reads every number as the same.
                f"Parágrafo {'abcdefghijkl'[p]} do documento {'abcdefgh'[d]}, "
                + "com palavras repetidas " * 30
                + "."
                for p in range(12)
            ),
        )
        for d in range(count)
    ]


def test_split_is_deterministic_and_stable_when_files_are_added():
    first = corpus.split(_documents(8))
    again = corpus.split(_documents(8))
    assert first == again
    assert first.train and first.valid and first.test
    more = corpus.split([*_documents(8), corpus.Document("novo.txt", "Um texto novo. " * 400)])
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


def _write_source(folder: Path, name: str, sentences: int) -> None:
    (folder / name).mkdir(parents=True)
    lines = (
        f"Frase número {'abcdefghij'[i % 10]} {i // 10} da fonte {name}." for i in range(sentences)
    )
    (folder / name / "texto.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_collection_folder_gives_one_source_per_subfolder(tmp_path: Path):
    collection = tmp_path / "moderno"
    _write_source(collection, "senado", 30)
    _write_source(collection, "tatoeba", 30)
    (collection / "SOURCES.md").write_text("# fontes\n", encoding="utf-8")
    _write_source(tmp_path, "machado", 30)
    sources = corpus.read_sources([tmp_path / "machado", collection])
    assert [source.name for source in sources] == ["machado", "senado", "tatoeba"]
    with pytest.raises(CorpusError, match="two corpus sources are named 'senado'"):
        corpus.read_sources([collection, collection / "senado"])


def _blocks(name: str, count: int) -> corpus.Split:
    split = corpus.Split()
    split.blocks["train"] = [[f"{name} bloco {i}."] for i in range(count)]
    return split


def test_mix_takes_each_source_by_its_weight_deterministically():
    splits = {"a": _blocks("a", 400), "b": _blocks("b", 400), "c": _blocks("c", 400)}
    mixed = corpus.mix(splits, {"a": 2.0, "b": 0.5, "c": 0.0, "absent": 3.0}, "train")
    assert mixed == corpus.mix(splits, {"a": 2.0, "b": 0.5, "c": 0.0}, "train")
    assert sum(s.startswith("a ") for s in mixed) == 800  # every block twice
    assert 160 < sum(s.startswith("b ") for s in mixed) < 240  # about half, chosen by hash
    assert not any(s.startswith("c ") for s in mixed)
    # Sources interleave: the first hundred blocks are not all from one source.
    assert {s[0] for s in mixed[:100]} == {"a", "b"}


def test_a_source_split_does_not_move_when_another_source_is_added(tmp_path: Path):
    first = corpus.split(_documents(8), "senado")
    assert first.valid and first.test
    others = [corpus.Document("novo.txt", "Um texto novo. " * 400)]
    both = {"senado": first, "novo": corpus.split(others, "novo")}
    mixed_test = corpus.mix(both, {}, "test")
    assert set(first.test) <= set(mixed_test)
    assert not set(first.test) & set(corpus.mix(both, {}, "train"))


def test_wrapped_documents_are_unwrapped_and_line_documents_kept(tmp_path: Path):
    lines = ["Uma frase inteira por linha.", "Outra frase aqui, sem quebra.", "Bom dia"] * 5
    assert corpus.document_paragraphs("\n".join(lines)) == lines
    assert corpus.document_paragraphs("Atenciosamente,\nAna Paula\n") == [
        "Atenciosamente, Ana Paula"
    ]
    wrapped = "\n".join(["Era uma vez um texto que foi quebrado no meio da", "frase pelo PDF."] * 8)
    assert len(corpus.document_paragraphs(wrapped)) < 16
