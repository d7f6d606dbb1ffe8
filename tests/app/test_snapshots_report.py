"""What the report card, a subject's marks and the progress chart look like: SVG snapshots
in snapshots/app/test_snapshots_report/.

The demo school is built for the pinned date and the app's clock is pinned to
18:00 Moscow time. Update with `pytest tests/app/test_snapshots_report.py
--snapshot-update` and look at every changed SVG before committing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from ediary_tui.screens.diary.progress import ProgressScreen
from ediary_tui.screens.diary.report_card import ReportCardScreen
from ediary_tui.screens.diary.student_view import StudentScreen
from ediary_tui.screens.diary.subject_marks import SubjectMarksScreen

from .conftest import settled, sixteen_colours
from .test_login import until
from .test_snapshots import SIZES, app_on, logged_in_as


def fresh(screen: object, kind: type[StudentScreen]) -> bool:
    if not isinstance(screen, kind):
        return False
    return "18:00" in str(screen.query_one("#freshness", Static).render())


def opened(login: str, *keys: str, kind: type[StudentScreen], then: tuple[str, ...] = ()) -> Any:
    """A `run_before`: log in, press `keys` in the diary, wait for `kind` fresh, press `then`."""
    diary = logged_in_as(login)

    async def run_before(pilot: Pilot[Any]) -> None:
        await diary(pilot)
        await pilot.press(*keys)
        await until(pilot, lambda: fresh(pilot.app.screen, kind))
        if then:
            await pilot.press(*then)
        await settled(pilot)

    return run_before


def card_then(*then: str) -> Callable[[Pilot[Any]], Any]:
    """The card, then a subject opened from it with `then` and waited for."""
    card = opened("student", "R", kind=ReportCardScreen)

    async def run_before(pilot: Pilot[Any]) -> None:
        await card(pilot)
        await pilot.press(*then)
        await until(pilot, lambda: fresh(pilot.app.screen, SubjectMarksScreen))
        await settled(pilot)

    return run_before


class TestReportCardScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_parent(self, snap_compare: Any, school_copy: str, size: tuple[int, int]) -> None:
        """Two children to switch between; the cursor on the current quarter."""
        assert snap_compare(
            app_on(school_copy),
            terminal_size=size,
            run_before=opened("parent", "R", kind=ReportCardScreen),
        )

    def test_in_russian(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(
            app_on(school_copy, lang="ru"),
            terminal_size=(80, 24),
            run_before=opened("student", "R", kind=ReportCardScreen),
        )


class TestSubjectMarksScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_what_do_i_need(
        self, snap_compare: Any, school_copy: str, size: tuple[int, int]
    ) -> None:
        """The second quarter: the marks, the breakdown and the goal one mark up."""
        assert snap_compare(app_on(school_copy), terminal_size=size, run_before=card_then("w"))

    def test_the_first_quarter_over(self, snap_compare: Any, school_copy: str) -> None:
        """A period that is over: more marks, and nothing more to aim at."""
        assert snap_compare(
            app_on(school_copy), terminal_size=(120, 40), run_before=card_then("left", "enter")
        )


class TestProgressScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_parent(self, snap_compare: Any, school_copy: str, size: tuple[int, int]) -> None:
        """The current quarter by average; the first subject drawn large."""
        assert snap_compare(
            app_on(school_copy),
            terminal_size=size,
            run_before=opened("parent", "p", kind=ProgressScreen),
        )

    def test_the_year_by_trend_in_russian(self, snap_compare: Any, school_copy: str) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await opened("student", "p", kind=ProgressScreen)(pilot)
            screen = pilot.app.screen
            assert isinstance(screen, ProgressScreen)
            await pilot.press("y")
            await until(
                pilot,
                lambda: (
                    screen.progress is not None
                    and screen.progress.period is None
                    and fresh(screen, ProgressScreen)
                ),
            )
            await pilot.press("o", "down")
            await settled(pilot)

        assert snap_compare(
            app_on(school_copy, lang="ru"), terminal_size=(120, 40), run_before=run_before
        )


class TestMarksAt16Colours:
    def test_the_parents_week(self, snap_compare: Any, school_copy: str) -> None:
        """TERM=xterm: 5 and 4 bold green, 3 plain yellow, 2 and 1 reversed red."""
        diary = logged_in_as("parent")

        async def run_before(pilot: Pilot[Any]) -> None:
            await diary(pilot)
            sixteen_colours(pilot.app)

        assert snap_compare(app_on(school_copy), terminal_size=(80, 24), run_before=run_before)

    def test_the_report_card(self, snap_compare: Any, school_copy: str) -> None:
        card = opened("student", "R", kind=ReportCardScreen)

        async def run_before(pilot: Pilot[Any]) -> None:
            await card(pilot)
            sixteen_colours(pilot.app)

        assert snap_compare(app_on(school_copy), terminal_size=(80, 24), run_before=run_before)
