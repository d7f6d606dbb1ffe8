"""Help, the palette and the footer speak our words, in the user's language.

`?` lists the screen's keys as we describe them (not Textual's "Scroll Left");
the palette names each command's screen under it ("Messages · key: n"), so
that the screen's name and the action both find it, and Textual's own commands
come in the user's language and our casing; the footer always keeps "? help" on screen; ctrl+c
says how to quit in the user's language.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ediary_tui.app import EdiaryApp, ScreenCommands

from .conftest import diary, settled
from .test_messages import messages

SIZE = (80, 24)
TEXTUAL_WORDS = {"Scroll Left", "Scroll Right", "Page Up", "Page Down", "First", "Last", "Up"}


def titles(app: EdiaryApp) -> list[str]:
    return [command.title for command in app.get_system_commands(app.screen)]


async def found(app: EdiaryApp, query: str) -> list[str]:
    """What the palette's search offers for `query`, as the palette asks it."""
    provider = ScreenCommands(app.screen)
    return [str(hit.prompt) async for hit in provider.search(query)]


class TestHelp:
    async def test_messages_help_lists_our_keys_in_words(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            keys = {key.description: key.keys for key in app.keys_of(screen)}
            assert not TEXTUAL_WORDS & set(keys)
            assert keys["next in the list"] == "↓ j"
            assert {"reply", "write", "back", "quit", "help"} <= set(keys)

    async def test_messages_help_in_russian(self, start: Callable[..., EdiaryApp]) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            descriptions = [key.description for key in app.keys_of(screen)]
            assert "следующее в списке" in descriptions
            assert "закрыть программу" in descriptions
            assert all(not ch.isascii() or not ch.isalpha() for d in descriptions for ch in d)

    async def test_help_is_listed_last_though_it_leads_a_crowded_footer(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            assert next(iter(week.active_bindings.values())).binding.action == "help"
            assert [key.description for key in app.keys_of(week)][-1] == "помощь"


class TestPalette:
    async def test_messages_commands_are_found_by_the_screen_and_the_action(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            await messages(app, pilot)
            await settled(pilot)
            assert "write" in await found(app, "write")
            assert {"reply", "write", "back"} <= set(await found(app, "mess"))

    async def test_one_casing_and_textuals_commands_in_russian(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            names = titles(app)
            assert "следующая неделя" in names
            assert "тема" in names and "снимок экрана" in names
            assert not {"Keys", "Maximize", "Screenshot", "Theme", "Quit"} & set(names)
            assert all(not name[:1].isupper() for name in names), names
            hints = {c.title: c.help for c in app.get_system_commands(app.screen)}
            assert hints["следующая неделя"] == "Дневник · клавиша: ] →"

    async def test_ctrl_c_says_how_to_quit_in_russian(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await diary(app, pilot, "parent")
            await pilot.press("ctrl+c")
            said = [(n.title, n.message) for n in app._notifications]
            assert ("Закрыть программу?", "Чтобы закрыть программу, нажмите q.") in said


class TestFooter:
    async def test_the_russian_week_footer_keeps_help_at_80_columns(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            await settled(pilot)
            footer = week.query_one(Footer)
            keys = {key.key: key for key in footer.query(FooterKey)}
            help_key, palette = keys["question_mark"], keys["ctrl+p"]
            assert help_key.region.width > 0
            assert help_key.region.right <= palette.region.x
            assert "помощь" in str(help_key.render())
            # The palette key reaches the last column: a key cut off beneath it never shows
            # a letter there ("^p командыя").
            assert palette.region.right == SIZE[0]

    async def test_space_is_named_in_russian(self, start: Callable[..., EdiaryApp]) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE):
            assert app.get_key_display(Binding("space", "toggle")) == "пробел"

    async def test_every_diary_screen_keeps_help_in_russian_at_80_columns(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """The report card, progress, homework, absence and messages, as the week: the
        footer may drop keys at its end, never "? помощь"."""
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            for key in ("R", "p", "h", "a", "m"):
                await pilot.press(key)
                await settled(pilot)
                screen = app.screen
                assert screen is not week, key
                keys = {k.key: k for k in screen.query_one(Footer).query(FooterKey)}
                help_key = keys["question_mark"]
                assert help_key.region.width > 0, key
                assert help_key.region.right <= keys["ctrl+p"].region.x, key
                await pilot.press("escape")
                await settled(pilot)
                assert app.screen is week, key
