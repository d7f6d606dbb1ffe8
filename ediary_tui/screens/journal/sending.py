"""What the outbox's sender tells the journal screen, as messages from its worker.

The sender runs for as long as the screen shows (`OutboxRunner`, a widget
with no looks, whose worker is cancelled with it); each of its reports
becomes a message, so the screen paints in its handlers and never from
inside the worker.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.message import Message
from textual.widget import Widget

from ediary_tui.client.errors import ClientError
from ediary_tui.client.journal_sync import OutboxSender, Outcome, SendState


@dataclass
class Settled(Message):
    """The server's last word on an entry: acknowledged, or refused and why."""

    outcome: Outcome


@dataclass
class SendingChanged(Message):
    """How many entries wait, and whether the server answers."""

    state: SendState


@dataclass
class SendingStopped(Message):
    """The session ended (or wants a new password): nothing more can be sent."""

    error: ClientError


class OutboxRunner(Widget):
    """Runs the app's outbox sender while the journal is open (it is the app's, and outlives
    the screen); its reports go up to the screen as messages."""

    DEFAULT_CSS = "OutboxRunner { display: none; }"

    def __init__(self, sender: OutboxSender) -> None:
        super().__init__()
        self.sender = sender
        self.running = False

    def start(self) -> None:
        """Send, unless already sending (a resumed session asks again)."""
        if not self.running:
            self.running = True
            self._run()

    @work(group="outbox", exclusive=True)
    async def _run(self) -> None:
        await self.sender.run(
            lambda outcome: self.post_message(Settled(outcome)),
            lambda state: self.post_message(SendingChanged(state)),
            self._stopped,
        )

    def _stopped(self, error: ClientError) -> None:
        self.running = False
        self.post_message(SendingStopped(error))
