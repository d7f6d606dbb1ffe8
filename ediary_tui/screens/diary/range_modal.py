"""Which days the homework screen lists: Enter on the first day, then on the last."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label

from ediary_tui.i18n import (
    _,
    long_date,
    week_range,
)
from ediary_tui.widgets.date_range import DateRangePicker
from ediary_tui.widgets.keys import LocalisedKeys


class RangeModal(LocalisedKeys, ModalScreen[tuple[dt.date, dt.date] | None]):
    """Pick the days to list: Enter on the first day, then on the last."""

    CSS_PATH: ClassVar[list[str]] = ["../../widgets/dialogs.tcss", "range_modal.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "keys.cancel")]

    def __init__(self, today: dt.date, start: dt.date, end: dt.date) -> None:
        super().__init__()
        self.today = today
        self.start = start
        self.end = end

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("homework.range_title")
            yield Label(_("homework.range_prompt"), id="range-prompt")
            yield DateRangePicker(self.today, start=self.start, end=self.end, id="picker")
            yield Label(id="range-picked", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._say(self.start, self.end, waiting=False)

    def _say(self, start: dt.date, end: dt.date, *, waiting: bool) -> None:
        text = (
            _("homework.range_waiting", date=long_date(start))
            if waiting
            else week_range(start, end)
        )
        self.query_one("#range-picked", Label).update(Content(text))

    @on(DateRangePicker.Changed)
    def _picked(self, event: DateRangePicker.Changed) -> None:
        event.stop()
        if event.waiting:
            self._say(event.start, event.end, waiting=True)
        else:
            self.dismiss((event.start, event.end))

    def action_cancel(self) -> None:
        self.dismiss(None)
