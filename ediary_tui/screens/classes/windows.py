"""The class from the journal: an announcement to it, a message to one family, credentials.

Three windows the journal opens for the class it shows. The two that write
(`AnnouncementModal`, `FamilyMessageModal`) keep what was typed when it could
not be sent and say why under the field the server named, or at the bottom;
a retry carries the same Idempotency-Key, so what the server did get is not
posted twice. `CredentialsScreen` is the class teacher's: the class's families
with whether each person has chosen their own password, and first-login
credentials for one family, for those not yet in, or for everyone (a reset).
The one-time passwords it gets live on screen and, if the teacher saves them
for printing, in one file only its owner can read (written by client.exports,
in the export folder unless another is typed); never in the offline cache.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Footer,
    Input,
    OptionList,
    RadioButton,
    RadioSet,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from ediary_tui.client.errors import ClientError, Invalid, KeyReused, ServerUnreachable
from ediary_tui.client.export_formats import credentials_name, credentials_sheet
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import (
    Announcement,
    AnnouncementIn,
    ClassFamilies,
    CredentialsIn,
    Family,
    FamilyMember,
    IssuedCredential,
    IssuedCredentials,
    Role,
    Thread,
    ThreadIn,
)
from ediary_tui.i18n import _, date_time, error_message, full_date, has
from ediary_tui.screens.messages.compose import MAX_BODY, MAX_SUBJECT, online
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.dialogs import ConfirmModal
from ediary_tui.widgets.keys import LocalisedKeys, key

R = TypeVar("R")


def refusal(exc: ClientError) -> str:
    """The server's refusal in the person's language: our words for the codes we know."""
    if exc.code and has(f"class.error.{exc.code}"):
        return _(f"class.error.{exc.code}")
    return error_message(exc.code, exc.message)


def _sentence(text: str) -> str:
    return text.rstrip(".") + "."


# -- writing: an announcement, a message -------------------------------------------------


class WritingModal(LocalisedKeys, ModalScreen[R]):
    """What the two writing windows share: errors under fields, a bottom line, no lost text."""

    CSS_PATH = "journal_class.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "class.key_send", priority=True),
        Binding("escape", "cancel", "keys.cancel"),
    ]
    # The server's name of a field -> the id of the widget it names (its error line is under it).
    FIELDS: ClassVar[dict[str, str]] = {}

    def __init__(self, session: DiarySession) -> None:
        super().__init__()
        self.session = session
        self.sending = False

    def on_mount(self) -> None:
        """Hide the error lines (Textual runs this after a subclass's own `on_mount`)."""
        for error in self.query(".error"):
            error.display = False

    # -- what the subclasses say ------------------------------------------------------

    def typed(self) -> bool:
        """Whether anything was typed that leaving would lose."""
        raise NotImplementedError

    def action_send(self) -> None:
        raise NotImplementedError

    # -- the bottom line and the errors under fields ---------------------------------

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")
        status.set_class(not error and bool(text), "-busy")

    def show_error(self, field: str, text: str) -> None:
        error = self.query_one(f"#error-{field}", Static)
        error.update(Content(text))
        error.display = True
        self.query_one(f"#{field}").focus()

    def clear_errors(self) -> None:
        for error in self.query(".error"):
            error.display = False
        self.say("")

    def busy(self, sending: bool) -> None:
        self.sending = sending
        button = self.query_one("#send", Button)
        button.disabled = sending
        button.label = _("class.sending") if sending else _("class.send")

    def refused(self, exc: ClientError) -> None:
        """Say why it was not sent, next to the field the server named; the text stays."""
        self.say("")
        if isinstance(exc, ServerUnreachable):
            self.say(_("class.offline_not_sent"), error=True)
            return
        field = self.FIELDS.get(exc.field or "") if isinstance(exc, Invalid) else None
        if field is not None:
            self.show_error(field, refusal(exc))
            return
        self.say(_("class.not_sent", reason=_sentence(refusal(exc))), error=True)

    # -- keys ------------------------------------------------------------------------

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "send":
            self.action_send()
        elif event.button.id == "cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        """Leave; what was typed is asked about first, as it would be lost."""
        if not self.typed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmModal(_("class.discard_question"), _("class.discard")), answered
        )


def _text_box(placeholder: str, id: str) -> TextArea:
    return TextArea(
        soft_wrap=True,
        show_line_numbers=False,
        tab_behavior="focus",
        placeholder=placeholder,
        id=id,
    )


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

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("class.announce_title", class_name=self.class_name)
            dialog.border_subtitle = _("class.subtitle")
            title = Input(
                placeholder=_("class.title_placeholder"), max_length=MAX_SUBJECT, id="title"
            )
            title.border_title = _("class.title_field")
            yield title
            yield Static(id="error-title", classes="error", markup=False)
            body = _text_box(_("class.text_placeholder"), "body")
            body.border_title = _("class.text_field")
            yield body
            yield Static(id="error-body", classes="error", markup=False)
            yield Static(id="status", markup=False)
            with Horizontal(id="buttons"):
                yield Button(_("class.send"), variant="primary", id="send", compact=True)
                yield Button(_("class.cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def typed(self) -> bool:
        return bool(
            self.query_one("#title", Input).value.strip()
            or self.query_one("#body", TextArea).text.strip()
        )

    @on(Input.Submitted, "#title")
    def _title_done(self) -> None:
        self.query_one("#body", TextArea).focus()

    def action_send(self) -> None:
        if self.sending:  # a second press while the first is on its way
            return
        self.clear_errors()
        title = self.query_one("#title", Input).value.strip()
        body = self.query_one("#body", TextArea).text.strip()
        if not title:
            self.show_error("title", _("class.need_title"))
        elif not body:
            self.show_error("body", _("class.need_text"))
        elif len(body) > MAX_BODY:
            self.show_error("body", _("class.too_long", max=MAX_BODY, length=len(body)))
        else:
            self.busy(True)
            self.say(_("class.sending"))
            self._send(AnnouncementIn(class_id=self.class_id, title=title, body=body))

    @work(exclusive=True, group="send")
    async def _send(self, announcement: AnnouncementIn) -> None:
        client = self.session.client
        try:
            posted = await online(
                self.session, client.create_announcement(announcement, idempotency_key=self.key)
            )
        except KeyReused:  # an earlier try got there before the last edit: that one stands
            self.notify(_("class.sent_earlier"), severity="warning")
            self.notify(_("class.announced", class_name=self.class_name))
            self.dismiss(None)
            return
        except ClientError as exc:
            self.busy(False)
            self.refused(exc)
            return
        if (posted.title, posted.body) != (announcement.title, announcement.body):
            self.notify(_("class.sent_earlier"), severity="warning")
        self.notify(_("class.announced", class_name=self.class_name))
        self.dismiss(posted)


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

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("class.family_title", student=short_name(self.student_name))
            dialog.border_subtitle = _("class.subtitle")
            parents = RadioSet(id="parents", compact=True)
            parents.border_title = _("class.to")
            yield parents
            yield Static(id="error-parents", classes="error", markup=False)
            subject = Input(
                placeholder=_("class.subject_placeholder"), max_length=MAX_SUBJECT, id="subject"
            )
            subject.border_title = _("class.subject")
            yield subject
            yield Static(id="error-subject", classes="error", markup=False)
            body = _text_box(_("class.message_placeholder"), "body")
            body.border_title = _("class.message")
            yield body
            yield Static(id="error-body", classes="error", markup=False)
            yield Static(id="status", markup=False)
            with Horizontal(id="buttons"):
                yield Button(_("class.send"), variant="primary", id="send", compact=True)
                yield Button(_("class.cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#parents").display = False
        self.query_one("#subject", Input).focus()
        self.say(_("class.loading_family"))
        self._load()

    def typed(self) -> bool:
        return bool(
            self.query_one("#subject", Input).value.strip()
            or self.query_one("#body", TextArea).text.strip()
        )

    # -- the parents ---------------------------------------------------------------

    @work(exclusive=True, group="families")
    async def _load(self) -> None:
        try:
            found = await online(self.session, self.session.client.families(self.class_id))
        except ServerUnreachable:
            if self.parents is None:
                self.say(_("class.family_offline"), error=True)
            return
        except ClientError as exc:
            self.say(refusal(exc), error=True)
            return
        family = next((f for f in found.families if f.student.id == self.student_id), None)
        if family is None:
            self.say(_("class.not_in_class", student=self.student_name), error=True)
            self.parents = []
        else:
            await self._show_parents(family.parents)

    async def _show_parents(self, parents: list[FamilyMember]) -> None:
        if not parents:
            self.parents = parents
            self.say(_("class.no_parent", student=short_name(self.student_name)), error=True)
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
        subject = self.query_one("#subject", Input).value.strip()
        body = self.query_one("#body", TextArea).text.strip()
        if parent is None:
            self.show_error("parents", _("class.need_parent"))
        elif not subject:
            self.show_error("subject", _("class.need_subject"))
        elif not body:
            self.show_error("body", _("class.need_text"))
        elif len(body) > MAX_BODY:
            self.show_error("body", _("class.too_long", max=MAX_BODY, length=len(body)))
        else:
            self.busy(True)
            self.say(_("class.sending"))
            new = ThreadIn(
                student_id=self.student_id, parent_id=parent.id, subject=subject, body=body
            )
            self._send(new, parent, self.keys.setdefault(parent.id, str(uuid.uuid4())))

    @work(exclusive=True, group="send")
    async def _send(self, new: ThreadIn, parent: FamilyMember, key: str) -> None:
        try:
            thread = await online(
                self.session, self.session.client.start_thread(new, idempotency_key=key)
            )
        except KeyReused:  # an earlier try got there before the last edit: that one stands
            self.notify(_("class.sent_earlier"), severity="warning")
            self.notify(_("class.message_sent", who=short_name(parent.full_name)))
            self.dismiss(None)
            return
        except ClientError as exc:
            self.busy(False)
            self.refused(exc)
            return
        first = thread.messages[0].body if thread.messages else new.body
        if (thread.subject, first) != (new.subject, new.body):
            self.notify(_("class.sent_earlier"), severity="warning")
        self.notify(_("class.message_sent", who=short_name(parent.full_name)))
        self.dismiss(thread)


# -- first-login credentials --------------------------------------------------------------

FAMILY, NOT_YET, EVERYONE = "family", "not_yet", "everyone"


@dataclass(frozen=True)
class Scope:
    """Whose passwords one issue would make: how many people, and how many had their own."""

    name: str
    request: CredentialsIn
    people: int
    active: int  # of them, those who chose their own password: it stops working


def members(family: Family) -> list[FamilyMember]:
    return [family.student, *family.parents]


def people_of(found: ClassFamilies) -> list[FamilyMember]:
    """Everyone of the class's families once: a parent of two of its students is one person.

    Not a parent on the school's staff: they keep their own password (the server never
    issues them one, so no count may promise it)."""
    return list({m.id: m for f in found.families for m in members(f) if not m.on_staff}.values())


def scopes(found: ClassFamilies, student_id: str | None) -> dict[str, Scope]:
    """What the teacher may choose: this family (when known), those not yet in, everyone."""
    everyone = people_of(found)
    active = sum(m.activated for m in everyone)
    chosen: dict[str, Scope] = {}
    family = next((f for f in found.families if f.student.id == student_id), None)
    if family is not None:
        people = [m for m in members(family) if not m.on_staff]
        chosen[FAMILY] = Scope(
            FAMILY,
            CredentialsIn(student_ids=[family.student.id], only_new=False),
            len(people),
            sum(m.activated for m in people),
        )
    chosen[NOT_YET] = Scope(
        NOT_YET, CredentialsIn(student_ids=None, only_new=True), len(everyone) - active, 0
    )
    chosen[EVERYONE] = Scope(
        EVERYONE, CredentialsIn(student_ids=None, only_new=False), len(everyone), active
    )
    return chosen


Cell = tuple[str, str]  # a table's cell: its text and its style


def account(member: FamilyMember) -> Cell:
    """Whether they chose their own password yet; a colleague always keeps theirs."""
    if member.on_staff:
        return _("class.on_staff"), "$text-muted"
    if member.activated:
        return _("class.activated"), "$text-success"
    return _("class.not_activated"), "$text-warning"


def lined_up(rows: list[list[Cell]]) -> list[Content]:
    """Rows of cells as lines with the columns lined up; the last column runs on.

    The last column is the one a narrow terminal may cut: the full names, never
    the logins or the passwords.
    """
    if not rows:
        return []
    widths = [max(Content(row[i][0]).cell_length for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        parts: list[Content] = []
        for index, (text, style) in enumerate(row):
            parts.append(Content.styled(text, style))
            if index < len(row) - 1:
                parts.append(Content(" " * (widths[index] - Content(text).cell_length + 2)))
        lines.append(Content.assemble(*parts))
    return lines


def role_word(credential: IssuedCredential) -> str:
    return _("class.role_student") if credential.role == Role.STUDENT else _("class.role_parent")


def sheet(issued: IssuedCredentials, server: str, tz: dt.tzinfo | None) -> str:
    """The text to print, in the user's language: one slip per person, to cut apart."""
    moment = issued.issued_at.astimezone(tz)
    when = _("calendar.date_time", date=full_date(moment.date()), time=f"{moment:%H:%M}")
    heading = [
        _("class.sheet_title", class_name=issued.class_name),
        _("class.sheet_issued", when=when, server=server),
    ]
    slips: list[list[str]] = []
    for credential in issued.credentials:
        if credential.role == Role.STUDENT:
            who = _("class.sheet_student", name=credential.full_name)
        else:
            who = _(
                "class.sheet_parent",
                name=credential.full_name,
                student=short_name(credential.student_name),
            )
        slips.append(
            [
                who,
                _("class.sheet_login", login=credential.login),
                _("class.sheet_password", password=credential.password),
                _("class.sheet_first_login"),
            ]
        )
    return credentials_sheet(heading, slips)


