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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.binding import BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message

from ediary_tui.domain.models import ProgressPoint, ProgressSubject
from ediary_tui.i18n import _, short_date, signed_number
from ediary_tui.widgets.keys import PAGE_KEYS, up_down_keys

from .header_rows import HeaderRows
from .sparkline_chart import (
    AVERAGE_LINE_STYLE,
    CLASS_LINE_STYLE,
    HEADER,
    HEADER_STYLE,
    INDENT,
    MAX_NAME,
    MIN_NAME,
    MIN_SPARK,
    MUTED,
    NAME_STYLE,
    NUMBERS,
    SELECTED_STYLE,
    SHORTEST_NAME,
    TALL_CHART,
    TREND_ARROWS,
    TREND_STYLES,
    Chart,
    chart,
    direction,
    figure,
    sparkline,
    trend,
)


@dataclass
class _Line:
    content: Content
    subject: int  # index into the shown subjects
    chart: Chart | None = None  # set on the chart's lines
    chart_row: int = -1


class SparklineRows(HeaderRows, can_focus=True, inherit_bindings=False):
    """Subjects with their sparklines; the selected one drawn large, with dates."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS: ClassVar[list[BindingType]] = [
        *up_down_keys(
            "cursor(1)", "cursor(-1)", described=("progress.key_down", "progress.key_up")
        ),
        *PAGE_KEYS,
    ]

    @dataclass
    class Selected(Message):
        """The cursor is on another subject."""

        subject: ProgressSubject

    def __init__(self, *, id: str | None = None, no_class: str | None = None) -> None:
        super().__init__(id=id)
        # Why a subject has no class average (a real diary gives none at all).
        self.no_class = no_class or _("progress.legend_no_class")
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
        return [self.header().plain.rstrip()] + [
            line.content.plain.rstrip() for line in self._lines
        ]

    # -- laying out --------------------------------------------------------------

    def _layout(self) -> None:
        # One blank column at the right: a scroll bar's thumb beside the charts and trends
        # (a half block, as the bars are) would read as one more mark.
        width = (self.scrollable_content_region.width or 81) - 1  # not laid out yet: any width
        height = self.scrollable_content_region.height
        self._laid_out = (width + 1, height)
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

    def header(self) -> Content:
        width = (self._laid_out[0] or 81) - 1
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
            trend_text = f"{TREND_ARROWS[way]} {signed_number(change)}"
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
            parts.append(Content.styled(self.no_class, MUTED))
        return Content(" " * INDENT) + Content(" · ").join(parts)

    # -- drawing -----------------------------------------------------------------

    def row_count(self) -> int | None:
        return len(self._lines) if self.subjects else None

    def body_line(self, number: int) -> Content:
        return self._lines[number].content

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
