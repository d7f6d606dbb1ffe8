"""The server lost and back: the app tries again by itself and says when it is back.

The school's server is reached through `Switch` (the embedded transport, which
a test can stop and start). The app's waits between tries are pinned short
(`Backoff(first=0.05, most=0.05)`): the real ones are 1, 2, 4 … 30 s.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ediary_tui.client.session import Backoff
from ediary_tui.screens.messages.threads import MessagesScreen
from ediary_tui.widgets.banner import Banner

from .conftest import Switch, diary, new_app, new_session, settled, until
from .test_messages import messages

SIZE = (80, 24)


class TestReconnect:
    async def test_messages_drop_no_connection_by_themselves_when_the_server_is_back(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        switch = Switch(school())
        app = new_app(new_session(switch))
        app.backoff = Backoff(first=0.05, most=0.05)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            switch.off = True
            await pilot.press("ctrl+r")  # the server is found gone
            await settled(pilot)
            assert app.session.offline and screen.query_one(Banner).display
            tries = app.backoff.tries
            await until(pilot, lambda: app.backoff.tries >= tries + 2)  # still trying, no key
            assert screen.query_one(Banner).display
            switch.off = False
            await until(pilot, lambda: not app.session.offline)
            await settled(pilot)
            assert isinstance(app.screen, MessagesScreen)
            assert not screen.query_one(Banner).display
            assert "Connected again: the server answers." in [n.message for n in app._notifications]
            assert app.backoff.tries == 0

    async def test_in_russian_it_says_so_in_russian(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        switch = Switch(school())
        app = new_app(new_session(switch), lang="ru")
        app.backoff = Backoff(first=0.05, most=0.05)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            week = await diary(app, pilot, "parent")
            switch.off = True
            await pilot.press("r")
            await settled(pilot)
            assert week.query_one(Banner).display
            switch.off = False
            await until(pilot, lambda: not app.session.offline)
            await settled(pilot)
            assert not week.query_one(Banner).display
            assert "Связь восстановлена: сервер отвечает." in [
                n.message for n in app._notifications
            ]
