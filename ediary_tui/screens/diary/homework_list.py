"""The list of homework: assignments under their day's heading, each a row that
says its subject, text, tags and due date, with a box the student ticks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from textual import events
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ediary_tui.client.export_formats import (
    one_line,
)
from ediary_tui.domain.models import Homework
from ediary_tui.i18n import (
    _,
    date_time,
    day_month,
    long_date,
    short_date,
    weekday_name,
)

SUBJECT_WIDTH = 18  # a longer subject name is cut in the row; the details line has it whole
MIN_TEXT_WIDTH = 20  # narrower than this, the due date follows the text instead of a column
REVISED_AFTER = dt.timedelta(minutes=1)  # saving twice in a minute is not a revision
BOX_WIDTH = 4  # "[✓] ": where a click ticks rather than selects
DONE_STYLE = "bold $text-success"
SUBJECT_STYLE = "bold"
DONE_TEXT_STYLE = "$foreground-muted"
OPTIONAL_STYLE = "italic $text-accent"
MUTED_STYLE = "$foreground-muted"
OVERDUE_STYLE = "bold $text-error"
DUE_TODAY_STYLE = "bold $text-warning"


# -- what a row says ---------------------------------------------------------------


def due_text(day: dt.date) -> str:
    """Tue 24 Nov / Вт 24.11."""
    return f"{weekday_name(day, short=True)} {short_date(day)}"


def revised(hw: Homework) -> bool:
    return hw.updated_at - hw.created_at >= REVISED_AFTER


def due_cell(hw: Homework, today: dt.date) -> Content:
    """'due Tue 24 Nov': red when overdue and not done, yellow when due today."""
    if hw.due is None:
        return Content("")
    style = MUTED_STYLE
    if not hw.done and hw.due < today:
        style = OVERDUE_STYLE
    elif not hw.done and hw.due == today:
        style = DUE_TODAY_STYLE
    return Content.styled(_("homework.due", date=due_text(hw.due)), style)


def row(
    hw: Homework, today: dt.date, subject_width: int, due_width: int = 0, width: int = 0
) -> Content:
    """One assignment: its box, subject, text and tags, and the due date.

    Given the list's `width`, the text wraps under itself and the due date
    stands at the right edge, in a column; without it (or with too little room)
    the due date follows the text and the list wraps the whole line.
    """
    name = hw.subject.name
    if len(name) > subject_width:
        name = name[: subject_width - 1] + "…"
    head = Content.assemble(
        ("[✓]" if hw.done else "[ ]", DONE_STYLE if hw.done else ""),
        " ",
        (name.ljust(subject_width), SUBJECT_STYLE),
        " ",
    )
    parts: list[Content | tuple[str, str] | str] = [
        (one_line(hw.text), DONE_TEXT_STYLE if hw.done else "")
    ]
    if not hw.required:
        parts += [" ", (_("homework.tag_optional"), OPTIONAL_STYLE)]
    if revised(hw):
        parts += [" ", (_("homework.tag_revised"), MUTED_STYLE)]
    body = Content.assemble(*parts)
    due = due_cell(hw, today)
    room = width - head.cell_length - due_width - 2
    if room < MIN_TEXT_WIDTH:
        return head + body + (Content(" · ") + due if due.cell_length else Content(""))
    lines = body.wrap(room) or [Content("")]
    first = lines[0].pad_right(room - lines[0].cell_length + 2)
    first += due.pad_left(due_width - due.cell_length)
    indent = Content(" " * head.cell_length)
    return Content("\n").join([head + first, *(indent + line for line in lines[1:])])


def due_day(hw: Homework) -> dt.date:
    """The day an assignment is listed under: when it is due (the lesson's day if no date)."""
    return hw.due or hw.date


def heading(day: dt.date, today: dt.date) -> Content:
    text = long_date(day)
    if day == today:
        text = _("week.today_title", day=text)
    return Content.styled(_("homework.due_heading", day=text), "bold")


def describe(hw: Homework, tz: dt.tzinfo | None) -> list[str]:
    """Everything about an assignment, one fact per item, for the details line."""
    parts = [
        hw.subject.name,
        _("homework.required" if hw.required else "homework.optional"),
        _("homework.done" if hw.done else "homework.not_done"),
    ]
    if hw.due is not None:
        weekday = weekday_name(hw.due, short=True)
        parts.append(_("homework.due_long", weekday=weekday, date=day_month(hw.due)))
    parts.append(_("homework.set", when=date_time(hw.created_at.astimezone(tz))))
    if revised(hw):
        parts.append(_("homework.revised", when=date_time(hw.updated_at.astimezone(tz))))
    return parts


# -- the list ----------------------------------------------------------------------


class AssignmentList(OptionList):
    """Assignments under their day's heading; a click on the box ticks it.

    The headings are disabled options, so the cursor steps over them; moving to
    an assignment scrolls its heading into view too. The rows are laid out for
    the list's width (the due dates in a column), and again when it changes.
    """

    @dataclass
    class Toggled(Message):
        """The box of an assignment was clicked."""

        homework_id: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.items: list[Homework] = []
        self.today = dt.date.today()
        self._laid_out_width = 0

    def show(self, items: list[Homework], today: dt.date) -> None:
        """List `items` by the day they are due, keeping the cursor on the same one."""
        self.items, self.today = sorted(items, key=due_day), today
        self._lay_out()

    def update_item(self, hw: Homework) -> None:
        """Show one assignment changed (a tick) without laying out the others."""
        self.items = [hw if item.id == hw.id else item for item in self.items]
        try:
            self.get_option(hw.id)
        except LookupError:
            return
        self.replace_option_prompt(hw.id, self._row(hw))

    def _width(self) -> int:
        # One column is kept for the scroll bar, which comes only once the rows are there.
        return max(self.scrollable_content_region.width - 1, 0)

    def _widths(self) -> tuple[int, int]:
        subject = min(SUBJECT_WIDTH, max((len(hw.subject.name) for hw in self.items), default=0))
        due = max((due_cell(hw, self.today).cell_length for hw in self.items), default=0)
        return subject, due

    def _row(self, hw: Homework) -> Content:
        return row(hw, self.today, *self._widths(), self._width())

    def _lay_out(self) -> None:
        kept = self.highlighted_option.id if self.highlighted_option else None
        self._laid_out_width = self._width()
        options: list[Option] = []
        day: dt.date | None = None
        for hw in self.items:
            if due_day(hw) != day:
                day = due_day(hw)
                options.append(Option(heading(day, self.today), id=f"day:{day}", disabled=True))
            options.append(Option(self._row(hw), id=hw.id))
        self.set_options(options)
        ids = [option.id for option in options]
        if kept in ids:
            self.highlighted = ids.index(kept)
        else:
            self.action_first()

    def on_resize(self) -> None:
        if self.items and self._width() != self._laid_out_width:
            self._lay_out()

    async def _on_click(self, event: events.Click) -> None:
        event.prevent_default()  # OptionList's own click would select (and so tick) as well
        index = event.style.meta.get("option")
        if index is None or self.options[index].disabled:
            return
        offset = event.get_content_offset(self)
        self.highlighted = index
        option_id = self.options[index].id
        if offset is not None and offset.x < BOX_WIDTH and option_id is not None:
            self.post_message(self.Toggled(option_id))

    def scroll_to_highlight(self, top: bool = False) -> None:
        index = self.highlighted
        if (
            index is None
            or not self.is_mounted
            or index == 0
            or not self.options[index - 1].disabled
        ):
            super().scroll_to_highlight(top)
            return
        self._update_lines()
        try:  # the heading above and the assignment, together
            y = self._index_to_line[index - 1]
            height = self._heights[index - 1] + self._heights[index]
        except KeyError:
            return
        width = self.scrollable_content_region.width
        self.scroll_to_region(
            Region(0, y, width, height), force=True, animate=False, top=top, immediate=True
        )
