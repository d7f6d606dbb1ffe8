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

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ediary_tui.domain.marks import Scored, proposed_mark, round_average, weighted_average
from ediary_tui.domain.models import (
    AttendanceCode,
    Change,
    ControlForm,
    Journal,
    JournalLesson,
    JournalStudent,
    Mark,
)

from .journal_cells import (
    GONE,
    SAVED,
    CellAttendance,
    CellDraft,
    CellMark,
    HomeworkItem,
    LessonDraft,
    Stamp,
)
from .journal_commands import MarkWas, Version
from .journal_sync import Outcome, conflict_code
from .outbox import PENDING, REFUSED, Entry

__all__ = [  # what the journal's screens read (the outbox's states and entries among them)
    "GONE",
    "PENDING",
    "REFUSED",
    "SAVED",
    "CellAttendance",
    "CellMark",
    "CellState",
    "Entry",
    "HomeworkItem",
    "JournalState",
    "LessonView",
    "Refusal",
    "StudentSummary",
    "snapshot",
]

CellKey = tuple[str, str]  # (student id, lesson id)


def snapshot(mark: CellMark) -> MarkWas:
    """What it takes to put this mark again (undoing its deletion)."""
    return MarkWas(
        value=mark.value,
        is_dot=mark.is_dot,
        due=mark.due,
        control_form=mark.control_form.code,
        comment=mark.comment,
    )


@dataclass(frozen=True, slots=True)
class Refusal:
    """A write of the cell (or student) the server refused: what it was, and why."""

    entry_id: int
    kind: str
    reason: str
    code: str | None = None  # the server's error code: the app words the reason by it


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


