"""Year marks: set by the subject's teacher once the school year's last period is under way.

The rollover proposes a year mark from the period marks for whoever has none;
a teacher who sets one here decides, and the rollover keeps it. Before the
last period (the fourth quarter, the second half-year) has begun there is no
year to sum up, so a year mark then is refused (422), as is one for an
archived year (403).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import PersonRef, YearMarkIn, YearMarkOut
from ediary_tui.domain.periods import period_kind_for_grade

from .. import schema as s
from ..access import StudentInfo, journal_rights, load_student
from ..auth import Caller
from ..changes import record_about
from ..errors import Invalid
from ..ids import parse_body_id
from ..settings import ServerContext
from ..upsert import put_or_clear
from .lessons import require_teacher
from .marks import check_value
from .week import periods_of, school_and_zone


async def _student(conn: AsyncConnection, student_id: int) -> StudentInfo:
    student = await load_student(conn, student_id)
    if student is None:
        raise Invalid("no such student", code="student_not_found", field="student_id")
    return student


async def _subject_name(conn: AsyncConnection, school_id: int, subject_id: int) -> str:
    sub = s.subjects
    name = (
        await conn.execute(
            sa.select(sub.c.name).where(sub.c.id == subject_id, sub.c.school_id == school_id)
        )
    ).scalar()
    if name is None:
        raise Invalid("no such subject", code="subject_not_found", field="subject_id")
    return name


async def _check_last_period_begun(
    conn: AsyncConnection, ctx: ServerContext, student: StudentInfo
) -> None:
    """422 `year_not_over` until the last period of the student's year has begun."""
    _settings, tz = await school_and_zone(conn, student.school_id)
    periods = await periods_of(
        conn, student.school_id, period_kind_for_grade(student.grade), year=student.year
    )
    if not periods:
        raise Invalid(
            "the school year has no periods set up yet", code="no_periods", field="subject_id"
        )
    last = max(periods, key=lambda p: p.number)
    if ctx.today(tz.key) < last.starts_on:
        raise Invalid(
            f"a year mark is set once the {last.name} has begun ({last.starts_on.isoformat()})",
            code="year_not_over",
            field="value",
        )


async def set_year_mark(ctx: ServerContext, caller: Caller, body: YearMarkIn) -> YearMarkOut:
    """Set, change or (with a null value) remove a student's year mark in a subject."""
    require_teacher(caller)
    student_id = parse_body_id(body.student_id, "student_id")
    subject_id = parse_body_id(body.subject_id, "subject_id")
    ym = s.year_marks
    async with ctx.engine.begin() as conn:
        student = await _student(conn, student_id)
        subject = await _subject_name(conn, student.school_id, subject_id)
        await journal_rights(conn, caller, student.class_id, subject_id, write=True)
        await _check_last_period_begun(conn, ctx, student)
        if body.value is not None:
            settings, _tz = await school_and_zone(conn, student.school_id)
            check_value(body.value, settings)
        where = (
            ym.c.student_id == student.id,
            ym.c.subject_id == subject_id,
            ym.c.year == student.year,
        )
        answer = YearMarkOut(
            student_id=str(student.id),
            subject_id=str(subject_id),
            year=student.year,
            value=body.value,
        )
        before = (
            await conn.execute(sa.select(ym.c.value).where(*where).with_for_update())
        ).scalar()
        if before == body.value:
            return answer
        now = ctx.now()
        changed = await put_or_clear(
            conn,
            ym,
            {"student_id": student.id, "subject_id": subject_id, "year": student.year},
            "value",
            body.value,
            {"set_by": caller.id, "set_at": now},
        )
        if not changed:  # a twin request did it first: it records the change
            return answer
        shown = "removed" if body.value is None else str(body.value)
        await record_about(
            conn,
            ctx,
            student,
            kind="year_mark",
            summary=f"year mark: {shown} — {subject}",
            entity_id=subject_id,
            data={
                "subject": subject,
                "subject_id": str(subject_id),
                "year": student.year,
                "value": body.value,
                "from": before,
            },
        )
        if body.value is None:
            return answer
        return answer.model_copy(
            update={
                "set_by": PersonRef(id=str(caller.id), full_name=caller.full_name),
                "set_at": now,
            }
        )
