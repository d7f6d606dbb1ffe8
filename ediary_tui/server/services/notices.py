"""Notices of absence: a parent says in advance (or after) that a child will miss lessons.

Giving a notice marks the child's lessons in its range `excused` in the
journal, without overwriting what a teacher already knows better (`ill`,
`late`, or an `excused` of their own); withdrawing it takes back only the
codes a notice set. The schema has no link from an attendance code to its
notice, so "set by a notice" is read from `by_id`: the notice's author (or
nobody, as the demo school's notices leave it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import (
    AbsenceNotice,
    AbsenceNoticeIn,
    AbsenceNoticeList,
    AttendanceCode,
    PersonRef,
)
from ediary_tui.domain.periods import school_year_of

from .. import schema as s
from ..access import StudentInfo, check_day_open, parent_of, readable_student
from ..auth import Caller
from ..changes import record_about
from ..db import lock_rows
from ..errors import Conflict, Invalid, NotAllowed, NotFound
from ..settings import ServerContext
from ..upsert import upsert_many
from .common import bells, check_text, from_columns, lesson_span, school_timezone

MAX_NOTICE_DAYS = 60
# A notice's lesson range when it covers whole days.
ALL_LESSONS = (1, 99)


def notice_state(date_from: dt.date, date_to: dt.date, today: dt.date) -> str:
    if today < date_from:
        return "upcoming"
    if today <= date_to:
        return "current"
    return "past"


def days_text(first: dt.date, last: dt.date) -> str:
    """25.11.2026, or 25.11.2026–27.11.2026: one day is one date."""
    return f"{first:%d.%m.%Y}" if first == last else f"{first:%d.%m.%Y}–{last:%d.%m.%Y}"


def _notice(r: Any, today: dt.date) -> AbsenceNotice:
    return from_columns(
        AbsenceNotice,
        r._mapping,
        author=PersonRef(id=str(r.author_id), full_name=r.author_name),
        from_=r.from_date,
        to=r.to_date,
        comment=r.comment or "",
        state=notice_state(r.from_date, r.to_date, today),
    )


def _select() -> sa.Select[Any]:
    n, u = s.absence_notices, s.users
    return sa.select(n, u.c.full_name.label("author_name")).join(u, u.c.id == n.c.author_id)


async def _today(conn: AsyncConnection, ctx: ServerContext, student: StudentInfo) -> dt.date:
    tz = await school_timezone(conn, student.school_id)
    return ctx.today(tz.key)


async def list_notices(ctx: ServerContext, caller: Caller, student_id: int) -> AbsenceNoticeList:
    """The child's notices in force, newest first."""
    n = s.absence_notices
    async with ctx.engine.connect() as conn:
        student = await readable_student(conn, caller, student_id)
        today = await _today(conn, ctx, student)
        rows = await conn.execute(
            _select()
            .where(n.c.student_id == student.id, n.c.withdrawn_at.is_(None))
            .order_by(n.c.created_at.desc(), n.c.id.desc())
        )
        return AbsenceNoticeList(notices=[_notice(r, today) for r in rows])


def _lesson_range(first: int | None, last: int | None) -> tuple[int, int]:
    return (first or ALL_LESSONS[0], last or ALL_LESSONS[1])


def _validate(body: AbsenceNoticeIn, today: dt.date) -> None:
    check_text(body.comment, "comment")
    if body.to < body.from_:
        raise Invalid("the notice ends before it begins", code="range_reversed", field="to")
    days = (body.to - body.from_).days + 1
    if days > MAX_NOTICE_DAYS:
        raise Invalid(
            f"a notice covers at most {MAX_NOTICE_DAYS} days; this one covers {days}",
            code="range_too_long",
            field="to",
        )
    year = school_year_of(today)
    year_first, year_last = dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
    if body.from_ < year_first:
        raise Invalid(
            f"a notice must fall in the current school year (from {year_first:%d.%m.%Y})",
            code="outside_school_year",
            field="from",
        )
    if body.to > year_last:
        raise Invalid(
            f"a notice must fall in the current school year (until {year_last:%d.%m.%Y})",
            code="outside_school_year",
            field="to",
        )
    if body.first_lesson is not None or body.last_lesson is not None:
        field = "first_lesson" if body.first_lesson is not None else "last_lesson"
        if body.from_ != body.to:
            raise Invalid(
                "first and last lesson are for part of one day: give the same `from` and `to`",
                code="lessons_need_one_day",
                field=field,
            )
        first, last = _lesson_range(body.first_lesson, body.last_lesson)
        if last < first:
            raise Invalid(
                "the last lesson comes before the first one",
                code="lessons_reversed",
                field="last_lesson",
            )


