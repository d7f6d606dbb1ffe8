"""The notice of absence being written: the draft kept per child with its idempotency
key, the days a notice may cover, and how the server's refusal of it is worded and
which part of the form it names (`NoticeForm` shows them)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from ediary_tui.client.errors import ClientError
from ediary_tui.domain.models import AbsenceNotice, AbsenceNoticeIn, AbsenceReason
from ediary_tui.domain.periods import school_year_of
from ediary_tui.i18n import _, error_message, full_date, server_text, week_range

# Which part of the form a field named by the server belongs to.
FIELD_GROUPS = {
    "from": "dates",
    "from_": "dates",
    "to": "dates",
    "first_lesson": "lessons",
    "last_lesson": "lessons",
    "reason": "reason",
    "comment": "comment",
}
# An overlap names no field, but it is the dates that clash.
CODE_GROUPS = {"notice_overlaps": "dates", "range_reversed": "dates"}


def notice_error(exc: ClientError) -> str:
    """The server's refusal in the person's language (its own words in English)."""
    if exc.code:
        translated = server_text(f"notice_error.{exc.code}", "")
        if translated:
            return translated
    return error_message(exc.code, exc.message)


def notice_days(notice: AbsenceNotice | AbsenceNoticeIn) -> str:
    """25–27 November 2026, or 25 November 2026, lessons 3–5: one day is one date."""
    if notice.from_ != notice.to:
        return week_range(notice.from_, notice.to)
    day = full_date(notice.from_)
    first, last = notice.first_lesson, notice.last_lesson
    if first is None and last is None:
        return day
    if first is not None and last is not None and first != last:
        return _("absence.day_lessons", day=day, first=first, last=last)
    if first is not None and last is None:
        return _("absence.day_from_lesson", day=day, first=first)
    if first is None and last is not None:
        return _("absence.day_to_lesson", day=day, last=last)
    return _("absence.day_lesson", day=day, number=first)


def overlapping(notice: AbsenceNoticeIn, notices: Sequence[AbsenceNotice]) -> AbsenceNotice | None:
    """The notice in force that `notice` clashes with (what the server's 409 is about)."""
    whole = (1, 99)
    mine = (notice.first_lesson or whole[0], notice.last_lesson or whole[1])
    for other in notices:
        if other.from_ > notice.to or other.to < notice.from_:
            continue
        theirs = (other.first_lesson or whole[0], other.last_lesson or whole[1])
        if theirs[0] <= mine[1] and mine[0] <= theirs[1]:
            return other
    return None


def school_year_span(today: dt.date) -> tuple[dt.date, dt.date]:
    """1 September to 31 August of the school year `today` is in: where a notice may fall."""
    year = school_year_of(today)
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


def date_text(day: dt.date) -> str:
    return day.strftime(_("absence.date_format"))


@dataclass
class Draft:
    """What a parent has typed into the form for one child, kept until the notice is given."""

    start: str
    end: str
    first_lesson: str = ""
    last_lesson: str = ""
    reason: AbsenceReason = AbsenceReason.ILLNESS
    comment: str = ""
    # One key per notice being written: a repeat after a timeout cannot give it twice.
    key: str = field(default_factory=lambda: str(uuid.uuid4()))
