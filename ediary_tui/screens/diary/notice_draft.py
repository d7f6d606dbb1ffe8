"""The notice of absence being written: the draft kept per child with its idempotency
key, the days a notice may cover, and how the server's refusal of it is worded and
which part of the form it names (`NoticeForm` shows them)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from ediary_tui.client.errors import ClientError
from ediary_tui.domain.models import AbsenceReason
from ediary_tui.domain.periods import school_year_of
from ediary_tui.i18n import _, error_message, server_text

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
