"""What a journal cell, row or lesson shows while writes are on their way.

The states a write goes through (pending, acknowledged, refused) and the
pieces a cell is painted with live here, apart from the outbox and from the
journal's state, so that the write commands can paint themselves without an
import circle: the outbox keeps commands, the commands paint these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ediary_tui.domain.models import (
    AttendanceCode,
    ControlForm,
    Journal,
    JournalLesson,
    JournalStudent,
    Mark,
)

PENDING, ACKNOWLEDGED, REFUSED = "pending", "acknowledged", "refused"
SAVED = "saved"
GONE = "n"  # a HomeworkItem's ref "n:<entry>": a revision of homework since removed; new


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    """Where something shown stands: saved, or as its outbox entry (number `entry_id`) is."""

    state: str = SAVED
    reason: str | None = None  # the server's, when it refused
    entry_id: int | None = None


@dataclass(frozen=True, slots=True)
class CellMark(Written):
    """A mark in a cell: saved on the server (`ref` "m:<id>") or typed here ("e:<entry>")."""

    ref: str
    value: int | None
    is_dot: bool
    due: dt.date | None
    control_form: ControlForm
    comment: str | None = None
    mark: Mark | None = None


@dataclass(frozen=True, slots=True)
class CellAttendance(Written):
    code: AttendanceCode | None


@dataclass(frozen=True, slots=True)
class HomeworkItem(Written):
    """Homework of a lesson: saved (`ref` "h:<id>") or set here and not yet saved ("e:<entry>")."""

    ref: str
    text: str
    required: bool
    due: dt.date | None = None  # as the server answers it (chosen, else the next lesson)


@dataclass(frozen=True, slots=True)
class Stamp:
    """Where an outbox entry stands: its number, its state and the server's reason if refused."""

    seq: int
    state: str
    reason: str | None = None

    @property
    def pending(self) -> bool:
        return self.state == PENDING


def _ref(
    kind: str, server_id: str | None, create_seq: int | None, created: Callable[[int], str | None]
) -> str | None:
    """The ref of a mark ("m") or homework ("h") named by its server id, or by the entry that
    creates it: the id that entry got once acknowledged, else "e:<entry>"."""
    if server_id:
        return f"{kind}:{server_id}"
    if create_seq is None:
        return None
    made = created(create_seq)
    return f"{kind}:{made}" if made else f"e:{create_seq}"


@dataclass
class CellDraft:
    """A cell being painted: the server's marks and code, then each entry over them in turn."""

    marks: list[CellMark]
    attendance: CellAttendance | None
    form: Callable[[str | None], ControlForm | None]  # a control form code (None: the lesson's)
    created: Callable[[int], str | None]  # the server id an entry created, once acknowledged

    def mark_ref(self, mark_id: str | None, create_seq: int | None) -> str | None:
        """The ref of a mark named by its id or by the entry that creates it."""
        return _ref("m", mark_id, create_seq, self.created)


@dataclass
class LessonDraft:
    """A lesson's topic and homework being painted, entry by entry."""

    topic: str | None
    created: Callable[[int], str | None]
    topic_state: str = SAVED
    refused_topic: str | None = None
    items: list[HomeworkItem] = field(default_factory=list)
    control_form: str | None = None  # a control form code set here, not yet saved
    form_state: str = SAVED

    def homework_ref(self, homework_id: str | None, create_seq: int | None) -> str | None:
        return _ref("h", homework_id, create_seq, self.created)


class Laid(Protocol):
    """What a write command reads and settles of the journal it is laid over: the journal's
    `JournalState`, named here so that the commands need not import it (it imports them)."""

    journal: Journal
    students: dict[str, JournalStudent]
    lessons: dict[str, JournalLesson]
    cell_entries: dict[tuple[str, str], list[int]]
    student_entries: dict[str, list[int]]
    lesson_entries: dict[str, list[int]]

    def remember_created(self, seq: int, server_id: str) -> None: ...

    def add_saved_mark(self, mark: Mark) -> None: ...

    def remove_saved_mark(self, key: tuple[str, str], mark_id: str | None) -> None: ...

    def set_saved_attendance(self, key: tuple[str, str], code: AttendanceCode | None) -> None: ...

    def set_saved_period_mark(self, student_id: str, value: int | None) -> None: ...
