"""The weekly timetable: each class's grid (weekday, lesson number) -> subject,
teacher, room.

It is replaced a class at a time, refused when a teacher or a room would be in
two places at once (in the school year's classes), and the lessons follow it
from a date on (`lesson_plan.plan_lessons`). One-day changes are
lesson_changes.py's, re-exported here with the grid as one place to import from.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import schema as s
from ..db import lock_rows
from .audit import Actor, record
from .errors import AdminError
from .lesson_changes import KINDS, DayChange, change_lesson, day_changes
from .lesson_plan import PlanResult, plan_lessons
from .structure import (
    assign_teaching,
    class_row,
    room_names,
    school_today,
    teacher_login,
    writable_year,
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


@dataclass(frozen=True)
class Entry:
    """One slot of a class's weekly grid."""

    class_id: int
    weekday: int  # 0 Monday .. 5 Saturday
    number: int
    subject_id: int
    teacher_id: int
    room: str | None


def _slot(weekday: int, number: int) -> str:
    return f"{WEEKDAYS[weekday]} lesson {number}"


class _Names:
    """Names of classes, teachers and subjects for sentences, read once."""

    def __init__(self) -> None:
        self.classes: dict[int, str] = {}
        self.people: dict[int, str] = {}
        self.subjects: dict[int, str] = {}

    @classmethod
    async def of_school(cls, conn: AsyncConnection, school_id: int) -> _Names:
        names = cls()
        c, u, sub = s.classes.c, s.users.c, s.subjects.c
        names.classes = dict(
            (await conn.execute(sa.select(c.id, c.name).where(c.school_id == school_id))).all()
        )
        names.people = dict(
            (await conn.execute(sa.select(u.id, u.full_name).where(u.school_id == school_id))).all()
        )
        names.subjects = dict(
            (
                await conn.execute(sa.select(sub.id, sub.name).where(sub.school_id == school_id))
            ).all()
        )
        return names

    def klass(self, class_id: int) -> str:
        return self.classes.get(class_id, f"class {class_id}")

    def person(self, user_id: int) -> str:
        return self.people.get(user_id, f"user {user_id}")

    def subject(self, subject_id: int) -> str:
        return self.subjects.get(subject_id, f"subject {subject_id}")


async def _stored(
    conn: AsyncConnection, school_id: int, year: int, skip: Collection[int]
) -> list[Entry]:
    """The stored grid of the year's classes other than `skip`."""
    t, c = s.timetable.c, s.classes.c
    rows = await conn.execute(
        sa.select(t.class_id, t.weekday, t.number, t.subject_id, t.teacher_id, t.room)
        .select_from(s.timetable.join(s.classes, c.id == t.class_id))
        .where(c.school_id == school_id, c.year == year, t.class_id.not_in(list(skip) or [-1]))
    )
    return [Entry(*r) for r in rows]


async def clashes(
    conn: AsyncConnection,
    school_id: int,
    year: int,
    entries: list[Entry],
    *,
    replacing: Collection[int] | None = None,
) -> list[str]:
    """Sentences for each teacher or room in two places at once and each slot of a class
    with two subjects, among `entries` and the stored grid of the classes not replaced
    (by default, those the entries are of)."""
    skip = set(replacing) if replacing is not None else {e.class_id for e in entries}
    names = await _Names.of_school(conn, school_id)
    found: list[str] = []
    own: dict[tuple[int, int, int], Entry] = {}
    for e in entries:
        key = (e.class_id, e.weekday, e.number)
        if key in own and own[key] != e:
            found.append(
                f"{names.klass(e.class_id)} has two lessons on {_slot(e.weekday, e.number)}: "
                f"{names.subject(own[key].subject_id)} and {names.subject(e.subject_id)}"
            )
        own.setdefault(key, e)
    everything = list(own.values()) + await _stored(conn, school_id, year, skip)
    teachers: dict[tuple[int, int, int], list[Entry]] = defaultdict(list)
    rooms: dict[tuple[int, int, str], list[Entry]] = defaultdict(list)
    for e in everything:
        teachers[(e.weekday, e.number, e.teacher_id)].append(e)
        if e.room:
            rooms[(e.weekday, e.number, e.room)].append(e)
    for (weekday, number, teacher_id), there in teachers.items():
        if len(there) > 1:
            found.append(
                f"{names.person(teacher_id)} would teach "
                f"{' and '.join(sorted(names.klass(e.class_id) for e in there))} "
                f"at once on {_slot(weekday, number)}"
            )
    for (weekday, number, room), there in rooms.items():
        if len(there) > 1:
            found.append(
                f"room {room} would hold "
                f"{' and '.join(sorted(names.klass(e.class_id) for e in there))} "
                f"at once on {_slot(weekday, number)}"
            )
    return found


async def _check_entries(
    conn: AsyncConnection, school_id: int, entries: Iterable[Entry], days: dict[int, int]
) -> None:
    """Each entry's day in its class's week, its lesson in the bells, its subject, teacher
    and room the school's own."""
    names = await _Names.of_school(conn, school_id)
    b = s.bells.c
    bells = set((await conn.execute(sa.select(b.number).where(b.school_id == school_id))).scalars())
    rooms = await room_names(conn, school_id)
    teachers: dict[int, str] = {}
    for e in entries:
        klass = names.klass(e.class_id)
        if not 0 <= e.weekday <= 5:
            raise AdminError(f"{klass}: weekday {e.weekday} is not Monday (0) to Saturday (5)")
        if e.weekday >= days[e.class_id]:
            raise AdminError(
                f"{klass} has a {days[e.class_id]}-day week: no lessons on {WEEKDAYS[e.weekday]}"
            )
        if bells and e.number not in bells:
            raise AdminError(
                f"{klass}, {_slot(e.weekday, e.number)}: the bell schedule has lessons "
                f"{min(bells)}-{max(bells)}"
            )
        if e.number < 0:
            raise AdminError(f"{klass}: lesson number {e.number} is not a lesson")
        if e.subject_id not in names.subjects:
            raise AdminError(f"{klass}: there is no subject with id {e.subject_id}")
        if e.teacher_id not in teachers:
            teachers[e.teacher_id] = await teacher_login(conn, school_id, e.teacher_id)
        if e.room and rooms and e.room not in rooms:
            raise AdminError(
                f"{klass}, {_slot(e.weekday, e.number)}: there is no room {e.room!r}; "
                "add it with `ediary admin room add`"
            )


