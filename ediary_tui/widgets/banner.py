"""A one-line message across the screen: offline, the session ended, a notice.

Unlike a toast it stays while the condition lasts (the server is unreachable),
so nobody mistakes saved data for fresh.
"""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets import Static

_KINDS = ("-info", "-warning", "-error")


class Banner(Static):
    """Hidden until `show()`; `kind` is info, warning or error."""

    DEFAULT_CSS = Path(__file__).with_suffix(".tcss").read_text(encoding="utf-8")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.display = False

    def show(self, text: str, kind: str = "info") -> None:
        self.update(Content(text))
        for name in _KINDS:
            self.set_class(name == f"-{kind}", name)
        self.display = True

    def hide(self) -> None:
        self.display = False

    def warn_while(self, condition: bool, text: str) -> None:
        """A warning while `condition` holds (the server is unreachable), else hidden."""
        if condition:
            self.show(text, "warning")
        else:
            self.hide()
