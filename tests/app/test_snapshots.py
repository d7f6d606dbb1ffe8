"""What the screens look like: SVG snapshots, kept in snapshots/app/test_snapshots/.

The demo school is built for the pinned date, the app's clock is pinned to
18:00 Moscow time, so the pictures change only when the screens do. Update
them with `pytest tests/app/test_snapshots.py --snapshot-update` and look at
every changed SVG before committing it.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from ediary_tui.app import EdiaryApp
from ediary_tui.screens.diary.week import WeekScreen

from .conftest import LazySchool, new_app, new_session, settled
from .test_login import log_in, until

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


def app_on(school_copy: str, **kw: Any) -> EdiaryApp:
    return new_app(new_session(LazySchool(school_copy)), **kw)


def logged_in_as(login: str) -> Any:
    """A `run_before` that logs in and waits for the week fresh from the server."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await log_in(pilot, login, "demo")

        def fresh() -> bool:
            screen = app.screen
            if not isinstance(screen, WeekScreen) or screen.week is None:
                return False
            return "18:00" in str(screen.query_one("#freshness", Static).render())

        await until(pilot, fresh)
        await settled(pilot)

    return run_before


class TestLoginScreen:
    def test_login_with_the_demo_accounts(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(app_on(school_copy), terminal_size=(80, 24))

    def test_login_in_russian(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(app_on(school_copy, lang="ru"), terminal_size=(80, 24))


class TestWeekScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_parent(self, snap_compare: Any, school_copy: str, size: tuple[int, int]) -> None:
        """A parent of two: the child switcher, not signed yet, today's lessons first."""
        assert snap_compare(
            app_on(school_copy), terminal_size=size, run_before=logged_in_as("parent")
        )

    @pytest.mark.parametrize("size", SIZES)
    def test_student(self, snap_compare: Any, school_copy: str, size: tuple[int, int]) -> None:
        """A student of the 7th grade: no switcher, nothing to sign."""
        assert snap_compare(
            app_on(school_copy), terminal_size=size, run_before=logged_in_as("student")
        )

    def test_parent_in_russian(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(
            app_on(school_copy, lang="ru"),
            terminal_size=(80, 24),
            run_before=logged_in_as("parent"),
        )