async def _check_overlap(
    conn: AsyncConnection, student: StudentInfo, body: AbsenceNoticeIn
) -> None:
    """409 naming the notice in force that this one would overlap.

    Called with the student's notices locked (`lock_rows` on the student), so two
    overlapping notices given at once cannot both pass.
    """
    n = s.absence_notices
    rows = await conn.execute(
        sa.select(n.c.from_date, n.c.to_date, n.c.first_lesson, n.c.last_lesson)
        .where(
            n.c.student_id == student.id,
            n.c.withdrawn_at.is_(None),
            n.c.from_date <= body.to,
            n.c.to_date >= body.from_,
        )
        .order_by(n.c.from_date)
    )
    mine = _lesson_range(body.first_lesson, body.last_lesson)
    for r in rows:
        theirs = _lesson_range(r.first_lesson, r.last_lesson)
        if theirs[0] <= mine[1] and mine[0] <= theirs[1]:
            lessons = "" if theirs == ALL_LESSONS else f", lessons {theirs[0]}–{theirs[1]}"
            raise Conflict(
                f"there is already a notice for {days_text(r.from_date, r.to_date)}{lessons}; "
                "withdraw it first or choose other dates",
                code="notice_overlaps",
            )


def _covered(student: StudentInfo, row: Any) -> sa.Select[Any]:
    """The class's lessons a notice covers (by date and, for part of a day, by number)."""
    le = s.lessons
    first, last = _lesson_range(row.first_lesson, row.last_lesson)
    return sa.select(le.c.id).where(
        le.c.class_id == student.class_id,
        le.c.date.between(row.from_date, row.to_date),
        le.c.number.between(first, last),
    )


async def _check_lessons(
    conn: AsyncConnection, student: StudentInfo, body: AbsenceNoticeIn
) -> None:
    """422 for a notice over days the class has no lessons (holidays, days off).

    Such a notice excuses nothing, and once its days are past it could not be withdrawn
    either. Days beyond the lessons planned so far are taken on trust: their lessons
    are not in the timetable yet.
    """
    le = s.lessons
    first, last = _lesson_range(body.first_lesson, body.last_lesson)
    of_class = le.c.class_id == student.class_id
    covered = await conn.scalar(
        sa.select(sa.func.count())
        .select_from(le)
        .where(of_class, le.c.date.between(body.from_, body.to), le.c.number.between(first, last))
    )
    if covered:
        return
    planned_after = await conn.scalar(
        sa.select(sa.func.count()).select_from(le).where(of_class, le.c.date > body.to)
    )
    if planned_after:
        raise Invalid(
            "the class has no lessons on these days (a holiday or a day off): "
            "a notice covers days with lessons",
            code="no_lessons",
            field="from",
        )


async def _excuse(
    conn: AsyncConnection, ctx: ServerContext, student: StudentInfo, row: Any, author_id: int
) -> int:
    """Mark the covered lessons excused, except where a teacher already knows better."""
    att = s.attendance
    lesson_ids = [r.id for r in await conn.execute(_covered(student, row))]
    now = ctx.now()
    # One statement: a code the teacher puts at the same moment is either there
    # first (and kept, unless `absent`) or comes after; never a duplicate row.
    written = await upsert_many(
        conn,
        att,
        [
            {
                "lesson_id": i,
                "student_id": student.id,
                "code": AttendanceCode.EXCUSED.value,
                "by_id": author_id,
                "updated_at": now,
            }
            for i in lesson_ids
        ],
        conflict=("lesson_id", "student_id"),
        where=att.c.code == AttendanceCode.ABSENT.value,
        returning=(att.c.lesson_id,),
    )
    return len(written)


