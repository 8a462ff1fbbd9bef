"""Per-source cleaning: each recipe removes the remnant it names, and counts what it did."""

from __future__ import annotations

import pytest

from autocomplete.training import cleaning


def _clean(source: str, lines: list[str]) -> tuple[list[str], cleaning.CleaningReport]:
    report = cleaning.CleaningReport()
    return cleaning.clean(source, lines, report), report


@pytest.mark.parametrize(
    ("source", "line", "expected"),
    [
        (
            "senado",
            "Sr. Presidente, V. Exa. tem a palavra.",
            "Senhor Presidente, Vossa Excelência tem a palavra.",
        ),
        (
            "camara",
            "Agradeço a V.Exas. e à Sra. Deputada.",
            "Agradeço a Vossas Excelências e à Senhora Deputada.",
        ),
        (
            "python-docs",
            "112903: Corrige erros de herança múltipla.",
            "Corrige erros de herança múltipla.",
        ),
        (
            "python-docs",
            "Use :func:`os.walk` para percorrer pastas.",
            "Use os.walk para percorrer pastas.",
        ),
        (
            "gimp-ajuda",
            "Acesse pelo menu deArquivo → Imprimir no LibreOffice.",
            "Acesse pelo menu de Arquivo → Imprimir no LibreOffice.",
        ),
        (
            "mozilla-interface",
            ".title = Abrir o painel de favoritos agora",
            "Abrir o painel de favoritos agora",
        ),
        (
            "juridico",
            "III - garantir o desenvolvimento nacional;",
            "garantir o desenvolvimento nacional;",
        ),
    ],
)
def test_rewrites(source, line, expected):
    kept, report = _clean(source, [line])
    assert kept == [expected]
    assert sum(step.rewritten for step in report.steps.values()) >= 1


@pytest.mark.parametrize(
    ("source", "line", "step"),
    [
        (
            "manpages",
            "‐‐ Dr. Fulano <fulano@example.org>  Wed, 10 Aug 2022",
            "option tables and authors",
        ),
        ("manpages", "-v, --verbose   mostra mais detalhes", "option tables and authors"),
        ("python-docs", "The function returns the value of the key when it is used.", "english"),
        ("libreoffice-ajuda", "com.sun.star.sheet.addin e foo_bar(x)", "code"),
        ("libreoffice-ajuda", "SOMA(Número1; Número2; ...)", "function syntax"),
        ("mozilla-interface", "Salvar arquivo", "fragments"),
        ("office-suporte", "Veja mais em https://exemplo.com.br/ajuda hoje", "urls"),
        ("juridico", "VII - (Suprimido)", "enumerations"),
        ("agencia-brasil", "Kelly Oliveira – Repórter da Agência Brasil", "credits"),
    ],
)
def test_drops_and_counts(source, line, step):
    kept, report = _clean(source, ["Uma frase comum que fica no texto.", line])
    assert kept == ["Uma frase comum que fica no texto."]
    assert report.steps[step].dropped == 1
    assert report.steps[step].dropped_words == len(cleaning.WORD.findall(line))


def test_near_duplicates_are_dropped_but_short_lines_repeat():
    lines = [
        "A sessão 12 foi aberta às 14 horas.",
        "A sessão 13 foi aberta às 15 horas!",  # the same but for numbers and punctuation
        "Obrigado.",
        "Obrigado.",
    ]
    kept, report = _clean("senado", lines)
    assert kept == [lines[0], "Obrigado.", "Obrigado."]
    assert report.steps["near-duplicates"].dropped == 1
    assert report.paragraphs_in == 4


def test_plain_prose_passes_every_recipe_untouched():
    prose = "Bom dia, tudo bem? Segue em anexo o relatório que você pediu ontem."
    for source in [*cleaning.RECIPES, "machado", "fonte-nova"]:
        kept, report = _clean(source, [prose])
        assert kept == [prose], source
        assert all(s.dropped == s.rewritten == 0 for s in report.steps.values())


def test_report_lines_name_every_step():
    _, report = _clean("python-docs", ["115059: io.BufferedRandom.read1 agora limpa o buffer."])
    text = "\n".join(report.lines("python-docs"))
    for step in ("issue numbers", "reST markup", "code", "english", "urls", "near-duplicates"):
        assert step in text
