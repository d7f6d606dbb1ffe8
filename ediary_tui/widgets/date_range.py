"""A date range picked on a small month calendar, by keys or by the mouse.

The arrows move a cursor by a day or a week, `[` `]` (or Page Up/Down) by a
month; Enter (or a click) picks the first day, and again the last. A single
day is a range already after the first pick, so "one day" needs one key. The
two picks may come in any order: the earlier day is the start. The calendar
always shows six weeks, so it keeps its size from month to month.

The widget only shows and reports (`Changed`); the screen decides what a
range means. Days outside the allowed span (the school year) are dimmed,
`marked` days (those already covered by something) are coloured, and today
is underlined.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from ediary_tui.i18n import month_name, weekday_name
from ediary_tui.widgets.keys import key

CELL = 3  # " 25": a day takes three columns, so a range is one unbroken band
WIDTH = 7 * CELL
HEIGHT = 8  # the month, the weekdays, six weeks

TITLE_STYLE = "bold"
ARROW_STYLE = "bold $text-primary"
WEEKDAY_STYLE = "$foreground-muted"
OUTSIDE_STYLE = "$foreground-disabled"
SUNDAY_STYLE = "$foreground-muted"
MARKED_STYLE = "$text-warning"
TODAY_STYLE = "underline"
# One band from end to end, today and marked days inside it too (a fainter middle read as
# a break in the range wherever another style sat on a day).
RANGE_STYLE = "$text on $primary"
ENDS_STYLE = "bold $text on $primary"
CURSOR_STYLE = "reverse"
CURSOR_BLURRED_STYLE = "underline bold"
_MONTH = Binding.Group("date_range.key_month")


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def month_weeks(year: int, month: int) -> list[list[dt.date | None]]:
    """Six weeks of the month, Monday first; days of other months are None."""
    weeks: list[list[dt.date | None]] = [
        [d if d.month == month else None for d in week]
        for week in calendar.Calendar(calendar.MONDAY).monthdatescalendar(year, month)
    ]
    while len(weeks) < 6:
        weeks.append([None] * 7)
    return weeks


class DateRangePicker(Widget, can_focus=True):
    """A month calendar with a cursor; Enter picks the first day, then the last."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "date_range.key_day", show=False),
        Binding("right", "move(1)", "date_range.key_day", show=False),
        Binding("up", "move(-7)", "date_range.key_week", show=False),
        Binding("down", "move(7)", "date_range.key_week", show=False),
        key(
            "left_square_bracket,pageup",
            "month(-1)",
            "date_range.key_previous_month",
            group=_MONTH,
        ),
        key("right_square_bracket,pagedown", "month(1)", "date_range.key_next_month", group=_MONTH),
        Binding("enter,space", "pick", "date_range.key_pick"),
    ]

    class Changed(Message):
        """The range changed: `waiting` while the first day is picked and the last is not."""

        def __init__(self, picker: DateRangePicker, start: dt.date, end: dt.date) -> None:
            super().__init__()
            self.picker = picker
            self.start = start
            self.end = end
            self.waiting = picker.anchor is not None

        @property
        def control(self) -> DateRangePicker:
            return self.picker

    def __init__(
        self,
        today: dt.date,
        *,
        start: dt.date | None = None,
        end: dt.date | None = None,
        first: dt.date | None = None,
        last: dt.date | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.today = today
        self.start = start
        self.end = end if end is not None else start
        self.first = first
        self.last = last
        self.cursor = start or today
        self.anchor: dt.date | None = None  # the first pick, while the last is awaited
        self.marked: frozenset[dt.date] = frozenset()

    # -- what the screen calls ---------------------------------------------------

    def set_range(self, start: dt.date | None, end: dt.date | None) -> None:
        """Show a range chosen elsewhere (typed dates); no `Changed` is sent."""
        self.start = start
        self.end = end if end is not None else start
        self.anchor = None
        if start is not None:
            self.cursor = start
        self.refresh()

    def set_marked(self, days: frozenset[dt.date]) -> None:
        self.marked = days
        self.refresh()

    # -- drawing -----------------------------------------------------------------

    def _allowed(self, day: dt.date) -> bool:
        return (self.first is None or day >= self.first) and (self.last is None or day <= self.last)

    def _in_range(self, day: dt.date) -> bool:
        if self.anchor is not None:
            low, high = sorted((self.anchor, self.cursor))
            return low <= day <= high
        return self.start is not None and self.end is not None and self.start <= day <= self.end

    def _is_end(self, day: dt.date) -> bool:
        if self.anchor is not None:
            return day == self.anchor
        return day in (self.start, self.end)

    def _day_style(self, day: dt.date) -> str:
        styles = []
        if not self._allowed(day):
            styles.append(OUTSIDE_STYLE)
        elif day in self.marked:
            styles.append(MARKED_STYLE)
        elif day.weekday() == 6:
            styles.append(SUNDAY_STYLE)
        if self._is_end(day):
            styles.append(ENDS_STYLE)
        elif self._in_range(day):
            styles.append(RANGE_STYLE)
        if day == self.today:
            styles.append(TODAY_STYLE)
        if day == self.cursor:
            styles.append(CURSOR_STYLE if self.has_focus else CURSOR_BLURRED_STYLE)
        return " ".join(styles)

    def title_line(self) -> Content:
        title = f"{month_name(self.cursor.month)} {self.cursor.year}"
        room = WIDTH - 2 - len(title)
        middle = Content.styled(title, TITLE_STYLE).pad(room // 2, room - room // 2)
        return Content.assemble(("‹", ARROW_STYLE), middle, ("›", ARROW_STYLE))

    def lines(self) -> list[Content]:
        """The calendar as lines of styled text (the tests read these too)."""
        names = [_day_name(i) for i in range(7)]
        header = Content.styled("".join(f"{name:>{CELL}}" for name in names), WEEKDAY_STYLE)
        lines = [self.title_line(), header]
        for week in month_weeks(self.cursor.year, self.cursor.month):
            parts: list[Content | tuple[str, str] | str] = []
            for day in week:
                if day is None:
                    parts.append(" " * CELL)
                else:
                    parts.append((f"{day.day:>{CELL}}", self._day_style(day)))
            lines.append(Content.assemble(*parts))
        return lines

    def render(self) -> Content:
        return Content("\n").join(self.lines())

    def get_content_width(self, container: object, viewport: object) -> int:
        return WIDTH

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return HEIGHT

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- keys and the mouse -------------------------------------------------------

    def _go(self, day: dt.date) -> None:
        self.cursor = day
        self.refresh()

    def action_move(self, days: int) -> None:
        self._go(self.cursor + dt.timedelta(days=days))

    def action_month(self, months: int) -> None:
        self._go(add_months(self.cursor, months))

    def action_pick(self) -> None:
        """The first pick makes a one-day range and waits; the second closes it."""
        day = self.cursor
        if self.anchor is None:
            self.start = self.end = day
            self.anchor = day
        else:
            self.start, self.end = sorted((self.anchor, day))
            self.anchor = None
        self.refresh()
        assert self.start is not None and self.end is not None
        self.post_message(self.Changed(self, self.start, self.end))

    def day_at(self, x: int, y: int) -> dt.date | None:
        """The day drawn at a content offset, if any."""
        if not 2 <= y < HEIGHT or not 0 <= x < WIDTH:
            return None
        return month_weeks(self.cursor.year, self.cursor.month)[y - 2][x // CELL]

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0 and offset.x == 0:
            self.action_month(-1)
        elif offset.y == 0 and offset.x == WIDTH - 1:
            self.action_month(1)
        elif (day := self.day_at(offset.x, offset.y)) is not None:
            self.focus()
            self._go(day)
            self.action_pick()


_A_MONDAY = dt.date(2024, 1, 1)


def _day_name(index: int) -> str:
    """Mo / Пн: two letters, as calendars print them."""
    return weekday_name(_A_MONDAY + dt.timedelta(days=index), short=True)[:2]
