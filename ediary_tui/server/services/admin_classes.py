"""The admin's classes: this year's classes, a class's members, its class teacher, its week.

Reads go straight to the tables (a class list is two queries whatever the school's
size); setting the class teacher is the school package's (school/structure.py).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import (
    AdminClass,
    AdminClassList,
    ClassMembers,
    ClassTeacherIn,
    ClassTimetable,
    Family,
    FamilyMember,
    PersonRef,
    Role,
    SlotIn,
    StaffList,
    SubjectList,
    SubjectRef,
    TimetableSlot,
)

from .. import schema as s
from ..access import ClassInfo, load_class
from ..auth import Caller
from ..errors import Invalid, NotFound
from ..ids import parse_body_id, parse_id
from ..school import structure
from ..school import timetable as plan
from ..school.years import current_year
from ..settings import ServerContext
from . import credentials
from .admin_common import actor, refusals, school_of
from .common import check_line, school_timezone


async def class_of(conn: AsyncConnection, school_id: int, value: str | int) -> ClassInfo:
    """A class of the admin's school: 404 `class_not_found` for any other."""
    try:
        cid = parse_id(value, "class")
    except NotFound:
        raise NotFound("no such class", code="class_not_found") from None
    klass = await load_class(conn, cid)
    if klass is None or klass.school_id != school_id:
        raise NotFound("no such class", code="class_not_found")
    return klass


def _classes_query(where: sa.ColumnElement[bool]) -> sa.Select[tuple[object, ...]]:
    c, u, st = s.classes, s.users, s.students
    pupils = (
        sa.select(sa.func.count())
        .where(st.c.class_id == c.c.id, st.c.left_on.is_(None))
        .scalar_subquery()
    )
    return (
        sa.select(
            *c.c["id", "name", "grade", "days_per_week", "class_teacher_id"],
            u.c.full_name.label("teacher_name"),
            pupils.label("students"),
        )
        .select_from(c.outerjoin(u, u.c.id == c.c.class_teacher_id))
        .where(where)
        .order_by(c.c.grade, c.c.name, c.c.id)
    )


def _admin_class(row: sa.Row[tuple[object, ...]]) -> AdminClass:
    m = row._mapping
    lead = None
    if m["class_teacher_id"] is not None:
        lead = PersonRef(id=str(m["class_teacher_id"]), full_name=m["teacher_name"])
    return AdminClass(
        id=str(m["id"]),
        name=m["name"],
        grade=m["grade"],
        days_per_week=m["days_per_week"],
        class_teacher=lead,
        students=m["students"],
    )


async def _one_class(conn: AsyncConnection, class_id: int) -> AdminClass:
    row = (await conn.execute(_classes_query(s.classes.c.id == class_id))).one()
    return _admin_class(row)


async def list_classes(ctx: ServerContext, caller: Caller) -> AdminClassList:
    """The classes of the school year being taught, by grade and name."""
    school_id = school_of(caller)
    c = s.classes
    async with ctx.engine.connect() as conn:
        async with refusals():
            year = await current_year(conn, school_id)
        rows = await conn.execute(
            _classes_query(sa.and_(c.c.school_id == school_id, c.c.year == year))
        )
        return AdminClassList(year=year, classes=[_admin_class(r) for r in rows])


def _member(person: credentials.Person) -> FamilyMember:
    return FamilyMember(
        id=str(person.id),
        full_name=person.full_name,
        login=person.login,
        activated=person.activated,
        on_staff=person.is_staff,
    )


async def members(ctx: ServerContext, caller: Caller, class_id: str) -> ClassMembers:
    """The class's students, surname first, each with their parents."""
    school_id = school_of(caller)
    async with ctx.engine.connect() as conn:
        klass = await class_of(conn, school_id, class_id)
        roster = await credentials.class_roster(conn, klass.id)
        return ClassMembers(
            klass=await _one_class(conn, klass.id),
            families=[
                Family(student=_member(f.student), parents=[_member(p) for p in f.parents])
                for f in roster
            ],
        )


async def set_class_teacher(
    ctx: ServerContext, caller: Caller, class_id: str, body: ClassTeacherIn
) -> AdminClass:
    """Give the class a class teacher (a teacher of the school), or none."""
    school_id = school_of(caller)
    async with ctx.engine.begin() as conn:
        klass = await class_of(conn, school_id, class_id)
        teacher = None if body.teacher_id is None else parse_body_id(body.teacher_id, "teacher_id")
        async with refusals():
            await structure.set_class_teacher(conn, actor(caller), klass.id, teacher)
        return await _one_class(conn, klass.id)


