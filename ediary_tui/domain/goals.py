"""What a child aims at in a period, and which marks would reach it.

Built on `marks.what_do_i_need` and `marks.marks_needed` with the school's
scale, rounding threshold and control-form weights, so the "what do I need"
panel and the teacher's journal agree to the digit. "This period" is taken
literally: `lessons_left` counts the subject's lessons still to come, which
caps how many marks the answer may ask for.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction

from ediary_tui.domain.marks import Scored, marks_needed, what_do_i_need
from ediary_tui.domain.models import SchoolSettings, Week


@dataclass(frozen=True)
class Goal:
    """What a child aims at: a period mark (judged by its threshold), or an average."""

    mark: int | None
    average: Fraction


def parse_goal(text: str, settings: SchoolSettings) -> Goal | None:
    """'5' is a mark on the school's scale, '4.5' (or '4,5') an average; None if neither."""
    text = text.strip().replace(",", ".")
    low, high = settings.scale_min, settings.scale_max
    if re.fullmatch(r"\d{1,3}", text):
        mark = int(text)
        if not low <= mark <= high:
            return None
        # The average from which the school proposes `mark` (what_do_i_need aims at the same).
        threshold = Fraction(repr(settings.round_threshold))
        return Goal(mark, max(Fraction(low), (mark - 1) + threshold))
    if re.fullmatch(r"\d{1,3}\.\d{1,2}", text):
        average = Fraction(text)
        return Goal(None, average) if low <= average <= high else None
    return None


def default_goal(settings: SchoolSettings, proposed: int | None) -> int:
    """One mark better than the proposed one (the top of the scale at most)."""
    if proposed is None:
        return settings.scale_max
    return min(proposed + 1, settings.scale_max)


def weights(settings: SchoolSettings) -> list[int]:
    """The weights of the school's control forms, heaviest first (a weightless one never helps)."""
    return sorted({f.weight for f in settings.control_forms if f.weight > 0}, reverse=True)


def needed(
    marks: list[Scored], goal: Goal, settings: SchoolSettings, limit: int | None
) -> dict[int, dict[int, int | None]]:
    """{value: {weight: fewest marks of that value and weight that reach the goal}}.

    None where even `limit` marks (the lessons left) would not do.
    """
    cap = {} if limit is None else {"limit": limit}
    table: dict[int, dict[int, int | None]] = {}
    for weight in weights(settings):
        if goal.mark is not None:
            answers = what_do_i_need(
                marks,
                goal.mark,
                weight,
                settings.round_threshold,
                settings.scale_min,
                settings.scale_max,
                **cap,
            )
        else:
            answers = {
                value: marks_needed(marks, goal.average, value, weight, **cap)
                for value in range(settings.scale_min, settings.scale_max + 1)
            }
        for value, count in answers.items():
            table.setdefault(value, {})[weight] = count
    return table


def lessons_left(
    week: Week | None, subject_id: str, first: dt.date, last: dt.date, now: dt.datetime
) -> int | None:
    """About how many lessons of the subject are still to come from `first` to `last`.

    This week's timetable repeated weekly; None when the week is not known or
    has no lesson of the subject (a replaced week says nothing of the others).
    """
    if week is None:
        return None
    lessons = [x for day in week.days for x in day.lessons if x.subject.id == subject_id]
    if not lessons:
        return None
    count = 0
    for lesson in lessons:
        at = lesson.starts_at
        while at.date() <= last:
            if at > now and at.date() >= first:
                count += 1
            at += dt.timedelta(days=7)
    return count
