"""Progress as rows of sparklines: a line per subject, and a chart for the selected one.

Each line shows the subject's marks as a sparkline (one block a mark, as
high as the mark, coloured by how good it is), the weighted average after
the last mark, the class average the server computed, and the trend of the
running average. The selected subject grows into a chart with dates under
its line: the marks where they were given, the running average as a step
line and the class average as a dotted line across.

One widget draws it all with the line API (as the week view does): moving
the cursor lays out a few dozen lines of text, with no widgets mounted.
Textual's `Sparkline` widget would need a widget per subject and has no
room for colours per mark or for dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ediary_tui.domain.models import ProgressPoint, ProgressSubject
from ediary_tui.i18n import _, short_date
from ediary_tui.widgets.keys import key

from .mark_cell import GRADE_STYLES, grade_of

SORTS = ("average", "trend", "name")
LEVELS = "▁▂▃▄▅▆▇█"
# How many marks back the trend looks: the running average now against three marks ago.
TREND_MARKS = 3
# A change of the running average smaller than this shows as steady (→): averages
# are shown to two places, so a move that rounds to nothing is no trend.
STEADY = 0.005
HEADER = 1
MIN_NAME, MAX_NAME = 12, 24
SHORTEST_NAME = 6
MIN_SPARK = 12
NUMBERS = 6 + 7 + 8  # average, class average, trend
INDENT = 2  # the chart under a subject's line
TALL_CHART = 30  # from this height of the view the chart has two rows per mark
THIRD = 1 / 6  # off the middle of a row by more than this, the average line is drawn high or low
MONTHLY_TICKS = 120  # days: a longer chart (a year) is marked by months, a shorter by weeks

HEADER_STYLE = "bold $text-muted"
SELECTED_STYLE = "on $boost"
NAME_STYLE = "bold"
MUTED = "$text-muted"
AVERAGE_LINE_STYLE = "bold $text-primary"
CLASS_LINE_STYLE = "$text-secondary"
AXIS_STYLE = "$text-muted"
TREND_STYLES = {1: "$text-success", -1: "$text-error", 0: "$text-muted"}
TREND_ARROWS = {1: "↗", -1: "↘", 0: "→"}


def trend(points: Sequence[ProgressPoint]) -> float | None:
    """How much the running average moved over the last TREND_MARKS marks; None with one mark."""
    if len(points) < 2:
        return None
    now = points[-1].average
    before = points[max(len(points) - 1 - TREND_MARKS, 0)].average
    if now is None or before is None:
        return None
    return now - before


def direction(change: float | None) -> int:
    if change is None or abs(change) < STEADY:
        return 0
    return 1 if change > 0 else -1


def sort_subjects(subjects: Sequence[ProgressSubject], order: str) -> list[ProgressSubject]:
    """By average or trend (best first, subjects without one last), or by name."""

    def name(s: ProgressSubject) -> str:
        return s.subject.name.casefold()

    if order == "name":
        return sorted(subjects, key=name)
    if order == "trend":
        trends = {s.subject.id: trend(s.points) for s in subjects}

        def by_trend(s: ProgressSubject) -> tuple[bool, float, str]:
            t = trends[s.subject.id]
            return (t is None, -(t or 0.0), name(s))

        return sorted(subjects, key=by_trend)
    return sorted(subjects, key=lambda s: (s.average is None, -(s.average or 0.0), name(s)))


def sparkline(values: Sequence[int], scale: tuple[int, int], width: int) -> Content:
    """One block per mark (marks share a block, averaged, when there are more than `width`)."""
    if width <= 0 or not values:
        return Content("")
    low, high = scale
    if len(values) > width:
        n = len(values)
        buckets = [values[i * n // width : (i + 1) * n // width] for i in range(width)]
        heights = [fmean(b) for b in buckets if b]
    else:
        heights = [float(v) for v in values]
    span = max(high - low, 1)
    parts = []
    for value in heights:
        level = round((value - low) / span * (len(LEVELS) - 1))
        level = max(0, min(level, len(LEVELS) - 1))
        style = GRADE_STYLES[grade_of(round(value), low, high)]
        parts.append((LEVELS[level], style))
    return Content.assemble(*parts)


def figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@dataclass
class Chart:
    """A subject's chart as lines, and which marks sit in which column (for the mouse)."""

    lines: list[Content]
    left: int  # the column of the plot's first cell
    marks_at: dict[int, list[ProgressPoint]] = field(default_factory=dict)


