"""The teacher's timetable (T from the journal): the week with its changes and the bells,
and Enter on a lesson opening the right journal on the lesson's column.

Snapshots are in snapshots/app/test_timetable/, at 80x24 and 120x40, and at 16
colours as a terminal with TERM=xterm shows them: Textual paints in true colour,
and Rich brings each colour down to the nearest of the 16 ANSI ones on such a
terminal; `sixteen_colours` does the same to the picture before it is taken.
Update with `pytest tests/app/test_timetable.py --snapshot-update` and look at
every changed SVG.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from ediary_tui.client.api import DiaryClient
from ediary_tui.domain.models import LessonChangeIn, LessonChangeKind, TeacherLesson, TeacherWeek
from ediary_tui.screens.journal.timetable import TimetableScreen
from tests.conftest import PINNED_TODAY

from .conftest import SERVER, sixteen_colours
from .journal_fixtures import Outage, journal_app, journal_of, journal_settled, loaded, logged_in
from .test_login import log_in, until
from .test_snapshots import app_on

SIZE = (80, 24)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def outage(school: Callable[[], httpx.ASGITransport]) -> Outage:
    return Outage(school())


@pytest.fixture
async def api(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    """The teacher's own client to the same school: what the server says."""
    client = DiaryClient(SERVER, transport=school(), retries=0)
    await client.login("teacher", "demo")
    yield client


async def admin_cancels(school: httpx.AsyncBaseTransport, lesson: TeacherLesson) -> None:
    """The school's admin cancels one lesson of the teacher's (a one-day change)."""
    admin = DiaryClient(SERVER, transport=school, retries=0)
    await admin.login("admin", "demo")
    await admin.change_lesson(
        LessonChangeIn(
            class_id=lesson.class_id,
            date=lesson.starts_at.date(),
            number=lesson.number,
            kind=LessonChangeKind.CANCEL,
            note="экскурсия",
        )
    )


async def timetable(pilot: Pilot[Any]) -> TimetableScreen:
    """T pressed on the journal, and the week shown."""
    await pilot.press("T")
    await journal_settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TimetableScreen)
    await until(pilot, lambda: screen.week is not None)
    return screen


