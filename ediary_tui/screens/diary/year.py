"""A report card's school year as a span of days, and the read of every mark in it.

The report card previews the year's marks and a subject's screen falls back on
them while its own read is not saved yet: both ask here, so neither screen
imports the other for it.
"""

from __future__ import annotations

import datetime as dt

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
