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

from ediary_tui.domain.models import AttendanceCode, ControlForm, Mark

PENDING, ACKNOWLEDGED, REFUSED = "pending", "acknowledged", "refused"
SAVED = "saved"
GONE = "n"  # a HomeworkItem's ref "n:<entry>": a revision of homework since removed; new


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


@dataclass(frozen=True, slots=True)
class CellAttendance:
    code: AttendanceCode | None
    state: str = SAVED
    reason: str | None = None
    entry_id: int | None = None


@dataclass(frozen=True, slots=True)
class HomeworkItem:
    """Homework of a lesson: saved (`ref` "h:<id>") or set here and not yet saved ("e:<entry>")."""

    ref: str
    text: str
    required: bool
    state: str = SAVED
    reason: str | None = None
    entry_id: int | None = None


@dataclass(frozen=True, slots=True)
class Stamp:
    """Where an outbox entry stands: its number, its state and the server's reason if refused."""

    seq: int
    state: str
    reason: str | None = None

    @property
    def pending(self) -> bool:
        return self.state == PENDING


@dataclass
class CellDraft:
    """A cell being painted: the server's marks and code, then each entry over them in turn."""

    marks: list[CellMark]
    attendance: CellAttendance | None
    form: Callable[[str | None], ControlForm | None]  # a control form code (None: the lesson's)
    created: Callable[[int], str | None]  # the server id an entry created, once acknowledged

    def mark_ref(self, mark_id: str | None, create_seq: int | None) -> str | None:
        """The ref of a mark named by its id or by the entry that creates it."""
        if mark_id:
            return f"m:{mark_id}"
        if create_seq is None:
            return None
        created = self.created(create_seq)
        return f"m:{created}" if created else f"e:{create_seq}"


@dataclass
class LessonDraft:
    """A lesson's topic and homework being painted, entry by entry."""

    topic: str | None
    created: Callable[[int], str | None]
    topic_state: str = SAVED
    refused_topic: str | None = None
    items: list[HomeworkItem] = field(default_factory=list)

    def homework_ref(self, homework_id: str | None, create_seq: int | None) -> str | None:
        if homework_id:
            return f"h:{homework_id}"
        if create_seq is None:
            return None
        created = self.created(create_seq)
        return f"h:{created}" if created else f"e:{create_seq}"
