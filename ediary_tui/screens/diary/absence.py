"""Notices of absence: a parent tells the school a child will miss lessons.

The screen lists the child's notices with their state (upcoming, current,
past); a parent gives a new one with `n` and withdraws one that has not
started with `w`. A student sees the list read-only, and the key says that
only a parent gives notices. The lessons a notice covers become excused in
the diary, so the diary fetches its week again when this screen closes.

The form that gives one is `notice_form.NoticeForm`.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Unpack

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import (
    OptionList,
    Static,
)
from textual.widgets.option_list import Option

from ediary_tui.client import reads
from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.reads import Cached
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import (
    AbsenceNotice,
    AbsenceNoticeList,
    User,
)
from ediary_tui.domain.periods import week_start
from ediary_tui.i18n import _, date_time
from ediary_tui.screens.diary.notice_draft import Draft, date_text, notice_days, notice_error
from ediary_tui.screens.diary.notice_form import NoticeForm
from ediary_tui.screens.diary.student_view import StudentScreen, Where
from ediary_tui.screens.events import session_message
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.dialogs import ConfirmModal
from ediary_tui.widgets.keys import key

STATE_STYLES = {
    "upcoming": "bold $text-primary",
    "current": "bold $text-warning",
    "past": "$text-muted",
}
COMMENT_STYLE = "italic $foreground-muted"


# -- words -----------------------------------------------------------------------------


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


def days_of(notice: AbsenceNotice) -> set[dt.date]:
    count = (notice.to - notice.from_).days + 1
    return {notice.from_ + dt.timedelta(days=i) for i in range(max(count, 0))}


# -- the list --------------------------------------------------------------------------


class AbsenceScreen(StudentScreen):
    """One child's notices of absence; a parent gives and withdraws them."""

    AREA = "absence"
    BODY = "#notices"
    # `n` is a parent's; for a student the same key says who gives notices.
    BINDINGS: ClassVar[list[BindingType]] = [
        key("n", "new_notice", "absence.key_new"),
        key("n", "why_no_new", "absence.key_new_parents"),
        key("w,delete", "withdraw", "absence.key_withdraw"),
    ]

    def __init__(self, session: DiarySession, user: User, **where: Unpack[Where]) -> None:
        super().__init__(session, user, **where)
        self.notices: list[AbsenceNotice] | None = None
        self.changed = False  # lessons became (or stopped being) excused: the diary refetches
        self.drafts: dict[str, Draft] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Static(id="hint", markup=False)
        yield OptionList(id="notices", compact=True)
        yield from self.compose_bottom()

    def can_give(self) -> bool:
        """A parent gives notices for their child; a student only reads them."""
        return self.child is not None and self.child.id != self.user.id

    # -- painting ----------------------------------------------------------------

    def show_child(self) -> None:
        child = self.child
        hint = self.query_one("#hint", Static)
        if child is None:
            hint.update("")
            self.show_unavailable(_("week.no_diary"))
            return
        hint.update(
            Content(_("absence.hint_parent" if self.can_give() else "absence.hint_student"))
        )
        self.loaded = self.session.saved(reads.absence_notices(child.id))
        self._fetch(child.id)
        self.refresh_bindings()

    def show_loading(self) -> None:
        self.notices = None
        self.query_one("#notices", OptionList).clear_options()
        super().show_loading()

    def paint(self, loaded: Cached[AbsenceNoticeList]) -> None:
        self.notices = notices = loaded.value.notices
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
        self.show_fetched(loaded)
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

    # -- the network ---------------------------------------------------------------

    def _is_current(self, student: str) -> bool:
        return self.child is not None and self.child.id == student

    @work(exclusive=True, group="notices")
    async def _fetch(self, student: str) -> None:
        await self.fetch_into(student, reads.absence_notices(student))

    def _save(self, student: str, notices: list[AbsenceNotice]) -> Cached[AbsenceNoticeList]:
        """Keep the list as the screen now shows it (after a notice is given or withdrawn)."""
        kept = AbsenceNoticeList(notices=notices)
        return self.session.keep(reads.absence_notices(student), kept, at=self.clock())

    def _forget_weeks(self, student: str, notice: AbsenceNotice) -> None:
        """The diary's saved weeks under the notice are out of date: the diary fetches them."""
        monday = week_start(notice.from_)
        while monday <= notice.to:
            self.session.forget(reads.week(student, monday))
            monday += dt.timedelta(days=7)

    # -- actions -----------------------------------------------------------------

    def _withdrawable(self, notice: AbsenceNotice) -> bool:
        """Its author withdraws a notice before it starts (the server has the last word)."""
        return self.can_give() and self.why_not_withdrawable(notice) is None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_notice":
            return self.can_give()
        if action == "why_no_new":
            return self.child is not None and not self.can_give()
        if action == "withdraw":
            if not self.can_give():
                return False
            # On any notice: the key says why one in force cannot be withdrawn.
            return True if self.selected() is not None else None
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
            self.show_offline()
            if created is not None:
                self._given(child.id, created)

        form = NoticeForm(
            self.session,
            child,
            draft,
            today=self.today,
            covered=frozenset(covered),
            notices=tuple(self.notices or ()),
        )
        self.app.push_screen(form, done)

    def _given(self, student: str, notice: AbsenceNotice) -> None:
        self.drafts.pop(student, None)
        self.changed = True
        self._forget_weeks(student, notice)
        if self._is_current(student):
            notices = [notice, *(n for n in self.notices or [] if n.id != notice.id)]
            self.loaded = self._save(student, notices)
            self.query_one("#notices", OptionList).highlighted = 0
        self.notify(_("absence.given", days=notice_days(notice)))
        self._fetch(student)

    def why_not_withdrawable(self, notice: AbsenceNotice) -> str | None:
        """Why `w` cannot take this notice back (None: it can)."""
        if notice.author.id != self.user.id:
            return _("absence.withdraw_not_author", who=notice.author.full_name)
        if notice.state != "upcoming":
            return _("absence.withdraw_started", days=notice_days(notice))
        return None

    def action_withdraw(self) -> None:
        notice, child = self.selected(), self.child
        if notice is None or child is None or not self.can_give():
            return
        if (reason := self.why_not_withdrawable(notice)) is not None:
            self.notify(reason, severity="warning")
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
            await self.session.send(lambda api: api.withdraw_absence_notice(student, notice.id))
        except ClientError as exc:
            self.show_offline()
            if (message := session_message(exc)) is not None:
                self.post_message(message)
            elif isinstance(exc, ServerUnreachable):
                self.notify(_("absence.withdraw_offline"), severity="warning")
            else:
                self.notify(
                    _("absence.withdraw_failed", reason=notice_error(exc)), severity="error"
                )
                self._fetch(student)
            return
        self.show_offline()
        self.changed = True
        self._forget_weeks(student, notice)
        if self._is_current(student) and self.notices is not None:
            notices = [n for n in self.notices if n.id != notice.id]
            self.loaded = self._save(student, notices)
        self.notify(_("absence.withdrawn", days=notice_days(notice)))
