"""The journal grid's measures: the header's lines, a lesson's cell, the summary, a name;
and a lesson column as the header shows it. The grid (journal_grid.py) draws with them,
the journal's painter (screens/journal/grid_paint.py) builds its columns.
"""

from __future__ import annotations

from dataclasses import dataclass

HEADER = 2  # lines: the date, then the lesson number
CELL = 5  # what a lesson's cell shows: "5 4", "н 5", "•"
COLUMN = CELL + 1  # with the gap before it
SUMMARY = (5, 5, 5)  # average, proposed, period mark: a space and four characters each
ABSENCES = 6  # lessons missed of lessons so far: " 12/48"
YEAR_MARK = 5  # the year mark, on the year's last period
PERIOD_END = (*SUMMARY, ABSENCES)  # what every period shows
LAST_PERIOD = (*PERIOD_END, YEAR_MARK)  # and the year's last period


def summary_width(widths: tuple[int, ...] = SUMMARY) -> int:
    """The summary's width: its columns, the rule before, a space after."""
    return 1 + sum(widths) + 1


SUMMARY_WIDTH = summary_width()
MIN_NAME, MAX_NAME = 10, 22

CURSOR_STYLE = "reverse"  # not a component class: a visual style has no reverse
ZEBRA_STYLE = "on $boost"  # laid under a line's cells, blended as the marks' colours are
# A lesson still to come. Left inline: as a component class ($text-muted) it would read
# grey, where this string has always drawn it white (the snapshots say so); a fix to name.
FUTURE_STYLE = "$text-muted"


@dataclass(frozen=True)
class GridColumn:
    """A lesson: its key, the two header lines, and whether it is today's or still to come."""

    key: str
    top: str
    bottom: str
    today: bool = False
    future: bool = False


def name_width(longest: int, room: int, summary: int = SUMMARY_WIDTH) -> int:
    """The names' width: enough for the longest (within limits), plus what whole columns leave
    beside the summary (`summary` wide)."""
    cap = MAX_NAME if room >= 100 else 18
    name = max(MIN_NAME, min(cap, longest + 2))
    spare = (room - name - summary) % COLUMN if room > name + summary else 0
    return name + min(spare, max(MAX_NAME - name, 0))


def lessons_scroll(x: int, column: int, lessons: int, *, center: bool) -> int:
    """Where the lessons (`lessons` wide, scrolled to `x`) scroll to show `column`: where
    they are if it shows, else half a screen on (or with it a third in, `center`)."""
    left = column * COLUMN
    if center:
        x = left + COLUMN - lessons + (lessons // COLUMN // 3) * COLUMN
    elif not x <= left < x + lessons:
        x = left - (lessons - COLUMN) // 2
    # A whole number of columns to the left, so the first column is never cut.
    return -(-x // COLUMN) * COLUMN if x > 0 else 0
