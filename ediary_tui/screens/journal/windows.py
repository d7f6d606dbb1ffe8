"""The windows the journal screen opens over itself: the cell editor, the picker of
journals, and the class's (an announcement, a message to a family, the families'
accounts). The journal shown says which class; the grid's cursor, which student.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work

from ediary_tui.client.journal_state import JournalState
from ediary_tui.client.journal_sync import JournalChoice, JournalSync
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import User
from ediary_tui.i18n import _
from ediary_tui.screens.classes.announcement import AnnouncementModal
from ediary_tui.screens.classes.credentials import CredentialsScreen
from ediary_tui.screens.classes.family_message import FamilyMessageModal
from ediary_tui.screens.journal.details import CellDetails
from ediary_tui.screens.journal.period_end import PeriodEndActions
from ediary_tui.screens.journal.picker import JournalPicker
from ediary_tui.screens.journal.sheet import JournalSheet
from ediary_tui.widgets.journal_grid import JournalGrid

if TYPE_CHECKING:
    from textual.screen import Screen

    _Base = Screen[None]
else:
    _Base = object


class JournalWindows(PeriodEndActions):
    """The journal screen's keys (and Enter on a cell) that open a window."""

    session: DiarySession
    sync: JournalSync
    user: User
    state: JournalState | None
    clock: Callable[[], dt.datetime]
    today: dt.date
    if TYPE_CHECKING:

        def open_journal(self, class_id: str, subject_id: str) -> None: ...

    def on_journal_grid_activated(self, event: JournalGrid.Activated) -> None:
        """Enter on a cell: all about it. (A handler by name: `on` needs a message pump.)"""
        event.stop()
        if (state := self.state) is not None:
            tz = self.clock().tzinfo
            key = (event.row_key, event.column_key)
            details = CellDetails(self.sync, state, *key, tz)
            sheet = self.query_one(JournalSheet)
            self.app.push_screen(details, lambda edit: sheet.edited(state, key, edit))

    def action_pick(self) -> None:
        """Another class or subject: the teacher's own, then those they may only read."""
        self._pick()

    @work(exclusive=True, group="pick")
    async def _pick(self) -> None:
        choices = await self.sync.journals(self.user.teaching)
        if not choices:
            self.notify(_("journal.nothing_taught"), severity="warning")
            return
        current = (self.state.class_id, self.state.subject_id) if self.state else None

        def chosen(choice: JournalChoice | None) -> None:
            if choice is not None:
                self.open_journal(choice.class_id, choice.subject_id)

        self.app.push_screen(JournalPicker(choices, current), chosen)

    # -- the class -------------------------------------------------------------------

    def action_announce(self) -> None:
        """An announcement to the class whose journal this is (the window says it was posted)."""
        if (state := self.state) is not None:
            modal = AnnouncementModal(self.session, state.class_id, state.journal.class_name)
            self.app.push_screen(modal)

    def action_message_family(self) -> None:
        """A message to a parent of the student under the cursor."""
        state, key = self.state, self.query_one(JournalGrid).cursor_key
        if state is None or key is None:
            return
        student = state.students[key[0]]
        self.app.push_screen(
            FamilyMessageModal(self.session, state.class_id, student.id, student.full_name)
        )

    def action_messages(self) -> None:
        """The messages screen (M): the teacher's conversations, read and answered; a new one
        starts in this journal's class."""
        from ediary_tui.screens.messages.threads import MessagesScreen  # not needed to start

        state = self.state
        screen = MessagesScreen(
            self.session,
            self.user,
            student_id=None,
            today=self.today,
            clock=self.clock,
            class_id=state.class_id if state is not None else None,
        )
        self.app.push_screen(screen)

    def action_credentials(self) -> None:
        """The class's families and their accounts; first-login passwords to hand out."""
        state, key = self.state, self.query_one(JournalGrid).cursor_key
        if state is None:
            return
        student_id = key[0] if key is not None else None
        name, tz = state.journal.class_name, self.clock().tzinfo
        self.app.push_screen(
            CredentialsScreen(self.session, state.class_id, name, student_id, tz=tz)
        )