def lines(screen: TimetableScreen) -> list[str]:
    listing = screen.query_one("#lessons", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def lessons_of(week: TeacherWeek) -> list[TeacherLesson]:
    return [le for day in week.days for le in day.lessons]


async def choose(pilot: Pilot[Any], screen: TimetableScreen, lesson: TeacherLesson) -> None:
    listing = screen.query_one("#lessons", OptionList)
    listing.highlighted = listing.get_option_index(f"lesson:{lesson.id}")
    listing.focus()
    await pilot.press("enter")
    await journal_settled(pilot)


def cursor(pilot: Pilot[Any]) -> tuple[str, str]:
    key = journal_of(pilot.app).query_one("#grid").cursor_key  # type: ignore[attr-defined]
    assert key is not None
    return key


class TestTheTeachersWeek:
    async def test_it_lists_the_weeks_lessons_day_by_day_and_the_bells(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        expected = await api.teacher_week(PINNED_TODAY)
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            screen = await timetable(pilot)
            shown = lines(screen)
            assert shown[0] == "Monday, 23 November"
            assert "Wednesday, 25 November · today" in shown
            first = lessons_of(expected)[0]
            assert any(
                line.strip().startswith(f"{first.number}  {first.starts_at:%H:%M}–")
                and first.class_name in line
                and first.subject.name in line
                for line in shown
            )
            bells = shown[shown.index("Bell schedule") + 1 :]
            assert [b.split()[:2] for b in bells] == [
                [str(b.number), f"{b.starts_at}–{b.ends_at}"] for b in expected.bells
            ]
            count = len(lessons_of(expected))
            summary = str(screen.query_one("#status", Static).render())
            assert summary == f"{count} lessons this week · 0 changed"

    async def test_a_cancelled_lesson_says_so_with_the_schools_note(
        self, outage: Outage, api: DiaryClient, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        tomorrow = PINNED_TODAY + dt.timedelta(days=1)
        week = await api.teacher_week(PINNED_TODAY)
        lesson = next(le for le in lessons_of(week) if le.starts_at.date() == tomorrow)
        await admin_cancels(school(), lesson)
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=(120, 40)) as pilot:
            await loaded(pilot)
            screen = await timetable(pilot)
            (line,) = [x for x in lines(screen) if x.endswith("cancelled: экскурсия")]
            assert line.split()[:2] == [
                str(lesson.number),
                f"{lesson.starts_at:%H:%M}–{lesson.ends_at:%H:%M}",
            ]
            assert lesson.class_name in line and lesson.subject.name in line
            assert str(screen.query_one("#status", Static).render()).endswith("· 1 changed")

    async def test_enter_opens_the_lessons_journal_on_its_column(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            journal = await loaded(pilot)
            assert journal.state is not None
            shown = (journal.state.class_id, journal.state.subject_id)
            week = await api.teacher_week(PINNED_TODAY)
            other = next(le for le in lessons_of(week) if (le.class_id, le.subject.id) != shown)
            screen = await timetable(pilot)
            await choose(pilot, screen, other)
            assert not isinstance(app.screen, TimetableScreen)
            journal = journal_of(app)
            assert journal.state is not None
            assert (journal.state.class_id, journal.state.subject_id) == (
                other.class_id,
                other.subject.id,
            )
            assert journal.state.journal.period.id == other.period_id
            assert cursor(pilot)[1] == other.id

    async def test_enter_on_a_lesson_of_the_journal_shown_moves_the_cursor_there(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        week = await api.teacher_week(PINNED_TODAY)
        lessons = lessons_of(week)
        first = next(
            le
            for le in lessons
            if sum((x.class_id, x.subject.id) == (le.class_id, le.subject.id) for x in lessons) > 1
        )
        second = next(
            le
            for le in lessons
            if (le.class_id, le.subject.id) == (first.class_id, first.subject.id)
            and le.id != first.id
        )
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            await choose(pilot, await timetable(pilot), first)
            assert cursor(pilot)[1] == first.id
            shown = journal_of(app).state
            await choose(pilot, await timetable(pilot), second)
            assert cursor(pilot)[1] == second.id
            assert journal_of(app).state is shown  # the same journal, not loaded again

    async def test_escape_closes_it_on_the_journal_as_it_was(self, outage: Outage) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            before = cursor(pilot)
            await timetable(pilot)
            await pilot.press("escape")
            await journal_settled(pilot)
            assert app.screen is journal_of(app) and cursor(pilot) == before

    async def test_the_palette_offers_it(self, outage: Outage) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            commands = [c.title for c in app.get_system_commands(app.screen)]
            assert "my timetable and the bells" in commands


# --- snapshots ------------------------------------------------------------------------------


def timetable_of_teacher(*, colours: int | None = None) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await log_in(pilot, "teacher", "demo")
        await loaded(pilot)
        await timetable(pilot)
        await journal_settled(pilot)
        if colours == 16:
            sixteen_colours(pilot.app)

    return run_before


class TestTimetableLooks:
    @pytest.mark.parametrize("size", SIZES)
    def test_the_teachers_week(
        self, snap_compare: Any, school_copy: str, size: tuple[int, int]
    ) -> None:
        assert snap_compare(
            app_on(school_copy), terminal_size=size, run_before=timetable_of_teacher()
        )

    @pytest.mark.parametrize("size", SIZES)
    def test_the_teachers_week_in_16_colours(
        self,
        snap_compare: Any,
        school_copy: str,
        size: tuple[int, int],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.setenv("TERM", "xterm")
        monkeypatch.delenv("COLORTERM", raising=False)
        assert snap_compare(
            app_on(school_copy), terminal_size=size, run_before=timetable_of_teacher(colours=16)
        )
