"""Announcements: a teacher writes to a class, the admin to the whole school or a class.

Who reads what follows the diary's reach: a family sees the school and class
of each child, a student their own, a teacher the classes they teach or lead
and their school, the admin all of their school. `student_id` narrows any of
these to one child, for a parent switching between children.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import (
    Announcement,
    AnnouncementIn,
    AnnouncementList,
    PersonRef,
    Role,
)

from .. import schema as s
from ..access import check_year_open, load_class, load_student, readable_student
from ..auth import Caller
from ..changes import record
from ..errors import Invalid, NotAllowed
from ..ids import parse_body_id, sid
from ..settings import ServerContext
from .common import check_line, check_text


def _select() -> sa.Select[Any]:
    a, u, c = s.announcements, s.users, s.classes
    return sa.select(
        a, u.c.full_name.label("author_name"), c.c.name.label("class_name")
    ).select_from(a.join(u, u.c.id == a.c.author_id).outerjoin(c, c.c.id == a.c.class_id))


def _announcement(r: Any) -> Announcement:
    return Announcement(
        id=str(r.id),
        school_id=str(r.school_id),
        class_id=sid(r.class_id),
        class_name=r.class_name,
        author=PersonRef(id=str(r.author_id), full_name=r.author_name),
        title=r.title,
        body=r.body,
        created_at=r.created_at,
    )


async def _audience(conn: AsyncConnection, caller: Caller) -> tuple[set[int], set[int], set[int]]:
    """(schools whose every announcement, schools whose school-wide ones, classes) the caller reads."""
    whole: set[int] = set()
    schools: set[int] = set()
    classes: set[int] = set()
    if caller.has(Role.ADMIN) and caller.school_id is not None:
        whole.add(caller.school_id)
    students = list(await caller.children(conn))
    if caller.has(Role.STUDENT):
        students.append(caller.id)
    for student_id in students:
        student = await load_student(conn, student_id)
        if student is not None:
            schools.add(student.school_id)
            classes.add(student.class_id)
    if caller.is_staff:
        classes |= await caller.staff_classes(conn)
        if caller.school_id is not None:
            schools.add(caller.school_id)
    return whole, schools, classes


async def list_announcements(
    ctx: ServerContext, caller: Caller, student_id: int | None, limit: int
) -> AnnouncementList:
    """The announcements the caller may read (or those of one child), newest first."""
    a = s.announcements
    async with ctx.engine.connect() as conn:
        if student_id is not None:
            student = await readable_student(conn, caller, student_id)
            whole, schools, classes = set(), {student.school_id}, {student.class_id}
        else:
            whole, schools, classes = await _audience(conn, caller)
        visible = sa.or_(
            a.c.school_id.in_(whole or {0}),
            sa.and_(a.c.class_id.is_(None), a.c.school_id.in_(schools or {0})),
            a.c.class_id.in_(classes or {0}),
        )
        rows = await conn.execute(
            _select().where(visible).order_by(a.c.created_at.desc(), a.c.id.desc()).limit(limit)
        )
        return AnnouncementList(announcements=[_announcement(r) for r in rows])


async def _target(
    conn: AsyncConnection, caller: Caller, body: AnnouncementIn
) -> tuple[int, int | None]:
    """(school, class or None) the caller may announce to; 403 or 422 with the reason."""
    if not caller.is_staff or caller.school_id is None:
        raise NotAllowed(
            "announcements are written by teachers and the school's admin", code="not_staff"
        )
    is_admin = caller.has(Role.ADMIN)
    if body.class_id is None:
        if not is_admin:
            raise NotAllowed(
                "only the school's admin announces to the whole school; choose a class",
                code="school_wide_admin_only",
            )
        return caller.school_id, None
    klass = await load_class(conn, parse_body_id(body.class_id, "class_id"))
    if klass is None:
        raise Invalid("no such class", code="class_not_found", field="class_id")
    mine = klass.id in await caller.staff_classes(conn)
    if not mine and klass.school_id != caller.school_id:
        raise Invalid("no such class in your school", code="class_not_found", field="class_id")
    if mine or is_admin:
        await check_year_open(conn, klass.school_id, klass.year)  # last year's class: read only
        return klass.school_id, klass.id
    raise NotAllowed(
        f"you may announce only to the classes you teach or lead, not {klass.name}",
        code="not_your_class",
    )


async def create_announcement(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, body: AnnouncementIn
) -> Announcement:
    """Post an announcement (inside the caller's transaction, so `create_once` can replay it)."""
    check_line(body.title, "title")
    check_text(body.body, "body")
    school_id, class_id = await _target(conn, caller, body)
    a = s.announcements
    inserted = await conn.execute(
        a.insert().values(
            school_id=school_id,
            class_id=class_id,
            author_id=caller.id,
            title=body.title,
            body=body.body,
            created_at=ctx.now(),
        )
    )
    announcement_id = inserted.inserted_primary_key[0]
    row = (await conn.execute(_select().where(a.c.id == announcement_id))).one()
    where = row.class_name or "the whole school"
    await record(
        conn,
        ctx,
        school_id=school_id,
        kind="announcement",
        summary=f"{caller.full_name} to {where}: {body.title}",
        class_id=class_id,
        entity_id=announcement_id,
        data={"title": body.title, "class_id": sid(class_id), "author": caller.full_name},
    )
    return _announcement(row)
