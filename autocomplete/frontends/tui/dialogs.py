"""Modal questions: quit with unsaved changes, the name of a new file, what to do when the
file changed on disk, whether to save over a read-only file or reload over one's own edits,
and whether to take back the text a crashed session left unsaved.

Every one is a `Dialog`: centred and styled by one rule in app.tcss, opened with the focus
on the choice that keeps everyone's text, so an Enter pressed out of habit never loses
anything. A choice that destroys text (overwrite, discard) cannot take the focus at all
(Tab skips it, Enter never presses it): it takes a click or the key written on it."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

Result = TypeVar("Result")


class Dialog(ModalScreen[Result]):
    """A modal question; `KEEP` selects the widget that has the focus when it opens."""

    KEEP: ClassVar[str] = "#cancel"

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.AUTO_FOCUS = cls.KEEP


def destructive(label: str, key: str, id: str) -> Button:
    """A button that destroys text: red, its key on it, never focused (so never Enter's)."""
    button = Button(f"{label} ({key.upper()})", variant="error", id=id, classes="destructive")
    button.can_focus = False
    return button


class QuitChoice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


class ConfirmQuit(Dialog[QuitChoice]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancelar", id="cancel-quit"),
        Binding("d", "discard", "Descartar e sair", id="discard-quit"),
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
                yield destructive("Descartar e sair", "d", QuitChoice.DISCARD.value)
                yield Button("Cancelar", id=QuitChoice.CANCEL.value)

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(QuitChoice(event.button.id))

    def action_discard(self) -> None:
        self.dismiss(QuitChoice.DISCARD)

    def action_cancel(self) -> None:
        self.dismiss(QuitChoice.CANCEL)


class SaveAs(Dialog[Path | None]):
    """Ask where to save a buffer opened without FILE; never overwrites an existing file."""

    KEEP = "Input"
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


class ChangedOnDisk(Dialog[ChangedChoice]):
    """The file changed on disk since it was opened (or last saved): what should saving do?"""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancelar", id="cancel-changed"),
        Binding("g", "choose('overwrite')", "Gravar por cima", id="overwrite-changed"),
        Binding("r", "choose('reload')", "Recarregar", id="reload-changed"),
    ]

    def __init__(self, file_name: str) -> None:
        super().__init__()
        self.file_name = file_name

    def compose(self) -> ComposeResult:
        with Grid(classes="dialog wide"):
            yield Label(
                f"{self.file_name} foi alterado por outro programa desde que foi aberto. "
                "Gravar por cima apaga essas alterações; recarregar apaga as suas.",
                classes="question",
            )
            with Horizontal(classes="buttons"):
                yield destructive("Gravar por cima", "g", ChangedChoice.OVERWRITE.value)
                yield destructive("Recarregar", "r", ChangedChoice.RELOAD.value)
                yield Button("Salvar como", variant="primary", id=ChangedChoice.SAVE_AS.value)
                yield Button("Cancelar", id=ChangedChoice.CANCEL.value)

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(ChangedChoice(event.button.id))

    def action_choose(self, choice: str) -> None:
        self.dismiss(ChangedChoice(choice))

    def action_cancel(self) -> None:
        self.dismiss(ChangedChoice.CANCEL)


class Confirm(Dialog[bool]):
    """A yes/no question whose yes destroys text: True only by its key or a click."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancelar", id="cancel-confirm")
    ]
    QUESTION: ClassVar[str] = "{}"
    ACTION: ClassVar[str] = ""
    KEY: ClassVar[str] = ""
    ID: ClassVar[str] = "confirm"

    def __init__(self, file_name: str) -> None:
        super().__init__()
        self.file_name = file_name

    def compose(self) -> ComposeResult:
        with Grid(classes="dialog"):
            yield Label(self.QUESTION.format(self.file_name), classes="question")
            with Horizontal(classes="buttons"):
                yield destructive(self.ACTION, self.KEY, self.ID)
                yield Button("Cancelar", variant="primary", id="cancel")

    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == self.ID)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ConfirmReadOnly(Confirm):
    """Ask before saving over a read-only file: True to save anyway."""

    QUESTION = "{} é somente leitura. Gravar por cima mesmo assim?"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("g", "confirm", "Gravar", id="overwrite-ro")]
    ACTION = "Gravar mesmo assim"
    KEY = "g"
    ID = "overwrite"


class ConfirmReload(Confirm):
    """Ask before reloading the file over the editor's unsaved edits: True to reload."""

    QUESTION = (
        "Recarregar {} do disco descarta as suas alterações não salvas "
        "(Ctrl+Z ainda as traz de volta enquanto o editor estiver aberto). Recarregar?"
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "confirm", "Descartar e recarregar", id="reload-confirm")
    ]
    ACTION = "Descartar e recarregar"
    KEY = "d"
    ID = "reload"


class RecoverText(Dialog[bool | None]):
    """Offer the recovery copy of the file being opened: True to take its text back, False to
    delete the copy, None (Esc) to decide at the next start (the copy stays)."""

    KEEP = "#recover"  # the file stays as it is; the copy goes only once this editor's holds it
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "later", "Depois", id="later-recover"),
        Binding("d", "discard", "Descartar", id="discard-recover"),
    ]

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
                "texto salvo: a sessão anterior terminou sem salvar. Esc: decidir depois.",
                classes="question",
            )
            with Horizontal(classes="buttons"):
                yield Button("Recuperar", variant="primary", id="recover")
                yield destructive("Descartar", "d", "discard")

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "recover")

    def action_discard(self) -> None:
        self.dismiss(False)

    def action_later(self) -> None:
        self.dismiss(None)
