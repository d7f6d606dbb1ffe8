"""What the outbox's sender tells the journal screen, as messages from its worker.

The sender runs for as long as the screen shows (`send_outbox`); each of its
reports becomes a message, so the screen paints in its handlers and never
from inside the worker.
"""

from __future__ import annotations

from textual.message import Message
from textual.message_pump import MessagePump

from ediary_tui.client.errors import ClientError
from ediary_tui.client.journal_sync import OutboxSender, Outcome, SendState


class Settled(Message):
    """The server's last word on an entry: acknowledged, or refused and why."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__()
        self.outcome = outcome


class SendingChanged(Message):
    """How many entries wait, and whether the server answers."""

    def __init__(self, state: SendState) -> None:
        super().__init__()
        self.state = state


class SendingStopped(Message):
    """The session ended (or wants a new password): nothing more can be sent."""

    def __init__(self, error: ClientError) -> None:
        super().__init__()
        self.error = error


async def send_outbox(sender: OutboxSender, to: MessagePump) -> None:
    """Run `sender` until cancelled, telling `to` each report."""
    await sender.run(
        lambda outcome: to.post_message(Settled(outcome)),
        lambda state: to.post_message(SendingChanged(state)),
        lambda error: to.post_message(SendingStopped(error)),
    )
