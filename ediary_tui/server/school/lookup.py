"""What the structure's writes look up first: the school, its day, the year being
written, a person by login, a teacher, a class, and what still refers to a thing.

Shared by classes.py, calendar.py, structure.py and timetable.py, so that each
refuses the same way: an unknown school or login, a year that is archived, a
user who is not a teacher, something still in use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Role

from .. import schema as s
from .errors import AdminError
from .lesson_plan import PlanResult, plan_lessons
from .years import current_year, is_archived, year_label


async def school_of(conn: AsyncConnection, school: int | None) -> int:
    """The school given by id, else the database's only school."""
    sc = s.schools.c
    if school is not None:
        found = (await conn.execute(sa.select(sc.id).where(sc.id == school))).scalar()
        if found is None:
            raise AdminError(
                f"there is no school with id {school}; see `ediary admin list-schools`"
            )
        return found
    ids = (await conn.execute(sa.select(sc.id).order_by(sc.id))).scalars().all()
    if not ids:
        raise AdminError(
            "the database has no school yet; describe it in a file and run "
            "`ediary admin setup school.toml`"
        )
    if len(ids) > 1:
        raise AdminError("this database holds several schools; say which with --school ID")
    return ids[0]


async def school_zone(conn: AsyncConnection, school_id: int) -> ZoneInfo:
    zone = (
        await conn.execute(sa.select(s.schools.c.timezone).where(s.schools.c.id == school_id))
    ).scalar()
    return ZoneInfo(zone or "Europe/Moscow")


async def school_today(conn: AsyncConnection, school_id: int) -> dt.date:
    """Today where the school is (its time zone decides when a day starts)."""
    return dt.datetime.now(await school_zone(conn, school_id)).date()


async def writable_year(conn: AsyncConnection, school_id: int, year: int | None) -> int:
    """The given school year (else the current one), refused when it is archived or unknown."""
    if year is None:
        return await current_year(conn, school_id)
    y = s.school_years.c
    known = (
        await conn.execute(sa.select(y.year).where(y.school_id == school_id, y.year == year))
    ).scalar()
    if known is None:
        raise AdminError(
            f"the school year {year_label(year)} is not open; open it with `ediary admin year open`"
        )
    if await is_archived(conn, school_id, year):
        raise AdminError(f"the school year {year_label(year)} is archived and cannot change")
    return year


async def regenerate(
    conn: AsyncConnection,
    school_id: int,
    year: int,
    *,
    start: dt.date | None = None,
    class_ids: set[int] | None = None,
) -> PlanResult:
    """Lessons again from the timetable, from `start` (never before today) on."""
    today = await school_today(conn, school_id)
    start = max(start or today, today)
    return await plan_lessons(conn, school_id, year, start=start, class_ids=class_ids)


async def user_by_login(conn: AsyncConnection, school_id: int, login: str) -> int:
    """A person of the school by login (letter case aside)."""
    u = s.users.c
    found = (
        await conn.execute(
            sa.select(u.id).where(
                u.school_id == school_id, sa.func.lower(u.login) == login.strip().lower()
            )
        )
    ).scalar()
    if found is None:
        raise AdminError(
            f"there is no user {login!r} in this school; see `ediary admin list-users`"
        )
    return found


async def teacher_login(conn: AsyncConnection, school_id: int, teacher_id: int) -> str:
    """The teacher's login; refused when the user is not a teacher of this school."""
    u, r = s.users.c, s.user_roles.c
    row = (await conn.execute(sa.select(u.login, u.school_id).where(u.id == teacher_id))).first()
    if row is None or row.school_id != school_id:
        raise AdminError(f"there is no user with id {teacher_id} in this school")
    roles = set(
        (await conn.execute(sa.select(r.role).where(r.user_id == teacher_id))).scalars().all()
    )
    if not roles & {Role.TEACHER.value, Role.CLASS_TEACHER.value, Role.ADMIN.value}:
        raise AdminError(f"{row.login} is not a teacher; give them the teacher role first")
    return row.login


async def class_row(conn: AsyncConnection, class_id: int) -> sa.Row:
    row = (await conn.execute(sa.select(s.classes).where(s.classes.c.id == class_id))).first()
    if row is None:
        raise AdminError(f"there is no class with id {class_id}")
    if await is_archived(conn, row.school_id, row.year):
        raise AdminError(
            f"the class {row.name} is of the archived year {year_label(row.year)} and cannot change"
        )
    return row


async def in_use(conn: AsyncConnection, checks: Sequence[tuple[str, sa.Select]]) -> list[str]:
    """The names of what still refers to a thing (each check: its name and a select of rows)."""
    used = []
    for what, query in checks:
        count = (
            await conn.execute(sa.select(sa.func.count()).select_from(query.subquery()))
        ).scalar_one()
        if count:
            used.append(f"{count} {what}")
    return used


def refuse_if_used(thing: str, used: list[str]) -> None:
    if used:
        raise AdminError(f"{thing} cannot be removed: {', '.join(used)} still refer to it")
