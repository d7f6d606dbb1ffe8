"""The school's time: the bells of a day, and the year's periods and holidays.

Changing which days are school days (a holiday, a period's dates) regenerates
the lessons from the first day it touches (never before today): the timetable's
lessons come and go, a lesson a teacher wrote in stays (lesson_plan.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.periods import PeriodSpan, school_year_of

from .. import schema as s
from .audit import Actor, record
from .checks import Bell, check_bells, check_holiday, check_name
from .errors import AdminError
from .lesson_plan import PlanResult
from .lookup import regenerate, writable_year
from .year import check_periods
from .years import year_label


async def bells_of(conn: AsyncConnection, school_id: int) -> list[Bell]:
    b = s.bells.c
    rows = await conn.execute(
        sa.select(b.number, b.starts_at, b.ends_at, b.break_name)
        .where(b.school_id == school_id)
        .order_by(b.number)
    )
    return [Bell(r.number, r.starts_at, r.ends_at, r.break_name) for r in rows]


async def set_bells(
    conn: AsyncConnection, actor: Actor, school_id: int, bells: Sequence[Bell]
) -> bool:
    """Replace the bell schedule; refused while the timetable uses a lesson it drops."""
    wanted = check_bells(bells)
    if wanted == await bells_of(conn, school_id):
        return False
    numbers = {b.number for b in wanted}
    t, c = s.timetable.c, s.classes.c
    used = (
        await conn.execute(
            sa.select(t.number)
            .select_from(s.timetable.join(s.classes, c.id == t.class_id))
            .where(c.school_id == school_id)
            .distinct()
        )
    ).scalars()
    dropped = sorted(set(used) - numbers)
    if dropped:
        raise AdminError(
            f"the timetable has lesson {dropped[0]}, which this bell schedule drops; "
            "clear those slots first"
        )
    await conn.execute(s.bells.delete().where(s.bells.c.school_id == school_id))
    await conn.execute(
        s.bells.insert(),
        [
            {
                "school_id": school_id,
                "number": b.number,
                "starts_at": b.starts_at,
                "ends_at": b.ends_at,
                "break_name": b.break_name or None,
            }
            for b in wanted
        ],
    )
    await record(
        conn,
        actor,
        "bells.set",
        school_id=school_id,
        target=f"{len(wanted)} lessons",
        detail={"first": wanted[0].starts_at, "last": wanted[-1].ends_at},
    )
    return True


async def add_holiday(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    *,
    year: int | None = None,
) -> PlanResult:
    """Days off; lessons planned on them (from today on) go, unless a teacher wrote in them."""
    ends_on = ends_on or starts_on
    year = await writable_year(conn, school_id, year or school_year_of(starts_on))
    name = check_holiday(year, name, starts_on, ends_on)
    h = s.holidays.c
    taken = (
        await conn.execute(
            sa.select(h.id).where(h.school_id == school_id, h.year == year, h.name == name)
        )
    ).scalar()
    if taken is not None:
        raise AdminError(f"the holiday {name!r} already exists in {year_label(year)}")
    await conn.execute(
        s.holidays.insert().values(
            school_id=school_id, year=year, name=name, starts_on=starts_on, ends_on=ends_on
        )
    )
    await record(
        conn,
        actor,
        "holiday.add",
        school_id=school_id,
        target=name,
        detail={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return await regenerate(conn, school_id, year, start=starts_on)


async def remove_holiday(
    conn: AsyncConnection, actor: Actor, school_id: int, name: str, *, year: int | None = None
) -> PlanResult:
    """A holiday no more: its days get their lessons from the timetable (from today on)."""
    year = await writable_year(conn, school_id, year)
    h = s.holidays.c
    row = (
        await conn.execute(
            sa.select(h.id, h.starts_on).where(
                h.school_id == school_id, h.year == year, h.name == name.strip()
            )
        )
    ).first()
    if row is None:
        raise AdminError(
            f"there is no holiday {name!r} in {year_label(year)}; see `ediary admin year show`"
        )
    await conn.execute(s.holidays.delete().where(h.id == row.id))
    await record(conn, actor, "holiday.remove", school_id=school_id, target=name)
    return await regenerate(conn, school_id, year, start=row.starts_on)


async def set_period(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    kind: str,
    number: int,
    *,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    name: str | None = None,
    year: int | None = None,
) -> bool:
    """Move one period's dates (or rename it); the year's periods are checked together."""
    year = await writable_year(conn, school_id, year)
    spans = await periods_of(conn, school_id, year)
    row = next((p for p in spans if p.kind == kind and p.number == number), None)
    if row is None:
        raise AdminError(
            f"{year_label(year)} has no {kind} number {number}; periods are quarter 1-4 and half 1-2"
        )
    new = PeriodSpan(
        kind,
        number,
        check_name("period", name, 50) if name is not None else row.name,
        starts_on or row.starts_on,
        ends_on or row.ends_on,
    )
    return await set_periods(conn, actor, school_id, [new], year=year)


async def periods_of(conn: AsyncConnection, school_id: int, year: int) -> list[PeriodSpan]:
    p = s.periods.c
    rows = await conn.execute(
        sa.select(p.kind, p.number, p.name, p.starts_on, p.ends_on)
        .where(p.school_id == school_id, p.year == year)
        .order_by(p.kind.desc(), p.number)
    )
    return [PeriodSpan(r.kind, r.number, r.name, r.starts_on, r.ends_on) for r in rows]


async def set_periods(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    spans: Sequence[PeriodSpan],
    *,
    year: int | None = None,
) -> bool:
    """Give existing periods (matched by kind and number) new dates or names, all at once,
    so that periods can shift together; lessons follow from the earliest day moved."""
    year = await writable_year(conn, school_id, year)
    p = s.periods.c
    rows = {
        (r.kind, r.number): r
        for r in await conn.execute(
            sa.select(s.periods).where(p.school_id == school_id, p.year == year)
        )
    }
    for span in spans:
        if (span.kind, span.number) not in rows:
            raise AdminError(
                f"{year_label(year)} has no {span.kind} number {span.number}; "
                "periods are quarter 1-4 and half 1-2"
            )
    given = {(span.kind, span.number): span for span in spans}
    merged = [
        given.get(key, PeriodSpan(r.kind, r.number, r.name, r.starts_on, r.ends_on))
        for key, r in rows.items()
    ]
    check_periods(year, merged)
    moved_from: dt.date | None = None
    changed_any = False
    for key, span in given.items():
        row = rows[key]
        changed: dict[str, object] = {}
        if span.name != row.name:
            changed["name"] = check_name("period", span.name, 50)
        if span.starts_on != row.starts_on:
            changed["starts_on"] = span.starts_on
        if span.ends_on != row.ends_on:
            changed["ends_on"] = span.ends_on
        if not changed:
            continue
        if row.closed and ("starts_on" in changed or "ends_on" in changed):
            raise AdminError(f"{row.name} is closed (its marks are set); its dates cannot change")
        changed_any = True
        await conn.execute(s.periods.update().where(p.id == row.id).values(**changed))
        await record(
            conn,
            actor,
            "period.edit",
            school_id=school_id,
            target=f"{year_label(year)} {row.name}",
            detail={k: str(v) for k, v in changed.items()},
        )
        if "starts_on" in changed or "ends_on" in changed:
            earliest = min(span.starts_on, row.starts_on, span.ends_on, row.ends_on)
            moved_from = earliest if moved_from is None else min(moved_from, earliest)
    if moved_from is not None:
        await regenerate(conn, school_id, year, start=moved_from)
    return changed_any
