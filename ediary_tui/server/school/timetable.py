"""The weekly timetable and its one-day changes.

The timetable is each class's grid (weekday, lesson number) -> subject, teacher,
room. It is replaced a class at a time, refused when a teacher or a room would
be in two places at once (in the school year's classes), and the lessons follow
it from a date on (`lesson_plan.plan_lessons`). A one-day change (a replacement
teacher, a cancelled, moved or extra lesson) is written on the lesson's row, so
that the diary shows it as such and a regenerated plan keeps it. A lesson moved
away leaves a cancelled row in its old place: the diary shows the day without it,
and the plan does not make it again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import schema as s
from .audit import Actor, record
from .errors import AdminError
from .lesson_plan import PlanResult, default_form, plan_lessons
from .structure import (
    assign_teaching,
    class_row,
    room_names,
    school_today,
    teacher_login,
    writable_year,
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
KINDS = ("replace", "cancel", "move", "add", "restore")
REPLACED, CANCELLED, MOVED, ADDED = "replaced", "cancelled", "moved", "added"


@dataclass(frozen=True)
class Entry:
    """One slot of a class's weekly grid."""

    class_id: int
    weekday: int  # 0 Monday .. 5 Saturday
    number: int
    subject_id: int
    teacher_id: int
    room: str | None


@dataclass(frozen=True)
class DayChange:
    """A lesson of the day that is not as the timetable has it."""

    lesson_id: int
    class_name: str
    number: int
    subject: str
    teacher: str
    usual_teacher: str | None
    kind: str
    note: str
    moved_from: tuple[dt.date, int] | None


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
    grid = await class_timetable(conn, class_id)
    kept = [e for e in grid if (e.weekday, e.number) != (weekday, number)]
    if len(kept) == len(grid):
        raise AdminError(f"{klass.name} has no lesson on {_slot(weekday, number)}")
    return await replace_timetable(
        conn, actor, klass.school_id, kept, class_ids={class_id}, start=start
    )


# --- one-day changes ----------------------------------------------------------------


async def _lessons_at(
    conn: AsyncConnection, class_id: int, on: dt.date, number: int
) -> list[sa.Row]:
    le = s.lessons.c
    return (
        await conn.execute(
            sa.select(s.lessons)
            .where(le.class_id == class_id, le.date == on, le.number == number)
            .order_by(le.id)
        )
    ).all()


def _live(rows: list[sa.Row]) -> sa.Row | None:
    return next((r for r in rows if r.change != CANCELLED), None)


async def _busy(
    conn: AsyncConnection,
    school_id: int,
    on: dt.date,
    number: int,
    *,
    teacher_id: int | None,
    room: str | None,
    not_id: int | None,
) -> None:
    """Refuse a teacher or a room already in another lesson of that day and number."""
    le, c = s.lessons.c, s.classes.c
    rows = (
        await conn.execute(
            sa.select(le.id, le.teacher_id, le.room, c.name)
            .select_from(s.lessons.join(s.classes, c.id == le.class_id))
            .where(
                c.school_id == school_id,
                le.date == on,
                le.number == number,
                sa.or_(le.change.is_(None), le.change != CANCELLED),
            )
        )
    ).all()
    for r in rows:
        if r.id == not_id:
            continue
        if teacher_id is not None and r.teacher_id == teacher_id:
            who = (
                await conn.execute(sa.select(s.users.c.full_name).where(s.users.c.id == teacher_id))
            ).scalar()
            raise AdminError(
                f"{who} already teaches {r.name} on {on} lesson {number}; choose another teacher"
            )
        if room and r.room == room:
            raise AdminError(
                f"room {room} already holds {r.name} on {on} lesson {number}; choose another room"
            )


async def _held(conn: AsyncConnection, lesson_id: int) -> dict[str, int]:
    """What a teacher has written in a lesson: marks, attendance, homework."""
    counts = {}
    for what, table, extra in (
        ("marks", s.marks, s.marks.c.deleted_at.is_(None)),
        ("attendance records", s.attendance, sa.true()),
        ("homework", s.homework, sa.true()),
    ):
        n = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(table)
                .where(table.c.lesson_id == lesson_id, extra)
            )
        ).scalar_one()
        if n:
            counts[what] = n
    return counts


