"""Where the diary leads: the report card, progress, messages, what's new, homework, notices.

Each key opens another screen about the child on show; homework and notices
can change the week (a tick, lessons excused), so the diary fetches it again
when they close having changed something.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, TypeVar

from ediary_tui.client.capabilities import Can
from ediary_tui.domain.models import ChildRef
from ediary_tui.screens.diary.child_screen import ChildScreen

if TYPE_CHECKING:
    from ediary_tui.screens.diary.student_view import StudentScreen

S = TypeVar("S", bound="StudentScreen")


class WeekLinks(ChildScreen):
    """The week's keys that open other screens (`WeekScreen` is one)."""

    def go_to(self, child: ChildRef | None, day: dt.date) -> None:
        """Show `child`'s week of `day` (what's new chose it)."""
        raise NotImplementedError

    def refresh_week(self) -> None:
        raise NotImplementedError

    # What a key needs of the service: a real diary may have no messages, feed or notices.
    NEEDS: ClassVar[dict[str, tuple[Can, ...]]] = {
        "messages": (Can.MESSAGES, Can.ANNOUNCEMENTS),
        "whats_new": (Can.CHANGE_FEED,),
        "absence": (Can.ABSENCE_NOTICES,),
    }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        needs = self.NEEDS.get(action)
        if needs is not None and not any(self.session.can(what) for what in needs):
            return False
        return super().check_action(action, parameters)

    def _open(self, kind: type[S], closed: Callable[[S], object] | None = None) -> None:
        """Open a screen about the child on show; `closed` is told when it closes."""
        if self.child is None:
            return
        screen = kind(self.session, self.user, **self.where(self.child))
        self.app.push_screen(screen, None if closed is None else lambda _: closed(screen))

    def action_report_card(self) -> None:
        from ediary_tui.screens.diary.report_card import ReportCardScreen  # not needed to start

        self._open(ReportCardScreen)

    def action_progress(self) -> None:
        from ediary_tui.screens.diary.progress import ProgressScreen  # not needed to start

        self._open(ProgressScreen)

    def action_messages(self) -> None:
        from ediary_tui.screens.messages.threads import MessagesScreen  # not needed to start

        child = self.child.id if self.child is not None else None
        self.app.push_screen(
            MessagesScreen(
                self.session, self.user, student_id=child, today=self.today, clock=self.clock
            )
        )

    def action_whats_new(self) -> None:
        from ediary_tui.screens.messages.news import DiaryDay, WhatsNewScreen  # not needed to start

        def chosen(day: DiaryDay | None) -> None:
            """Enter on a mark, an absence or homework: that child's week of that day."""
            if day is None:
                return
            child = next((c for c in self.user.children if c.id == day.student_id), None)
            self.go_to(child, day.date)

        self.app.push_screen(
            WhatsNewScreen(self.session, self.user, today=self.today, clock=self.clock), chosen
        )

    def action_homework(self) -> None:
        from ediary_tui.screens.diary.homework import HomeworkScreen  # not needed to start

        # A tick shows in the diary too: fetch the week again on the way back.
        self._open(HomeworkScreen, lambda screen: screen.changed and self.refresh_week())

    def action_absence(self) -> None:
        from ediary_tui.screens.diary.absence import AbsenceScreen  # not needed to start

        # A notice makes lessons excused: fetch the week again on the way back.
        self._open(AbsenceScreen, lambda screen: screen.changed and self.refresh_week())
