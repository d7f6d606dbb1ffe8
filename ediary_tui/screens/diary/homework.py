"""Homework: what was set in a range of days (this week by default), day by day.

Each assignment shows its subject, its text, whether it is optional, when it
is due, and its tick. Filters narrow the list by subject, required or
optional, done or not; they work on the range as fetched, so changing one is
instant and needs no network. The student ticks their own homework done
(space, Enter or a click on the box): the tick shows at once and is taken
back, with the reason, if the server does not take it. A parent sees the
ticks but cannot tick; the key says why. `e` writes the shown assignments to
an iCalendar file.

Like every screen about one child, the range is painted from the offline
cache at once and fetched again in a worker.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar, Unpack

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Label, OptionList, Static

from ediary_tui.client import reads
from ediary_tui.client.capabilities import Can
from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.export_formats import (
    calendar,
    homework_todo,
    ics_name,
    one_line,
    server_host,
)
from ediary_tui.client.reads import Cached
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import Homework, HomeworkList, User
from ediary_tui.domain.periods import week_start
from ediary_tui.i18n import (
    _,
    error_message,
    for_person,
    week_range,
)
from ediary_tui.screens.diary.export import ExportModal
from ediary_tui.screens.diary.homework_filters import ALL, KINDS, STATES, HomeworkFilters, matches
from ediary_tui.screens.diary.homework_list import AssignmentList, describe
from ediary_tui.screens.diary.range_modal import RangeModal
from ediary_tui.screens.diary.student_view import StudentScreen, Where
from ediary_tui.screens.events import session_message
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.keys import key, step_keys

WEEK = dt.timedelta(days=7)
_RANGE = Binding.Group("homework.key_range_group")


# -- the screen --------------------------------------------------------------------


class HomeworkScreen(StudentScreen):
    """One child's homework over a range of days, with filters and the student's ticks."""

    AREA = "homework"
    BODY = "#list"
    # Two bindings share space: the student's tick, and for anyone else the reason
    # they cannot tick (check_action shows exactly one of them).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_done", "homework.key_done"),
        Binding("space", "why_no_tick", "homework.key_done_not_yours"),
        *step_keys("shift", "keys.previous_week", "keys.next_week", group=_RANGE),
        key("t", "this_week", "homework.key_this_week", show=False),
        key("g", "choose_range", "homework.key_range"),
        key("f", "filter_subject", "homework.key_subject", show=False),
        key("o", "cycle_kind", "homework.key_kind", show=False),
        key("d", "cycle_state", "homework.key_state", show=False),
        key("e", "export", "homework.key_export"),
    ]

    def __init__(self, session: DiarySession, user: User, **where: Unpack[Where]) -> None:
        super().__init__(session, user, **where)
        self.first, self.last = self.school_week(week_start(self.today))
        self.items: list[Homework] | None = None  # the range's homework, before the filters
        self.subject = ALL
        self.kind = ALL
        self.state = ALL
        self.changed = False  # a tick reached the server: the diary should fetch its week again
        self._confirmed: dict[str, bool] = {}  # the server's tick while a new one is being sent

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield from self.compose_bar("rangebar", "range", "counts")
        yield HomeworkFilters(id="filters")
        yield AssignmentList(id="list")
        yield from self.compose_bottom()

    # -- who may tick --------------------------------------------------------------

    def is_student(self) -> bool:
        """Only the student ticks their own homework; a parent sees the ticks."""
        return self.child is not None and self.child.id == self.user.id

    def may_tick(self) -> bool:
        """The student, where the service keeps the tick (a real diary read here does not)."""
        return self.is_student() and self.session.can(Can.HOMEWORK_DONE)

    # -- painting ----------------------------------------------------------------

    def show_child(self) -> None:
        self.query_one("#range", Label).update(Content(week_range(self.first, self.last)))
        child = self.child
        if child is None:
            self.show_unavailable(_("week.no_diary"))
            return
        self.loaded = self.session.saved(reads.homework(child.id, self.first, self.last))
        self._fetch(child.id, self.first, self.last)
        self.refresh_bindings()

    def show_loading(self) -> None:
        self.items = None
        self.query_one(AssignmentList).show([], self.today)
        self.query_one("#counts", Label).update("")
        super().show_loading()

    def paint(self, loaded: Cached[HomeworkList]) -> None:
        self.items = items = loaded.value.homework
        self.query_one(AssignmentList).loading = False
        self.query_one(HomeworkFilters).set_subjects(items, self.subject)
        self._show_list()
        self.show_fetched(loaded)
        self.refresh_bindings()

    def shown(self) -> list[Homework]:
        """The range's assignments that pass the filters."""
        return [hw for hw in self.items or [] if matches(hw, self.subject, self.kind, self.state)]

    def _show_list(self) -> None:
        listing = self.query_one(AssignmentList)
        empty = self.query_one("#empty", Static)
        items = self.items or []
        shown = self.shown()
        self._show_counts()
        if not shown:
            listing.display = False
            listing.show([], self.today)
            key = "homework.nothing" if not items else "homework.nothing_matches"
            empty.update(Content(_(key, range=week_range(self.first, self.last))))
            empty.display = True
            self.query_one("#details", Static).update("")
            return
        empty.display = False
        listing.display = True
        if self.focused is None:  # it could not take the focus while it was loading
            listing.focus()
        listing.show(shown, self.today)
        self._show_details()

    def _replace(self, hw: Homework) -> None:
        """Show one assignment as changed (a tick), without laying out the list again."""
        if self.items is None:
            return
        self.items = [hw if item.id == hw.id else item for item in self.items]
        self.query_one(AssignmentList).update_item(hw)
        self._show_counts()
        self._show_details()

    def _show_counts(self) -> None:
        items, shown = self.items or [], self.shown()
        undone = sum(not hw.done for hw in shown)
        if len(shown) == len(items):
            counts = _("homework.counts", count=len(items), undone=undone)
        else:
            counts = _(
                "homework.counts_filtered", shown=len(shown), count=len(items), undone=undone
            )
        self.query_one("#counts", Label).update(Content(counts))

    def selected(self) -> Homework | None:
        option = self.query_one(AssignmentList).highlighted_option
        if option is None or option.id is None or self.items is None:
            return None
        return next((hw for hw in self.items if hw.id == option.id), None)

    def _show_details(self) -> None:
        hw = self.selected()
        text = " · ".join(describe(hw, self.clock().tzinfo)) if hw is not None else ""
        self.query_one("#details", Static).update(Content(text))

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_details()
        self.refresh_bindings()

    def show_unavailable(self, text: str, *, keep_freshness: bool = False) -> None:
        super().show_unavailable(text, keep_freshness=keep_freshness)
        self.query_one("#counts", Label).update("")

    # -- the network ---------------------------------------------------------------

    def about(self) -> tuple[str, dt.date, dt.date] | None:
        return (self.child.id, self.first, self.last) if self.child is not None else None

    @work(exclusive=True, group="homework")
    async def _fetch(self, student: str, first: dt.date, last: dt.date) -> None:
        await self.fetch_into((student, first, last), reads.homework(student, first, last))

    def fetched(self, found: Cached[HomeworkList]) -> None:
        # A tick on its way stays as the student set it until the server answers.
        items = [
            hw.model_copy(update={"done": not hw.done})
            if hw.id in self._confirmed and self._confirmed[hw.id] == hw.done
            else hw
            for hw in found.value.homework
        ]
        self.loaded = Cached(HomeworkList(homework=items), found.fetched_at)

    def _save(self) -> None:
        """Keep the ticks in the saved copy of the range (the list already shows them)."""
        if self.child is None or self.items is None:
            return
        read = reads.homework(self.child.id, self.first, self.last)
        kept = self.session.keep(read, HomeworkList(homework=self.items), at=self.clock())
        self.set_reactive(HomeworkScreen.loaded, kept)

    # -- ticking -------------------------------------------------------------------

    def _toggle(self, hw: Homework) -> None:
        """Tick (or untick) at once; the server is told in a worker of its own."""
        if self.child is None:
            return
        self._confirmed.setdefault(hw.id, hw.done)
        self._replace(hw.model_copy(update={"done": not hw.done}))
        self.run_worker(
            self._send(self.child.id, hw.id, not hw.done),
            group=f"done:{hw.id}",
            exclusive=True,  # a second press cancels the first: the last tick is what counts
        )

    async def _send(self, student: str, homework_id: str, done: bool) -> None:
        try:
            answer = await self.session.send(
                lambda api: api.set_homework_done(student, homework_id, done)
            )
        except ClientError as exc:
            self._roll_back(student, homework_id)
            self.show_offline()
            if (message := session_message(exc)) is not None:
                self.post_message(message)
            elif isinstance(exc, ServerUnreachable):
                self.notify(_("homework.tick_offline"), severity="warning")
            else:
                reason = error_message(exc.code, exc.message)
                self.notify(_("homework.tick_failed", reason=reason), severity="error")
            return
        self.show_offline()
        self._confirmed.pop(homework_id, None)
        self.changed = True
        if self.child is not None and self.child.id == student:
            self._replace(answer)
            self._save()

    def _roll_back(self, student: str, homework_id: str) -> None:
        confirmed = self._confirmed.pop(homework_id, None)
        if confirmed is None or self.child is None or self.child.id != student:
            return
        hw = next((hw for hw in self.items or [] if hw.id == homework_id), None)
        if hw is not None:
            self._replace(hw.model_copy(update={"done": confirmed}))

    @on(OptionList.OptionSelected)
    @on(AssignmentList.Toggled)
    def _tick_or_explain(self, event: OptionList.OptionSelected | AssignmentList.Toggled) -> None:
        """Enter on an assignment, or a click on its box: the same as space."""
        event.stop()
        if self.may_tick():
            self.action_toggle_done()
        else:
            self.action_why_no_tick()

    # -- actions -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_done":
            if not self.may_tick():
                return False
            return True if self.selected() is not None else None
        if action == "why_no_tick":
            return self.child is not None and not self.may_tick()
        if action in {"shift", "this_week", "choose_range", "refresh"}:
            return self.child is not None
        if action in {"filter_subject", "cycle_kind", "cycle_state"}:
            return True if self.items else None
        if action == "export":
            return True if self.shown() else None
        return super().check_action(action, parameters)

    def action_toggle_done(self) -> None:
        hw = self.selected()
        if hw is not None and self.may_tick():
            self._toggle(hw)

    def action_why_no_tick(self) -> None:
        child = self.child
        if child is None:
            return
        if not self.session.can(Can.HOMEWORK_DONE):
            self.notify(_("homework.no_tick_here", service=self.session.info.title))
        else:
            name = short_name(child.full_name)
            self.notify(for_person("homework.only_student", child.full_name, child=name))

    def action_refresh(self) -> None:
        if self.child is not None:
            self.show_freshness(_("week.refreshing"))
            self._fetch(self.child.id, self.first, self.last)

    def _go(self, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        self.show_child()

    def action_shift(self, weeks: int) -> None:
        self._go(self.first + weeks * WEEK, self.last + weeks * WEEK)

    def school_week(self, monday: dt.date) -> tuple[dt.date, dt.date]:
        """The week as the diary shows it: Monday to Saturday, or to the last day of the
        child's school week when the diary's saved copy says it (a five-day class)."""
        if self.child is not None:
            saved = self.session.saved(reads.week(self.child.id, monday))
            if saved is not None:
                return saved.value.start, saved.value.end
        return monday, monday + dt.timedelta(days=5)

    def action_this_week(self) -> None:
        self._go(*self.school_week(week_start(self.today)))

    def action_choose_range(self) -> None:
        def chosen(picked: tuple[dt.date, dt.date] | None) -> None:
            if picked is not None:
                self._go(*picked)

        self.app.push_screen(RangeModal(self.today, self.first, self.last), chosen)

    def action_filter_subject(self) -> None:
        self.query_one(HomeworkFilters).open_subjects()

    def action_cycle_kind(self) -> None:
        self._set_filter("kind", KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)])

    def action_cycle_state(self) -> None:
        self._set_filter("state", STATES[(STATES.index(self.state) + 1) % len(STATES)])

    def _set_filter(self, name: str, value: str) -> None:
        setattr(self, name, value)
        self.query_one(HomeworkFilters).set_value(name, value)
        self._show_list()
        self.refresh_bindings()

    @on(HomeworkFilters.Changed)
    def _filter_chosen(self, event: HomeworkFilters.Changed) -> None:
        event.stop()
        setattr(self, event.name, event.value)
        self._show_list()
        self.refresh_bindings()
        self.query_one(AssignmentList).focus()

    def action_export(self) -> None:
        shown, child = self.shown(), self.child
        if not shown or child is None:
            return
        host = server_host(self.session.server)
        todos = [
            homework_todo(
                hw,
                host=host,
                summary=f"{hw.subject.name}: {one_line(hw.text)}",
                description=hw.text if hw.required else _("lesson.optional", text=hw.text),
            )
            for hw in shown
        ]
        child_name = short_name(child.full_name)
        text = calendar(
            todos, stamp=self.clock(), name=_("homework.calendar_name", child=child_name)
        )

        def written(path: Path | None) -> None:
            if path is not None:
                self.notify(_("homework.exported", count=len(todos), path=str(path)))

        dialog = ExportModal(
            self.session.exports,
            ics_name(child_name, self.first, self.last),
            text,
            title=_("homework.export_title"),
        )
        self.app.push_screen(dialog, written)
