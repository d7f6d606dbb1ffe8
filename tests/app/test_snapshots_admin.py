"""What the admin's screens look like: SVG snapshots in snapshots/app/test_snapshots_admin/.

The demo school is built for the pinned date and the app's clock pinned, as in
test_snapshots.py. Update them with
`pytest tests/app/test_snapshots_admin.py --snapshot-update` and look at every
changed SVG before committing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from ediary_tui.domain.models import LessonChangeIn, LessonChangeKind
from ediary_tui.screens.admin.people import PeopleScreen
from tests.conftest import PINNED_TODAY

from .journal_fixtures import journal_settled, loaded
from .test_login import log_in
from .test_snapshots import app_on

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
Step = Callable[[Pilot[Any]], Awaitable[None]]


def as_admin(*steps: Step) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """A `run_before`: the admin logs in, presses A, then `steps`, each waited for."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "admin", "demo")
        await loaded(pilot)
        await pilot.press("A")
        await journal_settled(pilot)
        assert isinstance(pilot.app.screen, PeopleScreen)
        for step in steps:
            await step(pilot)
            await journal_settled(pilot)

    return run_before


def keys(*pressed: str) -> Step:
    async def step(pilot: Pilot[Any]) -> None:
        await pilot.press(*pressed)

    return step


def highlight(list_id: str, starting: str) -> Step:
    """Highlight the first line of a list that starts with `starting`."""

    async def step(pilot: Pilot[Any]) -> None:
        listing = pilot.app.screen.query_one(list_id, OptionList)
        lines = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        listing.highlighted = next(i for i, line in enumerate(lines) if line.startswith(starting))
        listing.focus()

    return step


async def cancel_tomorrows_first_lesson(pilot: Pilot[Any]) -> None:
    """7А's first lesson tomorrow is cancelled (through the admin's API, as the screen does)."""
    session = pilot.app.session  # type: ignore[attr-defined]
    classes = await session.send(lambda api: api.admin_classes())
    seventh = next(c for c in classes.classes if c.name == "7А")
    change = LessonChangeIn(
        class_id=seventh.id,
        date=PINNED_TODAY + dt.timedelta(days=1),
        number=1,
        kind=LessonChangeKind.CANCEL,
        note="экскурсия в музей",
    )
    await session.send(lambda api: api.change_lesson(change))


class TestPeople:
    @pytest.mark.parametrize("size", SIZES)
    def test_search(self, snap_compare: Any, school_copy: str, size: tuple[int, int]) -> None:
        """People whose login starts with, or whose name holds, what is typed; Enter goes to
        the list (a blinking cursor in the search field would make the picture flaky)."""
        assert snap_compare(
            app_on(school_copy),
            terminal_size=size,
            run_before=as_admin(keys(*"par"), keys("enter")),
        )

    @pytest.mark.parametrize("size", SIZES)
    def test_a_parents_card(
        self, snap_compare: Any, school_copy: str, size: tuple[int, int]
    ) -> None:
        """The well-known parent (the exact login comes first): two children, logged in already."""
        steps = as_admin(keys(*"parent"), keys("enter"), keys("enter"))
        assert snap_compare(app_on(school_copy), terminal_size=size, run_before=steps)

    def test_a_new_person(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(
            app_on(school_copy),
            terminal_size=(80, 24),
            run_before=as_admin(keys("ctrl+n"), keys("tab")),
        )

    def test_search_in_russian_at_60x20(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(
            app_on(school_copy, lang="ru"),
            terminal_size=(60, 20),
            run_before=as_admin(keys(*"par"), keys("enter")),
        )


class TestClasses:
    def test_the_classes(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(
            app_on(school_copy), terminal_size=(80, 24), run_before=as_admin(keys("f2"))
        )

    @pytest.mark.parametrize("size", SIZES)
    def test_a_classes_members(
        self, snap_compare: Any, school_copy: str, size: tuple[int, int]
    ) -> None:
        steps = as_admin(keys("f2"), highlight("#classes", "7А"), keys("enter"))
        assert snap_compare(app_on(school_copy), terminal_size=size, run_before=steps)

    @pytest.mark.parametrize("size", SIZES)
    def test_a_classes_week(
        self, snap_compare: Any, school_copy: str, size: tuple[int, int]
    ) -> None:
        steps = as_admin(keys("f2"), highlight("#classes", "7А"), keys("enter"), keys("t"))
        assert snap_compare(app_on(school_copy), terminal_size=size, run_before=steps)


class TestTheDaysChanges:
    @pytest.mark.parametrize("size", SIZES)
    def test_tomorrows_changes(
        self, snap_compare: Any, school_copy: str, size: tuple[int, int]
    ) -> None:
        steps = as_admin(cancel_tomorrows_first_lesson, keys("f3"), keys("right_square_bracket"))
        assert snap_compare(app_on(school_copy), terminal_size=size, run_before=steps)

    def test_changing_a_lesson_in_russian(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(
            app_on(school_copy, lang="ru"),
            terminal_size=(80, 24),
            run_before=as_admin(keys("f3"), keys("n")),
        )
