"""One day of the week view, laid out as lines: its heading, and per lesson the
number and time, subject, topic, room, absence and marks, then its homework and
the teachers' comments.

Functions of the week's data and of what the view knows (today, the marks new
since the last look, the school's scale, the lessons unfolded); `WeekView`
places the days side by side and draws them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Protocol

from textual.content import Content

from ediary_tui.domain.attendance import JOURNAL_LETTERS
from ediary_tui.domain.models import AttendanceCode, ChangeKind, Mark, WeekLesson
from ediary_tui.i18n import _, long_date

from .lesson_text import absence_key, change_text, comments_text, homework_text, mark_key
from .mark_cell import NEW_STYLE, mark_cell

NUMBER_WIDTH = 8  # "1 08:30 "
ROOM_WIDTH = 6
MAX_ROOM_WIDTH = 13
INDENT = 1 + NUMBER_WIDTH  # where the homework line starts, under the subject
GUTTER = 2
TWO_COLUMNS = 116  # the view's width from which days sit side by side
THREE_COLUMNS = 170

TITLE_STYLE = "bold on $boost"
TODAY_STYLE = "bold $text-primary on $primary-muted"
CURSOR_LESSON_STYLE = "on $primary 30%"
CURSOR_MARK_STYLE = "reverse underline"  # underlined too: a poor mark is already reversed
ABSENCE_STYLES = {
    AttendanceCode.ABSENT: "bold $error",
    AttendanceCode.ILL: "bold $warning",
    AttendanceCode.EXCUSED: "bold $text-muted",
    AttendanceCode.LATE: "bold $warning",
}
CHANGE_STYLE = "bold $warning"  # a one-day change: a replacement, a moved or an extra lesson
CANCELLED_STYLE = "$error"


class DayStyle(Protocol):
    """What a day's lines depend on besides the day: the view's state."""

    today: dt.date
    new: Collection[str]
    scale: tuple[int, int]
    expanded: set[str]
    marks_width: int  # the widest lesson's marks in the week: the room column stays put


@dataclass(frozen=True)
class Item:
    """What the cursor can stand on: a lesson, or one of its marks."""

    lesson: WeekLesson
    mark: Mark | None = None

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.lesson.id, self.mark.id if self.mark else None)


@dataclass
class Line:
    """A laid-out line: its text and where each item sits on it (x0, x1, item index)."""

    content: Content
    hits: list[tuple[int, int, int]] = field(default_factory=list)


@dataclass
class Block:
    """A day laid out at a column's width, before the days are placed side by side."""

    lines: list[Line]
    date: dt.date


def day_block(
    view: DayStyle, day: dt.date, lessons: list[WeekLesson], index: int, width: int
) -> tuple[Block, int]:
    """A day at a column's width: its heading, then each lesson's lines; `index` is the
    first item's (lessons and marks are numbered in reading order through the week)."""
    title = long_date(day)
    if day == view.today:
        title = _("week.today_title", day=title)
    style = TODAY_STYLE if day == view.today else TITLE_STYLE
    heading = Content(f" {title}").truncate(width, ellipsis=True, pad=True).stylize(style)
    lines = [Line(heading)]
    if not lessons:
        lines.append(Line(Content.styled(f" {_('week.no_lessons')}", "italic $text-muted")))
    for lesson in lessons:
        lesson_index = index
        first, mark_hits = lesson_line(view, lesson, width, index)
        index += 1 + len(lesson.marks)
        lesson_lines = [first, *extra_lines(view, lesson, width)]
        for line in lesson_lines:
            line.hits.insert(0, (0, width, lesson_index))
        first.hits.extend(mark_hits)
        lines.extend(lesson_lines)
    return Block(lines, day), index


def lesson_line(
    view: DayStyle, lesson: WeekLesson, width: int, index: int
) -> tuple[Line, list[tuple[int, int, int]]]:
    """Number and time, subject, topic, room, absence and marks on one line."""
    subject_width = 18 if width >= 60 else 14
    number = f"{lesson.number} {lesson.starts_at:%H:%M}".ljust(NUMBER_WIDTH)
    subject = Content(lesson.subject.name).truncate(subject_width - 1, ellipsis=True, pad=True)
    room_text = Content(lesson.room or "").truncate(MAX_ROOM_WIDTH - 1, ellipsis=True).plain
    room = " " + room_text.rjust(ROOM_WIDTH - 1)  # a long one ("Спортзал") takes from the topic
    absence = Content("  ")  # kept on every line, so the rooms stand in one column
    if lesson.attendance is not None:
        style = ABSENCE_STYLES[lesson.attendance]
        if absence_key(lesson) in view.new:
            style = f"{style} {NEW_STYLE}"
        absence = Content.assemble(" ", (JOURNAL_LETTERS[lesson.attendance], style))
    cells = [
        mark_cell(mark, scale=view.scale, new=mark_key(mark) in view.new) for mark in lesson.marks
    ]
    marks_width = max(sum(cell.cell_length + 1 for cell in cells), view.marks_width)
    fixed = 1 + NUMBER_WIDTH + subject_width + len(room) + absence.cell_length + marks_width
    topic = Content(lesson.topic or "").truncate(max(width - fixed - 1, 0), ellipsis=True, pad=True)
    cancelled = lesson.change is not None and lesson.change.kind is ChangeKind.CANCELLED
    line = Content.assemble(
        " ",
        (number, "$text-muted"),
        (subject.plain, "strike $text-muted" if cancelled else "bold"),
        " ",
        (topic.plain, "$text-muted"),
        (room, "$text-muted"),
        absence,
    )
    hits = []
    for n, cell in enumerate(cells, start=1):
        x = line.cell_length + 1
        line = Content.assemble(line, " ", cell)
        hits.append((x, x + cell.cell_length, index + n))
    return Line(line), hits


def extra_lines(view: DayStyle, lesson: WeekLesson, width: int) -> list[Line]:
    """A one-day change, homework and teachers' comments: one line each, or all of them
    when unfolded."""
    texts: list[Content] = []
    if change := change_text(lesson):
        cancelled = lesson.change is not None and lesson.change.kind is ChangeKind.CANCELLED
        texts.append(Content.styled(change, CANCELLED_STYLE if cancelled else CHANGE_STYLE))
    if homework := homework_text(lesson):
        texts.append(Content(_("lesson.hw", text=homework)))
    if comments := comments_text(lesson):
        texts.append(Content.styled(comments, "italic $text-secondary"))
    room = max(width - INDENT - 1, 10)
    lines: list[Line] = []
    for text in texts:
        if lesson.id in view.expanded:
            parts = text.wrap(room)
        else:
            parts = [text.truncate(room, ellipsis=True)]
        lines.extend(Line(Content(" " * INDENT) + part) for part in parts)
    return lines
