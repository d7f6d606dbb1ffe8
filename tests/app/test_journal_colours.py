"""Marks at 16 colours (TERM=xterm): each grade keeps a colour of its own.

A 16-colour terminal shows each colour as the nearest of the 16 ANSI ones; with the
theme's $warning and $error both became bright red, so a 3 read as a 2. The grades'
styles are resolved here with the app's own theme variables and brought down to 16
colours as Rich does for such a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from rich.color import ColorSystem
from textual.app import App
from textual.color import Color
from textual.strip import Strip

from ediary_tui.app import EdiaryApp
from ediary_tui.widgets.header_rows import HEADER
from ediary_tui.widgets.journal_grid_layout import HEADER as JOURNAL_HEADER
from ediary_tui.widgets.mark_cell import GRADE_STYLES, grade_of
from ediary_tui.widgets.report_grid import ReportGrid
from ediary_tui.widgets.week_grid import WeekView

from .journal_fixtures import grid_of, journal_app, loaded, logged_in
from .test_login import until
from .test_report_card import open_card
from .test_week import FRESH, freshness, open_diary


def ansi_colour(style: str, variables: dict[str, str]) -> int | None:
    """The ANSI colour number (0-15) a grade's style shows in on a 16-colour terminal."""
    names = re.findall(r"\$([\w-]+)", style)
    assert len(names) == 1, style
    color = Color.parse(variables[names[0]]).rich_color.downgrade(ColorSystem.STANDARD)
    return color.number


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_good_fair_and_poor_marks_differ_at_16_colours(theme: str) -> None:
    app: App[None] = App()
    async with app.run_test():
        app.theme = theme
        variables = app.theme_variables
        shown = {
            value: ansi_colour(GRADE_STYLES[grade_of(value)], variables) for value in range(1, 6)
        }
    assert shown[5] == shown[4]
    assert shown[2] == shown[1]
    assert len({shown[5], shown[3], shown[2]}) == 3, shown
    assert shown[2] in (1, 9)  # red: a fail reads as one
    assert shown[5] in (2, 10)  # green
    assert shown[3] in (3, 11)  # yellow


# --- more than colour: bold, plain, reversed, in every view that shows marks (issue 15) -----

GOOD, FAIR, POOR = (True, False), (False, False), (True, True)  # (bold, reverse)
EXPECTED = {5: GOOD, 4: GOOD, 3: FAIR, 2: POOR, 1: POOR}


def mark_looks(strip: Strip, pattern: str) -> dict[int, set[tuple[bool, bool]]]:
    """{value: {(bold, reverse)}} of the segments of a drawn line that are one mark."""
    found: dict[int, set[tuple[bool, bool]]] = {}
    for segment in strip:
        text, style = segment.text, segment.style
        if style is None or style.underline or not re.fullmatch(pattern, text):
            continue  # underlined: a comment or the week's cursor
        value = int(text.strip()[0])
        found.setdefault(value, set()).add((bool(style.bold), bool(style.reverse)))
    return found


def assert_told_apart(found: dict[int, set[tuple[bool, bool]]]) -> None:
    """Each mark seen looks as its grade does, and good, fair and poor were all seen."""
    for value, looks in found.items():
        assert looks == {EXPECTED[value]}, (value, looks)
    assert {EXPECTED[v] for v in found} == {GOOD, FAIR, POOR}, found


class TestMarksToldApartWithoutColour:
    async def test_in_the_journal(self, school: Callable[[], httpx.ASGITransport]) -> None:
        app = journal_app(await logged_in(school()))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await loaded(pilot)
            grid = grid_of(app)
            left, width = grid._name_width, grid._lessons_width
            found: dict[int, set[tuple[bool, bool]]] = {}
            for y in range(JOURNAL_HEADER, JOURNAL_HEADER + len(grid.rows)):
                if y - JOURNAL_HEADER + grid.scroll_offset.y == grid.cursor_row:
                    continue  # the cursor's cell is reversed as a whole
                lessons = grid.render_line(y).crop(left, left + width)
                for value, looks in mark_looks(lessons, r"\s*[1-5]\s*").items():
                    found.setdefault(value, set()).update(looks)
            assert screen.state is not None
            assert_told_apart(found)

    async def test_in_the_week_and_the_report_card(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            week = await open_diary(app, pilot, "student")
            found: dict[int, set[tuple[bool, bool]]] = {}
            for _week in range(12):  # back from this week until every grade was seen
                monday = week.monday
                view = week.query_one(WeekView)
                for y in range(view.scrollable_content_region.height):
                    line = view.render_line(y)
                    for value, looks in mark_looks(line, "[1-5][⁰¹²³⁴⁵⁶⁷⁸⁹]+").items():
                        found.setdefault(value, set()).update(looks)
                if {EXPECTED[v] for v in found} == {GOOD, FAIR, POOR}:
                    break
                await pilot.press("left_square_bracket")
                await until(
                    pilot,
                    lambda m=monday: (
                        week.monday < m
                        and week.week is not None
                        and week.week.start == week.monday
                        and freshness(app) == FRESH
                    ),
                )
                await pilot.pause()
            assert_told_apart(found)

            card = await open_card(app, pilot)
            grid = card.query_one(ReportGrid)
            found = {}
            for y in range(HEADER, HEADER + len(card.card.subjects if card.card else [])):
                if y - HEADER == grid.row:
                    continue  # the cursor's cell is reversed as a whole
                for value, looks in mark_looks(grid.render_line(y), r"\s+[1-5]\s+").items():
                    found.setdefault(value, set()).update(looks)
            for value, looks in found.items():  # the demo card has no 1: 2 is poor enough
                assert looks == {EXPECTED[value]}, (value, looks)
            assert {EXPECTED[v] for v in found} == {GOOD, FAIR, POOR}, found