@dataclass(frozen=True)
class LessonView:
    """A lesson's topic and homework as they will be, with what is unsent or refused."""

    lesson: JournalLesson
    topic_state: str = SAVED
    homework: tuple[HomeworkItem, ...] = ()
    refusals: tuple[Refusal, ...] = ()
    refused_topic: str | None = None  # what a refused topic edit said, to be typed in again
    form_state: str = SAVED  # the lesson's control form, set in the cell editor

    @property
    def pending(self) -> bool:
        return PENDING in (self.topic_state, self.form_state) or any(
            h.state == PENDING for h in self.homework
        )


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
    """One journal (class, subject, period) with the outbox entries that touch it.

    Each entry's command says where it belongs (`placed_in`, `bucket`), paints
    itself over what its cell, row or lesson shows, and joins its answer to
    the server's copy once acknowledged (`settle`); this class keeps the
    order and the bookkeeping.
    """

    def __init__(
        self,
        journal: Journal,
        entries: Iterable[Entry] = (),
        *,
        created_mark_id: Callable[[int], str | None] | None = None,
    ) -> None:
        self._created_mark_id = created_mark_id or (lambda seq: None)
        self._entries: dict[int, Entry] = {}
        # Every acknowledged entry with the server's answer, in order: a journal fetched
        # while some were being acknowledged is older than they are (see `replace`).
        self._settled: list[tuple[Entry, dict[str, Any]]] = []
        self.cell_entries: dict[CellKey, list[int]] = defaultdict(list)
        self.student_entries: dict[str, list[int]] = defaultdict(list)
        self.lesson_entries: dict[str, list[int]] = defaultdict(list)
        self._created: dict[int, str] = {}
        self.replace(journal)
        for entry in entries:
            self.add(entry)

    # --- the server's copy ------------------------------------------------------------

    def replace(self, journal: Journal, *, asked_at: int | None = None) -> None:
        """A fresh journal from the server; the unsent entries stay laid over it.

        `asked_at`: `settled_count` when that journal was asked for. Entries acknowledged
        since then may be missing from it (the server answered before it had them): their
        answers are laid on it again, so a mark the server has never vanishes from the
        screen until the next refresh.
        """
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
        if asked_at is not None:
            for entry, result in self._settled[asked_at:]:
                entry.command.settle(self, entry.id, result)

    @property
    def settled_count(self) -> int:
        """How many entries the server has acknowledged so far (for `replace`'s `asked_at`)."""
        return len(self._settled)

    @property
    def class_id(self) -> str:
        return self.journal.class_id

    @property
    def subject_id(self) -> str:
        return self.journal.subject.id

    # what an acknowledged command changes in the server's copy

    def remember_created(self, seq: int, server_id: str) -> None:
        """The id the server gave what entry `seq` created (a later entry may name it)."""
        self._created[seq] = server_id

    def created(self, seq: int) -> str | None:
        return self._created.get(seq) or self._created_mark_id(seq)

    def add_saved_mark(self, mark: Mark) -> None:
        """A mark the server answered with: new, or one it changed (a filled dot) in place."""
        key = (mark.student_id, mark.lesson_id)
        marks = self._marks[key]
        for i, m in enumerate(marks):
            if m.id == mark.id:
                marks[i] = mark
                return
        marks.append(mark)

    def remove_saved_mark(self, key: CellKey, mark_id: str | None) -> None:
        self._marks[key] = [m for m in self._marks[key] if m.id != mark_id]

    def set_saved_attendance(self, key: CellKey, code: AttendanceCode | None) -> None:
        if code:
            self._attendance[key] = code
        else:
            self._attendance.pop(key, None)

    def set_saved_period_mark(self, student_id: str, value: int | None) -> None:
        self._period_marks[student_id] = value

    # --- entries ----------------------------------------------------------------------

    def owns(self, entry: Entry) -> bool:
        """Whether the entry writes into this journal (this class, subject and period)."""
        command = entry.command
        return command.in_journal(self.class_id, self.subject_id) and command.placed_in(self)

    def add(self, entry: Entry) -> CellKey | str | None:
        """Lay a new (or reloaded) entry over the journal; what it touches, or None."""
        if not self.owns(entry) or entry.id in self._entries:
            return None
        self._entries[entry.id] = entry
        entry.command.bucket(self).append(entry.id)
        return entry.command.touches()

    def settle(self, outcome: Outcome) -> CellKey | str | None:
        """The server's answer to an entry: refused stays shown, acknowledged joins the base."""
        entry = outcome.entry
        if entry.id not in self._entries:
            return None
        if outcome.refused:
            self._entries[entry.id] = entry
            return entry.command.touches()
        self._drop(entry)
        entry.command.settle(self, entry.id, outcome.result or {})
        self._settled.append((entry, outcome.result or {}))
        return entry.command.touches()

    def dismiss(self, entry_id: int) -> CellKey | str | None:
        """Forget a refused entry (the teacher has seen it)."""
        entry = self._entries.get(entry_id)
        if entry is None:
            return None
        self._drop(entry)
        return entry.command.touches()

    def entry(self, entry_id: int) -> Entry | None:
        return self._entries.get(entry_id)

    def _drop(self, entry: Entry) -> None:
        self._entries.pop(entry.id, None)
        entry.command.bucket(self).remove(entry.id)

    @property
    def pending_count(self) -> int:
        return sum(1 for e in self._entries.values() if e.state == PENDING)

    def refused_entries(self) -> list[Entry]:
        return [e for e in self._entries.values() if e.state == REFUSED]

    # --- versions: what a write replaces, and what changed elsewhere -------------------

    def _after(self, ids: Iterable[int], kinds: tuple[str, ...]) -> int | None:
        """This session's last unsent entry among `ids` of those kinds, if any."""
        pending = [
            seq for seq in ids if (e := self._entries[seq]).state == PENDING and e.kind in kinds
        ]
        return pending[-1] if pending else None

    def period_mark_version(self, student_id: str) -> Version:
        """What a new period mark of the student replaces: this session's unsent one, else
        the server's as last fetched (its set_at; None: no mark)."""
        after = self._after(self.student_entries.get(student_id, ()), ("journal.period_mark",))
        if after is not None:
            return Version(after=after)
        student = self.students.get(student_id)
        return Version(at=student.period_mark_set_at if student else None)

    def topic_version(self, lesson_id: str) -> Version:
        """What a topic edit replaces: this session's unsent edit of the lesson (its topic
        or control form), else the lesson's version as last fetched (None: never edited)."""
        kinds = ("journal.topic", "journal.lesson_form")
        after = self._after(self.lesson_entries.get(lesson_id, ()), kinds)
        if after is not None:
            return Version(after=after)
        lesson = self.lessons.get(lesson_id)
        return Version(at=lesson.updated_at if lesson else None)

    def conflicts(self) -> list[Entry]:
        """Writes refused because what they replace changed elsewhere, oldest first."""
        return sorted(
            (e for e in self._entries.values() if conflict_code(e) is not None),
            key=lambda e: e.id,
        )

    def shows(self, change: Change) -> bool:
        """Whether the journal shows this change already (this session made it, say), so
        the feed's word on it needs no fresh copy; False when in doubt."""
        data, mine = change.data, self._own_ids()
        key = (change.student_id or "", str(data.get("lesson_id", "")))
        if change.kind == "mark":
            return change.entity_id in mine and any(
                m.id == change.entity_id and m.value == data.get("value")
                for m in self._marks.get(key, ())
            )
        if change.kind == "mark_deleted":
            return all(m.id != change.entity_id for m in self._marks.get(key, ()))
        if change.kind == "attendance":
            code = self._attendance.get(key)
            return (code.value if code else None) == data.get("code")
        if change.kind == "period_mark":
            student = self.students.get(change.student_id or "")
            return (
                student is not None
                and self._period_marks.get(student.id) == data.get("value")
                and _same_time(student.period_mark_set_at, data.get("set_at"))
            )
        if change.kind == "lesson":
            lesson = self.lessons.get(change.entity_id or "")
            return lesson is not None and _same_time(lesson.updated_at, data.get("updated_at"))
        if change.kind == "homework":
            return change.entity_id in mine and data.get("action") != "removed"
        return False

    def _own_ids(self) -> set[str]:
        """The ids of what this session's acknowledged entries wrote (marks, homework)."""
        found: set[str] = set()
        for _entry, result in self._settled:
            for name in ("id", "mark_id"):
                if result.get(name) is not None:
                    found.add(str(result[name]))
        return found

    # --- what a cell shows ------------------------------------------------------------

    def cell(self, student_id: str, lesson_id: str) -> CellState:
        key = (student_id, lesson_id)
        lesson = self.lessons.get(lesson_id)
        base_code = self._attendance.get(key)

        def form(code: str | None) -> ControlForm | None:
            return self.forms.get(code or "") or (lesson.control_form if lesson else None)

        draft = CellDraft(
            [_cell_mark(m) for m in self._marks.get(key, ())],
            CellAttendance(base_code) if base_code else None,
            form,
            self.created,
        )
        pending = False
        refusals: list[Refusal] = []
        for entry_id in self.cell_entries.get(key, ()):
            entry = self._entries[entry_id]
            pending |= entry.state == PENDING
            if entry.state == REFUSED:
                refusals.append(_refusal(entry))
            entry.command.paint(draft, _stamp(entry))  # type: ignore[union-attr]
        return CellState(
            student_id,
            lesson_id,
            tuple(draft.marks),
            draft.attendance,
            pending,
            tuple(refusals),
            base_code,
        )

    def lesson(self, lesson_id: str) -> LessonView:
        """The lesson's topic and homework with the unsent edits laid over the server's."""
        lesson = self.lessons[lesson_id]
        draft = LessonDraft(
            lesson.topic,
            self.created,
            items=[HomeworkItem(f"h:{h.id}", h.text, h.required, h.due) for h in lesson.homework],
        )
        refusals: list[Refusal] = []
        for entry_id in self.lesson_entries.get(lesson_id, ()):
            entry = self._entries[entry_id]
            if entry.state == REFUSED:
                refusals.append(_refusal(entry))
            entry.command.paint(draft, _stamp(entry))  # type: ignore[union-attr, arg-type]
        topic = draft.topic
        shown = lesson.model_copy(update={"topic": topic}) if topic != lesson.topic else lesson
        if draft.control_form is not None and draft.control_form in self.forms:
            shown = shown.model_copy(update={"control_form": self.forms[draft.control_form]})
        return LessonView(
            shown,
            draft.topic_state,
            tuple(draft.items),
            tuple(refusals),
            draft.refused_topic,
            draft.form_state,
        )

    def lesson_refusals(self) -> list[Refusal]:
        """Refused topic and homework edits of every lesson, oldest first."""
        return sorted(
            (
                _refusal(e)
                for ids in self.lesson_entries.values()
                for seq in ids
                if (e := self._entries[seq]).state == REFUSED
            ),
            key=lambda r: r.entry_id,
        )

    def filled_cells(self) -> list[CellKey]:
        """The cells with anything in them (marks, attendance, entries), in no order."""
        keys = set(self._marks) | set(self._attendance) | set(self.cell_entries)
        return [k for k in keys if k[0] in self.students and k[1] in self.lessons]

    def summary(self, student_id: str) -> StudentSummary:
        """The weighted average and the proposed period mark from what the cells show."""
        settings = self.journal.settings
        scored = [
            Scored(m.value, m.control_form.weight, m.control_form.category, m.is_dot)
            for lesson_id in self.lessons
            if (student_id, lesson_id) in self._marks
            or (student_id, lesson_id) in self.cell_entries
            for m in self.cell(student_id, lesson_id).live_marks
        ]
        average = weighted_average(scored)
        proposed = proposed_mark(
            average, settings.round_threshold, settings.scale_min, settings.scale_max
        )
        value = self._period_marks.get(student_id)
        state, reason, entry_id = SAVED, None, None
        for seq in self.student_entries.get(student_id, ()):
            entry = self._entries[seq]
            if entry.state == PENDING:
                value, state, reason, entry_id = entry.command.value, PENDING, None, seq  # type: ignore[union-attr]
            else:
                state, reason, entry_id = REFUSED, entry.reason, seq
        return StudentSummary(round_average(average), proposed, value, state, reason, entry_id)

    def student_refusals(self, student_id: str) -> list[Refusal]:
        return [
            _refusal(e)
            for seq in self.student_entries.get(student_id, ())
            if (e := self._entries[seq]).state == REFUSED
        ]


def _same_time(kept: object, said: object) -> bool:
    """A version the journal keeps against one the feed gives (ISO text); None is none."""
    if said is None or kept is None:
        return said is None and kept is None
    return Version(at=said).at == Version(at=kept).at  # type: ignore[arg-type]


def _stamp(entry: Entry) -> Stamp:
    return Stamp(entry.id, entry.state, entry.reason)


def _refusal(entry: Entry) -> Refusal:
    code = (entry.result or {}).get("code")
    return Refusal(
        entry.id, entry.kind, entry.reason or "", code if isinstance(code, str) else None
    )
