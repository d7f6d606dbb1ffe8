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
from typing import Any

from ediary_tui.client.journal_commands import PatchMark, SetLessonForm
from ediary_tui.client.journal_state import (
    GONE,
    REFUSED,
    SAVED,
    CellMark,
    Entry,
    JournalState,
    snapshot,
)
from ediary_tui.client.journal_sync import JournalSync
from ediary_tui.domain.attendance import counts_as_absence
from ediary_tui.domain.models import AttendanceCode, JournalLesson, MarkIn
from ediary_tui.i18n import _, day_month
from ediary_tui.screens.journal.details import CellEdit
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
        self._agreed: set[CellKey] = set()  # absent students' cells the teacher said yes to

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

    def check_mark(self, state: JournalState, key: CellKey, value: int) -> None:
        """Declined: a value off the scale, a lesson to come, an absent student where the
        school refuses marks for a lesson missed (the server says the same)."""
        settings = state.journal.settings
        if not settings.scale_min <= value <= settings.scale_max:
            raise Declined(_("journal.off_scale", low=settings.scale_min, high=settings.scale_max))
        self.held(state.lessons[key[1]])
        if settings.mark_on_absent == "refuse" and counts_as_absence(state.cell(*key).code):
            raise Declined(_("cell_editor.absent_refused"))

    def must_ask(self, state: JournalState, key: CellKey) -> bool:
        """Whether a mark here needs the teacher's yes first: the student is marked absent,
        the school says ask, and the teacher has not said yes for this cell yet."""
        return (
            state.journal.settings.mark_on_absent == "ask"
            and counts_as_absence(state.cell(*key).code)
            and key not in self._agreed
        )

    def agreed(self, key: CellKey) -> None:
        """The teacher said yes to marks on this absent student's cell: asked once."""
        self._agreed.add(key)

    def mark(
        self,
        state: JournalState,
        key: CellKey,
        value: int,
        *,
        control_form: str | None = None,
        comment: str | None = None,
        fill: bool = True,
    ) -> Entry:
        """A mark; typed on a dot, it fills the dot (the dot is not kept beside it) unless
        `fill` is False (the dot is being filled by another entry of the same edit)."""
        self.check_mark(state, key, value)
        dots = [m for m in state.cell(*key).live_marks if m.is_dot] if fill else []
        dot = dots[0] if dots else None
        if dot is not None:
            patch: dict[str, Any] = {"value": value}
            if control_form is not None and control_form != dot.control_form.code:
                patch["control_form"] = control_form
            if comment:
                patch["comment"] = comment
            return self.change(state, key, dot, patch)
        form = control_form or state.lesson(key[1]).lesson.control_form.code
        mark = MarkIn(
            student_id=key[0],
            lesson_id=key[1],
            value=value,
            control_form=form,
            comment=comment or None,
        )
        return self.sync.put_mark(state.class_id, state.subject_id, mark)

    def change(
        self, state: JournalState, key: CellKey, mark: CellMark, patch: dict[str, Any]
    ) -> Entry:
        """Change a mark's value, form or comment; a value replacing a saved one carries the
        version it replaces."""
        kind, _sep, ref = mark.ref.partition(":")
        saved = mark.mark if mark.state == SAVED else None
        expected = saved.updated_at if saved is not None and "value" in patch else None
        return self.sync.add(
            PatchMark(
                class_id=state.class_id,
                subject_id=state.subject_id,
                student_id=key[0],
                lesson_id=key[1],
                mark_id=ref if kind == "m" else None,
                create_seq=int(ref) if kind == "e" else None,
                patch=patch,
                previous=snapshot(mark),
                expected_updated_at=expected,
            )
        )

    def lesson_form(self, state: JournalState, lesson_id: str, code: str) -> Entry | None:
        """The lesson's control form (the default of its marks to come); None: it is already.
        It carries the lesson's version unless an unsent edit of the lesson is before it."""
        shown = state.lesson(lesson_id).lesson
        if shown.control_form.code == code:
            return None
        return self.sync.add(
            SetLessonForm(
                class_id=state.class_id,
                subject_id=state.subject_id,
                lesson_id=lesson_id,
                control_form=code,
                previous=shown.control_form.code,
                versioned=not state.lesson_entries.get(lesson_id),
                expected_updated_at=state.lessons[lesson_id].updated_at,
            )
        )

    def cell(self, state: JournalState, key: CellKey, edit: CellEdit) -> list[Entry]:
        """The entries a saved cell editor makes: the lesson's form, each mark changed, the
        new mark (or the dot it fills). Checked before anything is written."""
        if edit.new is not None:
            self.check_mark(state, key, edit.new.value)
        for change in edit.marks:
            if "value" in change.patch:
                self.check_mark(state, key, change.patch["value"])
        entries: list[Entry] = []
        if edit.lesson_form is not None:
            entry = self.lesson_form(state, key[1], edit.lesson_form)
            if entry is not None:
                entries.append(entry)
        marks = {m.ref: m for m in state.cell(*key).marks}
        filled = False
        for change in edit.marks:
            if change.ref in marks and change.patch:
                mark = marks[change.ref]
                filled |= mark.is_dot and "value" in change.patch
                entries.append(self.change(state, key, mark, dict(change.patch)))
        if edit.new is not None:
            new = edit.new
            entries.append(
                self.mark(
                    state,
                    key,
                    new.value,
                    control_form=new.control_form,
                    comment=new.comment,
                    fill=not filled,
                )
            )
        return entries

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
