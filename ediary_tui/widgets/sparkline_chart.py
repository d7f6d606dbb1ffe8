"""The drawing of progress: sparklines, trends and the chart of one subject, as text.

Pure functions from a subject's marks to `Content`, for `SparklineRows`
(the widget that lays them out and moves the cursor over them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import fmean

from textual.content import Content

from ediary_tui.domain.models import ProgressPoint, ProgressSubject
from ediary_tui.i18n import number, short_date

from .mark_cell import GRADE_COLOURS, GRADE_STYLES, grade_of

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
        style = GRADE_COLOURS[grade_of(round(value), low, high)]  # a reversed bar is no bar
        parts.append((LEVELS[level], style))
    return Content.assemble(*parts)


def figure(value: float | None) -> str:
    return "—" if value is None else number(value)


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
