"""The journal's small windows: a cell's details, a dot's due date, a period mark,
another class.

`describe_cell` is also the journal's bottom line: who, which lesson, what
the cell holds, what is still unsent and why the server refused a write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client.errors import ClientError
from ediary_tui.client.journal_state import (
    SAVED,
    CellMark,
    CellState,
    LessonView,
    StudentSummary,
)
from ediary_tui.client.journal_sync import JournalChoice
from ediary_tui.client.outbox import PENDING, REFUSED
from ediary_tui.domain.attendance import JOURNAL_LETTERS
from ediary_tui.domain.models import JournalLesson, JournalStudent, MarkChange
from ediary_tui.i18n import (
    _,
    current_language,
    date_time,
    day_month,
    error_message,
    long_date,
    parse_date,
)
from ediary_tui.widgets.journal_grid import cell_content
from ediary_tui.widgets.keys import LocalisedKeys, key

if TYPE_CHECKING:
    from ediary_tui.client.journal_sync import JournalSync


def initials(full_name: str) -> str:
    """'Афанасьева Мария Михайловна' -> 'Афанасьева М. М.': surname first, as the API gives."""
    surname, *given = full_name.split() or [""]
    return " ".join([surname, *(f"{name[0]}." for name in given if name)])


def _state_word(state: str, reason: str | None) -> str:
    if state == PENDING:
        return _("journal.state_unsent")
    if state == REFUSED:
        return _("journal.state_refused", reason=reason or "")
    return ""


def describe_mark(
    mark: CellMark,
    *,
    brief: bool = False,
    form: str | None = None,
    tz: dt.tzinfo | None = None,
) -> str:
    """'mark 5, Работа на уроке, weight 1, given 25 November, 18:05' and its state.

    The control form is left out when it is `form`, the lesson's (said already).
    """
    if mark.is_dot or mark.value is None:
        head = _("mark.dot_due", date=day_month(mark.due)) if mark.due else _("mark.dot")
    else:
        head = _("mark.value", value=mark.value)
    parts = [head]
    if mark.control_form.code != form:
        parts.append(_("mark.form", form=mark.control_form.name, weight=mark.control_form.weight))
    if mark.mark is not None and not brief:
        parts.append(mark.mark.teacher.full_name)
        parts.append(_("mark.given", when=date_time(mark.mark.created_at.astimezone(tz))))
        if mark.mark.updated_at != mark.mark.created_at:
            parts.append(_("mark.changed", when=date_time(mark.mark.updated_at.astimezone(tz))))
    if mark.comment:
        parts.append(_("mark.comment", text=mark.comment))
    if mark.state != SAVED:
        parts.append(_state_word(mark.state, mark.reason))
    return ", ".join(parts)


def describe_lesson(view: LessonView) -> Content:
    """The lesson under the cursor: date, number, control form, topic, homework, edit state."""
    lesson = view.lesson
    parts: list[Content] = [
        Content.styled(
            _("journal.lesson", date=day_month(lesson.date), number=lesson.number), "bold"
        ),
    ]
    if lesson.topic:
        parts.append(Content(_("journal.lesson_line_topic", topic=lesson.topic)))
    else:
        parts.append(Content.styled(_("journal.lesson_line_no_topic"), "$text-muted"))
    for item in view.homework:
        if item.state != REFUSED:
            text = " ".join(item.text.split())
            parts.append(Content(_("journal.lesson_line_homework", text=text)))
    form = lesson.control_form
    parts.append(Content(_("mark.form", form=form.name, weight=form.weight)))
    if view.refusals:
        reason = error_message(None, view.refusals[-1].reason)
        return Content.styled(_("journal.lesson_refused", reason=reason), "bold $text-error")
    if view.pending:
        parts.append(Content.styled(_("journal.lesson_line_unsent"), "$text-warning"))
    return Content(" · ").join(parts)


def describe_cell(
    student: JournalStudent,
    lesson: JournalLesson,
    cell: CellState,
    summary: StudentSummary,
    *,
    brief: bool = False,
) -> Content:
    """One line about the cell under the cursor; refusals in the error colour."""
    parts: list[Content] = [Content.styled(student.full_name, "bold")]
    if not brief:  # the journal's bottom line says the lesson on the line above
        parts.append(
            Content(_("journal.lesson", date=day_month(lesson.date), number=lesson.number))
        )
        parts.append(
            Content(
                _("mark.form", form=lesson.control_form.name, weight=lesson.control_form.weight)
            )
        )
    att = cell.attendance
    if att is not None and att.code is not None and att.state != REFUSED:
        text = f"{JOURNAL_LETTERS[att.code]} — {_(f'attendance.{att.code.value}')}"
        if att.state == PENDING:
            text = f"{text} ({_('journal.state_unsent')})"
        parts.append(Content(text))
    for mark in cell.marks:
        if mark.state != REFUSED:
            parts.append(Content(describe_mark(mark, brief=brief, form=lesson.control_form.code)))
    shown = any(m.state == PENDING for m in cell.marks) or (
        att is not None and att.state == PENDING
    )
    if cell.pending and not shown:  # a deletion or a cleared absence
        parts.append(Content(_("journal.change_unsent")))
    if summary.average is not None:
        parts.append(Content(_("journal.average", average=f"{summary.average:.2f}")))
    line = Content(" · ").join(parts)
    refusals = [r.reason for r in cell.refusals]
    if summary.state == REFUSED and summary.reason:
        refusals.append(summary.reason)
    if refusals:
        reasons = "; ".join(error_message(None, r) for r in refusals)
        line = Content.assemble(
            Content.styled(_("journal.refused_line", reason=reasons), "bold $text-error"),
            "\n",
            line,
        )
    return line


def _change_text(change: MarkChange, tz: dt.tzinfo | None) -> str:
    if change.action == "created":
        what = _("journal.history_created", to=change.to or "")
    elif change.action == "deleted":
        what = _("journal.history_deleted", was=change.from_ or "")
    else:
        what = _("journal.history_changed", was=change.from_ or "", to=change.to or "")
    return f"{date_time(change.at.astimezone(tz))} · {change.by.full_name}: {what}"


class CellDetails(LocalisedKeys, ModalScreen[None]):
    """Everything about one cell: the lesson, the attendance, each mark and its history."""

    CSS_PATH = "journal.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape,q", "dismiss", "journal.key_close"),
    ]

    def __init__(
        self,
        sync: JournalSync,
        student: JournalStudent,
        lesson: JournalLesson,
        cell: CellState,
        summary: StudentSummary,
        scale: tuple[int, int],
        tz: dt.tzinfo | None = None,
    ) -> None:
        """`tz`: the zone to tell times in (the app's clock's); the computer's if None."""
        super().__init__()
        self.tz = tz
        self.sync = sync
        self.student = student
        self.lesson = lesson
        self.cell = cell
        self.summary = summary
        self.scale = scale

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
                    text = f"{text} ({_state_word(att.state, att.reason)})"
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


