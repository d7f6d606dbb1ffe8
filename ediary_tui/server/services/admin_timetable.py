"""The day's timetable changes as the admin sees and makes them: a replacement teacher, a
cancelled, moved or added lesson, or a lesson put back as the timetable has it.

The rules are the school package's (school/timetable.py); this module checks what
the caller sent, keeps the admin to their own school, and says the day's changes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import DayChange, DayChanges, LessonChanged, LessonChangeIn

from ..auth import Caller
from ..ids import parse_body_id
from ..school import timetable as plan
from ..settings import ServerContext
from .admin_classes import class_of
from .admin_common import actor, refusals, school_of
from .common import check_date, check_line, school_timezone


def _change(found: plan.DayChange) -> DayChange:
    return DayChange(
        lesson_id=str(found.lesson_id),
        class_name=found.class_name,
        number=found.number,
        subject=found.subject,
        teacher=found.teacher,
        usual_teacher=found.usual_teacher,
        kind=found.kind,
        note=found.note or "",
        moved_from_date=found.moved_from[0] if found.moved_from else None,
        moved_from_number=found.moved_from[1] if found.moved_from else None,
    )


async def _changes(conn: AsyncConnection, school_id: int, on: dt.date) -> list[DayChange]:
    return [_change(c) for c in await plan.day_changes(conn, school_id, on)]


async def day_changes(ctx: ServerContext, caller: Caller, on: dt.date | None) -> DayChanges:
    """The lessons of the day (the school's today if None) that are not as planned."""
    check_date(on, "date")
    school_id = school_of(caller)
    async with ctx.engine.connect() as conn:
        day = on or ctx.now().astimezone(await school_timezone(conn, school_id)).date()
        return DayChanges(date=day, changes=await _changes(conn, school_id, day))


async def change_lesson(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, body: LessonChangeIn
) -> LessonChanged:
    """One change to one lesson of one day (in the caller's transaction, for create.once)."""
    check_date(body.date, "date")
    check_date(body.to_date, "to_date")
    check_line(body.room, "room")
    check_line(body.note, "note")
    school_id = school_of(caller)
    klass = await class_of(conn, school_id, parse_body_id(body.class_id, "class_id"))
    teacher = None if body.teacher_id is None else parse_body_id(body.teacher_id, "teacher_id")
    subject = None if body.subject_id is None else parse_body_id(body.subject_id, "subject_id")
    async with refusals():
        lesson_id = await plan.change_lesson(
            conn,
            actor(caller),
            school_id,
            class_id=klass.id,
            on=body.date,
            number=body.number,
            kind=body.kind.value,
            teacher_id=teacher,
            subject_id=subject,
            room=(body.room or "").strip() or None,
            to_date=body.to_date,
            to_number=body.to_number,
            note=body.note.strip(),
            now=ctx.now(),
        )
    return LessonChanged(
        lesson_id=str(lesson_id),
        date=body.date,
        changes=await _changes(conn, school_id, body.date),
    )
