"""The unread messages in a screen's top bar: "unread messages: 2", nothing while none are.

The footer's "M messages 2" does not fit at 80 columns on the journal, whose
writing keys come first, so the top bar says it too. The app tells every
`UnreadCount` on its screens when the count changes (`EdiaryApp._show_counts`);
one mounted later reads the change follower's count itself.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Label

from ediary_tui.context import AppEvents
from ediary_tui.i18n import _


class UnreadCount(Label):
    """How many messages are unread, in the accent colour; hidden at none."""

    DEFAULT_CSS = """
    UnreadCount {
        width: auto;
        padding: 0 1;
        color: $text-accent;
        text-style: bold;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.count = 0

    def on_mount(self) -> None:
        app = self.app
        count = app.follower.unread_messages if isinstance(app, AppEvents) else None
        self.show(count or 0)

    def show(self, count: int) -> None:
        self.count = count
        self.display = count > 0
        self.update(Content(_("conversations.unread_count", count=count)) if count else "")
