"""The period's end in the journal (issue 14): lessons missed, year marks, due dates, export.

Against the real server in-process. The year mark needs the year's last
period under way: those tests move the server's clock (and the app's day) to
the spring, the fourth quarter.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.journal_sync import OutboxSender
from ediary_tui.context import AppContext
from ediary_tui.screens.diary.export import ExportModal
from ediary_tui.screens.journal.lesson import HomeworkBox, LessonForm
from ediary_tui.screens.journal.period_end import YearMarkModal
from ediary_tui.screens.journal.screen import JournalScreen
from ediary_tui.server import db
from ediary_tui.server import schema as s
from ediary_tui.server.app import create_app
from ediary_tui.server.school.lesson_plan import plan_lessons
from ediary_tui.server.settings import ServerSettings
from tests.conftest import FakeClock

from .conftest import MOSCOW, LazySchool, new_session
from .journal_fixtures import (
    JournalApp,
    Outage,
    all_sent,
    counted,
    grid_of,
    journal_app,
    journal_settled,
    loaded,
    logged_in,
    teacher_api,
    told,
)

SIZE = (80, 24)
SPRING_NOW = dt.datetime(2027, 4, 21, 15, 0, tzinfo=dt.UTC)  # a Wednesday, 4th quarter
SPRING_TODAY = SPRING_NOW.date()
LAST_QUARTER = dt.date(2027, 4, 1)


def spring_clock() -> dt.datetime:
    return SPRING_NOW.astimezone(MOSCOW)


def spring_app(session: Any, *, login: str | None = None, **journal: Any) -> JournalApp:
    """The journal app on a spring day: the year's last quarter is under way."""
    context = AppContext.build(session, today=SPRING_TODAY, clock=spring_clock)
    context = replace(context, sender=OutboxSender(context.journal, max_delay=0.2))
    return JournalApp(context, journal=journal, login=login, lang="en")


@pytest.fixture
def outage(school: Callable[[], httpx.ASGITransport]) -> Outage:
    return Outage(school())


