"""A write refused because what it replaces changed in another session: both values, and
the teacher's choice.

Nothing is overwritten unseen and nothing typed is lost: the refused entry stays in
the outbox until the teacher chooses. Keeping theirs sends it again with the version
now on the server; taking the server's lets it go. Esc decides later (a fresh copy of
the journal, `r`, asks again).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePath
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ediary_tui.client.journal_commands import SetPeriodMark, SetTopic
from ediary_tui.client.journal_state import Entry, JournalState
from ediary_tui.client.journal_sync import JournalSync
from ediary_tui.clock import school_time
from ediary_tui.domain.models import PersonRef
from ediary_tui.i18n import _, day_month
from ediary_tui.screens.journal.describe import initials
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window
from ediary_tui.widgets.keys import key

MINE, THEIRS = "mine", "theirs"  # what the teacher chose: send theirs again, or let it go


@dataclass(frozen=True)
class ConflictView:
    """What the dialog says: the place, the value typed here and the one on the server."""

    entry_id: int
    title: str
    yours: str
    theirs: str
    who: str  # who set the server's value and when, as far as the journal knows


def _when(at: dt.datetime | None, tz: dt.tzinfo | None) -> str:
    return school_time(at, tz).strftime("%H:%M") if at is not None else ""


def _by(person: PersonRef | None, at: dt.datetime | None, tz: dt.tzinfo | None) -> str:
    if person is None and at is None:
        return ""
    if person is None:
        return _("journal_live.changed_at", time=_when(at, tz))
    return _("journal_live.set_by", who=initials(person.full_name), time=_when(at, tz))


def conflict_view(state: JournalState, entry: Entry, tz: dt.tzinfo | None) -> ConflictView | None:
    """The dialog's words for a refused versioned entry, from the journal as now fetched."""
    command = entry.command
    if isinstance(command, SetPeriodMark):
        student = state.students.get(command.student_id)
        if student is None:
            return None
        return ConflictView(
            entry.id,
            _("journal_live.period_title", student=initials(student.full_name)),
            _mark(command.value),
            _mark(student.period_mark),
            _by(student.period_mark_set_by, student.period_mark_set_at, tz),
        )
    if isinstance(command, SetTopic):
        lesson = state.lessons.get(command.lesson_id)
        if lesson is None:
            return None
        return ConflictView(
            entry.id,
            _("journal_live.topic_title", date=day_month(lesson.date), number=lesson.number),
            _topic(command.topic),
            _topic(lesson.topic),
            # Lessons keep no editor; the server's refusal names them.
            _by(None, lesson.updated_at, tz) + (f" — {entry.reason}" if entry.reason else ""),
        )
    return None


def _mark(value: int | None) -> str:
    return "—" if value is None else str(value)


def _topic(topic: str | None) -> str:
    return f"«{topic}»" if topic else "—"


class ConflictModal(Window[str | None]):
    """Both values of a place changed elsewhere: keep yours (m) or take the server's (s)."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "journal.tcss"]
    DEFAULT_CSS = (
        "ConflictModal #dialog { width: 64; } ConflictModal #conflict-prompt { margin-top: 1; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        key("m", "choose('mine')", "journal_live.keep_mine"),
        key("s", "choose('theirs')", "journal_live.take_theirs"),
        Binding("escape", "later", "journal_live.later"),
    ]

    def __init__(self, view: ConflictView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        view = self.view
        with Vertical(id="dialog") as dialog:
            dialog.border_title = view.title
            yield Static(Content(_("journal_live.explain")), id="conflict-explain")
            yield Static(Content(_("journal_live.yours", value=view.yours)), id="conflict-yours")
            theirs = _("journal_live.theirs", value=view.theirs)
            yield Static(
                Content(theirs + (f" · {view.who}" if view.who else "")), id="conflict-theirs"
            )
            yield Static(Content(_("journal_live.prompt")), id="conflict-prompt")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)

    def action_later(self) -> None:
        self.dismiss(None)


def send_again(sync: JournalSync, state: JournalState, entry: Entry) -> Entry | None:
    """Keep theirs: the refused write once more, over the version now on the server."""
    command = entry.command
    if isinstance(command, SetPeriodMark) and command.student_id in state.students:
        return sync.set_period_mark(
            state.class_id,
            state.subject_id,
            command.student_id,
            command.period_id,
            command.value,
            state.students[command.student_id].period_mark,
            version=state.period_mark_version(command.student_id),
        )
    if isinstance(command, SetTopic) and command.lesson_id in state.lessons:
        return sync.set_topic(
            state.class_id,
            state.subject_id,
            command.lesson_id,
            command.topic,
            state.lessons[command.lesson_id].topic,
            version=state.topic_version(command.lesson_id),
        )
    return None
