"""The command palette on the journal: any journal the user may open, any period of this one.

Typing "7Б алг" in ctrl+p opens that journal without going through the picker.
The screen lists what it can open (`PaletteEntry`); this module only matches.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider


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
