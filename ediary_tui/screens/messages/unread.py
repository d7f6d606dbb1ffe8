"""The unread messages in a screen's top bar: "unread messages: 2", nothing while none are.

The footer's "M messages 2" does not fit at 80 columns on the journal, whose
writing keys come first, so the top bar says it too. The app tells every
`UnreadCount` on its screens when the count changes (`EdiaryApp._show_counts`);
one mounted later reads the change follower's count itself.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.message import Message
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

    class Changed(Message):
        """The count changed: a bar that fits its pieces to its width measures again."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.count = 0
        self.short = False  # "2 unread" where the bar has no room for "unread messages: 2"

    def on_mount(self) -> None:
        app = self.app
        count = app.follower.unread_messages if isinstance(app, AppEvents) else None
        self.show(count or 0)

    def text(self, *, short: bool | None = None) -> str:
        if not self.count:
            return ""
        key = (
            "conversations.unread_short"
            if (self.short if short is None else short)
            else ("conversations.unread_count")
        )
        return _(key, count=self.count)

    def needs(self, *, short: bool) -> int:
        """The cells it takes with its padding; none while nothing is unread."""
        return cell_len(self.text(short=short)) + 2 if self.count else 0

    def show(self, count: int) -> None:
        changed = count != self.count
        self.count = count
        self.display = count > 0
        self.update(Content(self.text()))
        if changed:
            self.post_message(self.Changed())

    def set_short(self, short: bool) -> None:
        if short != self.short:
            self.short = short
            self.update(Content(self.text()))
