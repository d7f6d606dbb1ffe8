"""Writing to a teacher: the box where Enter sends, and the modal that starts a conversation.

Both keep what was typed when it could not be sent and say why under it; a
retry of the same text carries the same Idempotency-Key, so what the server
did get is not sent twice.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ediary_tui.client import reads
from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import ChildRef, TeacherRef, Thread, ThreadIn, User
from ediary_tui.i18n import _, error_message
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.keys import LocalisedKeys

MAX_BODY = 10000  # the server's limit of a message, in characters
MAX_SUBJECT = 200


class ReplyBox(TextArea):
    """A text box where Enter sends: the text wraps as it is typed, and stays after a failure."""

    # TextArea takes Enter before any binding sees it (see `_on_key`); the binding is
    # here so that the footer, help and the palette say what Enter does.
    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "submit", "compose.key_send")]

    class Submitted(Message):
        def __init__(self, box: ReplyBox) -> None:
            super().__init__()
            self.box = box

        @property
        def control(self) -> ReplyBox:
            return self.box

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=placeholder,
            id=id,
        )

    def action_submit(self) -> None:
        self.post_message(self.Submitted(self))

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.action_submit()
            return
        if event.key in ("ctrl+j", "shift+enter"):  # a new line, where the terminal can say so
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)


# --- starting a conversation ----------------------------------------------------------


class NewThreadModal(LocalisedKeys, ModalScreen[Thread | None]):
    """Write to one of the child's teachers: whom, the subject, the message. A parent writes
    about their child; a student about themself (the server says if their school forbids it)."""

    CSS_PATH = "messages.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "keys.cancel"),
        Binding("ctrl+s", "send", "compose.key_send"),
    ]

    def __init__(self, session: DiarySession, user: User, child: ChildRef) -> None:
        super().__init__()
        self.session = session
        self.user = user
        self.child = child
        self.teachers: list[TeacherRef] = []
        self._key: tuple[tuple[str, str, str], str] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            who = f"{short_name(self.child.full_name)}, {self.child.class_name}"
            if self.child.id == self.user.id:  # a student writes about themself
                dialog.border_title = _("conversations.to_teacher_title")
            else:
                dialog.border_title = _("compose.title", child=who)
            teachers = OptionList(id="teachers")
            teachers.border_title = _("compose.to")
            yield teachers
            subject = Input(
                placeholder=_("compose.subject_placeholder"), max_length=MAX_SUBJECT, id="subject"
            )
            subject.border_title = _("compose.subject")
            yield subject
            body = ReplyBox(placeholder=_("compose.body_placeholder"), id="body")
            body.border_title = _("compose.body")
            yield body
            yield Static(id="status", markup=False)
            with Horizontal(id="buttons"):
                yield Button(_("compose.send"), variant="primary", id="send", action="screen.send")
                yield Button(_("compose.cancel"), id="cancel", action="screen.cancel")

    def on_mount(self) -> None:
        saved = self.session.saved(reads.teachers(self.child.id))
        if saved is not None:
            self._show_teachers(saved.value.teachers)
        else:
            self._say(_("compose.loading"))
        self.query_one("#teachers", OptionList).focus()
        self._fetch_teachers()

    def _show_teachers(self, teachers: list[TeacherRef]) -> None:
        listing = self.query_one("#teachers", OptionList)
        chosen = self._teacher()
        # The class teacher first: whom a family writes to most.
        teachers = sorted(teachers, key=lambda t: not t.class_teacher)
        self.teachers = teachers
        listing.clear_options()
        for teacher in teachers:
            what = ", ".join(s.name for s in teacher.subjects)
            if teacher.class_teacher:
                what = ", ".join(p for p in (_("compose.class_teacher"), what) if p)
            listing.add_option(
                Option(
                    Content.assemble(
                        (short_name(teacher.full_name), "bold"), (f" · {what}", "$text-muted")
                    ),
                    id=teacher.id,
                )
            )
        ids = [t.id for t in teachers]
        if ids:
            listing.highlighted = ids.index(chosen.id) if chosen and chosen.id in ids else 0

    @work(exclusive=True, group="teachers")
    async def _fetch_teachers(self) -> None:
        try:
            teachers = (await self.session.fetch(reads.teachers(self.child.id))).value.teachers
        except ServerUnreachable:
            if not self.teachers:
                self._say(_("compose.not_saved"), error=True)
            return
        except ClientError as exc:
            self._say(error_message(exc.code, exc.message), error=True)
            return
        self._show_teachers(teachers)
        if self.query_one("#status", Static).has_class("-busy"):
            self._say("")

    def _teacher(self) -> TeacherRef | None:
        index = self.query_one("#teachers", OptionList).highlighted
        return self.teachers[index] if index is not None and index < len(self.teachers) else None

    def _say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")
        status.set_class(not error and bool(text), "-busy")

    @on(Input.Submitted, "#subject")
    def _subject_done(self) -> None:
        self.query_one("#body", ReplyBox).focus()

    @on(ReplyBox.Submitted)
    def _body_done(self) -> None:
        self.action_send()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_send(self) -> None:
        teacher = self._teacher()
        subject = self.query_one("#subject", Input).value.strip()
        body = self.query_one("#body", ReplyBox).text.strip()
        if teacher is None:
            self._say(_("compose.need_teacher"), error=True)
            self.query_one("#teachers").focus()
        elif not subject:
            self._say(_("compose.need_subject"), error=True)
            self.query_one("#subject").focus()
        elif not body:
            self._say(_("compose.need_body"), error=True)
            self.query_one("#body").focus()
        elif len(body) > MAX_BODY:
            self._say(_("messages.too_long", max=MAX_BODY, length=len(body)), error=True)
        else:
            what = (teacher.id, subject, body)
            if self._key is None or self._key[0] != what:  # the same text keeps its key
                self._key = (what, str(uuid.uuid4()))
            self._say(_("messages.sending"))
            self._send(teacher, subject, body, self._key[1])

    @work(exclusive=True, group="send")
    async def _send(self, teacher: TeacherRef, subject: str, body: str, key: str) -> None:
        new = ThreadIn(student_id=self.child.id, teacher_id=teacher.id, subject=subject, body=body)
        try:
            thread = await self.session.send(lambda api: api.start_thread(new, idempotency_key=key))
        except ServerUnreachable:
            self._say(_("compose.offline"), error=True)
            return
        except ClientError as exc:
            reason = error_message(exc.code, exc.message).rstrip(".") + "."
            self._say(_("messages.not_sent", reason=reason), error=True)
            return
        self.notify(_("compose.sent", who=short_name(teacher.full_name)))
        self.dismiss(thread)
