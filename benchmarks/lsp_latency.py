"""Completion latency of the language server, from a client and inside the server.

    python benchmarks/lsp_latency.py [--rounds 3] [--text "..."]

pygls's client starts `python -m autocomplete.lsp` (this checkout) over stdio, opens a
document and types the text one character at a time, each an incremental didChange followed
by a completion request, as an editor does with an incomplete completion list. Reported:
p50/p95 of the round trip (request sent to answer parsed, in the client) and of the handler
(measured in the server, `autocomplete.latency`), with the baseline of the same texts given to
`Suggester.suggest` in this process. The personal vocabulary goes to an empty temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from pathlib import Path
from time import perf_counter

from lsprotocol import types
from pygls.lsp.client import LanguageClient

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # this checkout, whatever is installed

from autocomplete import Suggester, userdata  # noqa: E402
from autocomplete.frontends.lsp.server import LATENCY  # noqa: E402

TEXT = (
    "Bom dia, Ana. Segue documento em anexo com o relatório do trimestre. Preciso de ajuda "
    "com o meu computador, que não liga desde ontem. Podemos conversar amanhã de manhã? "
    "Obrigado pela atenção e até logo."
)
URI = "file:///tmp/benchmark.txt"


def percentiles(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {1000 * statistics.median(ordered):6.2f} ms  p95 {1000 * p95:6.2f} ms"


async def client_round_trips(text: str, rounds: int) -> tuple[list[float], dict]:
    client = LanguageClient("lsp-latency", "1")
    client.feature(types.WINDOW_LOG_MESSAGE)(lambda params: None)  # the server's log: not timed
    await client.start_io(sys.executable, "-m", "autocomplete.lsp", cwd=REPO)
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    seconds: list[float] = []
    for round_ in range(rounds):
        uri = f"{URI}.{round_}"
        item = types.TextDocumentItem(uri=uri, language_id="plaintext", version=0, text="")
        client.text_document_did_open(types.DidOpenTextDocumentParams(item))
        for version, character in enumerate(text, start=1):
            at = types.Position(0, version - 1)
            change = types.TextDocumentContentChangePartial(
                range=types.Range(at, at), text=character
            )
            document = types.VersionedTextDocumentIdentifier(uri=uri, version=version)
            client.text_document_did_change(types.DidChangeTextDocumentParams(document, [change]))
            params = types.CompletionParams(
                types.TextDocumentIdentifier(uri), types.Position(0, version)
            )
            started = perf_counter()
            await client.text_document_completion_async(params)
            seconds.append(perf_counter() - started)
    inside = await client.workspace_execute_command_async(types.ExecuteCommandParams(LATENCY))
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return seconds, inside[types.TEXT_DOCUMENT_COMPLETION]


def in_process(text: str, rounds: int) -> list[float]:
    suggester = Suggester.load()
    seconds = []
    for _ in range(rounds):
        for end in range(1, len(text) + 1):
            started = perf_counter()
            suggester.suggest(text[:end], 10)
            seconds.append(perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="times the text is typed")
    parser.add_argument("--text", default=TEXT, help="what is typed, one line")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ[userdata.ENVIRONMENT] = folder  # the server inherits it
        round_trips, inside = asyncio.run(client_round_trips(args.text, args.rounds))
        baseline = in_process(args.text, args.rounds)
    print(f"{len(round_trips)} completion requests, {args.rounds} x {len(args.text)} keystrokes")
    print(f"client round trip   {percentiles(round_trips)}")
    print(
        f"inside the server   p50 {inside['p50_ms']:6.2f} ms  p95 {inside['p95_ms']:6.2f} ms"
        f"  ({inside['count']} requests)"
    )
    print(f"Suggester.suggest   {percentiles(baseline)}  (baseline, in process)")


if __name__ == "__main__":
    main()
