"""An announcement to the class whose journal is shown (a)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import Announcement, AnnouncementIn
from ediary_tui.i18n import _
from ediary_tui.screens.classes.writing import WritingModal, text_box
from ediary_tui.screens.messages.compose import MAX_SUBJECT


class AnnouncementModal(WritingModal[Announcement | None]):
    """An announcement to the class: a title and the text; ctrl+s sends it."""

    FIELDS: ClassVar[dict[str, str]] = {"title": "title", "body": "body"}

    def __init__(self, session: DiarySession, class_id: str, class_name: str) -> None:
        super().__init__(session)
        self.class_id = class_id
        self.class_name = class_name
        # One key for this announcement, however often it is sent: a retry after a lost
        # answer gets the first one back instead of posting a second.
        self.key = str(uuid.uuid4())

    def heading(self) -> str:
        return _("class.announce_title", class_name=self.class_name)

    def compose_fields(self) -> ComposeResult:
        title = Input(placeholder=_("class.title_placeholder"), max_length=MAX_SUBJECT, id="title")
        yield from self.field(title, _("class.title_field"))
        body = text_box(_("class.text_placeholder"), "body")
        yield from self.field(body, _("class.text_field"))

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    @on(Input.Submitted, "#title")
    def _title_done(self) -> None:
        self.query_one("#body", TextArea).focus()

    def action_send(self) -> None:
        if self.sending:  # a second press while the first is on its way
            return
        self.clear_errors()
        texts = self.checked("title", _("class.need_title"))
        if texts is not None:
            title, body = texts
            self._send(AnnouncementIn(class_id=self.class_id, title=title, body=body))

    @work(exclusive=True, group="send")
    async def _send(self, announcement: AnnouncementIn) -> None:
        key, done = self.key, _("class.announced", class_name=self.class_name)
        posted = await self.post(
            lambda api: api.create_announcement(announcement, idempotency_key=key), done
        )
        if posted is not None:
            as_typed = (posted.title, posted.body) == (announcement.title, announcement.body)
            self.sent(posted, as_typed=as_typed, done=done)
