"""The journal's keys to the teacher's own windows: the timetable (T), whose Enter opens a
lesson's journal on its column, and the class teacher's desk (d), for who leads a class."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from ediary_tui.client.journal_state import JournalState
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import TeacherLesson, User
from ediary_tui.screens.classes.desk import DeskScreen
from ediary_tui.screens.journal.timetable import TimetableScreen
from ediary_tui.widgets.journal_grid import JournalGrid

if TYPE_CHECKING:
    from textual.screen import Screen

    _Base = Screen[None]
else:
    _Base = object

TEACHER_ACTIONS = ("timetable", "desk")


class TeacherWindows(_Base):
    """Opens the timetable and the desk over the journal, and a lesson chosen in the first."""

    session: DiarySession
    user: User
    state: JournalState | None
    today: dt.date
    clock: Callable[[], dt.datetime]
    _target_lesson: str | None
    if TYPE_CHECKING:

        def open_journal(
            self, class_id: str, subject_id: str, period_id: str | None = None
        ) -> None: ...

    def teacher_action_enabled(self, action: str) -> bool:
        """The desk only for who leads a class; the timetable for every teacher."""
        return action != "desk" or bool(self.user.class_teacher_of)

    def action_timetable(self) -> None:
        """The week's lessons and the bells; a lesson chosen opens in the journal."""

        def chosen(lesson: TeacherLesson | None) -> None:
            if lesson is not None:
                self.open_lesson(lesson)

        self.app.push_screen(TimetableScreen(self.session, self.today, self.clock), chosen)

    def open_lesson(self, lesson: TeacherLesson) -> None:
        """The lesson's journal (class, subject, period) with the cursor on its column."""
        state = self.state
        if state is not None and (state.class_id, state.subject_id) == (
            lesson.class_id,
            lesson.subject.id,
        ):
            same_period = lesson.period_id in (None, state.journal.period.id)
            ids = [le.id for le in state.journal.lessons]
            if same_period and lesson.id in ids:
                self.query_one(JournalGrid).move_to(column=ids.index(lesson.id))
                return
        self.open_journal(lesson.class_id, lesson.subject.id, lesson.period_id)
        self._target_lesson = lesson.id

    def action_desk(self) -> None:
        """The class teacher's desk: the week of the class they lead."""
        led = self.user.class_teacher_of
        if not led:
            return
        state = self.state
        class_id = state.class_id if state is not None and state.class_id in led else led[0]
        self.app.push_screen(
            DeskScreen(self.session, class_id, today=self.today, tz=self.clock().tzinfo)
        )
