"""The report card as a table: subjects down, the periods of the year across.

Each period's cell holds the weighted average and the period mark; a mark the
teacher has not set yet shows the one proposed from the average, in brackets
and italics, so nobody takes it for the final one. The year mark and the
lessons missed close the line: missed in the period under the cursor (in the year
when the cursor is on the year mark), its heading saying which, so the column and
the details line always count the same lessons.

Drawn with the line API, like the week view: sixteen subjects by four
periods is small, but a cell cursor, a header that stays on top and a
highlighted current period are simpler drawn than bent out of a DataTable.
The cursor moves over the period cells and the year cell; Enter (or a click
on the cell under the cursor) opens the subject's marks for that period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message

from ediary_tui.domain.models import Period, ReportCard, ReportSubject, SubjectPeriod
from ediary_tui.domain.periods import period_containing
from ediary_tui.i18n import _, number, short_date
from ediary_tui.widgets.keys import PAGE_KEYS, key, up_down_keys

from .header_rows import HEADER, HeaderRows
from .mark_cell import GRADE_STYLES, grade_of

GAP = 2
YEAR_WIDTH = 5
MIN_NAME, MAX_NAME = 12, 32

HEADER_STYLE = "bold $text-muted"
CURRENT_HEADER_STYLE = "bold $text-primary"
CURSOR_STYLE = "reverse"
ROW_STYLE = "on $boost"
NAME_STYLE = "bold"
EMPTY_STYLE = "$text-muted"
AVERAGE_STYLE = "$text"
PROPOSED_STYLE = "italic $text-muted"
DIFFERS_STYLE = "bold $text-warning"  # the service's own average differs from ours
EMPTY = "·"


@dataclass(frozen=True)
class Cell:
    """Where the cursor stands: a subject and a period (None: the whole year)."""

    subject: ReportSubject
    period: Period | None
    figures: SubjectPeriod | None


def period_mark_content(
    figures: SubjectPeriod | None, scale: tuple[int, int], width: int
) -> Content:
    """The period mark, or the proposed one in brackets and italics, centred in `width`."""
    if figures is None or (figures.mark is None and figures.proposed is None):
        return Content(" " * width)
    if figures.mark is not None:
        text = str(figures.mark).center(width)
        return Content.styled(text, GRADE_STYLES[grade_of(figures.mark, *scale)])
    text = f"({figures.proposed})".center(width)
    return Content.styled(text, PROPOSED_STYLE)


def period_name(period: Period) -> str:
    """'2nd quarter' / '2-я четверть': the period in the user's language."""
    key = f"report_card.{period.kind}_{period.number}"
    text = _(key)
    return period.name if text == key else text


def period_short(period: Period) -> str:
    """'Q2' / 'II': a period as a column heading."""
    key = f"report_card.{period.kind}_{period.number}_short"
    text = _(key)
    return str(period.number) if text == key else text


def period_span(period: Period) -> str:
    """'2nd quarter (5 Nov – 28 Dec)'."""
    return _(
        "report_card.period_span",
        name=period_name(period),
        start=short_date(period.starts_on),
        end=short_date(period.ends_on),
    )


def missed_text(count: int, ill: int, *, year: bool = False) -> str:
    """'missed 2 (ill 1)', 'missed 2', or 'nothing missed'."""
    prefix = "report_card.missed_year" if year else "report_card.missed_period"
    if not count:
        return _(f"{prefix}_none")
    if not ill:
        return _(prefix, count=count)
    return _(f"{prefix}_ill", count=count, ill=ill)


def average_text(average: float | None) -> str:
    return "" if average is None else number(average)


def service_differs(figures: SubjectPeriod) -> bool:
    """Whether a real diary's own average differs from ours (both are then shown)."""
    theirs = figures.service_average
    if theirs is None:
        return False
    return figures.average is None or average_text(figures.average) != average_text(theirs)


