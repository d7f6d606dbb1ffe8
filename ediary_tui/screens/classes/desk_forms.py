"""The desk's two forms: a student's behaviour note on a week, and a parent meeting.

Both are the class's writing windows (`WritingModal`): what was typed stays when it
cannot be saved, and the server's refusal is said under the field it names.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import PurePath
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, TextArea

from ediary_tui.client.session import DiarySession
from ediary_tui.clock import school_zone
from ediary_tui.domain.models import (
    BehaviourNote,
    DeskStudent,
    ParentMeeting,
    ParentMeetingIn,
    ParentMeetingPatch,
)
from ediary_tui.i18n import _, parse_date, week_range
from ediary_tui.screens.classes.writing import WritingModal, text_box
from ediary_tui.widgets.dialogs import DIALOG_SHEET

NOTE_MAX = 2000
PLACE_MAX = 200
_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")
SHEETS: list[str | PurePath] = [DIALOG_SHEET, "desk.tcss"]


class NoteModal(WritingModal[BehaviourNote | None]):
    """The week's behaviour note of one student; saving it empty clears it."""

    CSS_PATH: ClassVar[list[str | PurePath]] = SHEETS
    FIELDS: ClassVar[dict[str, str]] = {"note": "body", "monday": "body"}

    def __init__(
        self, session: DiarySession, row: DeskStudent, monday: dt.date, end: dt.date
    ) -> None:
        super().__init__(session)
        self.row = row
        self.monday = monday
        self.end = end

    def heading(self) -> str:
        return _("desk.note_title", student=self.row.student.full_name)

    def compose_fields(self) -> ComposeResult:
        body = text_box(_("desk.note_placeholder"), "body")
        body.text = self.row.behaviour_note or ""
        yield from self.field(body, _("desk.note_field", range=week_range(self.monday, self.end)))

    def on_mount(self) -> None:
        body = self.query_one("#body", TextArea)
        body.focus()
        # To go on writing the note there is, once the text area has laid it out.
        self.call_after_refresh(lambda: body.move_cursor(body.document.end))

    def typed(self) -> bool:
        return self.query_one("#body", TextArea).text.strip() != (self.row.behaviour_note or "")

    def action_send(self) -> None:
        if self.sending:
            return
        self.clear_errors()
        text = self.query_one("#body", TextArea).text.strip()
        if len(text) > NOTE_MAX:
            self.show_error("body", _("class.too_long", max=NOTE_MAX, length=len(text)))
            return
        self.busy(True)
        self.say(_("class.sending"))
        self._send(text or None)

    @work(exclusive=True, group="send")
    async def _send(self, text: str | None) -> None:
        student, monday = self.row.student.id, self.monday
        done = _("desk.note_saved" if text else "desk.note_cleared")
        saved = await self.post(lambda api: api.set_behaviour_note(student, monday, text), done)
        if saved is not None:
            self.sent(saved, as_typed=True, done=done)


class MeetingModal(WritingModal[ParentMeeting | None]):
    """A parent meeting: the day, the time, the place and the agenda; new or changed."""

    CSS_PATH: ClassVar[list[str | PurePath]] = SHEETS
    FIELDS: ClassVar[dict[str, str]] = {"starts_at": "date", "place": "place", "agenda": "body"}

    def __init__(
        self,
        session: DiarySession,
        class_id: str,
        class_name: str,
        meeting: ParentMeeting | None,
        *,
        today: dt.date,
        tz: dt.tzinfo | None,
    ) -> None:
        super().__init__(session)
        self.class_id = class_id
        self.class_name = class_name
        self.meeting = meeting
        self.today = today
        self.tz = school_zone() or tz  # typed and shown on the school's clocks
        # One key for this meeting, however often it is sent: a retry calls it once.
        self.key = str(uuid.uuid4())

    def heading(self) -> str:
        key = "desk.meeting_new" if self.meeting is None else "desk.meeting_change"
        return _(key, class_name=self.class_name)

    def compose_fields(self) -> ComposeResult:
        when = None
        if self.meeting is not None:
            when = self.meeting.starts_at.astimezone(self.tz) if self.tz else self.meeting.starts_at
        day = Input(
            when.strftime("%d.%m.%Y") if when else "",
            placeholder=_("desk.date_placeholder"),
            id="date",
        )
        time = Input(when.strftime("%H:%M") if when else "", placeholder="18:00", id="time")
        with Horizontal(id="when"):
            with Vertical(id="day-field"):
                yield from self.field(day, _("desk.date_field"))
            with Vertical(id="time-field"):
                yield from self.field(time, _("desk.time_field"))
        place = Input(
            self.meeting.place if self.meeting else "",
            placeholder=_("desk.place_placeholder"),
            max_length=PLACE_MAX,
            id="place",
        )
        yield from self.field(place, _("desk.place_field"))
        agenda = text_box(_("desk.agenda_placeholder"), "body")
        agenda.text = self.meeting.agenda if self.meeting else ""
        yield from self.field(agenda, _("desk.agenda_field"))

    def on_mount(self) -> None:
        self.query_one("#date", Input).focus()

    def typed(self) -> bool:
        if self.meeting is None:
            return super().typed()
        return (
            self.query_one("#place", Input).value.strip() != self.meeting.place
            or self.query_one("#body", TextArea).text.strip() != self.meeting.agenda
        )

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _starts_at(self) -> dt.datetime | None:
        """The day and time typed, in the school's zone; an error said under its field."""
        day = parse_date(self.query_one("#date", Input).value, self.today)
        if day is None:
            self.show_error("date", _("desk.need_date"))
            return None
        found = _TIME.fullmatch(self.query_one("#time", Input).value.strip())
        if found is None:
            self.show_error("time", _("desk.need_time"))
            return None
        moment = dt.datetime.combine(day, dt.time(int(found[1]), int(found[2])))
        return moment.replace(tzinfo=self.tz) if self.tz else moment.astimezone()

    def action_send(self) -> None:
        if self.sending:
            return
        self.clear_errors()
        starts_at = self._starts_at()
        if starts_at is None:
            return
        place = self.query_one("#place", Input).value.strip()
        agenda = self.query_one("#body", TextArea).text.strip()
        if not place:
            self.show_error("place", _("desk.need_place"))
            return
        if not agenda:
            self.show_error("body", _("desk.need_agenda"))
            return
        self.busy(True)
        self.say(_("class.sending"))
        self._send(starts_at, place, agenda)

    @work(exclusive=True, group="send")
    async def _send(self, starts_at: dt.datetime, place: str, agenda: str) -> None:
        done = _("desk.meeting_saved", class_name=self.class_name)
        if self.meeting is None:
            body = ParentMeetingIn(starts_at=starts_at, place=place, agenda=agenda)
            key, class_id = self.key, self.class_id
            saved = await self.post(
                lambda api: api.create_meeting(class_id, body, idempotency_key=key), done
            )
        else:
            patch = ParentMeetingPatch(starts_at=starts_at, place=place, agenda=agenda)
            meeting_id = self.meeting.id
            saved = await self.post(lambda api: api.update_meeting(meeting_id, patch), done)
        if saved is not None:
            self.sent(saved, as_typed=(saved.place, saved.agenda) == (place, agenda), done=done)
