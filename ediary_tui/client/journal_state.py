"""The journal as the teacher sees it: the server's copy with the unsent writes laid over it.

The screen never waits for the server, so what a cell shows is the server's
last answer for it (the base) changed by the outbox entries that touch it,
oldest first: a typed mark is there at once, marked unsent; a deleted one is
gone at once; a write the server refused stays visible, marked refused, with
its reason, until the teacher dismisses it. When the server acknowledges an
entry its answer joins the base and the entry leaves the overlay, so the cell
reads the same, only no longer unsent.

Averages and the proposed period mark are worked out here from what the cells
show, with the domain's arithmetic and the school's threshold, so they move
with every key press, as the server's will once the marks arrive.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from ediary_tui.domain.marks import Scored, proposed_mark, round_average, weighted_average
from ediary_tui.domain.models import (
    AttendanceCode,
    ControlForm,
    Homework,
    Journal,
    JournalLesson,
    JournalStudent,
    Mark,
)

from .journal_sync import (
    KIND_ATTENDANCE,
    KIND_DELETE_MARK,
    KIND_HOMEWORK,
    KIND_MARK,
    KIND_PERIOD_MARK,
    KIND_TOPIC,
    LESSON_KINDS,
    Outcome,
)
from .outbox import PENDING, REFUSED, Entry

SAVED = "saved"
CellKey = tuple[str, str]  # (student id, lesson id)


@dataclass(frozen=True, slots=True)
class CellMark:
    """A mark in a cell: saved on the server (`ref` "m:<id>") or typed here ("e:<entry>")."""

    ref: str
    value: int | None
    is_dot: bool
    due: dt.date | None
    control_form: ControlForm
    comment: str | None = None
    mark: Mark | None = None
    state: str = SAVED
    reason: str | None = None
    entry_id: int | None = None

    def as_payload(self) -> dict[str, Any]:
        """What it takes to put this mark again (undoing its deletion)."""
        return {
            "value": self.value,
            "is_dot": self.is_dot,
            "due": self.due.isoformat() if self.due else None,
            "control_form": self.control_form.code,
            "comment": self.comment,
        }


@dataclass(frozen=True, slots=True)
class CellAttendance:
    code: AttendanceCode | None
    state: str = SAVED
    reason: str | None = None
    entry_id: int | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    """A write of the cell (or student) the server refused: what it was, and why."""

    entry_id: int
    kind: str
    reason: str


@dataclass(frozen=True)
class CellState:
    student_id: str
    lesson_id: str
    marks: tuple[CellMark, ...] = ()
    attendance: CellAttendance | None = None
    pending: bool = False
    refusals: tuple[Refusal, ...] = ()
    base_code: AttendanceCode | None = None  # the attendance code on the server

    @property
    def code(self) -> AttendanceCode | None:
        """The attendance code as it will be: a pending one counts, a refused one does not."""
        att = self.attendance
        if att is not None and att.state == PENDING:
            return att.code
        return self.base_code

    @property
    def live_marks(self) -> tuple[CellMark, ...]:
        """The marks that are (or will be) on the server: not the refused ones."""
        return tuple(m for m in self.marks if m.state != REFUSED)


@dataclass(frozen=True)
class StudentSummary:
    average: float | None
    proposed: int | None
    period_mark: int | None
    state: str = SAVED
    reason: str | None = None
    entry_id: int | None = None


GONE = "n"  # a HomeworkItem's ref "n:<entry>": a revision of homework since removed; new


@dataclass(frozen=True, slots=True)
class HomeworkItem:
    """Homework of a lesson: saved (`ref` "h:<id>") or set here and not yet saved ("e:<entry>")."""

    ref: str
    text: str
    required: bool
    state: str = SAVED
    reason: str | None = None
    entry_id: int | None = None


@dataclass(frozen=True)
class LessonView:
    """A lesson's topic and homework as they will be, with what is unsent or refused."""

    lesson: JournalLesson
    topic_state: str = SAVED
    homework: tuple[HomeworkItem, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    refused_topic: str | None = None  # what a refused topic edit said, to be typed in again

    @property
    def pending(self) -> bool:
        return self.topic_state == PENDING or any(h.state == PENDING for h in self.homework)


def _cell_mark(m: Mark) -> CellMark:
    return CellMark(
        ref=f"m:{m.id}",
        value=m.value,
        is_dot=m.is_dot,
        due=m.due,
        control_form=m.control_form,
        comment=m.comment,
        mark=m,
    )


class JournalState:
    """One journal (class, subject, period) with the outbox entries that touch it."""

    def __init__(
        self,
        journal: Journal,
        entries: Iterable[Entry] = (),
        *,
        created_mark_id: Callable[[int], str | None] | None = None,
    ) -> None:
        self._created_mark_id = created_mark_id or (lambda seq: None)
        self._entries: dict[int, Entry] = {}
        self._cell_entries: dict[CellKey, list[int]] = defaultdict(list)
        self._student_entries: dict[str, list[int]] = defaultdict(list)
        self._lesson_entries: dict[str, list[int]] = defaultdict(list)
        self._created: dict[int, str] = {}
        self.replace(journal)
        for entry in entries:
            self.add(entry)

    # --- the server's copy ------------------------------------------------------------

    def replace(self, journal: Journal) -> None:
        """A fresh journal from the server; the unsent entries stay laid over it."""
        self.journal = journal
        self.students: dict[str, JournalStudent] = {s.id: s for s in journal.students}
        self.lessons: dict[str, JournalLesson] = {le.id: le for le in journal.lessons}
        self.forms: dict[str, ControlForm] = {f.code: f for f in journal.settings.control_forms}
        self._marks: dict[CellKey, list[Mark]] = defaultdict(list)
        self._attendance: dict[CellKey, AttendanceCode] = {}
        for cell in journal.cells:
            key = (cell.student_id, cell.lesson_id)
            if cell.marks:
                self._marks[key] = list(cell.marks)
            if cell.attendance is not None:
                self._attendance[key] = cell.attendance
        self._period_marks: dict[str, int | None] = {s.id: s.period_mark for s in journal.students}

    @property
    def class_id(self) -> str:
        return self.journal.class_id

    @property
    def subject_id(self) -> str:
        return self.journal.subject.id

    # --- entries ----------------------------------------------------------------------

    def owns(self, entry: Entry) -> bool:
        """Whether the entry writes into this journal (this class, subject and period)."""
        p = entry.payload
        if p.get("class_id") != self.class_id or p.get("subject_id") != self.subject_id:
            return False
        if entry.kind == KIND_PERIOD_MARK:
            return p.get("period_id") == self.journal.period.id and p["student_id"] in self.students
        if entry.kind in LESSON_KINDS:
            return p.get("lesson_id") in self.lessons
        where = _cell_of(entry)
        return where is not None and where[0] in self.students and where[1] in self.lessons

    def add(self, entry: Entry) -> CellKey | str | None:
        """Lay a new (or reloaded) entry over the journal; what it touches, or None."""
        if not self.owns(entry) or entry.id in self._entries:
            return None
        self._entries[entry.id] = entry
        if entry.kind == KIND_PERIOD_MARK:
            student = str(entry.payload["student_id"])
            self._student_entries[student].append(entry.id)
            return student
        if entry.kind in LESSON_KINDS:
            self._lesson_entries[str(entry.payload["lesson_id"])].append(entry.id)
            return None
        where = _cell_of(entry)
        assert where is not None
        self._cell_entries[where].append(entry.id)
        return where

    def settle(self, outcome: Outcome) -> CellKey | str | None:
        """The server's answer to an entry: refused stays shown, acknowledged joins the base."""
        entry = outcome.entry
        if entry.id not in self._entries:
            return None
        if outcome.refused:
            self._entries[entry.id] = entry
            return self._touched(entry)
        result = outcome.result or {}
        touched = self._touched(entry)
        self._drop(entry)
        p = entry.payload
        if entry.kind == KIND_MARK:
            mark = Mark.model_validate(result)
            self._created[entry.id] = mark.id
            key = (mark.student_id, mark.lesson_id)
            if all(m.id != mark.id for m in self._marks[key]):
                self._marks[key].append(mark)
        elif entry.kind == KIND_DELETE_MARK:
            mark_id = result.get("mark_id")
            key = (p["student_id"], p["lesson_id"])
            self._marks[key] = [m for m in self._marks[key] if m.id != mark_id]
        elif entry.kind == KIND_ATTENDANCE:
            key = (p["student_id"], p["lesson_id"])
            code = result.get("code")
            if code:
                self._attendance[key] = AttendanceCode(code)
            else:
                self._attendance.pop(key, None)
        elif entry.kind == KIND_PERIOD_MARK:
            self._period_marks[p["student_id"]] = result.get("value")
        elif entry.kind == KIND_TOPIC:
            lesson = self.lessons[p["lesson_id"]]
            self.lessons[lesson.id] = lesson.model_copy(update={"topic": result.get("topic")})
        elif entry.kind == KIND_HOMEWORK:
            self._settle_homework(entry, result)
        return touched

    def _settle_homework(self, entry: Entry, result: dict[str, Any]) -> None:
        lesson = self.lessons[entry.payload["lesson_id"]]
        if "deleted" in result:
            kept = [h for h in lesson.homework if h.id != result["deleted"]]
        else:
            hw = Homework.model_validate(result)
            self._created[entry.id] = hw.id
            kept = [h for h in lesson.homework if h.id != hw.id] + [hw]
            kept.sort(key=lambda h: h.created_at)
        self.lessons[lesson.id] = lesson.model_copy(update={"homework": kept})

    def dismiss(self, entry_id: int) -> CellKey | str | None:
        """Forget a refused entry (the teacher has seen it)."""
        entry = self._entries.get(entry_id)
        if entry is None:
            return None
        touched = self._touched(entry)
        self._drop(entry)
        return touched

    def entry(self, entry_id: int) -> Entry | None:
        return self._entries.get(entry_id)

    def _touched(self, entry: Entry) -> CellKey | str | None:
        if entry.kind == KIND_PERIOD_MARK:
            return str(entry.payload["student_id"])
        return _cell_of(entry)

    def _drop(self, entry: Entry) -> None:
        self._entries.pop(entry.id, None)
        if entry.kind in LESSON_KINDS:
            self._lesson_entries[str(entry.payload["lesson_id"])].remove(entry.id)
            return
        touched = self._touched(entry)
        if isinstance(touched, str):
            self._student_entries[touched].remove(entry.id)
        elif touched is not None:
            self._cell_entries[touched].remove(entry.id)

    @property
    def pending_count(self) -> int:
        return sum(1 for e in self._entries.values() if e.state == PENDING)

    def refused_entries(self) -> list[Entry]:
        return [e for e in self._entries.values() if e.state == REFUSED]

    # --- what a cell shows ------------------------------------------------------------

    def _target(self, payload: dict[str, Any]) -> str | None:
        if payload.get("mark_id"):
            return f"m:{payload['mark_id']}"
        seq = payload.get("create_seq")
        if seq is None:
            return None
        created = self._created.get(int(seq)) or self._created_mark_id(int(seq))
        return f"m:{created}" if created else f"e:{seq}"

    def cell(self, student_id: str, lesson_id: str) -> CellState:
        key = (student_id, lesson_id)
        lesson = self.lessons.get(lesson_id)
        marks = [_cell_mark(m) for m in self._marks.get(key, ())]
        base_code = self._attendance.get(key)
        attendance = CellAttendance(base_code) if base_code else None
        pending = False
        refusals: list[Refusal] = []
        for entry_id in self._cell_entries.get(key, ()):
            entry = self._entries[entry_id]
            p = entry.payload
            state = entry.state
            pending |= state == PENDING
            if state == REFUSED:
                refusals.append(Refusal(entry.id, entry.kind, entry.reason or ""))
            if entry.kind == KIND_MARK:
                m = p["mark"]
                form = self.forms.get(m.get("control_form") or "") or (
                    lesson.control_form if lesson else None
                )
                if form is None:
                    continue
                due = m.get("due")
                marks.append(
                    CellMark(
                        ref=f"e:{entry.id}",
                        value=m.get("value"),
                        is_dot=bool(m.get("is_dot")),
                        due=dt.date.fromisoformat(due) if due else None,
                        control_form=form,
                        comment=m.get("comment"),
                        state=state,
                        reason=entry.reason,
                        entry_id=entry.id,
                    )
                )
            elif entry.kind == KIND_DELETE_MARK:
                target = self._target(p)
                if state == PENDING:
                    marks = [m for m in marks if m.ref != target]
                else:
                    marks = [
                        replace(m, state=REFUSED, reason=entry.reason, entry_id=entry.id)
                        if m.ref == target
                        else m
                        for m in marks
                    ]
            elif entry.kind == KIND_ATTENDANCE:
                code = AttendanceCode(p["code"]) if p.get("code") else None
                if state == PENDING:
                    attendance = CellAttendance(code, PENDING, entry_id=entry.id)
                else:
                    attendance = CellAttendance(code, REFUSED, entry.reason, entry.id)
        return CellState(
            student_id,
            lesson_id,
            tuple(marks),
            attendance,
            pending,
            tuple(refusals),
            base_code,
        )

    def lesson(self, lesson_id: str) -> LessonView:
        """The lesson's topic and homework with the unsent edits laid over the server's."""
        lesson = self.lessons[lesson_id]
        topic, topic_state, refused_topic = lesson.topic, SAVED, None
        items = [HomeworkItem(f"h:{h.id}", h.text, h.required) for h in lesson.homework]
        refusals: list[Refusal] = []
        for entry_id in self._lesson_entries.get(lesson_id, ()):
            entry = self._entries[entry_id]
            p, state = entry.payload, entry.state
            if state == REFUSED:
                refusals.append(Refusal(entry.id, entry.kind, entry.reason or ""))
            if entry.kind == KIND_TOPIC:
                if state == PENDING:
                    topic, topic_state = p.get("topic") or None, PENDING
                else:
                    topic_state, refused_topic = REFUSED, p.get("topic")
                continue
            target = self._homework_target(p)
            if target is None:  # new homework
                items.append(
                    HomeworkItem(
                        f"e:{entry.id}",
                        p.get("text") or "",
                        bool(p.get("required", True)),
                        state,
                        entry.reason,
                        entry.id,
                    )
                )
            elif state == PENDING and p.get("text") is None:
                items = [h for h in items if h.ref != target]
            elif state == PENDING:
                items = [
                    replace(
                        h,
                        text=p["text"],
                        required=bool(p.get("required", True)),
                        state=PENDING,
                        entry_id=entry.id,
                    )
                    if h.ref == target
                    else h
                    for h in items
                ]
            elif p.get("text") is not None and not any(h.ref == target for h in items):
                # Refused because the homework is gone (removed elsewhere): what was typed
                # comes back as new homework, to be saved again or let go.
                items.append(
                    HomeworkItem(
                        f"{GONE}:{entry.id}",
                        p["text"],
                        bool(p.get("required", True)),
                        REFUSED,
                        entry.reason,
                        entry.id,
                    )
                )
            else:  # refused: what was typed is kept, to be typed in again
                items = [
                    replace(
                        h,
                        text=p.get("text") or h.text,
                        required=bool(p.get("required", h.required)),
                        state=REFUSED,
                        reason=entry.reason,
                        entry_id=entry.id,
                    )
                    if h.ref == target
                    else h
                    for h in items
                ]
        shown = lesson.model_copy(update={"topic": topic}) if topic != lesson.topic else lesson
        return LessonView(shown, topic_state, tuple(items), tuple(refusals), refused_topic)

    def _homework_target(self, payload: dict[str, Any]) -> str | None:
        if payload.get("homework_id"):
            return f"h:{payload['homework_id']}"
        seq = payload.get("create_seq")
        if seq is None:
            return None
        created = self._created.get(int(seq)) or self._created_mark_id(int(seq))
        return f"h:{created}" if created else f"e:{seq}"

    def lesson_refusals(self) -> list[Refusal]:
        """Refused topic and homework edits of every lesson, oldest first."""
        return sorted(
            (
                Refusal(e.id, e.kind, e.reason or "")
                for ids in self._lesson_entries.values()
                for seq in ids
                if (e := self._entries[seq]).state == REFUSED
            ),
            key=lambda r: r.entry_id,
        )

    def filled_cells(self) -> list[CellKey]:
        """The cells with anything in them (marks, attendance, entries), in no order."""
        keys = set(self._marks) | set(self._attendance) | set(self._cell_entries)
        return [k for k in keys if k[0] in self.students and k[1] in self.lessons]

    def summary(self, student_id: str) -> StudentSummary:
        """The weighted average and the proposed period mark from what the cells show."""
        settings = self.journal.settings
        scored = [
            Scored(m.value, m.control_form.weight, m.control_form.category, m.is_dot)
            for lesson_id in self.lessons
            if (student_id, lesson_id) in self._marks
            or (student_id, lesson_id) in self._cell_entries
            for m in self.cell(student_id, lesson_id).live_marks
        ]
        average = weighted_average(scored)
        proposed = proposed_mark(
            average, settings.round_threshold, settings.scale_min, settings.scale_max
        )
        value = self._period_marks.get(student_id)
        state, reason, entry_id = SAVED, None, None
        for seq in self._student_entries.get(student_id, ()):
            entry = self._entries[seq]
            if entry.state == PENDING:
                value, state, reason, entry_id = entry.payload.get("value"), PENDING, None, seq
            else:
                state, reason, entry_id = REFUSED, entry.reason, seq
        return StudentSummary(round_average(average), proposed, value, state, reason, entry_id)

    def student_refusals(self, student_id: str) -> list[Refusal]:
        return [
            Refusal(e.id, e.kind, e.reason or "")
            for seq in self._student_entries.get(student_id, ())
            if (e := self._entries[seq]).state == REFUSED
        ]


def _cell_of(entry: Entry) -> CellKey | None:
    p = entry.payload
    if entry.kind == KIND_MARK:
        m = p.get("mark") or {}
        if "student_id" in m and "lesson_id" in m:
            return (str(m["student_id"]), str(m["lesson_id"]))
        return None
    if entry.kind in (KIND_DELETE_MARK, KIND_ATTENDANCE):
        return (str(p["student_id"]), str(p["lesson_id"]))
    return None
