"""pygls's protocol, answering requests it cannot read.

pygls 2.1 turns a request whose params do not match the LSP types into a window/showMessage
and drops it: the client waits for an answer that never comes. Here such a request gets a
JSON-RPC InvalidParams error, and the server goes on serving.
"""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcException
from pygls.protocol import LanguageServerProtocol


class _Answered:
    """What an unreadable request becomes once its error is sent: nothing more to do."""


ANSWERED = _Answered()


class AnsweringProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if "id" not in data or "method" not in data:
                raise  # a notification or a response: there is no one to answer
            self._send_response(data["id"], error=error.to_response_error())
            return ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is not ANSWERED:
            super().handle_message(message)