async def create_notice(
    conn: AsyncConnection,
    ctx: ServerContext,
    caller: Caller,
    student_id: int,
    body: AbsenceNoticeIn,
) -> AbsenceNotice:
    """Give a notice (inside the caller's transaction, so `create_once` can replay it)."""
    student = await readable_student(conn, caller, student_id)
    await parent_of(conn, caller, student)
    today = await _today(conn, ctx, student)
    _validate(body, today)
    for day in (body.from_, body.to):
        await check_day_open(conn, student.school_id, day)
    await _check_lessons(conn, student, body)
    await lock_rows(conn, s.students, s.students.c.user_id == student.id)
    await _check_overlap(conn, student, body)
    n = s.absence_notices
    now = ctx.now()
    inserted = await conn.execute(
        n.insert().values(
            student_id=student.id,
            author_id=caller.id,
            from_date=body.from_,
            to_date=body.to,
            first_lesson=body.first_lesson,
            last_lesson=body.last_lesson,
            reason=body.reason.value,
            comment=body.comment,
            created_at=now,
        )
    )
    notice_id = inserted.inserted_primary_key[0]
    row = (await conn.execute(_select().where(n.c.id == notice_id))).one()
    excused = await _excuse(conn, ctx, student, row, caller.id)
    await record_about(
        conn,
        ctx,
        student,
        kind="notice",
        summary=f"{student.full_name}: notice of absence "
        f"{days_text(body.from_, body.to)} ({body.reason.value})",
        entity_id=notice_id,
        data={
            "from": body.from_.isoformat(),
            "to": body.to.isoformat(),
            "reason": body.reason.value,
            "lessons_excused": excused,
        },
    )
    return _notice(row, today)


async def _starts_at(conn: AsyncConnection, student: StudentInfo, row: Any) -> dt.datetime:
    """When a notice takes effect: the start of the first lesson it covers on its first day."""
    tz = await school_timezone(conn, student.school_id)
    bell = await bells(conn, student.school_id)
    first, last = _lesson_range(row.first_lesson, row.last_lesson)
    numbers = [n for n in sorted(bell) if first <= n <= last]
    if not numbers:
        return dt.datetime.combine(row.from_date, dt.time(0, 0), tz)
    return lesson_span(row.from_date, numbers[0], bell, tz)[0]


async def withdraw_notice(
    ctx: ServerContext, caller: Caller, student_id: int, notice_id: int
) -> None:
    """Its author takes a notice back before it starts; the lessons lose its `excused`."""
    n, att = s.absence_notices, s.attendance
    async with ctx.engine.begin() as conn:
        student = await readable_student(conn, caller, student_id)
        # One writer of the child's notices at a time: a twin request finds it withdrawn.
        await lock_rows(conn, s.students, s.students.c.user_id == student.id)
        row = (
            await conn.execute(
                _select().where(
                    n.c.id == notice_id, n.c.student_id == student.id, n.c.withdrawn_at.is_(None)
                )
            )
        ).first()
        if row is None:
            raise NotFound("no such notice of absence", code="notice_not_found")
        if row.author_id != caller.id:
            raise NotAllowed(
                "only the parent who gave this notice may withdraw it", code="not_notice_author"
            )
        await check_day_open(conn, student.school_id, row.from_date)
        now = ctx.now()
        if now >= await _starts_at(conn, student, row):
            raise Conflict(
                "this notice has already started; ask the class teacher to correct the journal",
                code="notice_started",
            )
        await conn.execute(n.update().where(n.c.id == row.id).values(withdrawn_at=now))
        await conn.execute(
            att.delete().where(
                att.c.student_id == student.id,
                att.c.code == AttendanceCode.EXCUSED.value,
                att.c.lesson_id.in_(_covered(student, row)),
                sa.or_(att.c.by_id == row.author_id, att.c.by_id.is_(None)),
            )
        )
        await record_about(
            conn,
            ctx,
            student,
            kind="notice_withdrawn",
            summary=f"{student.full_name}: notice of absence "
            f"{days_text(row.from_date, row.to_date)} withdrawn",
            entity_id=row.id,
            data={"from": row.from_date.isoformat(), "to": row.to_date.isoformat()},
        )
