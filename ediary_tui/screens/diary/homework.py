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
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from ediary_tui.client import reads
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
    date_time,
    day_month,
    error_message,
    long_date,
    short_date,
    week_range,
    weekday_name,
)
from ediary_tui.screens.diary.export import ExportModal
from ediary_tui.screens.diary.student_view import Clock, StudentScreen
from ediary_tui.screens.events import session_message
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.date_range import DateRangePicker
from ediary_tui.widgets.keys import LocalisedKeys, key

WEEK = dt.timedelta(days=7)
ALL = "all"
KINDS = (ALL, "required", "optional")
STATES = (ALL, "undone", "done")
SUBJECT_WIDTH = 18  # a longer subject name is cut in the row; the details line has it whole
MIN_TEXT_WIDTH = 20  # narrower than this, the due date follows the text instead of a column
REVISED_AFTER = dt.timedelta(minutes=1)  # saving twice in a minute is not a revision
BOX_WIDTH = 4  # "[✓] ": where a click ticks rather than selects
_RANGE = Binding.Group("homework.key_range_group")

DONE_STYLE = "bold $text-success"
SUBJECT_STYLE = "bold"
DONE_TEXT_STYLE = "$foreground-muted"
OPTIONAL_STYLE = "italic $text-accent"
MUTED_STYLE = "$foreground-muted"
OVERDUE_STYLE = "bold $text-error"
DUE_TODAY_STYLE = "bold $text-warning"


# -- what a row says ---------------------------------------------------------------


def due_text(day: dt.date) -> str:
    """Tue 24 Nov / Вт 24.11."""
    return f"{weekday_name(day, short=True)} {short_date(day)}"


def revised(hw: Homework) -> bool:
    return hw.updated_at - hw.created_at >= REVISED_AFTER


def due_cell(hw: Homework, today: dt.date) -> Content:
    """'due Tue 24 Nov': red when overdue and not done, yellow when due today."""
    if hw.due is None:
        return Content("")
    style = MUTED_STYLE
    if not hw.done and hw.due < today:
        style = OVERDUE_STYLE
    elif not hw.done and hw.due == today:
        style = DUE_TODAY_STYLE
    return Content.styled(_("homework.due", date=due_text(hw.due)), style)


def row(
    hw: Homework, today: dt.date, subject_width: int, due_width: int = 0, width: int = 0
) -> Content:
    """One assignment: its box, subject, text and tags, and the due date.

    Given the list's `width`, the text wraps under itself and the due date
    stands at the right edge, in a column; without it (or with too little room)
    the due date follows the text and the list wraps the whole line.
    """
    name = hw.subject.name
    if len(name) > subject_width:
        name = name[: subject_width - 1] + "…"
    head = Content.assemble(
        ("[✓]" if hw.done else "[ ]", DONE_STYLE if hw.done else ""),
        " ",
        (name.ljust(subject_width), SUBJECT_STYLE),
        " ",
    )
    parts: list[Content | tuple[str, str] | str] = [
        (one_line(hw.text), DONE_TEXT_STYLE if hw.done else "")
    ]
    if not hw.required:
        parts += [" ", (_("homework.tag_optional"), OPTIONAL_STYLE)]
    if revised(hw):
        parts += [" ", (_("homework.tag_revised"), MUTED_STYLE)]
    body = Content.assemble(*parts)
    due = due_cell(hw, today)
    room = width - head.cell_length - due_width - 2
    if room < MIN_TEXT_WIDTH:
        return head + body + (Content(" · ") + due if due.cell_length else Content(""))
    lines = body.wrap(room) or [Content("")]
    first = lines[0].pad_right(room - lines[0].cell_length + 2)
    first += due.pad_left(due_width - due.cell_length)
    indent = Content(" " * head.cell_length)
    return Content("\n").join([head + first, *(indent + line for line in lines[1:])])


