"""The period's end from the journal: lessons missed, the year mark, the export.

The grid's summary gains the lessons each student missed of the lessons held
so far and, on the year's last period, the year mark (period_summary.py).
`y` sets the year mark (one key on the
scale, ⌫ clears it): it goes straight to the server, as a year mark is set
once a year and must not wait in an outbox. `e` writes the journal as CSV,
`E` the class's printable report for the period: one page per subject the
teacher may open in that class.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import PurePath
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.export_formats import (
    CSV_ENCODING,
    JournalPage,
    ReportWords,
    csv_text,
    journal_csv_name,
    journal_csv_rows,
    journal_report,
    journal_report_name,
)
from ediary_tui.client.journal_state import JournalState
from ediary_tui.client.journal_sync import JournalSync
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.attendance import JOURNAL_LETTERS
from ediary_tui.domain.models import Journal, User, YearMarkIn
from ediary_tui.i18n import _, error_message, short_date
from ediary_tui.screens.diary.export import ExportModal
from ediary_tui.screens.journal import grid_paint
from ediary_tui.screens.journal.describe import initials
from ediary_tui.screens.journal.period_summary import is_last_period
from ediary_tui.screens.journal.topbar import period_name
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window
from ediary_tui.widgets.journal_grid import JournalGrid

if TYPE_CHECKING:
    from textual.screen import Screen

    _Base = Screen[None]
else:
    _Base = object

NO_YEAR_MARK = -1  # the modal's answer for "clear it" (None is "leave it")


# --- the year mark --------------------------------------------------------------------------


class YearMarkModal(Window[int | None]):
    """The year mark: one key on the scale, ⌫ clears it (NO_YEAR_MARK), Esc leaves it."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "journal.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "keys.cancel"),
        Binding("backspace,delete", "clear", "journal.key_clear", show=False),
    ]

    def __init__(
        self, student: str, period_mark: int | None, current: int | None, scale: tuple[int, int]
    ) -> None:
        super().__init__()
        self.student = student
        self.period_mark = period_mark
        self.current = current
        self.scale = scale

    def compose(self) -> ComposeResult:
        low, high = self.scale
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("period_end.year_title", student=initials(self.student))
            shown = {
                "period": "—" if self.period_mark is None else str(self.period_mark),
                "current": "—" if self.current is None else str(self.current),
            }
            yield Static(Content(_("period_end.year_facts", **shown)))
            yield Static(Content(_("period_end.year_prompt", low=low, high=high)))
            yield Static(id="year-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#year-error").display = False

    def on_key(self, event: events.Key) -> None:
        if event.character is None or not event.character.isdigit():
            return
        event.stop()
        value = int(event.character)
        low, high = self.scale
        if low <= value <= high:
            self.dismiss(value)
            return
        error = self.query_one("#year-error", Static)
        error.update(Content(_("journal.off_scale", low=low, high=high)))
        error.display = True

    def action_clear(self) -> None:
        self.dismiss(NO_YEAR_MARK)

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- the export --------------------------------------------------------------------------


def report_words() -> ReportWords:
    """The report's and the CSV's words in the user's language."""
    return ReportWords(
        student=_("period_end.col_student"),
        marks=_("period_end.col_marks"),
        average=_("period_end.col_average"),
        proposed=_("journal.col_proposed"),
        period_mark=_("period_end.col_period"),
        absences=_("period_end.col_absences"),
        held=_("period_end.col_held"),
        year_mark=_("period_end.col_year"),
        title=_("period_end.report_title"),
        lessons=_("period_end.report_lessons"),
        printed=_("period_end.report_printed"),
        page=_("period_end.report_page"),
        letters={code.value: letter for code, letter in JOURNAL_LETTERS.items()},
    )


def page_of(journal: Journal) -> JournalPage:
    """A journal as a page of the report: the period named as the screen names it."""
    period = period_name(journal.period)
    dates = f"{short_date(journal.period.starts_on)} – {short_date(journal.period.ends_on)}"
    return JournalPage(journal, f"{period}, {dates}", is_last_period(journal))