class ReportGrid(HeaderRows, can_focus=True, inherit_bindings=False):
    """Subjects by periods; the cursor picks a subject and a period (or the year)."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    BINDINGS: ClassVar[list[BindingType]] = [
        *up_down_keys("move(1, 0)", "move(-1, 0)"),
        key("left,h", "move(0, -1)", show=False),
        key("right,l", "move(0, 1)", show=False),
        Binding("enter", "activate", "report_card.key_open"),
        *PAGE_KEYS,
    ]

    @dataclass
    class Selected(Message):
        """The cursor is on another cell."""

        cell: Cell

    @dataclass
    class Activated(Message):
        """Open the cell: the subject's marks in that period (or the year)."""

        cell: Cell

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.card: ReportCard | None = None
        self.today = dt.date.today()
        self.scale = (1, 5)
        self.row = 0
        self.column = 0  # 0..len(periods)-1 a period, len(periods) the year
        self._name_width = MIN_NAME
        self._mark_width = 3

    # -- what the screen calls ---------------------------------------------------

    def show(self, card: ReportCard, today: dt.date, scale: tuple[int, int]) -> None:
        """Paint `card`; the cursor stays on the same subject and column when it can."""
        kept = self.selected
        first_show = self.card is None
        self.card, self.today, self.scale = card, today, scale
        self._mark_width = len(str(scale[1])) + 2
        ids = [s.id for s in card.subjects]
        if kept is not None and kept.subject.id in ids:
            self.row = ids.index(kept.subject.id)
        else:
            self.row = min(self.row, max(len(ids) - 1, 0))
        if first_show or kept is None:
            current = period_containing(card.periods, today)
            if current is None:  # holidays: the last period over
                over = [p for p in card.periods if p.ends_on < today]
                current = over[-1] if over else None
            self.column = card.periods.index(current) if current is not None else 0
        self.column = min(self.column, len(card.periods))
        self._size_up()
        self._post_selected()

    @property
    def selected(self) -> Cell | None:
        card = self.card
        if card is None or not card.subjects:
            return None
        subject = card.subjects[self.row]
        if self.column < len(card.periods):
            return Cell(subject, card.periods[self.column], subject.periods[self.column])
        return Cell(subject, None, None)

    def select(self, subject_id: str, period_id: str | None) -> None:
        """Put the cursor on a subject's period (None: its year mark)."""
        card = self.card
        if card is None:
            return
        ids = [s.id for s in card.subjects]
        if subject_id in ids:
            self.row = ids.index(subject_id)
        periods = [p.id for p in card.periods]
        self.column = periods.index(period_id) if period_id in periods else len(periods)
        self.refresh()
        self._scroll_to_cursor()
        self._post_selected()

    def plain_lines(self) -> list[str]:
        """The table as text, header first (what a test or a screen reader reads)."""
        card = self.card
        if card is None:
            return []
        return [self.header().plain.rstrip()] + [
            self._row_content(n, cursor=False).plain.rstrip() for n in range(len(card.subjects))
        ]

    # -- laying out --------------------------------------------------------------

    def _period_width(self) -> int:
        return 4 + 1 + self._mark_width  # "3.81 (4)"

    def _size_up(self) -> None:
        card = self.card
        rows = len(card.subjects) if card else 0
        periods = len(card.periods) if card else 0
        # One blank column at the right: the scroll bar beside the last column is no column.
        width = max(self.scrollable_content_region.width - 1, 20)
        fixed = (
            1
            + periods * (GAP + self._period_width())
            + GAP
            + YEAR_WIDTH
            + GAP
            + self._missed_width()
        )
        longest = max((len(s.name) for s in card.subjects), default=MIN_NAME) if card else 0
        self._name_width = max(MIN_NAME, min(MAX_NAME, longest + 1, width - fixed))
        self.virtual_size = Size(self._name_width + fixed + 1, rows + HEADER)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._size_up()
        self._scroll_to_cursor()

    # -- drawing -----------------------------------------------------------------

    def _current_period(self) -> Period | None:
        return period_containing(self.card.periods, self.today) if self.card else None

    def header(self) -> Content:
        card = self.card
        assert card is not None
        current = self._current_period()
        parts: list[Content] = [
            Content.styled(" " + _("report_card.subject").ljust(self._name_width), HEADER_STYLE)
        ]
        for period in card.periods:
            style = CURRENT_HEADER_STYLE if period is current else HEADER_STYLE
            title = period_short(period).center(self._period_width())
            parts.append(Content(" " * GAP))
            parts.append(Content.styled(title, style))
        parts.append(Content(" " * GAP))
        parts.append(Content.styled(_("report_card.year").center(YEAR_WIDTH), HEADER_STYLE))
        parts.append(Content(" " * GAP))
        missed = self._missed_heading(self.column).rjust(self._missed_width())
        parts.append(Content.styled(missed, HEADER_STYLE))
        return Content("").join(parts)

    def _missed_heading(self, column: int) -> str:
        """'Missed Q2' / 'Missed year': which lessons the last column counts."""
        card = self.card
        assert card is not None
        if column < len(card.periods):
            return _("report_card.missed_in", period=period_short(card.periods[column]))
        return _("report_card.missed_in", period=_("report_card.missed_year_short"))

    def _missed_width(self) -> int:
        """As wide as the longest heading, so moving the cursor never shifts the table."""
        card = self.card
        if card is None:
            return len(_("report_card.missed"))
        return max(len(self._missed_heading(c)) for c in range(len(card.periods) + 1))

    def _period_content(self, figures: SubjectPeriod) -> Content:
        if figures.average is None and figures.mark is None:
            return Content.styled(EMPTY.center(self._period_width()), EMPTY_STYLE)
        # A star between: the service's own average differs (the details line gives it).
        gap = ("*", DIFFERS_STYLE) if service_differs(figures) else " "
        return Content.assemble(
            (average_text(figures.average).rjust(4), AVERAGE_STYLE),
            gap,
            period_mark_content(figures, self.scale, self._mark_width),
        )

    def _year_content(self, subject: ReportSubject) -> Content:
        if subject.year_mark is None:
            return Content.styled(EMPTY.center(YEAR_WIDTH), EMPTY_STYLE)
        style = GRADE_STYLES[grade_of(subject.year_mark, *self.scale)]
        return Content.styled(str(subject.year_mark).center(YEAR_WIDTH), style)

    def _missed_content(self, subject: ReportSubject) -> Content:
        """Lessons missed in the cursor's period (or the year): 0 is a count like any other."""
        if self.column < len(subject.periods):
            missed = subject.periods[self.column].absences
        else:
            missed = sum(p.absences for p in subject.periods)
        text = str(missed).rjust(self._missed_width())
        return Content.styled(text, EMPTY_STYLE) if not missed else Content(text)

    def _row_content(self, row: int, *, cursor: bool) -> Content:
        card = self.card
        assert card is not None
        subject = card.subjects[row]
        name = Content(subject.name).truncate(self._name_width, ellipsis=True, pad=True)
        cells = [self._period_content(f) for f in subject.periods]
        cells.append(self._year_content(subject))
        parts: list[Content] = [Content(" "), name.stylize(NAME_STYLE)]
        for n, cell in enumerate(cells):
            parts.append(Content(" " * GAP))
            if cursor and n == self.column:
                cell = cell.stylize(CURSOR_STYLE)
            parts.append(cell)
        parts.append(Content(" " * GAP))
        parts.append(self._missed_content(subject))
        line = Content("").join(parts)
        if cursor:
            line = line.stylize(ROW_STYLE)
        return line

    def row_count(self) -> int | None:
        return len(self.card.subjects) if self.card is not None else None

    def body_line(self, number: int) -> Content:
        return self._row_content(number, cursor=number == self.row)

    # -- the cursor --------------------------------------------------------------

    def _columns(self) -> int:
        return len(self.card.periods) + 1 if self.card else 0

    def _post_selected(self) -> None:
        cell = self.selected
        if cell is not None:
            self.post_message(self.Selected(cell))

    def _scroll_to_cursor(self) -> None:
        if self.card is None:
            return
        height = self.scrollable_content_region.height - HEADER
        top = self.scroll_offset.y
        if self.row < top:
            self.scroll_to(y=self.row, animate=False, immediate=True)
        elif height > 0 and self.row >= top + height:
            self.scroll_to(y=self.row - height + 1, animate=False, immediate=True)

    def _move_to(self, row: int, column: int) -> None:
        card = self.card
        if card is None or not card.subjects:
            return
        row = max(0, min(row, len(card.subjects) - 1))
        column = max(0, min(column, self._columns() - 1))
        if (row, column) == (self.row, self.column):
            return
        self.row, self.column = row, column
        self.refresh()
        self._scroll_to_cursor()
        self._post_selected()

    def action_move(self, rows: int, columns: int) -> None:
        self._move_to(self.row + rows, self.column + columns)

    def action_edge(self, end: int) -> None:
        card = self.card
        if card is not None:
            self._move_to(len(card.subjects) - 1 if end else 0, self.column)

    def action_page(self, direction: int) -> None:
        height = max(self.scrollable_content_region.height - HEADER, 1)
        self._move_to(self.row + direction * height, self.column)

    def action_activate(self) -> None:
        cell = self.selected
        if cell is not None:
            self.post_message(self.Activated(cell))

    # -- the mouse ---------------------------------------------------------------

    def _cell_at(self, x: int, y: int) -> tuple[int, int | None] | None:
        """(row, column) under the mouse; column None over the name or the missed lessons."""
        card = self.card
        if card is None or y < HEADER:
            return None
        row = self.scroll_offset.y + y - HEADER
        if not 0 <= row < len(card.subjects):
            return None
        x += self.scroll_offset.x
        left = 1 + self._name_width
        widths = [self._period_width()] * len(card.periods) + [YEAR_WIDTH]
        for column, width in enumerate(widths):
            left += GAP
            if left <= x < left + width:
                return row, column
            left += width
        return row, None

    def on_click(self, event: events.Click) -> None:
        found = self._cell_at(event.x, event.y)
        if found is None:
            return
        row, column = found
        if column is None:
            self._move_to(row, self.column)
        elif (row, column) == (self.row, self.column):
            self.action_activate()
        else:
            self._move_to(row, column)