async def _school_day(conn: AsyncConnection, klass: sa.Row, on: dt.date) -> None:
    from ediary_tui.domain.periods import period_kind_for_grade

    from .lesson_plan import school_days

    days = await school_days(
        conn, klass.school_id, klass.year, period_kind_for_grade(klass.grade), klass.days_per_week
    )
    if on not in days:
        raise AdminError(
            f"{on} is not a school day of {klass.name} (a weekend, a holiday or between periods)"
        )


async def _check_number(conn: AsyncConnection, school_id: int, number: int) -> None:
    b = s.bells.c
    bells = set((await conn.execute(sa.select(b.number).where(b.school_id == school_id))).scalars())
    if bells and number not in bells:
        raise AdminError(f"the bell schedule has lessons {min(bells)}-{max(bells)}, not {number}")


async def change_lesson(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    *,
    class_id: int,
    on: dt.date,
    number: int,
    kind: str,
    teacher_id: int | None = None,
    subject_id: int | None = None,
    room: str | None = None,
    to_date: dt.date | None = None,
    to_number: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Change one lesson of one day (replace its teacher, cancel, move, add one, restore);
    returns the lesson's id."""
    if kind not in KINDS:
        raise AdminError(f"a change is one of {', '.join(KINDS)}, not {kind!r}")
    klass = await class_row(conn, class_id)
    if klass.school_id != school_id:
        raise AdminError(f"the class {klass.name} is not of this school")
    note = (note or "").strip()
    if len(note) > 200:
        raise AdminError("a change's note is at most 200 characters")
    now = now or dt.datetime.now(dt.UTC)
    stamp = {"changed_by": actor.user_id, "changed_at": now}
    where = f"{klass.name} {on} lesson {number}"
    rows = await _lessons_at(conn, class_id, on, number)
    le = s.lessons.c
    if kind == "add":
        if teacher_id is None or subject_id is None:
            raise AdminError("an extra lesson needs a subject and a teacher")
        if _live(rows) is not None:
            raise AdminError(f"{where} already has a lesson; move or cancel it first")
        await _school_day(conn, klass, on)
        await _check_number(conn, school_id, number)
        await teacher_login(conn, school_id, teacher_id)
        await _check_subject(conn, school_id, subject_id)
        await _busy(conn, school_id, on, number, teacher_id=teacher_id, room=room, not_id=None)
        lesson_id = (
            await conn.execute(
                s.lessons.insert()
                .values(
                    class_id=class_id,
                    subject_id=subject_id,
                    teacher_id=teacher_id,
                    date=on,
                    number=number,
                    room=room,
                    control_form_id=await default_form(conn, school_id),
                    change=ADDED,
                    change_note=note or None,
                    **stamp,
                )
                .returning(le.id)
            )
        ).scalar_one()
        await assign_teaching(conn, actor, teacher_id, class_id, subject_id)
        await _audit(conn, actor, "lesson.add", klass, where, note, now)
        return lesson_id
    if kind == "restore":
        return await _restore(conn, actor, klass, rows, where, now)
    lesson = _live(rows)
    if lesson is None:
        cancelled = " (it is cancelled; restore it first)" if rows else ""
        raise AdminError(
            f"{where}: there is no lesson{cancelled}; see `ediary admin timetable show`"
        )
    if kind == "replace":
        if teacher_id is None:
            raise AdminError("a replacement needs the teacher who stands in (--replace LOGIN)")
        await teacher_login(conn, school_id, teacher_id)
        usual = lesson.usual_teacher_id or lesson.teacher_id
        if teacher_id == lesson.teacher_id:
            raise AdminError(f"{where}: that teacher already teaches this lesson")
        await _busy(conn, school_id, on, number, teacher_id=teacher_id, room=room, not_id=lesson.id)
        values: dict[str, object] = {"teacher_id": teacher_id, **stamp}
        if teacher_id == usual:  # the usual teacher back: no replacement any more
            values.update(change=None, usual_teacher_id=None, change_note=None)
        else:
            values.update(
                change=lesson.change if lesson.change in (MOVED, ADDED) else REPLACED,
                usual_teacher_id=usual,
                change_note=note or lesson.change_note,
            )
        if room is not None:
            values["room"] = room or None
        await conn.execute(s.lessons.update().where(le.id == lesson.id).values(**values))
        await assign_teaching(conn, actor, teacher_id, class_id, lesson.subject_id)
        await _audit(conn, actor, "lesson.replace", klass, where, note, now)
        return lesson.id
    if kind == "cancel":
        held = await _held(conn, lesson.id)
        if "marks" in held:
            raise AdminError(
                f"{where} has {held['marks']} marks and cannot be cancelled; "
                "replace its teacher or move it instead, or delete the marks first"
            )
        await conn.execute(
            s.lessons.update()
            .where(le.id == lesson.id)
            .values(change=CANCELLED, change_note=note or None, **stamp)
        )
        await _audit(conn, actor, "lesson.cancel", klass, where, note, now)
        return lesson.id
    # move
    if to_date is None or to_number is None:
        raise AdminError("a move needs the day and the lesson it moves to (--move-to DATE:NUMBER)")
    if (to_date, to_number) == (on, number):
        raise AdminError(f"{where}: the lesson is already there")
    if _live(await _lessons_at(conn, class_id, to_date, to_number)) is not None:
        raise AdminError(f"{klass.name} {to_date} lesson {to_number} already has a lesson")
    await _school_day(conn, klass, to_date)
    await _check_number(conn, school_id, to_number)
    await _busy(
        conn,
        school_id,
        to_date,
        to_number,
        teacher_id=lesson.teacher_id,
        room=room if room is not None else lesson.room,
        not_id=lesson.id,
    )
    origin = (lesson.moved_from_date or on, lesson.moved_from_number or number)
    await conn.execute(
        s.lessons.update()
        .where(le.id == lesson.id)
        .values(
            date=to_date,
            number=to_number,
            room=(room or None) if room is not None else lesson.room,
            change=ADDED if lesson.change == ADDED else MOVED,
            moved_from_date=None if lesson.change == ADDED else origin[0],
            moved_from_number=None if lesson.change == ADDED else origin[1],
            change_note=note or lesson.change_note,
            **stamp,
        )
    )
    if lesson.change != ADDED and lesson.moved_from_date is None:
        # The old place keeps a cancelled lesson: the day shows it gone, the plan keeps it so.
        await conn.execute(
            s.lessons.insert().values(
                class_id=class_id,
                subject_id=lesson.subject_id,
                teacher_id=lesson.teacher_id,
                date=on,
                number=number,
                room=lesson.room,
                control_form_id=lesson.control_form_id,
                change=CANCELLED,
                change_note=note or None,
                **stamp,
            )
        )
    await _audit(
        conn, actor, "lesson.move", klass, f"{where} -> {to_date} lesson {to_number}", note, now
    )
    return lesson.id


async def _check_subject(conn: AsyncConnection, school_id: int, subject_id: int) -> None:
    sub = s.subjects.c
    found = (
        await conn.execute(
            sa.select(sub.id).where(sub.id == subject_id, sub.school_id == school_id)
        )
    ).scalar()
    if found is None:
        raise AdminError(f"there is no subject with id {subject_id} in this school")


async def _restore(
    conn: AsyncConnection,
    actor: Actor,
    klass: sa.Row,
    rows: list[sa.Row],
    where: str,
    now: dt.datetime,
) -> int:
    """Undo the change of the lesson at this place: as the timetable has it again."""
    le = s.lessons.c
    lesson = next((r for r in rows if r.change not in (None, CANCELLED)), None) or next(
        (r for r in rows if r.change == CANCELLED), None
    )
    if lesson is None:
        raise AdminError(f"{where}: no lesson here has a change to undo")
    plain = {
        "change": None,
        "change_note": None,
        "usual_teacher_id": None,
        "moved_from_date": None,
        "moved_from_number": None,
        "changed_by": actor.user_id,
        "changed_at": now,
    }
    if lesson.change == ADDED:
        held = await _held(conn, lesson.id)
        if held or lesson.topic:
            what = ", ".join(f"{n} {w}" for w, n in held.items()) or "a topic"
            raise AdminError(f"{where}: the extra lesson has {what} and cannot be taken back")
        await conn.execute(s.lessons.delete().where(le.id == lesson.id))
    elif lesson.change == CANCELLED:
        moved = (
            await conn.execute(
                sa.select(le.date, le.number).where(
                    le.class_id == klass.id,
                    le.moved_from_date == lesson.date,
                    le.moved_from_number == lesson.number,
                )
            )
        ).first()
        if moved is not None:
            raise AdminError(
                f"{where} was moved to {moved.date} lesson {moved.number}; restore it there"
            )
        await _busy(
            conn,
            klass.school_id,
            lesson.date,
            lesson.number,
            teacher_id=lesson.teacher_id,
            room=lesson.room,
            not_id=lesson.id,
        )
        await conn.execute(s.lessons.update().where(le.id == lesson.id).values(**plain))
    else:
        values = dict(plain)
        if lesson.usual_teacher_id is not None:
            values["teacher_id"] = lesson.usual_teacher_id
        if lesson.moved_from_date is not None:
            back = await _lessons_at(
                conn, klass.id, lesson.moved_from_date, lesson.moved_from_number
            )
            if _live(back) is not None:
                raise AdminError(
                    f"{klass.name} {lesson.moved_from_date} lesson {lesson.moved_from_number} "
                    "has a lesson again; the moved lesson cannot go back"
                )
            for r in back:  # the cancelled row the move left behind
                if r.change == CANCELLED and not await _held(conn, r.id) and not r.topic:
                    await conn.execute(s.lessons.delete().where(le.id == r.id))
            values.update(date=lesson.moved_from_date, number=lesson.moved_from_number)
        await _busy(
            conn,
            klass.school_id,
            values.get("date", lesson.date),  # type: ignore[arg-type]
            values.get("number", lesson.number),  # type: ignore[arg-type]
            teacher_id=values.get("teacher_id", lesson.teacher_id),  # type: ignore[arg-type]
            room=lesson.room,
            not_id=lesson.id,
        )
        await conn.execute(s.lessons.update().where(le.id == lesson.id).values(**values))
    await _audit(conn, actor, "lesson.restore", klass, where, "", now)
    return lesson.id


async def _audit(
    conn: AsyncConnection,
    actor: Actor,
    action: str,
    klass: sa.Row,
    target: str,
    note: str,
    now: dt.datetime,
) -> None:
    await record(
        conn,
        actor,
        action,
        school_id=klass.school_id,
        target=target,
        detail={"note": note} if note else {},
        class_id=klass.id,
        now=now,
    )


async def day_changes(conn: AsyncConnection, school_id: int, on: dt.date) -> list[DayChange]:
    """The day's lessons that differ from the timetable, by class and lesson."""
    le, c = s.lessons.c, s.classes.c
    teacher, usual = s.users.alias("teacher"), s.users.alias("usual")
    rows = await conn.execute(
        sa.select(
            le.id,
            c.name.label("class_name"),
            le.number,
            s.subjects.c.name.label("subject"),
            teacher.c.full_name.label("teacher"),
            usual.c.full_name.label("usual_teacher"),
            le.change,
            le.change_note,
            le.moved_from_date,
            le.moved_from_number,
        )
        .select_from(
            s.lessons.join(s.classes, c.id == le.class_id)
            .join(s.subjects, s.subjects.c.id == le.subject_id)
            .join(teacher, teacher.c.id == le.teacher_id)
            .outerjoin(usual, usual.c.id == le.usual_teacher_id)
        )
        .where(c.school_id == school_id, le.date == on, le.change.is_not(None))
        .order_by(c.grade, c.name, le.number, le.id)
    )
    return [
        DayChange(
            r.id,
            r.class_name,
            r.number,
            r.subject,
            r.teacher,
            r.usual_teacher,
            r.change,
            r.change_note or "",
            (r.moved_from_date, r.moved_from_number) if r.moved_from_date is not None else None,
        )
        for r in rows
    ]


__all__ = [
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
