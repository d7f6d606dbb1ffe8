"""Importing the weekly timetable: class, day, lesson number, subject, teacher, room.

The classes the file names get exactly the file's week (their other slots go), and
their lessons are generated again from today (`timetable.replace_timetable`);
classes the file does not name keep theirs. A teacher is named by the staff file's
id, by full name, or as "Surname I.P."; a subject and a room must be the school's
(school.toml). A clash is refused naming both rows: one teacher or one room in two
classes at once, two lessons in one slot of a class, or a slot taken already by a
class the file leaves as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Role

from ... import schema as s
from ..timetable import Entry, clashes, replace_timetable
from ..years import year_label
from . import values
from .files import Row, Table
from .people import Context, Existing, column, existing_people, index
from .report import ImportReport

_INITIALS = re.compile(r"^(?P<surname>\S+)\s+(?P<first>\w)\.\s*(?:(?P<patronymic>\w)\.?)?$")
_WEEKDAY_NAMES = ("пн", "вт", "ср", "чт", "пт", "сб")
TEACHING_ROLES = frozenset({Role.TEACHER.value, Role.CLASS_TEACHER.value, Role.ADMIN.value})


@dataclass(frozen=True)
class _Slot:
    line: int
    class_name: str
    teacher_name: str
    entry: Entry

    @property
    def when(self) -> str:
        return f"{_WEEKDAY_NAMES[self.entry.weekday]} lesson {self.entry.number}"


class _Teachers:
    """The school's staff, found by id, full name or surname and initials."""

    def __init__(self, staff: list[Existing]) -> None:
        self.by_id = index(staff, lambda e: values.fold(e.id) if e.id else None)
        self.by_name = index(staff, lambda e: e.name_key)
        self.by_initials = index(staff, _initials)

    def find(self, text: str) -> Existing:
        found = self.by_id.get(values.fold(text)) or self.by_name.get(values.fold(text))
        if not found:
            short = _INITIALS.match(text.strip())
            if short is not None:
                key = values.name_key(
                    short["surname"], short["first"] + (short["patronymic"] or "")
                )
                found = self.by_initials.get(key)
        if not found:
            raise values.Bad(
                f'no teacher "{text}" on the staff; name them by the staff file\'s id or full '
                "name, and import the staff first"
            )
        if len(found) > 1:
            raise values.Bad(
                f'{len(found)} teachers are "{text}"; name them by the staff file\'s id'
            )
        return found[0]


def _initials(e: Existing) -> str:
    return values.name_key(e.surname, (e.first_name or "")[:1] + (e.patronymic or "")[:1])


async def _names(
    conn: AsyncConnection, table: sa.Table, school_id: int
) -> dict[str, tuple[int, str]]:
    rows = await conn.execute(
        sa.select(table.c.id, table.c.name).where(table.c.school_id == school_id)
    )
    return {values.fold(r.name): (r.id, r.name) for r in rows}


async def run(conn: AsyncConnection, ctx: Context, table: Table, report: ImportReport) -> None:
    c = s.classes.c
    classes = {
        values.class_key(r.name): r
        for r in await conn.execute(
            sa.select(c.id, c.name, c.days_per_week).where(
                c.school_id == ctx.school_id, c.year == ctx.year
            )
        )
    }
    subjects = await _names(conn, s.subjects, ctx.school_id)
    rooms = await _names(conn, s.rooms, ctx.school_id)
    bells = set(
        (
            await conn.execute(
                sa.select(s.bells.c.number).where(s.bells.c.school_id == ctx.school_id)
            )
        ).scalars()
    )
    staff = [
        e
        for e in await existing_people(conn, ctx.school_id, students=False)
        if e.roles & TEACHING_ROLES
    ]
    teachers = _Teachers(staff)
    names = {
        e.user_id: " ".join(p for p in (e.surname, e.first_name, e.patronymic) if p) for e in staff
    }

    slots: list[_Slot] = []
    for row in table.rows:
        slot = _read(table, row, report, ctx, classes, subjects, rooms, bells, teachers, names)
        if slot is not None:
            slots.append(slot)
    _refuse_clashes(table, report, slots)
    class_ids = {slot.entry.class_id for slot in slots}
    await _refuse_clashes_with_stored(conn, ctx, table, report, slots, class_ids)
    if not report.ok:
        return
    entries = [slot.entry for slot in slots]
    for sentence in await clashes(conn, ctx.school_id, ctx.year, entries):
        report.refuse(None, "", sentence)
    if not report.ok:
        return

    stored = await _stored(conn, class_ids)
    changed_classes: set[int] = set()
    wanted: set[tuple[int, int, int]] = set()
    for slot in slots:
        e = slot.entry
        key = (e.class_id, e.weekday, e.number)
        wanted.add(key)
        have = stored.get(key)
        what = f"{slot.class_name} {slot.when}"
        if have is None:
            report.create(slot.line, what)
            changed_classes.add(e.class_id)
        elif have != e:
            fields = [
                column(table, name)
                for name, differs in (
                    ("subject", have.subject_id != e.subject_id),
                    ("teacher", have.teacher_id != e.teacher_id),
                    ("room", have.room != e.room),
                )
                if differs
            ]
            report.change(slot.line, what, fields)
            changed_classes.add(e.class_id)
        else:
            report.unchanged += 1
    gone = [key for key in stored if key not in wanted]
    if gone:
        changed_classes.update(class_id for class_id, _, _ in gone)
        report.notes.append(
            f"{len(gone)} lessons of the week not in the file are taken off the timetable"
        )
    if not changed_classes:
        return
    plan = await replace_timetable(
        conn,
        ctx.actor,
        ctx.school_id,
        [e for e in entries if e.class_id in changed_classes],
        class_ids=changed_classes,
        start=ctx.today,
    )
    report.notes.append(f"lessons from {ctx.today:%d.%m.%Y}: {plan}")


