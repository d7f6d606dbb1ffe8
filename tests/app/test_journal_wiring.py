"""Where the app lands: the school's staff on the journal, families on the week; quitting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList

from ediary_tui.app import EdiaryApp
from ediary_tui.screens.account.login import LoginScreen
from ediary_tui.screens.classes.announcement import AnnouncementModal
from ediary_tui.screens.classes.credentials import CredentialsScreen
from ediary_tui.screens.classes.family_message import FamilyMessageModal
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.screens.journal.picker import JournalPicker
from ediary_tui.screens.journal.screen import JournalScreen, period_name
from ediary_tui.widgets.dialogs import ConfirmModal
from ediary_tui.widgets.journal_grid import JournalGrid

from .conftest import new_app, new_session, settled
from .journal_fixtures import (
    Outage,
    all_sent,
    journal_settled,
    loaded,
    reported,
    showing,
)
from .test_login import log_in, until

SIZE = (100, 30)


@pytest.fixture
def outage(school: Callable[[], httpx.ASGITransport]) -> Outage:
    return Outage(school())


class TestLanding:
    @pytest.mark.parametrize("login", ["teacher", "admin"])
    async def test_staff_log_in_to_the_journal(
        self, start: Callable[..., EdiaryApp], login: str
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, login, "demo")
            screen = await loaded(pilot)
            assert app.screen is screen
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
            await settled(pilot)
            assert isinstance(app.screen, WeekScreen)
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
            await journal_settled(pilot)
            assert isinstance(app.screen, LoginScreen)
            assert app.session.cached_user() is None


class TestQuitting:
    async def _journal_with_unsent(self, outage: Outage, pilot: Any) -> JournalScreen:
        await log_in(pilot, "teacher", "demo")
        screen = await loaded(pilot)
        outage.down = True
        await pilot.press("4")
        await reported(pilot, screen, lambda state: state.offline and state.pending == 1)
        assert screen.unsent == 1
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
            assert isinstance(app.screen, ConfirmModal)
            question = str(app.screen.query_one("#question").render())
            assert "Entries not on the server yet: 1." in question
            await pilot.press("ctrl+q")  # asked once, not a pile of questions
            assert sum(isinstance(s, ConfirmModal) for s in app.screen_stack) == 1
            await pilot.press("escape")
            assert app.screen is screen and exits == []
            await pilot.press("ctrl+q")
            assert isinstance(app.screen, ConfirmModal)
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
            await all_sent(pilot, screen)
            assert screen.sync.pending() == []
            monkeypatch.setattr(app, "exit", lambda *a, **kw: exits.append(a))
            await pilot.press("ctrl+q")
            assert exits == [()]


class TestPicker:
    async def test_the_class_teacher_opens_other_subjects_of_their_class_read_only(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "teacher", "demo")
            screen = await loaded(pilot)
            await pilot.press("c")
            await journal_settled(pilot)
            picker = app.screen
            assert isinstance(picker, JournalPicker)
            taught = {(t.class_id, t.subject_id) for t in screen.user.teaching}
            own = [c for c in picker.choices if c.can_write]
            others = [c for c in picker.choices if not c.can_write]
            assert {(c.class_id, c.subject_id) for c in own} == taught
            assert others, "the class teacher also sees the other subjects of the class led"
            assert picker.choices == own + others  # their own first
            led = set(screen.user.class_teacher_of)
            assert {c.class_id for c in others} <= led
            choice = others[0]
            options = picker.query_one(OptionList)
            options.highlighted = options.get_option_index(f"{choice.class_id}:{choice.subject_id}")
            await pilot.press("enter")
            await showing(pilot, screen, choice.class_id, choice.subject_id)
            assert screen.state is not None and not screen.state.journal.can_write
            assert "read only" in str(screen.query_one("#period").render())
            before = screen.sync.count_pending()
            await pilot.press("5")  # refused at once, nothing queued
            assert screen.sync.count_pending() == before

    async def test_the_admin_filters_the_schools_journals_by_typing(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "admin", "demo")
            await loaded(pilot)
            await pilot.press("c")
            await journal_settled(pilot)
            picker = app.screen
            assert isinstance(picker, JournalPicker)
            assert len(picker.choices) >= JournalPicker.FILTER_FROM
            assert not any(c.can_write for c in picker.choices)
            wanted = picker.choices[-1]
            await pilot.press(*wanted.class_name)
            await pilot.pause()
            assert picker.shown and all(c.class_name == wanted.class_name for c in picker.shown)
            assert len(picker.shown) < len(picker.choices)
            await pilot.press("escape")
            assert not isinstance(app.screen, JournalPicker)


class TestClassKeys:
    async def test_the_class_windows_open_from_the_journal_on_its_class(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "teacher", "demo")
            screen = await loaded(pilot)
            assert screen.state is not None
            class_id = screen.state.class_id
            student_id, _lesson = screen.query_one(JournalGrid).cursor_key or ("", "")
            for key, kind in (
                ("a", AnnouncementModal),
                ("ф", AnnouncementModal),
                ("m", FamilyMessageModal),
                ("i", CredentialsScreen),
            ):
                await pilot.press(key)
                window = app.screen
                assert isinstance(window, kind)
                assert getattr(window, "class_id", None) == class_id
                if isinstance(window, FamilyMessageModal | CredentialsScreen):
                    assert window.student_id == student_id
                await pilot.press("escape")
                assert app.screen is screen
            helped = {k.action for k in app.keys_of(screen)}
            assert {"announce", "message_family", "credentials"} <= helped


def shown_at(palette: CommandList, index: int) -> str:
    """The command at `index` in the palette, without its line of help."""
    return str(palette.get_option_at_index(index).prompt).split("\n")[0]


class TestPalette:
    async def test_ctrl_p_opens_another_journal_by_its_name(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "teacher", "demo")
            screen = await loaded(pilot)
            assert screen.state is not None
            shown = (screen.state.class_id, screen.state.subject_id)
            other = next(t for t in screen.user.teaching if (t.class_id, t.subject_id) != shown)
            await pilot.press("ctrl+p")
            await until(pilot, lambda: isinstance(app.screen, CommandPalette))
            app.screen.query_one(Input).value = f"{other.class_name} {other.subject_name}"
            palette = app.screen.query_one(CommandList)
            wanted = f"Journal {other.class_name} · {other.subject_name}"
            await until(
                pilot,
                lambda: palette.option_count > 0 and shown_at(palette, 0) == wanted,
            )
            await pilot.press("enter")
            await showing(pilot, screen, other.class_id, other.subject_id)

    async def test_ctrl_p_offers_the_other_periods_of_the_journal(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "teacher", "demo")
            screen = await loaded(pilot)
            assert screen.state is not None
            journal = screen.state.journal
            first = journal.periods[0]
            assert first.id != journal.period.id, "the demo's today is past the first period"
            await pilot.press("ctrl+p")
            await until(pilot, lambda: isinstance(app.screen, CommandPalette))
            palette = app.screen.query_one(CommandList)
            wanted = f"Period: {period_name(first)}"
            await until(
                pilot,
                lambda: any(shown_at(palette, n) == wanted for n in range(palette.option_count)),
            )
            current = f"Period: {period_name(journal.period)}"
            shown = [
                str(palette.get_option_at_index(n).prompt) for n in range(palette.option_count)
            ]
            assert current not in shown
            app.screen.query_one(Input).value = wanted
            await until(
                pilot,
                lambda: palette.option_count > 0 and shown_at(palette, 0) == wanted,
            )
            await pilot.press("enter")
            await until(
                pilot,
                lambda: screen.state is not None and screen.state.journal.period.id == first.id,
            )
