"""What a client may choose in `initializationOptions`, read leniently: a wrong value is
reported and replaced by its default, never a reason to refuse to start."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ServerOptions:
    learning: bool = True  # a save teaches the personal vocabulary; False: none is used
    phrases: bool = True  # inline completion offers the rest of the phrase, not one word
    checkpoint: Path | None = None  # None: the shipped model
    suggestions: int = 10  # completion items per request


def read_options(raw: Any) -> tuple[ServerOptions, list[str]]:
    """The options in `raw` (the client's JSON) and a complaint for each one ignored."""
    if raw is None:
        return ServerOptions(), []
    if not isinstance(raw, dict):
        return ServerOptions(), [f"initializationOptions must be an object, not {raw!r}"]
    chosen: dict[str, Any] = {}
    complaints = [f"unknown option {name!r}" for name in raw if name not in _KNOWN]
    for field in fields(ServerOptions):
        if field.name not in raw:
            continue
        value = raw[field.name]
        if _valid(field.name, value):
            is_path = field.name == "checkpoint" and value is not None
            chosen[field.name] = Path(value).expanduser() if is_path else value
        else:
            complaints.append(f"option {field.name!r} ignored: {value!r}")
    return ServerOptions(**chosen), complaints


_KNOWN = {field.name for field in fields(ServerOptions)}


def _valid(name: str, value: Any) -> bool:
    if name == "checkpoint":
        return value is None or (isinstance(value, str) and value != "")
    if name == "suggestions":
        return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100
    return isinstance(value, bool)
