"""A school year: opened with its periods and holidays, archived when it is over.

Periods are quarters for grades 1-9 and half-years for 10-11 (both kinds exist
in every year; a class reads those of its grade). The standard ones are the
usual Russian dates (`domain.periods.standard_periods`); a school with other
dates gives its own. Holidays are days off inside a period (public holidays,
or a school's own); the weeks between periods are the school breaks already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.periods import HALF, QUARTER, PeriodSpan, standard_periods

from .. import schema as s
from .audit import Actor, record
from .errors import AdminError
from .years import year_label

# Public holidays that fall in term time: (month, day, name).
PUBLIC_HOLIDAYS: tuple[tuple[int, int, str], ...] = (
    (11, 4, "День народного единства"),
    (2, 23, "День защитника Отечества"),
    (3, 8, "Международный женский день"),
    (5, 1, "Праздник Весны и Труда"),
    (5, 9, "День Победы"),
    (6, 12, "День России"),
)


@dataclass(frozen=True)
class Holiday:
    name: str
    starts_on: dt.date
    ends_on: dt.date


def standard_holidays(year: int) -> list[Holiday]:
    """The public holidays of the school year starting in `year`."""
    found = []
    for month, day, name in PUBLIC_HOLIDAYS:
        d = dt.date(year if month >= 9 else year + 1, month, day)
        found.append(Holiday(name, d, d))
    return sorted(found, key=lambda h: h.starts_on)


def check_periods(year: int, spans: Sequence[PeriodSpan]) -> None:
    """Each kind numbered 1.. in date order, inside the school year, not overlapping."""
    first, last = dt.date(year, 9, 1) - dt.timedelta(days=7), dt.date(year + 1, 8, 31)
    for kind in (QUARTER, HALF):
        own = sorted((p for p in spans if p.kind == kind), key=lambda p: p.starts_on)
        for i, p in enumerate(own):
            if p.ends_on < p.starts_on:
                raise AdminError(f"{p.name} ends ({p.ends_on}) before it starts ({p.starts_on})")
            if not (first <= p.starts_on and p.ends_on <= last):
                raise AdminError(
                    f"{p.name} ({p.starts_on} - {p.ends_on}) is outside the school year "
                    f"{year_label(year)}"
                )
            if i and p.starts_on <= own[i - 1].ends_on:
                raise AdminError(f"{p.name} overlaps {own[i - 1].name}")
    for p in spans:
        if p.kind not in (QUARTER, HALF):
            raise AdminError(f"a period is a {QUARTER} or a {HALF}, not {p.kind!r}")


async def open_year(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    year: int,
    *,
    periods: Sequence[PeriodSpan] | None = None,
    holidays: Sequence[Holiday] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Open the school year starting in `year` with its periods (standard unless given)
    and holidays (the public ones unless given)."""
    now = now or dt.datetime.now(dt.UTC)
    y = s.school_years.c
    exists = (
        await conn.execute(sa.select(y.archived_at).where(y.school_id == school_id, y.year == year))
    ).first()
    if exists is not None:
        state = "archived" if exists.archived_at is not None else "open"
        raise AdminError(f"the school year {year_label(year)} is already {state}")
    spans = (
        list(periods)
        if periods is not None
        else [span for kind in (QUARTER, HALF) for span in standard_periods(year, kind)]
    )
    check_periods(year, spans)
    await conn.execute(
        s.school_years.insert().values(school_id=school_id, year=year, opened_at=now)
    )
    if spans:
        await conn.execute(
            s.periods.insert(),
            [
                {
                    "school_id": school_id,
                    "year": year,
                    "kind": p.kind,
                    "number": p.number,
                    "name": p.name,
                    "starts_on": p.starts_on,
                    "ends_on": p.ends_on,
                    "closed": False,
                }
                for p in spans
            ],
        )
    days_off = list(holidays) if holidays is not None else standard_holidays(year)
    if days_off:
        await conn.execute(
            s.holidays.insert(),
            [
                {
                    "school_id": school_id,
                    "year": year,
                    "name": h.name,
                    "starts_on": h.starts_on,
                    "ends_on": h.ends_on,
                }
                for h in days_off
            ],
        )
    await record(
        conn,
        actor,
        "year.open",
        school_id=school_id,
        target=year_label(year),
        detail={"periods": len(spans), "holidays": len(days_off)},
        now=now,
    )
