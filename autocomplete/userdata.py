"""Where the user's own data lives: the personal vocabulary and recovery copies."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

ENVIRONMENT = "AUTOCOMPLETE_DATA_DIR"  # overrides the platform folder (tests, portable installs)


def data_dir() -> Path:
    override = os.environ.get(ENVIRONMENT)
    return Path(override) if override else Path(user_data_dir("autocomplete", appauthor=False))
