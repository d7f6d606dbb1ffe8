"""Homework as a student sees it: what was set, when it is due, and whether it is done.

`done` is per student, so every read joins that student's tick; `due` is the
date the teacher chose (`homework.due_on`), else the next lesson of the
subject, found by a correlated subquery in the same read rather than one
query per homework.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Homework, HomeworkList, SubjectRef
from ediary_tui.domain.periods import week_start

from .. import schema as s
from ..access import StudentInfo, check_day_open, readable_student
from ..auth import Caller
from ..changes import record_about
from ..errors import Invalid, NotAllowed, NotFound
from ..ids import parse_body_id
from ..settings import ServerContext
from ..upsert import upsert
from .common import check_date, from_columns, school_timezone

# Longer ranges are a client bug or a scrape, not a screen: a school year and a bit.
MAX_RANGE_DAYS = 400


def check_due(due: dt.date | None, lesson_date: dt.date) -> None:
    """A chosen due date: a real date, not before the lesson the homework is set in (422 `due`)."""
    if due is None:
        return
    check_date(due, "due")
    if due < lesson_date:
        raise Invalid(
            f"homework is due on or after its lesson ({lesson_date.isoformat()}), "
            f"not on {due.isoformat()}",
            code="due_before_lesson",
            field="due",
        )


def check_range(date_from: dt.date, date_to: dt.date) -> None:
    """A date range the caller asked for: in order and of a sensible length (422 on `to`)."""
    if date_to < date_from:
        raise Invalid("`to` is before `from`", code="range_reversed", field="to")
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        raise Invalid(
            f"ask for at most {MAX_RANGE_DAYS} days at a time", code="range_too_long", field="to"
        )


def optional_id(value: str | None, field: str) -> int | None:
    """An id in a query filter: absent is fine, malformed is the caller's mistake (422)."""
    return None if value in (None, "") else parse_body_id(value, field)


def checked_filter(
    date_from: dt.date | None, date_to: dt.date | None, subject_id: str | None
) -> int | None:
    """What a caller sent to narrow lessons by dates and subject, checked before any query
    (422 naming the field); the subject's id."""
    subject = optional_id(subject_id, "subject_id")
    check_date(date_from, "from")
    check_date(date_to, "to")
    return subject


def lessons_between(
    date_from: dt.date, date_to: dt.date, subject: int | None
) -> list[sa.ColumnElement[bool]]:
    """Lessons from `date_from` to `date_to` (a range checked here), of one subject if given."""
    check_range(date_from, date_to)
    le = s.lessons
    where = [le.c.date.between(date_from, date_to)]
    if subject is not None:
        where.append(le.c.subject_id == subject)
    return where


_FOLLOWING = s.lessons.alias("following")  # built once; an alias per call costs its columns again


def homework_select(done_by: int | None = None) -> sa.Select[Any]:
    """Homework with its lesson and due date (the one chosen, else the next lesson of the
    subject); with `done_by`, also when that student ticked it done (`done_at`)."""
    hw, le, sub, done = s.homework, s.lessons, s.subjects, s.homework_done
    following = _FOLLOWING
    next_lesson = (
        sa.select(sa.func.min(following.c.date))
        .where(
            following.c.class_id == le.c.class_id,
            following.c.subject_id == le.c.subject_id,
            following.c.date > le.c.date,
        )
        .scalar_subquery()
    )
    due = sa.func.coalesce(hw.c.due_on, next_lesson)
    query = (
        sa.select(
            hw.c.id,
            hw.c.lesson_id,
            hw.c.text,
            hw.c.required,
            hw.c.created_at,
            hw.c.updated_at,
            le.c.date,
            le.c.subject_id,
            sub.c.name.label("subject_name"),
            sa.type_coerce(due, sa.Date).label("due"),
        )
        .select_from(hw.join(le, le.c.id == hw.c.lesson_id).join(sub, sub.c.id == le.c.subject_id))
        .order_by(le.c.date, le.c.number, hw.c.id)
    )
    if done_by is None:
        return query
    return query.add_columns(done.c.done_at).outerjoin(
        done, sa.and_(done.c.homework_id == hw.c.id, done.c.student_id == done_by)
    )


def homework_of(r: Any, *, done: bool = False) -> Homework:
    """A row of `homework_select` as the API shows it."""
    return from_columns(
        Homework,
        r._mapping,
        subject=SubjectRef(id=str(r.subject_id), name=r.subject_name),
        done=done,
    )


async def homework_rows(
    conn: AsyncConnection, student: StudentInfo, *where: sa.ColumnElement[bool]
) -> list[Homework]:
    """Homework of the student's classes matching `where` (columns of homework and lessons):
    the class they are in, and those of earlier years they were enrolled in."""
    le, e = s.lessons, s.enrollments
    theirs = sa.or_(
        le.c.class_id == student.class_id,
        le.c.class_id.in_(sa.select(e.c.class_id).where(e.c.student_id == student.id)),
    )
    rows = await conn.execute(homework_select(student.id).where(theirs, *where))
    return [homework_of(r, done=r.done_at is not None) for r in rows]


async def list_homework(
    ctx: ServerContext,
    caller: Caller,
    student_id: int,
    date_from: dt.date | None,
    date_to: dt.date | None,
    subject_id: str | None,
    required: bool | None,
) -> HomeworkList:
    """Homework set in lessons from `date_from` to `date_to` (this week by default)."""
    subject = checked_filter(date_from, date_to, subject_id)
    async with ctx.engine.connect() as conn:
        student = await readable_student(conn, caller, student_id)
        if date_from is None or date_to is None:
            tz = await school_timezone(conn, student.school_id)
            monday = week_start(date_from or date_to or ctx.today(tz.key))
            date_from = date_from or monday
            date_to = date_to or week_start(date_from) + dt.timedelta(days=6)
        where = lessons_between(date_from, date_to, subject)
        if required is not None:
            where.append(s.homework.c.required == required)
        return HomeworkList(homework=await homework_rows(conn, student, *where))


async def set_done(
    ctx: ServerContext, caller: Caller, student_id: int, homework_id: int, done: bool
) -> Homework:
    """The student ticks (or unticks) their own homework; nobody ticks it for them."""
    async with ctx.engine.begin() as conn:
        student = await readable_student(conn, caller, student_id)
        if caller.id != student.id:
            raise NotAllowed(
                "only the student can mark their homework done; parents and teachers see the tick",
                code="not_the_student",
            )
        found = await homework_rows(conn, student, s.homework.c.id == homework_id)
        if not found:
            raise NotFound("no such homework", code="homework_not_found")
        current = found[0]
        if current.done == done:
            return current
        await check_day_open(conn, student.school_id, current.date)
        hd = s.homework_done
        if done:
            # One statement: a twin request racing on the tick not there yet finds it.
            written = await upsert(
                conn,
                hd,
                {"homework_id": homework_id, "student_id": student.id, "done_at": ctx.now()},
                conflict=("homework_id", "student_id"),
                update={},
                returning=(hd.c.homework_id,),
            )
        else:
            removed = await conn.execute(
                hd.delete()
                .where(hd.c.homework_id == homework_id, hd.c.student_id == student.id)
                .returning(hd.c.homework_id)
            )
            written = removed.first()
        if written is None:  # a twin request did it first: nothing changed here
            return current.model_copy(update={"done": done})
        await record_about(
            conn,
            ctx,
            student,
            kind="homework_done",
            summary=f"{student.full_name}: {current.subject.name} homework "
            + ("done" if done else "not done"),
            entity_id=homework_id,
            data={"done": done, "lesson_id": current.lesson_id},
        )
        return current.model_copy(update={"done": done})
