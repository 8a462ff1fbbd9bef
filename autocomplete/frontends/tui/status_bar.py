"""One line of state: file, model, last suggestion latency, keystrokes saved, and a passing
note (input that was ignored)."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

LOADING = "carregando modelo…"


class StatusBar(Static):
    file_name: reactive[str] = reactive("")
    modified: reactive[bool] = reactive(False)
    model: reactive[str] = reactive(LOADING)
    latency_ms: reactive[float | None] = reactive(None)
    # Characters inserted by accepted suggestions minus the keys pressed to accept them.
    keys_saved: reactive[int] = reactive(0)
    note: reactive[str] = reactive("")  # a passing remark (input ignored), shown first

    def render(self) -> str:
        parts = [
            self.file_name + (" (modificado)" if self.modified else ""),
            f"modelo: {self.model}",
        ]
        if self.latency_ms is not None:
            parts.append(f"sugestão em {self.latency_ms:.0f} ms")
        parts.append(f"teclas poupadas: {self.keys_saved}")
        if self.note:
            parts.insert(0, self.note)
        return " │ ".join(parts)
