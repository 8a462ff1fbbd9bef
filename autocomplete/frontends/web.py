"""python -m autocomplete --serve: the same editor in a browser tab, through textual-serve.

textual-serve (Textual's authors' web server, the optional `serve` extra) starts one editor
process per browser tab and relays its terminal over a websocket. It listens on 127.0.0.1
by default: whoever reaches the port can read and write files as the user who started it.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
INSTALL_HINT = "--serve precisa do textual-serve: pip install 'autocomplete[serve]'"


def available() -> bool:
    """Whether textual-serve is installed."""
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        return False
    return True


def serve(editor_args: Sequence[str], host: str, port: int) -> None:
    """Serve `python -m autocomplete EDITOR_ARGS` on http://HOST:PORT until Ctrl+C."""
    from textual_serve.server import Server

    command = shlex.join([sys.executable, "-m", "autocomplete", *editor_args])
    Server(command, host=host, port=port, title="autocomplete").serve()
