"""A period mark other than the proposed one (P): one key on the scale, or none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ediary_tui.client.journal_state import StudentSummary
from ediary_tui.i18n import _, number
from ediary_tui.screens.journal.describe import initials
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window


@dataclass(frozen=True)
class PeriodMarkChoice:
    """What the teacher chose as a period mark: a value, or None to clear it."""

    value: int | None


class PeriodMarkModal(Window[PeriodMarkChoice | None]):
    """A period mark other than the proposed one: one key on the scale, ⌫ clears it."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "journal.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "keys.cancel"),
        Binding("enter", "proposed", "journal.period_take_proposed", show=False),
        Binding("backspace,delete", "clear", "journal.key_clear", show=False),
    ]

    def __init__(self, student: str, summary: StudentSummary, scale: tuple[int, int]) -> None:
        super().__init__()
        self.student = student
        self.summary = summary
        self.scale = scale

    def compose(self) -> ComposeResult:
        low, high = self.scale
        summary = self.summary
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("journal.period_title", student=initials(self.student))
            average = "—" if summary.average is None else number(summary.average)
            proposed = "—" if summary.proposed is None else str(summary.proposed)
            current = "—" if summary.period_mark is None else str(summary.period_mark)
            yield Static(
                Content(
                    _("journal.period_facts", average=average, proposed=proposed, current=current)
                )
            )
            yield Static(Content(_("journal.period_prompt", low=low, high=high)))
            yield Static(id="period-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#period-error").display = False

    def on_key(self, event: events.Key) -> None:
        if event.character is None or not event.character.isdigit():
            return
        event.stop()
        value = int(event.character)
        low, high = self.scale
        if low <= value <= high:
            self.dismiss(PeriodMarkChoice(value))
            return
        error = self.query_one("#period-error", Static)
        error.update(Content(_("journal.off_scale", low=low, high=high)))
        error.display = True

    def action_proposed(self) -> None:
        if self.summary.proposed is not None:
            self.dismiss(PeriodMarkChoice(self.summary.proposed))

    def action_clear(self) -> None:
        self.dismiss(PeriodMarkChoice(None))

    def action_cancel(self) -> None:
        self.dismiss(None)
