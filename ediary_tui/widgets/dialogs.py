"""Dialogs every part of the app asks with: a yes/no question and a date to go to.

They share one look, the `#dialog` box of dialogs.tcss, so a question reads
the same in the diary, the journal and the class windows.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ediary_tui.i18n import _, parse_date
from ediary_tui.widgets.keys import LocalisedKeys, key


class DateModal(LocalisedKeys, ModalScreen[dt.date | None]):
    """Ask for a date to jump to; a bad date is said in the modal, not by closing it."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "keys.cancel")]

    def __init__(self, today: dt.date) -> None:
        super().__init__()
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("jump.title")
            yield Label(_("jump.prompt"))
            yield Input(placeholder=_("jump.placeholder"), id="date")
            yield Static(id="date-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#date-error").display = False

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        found = parse_date(event.value, self.today)
        if found is None:
            error = self.query_one("#date-error", Static)
            error.update(Content(_("jump.bad_date", text=event.value.strip())))
            error.display = True
            return
        self.dismiss(found)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(LocalisedKeys, ModalScreen[bool]):
    """A yes/no question (signing a week cannot be undone)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("y,enter", "answer(True)", "keys.yes"),
        key("n,escape", "answer(False)", "keys.no"),
    ]

    def __init__(self, question: str, yes: str) -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(Content(self.question), id="question")
            with Horizontal(id="buttons"):
                yield Button(self.yes, variant="primary", id="yes")
                yield Button(_("confirm.cancel"), id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
