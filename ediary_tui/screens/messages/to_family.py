"""A teacher starts a conversation: with a parent of a student of their class, or the student.

The class comes from the journal (or is chosen here among those the teacher
teaches or leads); the list under it has every student of the class, each
followed by their parents, so one list answers "to whom". What was typed stays
when it cannot be sent, with the reason under it; a retry of the same text to
the same person carries the same Idempotency-Key, so it is not sent twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import ClassFamilies, Thread, ThreadIn, User
from ediary_tui.i18n import _, error_message, for_person
from ediary_tui.screens.messages.compose import MAX_BODY, MAX_SUBJECT, ReplyBox
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.keys import LocalisedKeys


@dataclass(frozen=True)
class Recipient:
    """Someone a teacher may write to about a student: the student or one of their parents."""

    id: str
    full_name: str
    student_id: str
    student_name: str

    @property
    def is_student(self) -> bool:
        return self.id == self.student_id


def teacher_classes(user: User) -> list[tuple[str, str]]:
    """(class id, class name) of the classes the teacher teaches, in the order of the journal,
    then those they lead only (named once their families are loaded)."""
    seen: dict[str, str] = {}
    for ref in user.teaching:
        seen.setdefault(ref.class_id, ref.class_name)
    for class_id in user.class_teacher_of:
        seen.setdefault(class_id, "")
    return list(seen.items())


def recipients(families: ClassFamilies) -> list[Recipient]:
    """Each student of the class, followed by their parents."""
    found: list[Recipient] = []
    for family in families.families:
        student = family.student
        found.append(Recipient(student.id, student.full_name, student.id, student.full_name))
        found.extend(
            Recipient(p.id, p.full_name, student.id, student.full_name) for p in family.parents
        )
    return found


def recipient_option(who: Recipient) -> Option:
    if who.is_student:
        the_student = for_person("conversations.the_student", who.full_name)
        text = Content.assemble((who.full_name, "bold"), (f" · {the_student}", "$text-muted"))
    else:
        parent_of = _("conversations.parent_of", child=short_name(who.student_name))
        text = Content.assemble("  ", who.full_name, (f" · {parent_of}", "$text-muted"))
    return Option(text, id=who.id + ":" + who.student_id)


class FamilyThreadModal(LocalisedKeys, ModalScreen[Thread | None]):
    """Write to a student of the class or to one of their parents: whom, the subject, the text."""

    CSS_PATH = "messages.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "keys.cancel"),
        Binding("ctrl+s", "send", "compose.key_send"),
    ]

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        class_id: str | None = None,
        student_id: str | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.user = user
        self.class_choices = teacher_classes(user)
        known = {c for c, _name in self.class_choices}
        if class_id is not None and class_id not in known:
            self.class_choices.insert(0, (class_id, ""))
        self.class_id = class_id or (self.class_choices[0][0] if self.class_choices else None)
        self.student_id = student_id  # whose family to highlight first (the journal's cursor)
        self.people: list[Recipient] = []
        self._key: tuple[tuple[str, str, str, str], str] | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("conversations.new_title")
            options = [
                (name or _("conversations.this_class"), cid) for cid, name in self.class_choices
            ]
            klass = Select(
                options, value=self.class_id or Select.BLANK, allow_blank=False, id="class"
            )
            klass.border_title = _("conversations.class")
            klass.display = len(options) > 1
            yield klass
            people = OptionList(id="people")
            people.border_title = _("compose.to")
            yield people
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
                # Compact: the window fits 60x20 with the class, the list and both boxes.
                yield Button(
                    _("compose.send"),
                    variant="primary",
                    id="send",
                    action="screen.send",
                    compact=True,
                )
                yield Button(_("compose.cancel"), id="cancel", action="screen.cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#people", OptionList).focus()
        if self.class_id is None:
            self._say(_("conversations.no_class"), error=True)
            return
        self._say(_("conversations.loading"))
        self._load(self.class_id)

    # -- the class and the people ----------------------------------------------------

    @on(Select.Changed, "#class")
    def _class_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, str) and event.value != self.class_id:
            self.class_id = event.value
            self.student_id = None
            self._say(_("conversations.loading"))
            self._load(event.value)

    @work(exclusive=True, group="families")
    async def _load(self, class_id: str) -> None:
        try:
            found = await self.session.send(lambda api: api.families(class_id))
        except ServerUnreachable:
            self._say(_("conversations.offline_families"), error=True)
            return
        except ClientError as exc:
            self._say(error_message(exc.code, exc.message), error=True)
            return
        if class_id != self.class_id:
            return
        named = [
            (c, name or (found.class_name if c == class_id else ""))
            for c, name in self.class_choices
        ]
        if named != self.class_choices:
            self.class_choices = named
            labels = [(name or _("conversations.this_class"), c) for c, name in named]
            self.query_one("#class", Select).set_options(labels)
            self.query_one("#class", Select).value = class_id
        self._show(recipients(found))
        self._say("")

    def _show(self, people: list[Recipient]) -> None:
        listing = self.query_one("#people", OptionList)
        self.people = people
        listing.clear_options()
        listing.add_options(recipient_option(p) for p in people)
        first = next(
            (i for i, p in enumerate(people) if p.is_student and p.id == self.student_id), 0
        )
        listing.highlighted = first if people else None

    def chosen(self) -> Recipient | None:
        index = self.query_one("#people", OptionList).highlighted
        return self.people[index] if index is not None and index < len(self.people) else None

    # -- sending ---------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    @on(OptionList.OptionSelected, "#people")
    def _person_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#subject", Input).focus()

    @on(Input.Submitted, "#subject")
    def _subject_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#body", ReplyBox).focus()

    @on(ReplyBox.Submitted)
    def _body_done(self, event: ReplyBox.Submitted) -> None:
        event.stop()
        self.action_send()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_send(self) -> None:
        who = self.chosen()
        subject = self.query_one("#subject", Input).value.strip()
        body = self.query_one("#body", ReplyBox).text.strip()
        if who is None:
            self._say(_("compose.need_teacher"), error=True)
            self.query_one("#people").focus()
        elif not subject:
            self._say(_("compose.need_subject"), error=True)
            self.query_one("#subject").focus()
        elif not body:
            self._say(_("compose.need_body"), error=True)
            self.query_one("#body").focus()
        elif len(body) > MAX_BODY:
            self._say(_("messages.too_long", max=MAX_BODY, length=len(body)), error=True)
        else:
            what = (who.id, who.student_id, subject, body)
            if self._key is None or self._key[0] != what:  # the same text keeps its key
                self._key = (what, str(uuid.uuid4()))
            self._say(_("messages.sending"))
            self._send(who, subject, body, self._key[1])

    @work(exclusive=True, group="send")
    async def _send(self, who: Recipient, subject: str, body: str, key: str) -> None:
        new = ThreadIn(student_id=who.student_id, parent_id=who.id, subject=subject, body=body)
        try:
            thread = await self.session.send(lambda api: api.start_thread(new, idempotency_key=key))
        except ServerUnreachable:
            self._say(_("compose.offline"), error=True)
            return
        except ClientError as exc:
            reason = error_message(exc.code, exc.message).rstrip(".") + "."
            self._say(_("messages.not_sent", reason=reason), error=True)
            return
        self.notify(_("compose.sent", who=short_name(who.full_name)))
        self.dismiss(thread)
