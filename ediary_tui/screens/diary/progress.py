"""The progress chart: one child's marks over a period or the year, subject by subject.

A sparkline per subject with the weighted average after the last mark, the
class average and the trend; the selected subject grows into a chart with
dates. The class average is the server's (it never sends a classmate's
marks). `[` and `]` turn to the other periods of the school year and to the
whole year, `y` jumps between the year and the current period, `o` sorts by
average, by trend or by name.
"""

from __future__ import annotations

from typing import ClassVar, Unpack

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Label, Static

from ediary_tui.client import reads
from ediary_tui.client.capabilities import Can
from ediary_tui.client.errors import ClientError
from ediary_tui.client.reads import Cached, Read
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import (
    ChildRef,
    Period,
    Progress,
    ProgressSubject,
    User,
)
from ediary_tui.domain.periods import nearest_period, school_year_of
from ediary_tui.i18n import _, short_date, signed_number
from ediary_tui.screens.diary.student_view import (
    StudentScreen,
    Where,
    school_settings,
    school_year_name,
)
from ediary_tui.widgets.keys import key, step_keys
from ediary_tui.widgets.report_grid import period_span
from ediary_tui.widgets.sparkline_chart import SORTS, direction, figure, sort_subjects, trend
from ediary_tui.widgets.sparkline_rows import SparklineRows

_PERIOD = Binding.Group("progress.key_period")
YEAR = "year"  # the range key of the whole school year