@pytest.fixture
async def api(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    client = await teacher_api(school())
    yield client
    await client.aclose()


async def client_of(transport: httpx.AsyncBaseTransport, login: str) -> DiaryClient:
    client = DiaryClient("http://school.test", transport=transport, retries=0)
    await client.login(login, "demo")
    return client


@pytest.fixture
async def parent(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    client = await client_of(school(), "parent")
    yield client
    await client.aclose()


async def algebra_7a(api: DiaryClient) -> dict[str, str]:
    """The teacher's 7А Алгебра journal, where the well-known parent's child is."""
    found = next(
        t for t in (await api.me()).teaching if (t.class_name, t.subject_name) == ("7А", "Алгебра")
    )
    return {"class_id": found.class_id, "subject_id": found.subject_id}


def summary_texts(screen: JournalScreen, student_id: str) -> list[str]:
    return [c.plain for c in screen.query_one("#grid").summary(student_id)]  # type: ignore[attr-defined]


async def the_child(parent: DiaryClient, screen: JournalScreen) -> str:
    """The parent's child in the class whose journal is shown."""
    assert screen.state is not None
    mine = {c.id for c in (await parent.me()).children}
    found = [s.id for s in screen.state.journal.students if s.id in mine]
    assert found, "the parent has no child in this class"
    return found[0]


class TestAbsences:
    async def test_the_grid_shows_lessons_missed_of_lessons_held_and_counts_a_new_absence(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            assert screen.state is not None
            journal = screen.state.journal
            grid = grid_of(app)
            assert grid.headings[-1] == "miss"  # the second quarter: no year column
            for student in journal.students:
                shown = summary_texts(screen, student.id)
                assert shown[3] == f"{student.absences}/{student.lessons_held}"
            held = journal.students[0].lessons_held
            assert held == sum(1 for le in journal.lessons if le.date <= app.today)
            # An absence typed on today's lesson counts at once, before the server answers.
            student_id, lesson_id = grid.cursor_key or ("", "")
            before = screen.state.students[student_id].absences
            assert screen.state.cell(student_id, lesson_id).code is None
            await pilot.press("n")
            assert summary_texts(screen, student_id)[3] == f"{before + 1}/{held}"
            await all_sent(pilot, screen)
            fresh = await api.journal(journal.class_id, journal.subject.id, journal.period.id)
            row = next(s for s in fresh.students if s.id == student_id)
            assert (row.absences, row.lessons_held) == (before + 1, held)


class TestYearMark:
    async def test_a_year_mark_set_on_the_last_period_reaches_the_family(
        self, school: Callable[[], httpx.ASGITransport], clock: FakeClock, engine: AsyncEngine
    ) -> None:
        clock.current = SPRING_NOW  # before anyone logs in: a token lives a few hours
        await plan_the_last_quarter(engine)
        api, parent = await client_of(school(), "teacher"), await client_of(school(), "parent")
        app = spring_app(await logged_in(school()), **await algebra_7a(api))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            assert screen.state is not None
            journal = screen.state.journal
            assert journal.period.number == 4
            assert grid_of(app).headings[-2:] == ("miss", "year")
            child = await the_child(parent, screen)
            grid_of(app).move_to_key(child)
            await pilot.press("y")
            assert isinstance(app.screen, YearMarkModal), (told(app), len(journal.lessons))
            await pilot.press("4")
            await journal_settled(pilot)
            assert app.screen is screen
            assert summary_texts(screen, child)[-1] == "4"
            assert any("Year mark of" in t and ": 4." in t for t in told(app))
            fresh = await api.journal(journal.class_id, journal.subject.id, journal.period.id)
            assert next(s for s in fresh.students if s.id == child).year_mark == 4
            card = await parent.report_card(child)
            subject = next(s for s in card.subjects if s.id == journal.subject.id)
            assert subject.year_mark == 4
            # ⌫ in the window clears it.
            await pilot.press("y", "backspace")
            await journal_settled(pilot)
            assert summary_texts(screen, child)[-1] == ""
            card = await parent.report_card(child)
            assert next(s for s in card.subjects if s.id == journal.subject.id).year_mark is None

    async def test_at_60_columns_the_year_and_absence_columns_stay_in_sight(
        self, school: Callable[[], httpx.ASGITransport], clock: FakeClock, engine: AsyncEngine
    ) -> None:
        clock.current = SPRING_NOW
        await plan_the_last_quarter(engine)
        api = await client_of(school(), "teacher")
        app = spring_app(await logged_in(school()), **await algebra_7a(api))
        async with app.run_test(size=(60, 20)) as pilot:
            await loaded(pilot)
            lines = grid_of(app).plain_lines()
            assert lines[0].endswith("avg prop  set  miss year")
            assert all(len(line) <= 60 for line in lines)
            assert lines[2].split()[-1].endswith("/9")  # 9 lessons held by 21 April

    async def test_before_the_last_period_the_key_says_so(self, outage: Outage) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            await pilot.press("y")
            assert app.screen is screen
            assert told(app)[-1] == "Year marks are set on the year's last period: ] goes there."


class TestDueDate:
    async def test_a_due_date_chosen_in_the_lesson_form_reaches_the_familys_homework(
        self, outage: Outage, api: DiaryClient, parent: DiaryClient
    ) -> None:
        app = journal_app(await logged_in(outage), **await algebra_7a(api))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            assert screen.state is not None
            child = await the_child(parent, screen)
            key = grid_of(app).cursor_key
            assert key is not None
            lesson = screen.state.lessons[key[1]]
            await pilot.press("h")
            form = app.screen
            assert isinstance(form, LessonForm)
            new = form.query(HomeworkBox).last()
            due = new.query_one(Input)
            following = [le.date for le in screen.state.journal.lessons if le.date > lesson.date]
            assert due.value == f"{following[0]:%Y-%m-%d}"  # the next lesson by default
            new.query_one(TextArea).text = "Реферат о дробях"
            # Before the lesson: said under the box, the form stays, what was typed stays.
            due.value = f"{lesson.date - dt.timedelta(days=2):%d.%m.%Y}"
            await pilot.press("ctrl+s")
            assert app.screen is form
            error = str(new.query_one(".error", Static).render())
            assert "cannot be before the lesson" in error
            assert new.query_one(TextArea).text == "Реферат о дробях"
            chosen = lesson.date + dt.timedelta(days=9)
            due.value = f"{chosen:%d.%m.%Y}"
            await pilot.press("ctrl+s")
            assert app.screen is screen
            await all_sent(pilot, screen)
            homework = await parent.homework(child, from_=lesson.date, to=lesson.date)
            set_here = [h for h in homework if h.text == "Реферат о дробях"]
            assert [h.due for h in set_here] == [chosen]
            # Opened again, the form shows the chosen date.
            await pilot.press("h")
            form = app.screen
            assert isinstance(form, LessonForm)
            boxes = list(form.query(HomeworkBox))
            shown = [b.query_one(Input).value for b in boxes if b.text == "Реферат о дробях"]
            assert shown == [f"{chosen:%Y-%m-%d}"]


class TestExport:
    async def test_the_exports_and_the_year_mark_are_in_the_palette(self, outage: Outage) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            commands = {c.title: c.help for c in app.get_system_commands(screen)}
            assert {
                "export the journal (CSV)",
                "print the class's report",
                "year mark",
            } <= set(commands)

    async def test_e_writes_the_grid_as_csv_and_shift_e_the_classs_report(
        self, outage: Outage, tmp_path: Path
    ) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            assert screen.state is not None
            journal = screen.state.journal
            first = journal.students[0]

            await pilot.press("e")
            dialog = app.screen
            assert isinstance(dialog, ExportModal)
            dialog.query_one(Input).value = str(tmp_path / "journal.csv")
            await pilot.press("enter")
            assert app.screen is screen
            written = tmp_path / "journal.csv"
            assert os.stat(written).st_mode & 0o777 == 0o600
            lines = written.read_text(encoding="utf-8-sig").splitlines()
            header = lines[0].split(",")
            assert header[0] == "Student" and header[-5:] == [
                "avg",
                "prop",
                "term",
                "miss",
                "held",
            ]
            assert header[1] == f"{journal.lessons[0].date:%d.%m.%Y} #{journal.lessons[0].number}"
            assert len(lines) == 1 + len(journal.students)
            row = lines[1].split(",")
            assert row[0] == first.full_name
            assert row[-2:] == [str(first.absences), str(first.lessons_held)]
            assert row[-5] == ("" if first.average is None else f"{first.average:.2f}")

            await pilot.press("E")
            await journal_settled(pilot)
            dialog = app.screen
            assert isinstance(dialog, ExportModal)
            dialog.query_one(Input).value = str(tmp_path / "report.txt")
            await pilot.press("enter")
            assert app.screen is screen
            report = (tmp_path / "report.txt").read_text(encoding="utf-8")
            assert os.stat(tmp_path / "report.txt").st_mode & 0o777 == 0o600
            choices = await screen.sync.journals(screen.user.teaching)
            subjects = sorted(c.subject_name for c in choices if c.class_id == journal.class_id)
            pages = report.split("\f")
            assert len(pages) == len(subjects)
            assert report.splitlines()[0] == "Journal report, printed 25.11.2026"
            titles = [next(x for x in p.splitlines() if x.startswith("Class ")) for p in pages]
            assert titles == [f"Class {journal.class_name} · {s}" for s in subjects]
            assert all(len(line) <= 80 for line in report.splitlines())
            page = pages[subjects.index(journal.subject.name)]
            line = next(x for x in page.splitlines() if first.full_name[:20] in x)
            assert line.startswith(" 1 ")
            assert f"{first.absences}/{first.lessons_held}" in line
            assert page.rstrip().endswith(
                f"Page {subjects.index(journal.subject.name) + 1} of {len(subjects)}"
            )


# --- how it looks --------------------------------------------------------------------------


async def plan_the_last_quarter(engine: AsyncEngine) -> None:
    """The demo plans lessons up to the autumn: the fourth quarter's, from the timetable."""
    async with engine.begin() as conn:
        school_id = (await conn.execute(sa.select(s.schools.c.id))).scalar_one()
        await plan_lessons(conn, school_id, 2026, start=LAST_QUARTER)


class SpringSchool(LazySchool):
    """The demo school's copy with the server's clock in the spring (the last quarter)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._inner is None:
            self._engine = db.create_engine(self.url)
            app = create_app(self._engine, ServerSettings(clock=lambda: SPRING_NOW))
            self._inner = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        return await self._inner.handle_async_request(request)


class TestPeriodEndLooks:
    """SVGs in snapshots/app/test_journal_period_end/; update with --snapshot-update."""

    def test_the_last_period_with_lessons_missed_and_year_marks(
        self, snap_compare: Any, school_copy: str
    ) -> None:
        async def year_marks(pilot: Pilot[Any]) -> None:
            screen = await loaded(pilot)
            transport = screen.session.client._transport
            assert isinstance(transport, SpringSchool) and transport._engine is not None
            await plan_the_last_quarter(transport._engine)
            await pilot.press("r")
            screen = await loaded(pilot)
            await all_sent(pilot, screen)
            grid = grid_of(pilot.app)
            grid.move_to(row=0)
            # An absence and a mark in the lesson before today's, then two year marks.
            await pilot.press("left", "n", "5", "up", "up", "y", "5", "down", "y", "4")
            await journal_settled(pilot)
            await all_sent(pilot, screen)
            app = pilot.app
            await counted(pilot)
            app.clear_notifications()
            await pilot.pause(0.2)

        app = spring_app(new_session(SpringSchool(school_copy)), login="teacher")
        assert snap_compare(app, terminal_size=SIZE, run_before=year_marks)
