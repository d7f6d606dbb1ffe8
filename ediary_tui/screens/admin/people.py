"""The admin's first screen: people of the school found by name or login as they type.

`/` goes to the search (typing there asks the server after a short pause, the
latest typing winning), Enter or the arrows go to the list, Enter on a person
opens their card. From here the admin also creates a person and goes to the
classes and the day's timetable changes.
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.widgets import Footer, Input, OptionList
from textual.widgets.option_list import Option

from ediary_tui.domain.models import OneTimePassword, PeopleFound
from ediary_tui.i18n import _
from ediary_tui.screens.admin.base import AdminScreen, role_words
from ediary_tui.screens.admin.classes import ClassesScreen
from ediary_tui.screens.admin.day_changes import DayChangesScreen
from ediary_tui.screens.admin.person import PersonScreen
from ediary_tui.screens.admin.windows import SEARCH_PAUSE, NewPersonWindow, PasswordWindow
from ediary_tui.screens.classes.families import Cell, lined_up

MIN_QUERY = 2


def hit_rows(found: PeopleFound) -> list[list[Cell]]:
    """Each person: the full name, the login, the roles, the class."""
    return [
        [
            (p.full_name, "bold"),
            (p.login, ""),
            (role_words(p.roles, p.full_name), "$text-muted"),
            (p.class_name or "", ""),
        ]
        for p in found.people
    ]


class PeopleScreen(AdminScreen):
    """Search the school's people; open a card; create a person; go to classes or changes."""

    AUTO_FOCUS = "#query"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "admin.key_search", key_display="/", priority=True),
        Binding("ctrl+n", "new_person", "admin.key_new", priority=True),
        Binding("f2", "classes", "admin.key_classes"),
        Binding("f3", "day_changes", "admin.key_day_changes"),
        Binding("escape", "back", "admin.key_back"),
    ]

    found: var[PeopleFound | None] = var(None, init=False, always_update=True)
    """What the last search found (None: nothing asked); its watcher paints the list."""

    def compose(self) -> ComposeResult:
        yield from self.top_bar(_("admin.title"))
        yield Input(placeholder=_("admin.search_placeholder"), id="query", compact=True)
        yield OptionList(id="hits", classes="table")
        yield self.status_line()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.where(_("admin.people"))
        self.say(_("admin.search_hint"))

    # -- searching -------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#query", Input).focus()

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#query")
    def _to_list(self, event: Input.Submitted) -> None:
        event.stop()
        hits = self.query_one("#hits", OptionList)
        if hits.option_count:
            hits.focus()

    def on_key(self, event: events.Key) -> None:
        """Down from the search goes to the list, as Enter does."""
        if event.key == "down" and self.focused is self.query_one("#query"):
            hits = self.query_one("#hits", OptionList)
            if hits.option_count:
                hits.focus()

    @work(exclusive=True, group="search")
    async def _search(self, text: str) -> None:
        await asyncio.sleep(SEARCH_PAUSE)
        if len(text.strip()) < MIN_QUERY:
            self.found = None
            return
        found = await self.call(lambda api: api.search_people(text.strip()))
        if found is not None:
            self.found = found

    def watch_found(self, found: PeopleFound | None) -> None:
        hits = self.query_one("#hits", OptionList)
        if found is None:
            hits.clear_options()
            self.say(_("admin.search_hint"))
            return
        text = self.query_one("#query", Input).value.strip()
        hits.set_options(
            Option(line, id=p.id)
            for line, p in zip(lined_up(hit_rows(found)), found.people, strict=True)
        )
        if found.people:
            hits.highlighted = 0
        if not found.people:
            self.say(_("admin.nobody_found", text=text))
        elif found.more:
            self.say(_("admin.found_more", count=len(found.people)))
        else:
            self.say(_("admin.found", count=len(found.people)))

    # -- where it leads --------------------------------------------------------------

    @on(OptionList.OptionSelected, "#hits")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.app.push_screen(PersonScreen(self.session, event.option.id, today=self.today))

    def action_new_person(self) -> None:
        self._new_person()

    @work(exclusive=True, group="new")
    async def _new_person(self) -> None:
        classes = await self.call(lambda api: api.admin_classes())
        if classes is None:
            return

        def made(issued: OneTimePassword | None) -> None:
            if issued is None:
                return
            card = PersonScreen(self.session, issued.user_id, today=self.today)
            self.app.push_screen(card)
            self.app.push_screen(PasswordWindow(issued))

        self.app.push_screen(NewPersonWindow(self.session, classes.classes, self.today), made)

    def action_classes(self) -> None:
        self.app.push_screen(ClassesScreen(self.session, today=self.today))

    def action_day_changes(self) -> None:
        self.app.push_screen(DayChangesScreen(self.session, today=self.today))
