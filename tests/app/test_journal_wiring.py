"""Where the app lands: the school's staff on the journal, families on the week; quitting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from ediary_tui.app import EdiaryApp
from ediary_tui.screens.journal import JournalScreen
from ediary_tui.screens.login import LoginScreen
from ediary_tui.screens.week import ConfirmModal, WeekScreen

from .conftest import new_app, new_session
from .journal_fixtures import Outage, loaded
from .test_login import log_in, until

SIZE = (100, 30)


@pytest.fixture
def outage(school: Callable[[], httpx.ASGITransport]) -> Outage:
    return Outage(school())


class TestLanding:
    @pytest.mark.parametrize("login", ["teacher"])
    async def test_staff_log_in_to_the_journal(
        self, start: Callable[..., EdiaryApp], login: str
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, login, "demo")
            await until(pilot, lambda: isinstance(app.screen, JournalScreen))
            screen = await loaded(pilot)
            assert screen.state is not None
            assert screen.state.journal.students, "a class with students is shown"
            assert not app.query("WeekScreen")

    @pytest.mark.parametrize("login", ["parent", "student"])
    async def test_families_log_in_to_the_week(
        self, start: Callable[..., EdiaryApp], login: str
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, login, "demo")
            await until(pilot, lambda: isinstance(app.screen, WeekScreen))
            assert not any(isinstance(s, JournalScreen) for s in app.screen_stack)

    async def test_a_remembered_teacher_starts_on_the_journal_and_resumes(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        first = start()
        async with first.run_test(size=SIZE) as pilot:
            await log_in(pilot, "teacher", "demo")
            await loaded(pilot)
        again = start()
        async with again.run_test(size=SIZE) as pilot:
            # The first frame is the saved journal, before any answer from the server.
            assert isinstance(again.screen, JournalScreen)
            screen = await loaded(pilot)
            assert screen.state is not None and screen.fetched_at is not None

    async def test_logout_from_the_journal_goes_to_the_login(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "teacher", "demo")
            await loaded(pilot)
            await app.run_action("logout")
            await until(pilot, lambda: isinstance(app.screen, LoginScreen))
            assert app.session.cached_user() is None


class TestQuitting:
    async def _journal_with_unsent(self, outage: Outage, pilot: Any) -> JournalScreen:
        await log_in(pilot, "teacher", "demo")
        screen = await loaded(pilot)
        outage.down = True
        await pilot.press("4")
        await until(pilot, lambda: screen.unsent == 1)
        return screen

    async def test_ctrl_q_with_unsent_entries_asks_and_no_keeps_them(
        self, outage: Outage, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        app = new_app(new_session(outage))
        exits: list[object] = []
        async with app.run_test(size=SIZE) as pilot:
            screen = await self._journal_with_unsent(outage, pilot)
            monkeypatch.setattr(app, "exit", lambda *a, **kw: exits.append(a))
            await pilot.press("ctrl+q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            question = str(app.screen.query_one("#question").render())
            assert "Entries not on the server yet: 1." in question
            await pilot.press("ctrl+q")  # asked once, not a pile of questions
            assert sum(isinstance(s, ConfirmModal) for s in app.screen_stack) == 1
            await pilot.press("escape")
            assert app.screen is screen and exits == []
            await pilot.press("ctrl+q")
            await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            await pilot.press("y")
            assert exits == [()]

    async def test_ctrl_q_with_everything_sent_quits_at_once(
        self, outage: Outage, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        app = new_app(new_session(outage))
        exits: list[object] = []
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "teacher", "demo")
            screen = await loaded(pilot)
            await pilot.press("4")
            await until(pilot, lambda: screen.unsent == 0 and not screen.sync.pending())
            monkeypatch.setattr(app, "exit", lambda *a, **kw: exits.append(a))
            await pilot.press("ctrl+q")
            assert exits == [()]
