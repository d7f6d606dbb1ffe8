"""The weekly diary: one child's week, day by day, lesson by lesson.

What the screen shows comes from the offline cache at once and is refreshed
from the server in a worker, so a key press repaints without waiting for the
network; the top bar says whether the data is fresh or saved, and a banner
stays while the server cannot be reached. The week's widgets are built once
and updated in place (see `WeekView`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from ediary_tui.client.errors import (
    ClientError,
    NotLoggedIn,
    PasswordChangeRequired,
    ServerUnreachable,
)
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import ChildRef, Role, User, Week
from ediary_tui.domain.periods import week_start
from ediary_tui.i18n import _, date_time, error_message, week_range
from ediary_tui.screens.events import PasswordRequired, SessionEnded
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.child_switcher import ChildSwitcher, short_name
from ediary_tui.widgets.dialogs import ConfirmModal, DateModal
from ediary_tui.widgets.keys import LocalisedKeys, key
from ediary_tui.widgets.mark_cell import describe_mark
from ediary_tui.widgets.week_grid import WeekView, absence_key, describe_lesson, mark_key

WEEK = dt.timedelta(days=7)
_WEEK = Binding.Group("keys.week")
Clock = Callable[[], dt.datetime]


class WeekScreen(LocalisedKeys, Screen[None]):
    """One child's week; `c` switches between a parent's children."""

    CSS_PATH = "week.tcss"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-narrow"),
        (120, "-wide"),
        (170, "-wider"),
    ]
    AUTO_FOCUS = "#grid"
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

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        today: dt.date,
        clock: Clock,
        fetch: bool = True,
    ) -> None:
        super().__init__()
        self.session = session
        self.user = user
        self.today = today
        self.clock = clock
        self.monday = week_start(today)
        self.child: ChildRef | None = user.children[0] if user.children else None
        self.week: Week | None = None
        self._fetch_on_mount = fetch
        self._fetched: dict[tuple[str, dt.date], dt.datetime] = {}
        self._new: dict[str, set[str]] = {}
        self._key_state: tuple[object, ...] = ()
        self._shown_new: frozenset[str] = frozenset()

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Label(_("app.title"), id="title")
            yield Label(id="who", markup=False)
            yield ChildSwitcher(id="children")
            yield Label(id="freshness", markup=False)
        with Horizontal(id="weekbar"):
            yield Label(id="range", markup=False)
            yield Label(id="signature", markup=False)
        yield Banner(id="banner")
        yield WeekView(id="grid")
        yield Static(id="empty", markup=False)
        yield Static(id="details", markup=False)
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        await self._show_user()
        self._show_week(navigated=True, fetch=self._fetch_on_mount)

    # -- what the app tells the screen -------------------------------------------

    async def set_user(self, user: User) -> None:
        """The server's answer after resuming: the children may have changed."""
        self.user = user
        ids = [c.id for c in user.children]
        if self.child is None or self.child.id not in ids:
            self.child = user.children[0] if user.children else None
        else:
            self.child = user.children[ids.index(self.child.id)]
        if self.is_mounted:  # before its first mount, on_mount paints what was set here
            await self._show_user()

    def refresh_week(self) -> None:
        """Fetch the week shown (after the app resumed the session)."""
        self._show_offline()
        if self.child is not None:
            self._fetch(self.child.id, self.monday)

    # -- painting ----------------------------------------------------------------

    async def _show_user(self) -> None:
        switcher = self.query_one(ChildSwitcher)
        children = self.user.children
        switcher.display = len(children) > 1
        await switcher.set_children(children, self.child.id if self.child else None)
        self._show_who()
        self._refresh_keys()

    def _show_who(self) -> None:
        who = self.query_one("#who", Label)
        child = self.child
        who.display = child is not None and len(self.user.children) <= 1
        if child is not None:
            who.update(Content(f"{short_name(child.full_name)}, {child.class_name}"))

    def _show_week(self, *, navigated: bool, fetch: bool = True) -> None:
        """Paint the week of `self.monday` from the cache now; fetch it in a worker."""
        child = self.child
        grid = self.query_one(WeekView)
        empty = self.query_one("#empty", Static)
        if child is None:
            grid.display = False
            empty.update(Content(_("week.no_diary")))
            empty.display = True
            self.query_one("#range", Label).update("")
            return
        # Until the week says which days the class has, Monday to Saturday.
        self._show_range(self.monday, self.monday + dt.timedelta(days=5))
        cached = self.session.cached_week(child.id, self.monday)
        if cached is not None:
            self._paint(cached, navigated=navigated, fresh=False)
        else:
            self.week = None
            empty.display = False
            grid.display = True
            grid.clear()
            grid.loading = True
            self._show_freshness(_("week.loading"))
            self._show_signature()
            self.query_one("#details", Static).update("")
        if fetch:
            self._fetch(child.id, self.monday)

    def _paint(self, week: Week, *, navigated: bool, fresh: bool) -> None:
        grid = self.query_one(WeekView)
        self.query_one("#empty").display = False
        grid.display = True
        grid.loading = False
        self.week = week
        new = self._new_since_last_look(week) if fresh else self._highlighted(week)
        self._shown_new = new
        grid.show(week, self.today, new, keep_cursor=not navigated)
        self._show_range(week.start, week.end)
        self._show_signature()
        if fresh:
            fetched = self._fetched[(week.student_id, week.start)]
            self._show_freshness(_("week.updated", time=f"{fetched:%H:%M}"))
        else:
            self._show_freshness(self._cache_label(week.student_id, week.start))
        if navigated:
            grid.start_at(self.today if week.start <= self.today <= week.end else week.start)
        self._refresh_keys()

    def _show_range(self, first: dt.date, last: dt.date) -> None:
        self.query_one("#range", Label).update(Content(week_range(first, last)))

    def _show_freshness(self, text: str) -> None:
        self.query_one("#freshness", Label).update(Content(text))

    def _show_signature(self) -> None:
        label = self.query_one("#signature", Label)
        week = self.week
        if week is None:
            label.update("")
        elif week.signed_by is not None:
            when = f", {date_time(week.signed_at)}" if week.signed_at else ""
            label.update(Content(_("week.signed", who=week.signed_by.full_name, when=when)))
        elif self._can_sign() and not self.session.offline:
            label.update(Content(_("week.not_signed_parent")))
        else:
            label.update(Content(_("week.not_signed")))
        label.set_class(week is not None and week.signed_by is not None, "-signed")

    def _show_offline(self) -> None:
        banner = self.query_one(Banner)
        if self.session.offline:
            banner.show(_("banner.offline", server=self.session.server), "warning")
        else:
            banner.hide()
        self._show_signature()  # a parent cannot sign offline: the hint changes
        self._refresh_keys()

    # -- "new since you last looked" -------------------------------------------

    @staticmethod
    def _stamps(week: Week) -> dict[str, dt.datetime]:
        """What "seen" remembers of the week's marks and absences, and when each arrived."""
        stamps: dict[str, dt.datetime] = {}
        for day in week.days:
            for lesson in day.lessons:
                for mark in lesson.marks:
                    stamps[mark_key(mark)] = mark.updated_at
                if key := absence_key(lesson):
                    stamps[key] = lesson.starts_at
        return stamps

    def _highlighted(self, week: Week) -> frozenset[str]:
        """The week's marks and absences highlighted as new in this run of the app."""
        return frozenset(self._new.get(week.student_id, set()) & self._stamps(week).keys())

    def _new_since_last_look(self, week: Week) -> frozenset[str]:
        """Note the marks and absences that arrived since the user last looked at this child.

        Seen keys are remembered in the cache; the first look at a child sets a
        baseline (the newest thing on show) so that a first start does not
        highlight a whole year of old marks. What is new stays highlighted
        until the app closes.
        """
        cache, server, student = self.session.cache, self.session.server, week.student_id
        stamps = self._stamps(week)
        since = self._baseline(student, stamps)
        seen = cache.seen_marks(server, self.user.id, student)
        unseen = stamps.keys() - seen
        if unseen:
            fresh = {key for key in unseen if stamps[key] > since}
            self._new.setdefault(student, set()).update(fresh)
            cache.mark_seen(server, self.user.id, student, unseen)
        return self._highlighted(week)

    def _baseline(self, student: str, stamps: dict[str, dt.datetime]) -> dt.datetime:
        cache, server = self.session.cache, self.session.server
        stored = cache.get(server, self.user.id, "seen_since", student)
        if stored is not None and isinstance(stored[0], dict) and "at" in stored[0]:
            return dt.datetime.fromisoformat(str(stored[0]["at"]))
        since = max(stamps.values(), default=self.clock())
        cache.put(server, self.user.id, "seen_since", student, {"at": since.isoformat()})
        return since

    # -- the network -----------------------------------------------------------

    @work(exclusive=True, group="week")
    async def _fetch(self, student: str, monday: dt.date) -> None:
        """Fetch a week; paint it if the user is still looking at it."""
        try:
            week = await self.session.fetch_week(student, monday)
        except PasswordChangeRequired:
            self.post_message(PasswordRequired())
            return
        except NotLoggedIn:
            self.post_message(SessionEnded())
            return
        except ServerUnreachable:
            self._show_offline()
            if self._is_current(student, monday) and self.week is None:
                self._show_unavailable(_("week.not_saved"))
            elif self._is_current(student, monday):
                self._show_freshness(self._cache_label(student, monday))
            return
        except ClientError as exc:
            if self._is_current(student, monday):
                self.query_one(WeekView).loading = False
                if self.week is None:
                    self._show_unavailable(error_message(exc.code, exc.message))
                else:
                    self.notify(error_message(exc.code, exc.message), severity="error")
            return
        self._fetched[(student, monday)] = self.clock()
        self._show_offline()
        if not self._is_current(student, monday):
            pass
        elif self.week == week and self._new_since_last_look(week) == self._shown_new:
            self._show_freshness(
                _("week.updated", time=f"{self._fetched[(student, monday)]:%H:%M}")
            )
        else:  # repaint only what changed: usually nothing has
            self._paint(week, navigated=self.week is None, fresh=True)
        self._prefetch(student, monday)

    @work(exclusive=True, group="prefetch")
    async def _prefetch(self, student: str, monday: dt.date) -> None:
        """Warm the cache with the weeks either side, so that [ and ] repaint at once."""
        for other in (monday - WEEK, monday + WEEK):
            if self.session.cached_week(student, other) is None:
                try:
                    await self.session.fetch_week(student, other)
                except ClientError:
                    return

    def _cache_label(self, student: str, monday: dt.date) -> str:
        """ "Saved copy", with the time it was fetched when that is known."""
        fetched = self._fetched_at(student, monday)
        if fetched is None:
            return _("week.from_cache")
        return _("week.from_cache_at", time=f"{fetched:%H:%M}")

    def _fetched_at(self, student: str, monday: dt.date) -> dt.datetime | None:
        """When the shown copy of a week came from the server: in this run, or as the cache says.

        The cache keeps weeks under "<student>/<monday>"; OfflineCache has no
        typed getter for the time, so this reads the raw entry.
        """
        if (student, monday) in self._fetched:
            return self._fetched[(student, monday)]
        row = self.session.cache.get_raw(
            self.session.server, self.user.id, "week", f"{student}/{monday.isoformat()}"
        )
        if row is None:
            return None
        return dt.datetime.fromtimestamp(row[1], dt.UTC).astimezone(self.clock().tzinfo)

    def _is_current(self, student: str, monday: dt.date) -> bool:
        return self.child is not None and self.child.id == student and self.monday == monday

    def _show_unavailable(self, text: str) -> None:
        grid = self.query_one(WeekView)
        grid.loading = False
        grid.display = False
        empty = self.query_one("#empty", Static)
        empty.update(Content(text))
        empty.display = True
        self._show_freshness("")

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
        self.query_one("#details", Static).update(Content(" · ".join(parts)))

    # -- actions -----------------------------------------------------------------

    def _can_sign(self) -> bool:
        """A parent signs their child's week; a student does not sign their own."""
        return (
            Role.PARENT in self.user.roles
            and self.child is not None
            and self.child.id != self.user.id
        )

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
        if action == "switch_child":
            return len(self.user.children) > 1
        if action == "sign":
            if not self._can_sign():
                return False
            signable = self.week is not None and self.week.signed_by is None
            return True if signable and not self.session.offline else None
        if action in {"previous_week", "next_week", "today", "go_to_date", "refresh"}:
            return self.child is not None
        return True

    def _go(self, monday: dt.date) -> None:
        self.monday = week_start(monday)
        self._show_week(navigated=True)

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
            self._show_freshness(_("week.refreshing"))
            self._fetch(self.child.id, self.monday)

    def action_switch_child(self) -> None:
        children = self.user.children
        if len(children) > 1 and self.child is not None:
            ids = [c.id for c in children]
            self._select_child(children[(ids.index(self.child.id) + 1) % len(children)])

    @on(ChildSwitcher.Changed)
    def _child_clicked(self, event: ChildSwitcher.Changed) -> None:
        event.stop()
        self._select_child(event.child)

    def _select_child(self, child: ChildRef) -> None:
        self.child = child
        self.query_one(ChildSwitcher).select(child.id)
        self._show_who()
        self._show_week(navigated=True)

    def action_sign(self) -> None:
        week, child = self.week, self.child
        if week is None or child is None or week.signed_by is not None:
            return
        question = _(
            "sign.question",
            week=week_range(week.start, week.end),
            child=short_name(child.full_name),
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._sign(child.id, week.start)

        self.app.push_screen(ConfirmModal(question, _("sign.yes")), answered)

    @work(exclusive=True, group="sign")
    async def _sign(self, student: str, monday: dt.date) -> None:
        try:
            signature = await self.session.sign_week(student, monday)
        except NotLoggedIn:
            self.post_message(SessionEnded())
            return
        except ServerUnreachable:
            self._show_offline()
            self.notify(_("sign.offline"), severity="warning")
            return
        except ClientError as exc:
            self.notify(error_message(exc.code, exc.message), severity="error")
            return
        if self.week is not None and self._is_current(student, monday):
            self.week = self.week.model_copy(
                update={"signed_by": signature.signed_by, "signed_at": signature.signed_at}
            )
            self._show_signature()
            self._refresh_keys()
        self.notify(_("sign.done"))
        self._fetch(student, monday)  # the cache learns the signature too

    def action_report_card(self) -> None:
        from ediary_tui.screens.diary.report_card import ReportCardScreen  # not needed to start

        if self.child is not None:
            self.app.push_screen(
                ReportCardScreen(
                    self.session,
                    self.user,
                    student_id=self.child.id,
                    today=self.today,
                    clock=self.clock,
                )
            )

    def action_progress(self) -> None:
        from ediary_tui.screens.diary.progress import ProgressScreen  # not needed to start

        if self.child is not None:
            self.app.push_screen(
                ProgressScreen(
                    self.session,
                    self.user,
                    student_id=self.child.id,
                    today=self.today,
                    clock=self.clock,
                )
            )

    def action_messages(self) -> None:
        from ediary_tui.screens.messages.threads import MessagesScreen  # not needed to start

        child = self.child.id if self.child is not None else None
        self.app.push_screen(
            MessagesScreen(
                self.session, self.user, student_id=child, today=self.today, clock=self.clock
            )
        )

    def action_whats_new(self) -> None:
        from ediary_tui.screens.messages.news import DiaryDay, WhatsNewScreen  # not needed to start

        def chosen(day: DiaryDay | None) -> None:
            """Enter on a mark, an absence or homework: that child's week of that day."""
            if day is None:
                return
            child = next((c for c in self.user.children if c.id == day.student_id), None)
            if child is not None and child != self.child:
                self.child = child
                self.query_one(ChildSwitcher).select(child.id)
                self._show_who()
            self._go(day.date)
            self.query_one(WeekView).start_at(day.date)  # the cached week: on that day

        self.app.push_screen(
            WhatsNewScreen(self.session, self.user, today=self.today, clock=self.clock), chosen
        )

    def action_homework(self) -> None:
        from ediary_tui.screens.diary.homework import HomeworkScreen  # not needed to start

        if self.child is not None:
            screen = HomeworkScreen(
                self.session,
                self.user,
                student_id=self.child.id,
                today=self.today,
                clock=self.clock,
            )
            # A tick shows in the diary too: fetch the week again on the way back.
            self.app.push_screen(screen, lambda _: screen.changed and self.refresh_week())

    def action_absence(self) -> None:
        from ediary_tui.screens.diary.absence import AbsenceScreen  # not needed to start

        if self.child is not None:
            screen = AbsenceScreen(
                self.session,
                self.user,
                student_id=self.child.id,
                today=self.today,
                clock=self.clock,
            )
            # A notice makes lessons excused: fetch the week again on the way back.
            self.app.push_screen(screen, lambda _: screen.changed and self.refresh_week())
