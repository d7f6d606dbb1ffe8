"""The journal's sheet: the grid, the bottom line, and the keys that write in them.

A key press becomes an outbox entry (`JournalWriter`) and is painted at once
in its one cell; the cursor goes down to the next student where a column is
filled in one key per student. The sheet shows the `JournalState` it is
bound to (the screen's) and calls `on_written` when the outbox has something
new, so the screen counts it and wakes the sender in the same frame (a
message more would put the sender a beat behind each key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.reactive import var
from textual.widgets import Static

from ediary_tui.client.journal_state import Entry, JournalState
from ediary_tui.client.journal_sync import Outcome
from ediary_tui.domain.attendance import counts_as_absence
from ediary_tui.domain.marks import dot_default_due
from ediary_tui.domain.models import AttendanceCode
from ediary_tui.i18n import _
from ediary_tui.screens.journal import grid_paint
from ediary_tui.screens.journal.describe import cell_line
from ediary_tui.screens.journal.details import CellEdit
from ediary_tui.screens.journal.due_date import DueDateModal
from ediary_tui.screens.journal.keys import WRITING_KEYS
from ediary_tui.screens.journal.lesson import LessonEdit, LessonForm
from ediary_tui.screens.journal.period_mark import PeriodMarkChoice, PeriodMarkModal
from ediary_tui.screens.journal.period_summary import next_lesson
from ediary_tui.screens.journal.writes import Declined, JournalWriter
from ediary_tui.widgets.dialogs import ConfirmModal
from ediary_tui.widgets.journal_grid import JournalGrid

CellKey = tuple[str, str]  # (student id, lesson id)


class JournalSheet(Vertical):
    """The journal shown, cell by cell, and what the teacher writes in it."""

    BINDINGS: ClassVar[list[BindingType]] = WRITING_KEYS

    state: var[JournalState | None] = var(None, init=False, always_update=True)
    """The journal shown with the unsent writes over it (bound to the screen's)."""
    cursor: var[CellKey | None] = var(None, init=False, always_update=True)
    """The cell under the grid's cursor: (student id, lesson id)."""

    def __init__(
        self, writer: JournalWriter, on_written: Callable[[], None], *, id: str | None = None
    ) -> None:
        """`on_written`: something new is in the outbox (or a refusal left it)."""
        super().__init__(id=id)
        self.writer = writer
        self.written = on_written

    def compose(self) -> ComposeResult:
        yield JournalGrid(id="grid")
        yield Static(id="empty", markup=False)
        yield Static(id="details", markup=False)

    @property
    def grid(self) -> JournalGrid:
        return self.query_one(JournalGrid)

    # -- painting --------------------------------------------------------------------

    def load(self, state: JournalState, start: int) -> None:
        """Another journal: the grid anew, the cursor on column `start`."""
        grid_paint.load(self.grid, state, self.writer.today, start)

    def repaint(self, state: JournalState) -> None:
        """A fresh copy of the journal shown: every cell that differs, and the bottom line."""
        grid_paint.repaint(self.grid, state)
        self.show_details()

    def settle(self, outcome: Outcome) -> None:
        """The server's last word on an entry, painted on its cell."""
        if self.state is not None:
            grid_paint.paint(self.grid, self.state, self.state.settle(outcome))
            self.show_details()

    def show_details(self) -> None:
        """The bottom line: who, which lesson, what the cell holds, and any refusal's reason."""
        state, key = self.state, self.grid.cursor_key
        line = cell_line(state, key) if state is not None and key is not None else ""
        self.query_one("#details", Static).update(line, layout=False)  # a fixed height

    def watch_cursor(self) -> None:
        self.show_details()

    @on(JournalGrid.CursorMoved)
    def _cursor_moved(self, event: JournalGrid.CursorMoved) -> None:
        event.stop()
        self.cursor = (event.row_key, event.column_key)

    # -- entering ----------------------------------------------------------------

    def _writable(self) -> tuple[JournalState, CellKey] | None:
        """The journal and the cell to write in, or None (and why, when read-only)."""
        state, key = self.state, self.grid.cursor_key
        if state is None or key is None:
            return None
        if not state.journal.can_write:
            self.notify(_("journal.read_only"), severity="warning")
            return None
        return state, key

    def _entered(self, entry: Entry | None, *, move_down: bool, undoable: bool = True) -> None:
        """Show an entry that is already safe in the outbox, and say so.

        None (the cell says so already): the cursor goes down all the same."""
        grid, state = self.grid, self.state
        if entry is None or state is None:
            grid.action_move(1, 0)
            return
        grid_paint.paint(grid, state, state.add(entry))
        if undoable:
            self.writer.remember(state, entry)
        self.written()
        if move_down and grid.cursor_row < len(grid.rows) - 1:
            grid.move_to(row=grid.cursor_row + 1)
        else:
            self.show_details()

    def _dismiss(self, state: JournalState, entry_id: int) -> None:
        grid_paint.paint(self.grid, state, self.writer.dismiss(state, entry_id))
        self.written()
        self.show_details()

    def _asked(self, state: JournalState, key: CellKey, then: Callable[[], None]) -> None:
        """`then`, at once or after the teacher's yes: a mark for a student marked absent,
        where the school says ask, is asked about once per cell."""
        if not self.writer.must_ask(state, key):
            then()
            return

        def answered(yes: bool | None) -> None:
            if yes and self.state is state:
                self.writer.agreed(key)
                self.grid.move_to_key(*key)
                then()

        name = state.students[key[0]].full_name
        question = _("cell_editor.absent_question", student=name)
        self.app.push_screen(ConfirmModal(question, _("cell_editor.absent_yes")), answered)

    def action_put_mark(self, value: int) -> None:
        if (where := self._writable()) is None:
            return
        state, key = where
        try:
            self.writer.check_mark(state, key, value)
        except Declined as reason:
            self.notify(str(reason), severity="warning")
            return

        def put() -> None:
            try:
                self._entered(self.writer.mark(state, key, value), move_down=True)
            except Declined as reason:
                self.notify(str(reason), severity="warning")

        self._asked(state, key, put)

    def edited(self, state: JournalState, key: CellKey, edit: CellEdit | None) -> None:
        """What the cell editor changed, as entries in the outbox (asked first when a mark
        goes to an absent student); each undone on its own."""
        if edit is None or edit.empty or self.state is not state:
            return
        if not state.journal.can_write:
            return

        def write() -> None:
            try:
                entries = self.writer.cell(state, key, edit)
            except Declined as reason:
                self.notify(str(reason), severity="warning")
                return
            self.grid.move_to_key(*key)
            for entry in entries:
                self._entered(entry, move_down=False)

        if edit.adds_mark:
            self._asked(state, key, write)
        else:
            write()

    def action_dot(self) -> None:
        if (where := self._writable()) is None:
            return
        state, key = where
        lesson = state.lessons[key[1]]
        try:
            self.writer.held(lesson)
        except Declined as reason:
            self.notify(str(reason), severity="warning")
            return

        def chosen(due: dt.date | None) -> None:
            if due is not None and self.state is state:
                self.grid.move_to_key(*key)
                self._entered(self.writer.dot(state, key, due), move_down=True)

        student, due = state.students[key[0]].full_name, dot_default_due(lesson.date)
        self.app.push_screen(DueDateModal(student, lesson.date, due, self.writer.today), chosen)

    def action_attendance(self, value: str) -> None:
        """The attendance code; an absence on a cell with marks keeps them, and says so."""
        if (where := self._writable()) is None:
            return
        state, key = where
        code = AttendanceCode(value)
        kept = state.cell(*key).live_marks
        entry = self.writer.attendance(state, key, code)
        if entry is not None and kept and counts_as_absence(code):
            name = state.students[key[0]].full_name
            self.notify(_("cell_editor.marks_kept", student=name, count=len(kept)))
        self._entered(entry, move_down=True)

    def action_clear(self) -> None:
        """The cell's last mark goes (or its absence); a refused write is dismissed first."""
        if (where := self._writable()) is None:
            return
        state, key = where
        refusals = state.cell(*key).refusals
        if refusals:
            self._dismiss(state, refusals[-1].entry_id)
        elif (entry := self.writer.clear(state, key)) is not None:
            self._entered(entry, move_down=False)
        else:
            self.app.bell()

    def action_undo(self) -> None:
        """Take back the last entry of this journal: one at a time, newest first."""
        if (where := self._writable()) is None:
            return
        state = where[0]
        step = self.writer.undo(state)
        if step is None:
            self.notify(_("journal.nothing_to_undo"))
            return
        if step.where is not None:
            self.grid.move_to_key(*step.where)
        if step.dismiss is not None:
            self._dismiss(state, step.dismiss)
        else:
            self._entered(step.entry, move_down=False, undoable=False)

    def action_period_mark(self) -> None:
        """Set the student's period mark to the proposed one, and go down to the next."""
        if (where := self._writable()) is None:
            return
        state, key = where
        proposed = state.summary(key[0]).proposed
        if proposed is None:
            self.notify(_("journal.no_proposal"), severity="warning")
            return
        self._entered(self.writer.period_mark(state, key[0], proposed), move_down=True)

    def action_choose_period_mark(self) -> None:
        """A period mark other than the proposed one (or none): one more key picks it."""
        if (where := self._writable()) is None:
            return
        state, key = where

        def chosen(choice: PeriodMarkChoice | None) -> None:
            if choice is not None and self.state is state:
                self.grid.move_to_key(*key)
                entry = self.writer.period_mark(state, key[0], choice.value)
                self._entered(entry, move_down=True)

        student, summary = state.students[key[0]].full_name, state.summary(key[0])
        modal = PeriodMarkModal(student, summary, grid_paint.scale_of(state))
        self.app.push_screen(modal, chosen)

    def action_lesson(self) -> None:
        """The topic and homework of the lesson under the cursor."""
        if (where := self._writable()) is None:
            return
        state, (_student, lesson_id) = where
        view = state.lesson(lesson_id)
        shown = [r.entry_id for r in view.refusals]

        def saved(edit: LessonEdit | None) -> None:
            if self.state is not state:
                return
            for entry_id in shown:  # seen in the form (and typed in again there)
                self.writer.dismiss(state, entry_id)
            if edit is not None and not edit.empty:
                for entry in self.writer.lesson(state, lesson_id, edit):
                    self._entered(entry, move_down=False, undoable=False)
            self.written()
            self.show_details()

        journal = state.journal
        form = LessonForm(
            view,
            subject=journal.subject.name,
            class_name=journal.class_name,
            next_lesson=next_lesson(journal, lesson_id),
        )
        self.app.push_screen(form, saved)
