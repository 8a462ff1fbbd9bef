"""Modal questions: quit with unsaved changes, the name of a new file, whether to save over
a read-only file, and whether to take back the text a crashed session left unsaved."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label


class QuitChoice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


class ConfirmQuit(ModalScreen[QuitChoice]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancelar", id="cancel-quit")
    ]

    def __init__(self, file_name: str) -> None:
        super().__init__()
        self.file_name = file_name

    def compose(self) -> ComposeResult:
        with Grid(classes="dialog"):
            yield Label(
                f"{self.file_name} tem alterações não salvas. Sair mesmo assim?",
                classes="question",
            )
            with Horizontal(classes="buttons"):
                yield Button("Salvar e sair", variant="primary", id=QuitChoice.SAVE.value)
                yield Button("Sair sem salvar", variant="error", id=QuitChoice.DISCARD.value)
                yield Button("Cancelar", id=QuitChoice.CANCEL.value)

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(QuitChoice(event.button.id))

    def action_cancel(self) -> None:
        self.dismiss(QuitChoice.CANCEL)


class SaveAs(ModalScreen[Path | None]):
    """Ask where to save a buffer opened without FILE; never overwrites an existing file."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancelar", id="cancel-save")
    ]

    def compose(self) -> ComposeResult:
        with Grid(classes="dialog"):
            yield Label("Salvar como:", classes="question")
            yield Input(placeholder="nome do arquivo, por exemplo notas.txt")
            yield Label(classes="error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            return
        path = Path(name).expanduser()
        if path.exists():
            self.query_one(".error", Label).update(f"{path} já existe; escolha outro nome.")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChangedChoice(Enum):
    OVERWRITE = "overwrite"
    RELOAD = "reload"
    SAVE_AS = "save-as"
    CANCEL = "cancel"


class ChangedOnDisk(ModalScreen[ChangedChoice]):
    """The file changed on disk since it was opened (or last saved): what should saving do?"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancelar", id="cancel-changed")
    ]

    def __init__(self, file_name: str) -> None:
        super().__init__()
        self.file_name = file_name

    def compose(self) -> ComposeResult:
        with Grid(classes="dialog wide"):
            yield Label(
                f"{self.file_name} foi alterado por outro programa desde que foi aberto. "
                "Salvar por cima apaga essas alterações.",
                classes="question",
            )
            with Horizontal(classes="buttons"):
                yield Button("Sobrescrever", variant="error", id=ChangedChoice.OVERWRITE.value)
                yield Button("Recarregar", id=ChangedChoice.RELOAD.value)
                yield Button("Salvar como", variant="primary", id=ChangedChoice.SAVE_AS.value)
                yield Button("Cancelar", id=ChangedChoice.CANCEL.value)

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(ChangedChoice(event.button.id))

    def action_cancel(self) -> None:
        self.dismiss(ChangedChoice.CANCEL)


class ConfirmReadOnly(ModalScreen[bool]):
    """Ask before saving over a read-only file: True to save anyway."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancelar", id="cancel-read-only")
    ]

    def __init__(self, file_name: str) -> None:
        super().__init__()
        self.file_name = file_name

    def compose(self) -> ComposeResult:
        with Grid(classes="dialog"):
            yield Label(
                f"{self.file_name} é somente leitura. Salvar por cima mesmo assim?",
                classes="question",
            )
            with Horizontal(classes="buttons"):
                yield Button("Salvar mesmo assim", variant="error", id="overwrite")
                yield Button("Cancelar", variant="primary", id="cancel")

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "overwrite")

    def action_cancel(self) -> None:
        self.dismiss(False)


class RecoverText(ModalScreen[bool]):
    """Offer the recovery copy of the file being opened: True to take its text back."""

    def __init__(self, file_name: str, written_at: float) -> None:
        super().__init__()
        self.file_name = file_name
        self.written_at = written_at

    def compose(self) -> ComposeResult:
        when = datetime.fromtimestamp(self.written_at).strftime("%d/%m/%Y %H:%M")
        with Grid(classes="dialog"):
            yield Label("Recuperar texto não salvo?", classes="title")
            yield Label(
                f"{self.file_name} tem uma cópia de recuperação de {when}, diferente do "
                "texto salvo: a sessão anterior terminou sem salvar.",
                classes="question",
            )
            with Horizontal(classes="buttons"):
                yield Button("Recuperar", variant="primary", id="recover")
                yield Button("Descartar", variant="error", id="discard")

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "recover")
