"""The class teacher's desk (d from the journal): the week of the class they lead.

One list, in three parts: the students with the parents' signature under the week
and the behaviour note (Enter writes it), the notices of absence in force, and the
parent meetings (n calls one, Enter changes it, x cancels it). `[` and `]` go a
week back and forth. The desk is asked of the server in a worker each time it is
shown and after every write.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import var
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import ClassDesk, DeskStudent, ParentMeeting
from ediary_tui.domain.periods import week_start
from ediary_tui.i18n import _, date_time, day_month, short_date, week_range
from ediary_tui.screens.classes.desk_forms import MeetingModal, NoteModal
from ediary_tui.screens.classes.writing import refusal
from ediary_tui.screens.events import session_message
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.dialogs import DIALOG_SHEET, ConfirmModal, Window
from ediary_tui.widgets.keys import key

WEEK = dt.timedelta(days=7)


def student_line(row: DeskStudent, width: int) -> Content:
    """A student: signed or not (by whom), and the week's note if there is one."""
    if row.signed_by is not None and row.signed_at is not None:
        signed = (
            _(
                "desk.signed",
                who=short_name(row.signed_by.full_name),
                date=short_date(row.signed_at.date()),
            ),
            "$text-success",
        )
        mark = ("✓ ", "bold $text-success")
    else:
        signed, mark = (_("desk.not_signed"), "$text-warning"), ("✗ ", "bold $text-warning")
    note = _("desk.note", note=row.behaviour_note.replace("\n", " ")) if row.behaviour_note else ""
    return Content.assemble(
        mark,
        (f"{row.student.full_name:<{width}}  ", "bold"),
        signed,
        ("  " + note if note else "", ""),
    )


def meeting_line(meeting: ParentMeeting, tz: dt.tzinfo | None) -> Content:
    when = meeting.starts_at.astimezone(tz) if tz else meeting.starts_at
    agenda = meeting.agenda.replace("\n", " ")
    return Content.assemble(
        ("  " + date_time(when), "bold"),
        (f"  {meeting.place}", ""),
        (f"  {agenda}", "$text-muted"),
    )


def desk_options(desk: ClassDesk, tz: dt.tzinfo | None) -> list[Option]:
    """The students, the notices, the meetings: each part under its heading."""
    heading = "bold $text-primary"
    width = max((len(r.student.full_name) for r in desk.students), default=0)
    options = [Option(Content.styled(_("desk.students"), heading), id="head:students")]
    options += [Option(student_line(r, width), id=f"student:{r.student.id}") for r in desk.students]
    options.append(Option(Content.styled(_("desk.notices"), heading), id="head:notices"))
    if not desk.notices:
        options.append(Option(Content.styled(f"  {_('desk.no_notices')}", "$text-muted")))
    for n in desk.notices:
        days = (
            short_date(n.from_) if n.from_ == n.to else f"{short_date(n.from_)}–{short_date(n.to)}"
        )
        options.append(
            Option(
                Content.assemble(
                    (f"  {short_name(n.student_name)}", "bold"),
                    (f"  {days}", ""),
                    (f"  {_(f'absence.reason_{n.reason.value}')}", ""),
                    (f"  {n.comment}" if n.comment else "", "$text-muted"),
                ),
                id=f"notice:{n.id}",
            )
        )
    options.append(Option(Content.styled(_("desk.meetings"), heading), id="head:meetings"))
    if not desk.meetings:
        options.append(Option(Content.styled(f"  {_('desk.no_meetings')}", "$text-muted")))
    options += [Option(meeting_line(m, tz), id=f"meeting:{m.id}") for m in desk.meetings]
    return options


