"""Classes of a school year: grade and letter, their week, their class teacher.

A class is of one school year (rollover.py makes next year's); its week (5 or 6
days) decides the days its lessons are on, so a new week regenerates them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Role

from .. import schema as s
from .audit import Actor, record
from .checks import check_days, parse_class_name
from .errors import AdminError
from .lesson_plan import PlanResult
from .lookup import class_row, in_use, refuse_if_used, regenerate, teacher_login, writable_year
from .years import current_year, year_label


async def add_class(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    name: str,
    *,
    days_per_week: int | None = None,
    class_teacher_id: int | None = None,
    year: int | None = None,
) -> int:
    """A class of a school year ('7А': grade 7, letter А), on the school's week unless given."""
    grade, letter, name = parse_class_name(name)
    year = await writable_year(conn, school_id, year)
    if days_per_week is None:
        days_per_week = (
            await conn.execute(
                sa.select(s.schools.c.days_per_week).where(s.schools.c.id == school_id)
            )
        ).scalar_one()
    check_days(days_per_week)
    c = s.classes.c
    taken = (
        await conn.execute(
            sa.select(c.id).where(c.school_id == school_id, c.year == year, c.name == name)
        )
    ).scalar()
    if taken is not None:
        raise AdminError(f"the class {name} already exists in {year_label(year)}")
    class_id = (
        await conn.execute(
            s.classes.insert()
            .values(
                school_id=school_id,
                grade=grade,
                letter=letter,
                name=name,
                days_per_week=days_per_week,
                year=year,
            )
            .returning(c.id)
        )
    ).scalar_one()
    await record(
        conn,
        actor,
        "class.add",
        school_id=school_id,
        target=name,
        detail={"year": year, "days_per_week": days_per_week},
    )
    if class_teacher_id is not None:
        await set_class_teacher(conn, actor, class_id, class_teacher_id)
    return class_id


async def class_by_name(
    conn: AsyncConnection, school_id: int, name: str, *, year: int | None = None
) -> int:
    """The class of that name in the given school year (else the current one)."""
    try:
        name = parse_class_name(name)[2]
    except AdminError:
        name = (name or "").strip()
    if year is None:
        year = await current_year(conn, school_id)
    c = s.classes.c
    found = (
        await conn.execute(
            sa.select(c.id).where(c.school_id == school_id, c.year == year, c.name == name)
        )
    ).scalar()
    if found is None:
        raise AdminError(
            f"there is no class {name!r} in {year_label(year)}; "
            "add it with `ediary admin class add` or see `ediary admin class list`"
        )
    return found


async def edit_class(
    conn: AsyncConnection,
    actor: Actor,
    class_id: int,
    *,
    name: str | None = None,
    days_per_week: int | None = None,
) -> PlanResult | None:
    """Rename a class or change its week; a new week regenerates its lessons from today."""
    row = await class_row(conn, class_id)
    changed: dict[str, object] = {}
    if name is not None:
        grade, letter, name = parse_class_name(name)
        if name != row.name:
            c = s.classes.c
            taken = (
                await conn.execute(
                    sa.select(c.id).where(
                        c.school_id == row.school_id, c.year == row.year, c.name == name
                    )
                )
            ).scalar()
            if taken is not None:
                raise AdminError(f"the class {name} already exists in {year_label(row.year)}")
            changed.update(name=name, grade=grade, letter=letter)
    if days_per_week is not None and check_days(days_per_week) != row.days_per_week:
        changed["days_per_week"] = days_per_week
    if not changed:
        return None
    await conn.execute(s.classes.update().where(s.classes.c.id == class_id).values(**changed))
    await record(
        conn,
        actor,
        "class.edit",
        school_id=row.school_id,
        target=row.name,
        detail=changed,
        class_id=class_id,
    )
    if "days_per_week" in changed or "grade" in changed:
        return await regenerate(conn, row.school_id, row.year, class_ids={class_id})
    return None


async def set_class_teacher(
    conn: AsyncConnection, actor: Actor, class_id: int, teacher_id: int | None
) -> None:
    """Make a teacher the class's class teacher (with that role), or leave the class without one.

    The one who is no longer class teacher of any class loses the role.
    """
    row = await class_row(conn, class_id)
    if row.class_teacher_id == teacher_id:
        return
    login = await teacher_login(conn, row.school_id, teacher_id) if teacher_id is not None else None
    await conn.execute(
        s.classes.update().where(s.classes.c.id == class_id).values(class_teacher_id=teacher_id)
    )
    r = s.user_roles.c
    if teacher_id is not None:
        has = (
            await conn.execute(
                sa.select(r.user_id).where(
                    r.user_id == teacher_id, r.role == Role.CLASS_TEACHER.value
                )
            )
        ).first()
        if has is None:
            await conn.execute(
                s.user_roles.insert().values(user_id=teacher_id, role=Role.CLASS_TEACHER.value)
            )
    previous = row.class_teacher_id
    if previous is not None:
        c = s.classes.c
        still = (
            await conn.execute(
                sa.select(c.id).where(c.class_teacher_id == previous, c.id != class_id).limit(1)
            )
        ).first()
        if still is None:
            await conn.execute(
                s.user_roles.delete().where(
                    r.user_id == previous, r.role == Role.CLASS_TEACHER.value
                )
            )
    await record(
        conn,
        actor,
        "class.teacher",
        school_id=row.school_id,
        target=row.name,
        detail={"class_teacher": login},
        class_id=class_id,
    )


async def remove_class(conn: AsyncConnection, actor: Actor, class_id: int) -> None:
    """Remove a class nothing refers to (no students, lessons, timetable or teachers)."""
    row = await class_row(conn, class_id)
    used = await in_use(
        conn,
        [
            ("students", sa.select(s.students.c.user_id).where(s.students.c.class_id == class_id)),
            (
                "enrolments",
                sa.select(s.enrollments.c.student_id).where(s.enrollments.c.class_id == class_id),
            ),
            ("lessons", sa.select(s.lessons.c.id).where(s.lessons.c.class_id == class_id)),
            (
                "timetable slots",
                sa.select(s.timetable.c.id).where(s.timetable.c.class_id == class_id),
            ),
            (
                "teaching assignments",
                sa.select(s.teaching.c.teacher_id).where(s.teaching.c.class_id == class_id),
            ),
            (
                "announcements",
                sa.select(s.announcements.c.id).where(s.announcements.c.class_id == class_id),
            ),
        ],
    )
    refuse_if_used(f"the class {row.name}", used)
    if row.class_teacher_id is not None:
        await set_class_teacher(conn, actor, class_id, None)
    await conn.execute(s.classes.delete().where(s.classes.c.id == class_id))
    await record(conn, actor, "class.remove", school_id=row.school_id, target=row.name)