def heading(day: dt.date, today: dt.date) -> Content:
    text = long_date(day)
    if day == today:
        text = _("week.today_title", day=text)
    return Content.styled(text, "bold")


def describe(hw: Homework, tz: dt.tzinfo | None) -> list[str]:
    """Everything about an assignment, one fact per item, for the details line."""
    parts = [
        hw.subject.name,
        _("homework.required" if hw.required else "homework.optional"),
        _("homework.done" if hw.done else "homework.not_done"),
    ]
    if hw.due is not None:
        weekday = weekday_name(hw.due, short=True)
        parts.append(_("homework.due_long", weekday=weekday, date=day_month(hw.due)))
    parts.append(_("homework.set", when=date_time(hw.created_at.astimezone(tz))))
    if revised(hw):
        parts.append(_("homework.revised", when=date_time(hw.updated_at.astimezone(tz))))
    return parts


def matches(hw: Homework, subject: str, kind: str, state: str) -> bool:
    return (
        (subject == ALL or hw.subject.id == subject)
        and (kind == ALL or hw.required == (kind == "required"))
        and (state == ALL or hw.done == (state == "done"))
    )


# -- the list ----------------------------------------------------------------------


class AssignmentList(OptionList):
    """Assignments under their day's heading; a click on the box ticks it.

    The headings are disabled options, so the cursor steps over them; moving to
    an assignment scrolls its heading into view too. The rows are laid out for
    the list's width (the due dates in a column), and again when it changes.
    """

    class Toggled(Message):
        """The box of an assignment was clicked."""

        def __init__(self, homework_id: str) -> None:
            super().__init__()
            self.homework_id = homework_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.items: list[Homework] = []
        self.today = dt.date.today()
        self._laid_out_width = 0

    def show(self, items: list[Homework], today: dt.date) -> None:
        """List `items` (in date order), keeping the cursor on the same one if it is there."""
        self.items, self.today = items, today
        self._lay_out()

    def update_item(self, hw: Homework) -> None:
        """Show one assignment changed (a tick) without laying out the others."""
        self.items = [hw if item.id == hw.id else item for item in self.items]
        try:
            self.get_option(hw.id)
        except LookupError:
            return
        self.replace_option_prompt(hw.id, self._row(hw))

    def _width(self) -> int:
        # One column is kept for the scroll bar, which comes only once the rows are there.
        return max(self.scrollable_content_region.width - 1, 0)

    def _widths(self) -> tuple[int, int]:
        subject = min(SUBJECT_WIDTH, max((len(hw.subject.name) for hw in self.items), default=0))
        due = max((due_cell(hw, self.today).cell_length for hw in self.items), default=0)
        return subject, due

    def _row(self, hw: Homework) -> Content:
        return row(hw, self.today, *self._widths(), self._width())

    def _lay_out(self) -> None:
        kept = self.highlighted_option.id if self.highlighted_option else None
        self._laid_out_width = self._width()
        options: list[Option] = []
        day: dt.date | None = None
        for hw in self.items:
            if hw.date != day:
                day = hw.date
                options.append(Option(heading(day, self.today), id=f"day:{day}", disabled=True))
            options.append(Option(self._row(hw), id=hw.id))
        self.set_options(options)
        ids = [option.id for option in options]
        if kept in ids:
            self.highlighted = ids.index(kept)
        else:
            self.action_first()

    def on_resize(self) -> None:
        if self.items and self._width() != self._laid_out_width:
            self._lay_out()

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # OptionList's own click would select (and so tick) as well
        index = event.style.meta.get("option")
        if index is None or self.options[index].disabled:
            return
        offset = event.get_content_offset(self)
        self.highlighted = index
        option_id = self.options[index].id
        if offset is not None and offset.x < BOX_WIDTH and option_id is not None:
            self.post_message(self.Toggled(option_id))

    def scroll_to_highlight(self, top: bool = False) -> None:
        index = self.highlighted
        if (
            index is None
            or not self.is_mounted
            or index == 0
            or not self.options[index - 1].disabled
        ):
            super().scroll_to_highlight(top)
            return
        self._update_lines()
        try:  # the heading above and the assignment, together
            y = self._index_to_line[index - 1]
            height = self._heights[index - 1] + self._heights[index]
        except KeyError:
            return
        width = self.scrollable_content_region.width
        self.scroll_to_region(
            Region(0, y, width, height), force=True, animate=False, top=top, immediate=True
        )