def _date_text(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}" if current_language() == "ru" else day.isoformat()


class DueDateModal(LocalisedKeys, ModalScreen[dt.date | None]):
    """A dot's due date: a week after the lesson unless changed; Enter accepts."""

    CSS_PATH = "journal.tcss"
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


@dataclass(frozen=True)
class PeriodMarkChoice:
    """What the teacher chose as a period mark: a value, or None to clear it."""

    value: int | None


class PeriodMarkModal(LocalisedKeys, ModalScreen[PeriodMarkChoice | None]):
    """A period mark other than the proposed one: one key on the scale, ⌫ clears it."""

    CSS_PATH = "journal.tcss"
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
            average = "—" if summary.average is None else f"{summary.average:.2f}"
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


class JournalPicker(LocalisedKeys, ModalScreen[JournalChoice | None]):
    """The journals the user may open, their own first; typing filters, Enter opens one."""

    CSS_PATH = "journal.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "keys.cancel")]
    FILTER_FROM = 12  # fewer choices than this need no filter

    def __init__(self, choices: list[JournalChoice], current: tuple[str, str] | None) -> None:
        super().__init__()
        self.choices = choices
        self.current = current
        self.shown = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("journal.pick_title")
            if len(self.choices) >= self.FILTER_FROM:
                yield Input(placeholder=_("journal.pick_filter"), id="filter")
            yield OptionList(*self._options(self.choices), id="journals")

    @staticmethod
    def _options(choices: list[JournalChoice]) -> list[Option]:
        return [
            Option(
                Content(f"{c.class_name} · {c.subject_name}")
                if c.can_write
                else Content.assemble(
                    f"{c.class_name} · {c.subject_name} ",
                    (_("journal.pick_read_only"), "$text-muted"),
                ),
                id=f"{c.class_id}:{c.subject_id}",
            )
            for c in choices
        ]

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [(c.class_id, c.subject_id) for c in self.choices]
        if self.current in keys:
            options.highlighted = keys.index(self.current)
        if self.query("#filter"):
            self.query_one("#filter").focus()
        else:
            options.focus()

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        words = event.value.casefold().split()
        self.shown = [
            c
            for c in self.choices
            if all(w in f"{c.class_name} {c.subject_name}".casefold() for w in words)
        ]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(self.shown))
        if self.shown:
            options.highlighted = 0

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and self.shown:
            self.dismiss(self.shown[options.highlighted])

    def on_key(self, event: events.Key) -> None:
        """Up and down move in the list while the filter keeps the typing."""
        if event.key in ("up", "down") and self.query("#filter"):
            options = self.query_one(OptionList)
            if event.key == "up":
                options.action_cursor_up()
            else:
                options.action_cursor_down()
            event.stop()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
