"""The command palette on the journal: any journal the user may open, any period of this one.

Typing "7Б алг" in ctrl+p opens that journal without going through the picker.
The screen lists what it can open (`PaletteEntry`); this module only matches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ediary_tui.client.journal_sync import JournalChoice
from ediary_tui.domain.models import Journal
from ediary_tui.i18n import _
from ediary_tui.screens.journal.topbar import period_name


@dataclass(frozen=True)
class PaletteEntry:
    """One thing to open from the palette: what it says, a word of help, and how."""

    text: str
    help: str
    open: Callable[[], None]
    discoverable: bool = False  # shown before anything is typed


@runtime_checkable
class OffersPaletteEntries(Protocol):
    def palette_entries(self) -> Awaitable[list[PaletteEntry]]: ...


class JournalCommands(Provider):
    """Journals and periods, matched by the words typed."""

    async def startup(self) -> None:
        screen = self.screen
        self.entries: list[PaletteEntry] = (
            await screen.palette_entries() if isinstance(screen, OffersPaletteEntries) else []
        )

    async def discover(self) -> Hits:
        for entry in self.entries:
            if entry.discoverable:
                yield DiscoveryHit(entry.text, entry.open, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self.entries:
            score = matcher.match(entry.text)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.text), entry.open, help=entry.help)


def journal_entries(
    journal: Journal | None,
    choices: list[JournalChoice],
    open_journal: Callable[[str, str, str | None], None],
) -> list[PaletteEntry]:
    """The other periods of the journal shown (at once, before typing), then every other
    journal the user may open."""
    entries: list[PaletteEntry] = []
    current = None
    if journal is not None:
        current = (journal.class_id, journal.subject.id)
        entries += [
            PaletteEntry(
                _("journal.palette_period", period=period_name(period)),
                f"{journal.class_name} · {journal.subject.name}",
                partial(open_journal, journal.class_id, journal.subject.id, period.id),
                discoverable=True,
            )
            for period in journal.periods
            if period.id != journal.period.id
        ]
    for choice in choices:
        if (choice.class_id, choice.subject_id) == current:
            continue
        entries.append(
            PaletteEntry(
                _(
                    "journal.palette_journal",
                    class_name=choice.class_name,
                    subject=choice.subject_name,
                ),
                "" if choice.can_write else _("journal.pick_read_only"),
                partial(open_journal, choice.class_id, choice.subject_id, None),
            )
        )
    return entries