def _read(
    table: Table,
    row: Row,
    report: ImportReport,
    ctx: Context,
    classes: dict[str, sa.Row],
    subjects: dict[str, tuple[int, str]],
    rooms: dict[str, tuple[int, str]],
    bells: set[int],
    teachers: _Teachers,
    names: dict[int, str],
) -> _Slot | None:
    """The slot of a row, or None after refusing each bad cell of it."""
    bad = len(report.refused)

    def refuse(name: str, reason: str) -> None:
        report.refuse(row.line, column(table, name), reason)

    klass = classes.get(values.class_key(row.text("class")))
    if klass is None:
        refuse("class", f"no class {row.text('class') or '(empty)'} in {year_label(ctx.year)}")
    weekday = number = None
    try:
        weekday = values.weekday(row.text("day"))
        if klass is not None and weekday >= klass.days_per_week:
            refuse(
                "day",
                f"{klass.name} has a {klass.days_per_week}-day week: no lessons on {row.text('day')}",
            )
    except values.Bad as exc:
        refuse("day", str(exc))
    try:
        number = values.lesson_number(row.text("number"))
        if bells and number not in bells:
            refuse("number", f"the bell schedule has no lesson {number}; add it to school.toml")
    except values.Bad as exc:
        refuse("number", str(exc))
    subject = subjects.get(values.fold(row.text("subject")))
    if subject is None:
        refuse(
            "subject", f'the school has no subject "{row.text("subject")}"; add it to school.toml'
        )
    teacher = None
    try:
        teacher = teachers.find(row.text("teacher"))
    except values.Bad as exc:
        refuse("teacher", str(exc))
    room = row.text("room").strip() or None
    if room is not None and rooms:
        known = rooms.get(values.fold(room))
        if known is None:
            refuse("room", f'the school has no room "{room}"; add it to school.toml')
        else:
            room = known[1]
    if len(report.refused) > bad:
        return None
    assert klass is not None and weekday is not None and number is not None
    assert subject is not None and teacher is not None
    entry = Entry(klass.id, weekday, number, subject[0], teacher.user_id, room)
    return _Slot(row.line, klass.name, names[teacher.user_id], entry)


def _refuse_clashes(table: Table, report: ImportReport, slots: list[_Slot]) -> None:
    """Two rows for one slot of a class, or one teacher or room in two places at once."""
    by_slot: dict[tuple[int, int, int], _Slot] = {}
    by_teacher: dict[tuple[int, int, int], _Slot] = {}
    by_room: dict[tuple[str, int, int], _Slot] = {}
    for slot in slots:
        e = slot.entry
        other = by_slot.setdefault((e.class_id, e.weekday, e.number), slot)
        if other is not slot:
            report.refuse(
                slot.line,
                column(table, "number"),
                f"{slot.class_name} has {slot.when} on line {other.line} already",
            )
            continue
        other = by_teacher.setdefault((e.teacher_id, e.weekday, e.number), slot)
        if other is not slot:
            report.refuse(
                slot.line,
                column(table, "teacher"),
                f"{slot.teacher_name} teaches {other.class_name} at {slot.when} "
                f"(line {other.line}): one teacher cannot be in two classes at once",
            )
        if e.room is not None:
            other = by_room.setdefault((values.fold(e.room), e.weekday, e.number), slot)
            if other is not slot:
                report.refuse(
                    slot.line,
                    column(table, "room"),
                    f"room {e.room} has {other.class_name} at {slot.when} (line {other.line})",
                )


async def _refuse_clashes_with_stored(
    conn: AsyncConnection,
    ctx: Context,
    table: Table,
    report: ImportReport,
    slots: list[_Slot],
    class_ids: set[int],
) -> None:
    """A teacher or room the stored timetable of a class left as it is has at that time."""
    t, c = s.timetable.c, s.classes.c
    rows = (
        await conn.execute(
            sa.select(c.name, t.weekday, t.number, t.teacher_id, t.room)
            .select_from(s.timetable.join(s.classes, c.id == t.class_id))
            .where(c.school_id == ctx.school_id, c.year == ctx.year, c.id.not_in(class_ids))
        )
    ).all()
    teachers = {(r.teacher_id, r.weekday, r.number): r.name for r in rows}
    rooms = {(values.fold(r.room), r.weekday, r.number): r.name for r in rows if r.room}
    for slot in slots:
        e = slot.entry
        busy = teachers.get((e.teacher_id, e.weekday, e.number))
        if busy is not None:
            report.refuse(
                slot.line,
                column(table, "teacher"),
                f"{slot.teacher_name} teaches {busy} at {slot.when} "
                "(its timetable, not in this file)",
            )
        busy = rooms.get((values.fold(e.room), e.weekday, e.number)) if e.room else None
        if busy is not None:
            report.refuse(
                slot.line,
                column(table, "room"),
                f"room {e.room} has {busy} at {slot.when} (its timetable, not in this file)",
            )


async def _stored(conn: AsyncConnection, class_ids: set[int]) -> dict[tuple[int, int, int], Entry]:
    t = s.timetable.c
    rows = await conn.execute(
        sa.select(t.class_id, t.weekday, t.number, t.subject_id, t.teacher_id, t.room).where(
            t.class_id.in_(class_ids)
        )
    )
    return {
        (r.class_id, r.weekday, r.number): Entry(
            r.class_id, r.weekday, r.number, r.subject_id, r.teacher_id, r.room
        )
        for r in rows
    }
