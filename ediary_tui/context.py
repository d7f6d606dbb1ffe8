"""What the app is handed at start: the client objects built once, and the day it is.

`cli.cmd_app` builds them (`AppContext.build`) and the app passes each screen
what it uses. There is one of each for the app's life, whoever logs in: the
journal's outbox, its sync and sender, and the change follower all read the
user from the session, so a logout and a login as someone else need nothing
rebuilt.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ediary_tui.clock import Clock, local_now, school_time

if TYPE_CHECKING:
    from textual.signal import Signal

    from ediary_tui.client.changes import ChangeFollower
    from ediary_tui.client.journal_sync import JournalSync, OutboxSender
    from ediary_tui.client.outbox import Outbox
    from ediary_tui.client.session import DiarySession
    from ediary_tui.domain.models import Change, User


@dataclass(frozen=True)
class AppContext:
    """The session and what hangs off it, with the app's clock (and date, when pinned)."""

    session: DiarySession
    journal: JournalSync
    sender: OutboxSender
    follower: ChangeFollower
    clock: Clock = local_now
    pinned_today: dt.date | None = None  # tests and snapshots; None: the clock's date

    @property
    def today(self) -> dt.date:
        """The school's date: past midnight in Moscow it is tomorrow there, whatever here."""
        return self.pinned_today or school_time(self.clock(), self.clock().tzinfo).date()

    @property
    def outbox(self) -> Outbox:
        return self.journal.outbox

    @classmethod
    def build(
        cls,
        session: DiarySession,
        *,
        today: dt.date | None = None,
        clock: Clock | None = None,
        outbox: Outbox | None = None,
    ) -> AppContext:
        """One of each client object over `session` (the outbox in its usual place unless given)."""
        from ediary_tui.client.changes import ChangeFollower
        from ediary_tui.client.journal_sync import JournalSync, OutboxSender
        from ediary_tui.client.outbox import Outbox

        if clock is not None:  # answers are kept and told "updated 18:05" on the app's clock
            session.clock = clock
        journal = JournalSync(session, outbox or Outbox())
        return cls(
            session=session,
            journal=journal,
            sender=OutboxSender(journal),
            follower=ChangeFollower(session),
            clock=clock or session.clock,
            pinned_today=today,
        )

    async def aclose(self) -> None:
        """The connections and files end with the app (they live in its event loop)."""
        self.outbox.close()
        await self.session.client.aclose()
        self.session.cache.close()


@runtime_checkable
class AppEvents(Protocol):
    """What the app offers every screen, whichever it is: its signals (subscribed to in
    `on_mount`) and the change follower, whose news and counts the what's-new list shows."""

    user_signal: Signal[User]  # the server's word on who is logged in, after a resume
    news_signal: Signal[list[Change]]  # news arrived from the change feed, oldest first

    @property
    def follower(self) -> ChangeFollower: ...
