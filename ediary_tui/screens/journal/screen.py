"""The teacher's journal: a class's students by the period's lessons, written by keyboard.

The screen opens on the class and subject the teacher teaches now or next
(their day's timetable), on today's lesson. A mark is one key: the digit puts
it with the column's control form and the cursor goes down to the next
student, so a column of thirty marks is thirty key presses. Nothing waits for
the server: each entry is committed to the outbox and shown at once, marked
unsent, while a worker sends the outbox in order; the cell loses its unsent
sign when the server acknowledges, turns red with the reason when it refuses,
and the top bar counts what is still unsent (and says when the server is away).
The outbox outlives the app, so a start shows and sends what the last run
could not.

The journal is live: while it is open the app's change follower is asked every
LIVE_SECONDS, and a change of this journal made elsewhere (another teacher,
another session) fetches a fresh copy, painted in place under this session's
unsent entries. A write refused because what it replaces changed elsewhere
shows both values and waits for the teacher's choice (`conflict`).

What the screen shows lives in a few vars (the journal asked for, the loaded
`JournalState`, the sender's last report, a problem to say instead); their
watchers repaint the top bar and the banner, and the state is bound to the
sheet (`JournalSheet`: the grid, the bottom line and the writing keys).
Workers post messages (`JournalLoaded`, `JournalFailed`, `Settled`,
`SendingChanged`) and the handlers paint. The screen's own keys choose what
is shown and open the class's windows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, Static

from ediary_tui.client.changes import about_journal
from ediary_tui.client.errors import ClientError, NotAllowed, ServerUnreachable
from ediary_tui.client.journal_state import Entry, JournalState
from ediary_tui.client.journal_sync import JournalSync, OutboxSender, SendState
from ediary_tui.client.session import DiarySession
from ediary_tui.clock import Clock, local_now
from ediary_tui.context import AppEvents
from ediary_tui.domain.models import Journal, User
from ediary_tui.i18n import _, error_message
from ediary_tui.screens.events import session_message
from ediary_tui.screens.journal import grid_paint
from ediary_tui.screens.journal.conflict import (
    MINE,
    ConflictModal,
    conflict_view,
    send_again,
)
from ediary_tui.screens.journal.keys import JOURNAL_KEYS, WIDE, WIDE_ONLY
from ediary_tui.screens.journal.loading import (
    FeedArrived,
    JournalFailed,
    JournalLoaded,
    Wanted,
    answers,
    choose,
)
from ediary_tui.screens.journal.palette import JournalCommands, PaletteEntry, journal_entries
from ediary_tui.screens.journal.sending import (
    OutboxRunner,
    SendingChanged,
    SendingStopped,
    Settled,
)
from ediary_tui.screens.journal.sheet import JournalSheet
from ediary_tui.screens.journal.teacher_windows import TEACHER_ACTIONS, TeacherWindows
from ediary_tui.screens.journal.topbar import JournalTopBar, period_name
from ediary_tui.screens.journal.windows import JournalWindows
from ediary_tui.screens.journal.writes import JournalWriter
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.journal_grid import JournalGrid
from ediary_tui.widgets.keys import LocalisedKeys

__all__ = ["JournalScreen", "period_name"]

LIVE_SECONDS = 3.0  # how often an open journal asks the change feed what others wrote


class JournalScreen(LocalisedKeys, JournalWindows, TeacherWindows, Screen[None]):
    """One class's journal in one subject for one period."""

    CSS_PATH = "journal.tcss"
    AUTO_FOCUS = "#grid"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {JournalCommands}
    BINDINGS: ClassVar[list[BindingType]] = JOURNAL_KEYS

    wanted: var[Wanted | None] = var(None, init=False)
    """The journal asked for: class, subject and period (None: the current period)."""
    state: var[JournalState | None] = var(None, init=False, always_update=True, bindings=True)
    """The journal shown with the unsent writes laid over it; None before one is shown."""
    send_state: var[SendState] = var(SendState(0), init=False, always_update=True)
    """What the sender said last: how many wait, whether the server answers."""
    problem: var[str | None] = var(None, init=False)
    """Why no journal is shown (not yours, never loaded and offline), or None."""

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        today: dt.date,
        clock: Clock | None = None,
        journal: JournalSync,
        sender: OutboxSender,
        class_id: str | None = None,
        subject_id: str | None = None,
        period_id: str | None = None,
        fetch: bool = True,
    ) -> None:
        """`journal` and `sender` are the app's, built once for its life (`AppContext`)."""
        super().__init__()
        self.session = session
        self.user = user
        self.today = today
        self.clock: Clock = clock or local_now
        self.sync = journal
        self.outbox = journal.outbox
        self.sender = sender
        self.runner = OutboxRunner(sender)  # sends while the journal is open
        self._scale_keys = ""  # the footer's "1-5 mark" says the school's scale
        self.set_reactive(
            JournalScreen.wanted,
            (class_id, subject_id, period_id) if class_id and subject_id else None,
        )
        self._target_lesson: str | None = None
        # Chosen by the caller or the teacher, by the timetable, or a stand-in until it answers.
        self._chosen_by = "caller" if self.wanted is not None else "nobody"
        self._fetch_on_mount = fetch
        self.fetched_at: dt.datetime | None = None  # when the journal shown came from the server
        self._stop_listening: Callable[[], None] | None = None
        self._ask_conflicts = True  # a fresh copy asks about writes refused as stale

    def compose(self) -> ComposeResult:
        yield JournalTopBar(id="topbar")
        yield Banner(id="banner")
        writer = JournalWriter(self.sync, self.today)
        sheet = JournalSheet(writer, self._written, id="sheet")
        yield sheet.data_bind(JournalScreen.state)
        yield Footer(compact=True)
        yield self.runner

    def on_mount(self) -> None:
        self.query_one("#empty").display = False
        self._show_sending()
        self._open(network=self._fetch_on_mount)
        if self._fetch_on_mount:
            self.runner.start()
        if isinstance(app := self.app, AppEvents):
            app.user_signal.subscribe(self, self.user_resumed)
            self._stop_listening = app.follower.listen(
                lambda changes: self.post_message(FeedArrived(changes))
            )
        self.set_interval(LIVE_SECONDS, self.follow_feed)

    def on_unmount(self) -> None:
        if self._stop_listening is not None:
            self._stop_listening()

    # -- live: what others write, and writes refused as stale -----------------------------

    def follow_feed(self) -> None:
        """Ask the change feed now, through the app's one follower (unless it is asking)."""
        app = self.app
        follow = getattr(app, "follow_changes", None)
        if isinstance(app, AppEvents) and callable(follow) and not app.follower.polling:
            follow()

    @on(FeedArrived)
    def _feed_arrived(self, event: FeedArrived) -> None:
        """Changes of this journal made elsewhere: a fresh copy, painted in place."""
        state = self.state
        if state is not None and any(
            about_journal(c, state.class_id, state.subject_id) and not state.shows(c)
            for c in event.changes
        ):
            self._fetch_shown()

    def _ask_conflict(self) -> None:
        """The oldest write refused as stale: both values, and the teacher chooses."""
        state = self.state
        if state is None or isinstance(self.app.screen, ConflictModal):
            return
        for entry in state.conflicts():
            view = conflict_view(state, entry, self.clock().tzinfo)
            if view is None:
                continue

            def chosen(choice: str | None, entry: Entry = entry) -> None:
                self._resolved(state, entry, choice)

            self.app.push_screen(ConflictModal(view), chosen)
            return
        self._ask_conflicts = False

    def _resolved(self, state: JournalState, entry: Entry, choice: str | None) -> None:
        if choice is None or self.state is not state:
            self._ask_conflicts = False  # later: the next refresh asks again
            return
        sheet = self.query_one(JournalSheet)
        grid_paint.paint(sheet.grid, state, sheet.writer.dismiss(state, entry.id))
        again = send_again(self.sync, state, entry) if choice == MINE else None
        if again is not None:
            grid_paint.paint(sheet.grid, state, state.add(again))
        self.notify(_("journal_live.kept" if again is not None else "journal_live.taken"))
        self._written()
        sheet.show_details()
        self.call_after_refresh(self._ask_conflict)

    # -- what the app tells the screen -------------------------------------------

    async def user_resumed(self, user: User) -> None:
        """The app resumed the session: the server's word on the user, then all afresh."""
        await self.set_user(user)
        self.refresh_journal()

    async def set_user(self, user: User) -> None:
        """The server's answer after resuming the session (the classes taught may have changed)."""
        self.user = user

    @property
    def keys_ready(self) -> bool:
        """Typed keys wait (type-ahead) until the first journal or its problem is shown:
        a mark typed before then would have no student to go to."""
        return self.state is not None or self.problem is not None

    def refresh_journal(self) -> None:
        """Fetch what is shown and send what waits (after the app resumed the session)."""
        self.runner.start()
        self.sender.retry_now()
        if self._chosen_by == "stand-in":  # the timetable can say now which lesson it is
            self.wanted = None
            self._open(network=True)
        elif self.state is None and self.problem is None:
            self._open(network=True)
        else:
            self._fetch_shown()

    @property
    def unsent(self) -> int:
        """Entries of this user not yet acknowledged by the server (any journal)."""
        return self.sync.count_pending()

    # -- opening a journal: workers post, handlers paint ---------------------------

    @work(exclusive=True, group="journal")
    async def _open(self, *, network: bool) -> None:
        """Choose the journal (now or next lesson), paint its saved copy, fetch it fresh."""
        if self.wanted is None:
            chosen = await choose(self.sync, self.user, self.today, self.clock(), network=network)
            if chosen is not None:
                self.wanted, self._chosen_by = chosen.wanted, chosen.chosen_by
                self._target_lesson = chosen.target_lesson
            elif not network:
                # Nothing saved to choose from (an admin): the server says once the session is back.
                self._chosen_by = "stand-in"
                self.query_one(JournalGrid).loading = True
                return
            else:
                self.problem = _("journal.nothing_taught")
                return
        assert self.wanted is not None
        cached = self.sync.cached_journal(*self.wanted)
        if cached is not None:
            self.post_message(JournalLoaded(cached, fresh=False))
        else:
            self.query_one(JournalGrid).loading = True
        if network:
            self._fetch(*self.wanted)

    def _fetch_shown(self) -> None:
        """Ask the server again for the journal shown (or the one asked for)."""
        if self.state is not None:
            j = self.state.journal
            self._fetch(j.class_id, j.subject.id, j.period.id)
        elif self.wanted is not None:
            self._fetch(*self.wanted)

    @work(exclusive=True, group="fetch")
    async def _fetch(self, class_id: str, subject_id: str, period_id: str | None) -> None:
        state = self.state
        asked_at = (state, state.settled_count) if state is not None else None
        try:
            journal = await self.sync.fetch_journal(class_id, subject_id, period_id)
        except ClientError as exc:
            self.post_message(JournalFailed((class_id, subject_id, period_id), exc))
            return
        self.post_message(JournalLoaded(journal, fresh=True, asked_at=asked_at))

    @on(JournalFailed)
    def _failed(self, event: JournalFailed) -> None:
        exc = event.error
        said = session_message(exc)
        if said is not None:
            self.post_message(said)
        elif isinstance(exc, ServerUnreachable):
            self._show_banner()
            self._show_sending()
            if self.state is None:
                self.problem = _("journal.not_saved")
            elif not answers(event.asked, self.state.journal):
                # Another journal, never loaded: stay on the one shown, and say why.
                j = self.state.journal
                self.wanted = (j.class_id, j.subject.id, j.period.id)
                self.query_one(JournalGrid).loading = False
                self.notify(_("journal.not_saved"), severity="warning")
        elif isinstance(exc, NotAllowed):
            reason = error_message(exc.code, exc.message)
            self.problem = _("journal.not_allowed", reason=reason[:1].lower() + reason[1:])
        else:
            self.problem = error_message(exc.code, exc.message)

    @on(JournalLoaded)
    def _loaded(self, event: JournalLoaded) -> None:
        if event.fresh:
            self._show_banner()
            if self.wanted is None or not answers(self.wanted, event.journal):
                return
            self.fetched_at = self.clock()
            # What the server acknowledged while this answer was on its way is not in it.
            asked = event.asked_at
            replay = asked[1] if asked is not None and asked[0] is self.state else None
        else:
            replay = 0  # the saved copy may be older than every acknowledgement shown
        self._show_journal(event.journal, replay)
        if event.fresh and self._ask_conflicts:
            self.call_after_refresh(self._ask_conflict)

    def _show_journal(self, journal: Journal, replay: int | None = None) -> None:
        """Paint a journal: in place if it is the one shown, anew if another."""
        sheet = self.query_one(JournalSheet)
        sheet.grid.loading = False
        self.problem = None
        state = self.state
        shown = (journal.class_id, journal.subject.id, journal.period.id)
        if state is not None and grid_paint.same_shape(state.journal, journal):
            state.replace(journal, asked_at=replay)
            sheet.repaint(state)
            self.query_one(JournalTopBar).show_journal(journal)
            self.call_after_refresh(grid_paint.freeze_what_lives, shown)
            return
        state = JournalState(
            journal,
            self.sync.entries_for(journal.class_id, journal.subject.id),
            created_mark_id=self.sync.created_mark_id,
        )
        self.wanted = (
            journal.class_id,
            journal.subject.id,
            self.wanted[2] if self.wanted else None,
        )
        start = grid_paint.start_column(journal, self.today, self._target_lesson)
        self.set_reactive(JournalScreen.state, state)  # the grid first, then the watchers
        sheet.load(state, start)
        self._target_lesson = None
        self.mutate_reactive(JournalScreen.state)
        self.call_after_refresh(grid_paint.freeze_what_lives, shown)

    # -- watchers: what the vars say, painted ----------------------------------------

    def watch_state(self, state: JournalState | None) -> None:
        self.query_one(JournalTopBar).show_journal(state.journal if state else None)
        self._show_sending()
        if state is not None:
            self._show_banner()
            low, high = grid_paint.scale_of(state)
            self._scale_keys = f"{low}-{min(high, 9)}"

    def watch_send_state(self, old: SendState, new: SendState) -> None:
        self._show_sending()
        if new.offline != old.offline:
            self._show_banner()

    def watch_problem(self, problem: str | None) -> None:
        """No journal to show: say why, and what to do."""
        grid = self.query_one(JournalGrid)
        empty = self.query_one("#empty", Static)
        empty.display = problem is not None
        grid.display = problem is None
        if problem is None:
            return
        grid.loading = False
        self.state = None
        empty.update(Content(problem + "\n\n" + _("journal.pick_hint")))
        self.query_one("#details", Static).update("")

    def _show_sending(self) -> None:
        """The top bar's count of what the server has not acknowledged, and whether it answers."""
        refused = len(self.state.refused_entries()) if self.state is not None else 0
        self.query_one(JournalTopBar).show_sending(
            self.sync.count_pending(), refused, offline=self._offline()
        )

    def _offline(self) -> bool:
        """The sender found the server away, or the session did (a start with no server)."""
        return self.sender.offline or self.session.offline

    def _show_banner(self) -> None:
        banner = self.query_one(Banner)
        if self._offline():
            banner.show(_("journal.offline", server=self.session.server), "warning")
        else:
            banner.hide()

    def adjust_binding(self, binding: Binding) -> Binding:
        binding = super().adjust_binding(binding)
        if binding.action == "put_mark(1)" and self._scale_keys:
            return replace(binding, key_display=self._scale_keys)
        if binding.show and binding.action in WIDE_ONLY and self.size.width < WIDE:
            return replace(binding, show=False)  # help and the palette still list it
        return binding

    def on_resize(self) -> None:
        """The footer shows fewer keys on a narrow terminal, so "? help" stays on it."""
        self.refresh_bindings()

    # -- sending: the sender's reports, as messages ------------------------------------

    @on(Settled)
    def _settled(self, event: Settled) -> None:
        outcome = event.outcome
        self.query_one(JournalSheet).settle(outcome)
        if outcome.conflict:  # the server's value and version, to show beside the typed one
            self._ask_conflicts = True
            self._fetch_shown()
        elif outcome.refused:
            self.notify(
                _("journal.refused", reason=outcome.reason or ""), severity="error", timeout=8
            )

    @on(SendingChanged)
    def _sending_changed(self, event: SendingChanged) -> None:
        self.send_state = event.state

    def _written(self) -> None:
        """Something new in the outbox: counted, and sent once its cell is painted."""
        self.call_after_refresh(self.sender.wake)
        self._show_sending()

    @on(SendingStopped)
    def _sending_stopped(self, event: SendingStopped) -> None:
        said = session_message(event.error)
        if said is not None:
            self.post_message(said)

    # -- looking around ------------------------------------------------------------

    async def palette_entries(self) -> list[PaletteEntry]:
        """For ctrl+p: the other periods of this journal, then every other journal."""
        journal = self.state.journal if self.state is not None else None
        choices = await self.sync.journals(self.user.teaching)
        return journal_entries(journal, choices, self.open_journal)

    def open_journal(self, class_id: str, subject_id: str, period_id: str | None = None) -> None:
        """Show another journal (its saved copy at once, then the server's)."""
        self.wanted = (class_id, subject_id, period_id)
        self._chosen_by = "caller"
        self.fetched_at = None
        self._target_lesson = None
        self._open(network=True)

    def action_period(self, step: int) -> None:
        if (state := self.state) is None:
            return
        ids = [p.id for p in state.journal.periods]
        if state.journal.period.id not in ids:
            return
        index = ids.index(state.journal.period.id) + step
        if not 0 <= index < len(ids):
            self.notify(_("journal.no_more_periods"))
            return
        self.open_journal(state.class_id, state.subject_id, ids[index])

    def action_today(self) -> None:
        if (state := self.state) is not None:
            start = grid_paint.start_column(state.journal, self.today, self._target_lesson)
            self.query_one(JournalGrid).move_to(column=start)

    def action_refresh(self) -> None:
        self._ask_conflicts = True
        self.sender.retry_now()
        self._fetch_shown()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "period":
            return self.state is not None and len(self.state.journal.periods) > 1
        if action in ("announce", "message_family", "credentials"):
            return self.state is not None
        if action in TEACHER_ACTIONS:
            return self.teacher_action_enabled(action)
        return True
