"""A checkbox whose state shows in its glyph, not only in its colour.

Textual's Checkbox draws "X" whether it is ticked or not and tells the two
apart by colour alone; at 16 colours both read as ticked. This one draws "✓"
when ticked and a blank when not.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox

TICKED = "✓"
UNTICKED = " "


class TickBox(Checkbox):
    """A Checkbox that reads the same without colour: ✓ ticked, blank not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = TICKED if self.value else UNTICKED
        return super()._button