async def _week(conn: AsyncConnection, klass: ClassInfo) -> ClassTimetable:
    t, sub, u = s.timetable, s.subjects, s.users
    rows = await conn.execute(
        sa.select(
            t.c.weekday,
            t.c.number,
            t.c.room,
            sub.c.id.label("subject_id"),
            sub.c.name.label("subject_name"),
            u.c.id.label("teacher_id"),
            u.c.full_name.label("teacher_name"),
        )
        .select_from(t.join(sub, sub.c.id == t.c.subject_id).join(u, u.c.id == t.c.teacher_id))
        .where(t.c.class_id == klass.id)
        .order_by(t.c.weekday, t.c.number)
    )
    return ClassTimetable(
        class_id=str(klass.id),
        class_name=klass.name,
        days_per_week=klass.days_per_week,
        slots=[
            TimetableSlot(
                weekday=r.weekday,
                number=r.number,
                subject=SubjectRef(id=str(r.subject_id), name=r.subject_name),
                teacher=PersonRef(id=str(r.teacher_id), full_name=r.teacher_name),
                room=r.room,
            )
            for r in rows
        ],
    )


async def timetable(ctx: ServerContext, caller: Caller, class_id: str) -> ClassTimetable:
    """The class's weekly timetable, day by day and lesson by lesson."""
    school_id = school_of(caller)
    async with ctx.engine.connect() as conn:
        return await _week(conn, await class_of(conn, school_id, class_id))


def _slot(klass: ClassInfo, weekday: int, number: int) -> None:
    if not 0 <= weekday < klass.days_per_week:
        raise Invalid(
            f"weekday: {klass.name} has lessons on days 0 to {klass.days_per_week - 1} (0 Monday)",
            field="weekday",
        )
    if not 1 <= number <= 12:
        raise Invalid("number: a lesson's number is 1 to 12", field="number")


async def _today(conn: AsyncConnection, ctx: ServerContext, school_id: int) -> dt.date:
    return ctx.now().astimezone(await school_timezone(conn, school_id)).date()


async def set_slot(
    ctx: ServerContext, caller: Caller, class_id: str, weekday: int, number: int, body: SlotIn
) -> ClassTimetable:
    """Put a lesson in one slot of the class's week; its lessons follow from today, and a
    clash (the teacher or the room elsewhere then) is refused naming it."""
    check_line(body.room, "room")
    school_id = school_of(caller)
    async with ctx.engine.begin() as conn:
        klass = await class_of(conn, school_id, class_id)
        _slot(klass, weekday, number)
        entry = plan.Entry(
            class_id=klass.id,
            weekday=weekday,
            number=number,
            subject_id=parse_body_id(body.subject_id, "subject_id"),
            teacher_id=parse_body_id(body.teacher_id, "teacher_id"),
            room=(body.room or "").strip() or None,
        )
        async with refusals():
            await plan.set_slot(
                conn, actor(caller), entry, start=await _today(conn, ctx, school_id)
            )
        return await _week(conn, klass)


async def clear_slot(
    ctx: ServerContext, caller: Caller, class_id: str, weekday: int, number: int
) -> ClassTimetable:
    """Take the lesson out of one slot of the class's week, from today."""
    school_id = school_of(caller)
    async with ctx.engine.begin() as conn:
        klass = await class_of(conn, school_id, class_id)
        _slot(klass, weekday, number)
        async with refusals():
            await plan.clear_slot(
                conn,
                actor(caller),
                klass.id,
                weekday,
                number,
                start=await _today(conn, ctx, school_id),
            )
        return await _week(conn, klass)


async def subjects(ctx: ServerContext, caller: Caller) -> SubjectList:
    """The school's subjects by name: what a slot of a week may hold."""
    school_id = school_of(caller)
    sub = s.subjects
    async with ctx.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(sub.c.id, sub.c.name).where(sub.c.school_id == school_id).order_by(sub.c.name)
        )
        return SubjectList(subjects=[SubjectRef(id=str(r.id), name=r.name) for r in rows])


async def teachers(ctx: ServerContext, caller: Caller) -> StaffList:
    """The school's teachers, surname first: whom a class or a lesson may be given to."""
    school_id = school_of(caller)
    u, r = s.users, s.user_roles
    teaching = sa.select(r.c.user_id).where(
        r.c.role.in_([Role.TEACHER.value, Role.CLASS_TEACHER.value])
    )
    async with ctx.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(u.c.id, u.c.full_name)
            .where(u.c.school_id == school_id, u.c.id.in_(teaching))
            .order_by(u.c.full_name, u.c.id)
        )
        return StaffList(teachers=[PersonRef(id=str(r.id), full_name=r.full_name) for r in rows])
