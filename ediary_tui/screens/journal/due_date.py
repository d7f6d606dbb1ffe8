"""A dot's due date, asked when the teacher puts a dot (.)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ediary_tui.i18n import _, current_language, day_month, parse_date
from ediary_tui.screens.journal.describe import initials
from ediary_tui.widgets.keys import LocalisedKeys


def _date_text(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}" if current_language() == "ru" else day.isoformat()


class DueDateModal(LocalisedKeys, ModalScreen[dt.date | None]):
    """A dot's due date: a week after the lesson unless changed; Enter accepts."""

    CSS_PATH: ClassVar[list[str]] = ["window_box.tcss", "journal.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "keys.cancel")]

    def __init__(
        self, student: str, lesson_date: dt.date, default: dt.date, today: dt.date
    ) -> None:
        super().__init__()
        self.student = student
        self.lesson_date = lesson_date
        self.default = default
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("journal.dot_title")
            yield Static(Content(_("journal.dot_prompt", student=initials(self.student))))
            yield Input(_date_text(self.default), id="due")
            yield Static(id="due-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#due-error").display = False

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        found = parse_date(event.value, self.today)
        error = self.query_one("#due-error", Static)
        if found is None:
            error.update(Content(_("jump.bad_date", text=event.value.strip())))
        elif found < self.lesson_date:
            error.update(Content(_("journal.due_before", date=day_month(self.lesson_date))))
        else:
            self.dismiss(found)
            return
        error.display = True

    def action_cancel(self) -> None:
        self.dismiss(None)
