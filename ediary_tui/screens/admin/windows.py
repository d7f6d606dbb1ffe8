"""The admin's windows: a one-time password shown once, a person to create, a student to
link, a teacher to pick. Each is a `Window` over the screen that opened it; what it
sends, it sends itself, so a refusal is said in the window and nothing typed is lost."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from pathlib import PurePath
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from ediary_tui.client.errors import ClientError
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import (
    AdminClass,
    ClassTimetable,
    NewPersonRole,
    OneTimePassword,
    PersonHit,
    PersonIn,
    PersonRef,
    Role,
    SlotIn,
    SubjectRef,
    TimetableSlot,
)
from ediary_tui.i18n import _, parse_date, weekday_name
from ediary_tui.screens.admin.base import refusal
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window

SHEETS: list[str | PurePath] = [DIALOG_SHEET, "admin.tcss"]
SEARCH_PAUSE = 0.2  # seconds of no typing before a search is asked


class PasswordWindow(Window[None]):
    """A one-time password, shown once: the admin copies it down or hands it over."""

    CSS_PATH: ClassVar[list[str | PurePath]] = SHEETS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "close", "keys.close")]

    def __init__(self, issued: OneTimePassword) -> None:
        super().__init__()
        self.issued = issued

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = _("admin.password_title")
            yield Static(Content(_("admin.password_for", name=self.issued.full_name)))
            yield Static(
                Content(
                    _("admin.password_line", login=self.issued.login, password=self.issued.password)
                ),
                id="secret",
            )
            yield Static(Content(_("admin.password_once")))
        yield Footer(compact=True)

    def action_close(self) -> None:
        self.dismiss(None)


class AdminForm(Window[Any]):
    """A window with fields, a status line under them, ctrl+s to send and Esc to cancel."""

    CSS_PATH: ClassVar[list[str | PurePath]] = SHEETS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "admin.key_send", priority=True),
        Binding("escape", "cancel", "keys.cancel"),
    ]

    def __init__(self, session: DiarySession) -> None:
        super().__init__()
        self.session = session
        self.key = str(uuid.uuid4())  # one per window: a retry never makes two
        self.sending = False

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#form-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def status_line(self) -> Static:
        return Static(id="form-status", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_send(self) -> None:
        """A subclass checks its fields and sends."""


class NewPersonWindow(AdminForm):
    """A student in a class, a parent or a teacher; the answer is the one-time password."""

    def __init__(self, session: DiarySession, classes: list[AdminClass], today: dt.date) -> None:
        super().__init__(session)
        self.class_list = classes
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = _("admin.new_title")
            box.border_subtitle = _("admin.form_keys")
            yield Static(Content(_("admin.field_name")), classes="label")
            yield Input(placeholder=_("admin.name_placeholder"), id="full_name", compact=True)
            yield Static(Content(_("admin.field_role")), classes="label")
            yield Select(
                [(_(f"admin.role.{r.value}"), r.value) for r in NewPersonRole],
                value=NewPersonRole.STUDENT.value,
                allow_blank=False,
                id="role",
                compact=True,
            )
            yield Static(Content(_("admin.field_class")), classes="label", id="class-label")
            yield Select(
                [(c.name, c.id) for c in self.class_list],
                prompt=_("admin.class_prompt"),
                id="class",
                compact=True,
            )
            yield Static(Content(_("admin.field_birth_date")), classes="label")
            yield Input(placeholder=_("admin.date_placeholder"), id="birth_date", compact=True)
            yield Static(Content(_("admin.field_login")), classes="label")
            yield Input(placeholder=_("admin.login_placeholder"), id="login", compact=True)
            yield self.status_line()
        yield Footer(compact=True)

    @on(Select.Changed, "#role")
    def _role_changed(self, event: Select.Changed) -> None:
        student = event.value == NewPersonRole.STUDENT.value
        self.query_one("#class").display = student
        self.query_one("#class-label").display = student

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_send()

    def action_send(self) -> None:
        if self.sending:
            return
        name = " ".join(self.query_one("#full_name", Input).value.split())
        if len(name.split()) < 2:
            self.say(_("admin.need_name"), error=True)
            self.query_one("#full_name", Input).focus()
            return
        role = NewPersonRole(str(self.query_one("#role", Select).value))
        class_id = self.query_one("#class", Select).value
        if role == NewPersonRole.STUDENT and not isinstance(class_id, str):
            self.say(_("admin.need_class"), error=True)
            self.query_one("#class", Select).focus()
            return
        typed = self.query_one("#birth_date", Input).value.strip()
        born = parse_date(typed, self.today) if typed else None
        if typed and born is None:
            self.say(_("admin.bad_date", text=typed), error=True)
            self.query_one("#birth_date", Input).focus()
            return
        login = self.query_one("#login", Input).value.strip() or None
        body = PersonIn(
            full_name=name,
            role=role,
            class_id=class_id
            if role == NewPersonRole.STUDENT and isinstance(class_id, str)
            else None,
            login=login,
            birth_date=born,
        )
        self.sending = True
        self.say(_("admin.creating"))
        self._create(body)

    @work(exclusive=True, group="create")
    async def _create(self, body: PersonIn) -> None:
        try:
            made = await self.session.send(
                lambda api: api.create_person(body, idempotency_key=self.key)
            )
        except ClientError as exc:
            self.sending = False
            self.say(_("admin.not_created", reason=refusal(exc)), error=True)
            return
        self.dismiss(made)


class PickWindow(AdminForm):
    """A list to pick one from, Enter picks; a subclass fills it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "keys.cancel")]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Picking sends nothing by itself: no ctrl+s here."""
        return action != "send"

    def picks(self) -> OptionList:
        return OptionList(id="picks")

    @on(OptionList.OptionSelected, "#picks")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.picked(event.option.id or "")

    def picked(self, option_id: str) -> None:
        """A subclass answers with what was picked."""


class LinkChildWindow(PickWindow):
    """A student of the school to link a parent to, found by name or login."""

    def __init__(self, session: DiarySession, parent_name: str) -> None:
        super().__init__(session)
        self.parent_name = parent_name
        self.found: dict[str, PersonHit] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = _("admin.link_title", name=self.parent_name)
            yield Input(placeholder=_("admin.search_placeholder"), id="child-query", compact=True)
            yield self.picks()
            yield self.status_line()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.say(_("admin.search_hint"))

    @on(Input.Changed, "#child-query")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#child-query")
    def _to_list(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#picks").focus()

    @work(exclusive=True, group="search")
    async def _search(self, text: str) -> None:
        await asyncio.sleep(SEARCH_PAUSE)
        listing = self.query_one("#picks", OptionList)
        if len(text.strip()) < 2:
            listing.clear_options()
            self.say(_("admin.search_hint"))
            return
        try:
            found = await self.session.send(lambda api: api.search_people(text.strip()))
        except ClientError as exc:
            self.say(refusal(exc), error=True)
            return
        students = [p for p in found.people if Role.STUDENT in p.roles]
        self.found = {p.id: p for p in students}
        listing.set_options(
            Option(Content(f"{p.full_name}  {p.class_name or ''}"), id=p.id) for p in students
        )
        if students:
            listing.highlighted = 0
        self.say(_("admin.students_found", count=len(students)))

    def picked(self, option_id: str) -> None:
        if option_id in self.found:
            self.dismiss(self.found[option_id])


class TeacherWindow(PickWindow):
    """A teacher of the school (or nobody) to make a class's class teacher."""

    NOBODY = "-"

    def __init__(
        self, session: DiarySession, title: str, teachers: list[PersonRef], *, nobody: bool
    ) -> None:
        super().__init__(session)
        self.title_text = title
        self.teachers = teachers
        self.nobody = nobody

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as box:
            box.border_title = self.title_text
            yield self.picks()
            yield self.status_line()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        listing = self.query_one("#picks", OptionList)
        if self.nobody:
            listing.add_option(Option(Content(_("admin.nobody")), id=self.NOBODY))
        listing.add_options(Option(Content(t.full_name), id=t.id) for t in self.teachers)
        listing.highlighted = 0
        listing.focus()

    def picked(self, option_id: str) -> None:
        chosen = next((t for t in self.teachers if t.id == option_id), None)
        if chosen is not None or option_id == self.NOBODY:
            self.dismiss(chosen or PersonRef(id="", full_name=""))