class CredentialsScreen(LocalisedKeys, ModalScreen[None]):
    """The class's families and their accounts; first-login credentials for the class teacher."""

    CSS_PATH = "journal_class.tcss"
    AUTO_FOCUS = "#families"
    # The second key of each pair is the same key on a Russian (ЙЦУКЕН) layout.
    BINDINGS: ClassVar[list[BindingType]] = [
        key("f", "issue('family')", "class.key_family"),
        key("n", "issue('not_yet')", "class.key_not_yet"),
        key("a", "issue('everyone')", "class.key_everyone"),
        Binding("ctrl+s", "save", "class.key_save", priority=True),
        Binding("ctrl+r", "reload", "class.key_reload", show=False),
        Binding("escape", "close", "keys.close"),
    ]

    def __init__(
        self,
        session: DiarySession,
        class_id: str,
        class_name: str,
        student_id: str | None = None,
        *,
        tz: dt.tzinfo | None = None,
    ) -> None:
        """`tz`: the zone to tell times in (the app's clock's); the computer's if None."""
        super().__init__()
        self.session = session
        self.class_id = class_id
        self.class_name = class_name
        self.student_id = student_id
        self.tz = tz
        self.found: ClassFamilies | None = None
        self.failed = False  # the list could not be loaded
        self.issuing = False
        self.issued: IssuedCredentials | None = None
        self.saved_to: Path | None = None
        # One key per kind of issue until it succeeds: a retry after a lost answer gets
        # the same passwords back instead of a second set.
        self.keys: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("class.credentials_title", class_name=self.class_name)
            with Vertical(id="overview"):
                yield Static(id="families-head", classes="head", markup=False)
                yield OptionList(id="families", classes="table")
                yield Static(id="summary", markup=False)
                with Horizontal(id="choices"):
                    yield Button(id="family", compact=True)
                    yield Button(id="not_yet", compact=True)
                    yield Button(id="everyone", variant="warning", compact=True)
            with Vertical(id="result"):
                yield Static(id="issued-summary", markup=False)
                yield Static(id="issued-head", classes="head", markup=False)
                yield OptionList(id="issued", classes="table")
                yield Static(id="path-prompt", markup=False)
                yield Input(id="path", compact=True)
                with Horizontal(id="save-row"):
                    yield Button(_("class.save"), variant="primary", id="save", compact=True)
                    yield Static(_("class.issued_hint"), id="save-hint", markup=False)
            yield Static(id="status", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#result").display = False
        self.query_one("#choices").display = False
        self.query_one("#families-head").display = False
        self.say(_("class.loading_class"))
        self._load()

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")
        status.display = bool(text)

    # -- the families --------------------------------------------------------------

    @work(exclusive=True, group="families")
    async def _load(self) -> None:
        try:
            found = await online(self.session, self.session.client.families(self.class_id))
        except ServerUnreachable:
            self.failed = self.found is None
            self.say(_("class.class_offline"), error=True)
            self.refresh_bindings()
            return
        except ClientError as exc:
            self.failed = self.found is None
            self.say(refusal(exc), error=True)
            self.refresh_bindings()
            return
        self.failed = False
        self._show_families(found)

    def _show_families(self, found: ClassFamilies) -> None:
        """Each student, then their parents: who, login, whether in, the full name."""
        self.found = found
        bold, muted = "bold", "$text-muted"
        head: list[Cell] = [
            (_("class.column_who"), bold),
            (_("class.column_login"), bold),
            (_("class.column_account"), bold),
            (_("class.column_name"), bold),
        ]
        rows: list[list[Cell]] = [head]
        ids: list[str] = []
        for family in found.families:
            for member in members(family):
                student = member is family.student
                rows.append(
                    [
                        (_("class.role_student" if student else "class.role_parent"), muted),
                        (member.login or "—", ""),
                        account(member),
                        (
                            member.full_name if student else f"  {member.full_name}",
                            bold if student else "",
                        ),
                    ]
                )
                ids.append(family.student.id if student else f"{family.student.id}/{member.id}")
        first, *lines = lined_up(rows)
        heading = self.query_one("#families-head", Static)
        heading.update(first)
        heading.display = True
        listing = self.query_one("#families", OptionList)
        listing.set_options(Option(line, id=id) for line, id in zip(lines, ids, strict=True))
        if self.student_id in ids:
            listing.highlighted = ids.index(self.student_id)
        elif ids:
            listing.highlighted = 0
        waiting = sum(not m.activated for m in people_of(found))
        parents = {p.id for f in found.families for p in f.parents}
        self.query_one("#summary", Static).update(
            Content(
                _(
                    "class.summary",
                    students=len(found.families),
                    parents=len(parents),
                    waiting=waiting,
                )
            )
        )
        self._show_choices()
        self.refresh_bindings()

    def _show_choices(self) -> None:
        found = self.found
        choices = self.query_one("#choices")
        if found is None:
            return
        if not found.can_issue:
            choices.display = False
            self.say(_("class.cannot_issue", class_name=self.class_name), error=True)
            return
        chosen = scopes(found, self.student_id)
        family = self.query_one("#family", Button)
        family.display = FAMILY in chosen
        family.disabled = self.issuing
        if FAMILY in chosen:
            family.label = _("class.choice_family", student=self._student_short())
        not_yet = self.query_one("#not_yet", Button)
        not_yet.label = _("class.choice_not_yet", count=chosen[NOT_YET].people)
        not_yet.disabled = self.issuing or chosen[NOT_YET].people == 0
        everyone = self.query_one("#everyone", Button)
        everyone.label = _("class.choice_everyone", count=chosen[EVERYONE].people)
        everyone.disabled = self.issuing
        choices.display = True
        if not self.issuing:
            self.say("")

    def _student_short(self) -> str:
        found = self.found
        family = next(
            (f for f in (found.families if found else []) if f.student.id == self.student_id),
            None,
        )
        return short_name(family.student.full_name) if family else ""

    # -- issuing ---------------------------------------------------------------------

    def _may_issue(self) -> bool:
        return (
            self.found is not None
            and self.found.can_issue
            and self.issued is None
            and not self.issuing
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "issue":
            if not self._may_issue() or self.found is None:
                return False
            scope = scopes(self.found, self.student_id).get(str(parameters[0]))
            if scope is None:
                return False
            return True if scope.people else None
        if action == "save":
            return self.issued is not None
        if action == "reload":
            return self.failed
        return True

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id in (FAMILY, NOT_YET, EVERYONE):
            self.action_issue(event.button.id)

    def action_issue(self, name: str) -> None:
        if not self._may_issue() or self.found is None:
            return
        scope = scopes(self.found, self.student_id).get(name)
        if scope is None or not scope.people:
            return
        if name == EVERYONE:
            question = _(
                "class.confirm_everyone",
                count=scope.people,
                class_name=self.class_name,
                active=scope.active,
            )
        elif scope.active:
            question = _(
                "class.confirm_family",
                count=scope.active,
                student=self._student_short(),
            )
        else:
            self._issue_now(scope)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._issue_now(scope)

        self.app.push_screen(ConfirmModal(question, _("class.issue")), answered)

    def _issue_now(self, scope: Scope) -> None:
        if not self._may_issue():
            return
        self.issuing = True
        self.refresh_bindings()
        for button in self.query("#choices Button"):
            button.disabled = True
        self.say(_("class.issuing"))
        self._issue(scope, self.keys.setdefault(scope.name, str(uuid.uuid4())))

    @work(exclusive=True, group="issue")
    async def _issue(self, scope: Scope, key: str) -> None:
        client = self.session.client
        try:
            issued = await online(
                self.session,
                client.issue_credentials(self.class_id, scope.request, idempotency_key=key),
            )
        except ClientError as exc:
            self.issuing = False
            self._show_choices()
            if isinstance(exc, ServerUnreachable):
                self.say(_("class.issue_offline"), error=True)
            else:
                self.say(_("class.not_issued", reason=_sentence(refusal(exc))), error=True)
            self.refresh_bindings()
            return
        self.keys.pop(scope.name, None)  # done: the next issue is a new one
        self.issuing = False
        if not issued.credentials:
            self._show_choices()
            self.say(_("class.nobody_to_issue"))
            self.refresh_bindings()
            self._load()
            return
        self._show_issued(issued)

    def _show_issued(self, issued: IssuedCredentials) -> None:
        self.issued = issued
        when = date_time(issued.issued_at.astimezone(self.tz))
        self.query_one("#issued-summary", Static).update(
            Content(_("class.issued_summary", count=len(issued.credentials), when=when))
        )
        bold = "bold"
        rows: list[list[Cell]] = [
            [
                (_("class.column_who"), bold),
                (_("class.column_login"), bold),
                (_("class.column_password"), bold),
                (_("class.column_name"), bold),
            ]
        ]
        rows += [
            [
                (role_word(c), "$text-muted"),
                (c.login, ""),
                (c.password, "bold $text-accent"),
                (c.full_name, ""),
            ]
            for c in issued.credentials
        ]
        first, *lines = lined_up(rows)
        self.query_one("#issued-head", Static).update(first)
        table = self.query_one("#issued", OptionList)
        table.set_options(
            Option(line, id=c.user_id) for line, c in zip(lines, issued.credentials, strict=True)
        )
        table.highlighted = 0
        folder = self.session.exports.folder
        self.query_one("#path-prompt", Static).update(
            Content(_("class.save_prompt", folder=str(folder)))
        )
        name = credentials_name(issued.class_name, issued.issued_at.astimezone(self.tz))
        self.query_one("#path", Input).value = str(folder / name)
        self.query_one("#overview").display = False
        self.query_one("#result").display = True
        self.say("")
        table.focus()
        self.refresh_bindings()

    # -- saving for printing ---------------------------------------------------------

    @on(Input.Submitted, "#path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        issued = self.issued
        if issued is None:
            return
        name = credentials_name(issued.class_name, issued.issued_at.astimezone(self.tz))
        self._save(self.session.exports.target(self.query_one("#path", Input).value, name))

    def _save(self, path: Path, *, replace: bool = False) -> None:
        """Write the sheet; a file already there is replaced only when the teacher says so."""
        issued = self.issued
        if issued is None:
            return
        text = sheet(issued, self.session.server, self.tz)
        try:
            self.session.exports.write(path, text, replace=replace)
        except OSError as exc:
            if isinstance(exc, FileExistsError) and not replace:
                self.app.push_screen(
                    ConfirmModal(_("export.replace_question", path=str(path)), _("export.replace")),
                    lambda yes: self._save(path, replace=True) if yes else None,
                )
                return
            reason = exc.strerror or str(exc)
            self.say(_("class.save_failed", path=str(path), reason=reason), error=True)
            return
        self.saved_to = path
        self.say(_("class.saved", path=str(path)))

    # -- leaving ---------------------------------------------------------------------

    def action_reload(self) -> None:
        if self.failed:
            self.say(_("class.loading_class"))
            self._load()

    def action_close(self) -> None:
        """Close; passwords shown and not saved are asked about, as they are not shown again."""
        if self.issued is None or self.saved_to is not None:
            self.dismiss(None)
            return

        def answered(close: bool | None) -> None:
            if close:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmModal(_("class.close_unsaved_question"), _("class.close_unsaved")), answered
        )