class DeskScreen(Window[None]):
    """The class teacher's week of their class: signatures, notes, notices, meetings."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "desk.tcss"]
    AUTO_FOCUS = "#desk"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("e", "edit", "desk.key_edit"),
        key("n", "new_meeting", "desk.key_new_meeting"),
        key("x", "cancel_meeting", "desk.key_cancel_meeting"),
        key("left_square_bracket", "week(-1)", "desk.key_previous_week", show=False),
        key("right_square_bracket", "week(1)", "desk.key_next_week", show=False),
        Binding("ctrl+r", "reload", "class.key_reload", show=False),
        Binding("escape", "close", "keys.close"),
    ]

    desk: var[ClassDesk | None] = var(None, init=False)
    """The desk shown; None until the server answers."""

    def __init__(
        self,
        session: DiarySession,
        class_id: str,
        *,
        today: dt.date,
        tz: dt.tzinfo | None = None,
    ) -> None:
        """`tz`: the zone meetings are told and typed in (the app's clock's)."""
        super().__init__()
        self.session = session
        self.class_id = class_id
        self.today = today
        self.monday = week_start(today)
        self.tz = tz

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("desk.title_loading")
            dialog.border_subtitle = _("desk.subtitle")
            yield Static(id="summary", markup=False)
            yield OptionList(id="desk")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.say(_("desk.loading"))
        self._load()

    def say(self, text: str, *, error: bool = False) -> None:
        summary = self.query_one("#summary", Static)
        summary.update(Content(text))
        summary.set_class(error, "-error")

    @work(exclusive=True, group="desk")
    async def _load(self) -> None:
        monday = self.monday
        try:
            desk = await self.session.send(lambda api: api.desk(self.class_id, monday))
        except ServerUnreachable:
            self.say(_("desk.offline"), error=True)
            return
        except ClientError as exc:
            if (message := session_message(exc)) is not None:
                self.post_message(message)
            self.say(refusal(exc), error=True)
            return
        if desk.start == self.monday:
            self.desk = desk

    def watch_desk(self, desk: ClassDesk | None) -> None:
        if desk is None:
            return
        self.query_one("#dialog").border_title = _(
            "desk.title", class_name=desk.class_name, range=week_range(desk.start, desk.end)
        )
        signed = sum(r.signed_by is not None for r in desk.students)
        noted = sum(bool(r.behaviour_note) for r in desk.students)
        self.say(_("desk.summary", signed=signed, noted=noted, students=len(desk.students)))
        found = self.query_one("#desk", OptionList)
        highlighted = found.highlighted
        found.set_options(desk_options(desk, self.tz))
        if found.option_count:
            found.highlighted = min(highlighted or 1, found.option_count - 1)
        self.refresh_bindings()

    # -- what is under the cursor ----------------------------------------------------

    def _under_cursor(self) -> tuple[str, str]:
        found = self.query_one("#desk", OptionList)
        if found.highlighted is None:
            return "", ""
        option_id = found.get_option_at_index(found.highlighted).id or ""
        kind, _sep, ident = option_id.partition(":")
        return kind, ident

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        desk = self.desk
        if action in ("edit", "new_meeting", "cancel_meeting"):
            if desk is None or not desk.can_write:
                return False
            if action == "cancel_meeting":
                return self._under_cursor()[0] == "meeting" or None
        return True

    @on(OptionList.OptionHighlighted, "#desk")
    def _moved(self) -> None:
        self.refresh_bindings()

    @on(OptionList.OptionSelected, "#desk")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    # -- writing -------------------------------------------------------------------

    def action_edit(self) -> None:
        """The note of the student under the cursor, or the meeting under it."""
        desk = self.desk
        if desk is None or not desk.can_write:
            return
        kind, ident = self._under_cursor()
        if kind == "student":
            row = next(r for r in desk.students if r.student.id == ident)
            note = NoteModal(self.session, row, desk.start, desk.end)
            self.app.push_screen(note, self._written)
        elif kind == "meeting":
            meeting = next(m for m in desk.meetings if m.id == ident)
            self.app.push_screen(self._meeting_modal(meeting), self._written)

    def action_new_meeting(self) -> None:
        if self.desk is not None and self.desk.can_write:
            self.app.push_screen(self._meeting_modal(None), self._written)

    def _meeting_modal(self, meeting: ParentMeeting | None) -> MeetingModal:
        assert self.desk is not None
        return MeetingModal(
            self.session, self.class_id, self.desk.class_name, meeting, today=self.today, tz=self.tz
        )

    def _written(self, answer: object | None) -> None:
        if answer is not None:
            self._load()

    def action_cancel_meeting(self) -> None:
        desk = self.desk
        kind, ident = self._under_cursor()
        if desk is None or kind != "meeting":
            return
        meeting = next(m for m in desk.meetings if m.id == ident)
        when = meeting.starts_at.astimezone(self.tz) if self.tz else meeting.starts_at
        question = _("desk.cancel_question", when=date_time(when), place=meeting.place)

        def answered(yes: bool | None) -> None:
            if yes:
                self._cancel(meeting.id)

        self.app.push_screen(ConfirmModal(question, _("desk.cancel_yes")), answered)

    @work(exclusive=True, group="cancel")
    async def _cancel(self, meeting_id: str) -> None:
        try:
            await self.session.send(lambda api: api.cancel_meeting(meeting_id))
        except ClientError as exc:
            self.notify(refusal(exc), severity="error")
            return
        self.notify(_("desk.cancelled"))
        self._load()

    # -- moving --------------------------------------------------------------------

    def action_week(self, step: int) -> None:
        self.monday += WEEK * step
        self.query_one("#dialog").border_title = _("desk.title_loading")
        self.say(_("desk.loading_week", date=day_month(self.monday)))
        self._load()

    def action_reload(self) -> None:
        self._load()

    def action_close(self) -> None:
        self.dismiss(None)