async def class_timetable(conn: AsyncConnection, class_id: int) -> list[Entry]:
    """A class's weekly grid, by day and lesson."""
    t = s.timetable.c
    rows = await conn.execute(
        sa.select(t.class_id, t.weekday, t.number, t.subject_id, t.teacher_id, t.room)
        .where(t.class_id == class_id)
        .order_by(t.weekday, t.number)
    )
    return [Entry(*r) for r in rows]


async def one_writer(conn: AsyncConnection, school_id: int) -> None:
    """One timetable write at a time in a school: a clash is checked against the whole
    school's week, and a slot's grid is read, changed and written back, so two writers
    at once would each miss the other's (or both insert the same slot)."""
    await lock_rows(conn, s.schools, s.schools.c.id == school_id)


async def replace_timetable(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    entries: list[Entry],
    *,
    class_ids: set[int],
    start: dt.date | None,
) -> PlanResult:
    """Replace the weekly grid of `class_ids` with `entries` (refused on a clash), let the
    teachers teach what they are given, and make the lessons follow from `start` (today)."""
    stray = {e.class_id for e in entries} - class_ids
    if stray:
        raise AdminError(f"an entry is for class id {min(stray)}, which is not being replaced")
    if not class_ids:
        return PlanResult()
    await one_writer(conn, school_id)
    c = s.classes.c
    classes = (
        await conn.execute(
            sa.select(c.id, c.name, c.school_id, c.year, c.days_per_week).where(
                c.id.in_(sorted(class_ids))
            )
        )
    ).all()
    missing = class_ids - {r.id for r in classes}
    if missing:
        raise AdminError(f"there is no class with id {min(missing)}")
    if any(r.school_id != school_id for r in classes):
        raise AdminError("every class of a timetable must be of the same school")
    years = {r.year for r in classes}
    if len(years) > 1:
        raise AdminError("a timetable is of one school year; these classes are of several")
    year = await writable_year(conn, school_id, years.pop())
    await _check_entries(conn, school_id, entries, {r.id: r.days_per_week for r in classes})
    found = await clashes(conn, school_id, year, entries, replacing=class_ids)
    if found:
        more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
        raise AdminError("the timetable clashes: " + "; ".join(found[:3]) + more)
    changed: list[sa.Row] = []
    for klass in classes:
        old = set(await class_timetable(conn, klass.id))
        new = {e for e in entries if e.class_id == klass.id}
        if old != new:
            changed.append(klass)
    for klass in changed:
        await conn.execute(s.timetable.delete().where(s.timetable.c.class_id == klass.id))
        rows = [e.__dict__ for e in entries if e.class_id == klass.id]
        if rows:
            await conn.execute(s.timetable.insert(), rows)
        await record(
            conn,
            actor,
            "timetable.replace",
            school_id=school_id,
            target=klass.name,
            detail={"lessons_a_week": len(rows)},
            class_id=klass.id,
        )
    for teacher_id, class_id, subject_id in sorted(
        {(e.teacher_id, e.class_id, e.subject_id) for e in entries}
    ):
        await assign_teaching(conn, actor, teacher_id, class_id, subject_id)
    today = await school_today(conn, school_id)
    return await plan_lessons(conn, school_id, year, start=start or today, class_ids=class_ids)


async def set_slot(
    conn: AsyncConnection, actor: Actor, entry: Entry, *, start: dt.date | None = None
) -> PlanResult:
    """Put one lesson in a class's weekly grid (replacing what the slot had)."""
    klass = await class_row(conn, entry.class_id)
    await one_writer(conn, klass.school_id)
    grid = [
        e
        for e in await class_timetable(conn, entry.class_id)
        if (e.weekday, e.number) != (entry.weekday, entry.number)
    ]
    return await replace_timetable(
        conn, actor, klass.school_id, [*grid, entry], class_ids={entry.class_id}, start=start
    )


async def clear_slot(
    conn: AsyncConnection,
    actor: Actor,
    class_id: int,
    weekday: int,
    number: int,
    *,
    start: dt.date | None = None,
) -> PlanResult:
    """Take one lesson out of a class's weekly grid."""
    klass = await class_row(conn, class_id)
    await one_writer(conn, klass.school_id)
    grid = await class_timetable(conn, class_id)
    kept = [e for e in grid if (e.weekday, e.number) != (weekday, number)]
    if len(kept) == len(grid):
        raise AdminError(f"{klass.name} has no lesson on {_slot(weekday, number)}")
    return await replace_timetable(
        conn, actor, klass.school_id, kept, class_ids={class_id}, start=start
    )


__all__ = [
    "KINDS",
    "WEEKDAYS",
    "DayChange",
    "Entry",
    "change_lesson",
    "clashes",
    "class_timetable",
    "clear_slot",
    "day_changes",
    "replace_timetable",
    "set_slot",
]
