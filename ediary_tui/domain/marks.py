"""Marks, weights and the arithmetic of a period mark.

Pure functions over `Scored`, the part of a mark the arithmetic needs, so the
server (report card, journal) and the client (what-if panel) agree to the digit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ediary_tui.domain.models import Category

# Float slack for the rounding threshold: 4.6 - 4 is 0.5999999999999996 in binary.
_EPSILON = 1e-9

# A dot is owed by default a week after its lesson (the teacher may pick another day).
DOT_DUE_AFTER = timedelta(days=7)

# The order of the breakdown: heaviest kind of work first.
CATEGORY_ORDER: tuple[Category, ...] = (
    Category.TEST,
    Category.INDEPENDENT,
    Category.CLASSWORK,
    Category.HOMEWORK,
)


@dataclass(frozen=True, slots=True)
class Scored:
    """A mark reduced to what the arithmetic needs; a dot has value None."""

    value: int | None
    weight: int
    category: Category = Category.CLASSWORK
    is_dot: bool = False


def counts(m: Scored) -> bool:
    """Whether a mark enters the average: a dot, a blank or a weightless mark never does."""
    return not m.is_dot and m.value is not None and m.weight > 0


def _sums(marks: Iterable[Scored]) -> tuple[int, int]:
    """Sum of value*weight and sum of weight over the marks that count (exact integers)."""
    total = weight = 0
    for m in marks:
        if counts(m):
            assert m.value is not None
            total += m.value * m.weight
            weight += m.weight
    return total, weight


def weighted_average(marks: Iterable[Scored]) -> float | None:
    """sum(value*weight)/sum(weight) over counted marks; None when nothing counts."""
    total, weight = _sums(marks)
    return total / weight if weight else None


def _check_scale(threshold: float, scale_min: int, scale_max: int) -> None:
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold!r}")
    if scale_min > scale_max:
        raise ValueError(f"empty scale {scale_min}..{scale_max}")


def proposed_mark(
    average: float | None, threshold: float = 0.5, scale_min: int = 1, scale_max: int = 5
) -> int | None:
    """The period mark proposed from an average: round up from `threshold`, clamp to the scale.

    The threshold is a school setting: 0.5 rounds half up, 0.6 makes 4.6 a 5.
    """
    _check_scale(threshold, scale_min, scale_max)
    if average is None:
        return None
    base = math.floor(average)
    if average - base >= threshold - _EPSILON:
        base += 1
    return max(scale_min, min(scale_max, base))


def round_average(average: float | None, places: int = 2) -> float | None:
    """Round for display, half up as people expect (4.445 -> 4.45), not banker's rounding."""
    if average is None:
        return None
    # repr() is the shortest decimal that reads back as the float: what a person sees.
    exact = Decimal(repr(float(average)))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class CategoryStat:
    """One line of the breakdown: how much a kind of work weighs in the period mark."""

    category: Category
    count: int
    weight_sum: int
    average: float | None
    share: float  # of the total counted weight, 0..1


def breakdown(marks: Iterable[Scored]) -> list[CategoryStat]:
    """Per-category counts, weights and averages, tests first; only categories with marks."""
    counted = [m for m in marks if counts(m)]
    total_weight = sum(m.weight for m in counted)
    order = CATEGORY_ORDER + tuple(c for c in Category if c not in CATEGORY_ORDER)
    stats: list[CategoryStat] = []
    for category in order:
        own = [m for m in counted if m.category == category]
        if not own:
            continue
        weight_sum = sum(m.weight for m in own)
        stats.append(
            CategoryStat(
                category=category,
                count=len(own),
                weight_sum=weight_sum,
                average=weighted_average(own),
                share=weight_sum / total_weight,
            )
        )
    return stats


def _exact(x: float | Fraction) -> Fraction:
    """The decimal a person meant by a float: 4.6 is 23/5, not 4.5999999999999996."""
    if isinstance(x, int | Fraction):
        return Fraction(x)
    return Fraction(repr(float(x)))


def marks_needed(
    marks: Sequence[Scored], target: float | Fraction, value: int, weight: int, limit: int = 50
) -> int | None:
    """The fewest extra marks of `value` at `weight` that lift the average to >= target.

    0 when already there; None when not reachable within `limit`. Solved in closed
    form with exact fractions: (S + n*v*w) / (W + n*w) >= T  <=>  n*w*(v - T) >= T*W - S.
    """
    goal = _exact(target)
    total, counted_weight = _sums(marks)
    if counted_weight and Fraction(total, counted_weight) >= goal:
        return 0
    if weight <= 0 or value < goal:
        return None  # weightless marks never count; marks below the goal only pull down
    deficit = goal * counted_weight - total
    if deficit > 0:
        if value == goal:
            return None  # the average only creeps towards the goal
        needed = math.ceil(deficit / (weight * (value - goal)))
    else:
        needed = 0
    needed = max(needed, 1)  # here nothing counted yet or the goal is unmet: at least one
    return needed if needed <= limit else None


def what_do_i_need(
    marks: Sequence[Scored],
    target_mark: int,
    weight: int,
    threshold: float = 0.5,
    scale_min: int = 1,
    scale_max: int = 5,
    limit: int = 50,
) -> dict[int, int | None]:
    """For each mark value on the scale: how many of it lift proposed_mark to target_mark.

    A mark m is proposed from an average of (m - 1) + threshold, so that is the goal.
    """
    _check_scale(threshold, scale_min, scale_max)
    values = range(scale_min, scale_max + 1)
    if target_mark > scale_max:
        return dict.fromkeys(values)
    goal = (target_mark - 1) + _exact(threshold)
    return {v: marks_needed(marks, goal, v, weight, limit) for v in values}


def dot_vanishes(due: date | None, period_end: date, today: date) -> bool:
    """Whether an unfilled dot has disappeared: its period is over.

    The due date does not keep a dot alive past the end of its period; the
    period mark is set without it.
    """
    return today > period_end


def dot_default_due(lesson_date: date) -> date:
    """The due date a new dot is offered with: a week after its lesson."""
    return lesson_date + DOT_DUE_AFTER
