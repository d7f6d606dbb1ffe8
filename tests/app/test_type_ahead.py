"""Type-ahead: keys typed faster than the screen changes reach the field the user meant.

A terminal hands the app a burst of keys in one read (a quick typist, a paste, tmux
send-keys): every key is queued before the first is handled. Keys that arrive while a
screen or a dialog is being opened, or while the focus is moving, must wait for it and
then go to the new focus, as a terminal's line discipline would give them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot

from ediary_tui.app import EdiaryApp
from ediary_tui.screens.messages.threads import MessagesScreen

from .conftest import in_diary, settled
from .journal_fixtures import (
    Outage,
    all_sent,
    journal_app,
    journal_of,
    journal_settled,
    loaded,
    logged_in,
    teacher_api,
)

SIZE = (80, 24)
CHARS = {"enter": "\r", "tab": "\t", "escape": "\x1b"}


def burst(app: App[Any], *keys: str) -> None:
    """Post every key at once, as the driver does with one read of the terminal."""
    for key in keys:
        app.post_message(events.Key(key, CHARS.get(key, key)))


class TestLoginBurst:
    async def test_login_enter_password_enter_logs_in(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """Enter in Login moves to Password; the keys behind it must not stay in Login."""
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            burst(app, *"student", "enter", *"demo", "enter")
            await settled(pilot)
            assert in_diary(app)
            assert app.session.user is not None and app.session.user.login == "student"

    async def test_a_key_typed_after_the_login_goes_to_the_diary(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """`parent⏎demo⏎m`: the m waits for the login's answer and opens Messages."""
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            burst(app, *"parent", "enter", *"demo", "enter", "m")
            await settled(pilot)
            assert isinstance(app.screen, MessagesScreen), app.screen
            assert app.session.user is not None and app.session.user.login == "parent"


async def typed(pilot: Pilot[Any]) -> None:
    """Until every key of a burst was given and what it set off is done: the held keys go
    one at a time, between the workers `journal_settled` waits for."""
    app = pilot.app
    for _ in range(200):
        await journal_settled(pilot)
        if not app._held_keys and not app._key_in_flight:  # type: ignore[attr-defined]
            break
        await pilot.pause(0.02)
    await journal_settled(pilot)


@pytest.fixture
def outage(school: Callable[[], httpx.ASGITransport]) -> Outage:
    return Outage(school())


class TestDialogBurst:
    async def test_shift_p_then_a_mark_sets_the_period_mark(
        self, outage: Outage, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        """`P5` typed fast: the 5 waits for the period-mark dialog and goes into it."""
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            assert screen.state is not None
            journal = screen.state.journal
            first = journal.students[0].id
            burst(app, "P", "5")
            await typed(pilot)
            assert app.screen is screen, app.screen
            await all_sent(pilot, screen)
        api = await teacher_api(school())
        try:
            after = await api.journal(journal.class_id, journal.subject.id, journal.period.id)
        finally:
            await api.aclose()
        assert {st.id: st.period_mark for st in after.students}[first] == 5

    async def test_p5_typed_with_the_login_waits_for_the_journal(
        self, start: Callable[..., EdiaryApp], school: Callable[[], httpx.ASGITransport]
    ) -> None:
        """`teacher⏎demo⏎P5` in one burst: the journal opens, loads, then takes `P5`."""
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            burst(app, *"teacher", "enter", *"demo", "enter", "P", "5")
            await typed(pilot)
            screen = journal_of(app)
            assert app.screen is screen, app.screen
            assert screen.state is not None
            journal = screen.state.journal
            first = journal.students[0].id
            await all_sent(pilot, screen)
        api = await teacher_api(school())
        try:
            after = await api.journal(journal.class_id, journal.subject.id, journal.period.id)
        finally:
            await api.aclose()
        assert {st.id: st.period_mark for st in after.students}[first] == 5
