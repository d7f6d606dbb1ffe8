"""The week screen's line of parent meetings: the next one the child's class teacher called.

It sits under the week's bar, on the screen a family opens every time, rather than in
the announcements, which they open only when told something is new: a meeting is a
date to keep, like a lesson. Only our school server has meetings; a real diary read
here shows no line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from textual import work
from textual.content import Content
from textual.widgets import Static

from ediary_tui.client.errors import ClientError
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import MeetingList
from ediary_tui.i18n import _, date_time

MEETING_KINDS = frozenset({"meeting", "meeting_cancelled"})
"""The change feed's kinds that call for the line to be asked again."""


def meetings_text(found: MeetingList, tz: dt.tzinfo | None) -> str:
    """The next meeting in a line (and how many more), or "" when none is called."""
    if not found.meetings:
        return ""
    first = found.meetings[0]
    when = first.starts_at.astimezone(tz) if tz else first.starts_at
    agenda = first.agenda.replace("\n", " ")
    text = _("desk.meeting_line", when=date_time(when), place=first.place, agenda=agenda)
    if len(found.meetings) > 1:
        text += " " + _("desk.meetings_more", count=len(found.meetings) - 1)
    return text


class MeetingsLine(Static):
    """The next parent meeting of the child's class; hidden when there is none."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.display = False
        self._child: str | None = None

    def ask(self, session: DiarySession, child_id: str, clock: Callable[[], dt.datetime]) -> None:
        """Ask the server for the child's meetings (in a worker); the line shows the answer."""
        if session.info.read_only:
            return
        if child_id != self._child:
            self.display = False
        self._child = child_id
        self._fetch(session, child_id, clock)

    @work(exclusive=True, group="meetings")
    async def _fetch(
        self, session: DiarySession, child_id: str, clock: Callable[[], dt.datetime]
    ) -> None:
        try:
            found = await session.send(lambda api: api.meetings(child_id))
        except ClientError:
            return  # the week says what is wrong with the server; the line waits
        if child_id != self._child:
            return
        text = meetings_text(found, clock().tzinfo)
        self.update(Content(text))
        self.display = bool(text)
