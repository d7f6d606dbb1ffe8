"""The homework screen's filters: subject, required or optional, done or not.

They narrow the range as fetched, so changing one is instant; the widget
says which one changed (`Changed`) and the screen lists again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Select

from ediary_tui.domain.models import Homework
from ediary_tui.i18n import _

ALL = "all"
KINDS = (ALL, "required", "optional")
STATES = (ALL, "undone", "done")
NAMES = ("subject", "kind", "state")


def matches(hw: Homework, subject: str, kind: str, state: str) -> bool:
    return (
        (subject == ALL or hw.subject.id == subject)
        and (kind == ALL or hw.required == (kind == "required"))
        and (state == ALL or hw.done == (state == "done"))
    )


class HomeworkFilters(Horizontal):
    """Three drop-downs; a choice posts `Changed` (setting one from a key does not)."""

    @dataclass
    class Changed(Message):
        name: str
        value: str

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._subjects: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield self._select("subject", [(_("homework.all_subjects"), ALL)])
        yield self._select("kind", [(_(f"homework.kind_{kind}"), kind) for kind in KINDS])
        yield self._select("state", [(_(f"homework.state_{state}"), state) for state in STATES])

    @staticmethod
    def _select(name: str, options: list[tuple[str, str]]) -> Select[str]:
        return Select(options, value=ALL, allow_blank=False, compact=True, id=name)

    def set_subjects(self, items: Iterable[Homework], chosen: str) -> None:
        """Offer the range's subjects (and keep the one chosen)."""
        found = {hw.subject.id: hw.subject.name for hw in items}
        if chosen != ALL and chosen not in found:
            kept = dict(self._subjects)
            found[chosen] = kept.get(chosen, chosen)
        subjects = sorted(found.items(), key=lambda pair: pair[1])
        if subjects == self._subjects:
            return
        self._subjects = subjects
        select: Select[str] = self.query_one("#subject", Select)
        with self.prevent(Select.Changed):
            select.set_options([(_("homework.all_subjects"), ALL), *((n, i) for i, n in subjects)])
            select.value = chosen

    def set_value(self, name: str, value: str) -> None:
        select: Select[str] = self.query_one(f"#{name}", Select)
        with self.prevent(Select.Changed):
            select.value = value

    def open_subjects(self) -> None:
        select: Select[str] = self.query_one("#subject", Select)
        select.focus()
        select.action_show_overlay()

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id in NAMES and isinstance(event.value, str):
            self.post_message(self.Changed(event.select.id, event.value))
