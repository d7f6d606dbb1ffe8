"""The form that gives a notice of absence: days on a month calendar or typed, part
of one day by first and last lesson numbers, a reason and a comment.

It is a draft kept per child with its idempotency key: closing and reopening
the form, or sending again after a timeout, sends the same key, so the school
gets one notice however often the button is pressed. What the server refuses
is said next to the field it names; nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import ClassVar

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, RadioButton, RadioSet, Static

from ediary_tui.client.errors import ClientError, Invalid, KeyReused, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import AbsenceNotice, AbsenceNoticeIn, AbsenceReason, ChildRef
from ediary_tui.i18n import _, parse_date
from ediary_tui.screens.diary.notice_draft import (
    CODE_GROUPS,
    FIELD_GROUPS,
    Draft,
    date_text,
    notice_days,
    notice_error,
    overlapping,
    school_year_span,
)
from ediary_tui.screens.events import session_message
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.date_range import DateRangePicker
from ediary_tui.widgets.keys import LocalisedKeys


class NoticeForm(LocalisedKeys, Screen[AbsenceNotice | None]):
    """Give a notice of absence for one child: days, lessons, reason, comment."""

    CSS_PATH = "notice_form.tcss"
    AUTO_FOCUS = "#picker"
    # Below 80 columns the calendar sits above the fields rather than beside them.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (80, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "keys.cancel"),
        Binding("ctrl+s", "submit", "absence.key_submit"),
    ]

    def __init__(
        self,
        session: DiarySession,
        child: ChildRef,
        draft: Draft,
        *,
        today: dt.date,
        covered: frozenset[dt.date] = frozenset(),
        notices: Sequence[AbsenceNotice] = (),
    ) -> None:
        super().__init__()
        self.session = session
        self.child = child
        self.draft = draft
        self.today = today
        self.covered = covered
        self.notices = notices  # in force: an overlap names the one it clashes with
        self.sent: AbsenceNoticeIn | None = None
        self.sending = False

    def compose(self) -> ComposeResult:
        start = parse_date(self.draft.start, self.today) or self.today
        end = parse_date(self.draft.end, self.today) or start
        first, last = school_year_span(self.today)
        with Horizontal(id="topbar"):
            yield Label(_("absence.form_title"), id="title")
            yield Label(
                Content(f"{short_name(self.child.full_name)}, {self.child.class_name}"), id="who"
            )
        yield Banner(id="banner")
        with VerticalScroll(id="form"):
            with Horizontal(id="body"):
                with Vertical(id="calendar"):
                    yield DateRangePicker(
                        self.today, start=start, end=end, first=first, last=last, id="picker"
                    )
                    yield Static(_("absence.calendar_hint"), id="calendar-hint")
                with Vertical(id="fields"):
                    with Vertical(classes="group"):
                        with Horizontal(classes="row"):
                            yield Label(_("absence.from"), classes="name")
                            yield Input(self.draft.start, id="from", compact=True, classes="date")
                            yield Label(id="length", classes="aside", markup=False)
                        with Horizontal(classes="row"):
                            yield Label(_("absence.to"), classes="name")
                            yield Input(self.draft.end, id="to", compact=True, classes="date")
                        yield Static(id="error-dates", classes="error", markup=False)
                    with Vertical(classes="group"):
                        with Horizontal(classes="row"):
                            yield Label(_("absence.lessons"), classes="name")
                            yield self._lesson_input("first_lesson")
                            yield Label("–", classes="dash")
                            yield self._lesson_input("last_lesson")
                            yield Label(id="lessons-hint", classes="aside", markup=False)
                        yield Static(id="error-lessons", classes="error", markup=False)
                    with Vertical(classes="group"):
                        with Horizontal(classes="row"):
                            yield Label(_("absence.reason"), classes="name")
                            yield RadioSet(
                                *(
                                    RadioButton(
                                        _(f"absence.reason_{reason.value}"),
                                        value=reason == self.draft.reason,
                                        id=f"reason-{reason.value}",
                                    )
                                    for reason in AbsenceReason
                                ),
                                id="reason",
                                compact=True,
                            )
                        yield Static(id="error-reason", classes="error", markup=False)
                    with Vertical(classes="group"):
                        with Horizontal(classes="row"):
                            yield Label(_("absence.comment"), classes="name")
                            yield Input(
                                self.draft.comment,
                                placeholder=_("absence.comment_placeholder"),
                                id="comment",
                                max_length=2000,
                                compact=True,
                            )
                        yield Static(id="error-comment", classes="error", markup=False)
            yield Static(id="error-form", classes="error", markup=False)
        # Outside the scrolled form: the buttons stay in view however short the terminal.
        with Horizontal(id="buttons"):
            yield Button(
                _("absence.submit"),
                variant="primary",
                id="submit",
                compact=True,
                action="screen.submit",
            )
            yield Button(_("confirm.cancel"), id="cancel", compact=True, action="screen.cancel")
        yield Footer(compact=True)

    def _lesson_input(self, name: str) -> Input:
        value = getattr(self.draft, name)
        return Input(value, id=name, type="integer", max_length=2, compact=True, classes="lesson")

    def on_mount(self) -> None:
        for error in self.query(".error"):
            error.display = False
        self.query_one(DateRangePicker).set_marked(self.covered)
        self._show_offline()
        self._dates_changed()

    def _show_offline(self) -> None:
        self.query_one(Banner).warn_while(self.session.offline, _("absence.offline_form"))

    # -- keeping the form and the draft in step -------------------------------------

    def _typed(self) -> tuple[dt.date | None, dt.date | None]:
        start = parse_date(self.query_one("#from", Input).value, self.today)
        end_text = self.query_one("#to", Input).value.strip()
        end = parse_date(end_text, self.today) if end_text else start
        return start, end

    def _dates_changed(self) -> None:
        """Say how long the range is; lesson numbers are for one day only."""
        start, end = self._typed()
        one_day = start is not None and start == end
        length = ""
        if start is not None and end is not None and end >= start:
            length = _("absence.length", days=(end - start).days + 1)
        self.query_one("#length", Label).update(Content(length))
        for name in ("first_lesson", "last_lesson"):
            self.query_one(f"#{name}", Input).disabled = not one_day
        hint = _("absence.lessons_hint") if one_day else _("absence.lessons_one_day")
        self.query_one("#lessons-hint", Label).update(Content(hint))

    @on(DateRangePicker.Changed)
    def _picked(self, event: DateRangePicker.Changed) -> None:
        event.stop()
        with self.prevent(Input.Changed):
            self.query_one("#from", Input).value = date_text(event.start)
            self.query_one("#to", Input).value = date_text(event.end)
        self._save_draft()
        self._clear_error("dates")
        self._dates_changed()

    @on(Input.Changed)
    def _typed_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._save_draft()
        if event.input.id in {"from", "to"}:
            start, end = self._typed()
            if start is not None:
                self.query_one(DateRangePicker).set_range(start, end if end else start)
            self._dates_changed()

    @on(RadioSet.Changed)
    def _reason_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._save_draft()

    def _reason(self) -> AbsenceReason:
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return AbsenceReason.ILLNESS
        return AbsenceReason(pressed.id.removeprefix("reason-"))

    def _save_draft(self) -> None:
        draft = self.draft
        draft.start = self.query_one("#from", Input).value
        draft.end = self.query_one("#to", Input).value
        draft.first_lesson = self.query_one("#first_lesson", Input).value
        draft.last_lesson = self.query_one("#last_lesson", Input).value
        draft.comment = self.query_one("#comment", Input).value
        draft.reason = self._reason()

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; in the comment, the last one, it gives the notice."""
        event.stop()
        if event.input.id == "comment":
            self.action_submit()
        else:
            self.focus_next()

    # -- errors next to their fields -------------------------------------------------

    def _show_error(self, group: str, text: str) -> None:
        error = self.query_one(f"#error-{group}", Static)
        error.update(Content(text))
        error.display = True
        error.scroll_visible()

    def _clear_error(self, group: str) -> None:
        self.query_one(f"#error-{group}", Static).display = False

    def _clear_errors(self) -> None:
        for error in self.query(".error"):
            error.display = False

    def _focus_group(self, group: str) -> None:
        target = {
            "dates": "#from",
            "lessons": "#first_lesson",
            "reason": "#reason",
            "comment": "#comment",
        }.get(group)
        if target is not None:
            widget = self.query_one(target, Widget)
            if not widget.disabled:
                widget.focus()

    # -- giving the notice -------------------------------------------------------------

    def _build(self) -> AbsenceNoticeIn | None:
        """The notice as typed, or None with the reason said next to the field."""
        self._clear_errors()
        from_text = self.query_one("#from", Input).value.strip()
        to_text = self.query_one("#to", Input).value.strip()
        start = parse_date(from_text, self.today)
        end = parse_date(to_text, self.today) if to_text else start
        if start is None or end is None:
            bad = from_text if start is None else to_text
            self._show_error("dates", _("jump.bad_date", text=bad))
            self._focus_group("dates")
            return None
        if end < start:
            self._show_error("dates", _("absence.reversed"))
            self._focus_group("dates")
            return None
        lessons: dict[str, int | None] = {"first_lesson": None, "last_lesson": None}
        if start == end:
            for name in lessons:
                text = self.query_one(f"#{name}", Input).value.strip()
                if text and not text.isdigit():
                    self._show_error("lessons", _("absence.bad_lesson"))
                    self._focus_group("lessons")
                    return None
                lessons[name] = int(text) if text else None
        try:
            return AbsenceNoticeIn(
                from_=start,
                to=end,
                reason=self._reason(),
                comment=self.query_one("#comment", Input).value.strip(),
                **lessons,
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            group = FIELD_GROUPS.get(str(first["loc"][0]), "form") if first["loc"] else "form"
            text = _("absence.bad_lesson") if group == "lessons" else first["msg"]
            self._show_error(group, text)
            self._focus_group(group)
            return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return None if self.sending else True
        return True

    def action_submit(self) -> None:
        if self.sending:
            return
        notice = self._build()
        if notice is not None:
            self.sent = notice
            self._send(notice)

    def _busy(self, busy: bool) -> None:
        self.sending = busy
        button = self.query_one("#submit", Button)
        button.disabled = busy
        button.label = _("absence.sending") if busy else _("absence.submit")
        self.refresh_bindings()

    @work(exclusive=True, group="notice")
    async def _send(self, notice: AbsenceNoticeIn) -> None:
        self._busy(True)
        student, key = self.child.id, self.draft.key
        try:
            created = await self.session.send(
                lambda api: api.create_absence_notice(student, notice, idempotency_key=key)
            )
        except ClientError as exc:
            self._busy(False)
            self._refused(exc)
            return
        self.dismiss(created)

    def _refused(self, exc: ClientError) -> None:
        self._show_offline()
        if (message := session_message(exc)) is not None:
            self.post_message(message)
            return
        if isinstance(exc, ServerUnreachable):
            self._show_error("form", _("absence.offline_not_sent"))
            return
        if isinstance(exc, KeyReused):
            # A try before the last edit was given as first written. A new key makes this
            # version a notice of its own, should the parent send it after all.
            self.draft.key = str(uuid.uuid4())
            self._show_error("form", _("absence.sent_earlier"))
            return
        group = "form"
        if isinstance(exc, Invalid):
            group = FIELD_GROUPS.get(exc.field or "", CODE_GROUPS.get(exc.code or "", "form"))
        text = notice_error(exc)
        clash = overlapping(self.sent, self.notices) if self.sent is not None else None
        if exc.code == "notice_overlaps" and clash is not None:
            text = _("absence.overlaps", days=notice_days(clash))
        if group == "form":
            text = _("absence.not_sent", reason=text)
        self._show_error(group, text)
        self._focus_group(group)

    def action_cancel(self) -> None:
        self.dismiss(None)
