"""Reading a school.toml: its shape and every value that can be checked without the
database, each error naming the key it is about (`classes[3].name: ...`, entries
counted from 1). setup_file.py applies what this reads.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ediary_tui.domain.periods import HALF, QUARTER, PeriodSpan, standard_periods

from . import checks as st
from .checks import Bell
from .errors import AdminError
from .year import Holiday, check_periods

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
    students_may_write: bool | None = None
    mark_on_absent: str | None = None
    year: int | None = None
    periods: list[PeriodSpan] | None = None
    holidays: list[Holiday] | None = None
    bells: list[Bell] | None = None
    subjects: list[str] = field(default_factory=list)
    forms: list[FormDecl] | None = None
    rooms: list[tuple[str, int | None]] = field(default_factory=list)
    classes: list[ClassDecl] = field(default_factory=list)


def _keys(
    table: Any, path: str, allowed: set[str], required: Collection[str] = ()
) -> dict[str, Any]:
    """The table at `path`, refused when it has a key it should not or lacks one it needs."""
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
        {
            "name",
            "short_name",
            "timezone",
            "days_per_week",
            "scale",
            "round_threshold",
            "students_may_write",
            "mark_on_absent",
        },
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
    if "students_may_write" in sch:
        value = sch["students_may_write"]
        if not isinstance(value, bool):
            raise AdminError(f"school.students_may_write: expected true or false, got {value!r}")
        setup.students_may_write = value
    if "mark_on_absent" in sch:
        with at("school.mark_on_absent"):
            setup.mark_on_absent = st.check_mark_on_absent(_str(sch["mark_on_absent"], "value"))
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
                Bell(
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
