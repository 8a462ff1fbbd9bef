"""The language server through the protocol: pygls's client drives `python -m autocomplete.lsp`
over stdio, as an editor would, with the shipped model."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from autocomplete.frontends.lsp.server import BLOCK_WORD, LATENCY

HANG = 60  # seconds: only a hung server takes this long
URI = "file:///tmp/notas.txt"
REPO = Path(__file__).resolve().parent.parent  # run this checkout's server, not an installed one


class Client(LanguageClient):
    """A client that keeps what the server logs, and can wait for a line of it."""

    def __init__(self) -> None:
        super().__init__("test-client", "1")
        self.logged: list[str] = []
        self.shown: list[str] = []
        self._news = asyncio.Event()

        @self.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            self.logged.append(params.message)
            self._news.set()

        @self.feature(types.WINDOW_SHOW_MESSAGE)
        def shown(params: types.ShowMessageParams) -> None:
            self.shown.append(params.message)

    async def logs(self, words: str) -> None:
        while not any(words in line for line in self.logged):
            self._news.clear()
            await self._news.wait()

    def open(self, text: str, uri: str = URI) -> None:
        item = types.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text)
        self.text_document_did_open(types.DidOpenTextDocumentParams(item))

    def type(self, text: str, line: int, character: int, version: int, uri: str = URI) -> None:
        """Insert `text` at (line, character), an incremental change as editors send."""
        at = types.Position(line, character)
        change = types.TextDocumentContentChangePartial(range=types.Range(at, at), text=text)
        document = types.VersionedTextDocumentIdentifier(uri=uri, version=version)
        self.text_document_did_change(types.DidChangeTextDocumentParams(document, [change]))

    async def complete(self, line: int, character: int, uri: str = URI) -> types.CompletionList:
        params = types.CompletionParams(
            types.TextDocumentIdentifier(uri), types.Position(line, character)
        )
        return await self.text_document_completion_async(params)

    async def inline(self, line: int, character: int) -> types.InlineCompletionList:
        params = types.InlineCompletionParams(
            context=types.InlineCompletionContext(types.InlineCompletionTriggerKind.Automatic),
            text_document=types.TextDocumentIdentifier(URI),
            position=types.Position(line, character),
        )
        return await self.text_document_inline_completion_async(params)


def with_server(test: Callable[[Client], Awaitable[None]], options: dict | None = None) -> Client:
    """Start the server, initialize it with `options`, run `test`, shut it down."""

    async def session() -> Client:
        client = Client()
        await client.start_io(sys.executable, "-m", "autocomplete.lsp", cwd=REPO)
        params = types.InitializeParams(
            capabilities=types.ClientCapabilities(), initialization_options=options
        )
        client.initialize_result = await client.initialize_async(params)
        client.initialized(types.InitializedParams())
        await test(client)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
        client.exit_code = client._server.returncode
        return client

    return asyncio.run(asyncio.wait_for(session(), HANG))


def words(result: types.CompletionList) -> list[str]:
    ordered = sorted(result.items, key=lambda item: item.sort_text)
    return [item.label for item in ordered]


def test_initialize_announces_completion_inline_completion_and_commands():
    client = with_server(lambda client: asyncio.sleep(0))
    capabilities = client.initialize_result.capabilities
    assert capabilities.completion_provider.trigger_characters in ([" "], (" ",))
    assert capabilities.inline_completion_provider is not None
    assert capabilities.text_document_sync.change == types.TextDocumentSyncKind.Incremental
    assert capabilities.text_document_sync.save is not None
    assert set(capabilities.execute_command_provider.commands) == {BLOCK_WORD, LATENCY}
    assert client.exit_code == 0  # shutdown, then exit: a clean stop


def test_completion_after_a_space_offers_next_words_in_order():
    async def test(client: Client) -> None:
        client.open("Segue documento em ")
        result = await client.complete(0, 19)
        assert result.is_incomplete
        assert len(result.items) == 10
        probabilities = [float(item.detail.rstrip("%")) for item in result.items]
        assert probabilities == sorted(probabilities, reverse=True)
        for item in result.items:  # inserted at the cursor, nothing replaced
            assert item.text_edit.range == types.Range(types.Position(0, 19), types.Position(0, 19))
            assert item.text_edit.new_text == item.label

    with_server(test)


def test_completion_inside_a_word_replaces_it_counting_utf16_units():
    # "😀" is two UTF-16 code units and "é" one: the partial word starts at unit 10, not 9.
    async def test(client: Client) -> None:
        client.open("é 😀 Preciso de ajuda com o meu comput")
        line = "é 😀 Preciso de ajuda com o meu comput"
        end = len(line.encode("utf-16-le")) // 2
        result = await client.complete(0, end)
        assert words(result)[0] == "computador"
        first = min(result.items, key=lambda item: item.sort_text)
        assert first.text_edit.range == types.Range(
            types.Position(0, end - len("comput")), types.Position(0, end)
        )
        assert first.filter_text == "comput"

    with_server(test)


def test_completion_follows_incremental_changes_in_several_documents():
    other = "file:///tmp/outra.md"

    async def test(client: Client) -> None:
        client.open("Olá,\n", uri=other)
        client.open("Bom dia.\n")
        client.type("Preciso de ajuda com o meu comput", 1, 0, version=2)
        client.type("Por ou", 1, 0, version=2, uri=other)
        assert words(await client.complete(1, 33))[0] == "computador"
        assert "outro" in words(await client.complete(1, 6, uri=other))
        # Nothing inside a word: a suggestion would split it.
        assert not (await client.complete(1, 3)).items

    with_server(test)


def test_a_name_used_earlier_in_the_document_comes_back_after_two_letters():
    """The document is a cache, as in the editor: an invented name no model or lexicon
    knows, written earlier (above the cursor, or below it), is offered after two letters,
    and only in its own document."""
    other = "file:///tmp/outra.md"

    async def test(client: Client) -> None:
        client.open("A reunião com a Zorbelina Quaresma ficou para terça.\nFalei com a Zo")
        client.open("Falei com a Zo", uri=other)
        assert "Zorbelina" in words(await client.complete(1, 14))
        assert "Zorbelina" not in words(await client.complete(0, 14, uri=other))
        client.open("Falei com a Zo\nO contrato da Zorbelina chegou.", uri="file:///tmp/c.md")
        assert "Zorbelina" in words(await client.complete(0, 14, uri="file:///tmp/c.md"))

    with_server(test)


@pytest.mark.parametrize(("phrases", "expected"), [(True, "outro lado"), (False, "outro")])
def test_inline_completion_offers_the_phrase_or_with_phrases_off_the_word(phrases, expected):
    async def test(client: Client) -> None:
        client.open("Por ou")
        (item,) = (await client.inline(0, 6)).items
        assert item.insert_text == expected
        assert item.range == types.Range(types.Position(0, 4), types.Position(0, 6))

    with_server(test, {"phrases": phrases})


def test_saving_teaches_the_personal_vocabulary(private_data_dir: Path):
    text = "Falei com o Xebrolindo hoje.\nO Xebrolindo respondeu.\nFalei com o Xeb"

    async def test(client: Client) -> None:
        client.open("")
        assert "Xebrolindo" not in words(await client.complete(0, 0))
        client.type(text, 0, 0, version=2)
        await client.complete(2, 15)  # the cursor: "Xeb" is being typed, never learned
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(URI))
        )
        await client.logs("learned from")
        assert "Xebrolindo" in words(await client.complete(2, 15))
        assert "Xeb" not in words(await client.complete(2, 15))

        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(BLOCK_WORD, ["Xebrolindo"])
        )
        await client.logs("will not be suggested")
        assert "Xebrolindo" not in words(await client.complete(2, 15))

    with_server(test)
    assert any(private_data_dir.iterdir())  # learned into the test's own folder


def test_learning_off_learns_nothing(private_data_dir: Path):
    async def test(client: Client) -> None:
        client.open("Falei com o Xebrolindo hoje. O Xebrolindo respondeu.\n")
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(URI))
        )
        assert "Xebrolindo" not in words(await client.complete(1, 0))

    with_server(test, {"learning": False})
    assert not any(private_data_dir.iterdir())


def test_a_malformed_request_gets_an_error_and_the_server_keeps_serving():
    """Raw JSON-RPC: pygls's client cannot send params that do not fit the LSP types. Every
    byte on stdout must be a framed protocol message."""
    messages = [
        {"id": 1, "method": "initialize", "params": {"capabilities": {}}},
        {"method": "initialized", "params": {}},
        {
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": URI,
                    "languageId": "plaintext",
                    "version": 1,
                    "text": "Segue documento em ",
                }
            },
        },
        {"id": 2, "method": "textDocument/completion", "params": {"textDocument": 7}},
        {"id": 3, "method": "autocomplete/nothing", "params": {}},
        {
            "id": 4,
            "method": "textDocument/completion",
            "params": {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 19}},
        },
        {"id": 5, "method": "shutdown"},
        {"method": "exit"},
    ]
    stdin = b"".join(frame({"jsonrpc": "2.0", **message}) for message in messages)
    server = subprocess.run(
        [sys.executable, "-m", "autocomplete.lsp"],
        input=stdin,
        capture_output=True,
        timeout=HANG,
        cwd=REPO,
    )
    assert server.returncode == 0
    answers = {answer["id"]: answer for answer in unframe(server.stdout) if "id" in answer}
    assert answers[2]["error"]["code"] == -32602  # InvalidParams
    assert answers[3]["error"]["code"] == -32601  # MethodNotFound
    assert len(answers[4]["result"]["items"]) == 10
    assert answers[5]["result"] is None


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def unframe(stdout: bytes) -> list[dict]:
    """The messages on stdout; fails on anything else there."""
    messages = []
    while stdout:
        header, _, stdout = stdout.partition(b"\r\n\r\n")
        fields = dict(line.split(b": ", 1) for line in header.split(b"\r\n"))
        length = int(fields[b"Content-Length"])
        messages.append(json.loads(stdout[:length]))
        stdout = stdout[length:]
    return messages


def test_bad_options_and_a_bad_checkpoint_are_reported_not_fatal(tmp_path: Path):
    broken = tmp_path / "model.npz"
    broken.write_bytes(b"not a model")

    async def test(client: Client) -> None:
        client.open("Segue documento em ")
        assert not (await client.complete(0, 19)).items

    client = with_server(test, {"checkpoint": str(broken), "phrases": "yes", "colour": 1})
    assert any("no suggestions" in message for message in client.shown)
    assert any("'phrases' ignored" in message for message in client.shown)
    assert any("unknown option 'colour'" in message for message in client.shown)


def test_the_server_reports_its_latency():
    async def test(client: Client) -> None:
        client.open("Segue documento em ")
        for _ in range(3):
            await client.complete(0, 19)
        summary = await client.workspace_execute_command_async(types.ExecuteCommandParams(LATENCY))
        timings = summary[types.TEXT_DOCUMENT_COMPLETION]
        assert timings["count"] == 3
        assert 0 < timings["p50_ms"] <= timings["p95_ms"]

    with_server(test)
