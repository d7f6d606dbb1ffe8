"""What the school's structure accepts, checked before anything is written.

Pure functions of the values given (no database): a class name, a time zone, a
week, a mark scale, the bells, a control form, a holiday. Each raises
`AdminError` with a sentence that says what is wrong and what would do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ediary_tui.domain.models import Category

from .errors import AdminError
from .years import year_label

_CLASS_NAME = re.compile(r"^\s*(\d{1,2})\s*-?\s*([А-ЯЁа-яё])\s*$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
MAX_WEIGHT = 10


def parse_class_name(name: str) -> tuple[int, str, str]:
    """'7а' -> (7, 'А', '7А'): a grade 1-11 and one Cyrillic letter."""
    found = _CLASS_NAME.match(name or "")
    if found is None or not 1 <= int(found.group(1)) <= 11:
        raise AdminError(f"{name!r} is not a class name like 7А (a grade 1-11 and a letter)")
    grade, letter = int(found.group(1)), found.group(2).upper()
    return grade, letter, f"{grade}{letter}"


def check_timezone(zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AdminError(
            f"{zone!r} is not a time zone; give an IANA name such as Europe/Moscow"
        ) from None
    return zone


def check_days(days: int) -> int:
    if days not in (5, 6):
        raise AdminError(f"a school week has 5 or 6 days, not {days}")
    return days


MARK_ON_ABSENT = ("ask", "refuse", "allow")


def check_mark_on_absent(rule: str) -> str:
    """A mark for a student marked absent: the app asks once, the server refuses it, or takes it."""
    rule = rule.strip()
    if rule not in MARK_ON_ABSENT:
        raise AdminError(f"mark_on_absent is one of ask, refuse, allow, not {rule!r}")
    return rule


def check_name(what: str, name: str, longest: int) -> str:
    name = (name or "").strip()
    if not name:
        raise AdminError(f"the {what} needs a name")
    if len(name) > longest:
        raise AdminError(f"the {what} name {name!r} is longer than {longest} characters")
    return name


def check_scale(scale_min: int, scale_max: int, threshold: float) -> None:
    if not (0 <= scale_min < scale_max <= 100):
        raise AdminError(
            f"the mark scale {scale_min}-{scale_max} must run from a lower to a higher mark, "
            "such as 1-5 or 1-10"
        )
    if not 0 < threshold < 1:
        raise AdminError(
            f"the rounding threshold {threshold} must be between 0 and 1 "
            "(0.5 rounds 4.5 up to 5, 0.6 asks for 4.6)"
        )


@dataclass(frozen=True)
class Bell:
    """A lesson's bells: its number, start and end (HH:MM), and the named break after it."""

    number: int
    starts_at: str
    ends_at: str
    break_name: str | None = None


def _minutes(value: str, what: str) -> int:
    found = _TIME.match(value or "")
    if found is None:
        raise AdminError(f"{what} {value!r} is not a time like 08:30")
    return int(found.group(1)) * 60 + int(found.group(2))


def check_bells(bells: Sequence[Bell]) -> list[Bell]:
    """Numbered in a row (from 0 or 1), each ending after it starts, in order, not overlapping."""
    if not bells:
        raise AdminError("the bell schedule needs at least one lesson")
    ordered = sorted(bells, key=lambda b: b.number)
    first = ordered[0].number
    if first not in (0, 1):
        raise AdminError(f"lessons are numbered from 1 (or 0 for a zero lesson), not {first}")
    previous_end = -1
    for i, bell in enumerate(ordered):
        if bell.number != first + i:
            raise AdminError(f"lesson {first + i} is missing from the bell schedule")
        start = _minutes(bell.starts_at, f"lesson {bell.number}'s start")
        end = _minutes(bell.ends_at, f"lesson {bell.number}'s end")
        if end <= start:
            raise AdminError(
                f"lesson {bell.number} ends ({bell.ends_at}) before it starts ({bell.starts_at})"
            )
        if start < previous_end:
            raise AdminError(
                f"lesson {bell.number} starts ({bell.starts_at}) before lesson "
                f"{bell.number - 1} ends ({ordered[i - 1].ends_at})"
            )
        if bell.break_name is not None and len(bell.break_name) > 50:
            raise AdminError(f"the break after lesson {bell.number} has a name over 50 characters")
        previous_end = end
    return ordered


def check_form(code: str, name: str, weight: int, category: str) -> None:
    if not _CODE.match(code or ""):
        raise AdminError(
            f"control form code {code!r} must be lowercase latin letters, digits, '_' or '-' "
            "(such as test or classwork)"
        )
    check_name("control form", name, 100)
    if not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
        raise AdminError(f"a control form's weight is a whole number 1-{MAX_WEIGHT}, not {weight}")
    if category not in {c.value for c in Category}:
        raise AdminError(
            f"a control form's category is one of {', '.join(c.value for c in Category)}, "
            f"not {category!r}"
        )


def _year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 9, 1) - dt.timedelta(days=7), dt.date(year + 1, 8, 31)


def check_holiday(year: int, name: str, starts_on: dt.date, ends_on: dt.date) -> str:
    name = check_name("holiday", name, 100)
    if ends_on < starts_on:
        raise AdminError(f"the holiday {name!r} ends ({ends_on}) before it starts ({starts_on})")
    first, last = _year_span(year)
    if starts_on < first or ends_on > last:
        raise AdminError(
            f"the holiday {name!r} ({starts_on} - {ends_on}) is outside the school year "
            f"{year_label(year)}"
        )
    return name
