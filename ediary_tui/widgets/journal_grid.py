"""The journal's grid: students down, lessons across, marks and absences in the cells.

Drawn with Textual's line API, not with a `DataTable`: a DataTable renders
every column of every visible row again after any `update_cell` (its caches
are keyed by a table-wide update counter), which at 60 lessons by 35 students
is 150-300 ms a key press. Here a cell is a short strip cached per row; a
change re-renders that one row's line, a cursor move two lines and the header.

Three parts on every line: the students' names frozen at the left, the
lessons scrolled sideways under the cursor, and the summary pinned at the
right (the average, the proposed and the set period mark, the lessons missed,
the year mark on the year's last period: the screen says which columns and
how wide), so they stay in sight whichever lesson the cursor is on. The header is two lines (date, then lesson number
with the weight of its control form) and stays at the top.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style as VisualStyle

from ediary_tui.widgets.journal_grid_layout import (
    CELL,
    COLUMN,
    CURSOR_STYLE,
    FUTURE_STYLE,
    HEADER,
    MIN_NAME,
    SUMMARY,
    ZEBRA_STYLE,
    GridColumn,
    lessons_scroll,
    name_width,
    summary_width,
)


@dataclass
class CellMessage(Message):
    """About one cell: its student's key and its lesson's."""

    row_key: str
    column_key: str


class JournalGrid(ScrollView, can_focus=True, inherit_bindings=False):
    """Students by lessons; the cursor stands on one cell and says so with `CursorMoved`."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "journal-grid--heading",  # the header's words
        "journal-grid--today",  # today's lesson in the header
        "journal-grid--numbers",  # the label of the lessons' numbers in the header
        "journal-grid--rule",  # the lines between names, lessons and the summary
        "journal-grid--cursor-name",  # the name of the student under the cursor
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1, 0)", show=False),
        Binding("down", "move(1, 0)", show=False),
        Binding("left", "move(0, -1)", show=False),
        Binding("right", "move(0, 1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "edge_column(0)", show=False),
        Binding("end", "edge_column(1)", show=False),
        Binding("ctrl+home", "edge_row(0)", show=False),
        Binding("ctrl+end", "edge_row(1)", show=False),
        # Not in the footer: 80 columns in Russian keep "? help" only without it.
        Binding("enter", "activate", "journal.key_details", show=False),
    ]

    class CursorMoved(CellMessage):
        """The cursor stands on another cell."""

    class Activated(CellMessage):
        """Enter (or a click on the cursor's cell): show everything about the cell."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[tuple[str, str]] = []  # (key, label)
        self.columns: list[GridColumn] = []
        self.headings: tuple[str, ...] = ("", "", "", "")  # names, then the summary's columns
        self.numbers_heading = ""  # what the second header line (the lessons' numbers) is
        self.summary_widths: tuple[int, ...] = SUMMARY
        self._row_index: dict[str, int] = {}
        self._column_index: dict[str, int] = {}
        self._cells: dict[tuple[str, str], Content] = {}
        self._summary: dict[str, tuple[Content, ...]] = {}
        self._row_strips: dict[int, dict[int, Strip]] = {}  # row -> column -> its strip
        self._name_strips: dict[tuple[int, bool], Strip] = {}
        self._summary_strips: dict[int, Strip] = {}
        self._name_width = MIN_NAME
        self.cursor_row = self.cursor_column = 0
        self._centred = False  # the cursor was put in the middle and has not moved since

    # -- what the screen calls ---------------------------------------------------

    def load(
        self,
        rows: list[tuple[str, str]],
        columns: list[GridColumn],
        cells: dict[tuple[str, str], Content],
        summary: dict[str, tuple[Content, ...]],
        headings: tuple[str, ...],
        widths: tuple[int, ...] = SUMMARY,
        numbers_heading: str = "",
    ) -> None:
        """Show a whole journal (a new class, subject or period); the cursor goes to 0, 0.
        `headings` are the names' then the summary's, whose columns are `widths` wide;
        `numbers_heading` names the second header line, the lessons' numbers in the day."""
        self.rows, self.columns, self.headings = rows, columns, headings
        self.numbers_heading = numbers_heading
        self.summary_widths = widths
        self._row_index = {key: i for i, (key, _) in enumerate(rows)}
        self._column_index = {c.key: i for i, c in enumerate(columns)}
        self._cells = dict(cells)
        self._summary = dict(summary)
        self._clear_strips()
        self.cursor_row = self.cursor_column = 0
        self._size_up()
        self.refresh()

    def set_cell(self, row_key: str, column_key: str, content: Content) -> None:
        """Change one cell: its row's line is the only one drawn again."""
        key = (row_key, column_key)
        if self._cells.get(key) == content:
            return
        self._cells[key] = content
        row = self._row_index.get(row_key)
        if row is not None:
            self._row_strips.get(row, {}).pop(self._column_index.get(column_key, -1), None)
            self._refresh_row(row)

    def set_summary(self, row_key: str, contents: tuple[Content, ...]) -> None:
        if self._summary.get(row_key) == contents:
            return
        self._summary[row_key] = contents
        row = self._row_index.get(row_key)
        if row is not None:
            self._summary_strips.pop(row, None)
            self._refresh_row(row)

    def cell(self, row_key: str, column_key: str) -> Content:
        return self._cells.get((row_key, column_key), Content(""))

    def summary(self, row_key: str) -> tuple[Content, ...]:
        return self._summary.get(row_key, ())

    @property
    def cursor_key(self) -> tuple[str, str] | None:
        """(student, lesson) under the cursor; None in an empty journal."""
        if not self.rows or not self.columns:
            return None
        return self.rows[self.cursor_row][0], self.columns[self.cursor_column].key

    def move_to(
        self,
        row: int | None = None,
        column: int | None = None,
        *,
        announce: bool = True,
        center: bool = False,
    ) -> None:
        """Put the cursor on a cell (clamped to the grid) and bring it into view."""
        if not self.rows or not self.columns:
            return
        old = (self.cursor_row, self.cursor_column)
        new_row = max(0, min(len(self.rows) - 1, self.cursor_row if row is None else row))
        new_column = max(
            0, min(len(self.columns) - 1, self.cursor_column if column is None else column)
        )
        self.cursor_row, self.cursor_column = new_row, new_column
        self._centred = center
        self._scroll_to_cursor(center=center)
        if old != (new_row, new_column):
            self._refresh_row(old[0])
            self._refresh_row(new_row)
            if old[1] != new_column:
                self.refresh_lines(self.scroll_offset.y, HEADER)
        if announce:
            key = self.cursor_key
            if key is not None:
                self.post_message(self.CursorMoved(*key))

    def move_to_key(self, row_key: str | None = None, column_key: str | None = None) -> None:
        self.move_to(
            self._row_index.get(row_key) if row_key is not None else None,
            self._column_index.get(column_key) if column_key is not None else None,
        )

    def plain_lines(self) -> list[str]:
        """What the visible lines read, as text (for tests and screen readers)."""
        height = self.scrollable_content_region.height
        return [self.render_line(y).text.rstrip() for y in range(height)]

    # -- geometry ----------------------------------------------------------------

    @property
    def _lessons_width(self) -> int:
        """The width the scrolled lessons get between the names and the summary: whole columns."""
        width = self.scrollable_content_region.width
        fit = max((width - self._name_width - self._summary_width) // COLUMN, 1)
        return min(fit, max(len(self.columns), 1)) * COLUMN  # the summary follows a short period

    def _size_up(self) -> None:
        """The names' width (`name_width`), and the whole grid's size to scroll over."""
        longest = max((len(label) for _, label in self.rows), default=MIN_NAME)
        room = self.scrollable_content_region.width
        self._name_width = name_width(longest, room, self._summary_width)
        self.virtual_size = Size(
            self._name_width + len(self.columns) * COLUMN + self._summary_width,
            HEADER + len(self.rows),
        )

    @property
    def _summary_width(self) -> int:
        return summary_width(self.summary_widths)

    def on_resize(self, event: events.Resize) -> None:
        # Also when the scrollbars of a journal just loaded come or go.
        self._size_up()
        self._clear_strips()
        self._scroll_to_cursor(center=self._centred)

    def _clear_strips(self) -> None:
        self._row_strips.clear()
        self._name_strips.clear()
        self._summary_strips.clear()

    def notify_style_update(self) -> None:
        """A new theme: the cached strips have the old colours."""
        super().notify_style_update()
        self._clear_strips()

    def _scroll_to_cursor(self, *, center: bool = False) -> None:
        """Keep the cursor in view; when it leaves, jump half a screen, not one line.

        Scrolling repaints the whole grid, so going down a column of 35 scrolls
        twice or so instead of at every key, and the next students stay in sight.
        """
        if not self.rows:
            return
        x, y = self.scroll_offset
        visible_rows = max(self.scrollable_content_region.height - HEADER, 1)
        row = self.cursor_row
        if center or not y <= row < y + visible_rows:
            y = row - visible_rows // 2
        x = lessons_scroll(x, self.cursor_column, self._lessons_width, center=center)
        # Forced: a journal just loaded may overflow before its scrollbars are laid out.
        self.scroll_to(x=x, y=max(y, 0), animate=False, immediate=True, force=True)

    def _refresh_row(self, row: int) -> None:
        y = HEADER + row - self.scroll_offset.y
        if HEADER <= y < self.size.height:
            self.refresh_lines(y + self.scroll_offset.y)

    # -- drawing -----------------------------------------------------------------

    def _strip(self, content: Content, width: int) -> Strip:
        content = content.truncate(width, pad=True)
        return Strip(content.render_segments(self.visual_style), width)

    def _cell_strip(self, row: int, column: int, cursor: bool) -> Strip:
        content = self._cells.get((self.rows[row][0], self.columns[column].key), Content(""))
        content = content.truncate(CELL, ellipsis=True).center(CELL)
        if cursor:
            content = content.stylize(CURSOR_STYLE)
        line = Content.assemble(" ", content)
        if row % 2:
            line = line.stylize_before(ZEBRA_STYLE)
        return self._strip(line, COLUMN)

    def _lesson_strip(self, row: int, column: int) -> Strip:
        """A cell as drawn without the cursor, made when first in view and kept."""
        strips = self._row_strips.setdefault(row, {})
        strip = strips.get(column)
        if strip is None:
            strip = strips[column] = self._cell_strip(row, column, False)
        return strip

    def _lessons_line(self, strip_at: Callable[[int], Strip]) -> Strip:
        """The part of a line of lesson columns that the horizontal scroll shows.

        Only the columns in view are asked for: a half-year has 60 lessons, a
        screen shows a dozen, and scrolling down brings in rows never drawn.
        """
        x = self.scroll_offset.x
        width = self._lessons_width
        first = x // COLUMN
        last = min(len(self.columns), (x + width) // COLUMN + 1)
        joined = (
            Strip.join([strip_at(c) for c in range(first, last)])
            if last > first
            else Strip.blank(0)
        )
        shift = x - first * COLUMN
        return joined.crop_extend(shift, shift + width, self.rich_style)

    def _part(self, name: str) -> VisualStyle:
        """The style of one part of the grid, from its component class (journal_grid.tcss)."""
        return self.get_visual_style(f"journal-grid--{name}", partial=True)

    def _summary_strip(self, contents: tuple[Content, ...], style: str | VisualStyle = "") -> Strip:
        parts: list[Content] = [Content.styled("│", self._part("rule"))]
        widths = self.summary_widths
        contents = (*contents[: len(widths)], *(Content(""),) * (len(widths) - len(contents)))
        for width, content in zip(widths, contents, strict=True):
            parts.append(Content(" ") + content.truncate(width - 1, ellipsis=True).right(width - 1))
        line = Content.assemble(*parts)
        if style:
            line = line.stylize_before(style)
        return self._strip(line, self._summary_width)

    def _name_strip(self, text: str, *styles: str | VisualStyle) -> Strip:
        name = Content(text).truncate(self._name_width - 2, ellipsis=True, pad=True)
        label = Content(name.plain)
        for style in styles:
            label = label.stylize(style)
        line = Content.assemble(" ", label, Content.styled("│", self._part("rule")))
        return self._strip(line, self._name_width)

    def _header_line(self, y: int) -> Strip:
        if y == 0:
            name = self._name_strip(self.headings[0], self._part("heading"))
        else:  # against the rule, so it reads as the label of the numbers beside it
            label = self.numbers_heading[: self._name_width - 2].rjust(self._name_width - 2)
            name = self._name_strip(label, self._part("numbers"))

        def strip_at(index: int) -> Strip:
            column = self.columns[index]
            text = column.top if y == 0 else column.bottom
            style = self._part("today" if column.today else "heading")
            label = Content.styled(text.center(CELL), FUTURE_STYLE if column.future else style)
            if index == self.cursor_column:
                label = label.stylize(CURSOR_STYLE)
            return self._strip(Content.assemble(" ", label), COLUMN)

        summary = self.headings[1:] if y == 0 else ()
        summary_strip = self._summary_strip(
            tuple(Content(h) for h in summary), self._part("heading")
        )
        return Strip.join([name, self._lessons_line(strip_at), summary_strip])

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y < HEADER:
            return self._header_line(y).crop_extend(0, width, self.rich_style)
        row = self.scroll_offset.y + y - HEADER
        if not 0 <= row < len(self.rows):
            return Strip.blank(width, self.rich_style)
        key, label = self.rows[row]
        cursor_here = row == self.cursor_row
        cursor_column = self.cursor_column if cursor_here else -1

        def strip_at(column: int) -> Strip:
            if column == cursor_column:
                return self._cell_strip(row, column, True)
            return self._lesson_strip(row, column)

        zebra = ZEBRA_STYLE if row % 2 else ""
        name = self._name_strips.get((row, cursor_here))
        if name is None:
            styles = (self._part("cursor-name"),) if cursor_here else ()
            name = self._name_strip(label, *styles, *((zebra,) if zebra else ()))
            self._name_strips[(row, cursor_here)] = name
        summary = self._summary_strips.get(row)
        if summary is None:
            summary = self._summary_strip(self._summary.get(key, ()), zebra)
            self._summary_strips[row] = summary
        line = Strip.join([name, self._lessons_line(strip_at), summary])
        return line.crop_extend(0, width, self.rich_style)

    # -- keys and the mouse ------------------------------------------------------

    def action_move(self, rows: int, columns: int) -> None:
        self.move_to(self.cursor_row + rows, self.cursor_column + columns)

    def action_page(self, direction: int) -> None:
        step = max(self.scrollable_content_region.height - HEADER - 1, 1)
        self.move_to(self.cursor_row + direction * step)

    def action_edge_column(self, end: int) -> None:
        self.move_to(column=len(self.columns) - 1 if end else 0)

    def action_edge_row(self, end: int) -> None:
        self.move_to(row=len(self.rows) - 1 if end else 0)

    def action_activate(self) -> None:
        key = self.cursor_key
        if key is not None:
            self.post_message(self.Activated(*key))

    def _cell_at(self, x: int, y: int) -> tuple[int, int] | None:
        row = self.scroll_offset.y + y - HEADER
        lessons_x = x - self._name_width
        if y < HEADER or not 0 <= row < len(self.rows):
            return None
        if not 0 <= lessons_x < self._lessons_width:
            return None
        column = (self.scroll_offset.x + lessons_x) // COLUMN
        return (row, column) if column < len(self.columns) else None

    def on_click(self, event: events.Click) -> None:
        found = self._cell_at(event.x, event.y)
        if found is None:
            return
        if found == (self.cursor_row, self.cursor_column):
            self.action_activate()
        else:
            self.move_to(*found)