class PeriodEndActions(_Base):
    """The journal screen's keys for the period's end: the year mark and the exports."""

    session: DiarySession
    sync: JournalSync
    user: User
    state: JournalState | None
    clock: Callable[[], dt.datetime]

    def action_year_mark(self) -> None:
        """The year mark of the student under the cursor, on the year's last period."""
        state, grid = self.state, self.query_one(JournalGrid)
        if state is None or not grid.rows:
            return
        if not state.journal.can_write:
            self.notify(_("journal.read_only"), severity="warning")
            return
        if not is_last_period(state.journal):
            self.notify(_("period_end.not_last_period"), severity="warning")
            return
        student = state.students[grid.rows[grid.cursor_row][0]]  # a period with no lessons too
        settings = state.journal.settings

        def chosen(value: int | None) -> None:
            if value is not None and self.state is state:
                self._send_year_mark(state, student.id, None if value == NO_YEAR_MARK else value)

        modal = YearMarkModal(
            student.full_name,
            state.summary(student.id).period_mark,
            student.year_mark,
            (settings.scale_min, settings.scale_max),
        )
        self.app.push_screen(modal, chosen)

    @work(group="year_mark")
    async def _send_year_mark(
        self, state: JournalState, student_id: str, value: int | None
    ) -> None:
        body = YearMarkIn(student_id=student_id, subject_id=state.subject_id, value=value)
        try:
            answer = await self.session.send(lambda api: api.set_year_mark(body))
        except ServerUnreachable:
            self.notify(_("period_end.year_offline"), severity="error", timeout=8)
            return
        except ClientError as exc:
            reason = error_message(exc.code, str(exc))
            self.notify(_("journal.refused", reason=reason), severity="error", timeout=8)
            return
        student = state.students[student_id].model_copy(update={"year_mark": answer.value})
        state.students[student_id] = student
        journal = state.journal
        journal.students[:] = [student if s.id == student_id else s for s in journal.students]
        if self.state is state:
            grid_paint.paint(self.query_one(JournalGrid), state, student_id)
        name = initials(student.full_name)
        shown = "—" if answer.value is None else str(answer.value)
        self.notify(_("period_end.year_saved", student=name, value=shown))

    def action_export_csv(self) -> None:
        """The journal shown as CSV: marks, attendance, averages, period and year marks."""
        if (state := self.state) is None:
            return
        journal = state.journal
        words = report_words()
        text = csv_text(journal_csv_rows(page_of(journal), words))
        name = journal_csv_name(journal.class_name, journal.subject.name, journal.period.name)
        dialog = ExportModal(
            self.session.exports,
            name,
            text,
            title=_("period_end.export_csv_title"),
            encoding=CSV_ENCODING,
        )
        self.app.push_screen(dialog, self._exported)

    def action_export_report(self) -> None:
        """The class's report for the period, one page per subject the teacher may open."""
        if self.state is not None:
            self._gather_report(self.state)

    @work(exclusive=True, group="export")
    async def _gather_report(self, state: JournalState) -> None:
        shown = state.journal
        pages = [page_of(shown)]
        choices = await self.sync.journals(self.user.teaching)
        others = sorted(
            (
                c
                for c in choices
                if c.class_id == shown.class_id and c.subject_id != shown.subject.id
            ),
            key=lambda c: c.subject_name,
        )
        for choice in others:
            try:
                journal = await self.sync.fetch_journal(
                    choice.class_id, choice.subject_id, shown.period.id
                )
            except ClientError:
                journal = self.sync.cached_journal(
                    choice.class_id, choice.subject_id, shown.period.id
                )
            if journal is not None:
                pages.append(page_of(journal))
        pages.sort(key=lambda p: p.journal.subject.name)
        printed = self.clock().date()
        text = journal_report(pages, report_words(), printed=printed)
        name = journal_report_name(shown.class_name, shown.period.name)
        dialog = ExportModal(
            self.session.exports, name, text, title=_("period_end.export_report_title")
        )
        self.app.push_screen(dialog, self._exported)

    def _exported(self, path: object) -> None:
        if path is not None:
            self.notify(_("period_end.exported", path=str(path)))