def chart(
    subject: ProgressSubject,
    start: dt.date,
    end: dt.date,
    width: int,
    scale: tuple[int, int],
    rows_per_mark: int,
) -> Chart:
    """The marks over time on a grid of mark values; dates along the bottom."""
    low, high = scale
    label_width = len(str(high)) + 1
    left = label_width + 1
    plot = max(width - INDENT - left - 1, 10)
    rows = (high - low) * rows_per_mark + 1
    points = subject.points
    days = max((end - start).days, 1)

    def x_of(day: dt.date) -> int:
        return max(0, min(plot - 1, round((day - start).days / days * (plot - 1))))

    def y_of(value: float) -> int:
        return max(0, min(rows - 1, round((high - value) * rows_per_mark)))

    grid: list[list[tuple[str, str]]] = [[(" ", "")] * plot for _ in range(rows)]
    if subject.class_average is not None:
        y = y_of(subject.class_average)
        grid[y] = [("┈", CLASS_LINE_STYLE)] * plot
    # The running average: a step line from the first mark to the last day shown. Within
    # a row, a line high, in the middle or low in the cell says a third of a row more.
    if points:
        steps: list[float | None] = [None] * plot
        for point in points:
            if point.average is not None:
                steps[x_of(point.date) :] = [point.average] * (plot - x_of(point.date))
        previous: int | None = None
        for column, value in enumerate(steps):
            if value is None:
                continue
            y = y_of(value)
            if previous is None or previous == y:
                offset = (high - value) * rows_per_mark - y
                level = "▔" if offset < -THIRD else "▁" if offset > THIRD else "─"
                grid[y][column] = (level, AVERAGE_LINE_STYLE)
            else:
                up = y < previous
                grid[previous][column] = ("╯" if up else "╮", AVERAGE_LINE_STYLE)
                for between in range(min(y, previous) + 1, max(y, previous)):
                    grid[between][column] = ("│", AVERAGE_LINE_STYLE)
                grid[y][column] = ("╭" if up else "╰", AVERAGE_LINE_STYLE)
            previous = y
    marks_at: dict[int, list[ProgressPoint]] = {}
    for point in points:
        x = x_of(point.date)
        marks_at.setdefault(x, []).append(point)
        style = GRADE_STYLES[grade_of(point.value, low, high)]
        grid[y_of(point.value)][x] = (str(point.value)[-1], style)

    lines: list[Content] = []
    for y, cells in enumerate(grid):
        value = high - y / rows_per_mark
        if y % rows_per_mark == 0:
            label = f"{round(value):>{label_width - 1}} ┤"
        else:
            label = " " * label_width + "│"
        lines.append(Content.assemble((label, AXIS_STYLE), *cells))
    ticks, labels = _date_labels(start, end, plot, x_of)
    axis = "".join("┬" if x in ticks else "─" for x in range(plot))
    lines.append(Content.styled(" " * label_width + "└" + axis, AXIS_STYLE))
    lines.append(Content.styled(" " * left + labels, AXIS_STYLE))
    return Chart([Content(" " * INDENT) + line for line in lines], INDENT + left, marks_at)


def _date_labels(
    start: dt.date, end: dt.date, plot: int, x_of: Callable[[dt.date], int]
) -> tuple[set[int], str]:
    """Dates under the axis: the first and last day, and Mondays (or months) between that fit."""
    if (end - start).days > MONTHLY_TICKS:
        candidates = [
            dt.date(y, m, 1)
            for y in range(start.year, end.year + 1)
            for m in range(1, 13)
            if start < dt.date(y, m, 1) < end
        ]
    else:
        monday = start + dt.timedelta(days=(7 - start.weekday()) % 7 or 7)
        candidates = []
        while monday < end:
            candidates.append(monday)
            monday += dt.timedelta(days=7)
    text = [" "] * plot
    ticks: set[int] = set()
    free = 0  # the first column a label may start in

    def place(day: dt.date, *, right: bool = False) -> None:
        nonlocal free
        label = short_date(day)
        x = x_of(day)
        begin = max(x - len(label) + 1, 0) if right else x
        if begin < free or begin + len(label) > plot:
            return
        text[begin : begin + len(label)] = list(label)
        ticks.add(x)
        free = begin + len(label) + 2

    place(start)
    last_label = short_date(end)
    reserve = plot - len(last_label) - 1  # keep room for the last day's date
    for day in candidates:
        if x_of(day) + len(short_date(day)) < reserve:
            place(day)
    place(end, right=True)
    return ticks, "".join(text)


@dataclass
class _Line:
    content: Content
    subject: int  # index into the shown subjects
    chart: Chart | None = None  # set on the chart's lines
    chart_row: int = -1


