"""What a key press in the journal writes: the outbox entry for the cell under the cursor.

`JournalWriter` turns the teacher's intent (a mark, a dot, an absence, a
clear, a period mark, a lesson's topic and homework, an undo) into the
journal sync's typed entries, each committed to the outbox before it is
returned. It says no (`Declined`, with the words to show) to what the server
would refuse anyway: a mark off the scale, a mark in a lesson not yet given.
It keeps each journal's undo stack. Painting and moving the cursor are the
screen's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ediary_tui.client.journal_state import (
    GONE,
    REFUSED,
    CellMark,
    Entry,
    JournalState,
    snapshot,
)
from ediary_tui.client.journal_sync import JournalSync
from ediary_tui.domain.models import AttendanceCode, JournalLesson, MarkIn
from ediary_tui.i18n import _, day_month
from ediary_tui.screens.journal.lesson import LessonEdit

CellKey = tuple[str, str]  # (student id, lesson id)
JournalId = tuple[str, str]  # (class id, subject id)


class Declined(Exception):
    """Not written, and why (a warning for the teacher)."""


@dataclass(frozen=True)
class UndoStep:
    """What an undo does: goes to `where`, and dismisses a refusal or writes `entry`."""

    where: CellKey | None
    dismiss: int | None = None
    entry: Entry | None = None


class JournalWriter:
    """The journal's writes for one teacher, and the undo stack of each journal."""

    def __init__(self, sync: JournalSync, today: dt.date) -> None:
        self.sync = sync
        self.today = today
        self._undo: dict[JournalId, list[int]] = {}

    # -- the undo stacks ---------------------------------------------------------------

    def _stack(self, state: JournalState) -> list[int]:
        return self._undo.setdefault((state.class_id, state.subject_id), [])

    def remember(self, state: JournalState, entry: Entry) -> None:
        self._stack(state).append(entry.id)

    def dismiss(self, state: JournalState, entry_id: int) -> CellKey | str | None:
        """A refused entry seen: gone from the outbox, the journal and the undo stack."""
        self.sync.dismiss(entry_id)
        stack = self._stack(state)
        if entry_id in stack:
            stack.remove(entry_id)
        return state.dismiss(entry_id)

    def undo(self, state: JournalState) -> UndoStep | None:
        """Take back the journal's last entry: its inverse, or a refusal dismissed."""
        stack = self._stack(state)
        while stack:
            entry_id = stack.pop()
            entry = state.entry(entry_id) or self.sync.outbox.get(entry_id)
            if entry is None:
                continue
            where = entry.command.where()
            if entry.state == REFUSED:
                return UndoStep(where, dismiss=entry.id)
            inverse = entry.command.inverse(entry.id)
            if inverse is not None:
                return UndoStep(where, entry=self.sync.add(inverse))
        return None

    # -- marks -------------------------------------------------------------------------

    def held(self, lesson: JournalLesson) -> None:
        """Marks go into lessons that have taken place (the server says the same)."""
        if lesson.date > self.today:
            raise Declined(_("journal.future_lesson", date=day_month(lesson.date)))

    def mark(self, state: JournalState, key: CellKey, value: int) -> Entry:
        settings = state.journal.settings
        if not settings.scale_min <= value <= settings.scale_max:
            raise Declined(_("journal.off_scale", low=settings.scale_min, high=settings.scale_max))
        lesson = state.lessons[key[1]]
        self.held(lesson)
        mark = MarkIn(
            student_id=key[0], lesson_id=key[1], value=value, control_form=lesson.control_form.code
        )
        return self.sync.put_mark(state.class_id, state.subject_id, mark)

    def dot(self, state: JournalState, key: CellKey, due: dt.date) -> Entry:
        lesson = state.lessons[key[1]]
        mark = MarkIn(
            student_id=key[0],
            lesson_id=key[1],
            is_dot=True,
            due=due,
            control_form=lesson.control_form.code,
        )
        return self.sync.put_mark(state.class_id, state.subject_id, mark)

    def delete(self, state: JournalState, key: CellKey, mark: CellMark) -> Entry:
        kind, _sep, ref = mark.ref.partition(":")
        return self.sync.delete_mark(
            state.class_id,
            state.subject_id,
            *key,
            mark=snapshot(mark),
            mark_id=ref if kind == "m" else None,
            create_seq=int(ref) if kind == "e" else None,
        )

    def clear(self, state: JournalState, key: CellKey) -> Entry | None:
        """The cell's last mark goes, or its absence; None when it holds neither."""
        cell = state.cell(*key)
        if cell.live_marks:
            return self.delete(state, key, cell.live_marks[-1])
        if cell.code is not None:
            return self.sync.set_attendance(state.class_id, state.subject_id, *key, None, cell.code)
        return None

    # -- attendance and period marks: None when the cell already says so ----------------

    def attendance(self, state: JournalState, key: CellKey, code: AttendanceCode) -> Entry | None:
        previous = state.cell(*key).code
        if previous == code:
            return None
        return self.sync.set_attendance(state.class_id, state.subject_id, *key, code, previous)

    def period_mark(self, state: JournalState, student_id: str, value: int | None) -> Entry | None:
        summary = state.summary(student_id)
        if summary.period_mark == value and summary.state != REFUSED:
            return None
        return self.sync.set_period_mark(
            state.class_id,
            state.subject_id,
            student_id,
            state.journal.period.id,
            value,
            summary.period_mark,
            version=state.period_mark_version(student_id),
        )

    # -- a lesson's topic and homework --------------------------------------------------

    def lesson(self, state: JournalState, lesson_id: str, edit: LessonEdit) -> list[Entry]:
        """The entries a saved lesson form makes: the topic, then each homework changed."""
        cls, subject = state.class_id, state.subject_id
        entries: list[Entry] = []
        if edit.topic is not None:
            previous = state.lesson(lesson_id).lesson.topic
            version = state.topic_version(lesson_id)
            entries.append(
                self.sync.set_topic(cls, subject, lesson_id, edit.topic, previous, version=version)
            )
        for change in edit.homework:
            kind, _sep, ref = (change.ref or "").partition(":")
            if kind == GONE and change.text is None:
                continue  # a refused revision of homework since removed, let go: nothing to send
            entries.append(
                self.sync.set_homework(
                    cls,
                    subject,
                    lesson_id,
                    text=change.text,
                    required=change.required,
                    homework_id=ref if kind == "h" else None,
                    create_seq=int(ref) if kind == "e" else None,
                    due=change.due,
                )
            )
        return entries
