"""Where the user's own data lives: the personal vocabulary, recovery copies and the editor's
diagnostics log."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from platformdirs import user_data_dir

ENVIRONMENT = "AUTOCOMPLETE_DATA_DIR"  # overrides the platform folder (tests, portable installs)


def data_dir() -> Path:
    override = os.environ.get(ENVIRONMENT)
    return Path(override) if override else Path(user_data_dir("autocomplete", appauthor=False))


LOG_NAME = "editor.log"
LOG_BYTES = 1_000_000  # one old log is kept beside it: at most 2 MB


def log_file() -> Path:
    """The editor's diagnostics (warnings and errors it showed, input it ignored): Textual
    draws the screen on stderr, so stderr cannot hold them."""
    return data_dir() / LOG_NAME


def log_to_file(logger: str = "autocomplete") -> Path | None:
    """Send `logger`'s warnings and errors to `log_file()`; None if it cannot be written
    (the editor works without it)."""
    path = log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=1, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    target = logging.getLogger(logger)
    target.addHandler(handler)
    target.setLevel(logging.INFO)
    return path
