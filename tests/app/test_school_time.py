"""Every time is shown on the school's clocks: a mark given at 11:20 in Moscow says 11:20
on a computer whose clock is in UTC, and the person is told once which zone it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import httpx
from textual.widgets import Label

from ediary_tui.app import EdiaryApp
from ediary_tui.clock import school_time
from ediary_tui.context import AppContext
from ediary_tui.i18n import date_time
from ediary_tui.widgets.mark_cell import describe_mark
from tests.conftest import PINNED_NOW, PINNED_TODAY

from .conftest import DEMO_ACCOUNTS, diary, new_app, new_session, settled
from .journal_fixtures import told

SIZE = (100, 30)
MOSCOW = ZoneInfo("Europe/Moscow")
NOTE = "Times are the school's: Moscow (UTC+3)."


def utc_clock() -> dt.datetime:
    """A computer with TZ=UTC: 15:00 there is 18:00 at the Moscow school."""
    return PINNED_NOW


def app_in_utc(transport: httpx.AsyncBaseTransport, lang: str = "en") -> EdiaryApp:
    context = AppContext.build(new_session(transport), today=PINNED_TODAY, clock=utc_clock)
    return EdiaryApp(context, lang=lang, demo_accounts=DEMO_ACCOUNTS)


class TestTimesOnTheSchoolsClocks:
    async def test_a_marks_times_are_moscow_times_on_a_utc_computer(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        app = app_in_utc(school())
        async with app.run_test(size=SIZE) as pilot:
            screen = await diary(app, pilot, "parent")
            assert app.session.user is not None and app.session.user.timezone == "Europe/Moscow"
            week = screen.week
            assert week is not None
            mark = next(m for d in week.days for lesson in d.lessons for m in lesson.marks)
            given = mark.created_at.astimezone(MOSCOW)
            assert mark.created_at.utcoffset() == dt.timedelta(0)  # the server's UTC
            facts = describe_mark(mark)
            assert f"given {given.day} {given:%B}, {given:%H:%M}" in facts
            assert date_time(mark.created_at).endswith(f"{given:%H:%M}")
            assert school_time(mark.created_at).utcoffset() == dt.timedelta(hours=3)

    async def test_updated_at_is_on_the_schools_clock_too(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        """15:00 on this computer's clock (UTC) is 18:00 at the school."""
        app = app_in_utc(school())
        async with app.run_test(size=SIZE) as pilot:
            screen = await diary(app, pilot, "parent")
            assert str(screen.query_one("#freshness", Label).render()) == "updated 18:00"

    async def test_the_zone_is_said_once_where_the_computers_clock_differs(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        app = app_in_utc(school())
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            await pilot.press("m")  # another screen, and back: still said once
            await settled(pilot)
            await pilot.press("escape")
            await settled(pilot)
            assert told(app).count(NOTE) == 1

    async def test_in_russian(self, school: Callable[[], httpx.ASGITransport]) -> None:
        app = app_in_utc(school(), lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            assert "Время указано по часам школы: Москва (UTC+3)." in told(app)

    async def test_nothing_is_said_where_the_clocks_agree(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        app = new_app(new_session(school()))  # the tests' clock is Moscow's
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            assert not any("school's:" in text for text in told(app))


class TestTheSchoolsDate:
    async def test_past_midnight_at_the_school_it_is_tomorrow_there(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        """22:30 in UTC is 01:30 of the next day in Moscow: the school's today is that day."""
        late = dt.datetime(2026, 11, 24, 22, 30, tzinfo=dt.UTC)
        context = AppContext.build(new_session(school()), clock=lambda: late)
        assert context.today == dt.date(2026, 11, 24)  # the school's zone is not known yet
        app = EdiaryApp(context, lang="en", demo_accounts=DEMO_ACCOUNTS)
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            assert context.today == dt.date(2026, 11, 25)
