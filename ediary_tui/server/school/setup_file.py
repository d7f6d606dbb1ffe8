"""A school's structure declared in one TOML file, applied in one transaction.

`ediary admin setup school.toml` creates the school when the database has none,
then makes it match the file: the school's settings, the year with its periods
and holidays, the bells, subjects, control forms, rooms and classes. Things are
matched by name (a class by its name in the year, a form by its code), so the
same file applied twice changes nothing and a corrected file updates in place.
Subjects, forms, rooms and classes the file leaves out are kept (an import or a
command may have added them); the holidays and the bells are the file's lists.
An error names the key it is about, counting entries from 1
(`classes[3].name: '12Я' is not a class name like 7А`), and nothing is written.
Reading and checking the file is setup_read.py's. See `examples/school.toml`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .. import schema as s
from ..defaults import STANDARD_CONTROL_FORMS
from . import structure as st
from .audit import Actor
from .setup_read import ClassDecl, FormDecl, SchoolSetup, at, parse_setup, read_setup
from .year import Holiday, open_year
from .years import current_year, year_label

# --- applying it --------------------------------------------------------------------


@dataclass
class SetupReport:
    """What applying the file did (or, in a dry run, would do): one line per change."""

    school_id: int = 0
    changes: list[str] = field(default_factory=list)
    dry_run: bool = False

    def lines(self) -> list[str]:
        head = "would change" if self.dry_run else "changed"
        if not self.changes:
            return [f"school {self.school_id}: nothing to change; the database matches the file"]
        return [f"{head}: {line}" for line in self.changes] + [
            f"school {self.school_id}: {len(self.changes)} changes"
            + (" (dry run: nothing written)" if self.dry_run else "")
        ]


async def apply_setup(
    conn: AsyncConnection, actor: Actor, setup: SchoolSetup, *, school: int | None = None
) -> SetupReport:
    """Make the database's school match `setup`, in the caller's transaction."""
    report = SetupReport()
    count = (await conn.execute(sa.select(sa.func.count()).select_from(s.schools))).scalar_one()
    if school is None and count == 0:
        school_id = await st.create_school(conn, actor, setup.name, setup.short_name or setup.name)
        report.changes.append(f"school {setup.name!r} created")
        forms = setup.forms
        if forms is None:
            forms = [
                FormDecl(code, name, w, str(cat)) for code, name, w, cat in STANDARD_CONTROL_FORMS
            ]
        for form in forms:
            await st.add_form(
                conn, actor, school_id, form.code, form.name, form.weight, form.category
            )
    else:
        school_id = await st.school_of(conn, school)
    report.school_id = school_id
    await _school(conn, actor, school_id, setup, report)
    if setup.forms is not None:
        await _forms(conn, actor, school_id, setup.forms, report)
    if setup.bells is not None:
        with at("bells"):
            if await st.set_bells(conn, actor, school_id, setup.bells):
                report.changes.append(f"bells: {len(setup.bells)} lessons")
    await _subjects(conn, actor, school_id, setup.subjects, report)
    await _rooms(conn, actor, school_id, setup.rooms, report)
    year = setup.year
    if year is not None:
        await _year(conn, actor, school_id, year, setup, report)
    if setup.classes:
        if year is None:
            with at("year"):
                year = await current_year(conn, school_id)
        await _classes(conn, actor, school_id, year, setup.classes, report)
    return report


async def _school(
    conn: AsyncConnection, actor: Actor, school_id: int, setup: SchoolSetup, report: SetupReport
) -> None:
    before = (await conn.execute(sa.select(s.schools).where(s.schools.c.id == school_id))).one()
    lo, hi = setup.scale or (None, None)
    with at("school"):
        await st.update_school(
            conn,
            actor,
            school_id,
            name=setup.name,
            short_name=setup.short_name,
            timezone=setup.timezone,
            days_per_week=setup.days_per_week,
            scale_min=lo,
            scale_max=hi,
            round_threshold=setup.round_threshold,
            students_may_write=setup.students_may_write,
            mark_on_absent=setup.mark_on_absent,
        )
    after = (await conn.execute(sa.select(s.schools).where(s.schools.c.id == school_id))).one()
    for key in (
        "name",
        "short_name",
        "timezone",
        "days_per_week",
        "scale_min",
        "scale_max",
        "round_threshold",
        "students_may_write",
        "mark_on_absent",
    ):
        if getattr(before, key) != getattr(after, key):
            report.changes.append(
                f"school.{key}: {getattr(before, key)!r} -> {getattr(after, key)!r}"
            )


async def _forms(
    conn: AsyncConnection, actor: Actor, school_id: int, forms: list[FormDecl], report: SetupReport
) -> None:
    cf = s.control_forms.c
    known = set((await conn.execute(sa.select(cf.code).where(cf.school_id == school_id))).scalars())
    for i, form in enumerate(forms, start=1):
        with at(f"control_forms[{i}]"):
            if form.code not in known:
                await st.add_form(
                    conn, actor, school_id, form.code, form.name, form.weight, form.category
                )
                report.changes.append(f"control form {form.code} added (weight {form.weight})")
            elif await st.set_form(
                conn,
                actor,
                school_id,
                form.code,
                name=form.name,
                weight=form.weight,
                category=form.category,
            ):
                report.changes.append(f"control form {form.code} changed (weight {form.weight})")


async def _subjects(
    conn: AsyncConnection, actor: Actor, school_id: int, names: list[str], report: SetupReport
) -> None:
    sub = s.subjects.c
    known = {
        n.casefold()
        for n in (
            await conn.execute(sa.select(sub.name).where(sub.school_id == school_id))
        ).scalars()
    }
    for i, name in enumerate(names, start=1):
        if name.casefold() not in known:
            with at(f"subjects[{i}]"):
                await st.add_subject(conn, actor, school_id, name)
            report.changes.append(f"subject {name} added")


async def _rooms(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    rooms: list[tuple[str, int | None]],
    report: SetupReport,
) -> None:
    r = s.rooms.c
    known = {
        row.name: row.capacity
        for row in await conn.execute(sa.select(r.name, r.capacity).where(r.school_id == school_id))
    }
    for i, (name, capacity) in enumerate(rooms, start=1):
        with at(f"rooms[{i}]"):
            if name not in known:
                await st.add_room(conn, actor, school_id, name, capacity)
                report.changes.append(f"room {name} added")
            elif known[name] != capacity:
                await st.set_room_capacity(conn, actor, school_id, name, capacity)
                report.changes.append(f"room {name}: capacity {capacity}")


async def _year(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    year: int,
    setup: SchoolSetup,
    report: SetupReport,
) -> None:
    y = s.school_years.c
    opened = (
        await conn.execute(sa.select(y.year).where(y.school_id == school_id, y.year == year))
    ).first()
    if opened is None:
        with at("year"):
            await open_year(
                conn, actor, school_id, year, periods=setup.periods, holidays=setup.holidays
            )
        report.changes.append(f"year {year_label(year)} opened")
        return
    if setup.periods is not None:
        with at("year.periods"):
            if await st.set_periods(conn, actor, school_id, setup.periods, year=year):
                report.changes.append(f"periods of {year_label(year)} changed")
    if setup.holidays is not None:
        await _holidays(conn, actor, school_id, year, setup.holidays, report)


async def _holidays(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    year: int,
    holidays: list[Holiday],
    report: SetupReport,
) -> None:
    h = s.holidays.c
    stored = {
        r.name: (r.starts_on, r.ends_on)
        for r in await conn.execute(
            sa.select(h.name, h.starts_on, h.ends_on).where(
                h.school_id == school_id, h.year == year
            )
        )
    }
    wanted = {x.name: x for x in holidays}
    for name in sorted(set(stored) - set(wanted)):
        await st.remove_holiday(conn, actor, school_id, name, year=year)
        report.changes.append(f"holiday {name} removed")
    for i, holiday in enumerate(holidays, start=1):
        span = (holiday.starts_on, holiday.ends_on)
        if stored.get(holiday.name) == span:
            continue
        with at(f"year.holidays[{i}]"):
            if holiday.name in stored:
                await st.remove_holiday(conn, actor, school_id, holiday.name, year=year)
            await st.add_holiday(
                conn, actor, school_id, holiday.name, holiday.starts_on, holiday.ends_on, year=year
            )
        report.changes.append(f"holiday {holiday.name}: {holiday.starts_on} - {holiday.ends_on}")


async def _classes(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    year: int,
    classes: list[ClassDecl],
    report: SetupReport,
) -> None:
    c = s.classes.c
    known = {
        r.name: r
        for r in await conn.execute(
            sa.select(c.id, c.name, c.days_per_week, c.class_teacher_id).where(
                c.school_id == school_id, c.year == year
            )
        )
    }
    for i, decl in enumerate(classes, start=1):
        path = f"classes[{i}]"
        teacher_id = None
        if decl.class_teacher is not None:
            with at(f"{path}.class_teacher"):
                teacher_id = await st.user_by_login(conn, school_id, decl.class_teacher)
        row = known.get(decl.name)
        with at(path):
            if row is None:
                await st.add_class(
                    conn,
                    actor,
                    school_id,
                    decl.name,
                    days_per_week=decl.days_per_week,
                    class_teacher_id=teacher_id,
                    year=year,
                )
                report.changes.append(f"class {decl.name} added")
                continue
            if decl.days_per_week is not None and decl.days_per_week != row.days_per_week:
                await st.edit_class(conn, actor, row.id, days_per_week=decl.days_per_week)
                report.changes.append(f"class {decl.name}: {decl.days_per_week}-day week")
            if teacher_id is not None and teacher_id != row.class_teacher_id:
                await st.set_class_teacher(conn, actor, row.id, teacher_id)
                report.changes.append(f"class {decl.name}: class teacher {decl.class_teacher}")


async def setup_school(
    engine: AsyncEngine,
    path: Path,
    *,
    actor: Actor,
    school: int | None = None,
    dry_run: bool = False,
) -> SetupReport:
    """Apply the file in one transaction; a dry run rolls it back and says what it would do."""
    setup = read_setup(path)
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            report = await apply_setup(conn, actor, setup, school=school)
        except BaseException:
            await transaction.rollback()
            raise
        if dry_run:
            await transaction.rollback()
        else:
            await transaction.commit()
    report.dry_run = dry_run
    return report


__all__ = [
    "SchoolSetup",
    "SetupReport",
    "apply_setup",
    "parse_setup",
    "read_setup",
    "setup_school",
]
