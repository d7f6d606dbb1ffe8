"""School years, periods (quarters or half-years) and weeks.

Pure date arithmetic: the server seeds periods from `standard_periods`, both
sides find "the current period" and "this week" the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, TypeVar

QUARTER = "quarter"
HALF = "half"

# (start month, day), (end month, day); months before September are in the next calendar year.
_DATES: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {
    QUARTER: [((9, 1), (10, 26)), ((11, 5), (12, 28)), ((1, 9), (3, 22)), ((4, 1), (5, 26))],
    HALF: [((9, 1), (12, 28)), ((1, 9), (5, 26))],
}
_ORDINALS = ("1st", "2nd", "3rd", "4th")
_NAMES = {QUARTER: "quarter", HALF: "half-year"}


def school_year_of(d: date) -> int:
    """The calendar year the school year of `d` starts in (it starts on 1 September)."""
    return d.year if d.month >= 9 else d.year - 1


def school_year_name(year: int) -> str:
    """The school year starting in `year` as schools write it: 2026 -> '2026/27'."""
    return f"{year}/{(year + 1) % 100:02d}"


def period_kind_for_grade(grade: int) -> str:
    """Grades 1-9 are marked by quarters, 10-11 by half-years."""
    if 1 <= grade <= 9:
        return QUARTER
    if 10 <= grade <= 11:
        return HALF
    raise ValueError(f"no such grade: {grade}")


@dataclass(frozen=True)
class PeriodSpan:
    """A period of the school year, before it has an id in a database."""

    kind: str
    number: int
    name: str
    starts_on: date
    ends_on: date


def _school_day(d: date) -> date:
    """A period cannot start on a Sunday: it starts on the Monday after."""
    return d + timedelta(days=1) if d.weekday() == 6 else d


def standard_periods(year: int, kind: str) -> list[PeriodSpan]:
    """The usual Russian periods of the school year starting in `year`."""
    if kind not in _DATES:
        raise ValueError(f"unknown period kind: {kind!r}")
    spans = []
    for number, ((sm, sd), (em, ed)) in enumerate(_DATES[kind], start=1):
        starts = date(year if sm >= 9 else year + 1, sm, sd)
        ends = date(year if em >= 9 else year + 1, em, ed)
        name = f"{_ORDINALS[number - 1]} {_NAMES[kind]}"
        spans.append(PeriodSpan(kind, number, name, _school_day(starts), ends))
    return spans


class Dated(Protocol):
    """Anything with a first and a last day: a PeriodSpan or a wire Period."""

    @property
    def starts_on(self) -> date: ...

    @property
    def ends_on(self) -> date: ...


T = TypeVar("T", bound=Dated)


def period_containing(spans: Sequence[T], d: date) -> T | None:
    """The period `d` falls in, both ends inclusive; None in the holidays."""
    return next((s for s in spans if s.starts_on <= d <= s.ends_on), None)


def nearest_period(spans: Sequence[T], d: date) -> T | None:
    """The period to show for `d`: the one it is in, else the last one over, else the first.

    In the holidays the diary keeps showing the period just finished.
    """
    found = period_containing(spans, d)
    if found is not None:
        return found
    over = [s for s in spans if s.ends_on < d]
    if over:
        return max(over, key=lambda s: s.ends_on)
    return min(spans, key=lambda s: s.starts_on, default=None)


def week_start(d: date) -> date:
    """The Monday of the week of `d`."""
    return d - timedelta(days=d.weekday())


def week_days(monday: date, days_per_week: int) -> list[date]:
    """The school days of the week of `monday`: Monday to Friday or to Saturday."""
    if days_per_week not in (5, 6):
        raise ValueError(f"a school week has 5 or 6 days, not {days_per_week}")
    start = week_start(monday)
    return [start + timedelta(days=i) for i in range(days_per_week)]


def iso_week_label(monday: date) -> str:
    """The ISO week, e.g. '2024-W36': a stable key for a week (its signature, its cache)."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"
