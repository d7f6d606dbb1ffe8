"""Users as the API shows them: who am I, whom may I see, what do I teach."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import ChildRef, Role, TeachingRef, User

from .. import schema as s
from ..access import not_archived
from ..auth import Caller
from .common import from_columns


async def me(conn: AsyncConnection, caller: Caller) -> User:
    school_name = timezone = None
    if caller.school_id is not None:
        school = (
            await conn.execute(
                sa.select(s.schools.c.name, s.schools.c.timezone).where(
                    s.schools.c.id == caller.school_id
                )
            )
        ).one_or_none()
        if school is not None:
            school_name, timezone = school.name, school.timezone
    children: list[ChildRef] = []
    child_ids = await caller.children(conn)
    if caller.has(Role.STUDENT):
        child_ids = [caller.id, *child_ids]
    if child_ids:
        u, st, c, sc = s.users, s.students, s.classes, s.schools
        rows = await conn.execute(
            sa.select(
                u.c.id, u.c.full_name, c.c.name.label("class_name"), sc.c.name.label("school_name")
            )
            .select_from(
                st.join(u, u.c.id == st.c.user_id)
                .join(c, c.c.id == st.c.class_id)
                .join(sc, sc.c.id == c.c.school_id)
            )
            .where(st.c.user_id.in_(child_ids))
            .order_by(c.c.grade.desc(), u.c.full_name)
        )
        children = [from_columns(ChildRef, r._mapping) for r in rows]
    teaching: list[TeachingRef] = []
    pairs = await caller.teaching(conn)
    if pairs:
        t, c, sub = s.teaching, s.classes, s.subjects
        rows = await conn.execute(
            sa.select(
                t.c.class_id,
                c.c.name.label("class_name"),
                t.c.subject_id,
                sub.c.name.label("subject_name"),
            )
            .select_from(t.join(c, c.c.id == t.c.class_id).join(sub, sub.c.id == t.c.subject_id))
            .where(t.c.teacher_id == caller.id, not_archived())  # this year's classes
            .order_by(c.c.grade, c.c.letter, sub.c.name)
        )
        teaching = [
            TeachingRef(
                class_id=str(r.class_id),
                class_name=r.class_name,
                subject_id=str(r.subject_id),
                subject_name=r.subject_name,
            )
            for r in rows
        ]
    return User(
        id=str(caller.id),
        login=caller.login,
        full_name=caller.full_name,
        roles=sorted(caller.roles),
        school_id=None if caller.school_id is None else str(caller.school_id),
        school_name=school_name,
        timezone=timezone,
        children=children,
        teaching=teaching,
        class_teacher_of=sorted(str(c) for c in await _leads(conn, caller)),
    )


async def _leads(conn: AsyncConnection, caller: Caller) -> list[int]:
    """The classes of this school year the caller is the class teacher of (last year's stay
    readable to them, but are not theirs to run any more)."""
    led = await caller.class_teacher_of(conn)
    if not led:
        return []
    c = s.classes
    rows = await conn.execute(sa.select(c.c.id).where(c.c.id.in_(led), not_archived()))
    return [r.id for r in rows]
