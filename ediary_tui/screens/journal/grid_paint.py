"""The journal's grid drawn from a `JournalState`: loaded anew, repainted, or one cell at a time.

A key press repaints only the cell its entry touched and that student's
averages; a fresh copy of the same journal repaints every cell (the grid
skips those that read the same); another journal loads the grid anew.
"""

from __future__ import annotations

import datetime as dt
import gc

from ediary_tui.client.journal_state import JournalState
from ediary_tui.domain.models import Journal, JournalLesson
from ediary_tui.i18n import _
from ediary_tui.screens.journal.describe import initials
from ediary_tui.widgets.journal_grid import GridColumn, JournalGrid, cell_content, summary_contents
from ediary_tui.widgets.mark_cell import weight_mark

Touched = tuple[str, str] | str | None  # a cell (student, lesson), a student's summary, nothing


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
    summary = {s.id: summary_contents(state.summary(s.id), scale) for s in journal.students}
    headings = (
        _("journal.students"),
        _("journal.col_average"),
        _("journal.col_proposed"),
        _("journal.col_period"),
    )
    grid.load(rows, columns, cells, summary, headings)
    grid.move_to(column=start, announce=True, center=True)


def repaint(grid: JournalGrid, state: JournalState) -> None:
    """After a fresh copy of the same journal: every cell that differs is drawn again."""
    scale = scale_of(state)
    for student in state.journal.students:
        for lesson in state.journal.lessons:
            grid.set_cell(
                student.id, lesson.id, cell_content(state.cell(student.id, lesson.id), scale)
            )
        grid.set_summary(student.id, summary_contents(state.summary(student.id), scale))


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
    grid.set_summary(student, summary_contents(state.summary(student), scale))


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
