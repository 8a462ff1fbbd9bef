"""python -m autocomplete [FILE]: the editor that suggests the next Portuguese word."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autocomplete import userdata
from autocomplete.errors import DocumentError
from autocomplete.frontends import web as serve
from autocomplete.frontends.tui.app import EditorApp, EditorOptions
from autocomplete.frontends.tui.files import read_document

LATENCY_LOG_VARIABLE = "AUTOCOMPLETE_LATENCY_LOG"  # for measuring: ms per shown suggestion


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="autocomplete",
        description="Editor de texto que sugere a próxima palavra em português enquanto você "
        "digita. Tab aceita a sugestão, Shift+Tab aceita a frase inteira em cinza, Alt+1/2/3 "
        "escolhe uma da barra, Esc oculta, "
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
    parser.add_argument(
        "--no-phrases",
        action="store_true",
        help="sugerir só a próxima palavra, nunca o resto da frase",
    )
    web = parser.add_argument_group("no navegador (precisa de pip install 'autocomplete[serve]')")
    web.add_argument(
        "--serve",
        action="store_true",
        help="abrir o editor numa aba do navegador em vez do terminal: um editor por aba",
    )
    web.add_argument(
        "--host",
        default=serve.DEFAULT_HOST,
        help=f"endereço onde escutar (padrão: {serve.DEFAULT_HOST}, só este computador; "
        "outro endereço deixa quem alcançá-lo ler e escrever seus arquivos)",
    )
    web.add_argument(
        "--port",
        type=_port,
        default=serve.DEFAULT_PORT,
        help=f"porta onde escutar (padrão: {serve.DEFAULT_PORT})",
    )
    return parser.parse_args(argv)


def _port(value: str) -> int:
    port = int(value) if value.isdigit() else -1
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a porta vai de 1 a 65535, não {value}")
    return port


def editor_args(args: argparse.Namespace) -> list[str]:
    """The command line of the editor each browser tab runs: these options, absolute paths."""
    forwarded = [str(args.file.resolve())] if args.file else []
    if args.checkpoint:
        forwarded += ["--checkpoint", str(args.checkpoint.resolve())]
    if args.no_learn:
        forwarded.append("--no-learn")
    if args.no_phrases:
        forwarded.append("--no-phrases")
    return forwarded


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve and not serve.available():
        print(f"autocomplete: {serve.INSTALL_HINT}", file=sys.stderr)
        return 2
    try:
        text = read_document(args.file) if args.file else ""
    except DocumentError as error:
        print(f"autocomplete: {error}", file=sys.stderr)
        return 2
    if args.serve:
        try:
            serve.serve(editor_args(args), args.host, args.port)
        except OSError as error:  # the port is taken, or the host is not this machine's
            print(
                f"autocomplete: {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr
            )
            return 2
        return 0
    latency_log = os.environ.get(LATENCY_LOG_VARIABLE)
    options = EditorOptions(
        path=args.file,
        checkpoint=args.checkpoint,
        learn=not args.no_learn,
        phrases=not args.no_phrases,
        latency_log=Path(latency_log) if latency_log else None,
    )
    log = userdata.log_to_file()
    if not sys.stderr.isatty() and sys.stdout.isatty():
        # Textual draws the screen on stderr: `2>log` sends the whole editor into the file.
        print(
            "autocomplete: a saída de erro (stderr) não é o terminal, e o editor se desenha "
            "nela: a tela vai para onde ela foi redirecionada (Ctrl+Q sai). Não redirecione "
            f"2>; os diagnósticos do editor ficam em {log or userdata.log_file()}",
            flush=True,
        )
    EditorApp(options, text).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
