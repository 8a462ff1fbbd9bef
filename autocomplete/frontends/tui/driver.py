"""How the terminal's bytes become text.

Textual's Linux driver decodes stdin with `getincrementaldecoder("utf-8")()`, whose errors
are "strict": one byte that is not UTF-8 (a Latin-1 terminal, a pasted binary, a line
noise burst) raises UnicodeDecodeError in the input thread and the app panics and exits,
taking the unsaved text with it. Decoding with errors="replace" types U+FFFD for the bad
byte, so the user sees where it was, and the characters around it are typed as sent.
"""

from __future__ import annotations

import codecs
import functools
import sys
from collections.abc import Callable


def _replacing_decoder(encoding: str) -> Callable[[], codecs.IncrementalDecoder]:
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")


def decode_input_with_replacement() -> None:
    """Make Textual's Linux driver decode terminal input with errors="replace" (idempotent).

    The driver looks the factory up in its module when its input thread starts, so setting
    the module's name is enough. If a Textual upgrade stops using that name this does
    nothing, and the test in tests/test_tui.py that runs the driver's input thread fails.
    """
    if sys.platform == "win32":  # the Windows driver reads UTF-16 key events, not bytes
        return
    from textual.drivers import linux_driver

    linux_driver.getincrementaldecoder = _replacing_decoder  # type: ignore[attr-defined]
