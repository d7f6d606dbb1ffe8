"""The journal's grid drawn from a `JournalState`: loaded anew, repainted, or one cell at a time.

`cell_content` is what a cell shows (the attendance letter, then the marks,
unsent ones followed by a dot and refused ones by a red "!"); the grid widget
only lays such contents out.

A key press repaints only the cell its entry touched and that student's
averages; a fresh copy of the same journal repaints every cell (the grid
skips those that read the same); another journal loads the grid anew.
"""

from __future__ import annotations

import datetime as dt
import gc

from textual.content import Content

from ediary_tui.client.journal_state import (
    PENDING,
    REFUSED,
    CellState,
    JournalState,
    StudentSummary,
)
from ediary_tui.domain.attendance import JOURNAL_LETTERS
from ediary_tui.domain.models import Journal, JournalLesson
from ediary_tui.i18n import _, number
from ediary_tui.screens.journal.describe import initials
from ediary_tui.screens.journal.period_summary import (
    summary_extra,
    summary_headings,
    summary_widths,
)
from ediary_tui.widgets.journal_grid import JournalGrid
from ediary_tui.widgets.journal_grid_layout import GridColumn
from ediary_tui.widgets.mark_cell import GRADE_STYLES, grade_of, weight_mark
from ediary_tui.widgets.week_grid import ABSENCE_STYLES

Touched = tuple[str, str] | str | None  # a cell (student, lesson), a student's summary, nothing

UNSENT = "·"  # after what the server has not acknowledged yet
REFUSED_SIGN = "!"
UNSENT_STYLE = "italic"
REFUSED_STYLE = "bold $text-error"


def cell_content(cell: CellState, scale: tuple[int, int]) -> Content:
    """What a cell shows: the attendance letter, then the marks; unsent and refused said so."""
    parts: list[Content] = []
    att = cell.attendance
    if att is not None and att.code is not None:
        letter = JOURNAL_LETTERS[att.code]
        if att.state == REFUSED:
            parts.append(Content.styled(letter + REFUSED_SIGN, REFUSED_STYLE))
        else:
            style = ABSENCE_STYLES[att.code]
            if att.state == PENDING:
                parts.append(Content.assemble((letter, f"{style} {UNSENT_STYLE}"), UNSENT))
            else:
                parts.append(Content.styled(letter, style))
    for m in cell.marks:
        text = "•" if m.is_dot or m.value is None else str(m.value)
        if m.state == REFUSED:
            parts.append(Content.styled(text + REFUSED_SIGN, REFUSED_STYLE))
            continue
        style = GRADE_STYLES[grade_of(None if m.is_dot else m.value, *scale)]
        if m.comment:
            style = f"{style} underline"
        if m.state == PENDING:
            parts.append(Content.assemble((text, f"{style} {UNSENT_STYLE}"), UNSENT))
        else:
            parts.append(Content.styled(text, style))
    content = Content(" ").join(parts)
    shown_unsent = any(UNSENT in p.plain for p in parts)
    if cell.pending and not shown_unsent:  # a deletion or a cleared absence still to be sent
        content = content + UNSENT
    if cell.refusals and REFUSED_SIGN not in content.plain:
        content = content + Content.styled(REFUSED_SIGN, REFUSED_STYLE)
    return content


def summary_contents(summary: StudentSummary, scale: tuple[int, int]) -> tuple[Content, ...]:
    """The average, the proposed period mark, and the period mark set (unsent, refused)."""
    average = Content("" if summary.average is None else number(summary.average))
    if summary.average is not None:
        average = average.stylize(GRADE_STYLES[grade_of(round(summary.average), *scale)])
    proposed = Content("" if summary.proposed is None else str(summary.proposed))
    value = "" if summary.period_mark is None else str(summary.period_mark)
    if summary.state == REFUSED:
        mark = Content.styled(value + REFUSED_SIGN, REFUSED_STYLE)
    elif summary.state == PENDING:
        mark = Content.assemble((value, f"bold {UNSENT_STYLE}"), UNSENT)
    else:
        mark = Content.styled(value, "bold") if value else Content("")
    return average, proposed, mark


