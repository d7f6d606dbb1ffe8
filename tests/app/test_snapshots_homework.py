"""What homework and the notices of absence look like: SVG snapshots in
snapshots/app/test_snapshots_homework/.

The demo school is built for the pinned date and the app's clock is pinned to
18:00 Moscow time. Update with `pytest tests/app/test_snapshots_homework.py
--snapshot-update` and look at every changed SVG before committing it.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from ediary_tui.screens.diary.absence import AbsenceScreen, NoticeForm
from ediary_tui.screens.diary.homework import HomeworkScreen
from ediary_tui.screens.diary.range_modal import RangeModal

from .conftest import settled
from .test_login import until
from .test_snapshots import SIZES, app_on
from .test_snapshots_report import opened


def notice_form(login: str = "parent", *typed: tuple[str, str], submit: bool = False) -> Any:
    """A `run_before`: the notices, then the form, with `typed` into its fields."""
    notices = opened(login, "a", kind=AbsenceScreen)

    async def run_before(pilot: Pilot[Any]) -> None:
        await notices(pilot)
        await pilot.press("n")
        await until(pilot, lambda: isinstance(pilot.app.screen, NoticeForm))
        form = pilot.app.screen
        for name, value in typed:
            form.query_one(f"#{name}", Input).value = value
        if submit:
            await pilot.press("ctrl+s")
            await until(pilot, lambda: not form.sending and form.query(".error").first().display)
        await settled(pilot)

    return run_before


class TestHomeworkScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_student(self, snap_compare: Any, school_copy: str, size: tuple[int, int]) -> None:
        """The week's assignments by day; the cursor on the first, its details below."""
        assert snap_compare(
            app_on(school_copy),
            terminal_size=size,
            run_before=opened("student", "h", kind=HomeworkScreen),
        )

    def test_parent(self, snap_compare: Any, school_copy: str) -> None:
        """Two children; space says who ticks."""
        assert snap_compare(
            app_on(school_copy),
            terminal_size=(80, 24),
            run_before=opened("parent", "h", kind=HomeworkScreen),
        )

    def test_ticked_and_filtered(self, snap_compare: Any, school_copy: str) -> None:
        """The first two ticked, then only the required ones."""
        assert snap_compare(
            app_on(school_copy),
            terminal_size=(80, 24),
            run_before=opened(
                "student", "h", kind=HomeworkScreen, then=("space", "down", "space", "o")
            ),
        )

    def test_in_russian(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(
            app_on(school_copy, lang="ru"),
            terminal_size=(80, 24),
            run_before=opened("student", "h", kind=HomeworkScreen),
        )

    def test_choosing_the_days(self, snap_compare: Any, school_copy: str) -> None:
        """The calendar of `g`, the first day picked and the cursor two days on."""
        homework = opened("student", "h", kind=HomeworkScreen, then=("g",))

        async def run_before(pilot: Pilot[Any]) -> None:
            await homework(pilot)
            await until(pilot, lambda: isinstance(pilot.app.screen, RangeModal))
            await pilot.press("right", "enter", "right", "right")
            await settled(pilot)

        assert snap_compare(app_on(school_copy), terminal_size=(80, 24), run_before=run_before)


class TestAbsenceScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_parent(self, snap_compare: Any, school_copy: str, size: tuple[int, int]) -> None:
        """The notices with their state; n gives one."""
        assert snap_compare(
            app_on(school_copy),
            terminal_size=size,
            run_before=opened("parent", "a", kind=AbsenceScreen),
        )

    def test_student(self, snap_compare: Any, school_copy: str) -> None:
        """Read only: the key says that parents give notices."""
        assert snap_compare(
            app_on(school_copy),
            terminal_size=(80, 24),
            run_before=opened("student", "a", kind=AbsenceScreen),
        )


class TestNoticeForm:
    @pytest.mark.parametrize("size", SIZES)
    def test_new(self, snap_compare: Any, school_copy: str, size: tuple[int, int]) -> None:
        """Today picked; today's notice marked on the calendar."""
        assert snap_compare(app_on(school_copy), terminal_size=size, run_before=notice_form())

    def test_refused_next_to_the_dates(self, snap_compare: Any, school_copy: str) -> None:
        """The server says the dates overlap a notice in force: said under the dates."""
        typed = (("from", "2026-11-24"), ("to", "2026-11-26"), ("comment", "Температура"))
        assert snap_compare(
            app_on(school_copy),
            terminal_size=(80, 24),
            run_before=notice_form("parent", *typed, submit=True),
        )

    def test_in_russian(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(
            app_on(school_copy, lang="ru"), terminal_size=(80, 24), run_before=notice_form()
        )

    def test_at_60x20(self, snap_compare: Any, school_copy: str) -> None:
        """The calendar above the fields, its hint in whole lines, the buttons in view."""
        assert snap_compare(app_on(school_copy), terminal_size=(60, 20), run_before=notice_form())
