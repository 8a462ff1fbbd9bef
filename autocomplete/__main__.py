"""python -m autocomplete [FILE]: the editor that suggests the next Portuguese word."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autocomplete.errors import DocumentError
from autocomplete.tui.app import EditorApp, EditorOptions
from autocomplete.tui.files import read_document

LATENCY_LOG_VARIABLE = "AUTOCOMPLETE_LATENCY_LOG"  # for measuring: ms per shown suggestion


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="autocomplete",
        description="Editor de texto que sugere a próxima palavra em português enquanto você "
        "digita. Tab aceita a sugestão, Alt+1/2/3 escolhe uma da barra, Esc oculta, "
        "Ctrl+S salva, Ctrl+Q sai, F2 mostra as probabilidades, Ctrl+N nunca mais sugere a "
        "palavra mostrada.",
        epilog="O editor aprende as palavras do texto que você salva (só o que mudou desde o "
        "último salvamento) e guarda uma cópia do texto não salvo na sua pasta de dados: se ele "
        "for fechado à força, abrir o mesmo arquivo oferece recuperar o texto.",
    )
    parser.add_argument(
        "file",
        nargs="?",
        type=Path,
        metavar="ARQUIVO",
        help="arquivo de texto UTF-8 a editar (criado ao salvar se não existir)",
    )
    parser.add_argument(
        "--checkpoint",
        type=Path,
        metavar="CAMINHO",
        help="modelo a usar (padrão: o modelo que acompanha o programa)",
    )
    parser.add_argument(
        "--no-learn",
        action="store_true",
        help="não aprender com o texto que você salva nem usar o vocabulário já aprendido",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        text = read_document(args.file) if args.file else ""
    except DocumentError as error:
        print(f"autocomplete: {error}", file=sys.stderr)
        return 2
    latency_log = os.environ.get(LATENCY_LOG_VARIABLE)
    options = EditorOptions(
        path=args.file,
        checkpoint=args.checkpoint,
        learn=not args.no_learn,
        latency_log=Path(latency_log) if latency_log else None,
    )
    EditorApp(options, text).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