class ProgressScreen(StudentScreen):
    """Sparklines of a child's subjects over a period or the year."""

    AREA = "progress"
    BODY = "#rows"
    BINDINGS: ClassVar[list[BindingType]] = [
        *step_keys("period", "progress.key_previous", "progress.key_next", group=_PERIOD),
        key("y", "year", "progress.key_year"),
        key("o", "sort", "progress.key_sort"),
    ]

    def __init__(self, session: DiarySession, user: User, **where: Unpack[Where]) -> None:
        super().__init__(session, user, **where)
        self.year = school_year_of(self.today)
        self.range: str | None = None  # a period id, YEAR, or None: the current period
        self.order = SORTS[0]
        self.progress: Progress | None = None
        self.forms: dict[str, dict[str, str]] = {}  # per child: control form code -> name

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield from self.compose_bar("rangebar", "range", "sort")
        no_class = None
        if not self.session.can(Can.CLASS_AVERAGE):
            no_class = _("progress.legend_no_class_here", service=self.session.info.title)
        yield SparklineRows(id="rows", no_class=no_class)
        yield from self.compose_bottom()

    # -- which range -------------------------------------------------------------

    def _periods(self, student: str) -> list[Period] | None:
        """The periods of the school year, as the cached report card knows them."""
        card = self.session.saved(reads.report_card(student, self.year))
        return card.value.periods if card is not None else None

    def _resolve(self, student: str) -> str | None:
        """The range to show: the current period is found once the periods are known."""
        if self.range is not None:
            return self.range
        periods = self._periods(student)
        if periods is None:
            return None
        found = nearest_period(periods, self.today)
        return found.id if found is not None else YEAR

    def _read(self, student: str, range_: str) -> Read[Progress]:
        period = None if range_ == YEAR else range_
        return reads.progress(student, self.year, period, range_)

    # -- painting ----------------------------------------------------------------

    def about(self) -> tuple[str, str | None] | None:
        child = self.child
        return (child.id, self._resolve(child.id)) if child is not None else None

    def show_child(self) -> None:
        child = self.child
        self._show_sort()
        if child is None:
            self.show_unavailable(_("week.no_diary"))
            return
        range_ = self._resolve(child.id)
        self.loaded = self.session.saved(self._read(child.id, range_)) if range_ else None
        self._fetch(child.id, range_)

    def show_loading(self) -> None:
        self.progress = None
        super().show_loading()
        if self.child is not None:
            self._show_range(self.child.id, self._resolve(self.child.id))

    def _show_range(self, student: str, range_: str | None) -> None:
        label = self.query_one("#range", Label)
        if range_ == YEAR:
            label.update(Content(_("progress.whole_year", year=school_year_name(self.year))))
            return
        period = next((p for p in self._periods(student) or [] if p.id == range_), None)
        if period is None and self.progress is not None:
            period = self.progress.period
        label.update(Content(period_span(period) if period is not None else ""))

    def _show_sort(self) -> None:
        self.query_one("#sort", Label).update(Content(_(f"progress.sorted_{self.order}")))

    def paint(self, loaded: Cached[Progress]) -> None:
        rows = self.query_one(SparklineRows)
        rows.loading = False
        self.progress = progress = loaded.value
        self._show_range(progress.student_id, self._resolve(progress.student_id) or YEAR)
        if not progress.subjects:
            self.show_unavailable(_("progress.nothing"), keep_freshness=True)
        else:
            self.query_one("#empty").display = False
            rows.display = True
            rows.show(
                sort_subjects(progress.subjects, self.order),
                scale=(progress.scale_min, progress.scale_max),
                start=progress.starts_on,
                end=progress.ends_on,
                today=self.today,
                forms=self.forms.get(progress.student_id),
            )
        self.show_fetched(loaded)
        self.refresh_bindings()

    # -- the network -------------------------------------------------------------

    @work(exclusive=True, group="progress")
    async def _fetch(self, student: str, range_: str | None) -> None:
        """The progress of `range_` (the current period when None: found from the periods)."""
        settings = await school_settings(self.session, student, self.today)
        if settings is not None:
            self.forms[student] = {f.code: f.name for f in settings.control_forms}
        if range_ is None:
            # The periods of the year come with the report card: fetch it, then pick the period.
            try:
                await self.session.fetch(reads.report_card(student, self.year))
            except ClientError as exc:
                self.post_message(self.FetchFailed((student, range_), exc))
                return
            range_ = self._resolve(student)
            if self.child is None or self.child.id != student or range_ is None:
                return
            cached = self.session.saved(self._read(student, range_))
            if cached is not None:
                self.post_message(self.Fetched((student, range_), cached))
        await self.fetch_into((student, range_), self._read(student, range_))

    # -- details line ------------------------------------------------------------

    @on(SparklineRows.Selected)
    def _selected(self, event: SparklineRows.Selected) -> None:
        event.stop()
        self.query_one("#details", Static).update(Content(" · ".join(self.describe(event.subject))))

    def describe(self, subject: ProgressSubject) -> list[str]:
        """What the details line says of a subject: its marks, averages, trend and last mark."""
        parts = [subject.subject.name]
        if not subject.points:
            parts.append(_("progress.no_marks"))
        else:
            parts.append(_("report_card.marks_count", count=len(subject.points)))
            parts.append(_("report_card.average", average=figure(subject.average)))
        if subject.class_average is not None:
            parts.append(_("progress.class_is", average=figure(subject.class_average)))
        change = trend(subject.points)
        if change is not None:
            way = {1: "up", -1: "down", 0: "steady"}[direction(change)]
            parts.append(_(f"progress.trend_{way}", change=signed_number(change)))
        if subject.points:
            last = subject.points[-1]
            parts.append(_("progress.last", value=last.value, date=short_date(last.date)))
        return parts

    # -- actions -----------------------------------------------------------------

    def _sequence(self, student: str) -> list[str]:
        return [p.id for p in self._periods(student) or []] + [YEAR]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "period" and parameters and self.child is not None:
            sequence = self._sequence(self.child.id)
            current = self._resolve(self.child.id)
            if current not in sequence:
                return None
            target = sequence.index(current) + int(str(parameters[0]))
            return True if 0 <= target < len(sequence) else None
        return super().check_action(action, parameters)

    def action_period(self, step: int) -> None:
        child = self.child
        if child is None:
            return
        sequence = self._sequence(child.id)
        current = self._resolve(child.id)
        if current not in sequence:
            return
        target = sequence.index(current) + step
        if 0 <= target < len(sequence):
            self.range = sequence[target]
            self.show_child()

    def action_year(self) -> None:
        """The whole year, or back to the current period from it."""
        child = self.child
        if child is None:
            return
        self.range = None if self._resolve(child.id) == YEAR else YEAR
        self.show_child()

    def action_sort(self) -> None:
        self.order = SORTS[(SORTS.index(self.order) + 1) % len(SORTS)]
        self._show_sort()
        progress = self.progress
        if progress is not None and progress.subjects:
            rows = self.query_one(SparklineRows)
            rows.show(
                sort_subjects(progress.subjects, self.order),
                scale=rows.scale,
                start=rows.start,
                end=rows.end,
                today=self.today,
                forms=rows.forms,
            )

    def action_refresh(self) -> None:
        if self.child is not None:
            self.show_freshness(_("week.refreshing"))
            self._fetch(self.child.id, self._resolve(self.child.id))

    def watch_child(self, child: ChildRef | None) -> None:
        self.range = None  # the other child's current period (another school has other ones)
        super().watch_child(child)
