"""The app's dialogs: their one box, and the two every part of the app asks with (a
yes/no question and a date to go to).

A dialog is a `Dialog`: one `#dialog` box in the middle, whose look (a round
border, the title's colour, the padding, the background, never larger than the
terminal) dialogs.tcss says once, so a question reads the same in the diary,
the journal and the class windows. Each dialog's own sheet, read after it, has
only its width and what is inside.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePath
from typing import ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from ediary_tui.i18n import _, parse_date
from ediary_tui.widgets.keys import LocalisedKeys, key

R = TypeVar("R")

DIALOG_SHEET = Path(__file__).resolve().with_name("dialogs.tcss")
"""The dialogs' box: any dialog's CSS_PATH names it first (a path, so from anywhere)."""


class Dialog(LocalisedKeys, ModalScreen[R]):
    """A modal whose content is one `#dialog` box, centred, with the look of dialogs.tcss."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET]

    def dismiss_or_ask(self, losing: bool, question: str, yes: str) -> None:
        """Close with no answer (None); when closing is `losing` something, ask first."""
        if not losing:
            self.dismiss(None)
            return

        def answered(close: bool | None) -> None:
            if close:
                self.dismiss(None)

        self.app.push_screen(ConfirmModal(question, yes), answered)


class Window(Dialog[R]):
    """The journal's and the class's windows: a dialog whose title is bold."""


class DateModal(Dialog[dt.date | None]):
    """Ask for a date (by default, of the week to go to); a bad date is said in the modal,
    not by closing it, and so is one `refused` (a subclass's rule)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "keys.cancel")]

    def __init__(
        self,
        today: dt.date,
        *,
        heading: str | None = None,
        prompt: str | None = None,
        value: str = "",
        placeholder: str | None = None,
    ) -> None:
        """Without texts, the question of the week to go to."""
        super().__init__()
        self.today = today
        self.heading = heading or _("jump.title")
        self.prompt = prompt or _("jump.prompt")
        self.value = value
        self.placeholder = _("jump.placeholder") if placeholder is None else placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = self.heading
            yield Static(Content(self.prompt))
            yield Input(self.value, placeholder=self.placeholder, id="date")
            yield Static(id="date-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#date-error").display = False

    def refused(self, found: dt.date) -> str | None:
        """Why `found` will not do (None: it will)."""
        return None

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        found = parse_date(event.value, self.today)
        reason = (
            _("jump.bad_date", text=event.value.strip()) if found is None else self.refused(found)
        )
        if found is None or reason is not None:
            error = self.query_one("#date-error", Static)
            error.update(Content(reason or ""))
            error.display = True
            return
        self.dismiss(found)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmModal(Dialog[bool]):
    """A yes/no question (signing a week cannot be undone)."""

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
