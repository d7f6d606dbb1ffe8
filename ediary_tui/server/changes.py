"""The change feed: every write records what changed, for whom it is visible.

A change carries the school, and the narrowest of: the user it is for
(messages), the student it is about (marks, attendance), or the class
(homework, announcements); none of these means the whole school.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Change, ChangeFeed, Role

from . import schema as s
from .access import StudentInfo, load_student
from .auth import Caller
from .errors import Invalid
from .ids import MAX_ID, ascii_number, sid
from .settings import ServerContext


async def record(
    conn: AsyncConnection,
    ctx: ServerContext,
    *,
    school_id: int,
    kind: str,
    summary: str = "",
    student_id: int | None = None,
    class_id: int | None = None,
    user_id: int | None = None,
    entity_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        s.changes.insert().values(
            school_id=school_id,
            kind=kind,
            at=ctx.now(),
            student_id=student_id,
            class_id=class_id,
            user_id=user_id,
            entity_id=entity_id,
            summary=summary[:300],
            data=data or {},
        )
    )


async def record_about(
    conn: AsyncConnection,
    ctx: ServerContext,
    student: StudentInfo,
    *,
    kind: str,
    summary: str,
    entity_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """A change about one student: seen by those who may read the student."""
    await record(
        conn,
        ctx,
        school_id=student.school_id,
        kind=kind,
        summary=summary,
        student_id=student.id,
        class_id=student.class_id,
        entity_id=entity_id,
        data=data,
    )


async def _visibility(conn: AsyncConnection, caller: Caller) -> sa.ColumnElement[bool]:
    c = s.changes.c
    mine = c.user_id == caller.id
    if caller.has(Role.ADMIN) and caller.school_id is not None:
        return sa.or_(mine, sa.and_(c.user_id.is_(None), c.school_id == caller.school_id))
    students: set[int] = set()
    classes: set[int] = set()
    schools: set[int] = set()
    if caller.school_id is not None:
        schools.add(caller.school_id)
    if caller.has(Role.STUDENT):
        students.add(caller.id)
        me = await load_student(conn, caller.id)
        if me:
            classes.add(me.class_id)
            schools.add(me.school_id)
    for child_id in await caller.children(conn):
        students.add(child_id)
        child = await load_student(conn, child_id)
        if child:
            classes.add(child.class_id)
            schools.add(child.school_id)
    staff_classes = await caller.staff_classes(conn) if caller.is_staff else set()
    about_student = sa.and_(
        c.user_id.is_(None),
        c.student_id.is_not(None),
        sa.or_(c.student_id.in_(students or {0}), c.class_id.in_(staff_classes or {0})),
    )
    about_class = sa.and_(
        c.user_id.is_(None),
        c.student_id.is_(None),
        c.class_id.is_not(None),
        c.class_id.in_((classes | staff_classes) or {0}),
    )
    school_wide = sa.and_(
        c.user_id.is_(None),
        c.student_id.is_(None),
        c.class_id.is_(None),
        c.school_id.in_(schools or {0}),
    )
    return sa.or_(mine, about_student, about_class, school_wide)


def _parse_cursor(since: str | None) -> int | None:
    if since in (None, ""):
        return None
    cursor = ascii_number(since)
    if cursor is None or cursor > MAX_ID:
        raise Invalid(
            "since must be a cursor this server gave you", code="invalid_cursor", field="since"
        )
    return cursor


def parse_moment(text: str | None) -> dt.datetime | None:
    """`after` as an ISO 8601 moment (UTC where it names no offset), or a 422 saying so."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise Invalid(
            "after must be a moment in ISO 8601, such as 2026-12-07T09:00:00+03:00",
            code="invalid_date",
            field="after",
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def feed(
    ctx: ServerContext, caller: Caller, since: str | None, after: dt.datetime | None = None
) -> ChangeFeed:
    """Changes after the cursor that the caller may see, oldest first.

    Without a cursor the answer is empty and carries the current cursor, so a
    new client starts from now instead of replaying the school's history; with
    `after` instead, it holds the changes made since that moment (a first start
    shows today's news, not nothing).
    """
    cursor = _parse_cursor(since)
    async with ctx.engine.connect() as conn:
        latest = (await conn.execute(sa.select(sa.func.max(s.changes.c.id)))).scalar() or 0
        if cursor is None and after is None:
            return ChangeFeed(cursor=str(latest), changes=[])
        where = await _visibility(conn, caller)
        if cursor is not None:
            where = sa.and_(s.changes.c.id > cursor, where)
        else:
            moment = after if after.tzinfo else after.replace(tzinfo=dt.UTC)
            where = sa.and_(s.changes.c.at >= moment, where)
        rows = (
            await conn.execute(
                sa.select(s.changes)
                .where(where)
                .order_by(s.changes.c.id)
                .limit(ctx.settings.changes_page)
            )
        ).all()
    changes = [
        Change(
            id=str(r.id),
            kind=r.kind,
            at=r.at,
            student_id=sid(r.student_id),
            class_id=sid(r.class_id),
            entity_id=sid(r.entity_id),
            summary=r.summary,
            data=r.data or {},
        )
        for r in rows
    ]
    # A full page: the client asks again from its last change; otherwise it is up to date.
    full = len(rows) == ctx.settings.changes_page
    next_cursor = rows[-1].id if full else max(latest, cursor or 0)
    return ChangeFeed(cursor=str(next_cursor), changes=changes)