class SparklineRows(ScrollView, can_focus=True, inherit_bindings=False):
    """Subjects with their sparklines; the selected one drawn large, with dates."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS: ClassVar[list[BindingType]] = [
        key("down,j", "cursor(1)", "progress.key_down", show=False),
        key("up,k", "cursor(-1)", "progress.key_up", show=False),
        Binding("home", "edge(0)", show=False),
        Binding("end", "edge(1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
    ]

    class Selected(Message):
        """The cursor is on another subject."""

        def __init__(self, subject: ProgressSubject) -> None:
            super().__init__()
            self.subject = subject

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.subjects: list[ProgressSubject] = []
        self.scale = (1, 5)
        self.start = self.end = self.today = dt.date.today()
        self.forms: dict[str, str] = {}
        self.cursor = 0
        self._lines: list[_Line] = []
        self._name_width = MIN_NAME
        self._laid_out = (0, 0)
        self._hover: tuple[int, int] | None = None

    # -- what the screen calls ---------------------------------------------------

    def show(
        self,
        subjects: Sequence[ProgressSubject],
        *,
        scale: tuple[int, int],
        start: dt.date,
        end: dt.date,
        today: dt.date,
        forms: dict[str, str] | None = None,
    ) -> None:
        """Paint `subjects` in this order; the cursor stays on the same subject if it can."""
        kept = self.selected
        self.subjects = list(subjects)
        self.scale, self.start, self.end, self.today = scale, start, end, today
        self.forms = forms or {}
        ids = [s.subject.id for s in self.subjects]
        if kept is not None and kept.subject.id in ids:
            self.cursor = ids.index(kept.subject.id)
        else:
            self.cursor = 0
        self._layout()
        self._scroll_to_cursor()
        if self.subjects:
            self.post_message(self.Selected(self.subjects[self.cursor]))

    @property
    def selected(self) -> ProgressSubject | None:
        return self.subjects[self.cursor] if self.subjects else None

    def plain_lines(self) -> list[str]:
        """What is drawn, header first, as text (for tests and screen readers)."""
        return [self._header().plain.rstrip()] + [
            line.content.plain.rstrip() for line in self._lines
        ]

    # -- laying out --------------------------------------------------------------

    def _layout(self) -> None:
        width = self.scrollable_content_region.width or 80  # not laid out yet: any width
        height = self.scrollable_content_region.height
        self._laid_out = (width, height)
        longest = max((len(s.subject.name) for s in self.subjects), default=MIN_NAME)
        room = width - 3 - NUMBERS - MIN_SPARK  # a narrow terminal takes from the names first
        self._name_width = max(SHORTEST_NAME, min(MAX_NAME, longest + 1, room))
        rows_per_mark = 2 if height >= TALL_CHART else 1
        lines: list[_Line] = []
        for index, subject in enumerate(self.subjects):
            lines.append(_Line(self._row(subject, width, index == self.cursor), index))
            if index == self.cursor:
                if subject.points:
                    drawn = chart(
                        subject, self.start, self._chart_end(), width, self.scale, rows_per_mark
                    )
                    for row, content in enumerate(drawn.lines):
                        lines.append(_Line(content, index, drawn, row))
                    legend = self._legend(subject).truncate(width, ellipsis=True)
                    lines.append(_Line(legend, index))
                else:
                    text = Content.styled(" " * INDENT + _("progress.no_marks"), f"italic {MUTED}")
                    lines.append(_Line(text, index))
        self._lines = lines
        self.virtual_size = Size(width, len(lines) + HEADER)
        self.refresh()

    def _chart_end(self) -> dt.date:
        """The chart runs to today while the range goes on, to its end once it is over."""
        return min(self.end, max(self.today, self.start))

    def _spark_width(self, width: int) -> int:
        """As wide as the most marks need (the numbers stay near), at most what is left."""
        room = max(width - 1 - self._name_width - 1 - NUMBERS - 1, 0)
        most = max((len(s.points) for s in self.subjects), default=0)
        return min(room, max(most, MIN_SPARK, len(_("progress.none"))))

    def _header(self) -> Content:
        width = self._laid_out[0] or 80
        return Content.styled(
            " "
            + _("progress.subject")[: self._name_width].ljust(self._name_width)
            + " "
            + _("progress.marks").ljust(self._spark_width(width))
            + " "
            + _("progress.average").rjust(6)
            + _("progress.class_average").rjust(7)
            + _("progress.trend").rjust(8),
            HEADER_STYLE,
        ).truncate(width, ellipsis=True)

    def _row(self, subject: ProgressSubject, width: int, selected: bool) -> Content:
        spark_width = self._spark_width(width)
        name = Content(subject.subject.name).truncate(self._name_width, ellipsis=True, pad=True)
        if subject.points:
            spark = sparkline([p.value for p in subject.points], self.scale, spark_width)
        else:
            spark = Content.styled(_("progress.none"), MUTED)
        spark = spark.truncate(spark_width, pad=True)
        change = trend(subject.points)
        way = direction(change)
        if change is None:
            trend_text = ""
        elif way == 0:
            trend_text = TREND_ARROWS[way]
        else:
            trend_text = f"{TREND_ARROWS[way]} {change:+.2f}"
        line = Content.assemble(
            ("▌" if selected else " ", "$accent"),
            (name.plain, NAME_STYLE),
            " ",
            spark,
            " ",
            (figure(subject.average).rjust(6), "bold"),
            (figure(subject.class_average).rjust(7), MUTED),
            (trend_text.rjust(8), TREND_STYLES[way]),
        )
        return line.stylize(SELECTED_STYLE) if selected else line

    def _legend(self, subject: ProgressSubject) -> Content:
        parts = [
            Content.assemble(
                ("─", AVERAGE_LINE_STYLE),
                " ",
                _("progress.legend_average", average=figure(subject.average)),
            )
        ]
        if subject.class_average is not None:
            parts.append(
                Content.assemble(
                    ("┈", CLASS_LINE_STYLE),
                    " ",
                    _("progress.legend_class", average=figure(subject.class_average)),
                )
            )
        else:
            parts.append(Content.styled(_("progress.legend_no_class"), MUTED))
        return Content(" " * INDENT) + Content(" · ").join(parts)

    # -- drawing -----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        if not self.subjects:
            return Strip.blank(width, self.rich_style)
        if y < HEADER:
            content = self._header()
        else:
            number = scroll_y + y - HEADER
            if number >= len(self._lines):
                return Strip.blank(width, self.rich_style)
            content = self._lines[number].content
        strip = Strip(content.render_segments(self.visual_style), content.cell_length)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def on_resize(self, event: events.Resize) -> None:
        size = (self.scrollable_content_region.width, self.scrollable_content_region.height)
        if size != self._laid_out:
            self._layout()
            self._scroll_to_cursor()

    # -- the cursor --------------------------------------------------------------

    def _block(self) -> tuple[int, int]:
        """First and last line of the selected subject (its line and its chart)."""
        ys = [n for n, line in enumerate(self._lines) if line.subject == self.cursor]
        return (ys[0], ys[-1]) if ys else (0, 0)

    def _scroll_to_cursor(self) -> None:
        """The subject's line in view, and as much of its chart as fits under it."""
        if not self._lines:
            return
        first, last = self._block()
        height = max(self.scrollable_content_region.height - HEADER, 1)
        top = self.scroll_offset.y
        if last >= top + height:
            top = last - height + 1
        top = min(top, first)
        self.scroll_to(y=top, animate=False, immediate=True)

    def _set_cursor(self, index: int) -> None:
        if not self.subjects:
            return
        index = max(0, min(index, len(self.subjects) - 1))
        if index == self.cursor:
            return
        self.cursor = index
        self._layout()
        self._scroll_to_cursor()
        self.post_message(self.Selected(self.subjects[index]))

    def action_cursor(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_edge(self, end: int) -> None:
        self._set_cursor(len(self.subjects) - 1 if end else 0)

    def action_page(self, direction: int) -> None:
        height = max(self.scrollable_content_region.height - HEADER, 1)
        first, _last = self._block()
        target = first + direction * height
        index = next(
            (line.subject for line in self._lines[max(target, 0) :] if line.chart is None),
            len(self.subjects) - 1,
        )
        self._set_cursor(index if direction > 0 else min(index, self.cursor - 1))

    # -- the mouse ---------------------------------------------------------------

    def _line_at(self, y: int) -> _Line | None:
        number = self.scroll_offset.y + y - HEADER
        if y < HEADER or not 0 <= number < len(self._lines):
            return None
        return self._lines[number]

    def on_click(self, event: events.Click) -> None:
        line = self._line_at(event.y)
        if line is not None:
            self._set_cursor(line.subject)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        line = self._line_at(event.y)
        found = None
        if line is not None and line.chart is not None:
            column = event.x + self.scroll_offset.x - line.chart.left
            points = line.chart.marks_at.get(column)
            if points:
                found = (line.subject, column)
                self.tooltip = "\n".join(self.describe_point(p) for p in points)
        if found is None:
            self.tooltip = None
        self._hover = found

    def on_leave(self, event: events.Leave) -> None:
        self._hover = None
        self.tooltip = None

    def describe_point(self, point: ProgressPoint) -> str:
        """'19 Nov: 4, Контрольная работа (weight 3); average 4.25'."""
        form = self.forms.get(point.control_form, point.control_form)
        return _(
            "progress.point",
            date=short_date(point.date),
            value=point.value,
            form=form,
            weight=point.weight,
            average=figure(point.average),
        )