def scale_of(state: JournalState | None) -> tuple[int, int]:
    """The school's scale of marks (1-5 until a journal says otherwise)."""
    if state is None:
        return (1, 5)
    settings = state.journal.settings
    return settings.scale_min, settings.scale_max


def _weight_sign(lesson: JournalLesson) -> str:
    weight = lesson.control_form.weight
    return weight_mark(weight) if weight != 1 else ""


def start_column(journal: Journal, today: dt.date, target_lesson: str | None) -> int:
    """Today's lesson (the one the timetable chose), else the last one given, else the first."""
    ids = [le.id for le in journal.lessons]
    if target_lesson in ids:
        return ids.index(target_lesson)
    given = [i for i, le in enumerate(journal.lessons) if le.date <= today]
    return given[-1] if given else 0


def same_shape(shown: Journal, journal: Journal) -> bool:
    """Whether `journal` is a fresh copy of the one shown (same period, students and lessons),
    to be repainted in place rather than loaded anew."""
    return (
        (shown.class_id, shown.subject.id, shown.period.id)
        == (journal.class_id, journal.subject.id, journal.period.id)
        and [s.id for s in shown.students] == [s.id for s in journal.students]
        and [le.id for le in shown.lessons] == [le.id for le in journal.lessons]
    )


def load(grid: JournalGrid, state: JournalState, today: dt.date, start: int) -> None:
    """Another journal: every row, column and cell anew, the cursor on column `start`."""
    journal = state.journal
    scale = scale_of(state)
    rows = [(s.id, initials(s.full_name)) for s in journal.students]
    columns = [
        GridColumn(
            key=lesson.id,
            top=f"{lesson.date:%d.%m}",
            bottom=f"{lesson.number}{_weight_sign(lesson)}",
            today=lesson.date == today,
            future=lesson.date > today,
        )
        for lesson in journal.lessons
    ]
    cells = {key: cell_content(state.cell(*key), scale) for key in state.filled_cells()}
    filled = set(state.filled_cells())
    summary = {
        s.id: summary_contents(state.summary(s.id), scale) + summary_extra(state, s.id, filled)
        for s in journal.students
    }
    headings = (
        _("journal.students"),
        _("journal.col_average"),
        _("journal.col_proposed"),
        _("journal.col_period"),
        *summary_headings(journal),
    )
    grid.load(
        rows,
        columns,
        cells,
        summary,
        headings,
        summary_widths(journal),
        numbers_heading=_("journal.lesson_numbers"),
    )
    grid.move_to(column=start, announce=True, center=True)


def repaint(grid: JournalGrid, state: JournalState) -> None:
    """After a fresh copy of the same journal: every cell that differs is drawn again."""
    scale = scale_of(state)
    filled = set(state.filled_cells())
    for student in state.journal.students:
        for lesson in state.journal.lessons:
            grid.set_cell(
                student.id, lesson.id, cell_content(state.cell(student.id, lesson.id), scale)
            )
        extra = summary_extra(state, student.id, filled)
        grid.set_summary(student.id, summary_contents(state.summary(student.id), scale) + extra)


def paint(grid: JournalGrid, state: JournalState, touched: Touched) -> None:
    """Draw again the one cell (and its student's averages) an entry touched."""
    if touched is None:
        return
    scale = scale_of(state)
    if isinstance(touched, tuple):
        student = touched[0]
        grid.set_cell(*touched, cell_content(state.cell(*touched), scale))
    else:
        student = touched
    extra = summary_extra(state, student)
    grid.set_summary(student, summary_contents(state.summary(student), scale) + extra)


_frozen_with: tuple[str, str, str] | None = None


def freeze_what_lives(journal: tuple[str, str, str]) -> None:
    """After a journal is painted: what lives now (the app, the embedded server, this
    journal) is taken out of the cyclic collector's way, else a collection walks it all
    and stalls a key press now and then for 20-100 ms.

    When another journal is shown, everything is unfrozen and collected first, so the
    one before is not kept alive (a few tens of milliseconds, while the teacher looks
    at the journal just opened). The same journal painted again (the server's copy
    after the saved one, a refresh) only freezes what is new, which costs nothing."""
    global _frozen_with
    if journal != _frozen_with:
        _frozen_with = journal
        gc.unfreeze()
        gc.collect()
    gc.freeze()
