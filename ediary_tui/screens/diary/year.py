"""A report card's school year as a span of days, and the read of every mark in it.

The report card previews the year's marks and a subject's screen falls back on
them while its own read is not saved yet: both ask here, so neither screen
imports the other for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ediary_tui.client import reads
from ediary_tui.client.reads import Read
from ediary_tui.domain.models import MarksPage, ReportCard


def year_range(card: ReportCard) -> tuple[dt.date, dt.date]:
    """The first and last day of the card's school year: of its periods, else 1 Sep to 31 Aug."""
    if card.periods:
        return card.periods[0].starts_on, card.periods[-1].ends_on
    return dt.date(card.year, 9, 1), dt.date(card.year + 1, 8, 31)


def year_marks(card: ReportCard) -> Read[MarksPage]:
    """The child's marks of every subject over the card's year: what the preview shows."""
    first, last = year_range(card)
    return reads.marks(card.student_id, first, last)


def step_year(year: int, step: int, years: Sequence[int], this_year: int) -> int | None:
    """The school year `[` (-1) or `]` (+1) turns to from `year`, or None if there is none.

    `years` are those the child has a card of (the server says; empty from a server that
    does not): forward only to one of them, so a graduate stops at their last year and a
    moved-up child reaches this year's class; back to the one before in them, else a year
    back (an earlier year shows that it has no card). Without `years`, forward stops at
    `this_year`, the year of today's date.
    """
    if step > 0:
        later = [y for y in years if y > year] if years else [this_year] if year < this_year else []
        return min(later) if later else None
    earlier = [y for y in years if y < year]
    return max(earlier) if earlier else year - 1
