"""A line-API list with a header that stays while its rows scroll under it.

The report card's grid and the progress sparklines draw themselves a line at a
time (`render_line`): the first line is a header, the others are rows taken
from the scroll position, each cut to the window's width and scrolled sideways.
"""

from __future__ import annotations

from typing import ClassVar

from textual.content import Content
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBarRender
from textual.strip import Strip

HEADER = 1  # lines of header above the rows


class WholeCells(ScrollBarRender):
    """A scroll bar's thumb in whole cells: its usual half blocks (▄ ▆) at the ends look
    like the bars of the progress chart and read as one more figure beside the table."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8


class HeaderRows(ScrollView):
    """Draws `header()` over `body_line(number)`; nothing at all while `row_count()` is None."""

    def on_mount(self) -> None:
        self.vertical_scrollbar.renderer = WholeCells

    def header(self) -> Content:
        raise NotImplementedError

    def body_line(self, number: int) -> Content:
        raise NotImplementedError

    def row_count(self) -> int | None:
        """How many rows there are, or None while there is nothing to show (not even the header)."""
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        rows = self.row_count()
        number = scroll_y + y - HEADER
        if rows is None or (y >= HEADER and number >= rows):
            return Strip.blank(width, self.rich_style)
        content = self.header() if y < HEADER else self.body_line(number)
        strip = Strip(content.render_segments(self.visual_style), content.cell_length)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)
