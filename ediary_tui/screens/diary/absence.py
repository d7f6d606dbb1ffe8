"""Notices of absence: a parent tells the school a child will miss lessons.

The screen lists the child's notices with their state (upcoming, current,
past); a parent gives a new one with `n` and withdraws one that has not
started with `w`. A student sees the list read-only, and the key says that
only a parent gives notices. The lessons a notice covers become excused in
the diary, so the diary fetches its week again when this screen closes.

The form (`NoticeForm`) picks the days on a month calendar or takes them
typed, part of one day by first and last lesson numbers, a reason and a
comment. It is a draft kept per child with its idempotency key: closing and
reopening the form, or sending again after a timeout, sends the same key,
so the school gets one notice however often the button is pressed. What the
server refuses is said next to the field it names; nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import ClassVar

from pydantic import ValidationError
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Footer,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    Static,
)
from textual.widgets.option_list import Option

from ediary_tui.client.errors import (
    ClientError,
    Invalid,
    KeyReused,
    NotLoggedIn,
    PasswordChangeRequired,
    ServerUnreachable,
)
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import (
    AbsenceNotice,
    AbsenceNoticeIn,
    AbsenceNoticeList,
    AbsenceReason,
    ChildRef,
    User,
)
from ediary_tui.domain.periods import school_year_of, week_start
from ediary_tui.i18n import (
    _,
    date_time,
    error_message,
    full_date,
    parse_date,
    server_text,
    week_range,
)
from ediary_tui.screens.diary.student_view import CachedReader, Clock, StudentScreen
from ediary_tui.screens.events import PasswordRequired, SessionEnded
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.date_range import DateRangePicker
from ediary_tui.widgets.dialogs import ConfirmModal
from ediary_tui.widgets.keys import LocalisedKeys, key

STATE_STYLES = {
    "upcoming": "bold $text-primary",
    "current": "bold $text-warning",
    "past": "$text-muted",
}
COMMENT_STYLE = "italic $foreground-muted"
# Which part of the form a field named by the server belongs to.
FIELD_GROUPS = {
    "from": "dates",
    "from_": "dates",
    "to": "dates",
    "first_lesson": "lessons",
    "last_lesson": "lessons",
    "reason": "reason",
    "comment": "comment",
}
# An overlap names no field, but it is the dates that clash.
CODE_GROUPS = {"notice_overlaps": "dates", "range_reversed": "dates"}


# -- words -----------------------------------------------------------------------------


def notice_days(notice: AbsenceNotice | AbsenceNoticeIn) -> str:
    """25–27 November 2026, or 25 November 2026, lessons 3–5."""
    if notice.from_ != notice.to:
        return week_range(notice.from_, notice.to)
    day = full_date(notice.from_)
    first, last = notice.first_lesson, notice.last_lesson
    if first is None and last is None:
        return day
    if first is not None and last is not None and first != last:
        return _("absence.day_lessons", day=day, first=first, last=last)
    if first is not None and last is None:
        return _("absence.day_from_lesson", day=day, first=first)
    if first is None and last is not None:
        return _("absence.day_to_lesson", day=day, last=last)
    return _("absence.day_lesson", day=day, number=first)


def notice_row(notice: AbsenceNotice) -> Content:
    state = Content.styled(_(f"absence.state_{notice.state}"), STATE_STYLES.get(notice.state, ""))
    head = Content.assemble(
        (notice_days(notice), "bold"), " · ", _(f"absence.reason_{notice.reason.value}"), " · "
    )
    line = head + state
    if notice.comment:
        line = (
            line + Content("\n") + Content.styled(" ".join(notice.comment.split()), COMMENT_STYLE)
        )
    return line


def describe_notice(notice: AbsenceNotice, tz: dt.tzinfo | None) -> list[str]:
    return [
        _(
            "absence.given_by",
            who=notice.author.full_name,
            when=date_time(notice.created_at.astimezone(tz)),
        ),
        _(f"absence.reason_{notice.reason.value}"),
        _(f"absence.state_{notice.state}"),
    ]


def notice_error(exc: ClientError) -> str:
    """The server's refusal in the person's language (its own words in English)."""
    if exc.code:
        translated = server_text(f"notice_error.{exc.code}", "")
        if translated:
            return translated
    return error_message(exc.code, exc.message)


def days_of(notice: AbsenceNotice) -> set[dt.date]:
    count = (notice.to - notice.from_).days + 1
    return {notice.from_ + dt.timedelta(days=i) for i in range(max(count, 0))}


def school_year_span(today: dt.date) -> tuple[dt.date, dt.date]:
    """1 September to 31 August of the school year `today` is in: where a notice may fall."""
    year = school_year_of(today)
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


def date_text(day: dt.date) -> str:
    return day.strftime(_("absence.date_format"))


# -- the form --------------------------------------------------------------------------


@dataclass
class Draft:
    """What a parent has typed into the form for one child, kept until the notice is given."""

    start: str
    end: str
    first_lesson: str = ""
    last_lesson: str = ""
    reason: AbsenceReason = AbsenceReason.ILLNESS
    comment: str = ""
    # One key per notice being written: a repeat after a timeout cannot give it twice.
    key: str = field(default_factory=lambda: str(uuid.uuid4()))


class NoticeForm(LocalisedKeys, Screen[AbsenceNotice | None]):
    """Give a notice of absence for one child: days, lessons, reason, comment."""

    CSS_PATH = "absence.tcss"
    AUTO_FOCUS = "#picker"
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
    ) -> None:
        super().__init__()
        self.session = session
        self.child = child
        self.draft = draft
        self.today = today
        self.covered = covered
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
            with Horizontal(id="buttons"):
                yield Button(_("absence.submit"), variant="primary", id="submit", compact=True)
                yield Button(_("confirm.cancel"), id="cancel", compact=True)
            yield Static(id="error-form", classes="error", markup=False)
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
        banner = self.query_one(Banner)
        if self.session.offline:
            banner.show(_("absence.offline_form"), "warning")
        else:
            banner.hide()

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
            self._send(notice)

    @on(Button.Pressed, "#submit")
    def _submit_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def _busy(self, busy: bool) -> None:
        self.sending = busy
        button = self.query_one("#submit", Button)
        button.disabled = busy
        button.label = _("absence.sending") if busy else _("absence.submit")
        self.refresh_bindings()

    @work(exclusive=True, group="notice")
    async def _send(self, notice: AbsenceNoticeIn) -> None:
        self._busy(True)
        try:
            created = await self.session.client.create_absence_notice(
                self.child.id, notice, idempotency_key=self.draft.key
            )
        except ClientError as exc:
            self._busy(False)
            self._refused(exc)
            return
        self.session.offline = False
        self.dismiss(created)

    def _refused(self, exc: ClientError) -> None:
        self.session.offline = isinstance(exc, ServerUnreachable)
        self._show_offline()
        if isinstance(exc, PasswordChangeRequired):
            self.post_message(PasswordRequired())
            return
        if isinstance(exc, NotLoggedIn):
            self.post_message(SessionEnded())
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
        if group == "form":
            text = _("absence.not_sent", reason=text)
        self._show_error(group, text)
        self._focus_group(group)

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- the list --------------------------------------------------------------------------


class AbsenceScreen(StudentScreen):
    """One child's notices of absence; a parent gives and withdraws them."""

    CSS_PATH: ClassVar[list[str]] = ["student_view.tcss", "absence.tcss"]
    TITLE_KEY = "absence.title"
    AUTO_FOCUS = "#notices"
    # `n` is a parent's; for a student the same key says who gives notices.
    BINDINGS: ClassVar[list[BindingType]] = [
        key("n", "new_notice", "absence.key_new"),
        key("n", "why_no_new", "absence.key_new_parents"),
        key("w,delete", "withdraw", "absence.key_withdraw"),
    ]

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        student_id: str,
        today: dt.date,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(session, user, student_id=student_id, today=today, clock=clock)
        self.notices: list[AbsenceNotice] | None = None
        self.changed = False  # lessons became (or stopped being) excused: the diary refetches
        self.drafts: dict[str, Draft] = {}
        self.reader = CachedReader(self.session, "absence_notices", AbsenceNoticeList, self.clock)

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Static(id="hint", markup=False)
        yield OptionList(id="notices", compact=True)
        yield Static(id="empty", markup=False)
        yield Static(id="details", markup=False)
        yield Footer(compact=True)

    def can_give(self) -> bool:
        """A parent gives notices for their child; a student only reads them."""
        return self.child is not None and self.child.id != self.user.id

    # -- painting ----------------------------------------------------------------

    def show_child(self) -> None:
        child = self.child
        hint = self.query_one("#hint", Static)
        if child is None:
            hint.update("")
            self._show_unavailable(_("week.no_diary"))
            return
        hint.update(
            Content(_("absence.hint_parent" if self.can_give() else "absence.hint_student"))
        )
        cached = self.reader.cached(child.id)
        if cached is not None:
            self._paint(cached.notices, fresh=False)
        else:
            self.notices = None
            self.query_one("#empty").display = False
            listing = self.query_one("#notices", OptionList)
            listing.display = True
            listing.clear_options()
            listing.loading = True
            self.query_one("#details", Static).update("")
            self.show_freshness(_("week.loading"))
        self._fetch(child.id)
        self.refresh_bindings()

    def _paint(self, notices: list[AbsenceNotice], *, fresh: bool) -> None:
        self.notices = notices
        listing = self.query_one("#notices", OptionList)
        listing.loading = False
        empty = self.query_one("#empty", Static)
        if not notices:
            listing.display = False
            listing.clear_options()
            empty.update(Content(_("absence.none")))
            empty.display = True
            self.query_one("#details", Static).update("")
        else:
            empty.display = False
            listing.display = True
            if self.focused is None:  # it could not take the focus while it was loading
                listing.focus()
            kept = listing.highlighted_option.id if listing.highlighted_option else None
            listing.set_options(Option(notice_row(n), id=n.id) for n in notices)
            ids = [n.id for n in notices]
            listing.highlighted = ids.index(kept) if kept in ids else 0
            self._show_details()
        if self.child is not None:
            self.show_fetched(self.reader, self.child.id, fresh=fresh)
        self.refresh_bindings()

    def selected(self) -> AbsenceNotice | None:
        option = self.query_one("#notices", OptionList).highlighted_option
        if option is None or self.notices is None:
            return None
        return next((n for n in self.notices if n.id == option.id), None)

    def _show_details(self) -> None:
        notice = self.selected()
        parts = describe_notice(notice, self.clock().tzinfo) if notice else []
        if notice is not None and self._withdrawable(notice):
            parts.append(_("absence.withdraw_hint"))
        self.query_one("#details", Static).update(Content(" · ".join(parts)))

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_details()
        self.refresh_bindings()

    def _show_unavailable(self, text: str) -> None:
        listing = self.query_one("#notices", OptionList)
        listing.loading = False
        listing.display = False
        empty = self.query_one("#empty", Static)
        empty.update(Content(text))
        empty.display = True
        self.query_one("#details", Static).update("")
        self.show_freshness("")

    # -- the network ---------------------------------------------------------------

    def _is_current(self, student: str) -> bool:
        return self.child is not None and self.child.id == student

    async def _ask(self, student: str) -> AbsenceNoticeList:
        """The child's notices as one answer, the way the cache keeps it."""
        return AbsenceNoticeList(notices=await self.session.client.absence_notices(student))

    @work(exclusive=True, group="notices")
    async def _fetch(self, student: str) -> None:
        try:
            found = await self.reader.fetch(student, self._ask(student))
        except ClientError as exc:
            if not self._is_current(student):
                return
            self.query_one("#notices", OptionList).loading = False
            text = self.fetch_failed(
                exc, have_copy=self.notices is not None, missing=_("absence.not_saved")
            )
            if text is not None:
                self._show_unavailable(text)
            elif self.notices is not None:
                self.show_fetched(self.reader, student, fresh=False)
            return
        self._show_offline()
        if self._is_current(student):
            self._paint(found.notices, fresh=True)

    def _save(self, student: str, notices: list[AbsenceNotice]) -> None:
        user = self.session.user or self.session.cached_user()
        if user is not None:
            text = AbsenceNoticeList(notices=notices).model_dump_json()
            self.session.cache.put_raw(
                self.session.server, user.id, "absence_notices", student, text
            )

    def _forget_weeks(self, student: str, notice: AbsenceNotice) -> None:
        """The diary's saved weeks under the notice are out of date: the diary fetches them."""
        user = self.session.user or self.session.cached_user()
        if user is None:
            return
        monday = week_start(notice.from_)
        while monday <= notice.to:
            self.session.cache.delete(
                self.session.server, user.id, "week", f"{student}/{monday.isoformat()}"
            )
            monday += dt.timedelta(days=7)

    # -- actions -----------------------------------------------------------------

    def _withdrawable(self, notice: AbsenceNotice) -> bool:
        """Its author withdraws a notice before it starts (the server has the last word)."""
        return self.can_give() and notice.state == "upcoming" and notice.author.id == self.user.id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_notice":
            return self.can_give()
        if action == "why_no_new":
            return self.child is not None and not self.can_give()
        if action == "withdraw":
            if not self.can_give():
                return False
            notice = self.selected()
            return True if notice is not None and self._withdrawable(notice) else None
        return super().check_action(action, parameters)

    def action_refresh(self) -> None:
        if self.child is not None:
            self.show_freshness(_("week.refreshing"))
            self._fetch(self.child.id)

    def action_why_no_new(self) -> None:
        self.notify(_("absence.only_parent"))

    def action_new_notice(self) -> None:
        child = self.child
        if child is None or not self.can_give():
            return
        today = date_text(self.today)
        draft = self.drafts.setdefault(child.id, Draft(start=today, end=today))
        covered: set[dt.date] = set()
        for notice in self.notices or []:
            covered |= days_of(notice)

        def done(created: AbsenceNotice | None) -> None:
            self._show_offline()
            if created is not None:
                self._given(child.id, created)

        form = NoticeForm(self.session, child, draft, today=self.today, covered=frozenset(covered))
        self.app.push_screen(form, done)

    def _given(self, student: str, notice: AbsenceNotice) -> None:
        self.drafts.pop(student, None)
        self.changed = True
        self._forget_weeks(student, notice)
        if self._is_current(student):
            notices = [notice, *(n for n in self.notices or [] if n.id != notice.id)]
            self._save(student, notices)
            self._paint(notices, fresh=True)
            self.query_one("#notices", OptionList).highlighted = 0
        self.notify(_("absence.given", days=notice_days(notice)))
        self._fetch(student)

    def action_withdraw(self) -> None:
        notice, child = self.selected(), self.child
        if notice is None or child is None or not self._withdrawable(notice):
            return
        question = _(
            "absence.withdraw_question",
            days=notice_days(notice),
            child=short_name(child.full_name),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._withdraw(child.id, notice)

        self.app.push_screen(ConfirmModal(question, _("absence.withdraw_yes")), answered)

    @work(exclusive=True, group="withdraw")
    async def _withdraw(self, student: str, notice: AbsenceNotice) -> None:
        try:
            await self.session.client.withdraw_absence_notice(student, notice.id)
        except ClientError as exc:
            self.session.offline = isinstance(exc, ServerUnreachable)
            self._show_offline()
            if isinstance(exc, NotLoggedIn):
                self.post_message(SessionEnded())
            elif isinstance(exc, PasswordChangeRequired):
                self.post_message(PasswordRequired())
            elif isinstance(exc, ServerUnreachable):
                self.notify(_("absence.withdraw_offline"), severity="warning")
            else:
                self.notify(
                    _("absence.withdraw_failed", reason=notice_error(exc)), severity="error"
                )
                self._fetch(student)
            return
        self.session.offline = False
        self._show_offline()
        self.changed = True
        self._forget_weeks(student, notice)
        if self._is_current(student) and self.notices is not None:
            notices = [n for n in self.notices if n.id != notice.id]
            self._save(student, notices)
            self._paint(notices, fresh=True)
        self.notify(_("absence.withdrawn", days=notice_days(notice)))
