"""A cell's details: the lesson, the attendance, each mark and its history (Enter)."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client.errors import ClientError
from ediary_tui.client.journal_state import SAVED, JournalState
from ediary_tui.domain.attendance import JOURNAL_LETTERS
from ediary_tui.domain.models import MarkChange
from ediary_tui.i18n import _, date_time, error_message, long_date
from ediary_tui.screens.journal.describe import describe_mark, state_word
from ediary_tui.screens.journal.grid_paint import cell_content, scale_of
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window
from ediary_tui.widgets.keys import key

if TYPE_CHECKING:
    from ediary_tui.client.journal_sync import JournalSync


def _change_text(change: MarkChange, tz: dt.tzinfo | None) -> str:
    if change.action == "created":
        what = _("journal.history_created", to=change.to or "")
    elif change.action == "deleted":
        what = _("journal.history_deleted", was=change.from_ or "")
    else:
        what = _("journal.history_changed", was=change.from_ or "", to=change.to or "")
    return f"{date_time(change.at.astimezone(tz))} · {change.by.full_name}: {what}"


class CellDetails(Window[None]):
    """Everything about one cell: the lesson, the attendance, each mark and its history."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "journal.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape,q", "dismiss", "journal.key_close"),
    ]

    def __init__(
        self,
        sync: JournalSync,
        state: JournalState,
        student_id: str,
        lesson_id: str,
        tz: dt.tzinfo | None = None,
    ) -> None:
        """The cell of `student_id` at `lesson_id` in the journal `state` shows now; `tz`: the
        zone to tell times in (the app's clock's), the computer's if None."""
        super().__init__()
        self.sync = sync
        self.tz = tz
        self.student = state.students[student_id]
        self.lesson = state.lesson(lesson_id).lesson
        self.cell = state.cell(self.student.id, self.lesson.id)
        self.scale = scale_of(state)

    def compose(self) -> ComposeResult:
        lesson = self.lesson
        with VerticalScroll(id="dialog") as dialog:
            dialog.border_title = self.student.full_name
            head = _("journal.lesson_long", date=long_date(lesson.date), number=lesson.number)
            form = _("mark.form", form=lesson.control_form.name, weight=lesson.control_form.weight)
            yield Static(Content(f"{head} · {form}"), id="lesson")
            if lesson.topic:
                yield Static(Content(_("lesson.topic", topic=lesson.topic)), classes="muted")
            for hw in lesson.homework:
                yield Static(Content(_("lesson.hw", text=hw.text)), classes="muted")
            yield Static(
                Content.assemble(
                    (_("journal.cell"), "bold"), " ", cell_content(self.cell, self.scale)
                ),
                id="cell",
            )
            att = self.cell.attendance
            if att is not None and att.code is not None:
                text = f"{JOURNAL_LETTERS[att.code]} — {_(f'attendance.{att.code.value}')}"
                if att.state != SAVED:
                    text = f"{text} ({state_word(att.state, att.reason)})"
                yield Static(Content(text))
            options = [
                Option(Content(describe_mark(m, tz=self.tz)), id=str(i))
                for i, m in enumerate(self.cell.marks)
            ]
            if options:
                yield Label(_("journal.marks"), classes="heading")
                yield OptionList(*options, id="marks")
                yield Label(_("journal.history"), classes="heading")
                yield Static(id="history", markup=False)
            else:
                yield Static(Content(_("journal.no_marks")), classes="muted")
            for refusal in self.cell.refusals:
                yield Static(
                    Content(_("journal.refused_line", reason=refusal.reason)), classes="refused"
                )
            yield Static(Content(_("journal.details_hint")), classes="muted")

    def on_mount(self) -> None:
        if self.cell.marks:
            marks = self.query_one("#marks", OptionList)
            marks.highlighted = len(self.cell.marks) - 1
            marks.focus()

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        mark = self.cell.marks[int(event.option.id or 0)]
        history = self.query_one("#history", Static)
        if mark.mark is None:
            history.update(Content(_("journal.history_unsent")))
            return
        history.update(Content(_("journal.history_loading")))
        self._history(mark.mark.id)

    @work(exclusive=True)
    async def _history(self, mark_id: str) -> None:
        history = self.query_one("#history", Static)
        try:
            found = await self.sync.mark_history(mark_id)
        except ClientError as exc:
            history.update(Content(error_message(exc.code, exc.message)))
            return
        history.update(Content("\n".join(_change_text(c, self.tz) for c in found.changes)))