class SlotWindow(AdminForm):
    """One slot of a class's week: the day, the lesson number, the subject, teacher and
    room; the subject "(empty)" takes the lesson out. The answer is the class's week."""

    EMPTY = "-"

    def __init__(
        self,
        session: DiarySession,
        week: ClassTimetable,
        subjects: list[SubjectRef],
        teachers: list[PersonRef],
    ) -> None:
        super().__init__(session)
        self.week = week
        self.subjects = subjects
        self.teachers = teachers

    def compose(self) -> ComposeResult:
        monday = dt.date(2024, 1, 1)  # any Monday: only the weekdays' names are read
        days = [
            (weekday_name(monday + dt.timedelta(days=d)), d) for d in range(self.week.days_per_week)
        ]
        with Vertical(id="dialog") as box:
            box.border_title = _("admin.slot_title", class_name=self.week.class_name)
            box.border_subtitle = _("admin.form_keys")
            yield Static(Content(_("admin.field_day")), classes="label")
            yield Select(days, value=0, allow_blank=False, id="weekday", compact=True)
            yield Static(Content(_("admin.field_number")), classes="label")
            yield Input(placeholder="1-12", id="number", compact=True, type="integer")
            yield Static(Content(_("admin.field_subject")), classes="label")
            yield Select(
                [(_("admin.empty_slot"), self.EMPTY), *((s.name, s.id) for s in self.subjects)],
                prompt=_("admin.subject_prompt"),
                id="subject",
                compact=True,
            )
            yield Static(Content(_("admin.field_teacher")), classes="label")
            yield Select(
                [(t.full_name, t.id) for t in self.teachers],
                prompt=_("admin.teacher_prompt"),
                id="teacher",
                compact=True,
            )
            yield Static(Content(_("admin.field_room")), classes="label")
            yield Input(id="room", compact=True)
            yield self.status_line()
        yield Footer(compact=True)

    def _slot(self) -> TimetableSlot | None:
        number = self.query_one("#number", Input).value.strip()
        weekday = self.query_one("#weekday", Select).value
        return next(
            (
                s
                for s in self.week.slots
                if number.isdigit() and (s.weekday, s.number) == (weekday, int(number))
            ),
            None,
        )

    @on(Input.Changed, "#number")
    @on(Select.Changed, "#weekday")
    def _fill(self) -> None:
        """What the slot holds now, to change."""
        slot = self._slot()
        if slot is not None:
            self.query_one("#subject", Select).value = slot.subject.id
            self.query_one("#teacher", Select).value = slot.teacher.id
            self.query_one("#room", Input).value = slot.room or ""

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_send()

    def action_send(self) -> None:
        if self.sending:
            return
        weekday = self.query_one("#weekday", Select).value
        number = self.query_one("#number", Input).value.strip()
        if not isinstance(weekday, int) or not number.isdigit() or not 1 <= int(number) <= 12:
            self.say(_("admin.need_number"), error=True)
            self.query_one("#number", Input).focus()
            return
        subject = self.query_one("#subject", Select).value
        teacher = self.query_one("#teacher", Select).value
        if not isinstance(subject, str):
            self.say(_("admin.need_subject"), error=True)
            return
        if subject != self.EMPTY and not isinstance(teacher, str):
            self.say(_("admin.need_teacher"), error=True)
            return
        self.sending = True
        self.say(_("admin.changing"))
        room = self.query_one("#room", Input).value.strip() or None
        slot = None
        if subject != self.EMPTY and isinstance(teacher, str):
            slot = SlotIn(subject_id=subject, teacher_id=teacher, room=room)
        self._save(weekday, int(number), slot)

    @work(exclusive=True, group="slot")
    async def _save(self, weekday: int, number: int, slot: SlotIn | None) -> None:
        class_id = self.week.class_id
        try:
            if slot is None:
                week = await self.session.send(
                    lambda api: api.clear_slot(class_id, weekday, number)
                )
            else:
                week = await self.session.send(
                    lambda api: api.set_slot(class_id, weekday, number, slot)
                )
        except ClientError as exc:
            self.sending = False
            self.say(_("admin.not_changed", reason=refusal(exc)), error=True)
            return
        self.dismiss(week)
