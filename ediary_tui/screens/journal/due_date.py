"""A dot's due date, asked when the teacher puts a dot (.)."""

from __future__ import annotations

import datetime as dt

from ediary_tui.i18n import _, current_language, day_month
from ediary_tui.screens.journal.describe import initials
from ediary_tui.widgets.dialogs import DateModal, Window


def _date_text(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}" if current_language() == "ru" else day.isoformat()


class DueDateModal(DateModal, Window[dt.date | None]):
    """A dot's due date: a week after the lesson unless changed; Enter accepts."""

    def __init__(
        self, student: str, lesson_date: dt.date, default: dt.date, today: dt.date
    ) -> None:
        prompt = _("journal.dot_prompt", student=initials(student))
        super().__init__(
            today,
            heading=_("journal.dot_title"),
            prompt=prompt,
            value=_date_text(default),
            placeholder="",
        )
        self.lesson_date = lesson_date

    def refused(self, found: dt.date) -> str | None:
        if found < self.lesson_date:
            return _("journal.due_before", date=day_month(self.lesson_date))
        return None
