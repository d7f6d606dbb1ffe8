"""The week as the diary shows it: a block per school day, a line per lesson.

One widget draws the whole week with Textual's line API (as Toolong draws a
log): turning to the next week lays out a hundred lines of text and repaints
the visible ones, with no widgets mounted, removed or laid out. That is what
keeps a key press to a repaint well under 50 ms; a widget per lesson and per
mark cost several layout passes of the whole screen each time.

The view keeps its own cursor over the lessons and marks in reading order
(up/down), says which is selected with `Selected`, and shows a mark's
description as a tooltip under the mouse. On a narrow terminal the days stack
in one column; from 116 columns they sit in two, from 170 in three.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from ediary_tui.clock import school_time
from ediary_tui.domain.models import Week
from ediary_tui.i18n import _, day_month
from ediary_tui.widgets.keys import PAGE_KEYS, up_down_keys

from .lesson_text import mark_key as mark_key  # what's new's tests read it here
from .mark_cell import describe_mark, mark_cell
from .week_day import (
    ABSENCE_STYLES as ABSENCE_STYLES,  # the journal shows absences alike
)
from .week_day import (
    CURSOR_LESSON_STYLE,
    CURSOR_MARK_STYLE,
    GUTTER,
    THREE_COLUMNS,
    TWO_COLUMNS,
    Block,
    Item,
    Line,
    day_block,
)


def behaviour_text(week: Week) -> tuple[str, str | None]:
    """The week's behaviour note and, apart, who wrote it and when (school's day)."""
    by, at = week.behaviour_note_by, week.behaviour_note_at
    text = _("week.behaviour", note=week.behaviour_note)
    if by is None or at is None:
        return text, None
    return text, _("week.note_by", who=by.full_name, date=day_month(school_time(at).date()))


class BehaviourNote(Widget):
    """The week's behaviour note above the days: the author and date follow on the same
    line where they fit, else on their own line, never broken as "25 / November"."""

    DEFAULT_CSS = "BehaviourNote { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text, self._by = "", None

    def show(self, text: str, by: str | None) -> None:
        self._text, self._by = text, by
        self.refresh(layout=True)

    def render(self) -> Content:
        bar = ("▌", "$secondary")
        if self._by is None:
            return Content.assemble(bar, " ", self._text)
        one = f"{self._text} {self._by}"
        if cell_len(one) + 2 <= self.content_size.width:
            return Content.assemble(bar, " ", one)
        return Content.assemble(bar, " ", self._text, "\n", bar, " ", self._by)


class WeekView(ScrollView, can_focus=True, inherit_bindings=False):
    """The days of one week, its lessons and marks (the screen shows the behaviour note
    above it, in view whichever day is on top)."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS: ClassVar[list[BindingType]] = [
        *up_down_keys("cursor(1)", "cursor(-1)"),
        Binding("enter", "toggle", "keys.expand", show=False),
        *PAGE_KEYS,
    ]

    @dataclass
    class Selected(Message):
        """The cursor (or the mouse) is on a lesson or a mark: say everything about it."""

        item: Item

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.week: Week | None = None
        self.today = dt.date.today()
        self.new: Collection[str] = frozenset()
        self.scale = (1, 5)
        self.marks_width = 0
        self.items: list[Item] = []
        self.cursor: int | None = None
        self.expanded: set[str] = set()
        self._lines: list[Line] = []
        self._spans: list[tuple[int, int, int, int]] = []  # per item: y0, y1, x0, x1
        self._day_y: dict[dt.date, int] = {}
        self._laid_out_width = 0
        self._hover: int | None = None
        self._start: dt.date | None = None  # the day to bring to the top after a resize

    # -- what the screen calls ---------------------------------------------------

    def show(self, week: Week, today: dt.date, new: Collection[str], *, keep_cursor: bool) -> None:
        """Paint `week`; keep the cursor on the same lesson or mark if asked and possible."""
        kept = self.items[self.cursor].key if keep_cursor and self.cursor is not None else None
        if self.week is None or self.week.start != week.start or not keep_cursor:
            self.expanded.clear()
        self.week, self.today, self.new = week, today, new
        settings = week.settings
        self.scale = (settings.scale_min, settings.scale_max) if settings else (1, 5)
        self.marks_width = max(
            (
                sum(mark_cell(m, scale=self.scale).cell_length + 1 for m in lesson.marks)
                for day in week.days
                for lesson in day.lessons
            ),
            default=0,
        )
        self.items = [
            Item(lesson, mark)
            for day in week.days
            for lesson in day.lessons
            for mark in (None, *lesson.marks)
        ]
        keys = [item.key for item in self.items]
        self.cursor = keys.index(kept) if kept in keys else None
        self._layout()

    def clear(self) -> None:
        """Nothing to show (the week is loading or cannot be had)."""
        self.week, self.items, self.cursor = None, [], None
        self._layout()

    def start_at(self, day: dt.date) -> None:
        """Put the cursor on the first lesson of `day` (or of the week) and that day on top."""
        self._start = day
        first = next(
            (i for i, item in enumerate(self.items) if item.lesson.starts_at.date() == day), None
        )
        if self.items:
            self.cursor = None  # so that Selected is posted even if the index is the same
            self._set_cursor(0 if first is None else first, scroll=False)
        self._scroll_to_start()

    def _scroll_to_start(self) -> None:
        """Bring the starting day's heading to the top (the week's top if it has no lessons)."""
        day = self._start
        has_lessons = any(item.lesson.starts_at.date() == day for item in self.items)
        top = self._day_y.get(day, 0) if day is not None and has_lessons else 0
        self.scroll_to(y=top, animate=False, immediate=True)

    def plain_lines(self) -> list[str]:
        """The week as laid out, as plain text (what a screen reader or a test reads)."""
        return [line.content.plain.rstrip() for line in self._lines]

    @property
    def selected(self) -> Item | None:
        return None if self.cursor is None else self.items[self.cursor]

    # -- laying out --------------------------------------------------------------

    def _columns(self, width: int) -> int:
        return 3 if width >= THREE_COLUMNS else 2 if width >= TWO_COLUMNS else 1

    def _layout(self) -> None:
        """Turn the week into lines at the current width."""
        width = max(self.scrollable_content_region.width, 20)
        self._laid_out_width = width
        lines: list[Line] = []
        self._spans = [(0, 0, 0, 0)] * len(self.items)
        self._day_y = {}
        week = self.week
        if week is not None:
            columns = self._columns(width)
            column_width = (width - GUTTER * (columns - 1)) // columns
            index = 0
            blocks: list[Block] = []
            for day in week.days:
                block, index = day_block(self, day.date, day.lessons, index, column_width)
                blocks.append(block)
            for start in range(0, len(blocks), columns):
                row = blocks[start : start + columns]
                height = max(len(b.lines) for b in row)
                top = len(lines)
                for block in row:
                    self._day_y[block.date] = top
                for y in range(height):
                    lines.append(self._join_row(row, y, column_width, top))
                lines.append(Line(Content("")))
        self._lines = lines
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def _join_row(self, row: list[Block], y: int, column_width: int, top: int) -> Line:
        """Line `y` of a row of day blocks, side by side; item spans become absolute."""
        parts: list[Content] = []
        hits: list[tuple[int, int, int]] = []
        for n, block in enumerate(row):
            offset = n * (column_width + GUTTER)
            if n:
                parts.append(Content(" " * GUTTER))
            if y < len(block.lines):
                line = block.lines[y]
                parts.append(line.content.truncate(column_width, pad=True))
                for x0, x1, item in line.hits:
                    hits.append((x0 + offset, x1 + offset, item))
                    y0, y1, sx0, sx1 = self._spans[item]
                    if y1 == 0:  # first line of the item
                        self._spans[item] = (top + y, top + y + 1, x0 + offset, x1 + offset)
                    else:
                        self._spans[item] = (y0, top + y + 1, sx0, sx1)
            else:
                parts.append(Content(" " * column_width))
        return Line(Content("").join(parts), hits)

    # -- drawing -----------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        number = scroll_y + y
        base = self.visual_style
        if number >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        content = self._lines[number].content
        if self.cursor is not None:
            y0, y1, x0, x1 = self._spans[self.cursor]
            if y0 <= number < y1:
                style = CURSOR_MARK_STYLE if self.items[self.cursor].mark else CURSOR_LESSON_STYLE
                content = content.stylize(style, x0, x1)
        strip = Strip(content.render_segments(base), content.cell_length)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_width()

    def watch_show_vertical_scrollbar(self) -> None:
        """A scroll bar that came or went changes the width without a resize."""
        self.call_after_refresh(self._fit_width)

    def _fit_width(self) -> None:
        """Lay the week out again when the width it was laid out for is gone."""
        if self.scrollable_content_region.width != self._laid_out_width:
            self._layout()
            if self._start is not None:  # laid out again before the user moved: same view
                self._scroll_to_start()
            else:
                self._scroll_to_cursor()

    # -- the cursor --------------------------------------------------------------

    def _set_cursor(self, index: int | None, *, scroll: bool = True) -> None:
        if scroll:  # the user moved: a resize keeps the cursor in view, not the day on top
            self._start = None
        if index is not None:
            index = max(0, min(index, len(self.items) - 1)) if self.items else None
        changed = index != self.cursor
        self.cursor = index
        self.refresh()
        if scroll:
            self._scroll_to_cursor()
        if index is not None and changed:
            self.post_message(self.Selected(self.items[index]))

    def _scroll_to_cursor(self) -> None:
        if self.cursor is not None:
            y0, y1, _, _ = self._spans[self.cursor]
            self.scroll_to_region(Region(0, y0, 1, y1 - y0), animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        if not self.items:
            self.scroll_relative(y=delta, animate=False)
            return
        self._set_cursor(0 if self.cursor is None else self.cursor + delta)

    def action_page(self, direction: int) -> None:
        """Move a screenful: to the first item below (or above) the visible lines."""
        height = self.scrollable_content_region.height
        self.scroll_relative(y=direction * height, animate=False)
        if self.items:
            top = self.scroll_offset.y + (height if direction > 0 else 0)
            ys = [span[0] for span in self._spans]
            if direction > 0:
                target = next((i for i, y in enumerate(ys) if y >= top), len(ys) - 1)
            else:
                target = next((i for i in range(len(ys) - 1, -1, -1) if ys[i] < top), 0)
            self._set_cursor(target)

    def action_edge(self, end: int) -> None:
        if self.items:
            self._set_cursor(len(self.items) - 1 if end else 0)
        else:
            self.scroll_to(y=self.max_scroll_y if end else 0, animate=False)

    def action_toggle(self) -> None:
        """Unfold the whole homework and comments of the lesson, or fold them again."""
        item = self.selected
        if item is None:
            return
        self.expanded.symmetric_difference_update({item.lesson.id})
        self._layout()
        self._scroll_to_cursor()

    # -- the mouse ---------------------------------------------------------------

    def _item_at(self, x: int, y: int) -> int | None:
        number = self.scroll_offset.y + y
        if not 0 <= number < len(self._lines):
            return None
        found = None
        for x0, x1, item in self._lines[number].hits:
            if x0 <= x + self.scroll_offset.x < x1:
                found = item  # marks come after their lesson: the narrowest wins
        return found

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._item_at(event.x, event.y)
        if index == self._hover:
            return
        self._hover = index
        item = None if index is None else self.items[index]
        if item is not None and item.mark is not None:
            self.tooltip = "\n".join(describe_mark(item.mark, item.lesson.subject.name))
            self.post_message(self.Selected(item))
        else:
            self.tooltip = None

    def on_leave(self, event: events.Leave) -> None:
        self._hover = None
        self.tooltip = None

    def on_click(self, event: events.Click) -> None:
        index = self._item_at(event.x, event.y)
        if index is None:
            return
        if index == self.cursor and self.items[index].mark is None:
            self.action_toggle()
        else:
            self._set_cursor(index)
