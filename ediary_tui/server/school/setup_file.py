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
See `examples/school.toml`.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ediary_tui.domain.periods import HALF, QUARTER, PeriodSpan, standard_periods

from .. import schema as s
from ..defaults import STANDARD_CONTROL_FORMS
from . import structure as st
from .audit import Actor
from .errors import AdminError
from .year import Holiday, open_year, standard_holidays
from .years import current_year, year_label

_TOP = {"school", "year", "bells", "subjects", "control_forms", "rooms", "classes"}


@contextmanager
def at(path: str) -> Iterator[None]:
    """Errors raised inside name the file's key they are about."""
    try:
        yield
    except AdminError as exc:
        raise AdminError(f"{path}: {exc}") from None


# --- reading the file -----------------------------------------------------------


@dataclass(frozen=True)
class FormDecl:
    code: str
    name: str
    weight: int
    category: str


@dataclass(frozen=True)
class ClassDecl:
    name: str
    days_per_week: int | None
    class_teacher: str | None


@dataclass
class SchoolSetup:
    """What the file declares; None: the file does not say (leave it as it is)."""

    name: str
    short_name: str | None = None
    timezone: str | None = None
    days_per_week: int | None = None
    scale: tuple[int, int] | None = None
    round_threshold: float | None = None
    year: int | None = None
    periods: list[PeriodSpan] | None = None
    holidays: list[Holiday] | None = None
    bells: list[st.Bell] | None = None
    subjects: list[str] = field(default_factory=list)
    forms: list[FormDecl] | None = None
    rooms: list[tuple[str, int | None]] = field(default_factory=list)
    classes: list[ClassDecl] = field(default_factory=list)


def _keys(table: Any, path: str, allowed: set[str], required: set[str] = frozenset()) -> dict:  # type: ignore[assignment]
    if not isinstance(table, dict):
        raise AdminError(f"{path}: expected a table of keys")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise AdminError(
            f"{path}.{unknown[0]}: unknown key; {path} has {', '.join(sorted(allowed))}"
        )
    for key in sorted(required):
        if key not in table:
            raise AdminError(f"{path}.{key}: missing")
    return table


