"""New since you last looked: the marks and absences of a week the family has not seen.

What was seen is kept on this computer through the session (`reads.seen_marks`,
`reads.seen_since`), per user and child; what is new stays highlighted until
the app closes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ediary_tui.client import reads
from ediary_tui.client.reads import SeenKeys, SeenSince
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import Week
from ediary_tui.widgets.lesson_text import absence_key, mark_key


def stamps(week: Week) -> dict[str, dt.datetime]:
    """What "seen" remembers of the week's marks and absences, and when each arrived."""
    found: dict[str, dt.datetime] = {}
    for day in week.days:
        for lesson in day.lessons:
            for mark in lesson.marks:
                found[mark_key(mark)] = mark.updated_at
            if key := absence_key(lesson):
                found[key] = lesson.starts_at
    return found


class SeenMarks:
    """Which of a week's marks and absences are new to the person looking."""

    def __init__(self, session: DiarySession, clock: Callable[[], dt.datetime]) -> None:
        self.session = session
        self.clock = clock
        self._new: dict[str, set[str]] = {}  # by child: highlighted in this run of the app

    def highlighted(self, week: Week) -> frozenset[str]:
        """The week's marks and absences highlighted as new in this run of the app."""
        return frozenset(self._new.get(week.student_id, set()) & stamps(week).keys())

    def look(self, week: Week) -> frozenset[str]:
        """Note the marks and absences that arrived since the user last looked at this child.

        The first look at a child sets a baseline (the newest thing on show) so
        that a first start does not highlight a whole year of old marks.
        """
        student = week.student_id
        found = stamps(week)
        since = self._baseline(student, found)
        read = reads.seen_marks(student)
        kept = self.session.saved(read)
        seen = set(kept.value.root) if kept is not None else set()
        unseen = found.keys() - seen
        if unseen:
            self._new.setdefault(student, set()).update(k for k in unseen if found[k] > since)
            self.session.keep(read, SeenKeys(sorted(seen | unseen)))
        return self.highlighted(week)

    def _baseline(self, student: str, found: dict[str, dt.datetime]) -> dt.datetime:
        read = reads.seen_since(student)
        stored = self.session.saved(read)
        if stored is not None:
            return stored.value.at
        since = max(found.values(), default=self.clock())
        self.session.keep(read, SeenSince(at=since))
        return since
