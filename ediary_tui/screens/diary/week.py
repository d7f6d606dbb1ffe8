"""The weekly diary: one child's week, day by day, lesson by lesson.

What the screen shows comes from the copy the session keeps at once and is
refreshed from the server in a worker, so a key press repaints without
waiting for the network; the top bar says whether the data is fresh or saved,
and a banner stays while the server cannot be reached.

The child, the week's Monday and the week on show are reactives: a key sets
`monday` or `child` and its watcher paints the saved copy and starts the
worker; the worker posts what it fetched (`Fetched`) and the screen sets
`week`, whose watcher paints it. The week's widgets are built once and
updated in place (see `WeekView`).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.reactive import var
from textual.widgets import Label, Static

from ediary_tui.client import reads
from ediary_tui.client.changes import ABOUT_STUDENT
from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.reads import Cached
from ediary_tui.client.session import DiarySession
from ediary_tui.context import AppEvents
from ediary_tui.domain.models import Change, ChildRef, User, Week
from ediary_tui.domain.periods import week_start
from ediary_tui.i18n import _, error_message, week_range
from ediary_tui.screens.diary.child_screen import ChildScreen, Clock, pick_child
from ediary_tui.screens.diary.week_meetings import MEETING_KINDS, MeetingsLine
from ediary_tui.screens.diary.week_seen import SeenMarks
from ediary_tui.screens.diary.week_signing import WeekSigning
from ediary_tui.screens.events import session_message
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.dialogs import DateModal
from ediary_tui.widgets.keys import key
from ediary_tui.widgets.lesson_text import describe_lesson
from ediary_tui.widgets.mark_cell import describe_mark
from ediary_tui.widgets.week_grid import BehaviourNote, WeekView, behaviour_text

WEEK = dt.timedelta(days=7)
_WEEK = Binding.Group("keys.week")
DETAILS_LINES = 2  # the details line's most; the rest of a long text is cut with "…"


def clamp(text: Content, width: int, lines: int) -> Content:
    """`text` in at most `lines` lines of `width`: its start kept (the lesson, subject and
    teacher come first), the end cut with "…"."""
    wrapped = text.wrap(width)
    if len(wrapped) <= lines:
        return text
    last = wrapped[lines - 1].rstrip()
    last = last.truncate(width - 1) + Content("…")
    return Content("\n").join([*wrapped[: lines - 1], last])


class WeekScreen(WeekSigning):
    """One child's week; `c` switches between a parent's children."""

    CSS_PATH = "week.tcss"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"),
        (120, "-wide"),
        (170, "-wider"),
    ]
    BODY = "#grid"
    # The second key of each pair is the same key on a Russian (ЙЦУКЕН) layout.
    # Refreshing (it happens by itself) and logging out stay out of the footer,
    # as 80 columns are few; help and the command palette list every key.
    BINDINGS: ClassVar[list[BindingType]] = [
        key("left_square_bracket,left", "previous_week", "keys.previous_week", group=_WEEK),
        key("right_square_bracket,right", "next_week", "keys.next_week", group=_WEEK),
        key("t", "today", "keys.today"),
        key("g", "go_to_date", "keys.go_to_date"),
        key("r", "refresh", "keys.refresh", show=False),
        key("c", "switch_child", "keys.switch_child"),
        key("s", "sign", "keys.sign"),
        key("R", "report_card", "report_card.key_report_card", show=False),
        key("p", "progress", "progress.key_progress", show=False),
        key("m", "messages", "news.key_messages", show=False),
        key("w", "whats_new", "news.key_whats_new", show=False),
        key("h", "homework", "homework.key_open", show=False),
        key("a", "absence", "absence.key_open", show=False),
        key("q", "app.quit", "keys.quit"),
        key("L", "app.logout", "keys.logout", show=False),
        Binding("ctrl+l", "app.logout", "keys.logout", show=False),
    ]

    monday: var[dt.date] = var(dt.date.min, init=False, always_update=True)
    week: var[Week | None] = var(None, init=False, always_update=True)

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        today: dt.date,
        clock: Clock,
        fetch: bool = True,
    ) -> None:
        super().__init__(session, user, today=today, clock=clock, child=pick_child(user, None))
        self.set_reactive(WeekScreen.monday, week_start(today))
        self.loaded: Cached[Week] | None = None  # the week on show, with when it was fetched
        self.seen = SeenMarks(session, self.clock)
        self._fetch_on_mount = fetch
        self._navigated = True  # the next paint puts the cursor on today (or the Monday)
        self._key_state: tuple[object, ...] = ()
        self._shown_new: frozenset[str] = frozenset()

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield from self.compose_bar("weekbar", "range", "signature")
        yield Banner(id="banner")
        yield MeetingsLine(id="meetings")
        yield BehaviourNote(id="note")
        yield WeekView(id="grid")
        yield from self.compose_bottom()

    async def on_mount(self) -> None:
        if isinstance(app := self.app, AppEvents):
            app.user_signal.subscribe(self, self.user_resumed)
            app.news_signal.subscribe(self, self.news_arrived)
        self.painting = True
        await self.show_user()
        self._refresh_keys()
        self._show_week(fetch=self._fetch_on_mount)

    # -- what the app tells the screen -------------------------------------------

    async def user_resumed(self, user: User) -> None:
        """The app resumed the session: the server's word on the user, then the week afresh."""
        await self.set_user(user)
        self.refresh_week()

    def news_arrived(self, news: list[Change]) -> None:
        """Marks and absences of the child shown, or any homework: the week shows them."""
        about = {c.student_id for c in news if c.kind in ABOUT_STUDENT}
        homework = any(c.kind == "homework" for c in news)
        if self.child is not None and (homework or self.child.id in about):
            self.refresh_week()
        if self.child is not None and any(c.kind in MEETING_KINDS for c in news):
            self.query_one(MeetingsLine).ask(self.session, self.child.id, self.clock)

    async def set_user(self, user: User) -> None:
        """The server's answer after resuming: the children may have changed."""
        self.user = user
        child = pick_child(user, self.child.id if self.child is not None else None)
        # The app fetches the week next (refresh_week): the bars change, the week waits for it.
        self.set_reactive(ChildScreen.child, child)
        if self.is_mounted:  # before its first mount, on_mount paints what was set here
            await self.show_user()
            self._refresh_keys()

    def refresh_week(self) -> None:
        """Fetch the week shown (after the app resumed the session)."""
        self._show_offline()
        if self.child is not None:
            self._fetch(self.child.id, self.monday)

    # -- the reactives -----------------------------------------------------------

    def show_child(self) -> None:
        self._show_week()

    def watch_monday(self) -> None:
        if self.painting:
            self._show_week()

    def _show_week(self, *, fetch: bool = True) -> None:
        """Paint the week of `self.monday` from the saved copy now; fetch it in a worker."""
        child = self.child
        if child is None:
            self.show_unavailable(_("week.no_diary"), keep_freshness=True)
            self.query_one("#range", Label).update("")
            return
        # Until the week says which days the class has, Monday to Saturday.
        self._show_range(self.monday, self.monday + dt.timedelta(days=5))
        self._navigated = True
        self.loaded = self.session.saved(reads.week(child.id, self.monday))
        self.week = self.loaded.value if self.loaded is not None else None
        if fetch:
            self._fetch(child.id, self.monday)
            self.query_one(MeetingsLine).ask(self.session, child.id, self.clock)

    def watch_week(self, week: Week | None) -> None:
        if not self.painting:
            return
        if week is not None:
            self._paint(week)
            return
        self.query_one(WeekView).clear()
        self.query_one(BehaviourNote).display = False
        self.query_one("#details", Static).update("")
        self.show_loading()
        self._show_signature()

    # -- painting ----------------------------------------------------------------

    def _paint(self, week: Week) -> None:
        grid = self.query_one(WeekView)
        self.query_one("#empty").display = False
        grid.display = True
        grid.loading = False
        loaded = self.loaded
        fresh = loaded is not None and not loaded.saved
        new = self.seen.look(week) if fresh else self.seen.highlighted(week)
        self._shown_new = new
        grid.show(week, self.today, new, keep_cursor=not self._navigated)
        note = self.query_one(BehaviourNote)
        note.display = bool(week.behaviour_note)
        note.show(*behaviour_text(week))
        if not grid.items:  # nothing to select: no lesson of another week stays described
            self.query_one("#details", Static).update("")
        self._show_range(week.start, week.end)
        self._show_signature()
        if loaded is not None:
            self.show_freshness(self.fetched_label(loaded))
        if self._navigated:
            grid.start_at(self.today if week.start <= self.today <= week.end else week.start)
            self._navigated = False
        self._refresh_keys()

    def _show_range(self, first: dt.date, last: dt.date) -> None:
        self.query_one("#range", Label).update(Content(week_range(first, last)))

    def _show_offline(self) -> None:
        self.show_offline()
        self._show_signature()  # a parent cannot sign offline: the hint changes
        self._refresh_keys()

    # -- the network -----------------------------------------------------------

    @work(exclusive=True, group="week")
    async def _fetch(self, student: str, monday: dt.date) -> None:
        """Fetch a week; the screen paints it if the user is still looking at it."""
        if await self.fetch_into((student, monday), reads.week(student, monday)) is not None:
            self._prefetch(student, monday)

    @on(ChildScreen.Fetched)
    def _fetched(self, event: ChildScreen.Fetched) -> None:
        event.stop()
        self._show_offline()
        found: Cached[Week] = event.found
        if not self._is_current(*event.about):
            return
        week = found.value
        self.loaded = found
        if self.week == week and self.seen.look(week) == self._shown_new:
            self.show_freshness(self.fetched_label(found))  # usually nothing has changed
        else:
            self._navigated = self.week is None
            self.week = week

    @on(ChildScreen.FetchFailed)
    def _fetch_failed(self, event: ChildScreen.FetchFailed) -> None:
        event.stop()
        exc = event.error
        if isinstance(exc, ServerUnreachable):
            self._show_offline()
        elif (message := session_message(exc)) is not None:
            self.post_message(message)
            return
        if not self._is_current(*event.about):
            return
        self.query_one(WeekView).loading = False
        if isinstance(exc, ServerUnreachable):
            if self.loaded is None:
                self.show_unavailable(_("week.not_saved"))
            else:
                self.show_freshness(self.fetched_label(self.loaded, saved=True))
        elif self.loaded is None:
            self.show_unavailable(error_message(exc.code, exc.message))
        else:
            self.notify(error_message(exc.code, exc.message), severity="error")

    @work(exclusive=True, group="prefetch")
    async def _prefetch(self, student: str, monday: dt.date) -> None:
        """Warm the saved copies of the weeks either side, so that [ and ] repaint at once."""
        for other in (monday - WEEK, monday + WEEK):
            read = reads.week(student, other)
            if self.session.saved(read) is None:
                try:
                    await self.session.fetch(read)
                except ClientError:
                    return

    def _is_current(self, student: str, monday: dt.date) -> bool:
        return self.child is not None and self.child.id == student and self.monday == monday

    # -- details line --------------------------------------------------------

    @on(WeekView.Selected)
    def _selected(self, event: WeekView.Selected) -> None:
        """The details line says everything about the lesson or mark under the cursor."""
        event.stop()
        item = event.item
        if item.mark is not None:
            parts = describe_mark(item.mark, item.lesson.subject.name)
        else:
            parts = describe_lesson(item.lesson)
        details = self.query_one("#details", Static)
        width = details.content_region.width or self.size.width - 2
        details.update(clamp(Content(" · ".join(parts)), max(width, 20), DETAILS_LINES))

    # -- actions -----------------------------------------------------------------

    def _refresh_keys(self) -> None:
        """Redraw the footer only when what `check_action` says has changed (it is not cheap)."""
        state = (
            len(self.user.children),
            self.child is None,
            self._can_sign(),
            self.week is not None and self.week.signed_by is None,
            self.session.offline,
        )
        if state != self._key_state:
            self._key_state = state
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sign":
            if not self._can_sign():
                return False
            # On a signed week, or one not over yet, `s` says so (and when).
            return True if self.week is not None and not self.session.offline else None
        if action in {"previous_week", "next_week", "today", "go_to_date", "refresh"}:
            return self.child is not None
        return super().check_action(action, parameters)

    def _go(self, day: dt.date) -> None:
        self.monday = week_start(day)

    def go_to(self, child: ChildRef | None, day: dt.date) -> None:
        """`child`'s week of `day`, the cursor on that day (what's new chose it)."""
        if child is not None and child != self.child:
            self.set_reactive(WeekScreen.monday, week_start(day))
            self.child = child  # its watcher paints the week of the Monday just set
        else:
            self._go(day)
        self.query_one(WeekView).start_at(day)  # the saved week: on that day

    def action_previous_week(self) -> None:
        self._go(self.monday - WEEK)

    def action_next_week(self) -> None:
        self._go(self.monday + WEEK)

    def action_today(self) -> None:
        self._go(self.today)

    def action_go_to_date(self) -> None:
        def chosen(day: dt.date | None) -> None:
            if day is not None:
                self._go(day)

        self.app.push_screen(DateModal(self.today), chosen)

    def action_refresh(self) -> None:
        if self.child is not None:
            self.show_freshness(_("week.refreshing"))
            self._fetch(self.child.id, self.monday)