def _str(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AdminError(f"{path}: expected text, got {value!r}")
    return value.strip()


def _int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AdminError(f"{path}: expected a whole number, got {value!r}")
    return value


def _date(value: Any, path: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise AdminError(f"{path}: expected a date like 2026-09-01, not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise AdminError(f"{path}: {value!r} is not a date like 2026-09-01")


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise AdminError(f"{path}: expected a list")
    return value


def parse_setup(data: dict[str, Any]) -> SchoolSetup:
    """Check the file's shape and values that need no database; errors name the key."""
    _keys(data, "(file)", _TOP, {"school"})
    sch = _keys(
        data["school"],
        "school",
        {"name", "short_name", "timezone", "days_per_week", "scale", "round_threshold"},
        {"name"},
    )
    with at("school.name"):
        setup = SchoolSetup(name=st.check_name("school", _str(sch["name"], "name"), 200))
    if "short_name" in sch:
        with at("school.short_name"):
            setup.short_name = st.check_name("short", _str(sch["short_name"], "value"), 100)
    if "timezone" in sch:
        with at("school.timezone"):
            setup.timezone = st.check_timezone(_str(sch["timezone"], "value"))
    if "days_per_week" in sch:
        with at("school.days_per_week"):
            setup.days_per_week = st.check_days(_int(sch["days_per_week"], "value"))
    if "scale" in sch:
        scale = sch["scale"]
        if not (isinstance(scale, list) and len(scale) == 2):
            raise AdminError(
                f"school.scale: expected [lowest, highest] such as [1, 5], got {scale!r}"
            )
        setup.scale = (_int(scale[0], "school.scale[1]"), _int(scale[1], "school.scale[2]"))
    if "round_threshold" in sch:
        value = sch["round_threshold"]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise AdminError(f"school.round_threshold: expected a number like 0.6, got {value!r}")
        setup.round_threshold = float(value)
    with at("school"):
        lo, hi = setup.scale or (1, 5)
        st.check_scale(lo, hi, setup.round_threshold or 0.5)
    if "year" in data:
        _parse_year(data["year"], setup)
    if "bells" in data:
        bells = []
        for i, item in enumerate(_list(data["bells"], "bells"), start=1):
            path = f"bells[{i}]"
            b = _keys(
                item, path, {"number", "starts", "ends", "break"}, {"number", "starts", "ends"}
            )
            brk = b.get("break")
            bells.append(
                st.Bell(
                    _int(b["number"], f"{path}.number"),
                    _str(b["starts"], f"{path}.starts"),
                    _str(b["ends"], f"{path}.ends"),
                    _str(brk, f"{path}.break") if brk is not None else None,
                )
            )
        with at("bells"):
            setup.bells = st.check_bells(bells)
    for i, name in enumerate(_list(data.get("subjects", []), "subjects"), start=1):
        with at(f"subjects[{i}]"):
            name = st.check_name("subject", _str(name, "value"), 100)
        if name.casefold() in {n.casefold() for n in setup.subjects}:
            raise AdminError(f"subjects[{i}]: {name!r} is listed twice")
        setup.subjects.append(name)
    if "control_forms" in data:
        setup.forms = []
        for i, item in enumerate(_list(data["control_forms"], "control_forms"), start=1):
            path = f"control_forms[{i}]"
            f = _keys(
                item,
                path,
                {"code", "name", "weight", "category"},
                {"code", "name", "weight", "category"},
            )
            form = FormDecl(
                _str(f["code"], f"{path}.code"),
                _str(f["name"], f"{path}.name"),
                _int(f["weight"], f"{path}.weight"),
                _str(f["category"], f"{path}.category"),
            )
            with at(path):
                st.check_form(form.code, form.name, form.weight, form.category)
            if form.code in {other.code for other in setup.forms}:
                raise AdminError(f"{path}.code: {form.code!r} is listed twice")
            setup.forms.append(form)
    for i, item in enumerate(_list(data.get("rooms", []), "rooms"), start=1):
        path = f"rooms[{i}]"
        if isinstance(item, str):
            item = {"name": item}
        r = _keys(item, path, {"name", "capacity"}, {"name"})
        with at(f"{path}.name"):
            name = st.check_name("room", _str(r["name"], "value"), 20)
        capacity = _int(r["capacity"], f"{path}.capacity") if "capacity" in r else None
        if name in {n for n, _ in setup.rooms}:
            raise AdminError(f"{path}.name: {name!r} is listed twice")
        setup.rooms.append((name, capacity))
    for i, item in enumerate(_list(data.get("classes", []), "classes"), start=1):
        path = f"classes[{i}]"
        if isinstance(item, str):
            item = {"name": item}
        c = _keys(item, path, {"name", "days_per_week", "class_teacher"}, {"name"})
        with at(f"{path}.name"):
            name = st.parse_class_name(_str(c["name"], "value"))[2]
        days = None
        if "days_per_week" in c:
            with at(f"{path}.days_per_week"):
                days = st.check_days(_int(c["days_per_week"], "value"))
        teacher = (
            _str(c["class_teacher"], f"{path}.class_teacher") if "class_teacher" in c else None
        )
        if name in {d.name for d in setup.classes}:
            raise AdminError(f"{path}.name: the class {name} is listed twice")
        setup.classes.append(ClassDecl(name, days, teacher))
    return setup


def _parse_year(value: Any, setup: SchoolSetup) -> None:
    y = _keys(value, "year", {"starts", "periods", "holidays"}, {"starts"})
    year = _int(y["starts"], "year.starts")
    if not 2000 <= year <= 2100:
        raise AdminError(f"year.starts: {year} is not the calendar year a school year starts in")
    setup.year = year
    if "periods" in y:
        spans = []
        for i, item in enumerate(_list(y["periods"], "year.periods"), start=1):
            path = f"year.periods[{i}]"
            p = _keys(
                item,
                path,
                {"kind", "number", "name", "starts_on", "ends_on"},
                {"kind", "number", "starts_on", "ends_on"},
            )
            kind = _str(p["kind"], f"{path}.kind")
            if kind not in (QUARTER, HALF):
                raise AdminError(f"{path}.kind: a period is a {QUARTER} or a {HALF}, not {kind!r}")
            number = _int(p["number"], f"{path}.number")
            name = (
                _str(p["name"], f"{path}.name")
                if "name" in p
                else _standard_name(year, kind, number)
            )
            spans.append(
                PeriodSpan(
                    kind,
                    number,
                    name,
                    _date(p["starts_on"], f"{path}.starts_on"),
                    _date(p["ends_on"], f"{path}.ends_on"),
                )
            )
        keys = [(p.kind, p.number) for p in spans]
        if len(set(keys)) != len(keys):
            raise AdminError("year.periods: a period is listed twice (same kind and number)")
        from .year import check_periods

        with at("year.periods"):
            check_periods(year, spans)
        setup.periods = spans
    if "holidays" in y:
        setup.holidays = []
        for i, item in enumerate(_list(y["holidays"], "year.holidays"), start=1):
            path = f"year.holidays[{i}]"
            h = _keys(item, path, {"name", "starts_on", "ends_on"}, {"name", "starts_on"})
            start = _date(h["starts_on"], f"{path}.starts_on")
            end = _date(h["ends_on"], f"{path}.ends_on") if "ends_on" in h else start
            with at(path):
                name = st.check_holiday(year, _str(h["name"], "name"), start, end)
            if name in {other.name for other in setup.holidays}:
                raise AdminError(f"{path}.name: {name!r} is listed twice")
            setup.holidays.append(Holiday(name, start, end))


def _standard_name(year: int, kind: str, number: int) -> str:
    spans = standard_periods(year, kind)
    return spans[number - 1].name if 1 <= number <= len(spans) else f"{kind} {number}"


def read_setup(path: Path) -> SchoolSetup:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise AdminError(f"cannot read {path}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AdminError(f"{path} is not valid TOML: {exc}") from None
    return parse_setup(data)


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
    "standard_holidays",
]