class RangeModal(LocalisedKeys, ModalScreen[tuple[dt.date, dt.date] | None]):
    """Pick the days to list: Enter on the first day, then on the last."""

    CSS_PATH = "homework.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "keys.cancel")]

    def __init__(self, today: dt.date, start: dt.date, end: dt.date) -> None:
        super().__init__()
        self.today = today
        self.start = start
        self.end = end

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("homework.range_title")
            yield Label(_("homework.range_prompt"), id="range-prompt")
            yield DateRangePicker(self.today, start=self.start, end=self.end, id="picker")
            yield Label(id="range-picked", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._say(self.start, self.end, waiting=False)

    def _say(self, start: dt.date, end: dt.date, *, waiting: bool) -> None:
        text = (
            _("homework.range_waiting", date=long_date(start))
            if waiting
            else week_range(start, end)
        )
        self.query_one("#range-picked", Label).update(Content(text))

    @on(DateRangePicker.Changed)
    def _picked(self, event: DateRangePicker.Changed) -> None:
        event.stop()
        if event.waiting:
            self._say(event.start, event.end, waiting=True)
        else:
            self.dismiss((event.start, event.end))

    def action_cancel(self) -> None:
        self.dismiss(None)


# -- the screen --------------------------------------------------------------------


class HomeworkScreen(StudentScreen):
    """One child's homework over a range of days, with filters and the student's ticks."""

    CSS_PATH: ClassVar[list[str]] = ["student_view.tcss", "homework.tcss"]
    TITLE_KEY = "homework.title"
    BODY = "#list"
    MISSING = "homework.not_saved"
    AUTO_FOCUS = "#list"
    # Two bindings share space: the student's tick, and for anyone else the reason
    # they cannot tick (check_action shows exactly one of them).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_done", "homework.key_done"),
        Binding("space", "why_no_tick", "homework.key_done_not_yours"),
        key("left_square_bracket", "shift(-1)", "keys.previous_week", group=_RANGE),
        key("right_square_bracket", "shift(1)", "keys.next_week", group=_RANGE),
        key("t", "this_week", "homework.key_this_week", show=False),
        key("g", "choose_range", "homework.key_range"),
        key("f", "filter_subject", "homework.key_subject", show=False),
        key("o", "cycle_kind", "homework.key_kind", show=False),
        key("d", "cycle_state", "homework.key_state", show=False),
        key("e", "export", "homework.key_export"),
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
        self.first = week_start(today)
        self.last = self.first + dt.timedelta(days=6)
        self.items: list[Homework] | None = None  # the range's homework, before the filters
        self.subject = ALL
        self.kind = ALL
        self.state = ALL
        self.changed = False  # a tick reached the server: the diary should fetch its week again
        self._confirmed: dict[str, bool] = {}  # the server's tick while a new one is being sent
        self._subjects: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with Horizontal(id="rangebar"):
            yield Label(id="range", markup=False)
            yield Label(id="counts", markup=False)
        with Horizontal(id="filters"):
            yield Select(
                [(_("homework.all_subjects"), ALL)],
                value=ALL,
                allow_blank=False,
                compact=True,
                id="subject",
            )
            yield Select(
                [(_(f"homework.kind_{kind}"), kind) for kind in KINDS],
                value=ALL,
                allow_blank=False,
                compact=True,
                id="kind",
            )
            yield Select(
                [(_(f"homework.state_{state}"), state) for state in STATES],
                value=ALL,
                allow_blank=False,
                compact=True,
                id="state",
            )
        yield AssignmentList(id="list")
        yield Static(id="empty", markup=False)
        yield Static(id="details", markup=False)
        yield Footer(compact=True)

    # -- who may tick --------------------------------------------------------------

    def is_student(self) -> bool:
        """Only the student ticks their own homework; a parent sees the ticks."""
        return self.child is not None and self.child.id == self.user.id

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
        self._set_subjects(items)
        self._show_list()
        self.show_fetched(loaded)
        self.refresh_bindings()

    def _set_subjects(self, items: Iterable[Homework]) -> None:
        """The subject filter offers the range's subjects (and keeps the one chosen)."""
        found = {hw.subject.id: hw.subject.name for hw in items}
        if self.subject != ALL and self.subject not in found:
            kept = dict(self._subjects)
            found[self.subject] = kept.get(self.subject, self.subject)
        subjects = sorted(found.items(), key=lambda pair: pair[1])
        if subjects == self._subjects:
            return
        self._subjects = subjects
        select: Select[str] = self.query_one("#subject", Select)
        with self.prevent(Select.Changed):
            select.set_options([(_("homework.all_subjects"), ALL), *((n, i) for i, n in subjects)])
            select.value = self.subject

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
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on an assignment: the same as space."""
        event.stop()
        self._tick_or_explain()

    @on(AssignmentList.Toggled)
    def _box_clicked(self, event: AssignmentList.Toggled) -> None:
        event.stop()
        self._tick_or_explain()

    def _tick_or_explain(self) -> None:
        if self.is_student():
            self.action_toggle_done()
        else:
            self.action_why_no_tick()

    # -- actions -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_done":
            if not self.is_student():
                return False
            return True if self.selected() is not None else None
        if action == "why_no_tick":
            return self.child is not None and not self.is_student()
        if action in {"shift", "this_week", "choose_range", "refresh"}:
            return self.child is not None
        if action in {"filter_subject", "cycle_kind", "cycle_state"}:
            return True if self.items else None
        if action == "export":
            return True if self.shown() else None
        return super().check_action(action, parameters)

    def action_toggle_done(self) -> None:
        hw = self.selected()
        if hw is not None and self.is_student():
            self._toggle(hw)

    def action_why_no_tick(self) -> None:
        child = self.child
        if child is not None:
            self.notify(_("homework.only_student", child=short_name(child.full_name)))

    def action_refresh(self) -> None:
        if self.child is not None:
            self.show_freshness(_("week.refreshing"))
            self._fetch(self.child.id, self.first, self.last)

    def _go(self, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        self.show_child()

    def action_shift(self, weeks: int) -> None:
        self._go(self.first + weeks * WEEK, self.last + weeks * WEEK)

    def action_this_week(self) -> None:
        monday = week_start(self.today)
        self._go(monday, monday + dt.timedelta(days=6))

    def action_choose_range(self) -> None:
        def chosen(picked: tuple[dt.date, dt.date] | None) -> None:
            if picked is not None:
                self._go(*picked)

        self.app.push_screen(RangeModal(self.today, self.first, self.last), chosen)

    def action_filter_subject(self) -> None:
        select: Select[str] = self.query_one("#subject", Select)
        select.focus()
        select.action_show_overlay()

    def action_cycle_kind(self) -> None:
        self._set_filter("kind", KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)])

    def action_cycle_state(self) -> None:
        self._set_filter("state", STATES[(STATES.index(self.state) + 1) % len(STATES)])

    def _set_filter(self, name: str, value: str) -> None:
        setattr(self, name, value)
        select: Select[str] = self.query_one(f"#{name}", Select)
        with self.prevent(Select.Changed):
            select.value = value
        self._show_list()
        self.refresh_bindings()

    @on(Select.Changed)
    def _filter_chosen(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id in {"subject", "kind", "state"} and isinstance(event.value, str):
            setattr(self, event.select.id, event.value)
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
