"""Another class or subject (c): the teacher's own journals first, then the ones they read."""

from __future__ import annotations

from pathlib import PurePath
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from ediary_tui.client.journal_sync import JournalChoice
from ediary_tui.i18n import _
from ediary_tui.widgets.dialogs import DIALOG_SHEET, Window


class JournalPicker(Window[JournalChoice | None]):
    """The journals the user may open, their own first; typing filters, Enter opens one."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [DIALOG_SHEET, "journal.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "keys.cancel")]
    FILTER_FROM = 12  # fewer choices than this need no filter

    def __init__(self, choices: list[JournalChoice], current: tuple[str, str] | None) -> None:
        super().__init__()
        self.choices = choices
        self.current = current
        self.shown = list(choices)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = _("journal.pick_title")
            if len(self.choices) >= self.FILTER_FROM:
                yield Input(placeholder=_("journal.pick_filter"), id="filter")
            yield OptionList(*self._options(self.choices), id="journals")

    @staticmethod
    def _options(choices: list[JournalChoice]) -> list[Option]:
        return [
            Option(
                Content(f"{c.class_name} · {c.subject_name}")
                if c.can_write
                else Content.assemble(
                    f"{c.class_name} · {c.subject_name} ",
                    (_("journal.pick_read_only"), "$text-muted"),
                ),
                id=f"{c.class_id}:{c.subject_id}",
            )
            for c in choices
        ]

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [(c.class_id, c.subject_id) for c in self.choices]
        if self.current in keys:
            options.highlighted = keys.index(self.current)
        if self.query("#filter"):
            self.query_one("#filter").focus()
        else:
            options.focus()

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        words = event.value.casefold().split()
        self.shown = [
            c
            for c in self.choices
            if all(w in f"{c.class_name} {c.subject_name}".casefold() for w in words)
        ]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(self.shown))
        if self.shown:
            options.highlighted = 0

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and self.shown:
            self.dismiss(self.shown[options.highlighted])

    def on_key(self, event: events.Key) -> None:
        """Up and down move in the list while the filter keeps the typing."""
        if event.key in ("up", "down") and self.query("#filter"):
            options = self.query_one(OptionList)
            if event.key == "up":
                options.action_cursor_up()
            else:
                options.action_cursor_down()
            event.stop()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
