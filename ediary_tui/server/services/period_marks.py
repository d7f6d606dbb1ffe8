"""Period (quarter or half-year) marks: proposed from the average, set by the subject's teacher.

The journal shows the proposal (`proposed_mark` of the weighted average); the
teacher decides. A closed period is final, like the marks in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import PeriodMarkIn, PeriodMarkOut, PersonRef
from ediary_tui.domain.periods import period_kind_for_grade

from .. import schema as s
from ..access import StudentInfo, check_year_open, journal_rights, load_student
from ..auth import Caller
from ..changes import record_about
from ..errors import Conflict, Invalid
from ..ids import parse_body_id
from ..settings import ServerContext
from ..upsert import put_or_clear
from .lessons import check_open, require_teacher
from .marks import check_value
from .week import school_and_zone


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


async def school_period(conn: AsyncConnection, period_id: int, school_id: int, grade: int) -> Any:
    """A period of the school of the kind the grade is marked by (quarters or halves), or 422;
    403 for a period of an archived year, whatever grade the student is in now."""
    p = s.periods
    row = (
        await conn.execute(sa.select(p).where(p.c.id == period_id, p.c.school_id == school_id))
    ).first()
    if row is None:
        raise Invalid("no such period", code="period_not_found", field="period_id")
    await check_year_open(conn, school_id, row.year)
    kind = period_kind_for_grade(grade)
    if row.kind != kind:
        raise Invalid(
            f"grade {grade} is marked by {kind}s, not by {row.kind}s",
            code="wrong_period_kind",
            field="period_id",
        )
    return row


async def _student(conn: AsyncConnection, student_id: int) -> StudentInfo:
    student = await load_student(conn, student_id)
    if student is None:
        raise Invalid("no such student", code="student_not_found", field="student_id")
    return student


async def _as_set(
    conn: AsyncConnection, answer: PeriodMarkOut, where: tuple[sa.ColumnElement[bool], ...]
) -> PeriodMarkOut:
    """The answer to a write that changed nothing: the mark as it stands, with who set it."""
    pm, u = s.period_marks, s.users
    row = (
        await conn.execute(
            sa.select(pm.c.set_by, pm.c.set_at, u.c.full_name)
            .join(u, u.c.id == pm.c.set_by)
            .where(*where)
        )
    ).first()
    if row is None:
        return answer
    return answer.model_copy(
        update={
            "set_by": PersonRef(id=str(row.set_by), full_name=row.full_name),
            "set_at": row.set_at,
        }
    )


def check_version(body: PeriodMarkIn, stored: Any | None) -> None:
    """409 when the caller sent the version it replaces (`expected_set_at`, null: none)
    and the stored mark is another: someone set it since, and nothing is overwritten unseen.
    A write that asks for what is stored already was done (a resend): no conflict."""
    before = stored.value if stored is not None else None
    if "expected_set_at" not in body.model_fields_set or before == body.value:
        return
    expected = body.expected_set_at
    if expected is not None and expected.tzinfo is None:
        expected = expected.replace(tzinfo=dt.UTC)
    found = stored.set_at if stored is not None else None
    if found == expected:
        return
    if stored is None:
        now = "it has been removed"
    else:
        now = f"it is {stored.value} now, set by {stored.full_name}"
    raise Conflict(
        f"the period mark was changed since you saw it: {now}",
        code="period_mark_changed",
        field="expected_set_at",
    )


async def set_period_mark(ctx: ServerContext, caller: Caller, body: PeriodMarkIn) -> PeriodMarkOut:
    """Set, change or (with a null value) remove a student's period mark in a subject;
    with `expected_set_at`, only if the stored one is still the version the caller saw."""
    require_teacher(caller)
    student_id = parse_body_id(body.student_id, "student_id")
    subject_id = parse_body_id(body.subject_id, "subject_id")
    period_id = parse_body_id(body.period_id, "period_id")
    pm = s.period_marks
    async with ctx.engine.begin() as conn:
        student = await _student(conn, student_id)
        subject = await _subject_name(conn, student.school_id, subject_id)
        await journal_rights(conn, caller, student.class_id, subject_id, write=True)
        period = await school_period(conn, period_id, student.school_id, student.grade)
        check_open(period)
        if body.value is not None:
            settings, _tz = await school_and_zone(conn, student.school_id)
            check_value(body.value, settings)
        where = (
            pm.c.student_id == student.id,
            pm.c.subject_id == subject_id,
            pm.c.period_id == period.id,
        )
        answer = PeriodMarkOut(
            student_id=str(student.id),
            subject_id=str(subject_id),
            period_id=str(period.id),
            value=body.value,
        )
        # Locked where it exists, so the change says truly what it replaced.
        stored = (
            await conn.execute(
                sa.select(pm.c.value, pm.c.set_at, pm.c.set_by, s.users.c.full_name)
                .join(s.users, s.users.c.id == pm.c.set_by)
                .where(*where)
                .with_for_update(of=pm)
            )
        ).first()
        before = stored.value if stored is not None else None
        check_version(body, stored)
        if before == body.value:
            return await _as_set(conn, answer, where)
        now = ctx.now()
        changed = await put_or_clear(
            conn,
            pm,
            {"student_id": student.id, "subject_id": subject_id, "period_id": period.id},
            "value",
            body.value,
            {"set_by": caller.id, "set_at": now},
        )
        if not changed:  # a twin request did it first: it records the change
            return answer if body.value is None else await _as_set(conn, answer, where)
        shown = "removed" if body.value is None else str(body.value)
        await record_about(
            conn,
            ctx,
            student,
            kind="period_mark",
            summary=f"{period.name}: {shown} — {subject}",
            entity_id=period.id,
            data={
                "subject": subject,
                "subject_id": str(subject_id),
                "period_id": str(period.id),
                "period": period.name,
                "value": body.value,
                "from": before,
                "set_at": now.isoformat(),
                "by": caller.full_name,
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
