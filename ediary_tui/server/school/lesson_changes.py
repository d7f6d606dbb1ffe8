"""One-day changes to the timetable: a replacement teacher, a cancelled, moved or extra
lesson, and undoing them.

A change is written on the lesson's row (`change`, `change_note`, `usual_teacher_id`,
`moved_from_*`, `changed_by`, `changed_at`), so that the diary shows it as such and
a regenerated plan keeps it (lesson_plan.py keeps a lesson with a change). It is
checked against that day's lessons: a teacher or a room is in one lesson at a time.
A lesson moved away leaves a cancelled row in its old place: the day shows it gone,
and the plan does not make it again. A lesson with marks is not cancelled. Each change
is audited with the class, so the class's families' weeks are read afresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.periods import period_kind_for_grade

from .. import schema as s
from ..db import lock_rows
from .audit import Actor, record
from .errors import AdminError
from .lesson_plan import default_form, school_days
from .structure import class_row, teacher_login

KINDS = ("replace", "cancel", "move", "add", "restore")
REPLACED, CANCELLED, MOVED, ADDED = "replaced", "cancelled", "moved", "added"


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
    # One change at a time in the school: each is checked against the day's other lessons.
    await lock_rows(conn, s.schools, s.schools.c.id == school_id)
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
        # No teaching assignment: the teacher of an extra lesson opens the subject's
        # journal around that day only (auth.Caller.teaching, STAND_IN_DAYS).
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
        # No teaching assignment: a stand-in's journal rights last the days around the
        # lesson (auth.Caller.teaching, STAND_IN_DAYS), and end by themselves.
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
    if (to_date, to_number) == (lesson.moved_from_date, lesson.moved_from_number):
        return await _restore(conn, actor, klass, rows, where, now)  # back where it was
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
        on, number = lesson.date, lesson.number
        teacher_id = lesson.usual_teacher_id or lesson.teacher_id
        if lesson.moved_from_date is not None:
            on, number = lesson.moved_from_date, lesson.moved_from_number
            back = await _lessons_at(conn, klass.id, on, number)
            if _live(back) is not None:
                raise AdminError(
                    f"{klass.name} {on} lesson {number} has a lesson again; "
                    "the moved lesson cannot go back"
                )
            for r in back:  # the cancelled row the move left behind
                if r.change == CANCELLED and not await _held(conn, r.id) and not r.topic:
                    await conn.execute(s.lessons.delete().where(le.id == r.id))
        await _busy(
            conn,
            klass.school_id,
            on,
            number,
            teacher_id=teacher_id,
            room=lesson.room,
            not_id=lesson.id,
        )
        await conn.execute(
            s.lessons.update()
            .where(le.id == lesson.id)
            .values(date=on, number=number, teacher_id=teacher_id, **plain)
        )
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


__all__ = ["KINDS", "DayChange", "change_lesson", "day_changes"]
