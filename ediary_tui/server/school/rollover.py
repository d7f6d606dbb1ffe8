"""A new school year: close the old one, move every class up, open the next.

One transaction (the caller's): year marks from period marks where the
teacher left none, the year's periods closed and the year archived (nothing
of it is written afterwards, see `access.check_year_open`), each class of
grades 1-10 continued by a new class of the next year one grade up with the
same letter, teacher, week and teaching assignments, its students moved into
it (their enrollment of the old year stays, so last year's report card still
reads), the 11th grade leaving, and the next year opened with its periods.
Timetables are not carried: the next year gets its own, and its lessons with it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ediary_tui.domain.marks import proposed_mark
from ediary_tui.domain.periods import period_kind_for_grade

from .. import schema as s
from .audit import Actor, record
from .errors import AdminError
from .year import open_year
from .years import current_year, year_label

# The last grade of a Russian school: its students leave when the year closes.
LAST_GRADE = 11


@dataclass(frozen=True)
class RolloverReport:
    """What a rollover did (or, in a dry run, would do)."""

    from_year: int
    year_marks_set: int
    year_marks_kept: int
    periods_closed: int
    classes_promoted: int
    students_promoted: int
    graduates: int
    promoted: tuple[tuple[str, str], ...] = ()  # (old name, new name), in grade order

    @property
    def to_year(self) -> int:
        return self.from_year + 1

    def lines(self) -> list[str]:
        """Tab-separated lines, as the admin commands print them."""
        return [
            f"closed\t{year_label(self.from_year)}\t{self.periods_closed} period(s)",
            f"year marks\t{self.year_marks_set} set from period marks\t{self.year_marks_kept} kept",
            *(f"class\t{old}\t-> {new}" for old, new in self.promoted),
            f"promoted\t{self.classes_promoted} class(es)\t{self.students_promoted} student(s)",
            f"graduates\t{self.graduates}",
            f"opened\t{year_label(self.to_year)}",
        ]


async def roll_over(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    *,
    from_year: int,
    now: dt.datetime,
    force: bool = False,
) -> RolloverReport:
    """Carry the school from `from_year` into the next year (see the module's docstring).

    Refused while periods of the year are still running, unless `force`.
    """
    await _check(conn, school_id, from_year, now, force=force)
    last_day = await _last_day(conn, school_id, from_year)
    klasses = (
        await conn.execute(
            sa.select(s.classes)
            .where(s.classes.c.school_id == school_id, s.classes.c.year == from_year)
            .order_by(s.classes.c.grade, s.classes.c.name, s.classes.c.id)
        )
    ).all()
    await _complete_enrollments(conn, from_year, [k.id for k in klasses])
    marks_set, marks_kept = await _year_marks(conn, school_id, from_year, now)
    p = s.periods
    closed = await conn.execute(
        p.update()
        .where(p.c.school_id == school_id, p.c.year == from_year, p.c.closed.is_(False))
        .values(closed=True)
    )
    y = s.school_years
    await conn.execute(
        y.update().where(y.c.school_id == school_id, y.c.year == from_year).values(archived_at=now)
    )
    promoted: list[tuple[str, str]] = []
    moved = graduates = 0
    for klass in klasses:
        if klass.grade >= LAST_GRADE:
            graduates += await _graduate(conn, klass.id, last_day)
            continue
        name, count = await _promote(conn, klass, from_year + 1)
        promoted.append((klass.name, name))
        moved += count
    await open_year(conn, actor, school_id, from_year + 1, now=now)
    report = RolloverReport(
        from_year=from_year,
        year_marks_set=marks_set,
        year_marks_kept=marks_kept,
        periods_closed=closed.rowcount,
        classes_promoted=len(promoted),
        students_promoted=moved,
        graduates=graduates,
        promoted=tuple(promoted),
    )
    await record(
        conn,
        actor,
        "year.rollover",
        school_id=school_id,
        target=f"{year_label(from_year)} -> {year_label(from_year + 1)}",
        detail={
            "year_marks_set": marks_set,
            "year_marks_kept": marks_kept,
            "classes_promoted": len(promoted),
            "students_promoted": moved,
            "graduates": graduates,
            "forced": force,
        },
        now=now,
    )
    return report


async def _check(
    conn: AsyncConnection, school_id: int, from_year: int, now: dt.datetime, *, force: bool
) -> None:
    """The year is the one being taught, has begun, the next is not there yet, and (unless
    forced) is over."""
    current = await current_year(conn, school_id)
    if from_year != current:
        raise AdminError(
            f"the school year {year_label(from_year)} is not the current open one "
            f"({year_label(current)}); roll over {year_label(current)}"
        )
    y = s.school_years
    if (
        await conn.execute(
            sa.select(y.c.year).where(y.c.school_id == school_id, y.c.year == from_year + 1)
        )
    ).first() is not None:
        raise AdminError(
            f"the school year {year_label(from_year + 1)} already exists; "
            f"the school has been rolled over into it"
        )
    c = s.classes
    taken = (
        await conn.execute(
            sa.select(c.c.name).where(c.c.school_id == school_id, c.c.year == from_year + 1)
        )
    ).scalars()
    wanted = {
        _next_name(r.grade, r.letter): r.name
        for r in await conn.execute(
            sa.select(c.c.grade, c.c.letter, c.c.name).where(
                c.c.school_id == school_id, c.c.year == from_year, c.c.grade < LAST_GRADE
            )
        )
    }
    clash = sorted(set(taken) & set(wanted))
    if clash:
        raise AdminError(
            f"the class {clash[0]} of {year_label(from_year + 1)} already exists, so "
            f"{wanted[clash[0]]} cannot move up into it; rename or remove it first"
        )
    tz = (
        await conn.execute(sa.select(s.schools.c.timezone).where(s.schools.c.id == school_id))
    ).scalar()
    today = now.astimezone(ZoneInfo(tz or "Europe/Moscow")).date()
    p = s.periods
    begins = (
        await conn.execute(
            sa.select(sa.func.min(p.c.starts_on)).where(
                p.c.school_id == school_id, p.c.year == from_year
            )
        )
    ).scalar()
    if begins is not None and today < begins:
        # Even forced: a year not begun has nothing to close (a second rollover by mistake).
        raise AdminError(
            f"the school year {year_label(from_year)} has not begun yet (it starts on "
            f"{begins:%d.%m.%Y}); there is nothing of it to close"
        )
    running = (
        await conn.execute(
            sa.select(p.c.name, p.c.ends_on)
            .where(p.c.school_id == school_id, p.c.year == from_year, p.c.ends_on >= today)
            .order_by(p.c.ends_on.desc(), p.c.id)
            .limit(1)
        )
    ).first()
    if running is not None and not force:
        raise AdminError(
            f"the school year {year_label(from_year)} is not over: {running.name} ends on "
            f"{running.ends_on:%d.%m.%Y}; wait until then, or force it (--force)"
        )


def _next_name(grade: int, letter: str) -> str:
    return f"{grade + 1}{letter}"


async def _last_day(conn: AsyncConnection, school_id: int, year: int) -> dt.date:
    """The year's last school day: the end of its last period (31 August without periods)."""
    p = s.periods
    found = (
        await conn.execute(
            sa.select(sa.func.max(p.c.ends_on)).where(p.c.school_id == school_id, p.c.year == year)
        )
    ).scalar()
    return found or dt.date(year + 1, 8, 31)


async def _complete_enrollments(conn: AsyncConnection, year: int, class_ids: list[int]) -> None:
    """Every student of the year's classes has the year's enrollment, which the history reads
    after they move up (a student added without one gets it now)."""
    if not class_ids:
        return
    st, e = s.students, s.enrollments
    enrolled = sa.exists().where(e.c.student_id == st.c.user_id, e.c.year == year)
    await conn.execute(
        e.insert().from_select(
            ["student_id", "year", "class_id"],
            sa.select(st.c.user_id, sa.literal(year), st.c.class_id).where(
                st.c.class_id.in_(class_ids), st.c.left_on.is_(None), ~enrolled
            ),
        )
    )


async def _year_marks(
    conn: AsyncConnection, school_id: int, year: int, now: dt.datetime
) -> tuple[int, int]:
    """Year marks from the period marks of each student's kind of period (quarters for 1-9,
    halves for 10-11), proposed as a period mark is: the school's threshold and scale. A year
    mark the teacher already set stays. Returns (set, kept)."""
    sc = (
        await conn.execute(
            sa.select(*s.schools.c["round_threshold", "scale_min", "scale_max"]).where(
                s.schools.c.id == school_id
            )
        )
    ).one()
    pm, p, e, c, ym = s.period_marks, s.periods, s.enrollments, s.classes, s.year_marks
    rows = await conn.execute(
        sa.select(
            pm.c.student_id,
            pm.c.subject_id,
            pm.c.value,
            pm.c.set_by,
            pm.c.set_at,
            p.c.kind,
            c.c.grade,
        )
        .select_from(
            pm.join(p, p.c.id == pm.c.period_id)
            .join(e, sa.and_(e.c.student_id == pm.c.student_id, e.c.year == year))
            .join(c, c.c.id == e.c.class_id)
        )
        .where(p.c.school_id == school_id, p.c.year == year)
        .order_by(pm.c.set_at)
    )
    found: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for r in rows:
        if r.kind == period_kind_for_grade(r.grade):
            found[(r.student_id, r.subject_id)].append(r)
    existing = {
        (r.student_id, r.subject_id)
        for r in await conn.execute(
            sa.select(ym.c.student_id, ym.c.subject_id).where(
                ym.c.year == year,
                ym.c.student_id.in_(sa.select(e.c.student_id).where(e.c.year == year)),
            )
        )
    }
    new = []
    for (student_id, subject_id), marks in found.items():
        if (student_id, subject_id) in existing:
            continue
        average = sum(m.value for m in marks) / len(marks)
        value = proposed_mark(average, sc.round_threshold, sc.scale_min, sc.scale_max)
        assert value is not None  # an average of at least one mark
        new.append(
            {
                "student_id": student_id,
                "subject_id": subject_id,
                "year": year,
                "value": value,
                "set_by": marks[-1].set_by,  # who set the last period mark: the year's teacher
                "set_at": now,
            }
        )
    if new:
        await conn.execute(ym.insert(), new)
    kept = sum(1 for key in found if key in existing)
    return len(new), kept


async def _promote(conn: AsyncConnection, klass: Any, year: int) -> tuple[str, int]:
    """The class's continuation in `year`, its teaching carried over and its students moved.
    Returns the new name and how many students moved."""
    c, t, st, e = s.classes, s.teaching, s.students, s.enrollments
    name = _next_name(klass.grade, klass.letter)
    new_id = (
        await conn.execute(
            c.insert().values(
                school_id=klass.school_id,
                grade=klass.grade + 1,
                letter=klass.letter,
                name=name,
                class_teacher_id=klass.class_teacher_id,
                days_per_week=klass.days_per_week,
                year=year,
            )
        )
    ).inserted_primary_key[0]
    await conn.execute(
        t.insert().from_select(
            ["teacher_id", "class_id", "subject_id"],
            sa.select(t.c.teacher_id, sa.literal(new_id), t.c.subject_id).where(
                t.c.class_id == klass.id
            ),
        )
    )
    moved = await conn.execute(
        st.update().where(st.c.class_id == klass.id, st.c.left_on.is_(None)).values(class_id=new_id)
    )
    await conn.execute(
        e.insert().from_select(
            ["student_id", "year", "class_id"],
            sa.select(st.c.user_id, sa.literal(year), sa.literal(new_id)).where(
                st.c.class_id == new_id
            ),
        )
    )
    return name, moved.rowcount


async def _graduate(conn: AsyncConnection, class_id: int, last_day: dt.date) -> int:
    """The last grade leaves on the year's last day; accounts and links stay (read-only)."""
    st = s.students
    left = await conn.execute(
        st.update()
        .where(st.c.class_id == class_id, st.c.left_on.is_(None))
        .values(left_on=last_day)
    )
    return left.rowcount


async def roll_over_school(
    engine: AsyncEngine,
    actor: Actor,
    school: int | None,
    *,
    force: bool = False,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> RolloverReport:
    """Roll the school's current year over in one transaction; a dry run rolls it back, so it
    says exactly what the rollover would do and leaves nothing behind."""
    from .structure import school_of

    now = now or dt.datetime.now(dt.UTC)
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            school_id = await school_of(conn, school)
            year = await current_year(conn, school_id)
            report = await roll_over(conn, actor, school_id, from_year=year, now=now, force=force)
        except BaseException:
            await transaction.rollback()
            raise
        if dry_run:
            await transaction.rollback()
        else:
            await transaction.commit()
        return report
