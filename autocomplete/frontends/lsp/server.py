"""The language server: its capabilities and one handler per LSP method.

Suggesting runs on the server's loop (a warm request takes about a millisecond, less than a
thread hop); learning and blocking run in threads, where SQLite may wait for a lock.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from autocomplete.frontends.lsp.documents import Cursor, cursor_at, replaced_range
from autocomplete.frontends.lsp.engine import load_suggester
from autocomplete.frontends.lsp.items import completion_list, inline_list
from autocomplete.frontends.lsp.latency import Latency
from autocomplete.frontends.lsp.options import ServerOptions, read_options
from autocomplete.frontends.lsp.protocol import AnsweringProtocol
from autocomplete.frontends.lsp.saves import SaveLearner

if TYPE_CHECKING:
    from autocomplete import Suggester

NAME = "autocomplete-lsp"
VERSION = "0.1.0"
BLOCK_WORD = "autocomplete.blockWord"  # arguments: [word]; never suggest it again
LATENCY = "autocomplete.latency"  # no arguments; p50/p95 per method, measured in the server


class AutocompleteServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            NAME,
            VERSION,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=AnsweringProtocol,
        )
        self.options = ServerOptions()
        self.suggester: Suggester | None = None  # None until initialized, or if loading failed
        self.saves = SaveLearner()
        self.latency = Latency()

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(kind, message))

    def warn(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        """Shown to the user, not only logged: something they chose or own did not work."""
        self.window_show_message(types.ShowMessageParams(kind, f"{NAME}: {message}"))

    def cursor(self, uri: str, position: types.Position) -> Cursor | None:
        """Where to suggest, or None where nothing should be suggested."""
        if self.suggester is None:
            return None
        document = self.workspace.get_text_document(uri)
        cursor = cursor_at(document, position)
        self.saves.typing_at(uri, cursor.line, cursor.column)
        return None if cursor.inside_word else cursor


def build_server() -> AutocompleteServer:
    server = AutocompleteServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: AutocompleteServer, params: types.InitializeParams) -> None:
        ls.options, complaints = read_options(params.initialization_options)
        for complaint in complaints:
            ls.warn(complaint)
        try:
            ls.suggester = load_suggester(ls.options.checkpoint, personal=ls.options.learning)
        except Exception as error:  # the server stays up: the client says why it is quiet
            ls.warn(f"no suggestions: {error}", types.MessageType.Error)
            return
        ls.log(f"model {ls.suggester.name}, options {ls.options}")
        if ls.suggester.personal_notice:  # the store was damaged or locked: as in the editor
            ls.warn(ls.suggester.personal_notice)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[" "])
    )
    def completion(ls: AutocompleteServer, params: types.CompletionParams) -> types.CompletionList:
        with ls.latency.timing(types.TEXT_DOCUMENT_COMPLETION):
            cursor = ls.cursor(params.text_document.uri, params.position)
            if cursor is None:
                return types.CompletionList(is_incomplete=True, items=[])
            suggestions = ls.suggester.suggest(
                cursor.text, ls.options.suggestions, after=cursor.after
            )
            document = ls.workspace.get_text_document(params.text_document.uri)
            typed = cursor.text[len(cursor.text) - suggestions.replace :]
            replaced = replaced_range(document, cursor, suggestions.replace)
            return completion_list(suggestions, replaced, typed)

    @server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    def inline_completion(
        ls: AutocompleteServer, params: types.InlineCompletionParams
    ) -> types.InlineCompletionList | None:
        with ls.latency.timing(types.TEXT_DOCUMENT_INLINE_COMPLETION):
            cursor = ls.cursor(params.text_document.uri, params.position)
            if cursor is None:
                return None
            # The word first (with this document's text after the cursor, for the cache):
            # the phrase starts from it.
            suggestions = ls.suggester.suggest(cursor.text, 1, after=cursor.after)
            phrase = ls.suggester.suggest_phrase(cursor.text) if ls.options.phrases else None
            if phrase is not None:
                text, replace = phrase.text, phrase.replace
            elif suggestions:
                text, replace = suggestions[0].word, suggestions.replace
            else:
                return None
            document = ls.workspace.get_text_document(params.text_document.uri)
            typed = cursor.text[len(cursor.text) - replace :]
            return inline_list(text, replaced_range(document, cursor, replace), typed)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AutocompleteServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.saves.opened(params.text_document.uri, params.text_document.text)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AutocompleteServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.saves.closed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    async def did_save(ls: AutocompleteServer, params: types.DidSaveTextDocumentParams) -> None:
        if ls.suggester is None or not ls.options.learning:
            return
        document = ls.workspace.get_text_document(params.text_document.uri)
        try:
            await asyncio.to_thread(ls.saves.saved, ls.suggester, document)
        except Exception as error:  # learning is an extra: a good save stays a good save
            ls.warn(f"could not learn from {document.filename}: {error}")
            return
        ls.log(f"learned from {params.text_document.uri}")

    @server.command(BLOCK_WORD)
    async def block_word(ls: AutocompleteServer, word: str) -> None:
        if ls.suggester is None or not ls.options.learning:
            ls.warn(f"cannot block «{word}»: learning is off, there is no block list")
            return
        await asyncio.to_thread(ls.suggester.block, word)
        ls.log(f"«{word}» will not be suggested again")

    @server.command(LATENCY)
    def latency(ls: AutocompleteServer) -> dict[str, dict[str, float]]:
        return ls.latency.summary()

    return server
