"""The journal's words for a cell, a mark and a lesson.

`describe_cell` is also the journal's bottom line: who, which lesson, what
the cell holds, what is still unsent and why the server refused a write.
"""

from __future__ import annotations

import datetime as dt

from textual.content import Content

from ediary_tui.client.journal_state import (
    PENDING,
    REFUSED,
    SAVED,
    CellMark,
    CellState,
    JournalState,
    LessonView,
    StudentSummary,
)
from ediary_tui.domain.attendance import JOURNAL_LETTERS
from ediary_tui.domain.models import JournalLesson, JournalStudent
from ediary_tui.i18n import _, date_time, day_month, error_message, number


def initials(full_name: str) -> str:
    """'Афанасьева Мария Михайловна' -> 'Афанасьева М. М.': surname first, as the API gives."""
    surname, *given = full_name.split() or [""]
    return " ".join([surname, *(f"{name[0]}." for name in given if name)])


def state_word(state: str, reason: str | None) -> str:
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
        parts.append(state_word(mark.state, mark.reason))
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
        reason = error_message(view.refusals[-1].code, view.refusals[-1].reason)
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
        parts.append(Content(_("journal.average", average=number(summary.average))))
    line = Content(" · ").join(parts)
    refusals = [(r.code, r.reason) for r in cell.refusals]
    if summary.state == REFUSED and summary.reason:
        refusals.append((None, summary.reason))
    if refusals:
        reasons = "; ".join(error_message(code, r) for code, r in refusals)
        line = Content.assemble(
            Content.styled(_("journal.refused_line", reason=reasons), "bold $text-error"),
            "\n",
            line,
        )
    return line


def cell_line(state: JournalState, key: tuple[str, str]) -> Content:
    """The journal's bottom line for the cell under the cursor: the lesson's line above the
    cell's, unless a refusal is there to be said first."""
    student = state.students[key[0]]
    view = state.lesson(key[1])
    cell = state.cell(*key)
    summary = state.summary(student.id)
    line = describe_cell(student, view.lesson, cell, summary, brief=True)
    if not cell.refusals and summary.state != REFUSED:
        line = Content("\n").join([describe_lesson(view), line])
    return line
