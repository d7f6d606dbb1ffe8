"""The children a parent may see, as tabs in the header: one is the current one.

The widget only shows and reports; the screen decides what switching means
(`c` cycles, a click picks). A single child needs no switcher, so the screen
hides it then.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import events
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ediary_tui.domain.models import ChildRef


def short_name(full_name: str) -> str:
    """Surname and first name: 'Петров Пётр Иванович' -> 'Петров Пётр'."""
    return " ".join(full_name.split()[:2])


class ChildTab(Static):
    """One child's name and class; clicking it picks the child."""

    def __init__(self, child: ChildRef) -> None:
        label = f"{short_name(child.full_name)} {child.class_name}"
        super().__init__(Content(label), markup=False)
        self.child = child

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(ChildSwitcher.Changed(self.child))


class ChildSwitcher(Horizontal):
    """Tabs of the children; `select()` marks the current one."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    @dataclass
    class Changed(Message):
        """The user picked another child."""

        child: ChildRef

    async def set_children(self, children: list[ChildRef], current: str | None) -> None:
        """Rebuild the tabs only when the list of children changed (rare: after login)."""
        if [c.id for c in children] != [tab.child.id for tab in self.query(ChildTab)]:
            await self.remove_children()
            await self.mount_all(ChildTab(c) for c in children)
        self.select(current)

    def select(self, child_id: str | None) -> None:
        for tab in self.query(ChildTab):
            tab.set_class(tab.child.id == child_id, "-current")
