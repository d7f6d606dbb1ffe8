"""What the journal's grid adds to each student's summary at the period's end.

The lessons the student missed of the lessons held so far ("3/24"), counted
from what the cells show, so an absence typed now counts at once (the lessons
held are the server's, up to its today); on the school year's last period,
the year mark too.
"""

from __future__ import annotations

import datetime as dt

from textual.content import Content

from ediary_tui.client.journal_state import JournalState
from ediary_tui.domain.attendance import counts_as_absence
from ediary_tui.domain.models import Journal
from ediary_tui.i18n import _
from ediary_tui.widgets.journal_grid_layout import LAST_PERIOD, PERIOD_END

CellKey = tuple[str, str]


def is_last_period(journal: Journal) -> bool:
    """Whether the journal shows the school year's last period (the year mark's)."""
    numbers = [p.number for p in journal.periods] or [journal.period.number]
    return journal.period.number == max(numbers)


def summary_widths(journal: Journal) -> tuple[int, ...]:
    return LAST_PERIOD if is_last_period(journal) else PERIOD_END


def summary_headings(journal: Journal) -> tuple[str, ...]:
    """The headings of the columns this module adds to the summary."""
    words = (_("period_end.col_absences"),)
    return (*words, _("period_end.col_year")) if is_last_period(journal) else words


def missed(state: JournalState, student_id: str, filled: set[CellKey]) -> tuple[int, int]:
    """(lessons missed, lessons held so far): the absences the cells show, unsent ones too."""
    student = state.students.get(student_id)
    held = student.lessons_held if student is not None else 0
    count = 0
    for lesson in state.journal.lessons[:held]:
        key = (student_id, lesson.id)
        if key in filled and counts_as_absence(state.cell(*key).code):
            count += 1
    return count, held


def summary_extra(
    state: JournalState, student_id: str, filled: set[CellKey] | None = None
) -> tuple[Content, ...]:
    """The student's absences "n/m" and, on the last period, the year mark."""
    n, m = missed(state, student_id, set(state.filled_cells()) if filled is None else filled)
    absences = Content(f"{n}/{m}") if m else Content("")
    if n:
        absences = absences.stylize("$text-warning")
    if not is_last_period(state.journal):
        return (absences,)
    student = state.students.get(student_id)
    year = student.year_mark if student is not None else None
    return absences, Content.styled(str(year), "bold") if year is not None else Content("")


def next_lesson(journal: Journal, lesson_id: str) -> dt.date | None:
    """The date of the subject's next lesson after this one in the period (homework's due)."""
    dates = [le.date for le in journal.lessons]
    ids = [le.id for le in journal.lessons]
    if lesson_id not in ids:
        return None
    day = dates[ids.index(lesson_id)]
    return next((d for d in dates if d > day), None)
