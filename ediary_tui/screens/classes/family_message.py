"""A message to a parent of the student under the journal's cursor (m)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Button, Input, RadioButton, RadioSet, TextArea

from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import FamilyMember, Thread, ThreadIn
from ediary_tui.i18n import _, for_person
from ediary_tui.screens.classes.writing import WritingModal, refusal, text_box
from ediary_tui.screens.messages.compose import MAX_SUBJECT
from ediary_tui.widgets.child_switcher import short_name


class FamilyMessageModal(WritingModal[Thread | None]):
    """A message to a parent of one student of the class: which parent, a subject, the text."""

    FIELDS: ClassVar[dict[str, str]] = {
        "parent_id": "parents",
        "subject": "subject",
        "body": "body",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reload", "class.key_reload", show=False),
    ]

    def __init__(
        self, session: DiarySession, class_id: str, student_id: str, student_name: str
    ) -> None:
        super().__init__(session)
        self.class_id = class_id
        self.student_id = student_id
        self.student_name = student_name
        self.parents: list[FamilyMember] | None = None  # None: not loaded (yet)
        # One key per parent written to: a retry to the same parent cannot send twice.
        self.keys: dict[str, str] = {}

    def heading(self) -> str:
        return for_person(
            "class.family_title", self.student_name, student=short_name(self.student_name)
        )

    def compose_fields(self) -> ComposeResult:
        yield from self.field(RadioSet(id="parents", compact=True), _("class.to"))
        subject = Input(
            placeholder=_("class.subject_placeholder"), max_length=MAX_SUBJECT, id="subject"
        )
        yield from self.field(subject, _("class.subject"))
        body = text_box(_("class.message_placeholder"), "body")
        yield from self.field(body, _("class.message"))

    def on_mount(self) -> None:
        self.query_one("#parents").display = False
        self.query_one("#subject", Input).focus()
        self.say(_("class.loading_family"))
        self._load()

    # -- the parents ---------------------------------------------------------------

    @work(exclusive=True, group="families")
    async def _load(self) -> None:
        try:
            found = await self.session.send(lambda api: api.families(self.class_id))
        except ServerUnreachable:
            if self.parents is None:
                self.say(_("class.family_offline"), error=True)
            return
        except ClientError as exc:
            self.say(refusal(exc), error=True)
            return
        family = next((f for f in found.families if f.student.id == self.student_id), None)
        if family is None:
            said = for_person("class.not_in_class", self.student_name, student=self.student_name)
            self.say(said, error=True)
            self.parents = []
        else:
            await self._show_parents(family.parents)

    async def _show_parents(self, parents: list[FamilyMember]) -> None:
        if not parents:
            self.parents = parents
            name = short_name(self.student_name)
            self.say(for_person("class.no_parent", self.student_name, student=name), error=True)
            self.query_one("#send", Button).disabled = True
            return
        # A set made with its buttons: one mounted empty and filled later neither
        # navigates nor knows which button is pressed.
        radios = RadioSet(
            *(RadioButton(self._parent_label(p), value=len(parents) == 1) for p in parents),
            id="parents",
            compact=True,
        )
        radios.border_title = _("class.to")
        await self.query_one("#parents").remove()
        await self.query_one("#dialog").mount(radios, before="#error-parents")
        self.parents = parents  # only now: sending reads the choice from the set
        self.say(_("class.choose_parent") if len(parents) > 1 else "")
        if len(parents) > 1 and not self.typed():
            radios.focus()

    @staticmethod
    def _parent_label(parent: FamilyMember) -> Content:
        if parent.activated:
            return Content(parent.full_name)
        return Content.assemble(
            parent.full_name, (f" · {_('class.not_logged_in_yet')}", "$text-muted")
        )

    def chosen_parent(self) -> FamilyMember | None:
        pressed = self.query_one("#parents", RadioSet).pressed_index
        parents = self.parents or []
        return parents[pressed] if 0 <= pressed < len(parents) else None

    @on(RadioSet.Changed)
    def _parent_chosen(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.query_one("#error-parents").display = False

    def action_reload(self) -> None:
        if not self.parents:
            self.say(_("class.loading_family"))
            self._load()

    # -- sending ---------------------------------------------------------------------

    @on(Input.Submitted, "#subject")
    def _subject_done(self) -> None:
        self.query_one("#body", TextArea).focus()

    def action_send(self) -> None:
        if self.sending:
            return
        if self.parents is None:  # never loaded: nobody to send to yet
            self.say(_("class.loading_family"))
            self._load()
            return
        if not self.parents:
            return  # said already: no parent linked
        self.clear_errors()
        parent = self.chosen_parent()
        if parent is None:
            self.show_error("parents", _("class.need_parent"))
        elif (texts := self.checked("subject", _("class.need_subject"))) is not None:
            subject, body = texts
            new = ThreadIn(
                student_id=self.student_id, parent_id=parent.id, subject=subject, body=body
            )
            self._send(new, parent, self.keys.setdefault(parent.id, str(uuid.uuid4())))

    @work(exclusive=True, group="send")
    async def _send(self, new: ThreadIn, parent: FamilyMember, key: str) -> None:
        done = _("class.message_sent", who=short_name(parent.full_name))
        thread = await self.post(lambda api: api.start_thread(new, idempotency_key=key), done)
        if thread is not None:
            first = thread.messages[0].body if thread.messages else new.body
            self.sent(
                thread, as_typed=(thread.subject, first) == (new.subject, new.body), done=done
            )
