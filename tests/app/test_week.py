"""The weekly diary: days and lessons, navigation, children, signing, what is new.

Driven with a Pilot against the real server in-process; today is pinned to
Wednesday 25 November 2026 and the app's clock to 18:00 Moscow time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.pilot import Pilot
from textual.widgets import Input, Static

from ediary_tui.app import EdiaryApp, HelpScreen
from ediary_tui.client.api import DiaryClient
from ediary_tui.domain.attendance import JOURNAL_LETTERS
from ediary_tui.domain.models import MarkIn, Week
from ediary_tui.i18n import date_time, parse_date
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.server import schema as s
from ediary_tui.widgets.child_switcher import ChildSwitcher
from ediary_tui.widgets.dialogs import ConfirmModal, DateModal
from ediary_tui.widgets.lesson_text import homework_text, mark_key
from ediary_tui.widgets.mark_cell import mark_text
from ediary_tui.widgets.week_grid import BehaviourNote, Item, WeekView
from tests.conftest import PINNED_TODAY, FakeClock

from .conftest import SERVER, new_app, new_session
from .test_login import in_diary, log_in, until

MONDAY = dt.date(2026, 11, 23)
FRESH = "updated 18:00"  # fetched now, on the pinned clock (a saved copy says "saved copy, ...")


async def open_diary(app: EdiaryApp, pilot: Pilot[Any], login: str) -> WeekScreen:
    await log_in(pilot, login, "demo")
    await until(pilot, lambda: in_diary(app) and freshness(app) == FRESH)
    assert isinstance(app.screen, WeekScreen)
    return app.screen


def freshness(app: EdiaryApp) -> str:
    return str(app.screen.query_one("#freshness", Static).render())


def shown_range(screen: WeekScreen) -> str:
    return str(screen.query_one("#range", Static).render())


def view(screen: WeekScreen) -> WeekView:
    return screen.query_one(WeekView)


async def settled(pilot: Pilot[Any], screen: WeekScreen, monday: dt.date) -> Week:
    """Wait until the week of `monday` is shown fresh from the server."""
    await until(
        pilot,
        lambda: (
            screen.week is not None
            and screen.week.start == monday
            and freshness(pilot.app) == FRESH
        ),  # type: ignore[arg-type]
    )
    assert screen.week is not None
    return screen.week


async def move_to(pilot: Pilot[Any], grid: WeekView, wanted: Callable[[Item], bool]) -> Item:
    """Walk the cursor from the top, with the keys, to the first item that is `wanted`."""
    await pilot.press("home")
    for _ in range(len(grid.items)):
        if grid.selected is not None and wanted(grid.selected):
            return grid.selected
        await pilot.press("down")
    raise AssertionError("no such item in the week")


@pytest.fixture
async def teacher(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    """The demo maths teacher, talking to the same school as the app."""
    async with DiaryClient(SERVER, transport=school(), backoff=0) as client:
        await client.login("teacher", "demo")
        yield client


class TestWeek:
    async def test_the_week_opens_on_today_with_its_lessons(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            week = await settled(pilot, screen, MONDAY)
            assert shown_range(screen) == "23–28 November 2026"
            assert [d.date.weekday() for d in week.days] == [0, 1, 2, 3, 4, 5]  # 7th grade
            lines = view(screen).plain_lines()
            assert "Wednesday, 25 November · today" in [line.strip() for line in lines]
            first = week.days[2].lessons[0]
            assert any(
                line.startswith(f" {first.number} {first.starts_at:%H:%M}") for line in lines
            )
            # The cursor starts on today's first lesson and the details line says all of it.
            selected = view(screen).selected
            assert selected is not None and selected.lesson == first
            details = str(screen.query_one("#details", Static).render())
            assert first.subject.name in details and first.teacher.full_name in details
            assert "from" not in freshness(app) and freshness(app) == "updated 18:00"

    async def test_marks_show_their_weight_and_absences_their_letter(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            week = await settled(pilot, screen, MONDAY)
            text = "\n".join(view(screen).plain_lines())
            marks = [m for d in week.days for lesson in d.lessons for m in lesson.marks]
            assert marks, "the demo week has marks"
            for mark in marks:
                assert mark_text(mark) in text
            assert any(mark_text(m)[1:] in "¹²³" for m in marks if not m.is_dot)
            for lesson in (lesson for d in week.days for lesson in d.lessons):
                if lesson.attendance is not None:
                    assert JOURNAL_LETTERS[lesson.attendance] in text

    async def test_selecting_a_mark_shows_its_form_weight_teacher_and_time(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            await settled(pilot, screen, MONDAY)
            grid = view(screen)
            await move_to(pilot, grid, lambda item: item.mark is not None)
            item = grid.selected
            assert item is not None and item.mark is not None
            details = str(screen.query_one("#details", Static).render())
            form = item.mark.control_form
            assert f"{form.name}, weight {form.weight}" in details
            assert item.mark.teacher.full_name in details
            assert "given " in details

    async def test_hovering_a_mark_shows_its_details_and_a_tooltip(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_diary(app, pilot, "student")
            await settled(pilot, screen, MONDAY)
            grid = view(screen)
            index, item = next((i, it) for i, it in enumerate(grid.items) if it.mark is not None)
            assert item.mark is not None
            grid.scroll_to(y=0, animate=False, immediate=True)
            await pilot.pause()
            y0, _, x0, _ = grid._spans[index]
            await pilot.hover(grid, offset=(x0, y0 - grid.scroll_offset.y))
            await pilot.pause()
            details = str(screen.query_one("#details", Static).render())
            assert item.mark.control_form.name in details
            assert grid.tooltip is not None and item.mark.teacher.full_name in str(grid.tooltip)

    async def test_long_homework_is_cut_with_an_ellipsis_and_unfolds_with_enter(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(40, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            await settled(pilot, screen, MONDAY)
            grid = view(screen)
            lines = len(grid.plain_lines())
            item = await move_to(pilot, grid, lambda item: len(homework_text(item.lesson)) > 30)
            assert any(line.endswith("…") for line in grid.plain_lines())
            await pilot.press("enter")
            assert len(grid.plain_lines()) > lines
            unfolded = " ".join(line.strip() for line in grid.plain_lines())
            assert homework_text(item.lesson) in unfolded
            await pilot.press("enter")
            assert len(grid.plain_lines()) == lines


class TestLayout:
    async def test_rooms_stand_in_one_column_with_or_without_an_absence_letter(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            week = await settled(pilot, screen, MONDAY)
            lessons = [lesson for d in week.days for lesson in d.lessons]
            assert any(lsn.attendance for lsn in lessons)  # the demo week has a letter
            assert any(not lsn.attendance for lsn in lessons)
            ends = set()
            for line in view(screen).plain_lines():
                lesson = next(
                    (
                        x
                        for x in lessons
                        if line.startswith(f" {x.number} {x.starts_at:%H:%M} {x.subject.name[:8]}")
                        and (x.room or "") in line
                    ),
                    None,
                )
                if lesson is not None and lesson.room and len(lesson.room) < 6:
                    ends.add((line.rfind(lesson.room) + len(lesson.room), line))
            assert len({e for e, _ in ends}) == 1, "\n".join(x for _, x in sorted(ends))

    async def test_a_long_description_keeps_its_start_and_cuts_the_end(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            week = await settled(pilot, screen, MONDAY)
            first = week.days[2].lessons[0]
            long = first.model_copy(update={"topic": "Очень длинная тема урока " * 12})
            view(screen).post_message(WeekView.Selected(Item(long)))
            await pilot.pause()
            details = screen.query_one("#details", Static)
            text = str(details.render())
            lines = text.split("\n")
            assert len(lines) == 2 and all(len(x) <= details.content_region.width for x in lines)
            assert text.startswith(
                f"lesson {first.number}, {first.starts_at:%H:%M}–{first.ends_at:%H:%M} · "
                f"{first.subject.name} · {first.teacher.full_name}"
            )
            assert text.endswith("…")

    async def test_a_week_without_lessons_clears_the_details(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            await settled(pilot, screen, MONDAY)
            assert str(screen.query_one("#details", Static).render())
            await pilot.press("right_square_bracket", "right_square_bracket")
            week = await settled(pilot, screen, MONDAY + dt.timedelta(days=14))
            assert all(not d.lessons for d in week.days)  # beyond the demo's lessons
            assert str(screen.query_one("#details", Static).render()) == ""

    async def test_the_behaviour_note_is_in_view_with_its_author_and_date(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "parent")
            week = await settled(pilot, screen, MONDAY)
            assert week.behaviour_note and week.behaviour_note_by is not None
            note = screen.query_one("#note", BehaviourNote)
            assert note.display and note.region.bottom <= view(screen).region.y
            assert str(note.render()) == (  # too long for one line: who and when go below
                f"▌ Behaviour: {week.behaviour_note}\n"
                f"▌ — {week.behaviour_note_by.full_name}, 25 November"
            )

    async def test_the_note_keeps_its_author_on_its_line_where_it_fits(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_diary(app, pilot, "parent")
            week = await settled(pilot, screen, MONDAY)
            assert week.behaviour_note_by is not None
            assert str(screen.query_one("#note", BehaviourNote).render()) == (
                f"▌ Behaviour: {week.behaviour_note} — {week.behaviour_note_by.full_name}, "
                "25 November"
            )


class TestNavigation:
    async def test_next_previous_and_today(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            await pilot.press("right_square_bracket")
            assert shown_range(screen) == "30 November – 5 December 2026"
            await settled(pilot, screen, MONDAY + dt.timedelta(days=7))
            await pilot.press("left_square_bracket", "left")
            assert shown_range(screen) == "16–21 November 2026"
            await settled(pilot, screen, MONDAY - dt.timedelta(days=7))
            await pilot.press("right")
            await pilot.press("t")
            assert shown_range(screen) == "23–28 November 2026"
            await settled(pilot, screen, MONDAY)

    async def test_jump_to_a_date(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            await pilot.press("g")
            assert isinstance(app.screen, DateModal)
            app.screen.query_one(Input).value = "9.12.2026"
            await pilot.press("enter")
            assert app.screen is screen
            assert screen.monday == dt.date(2026, 12, 7)
            await settled(pilot, screen, dt.date(2026, 12, 7))

    async def test_a_bad_date_is_said_in_the_modal(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            await pilot.press("g")
            modal = app.screen
            modal.query_one(Input).value = "31.02"
            await pilot.press("enter")
            assert app.screen is modal
            error = modal.query_one("#date-error", Static)
            assert error.display and "“31.02” is not a date" in str(error.render())
            await pilot.press("escape")
            assert app.screen is screen and screen.monday == MONDAY

    def test_dates_are_read_as_people_type_them(self) -> None:
        assert parse_date("2026-12-09", PINNED_TODAY) == dt.date(2026, 12, 9)
        assert parse_date("09.12.2026", PINNED_TODAY) == dt.date(2026, 12, 9)
        assert parse_date("9.12.26", PINNED_TODAY) == dt.date(2026, 12, 9)
        assert parse_date(" 1/9 ", PINNED_TODAY) == dt.date(2026, 9, 1)
        assert parse_date("tomorrow", PINNED_TODAY) is None
        assert parse_date("30.02.2026", PINNED_TODAY) is None

    async def test_an_uncached_week_shows_loading_never_a_blank(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        gate = asyncio.Event()
        gate.set()

        class Gated(httpx.AsyncBaseTransport):
            """The school, but each request waits for the gate (a slow network)."""

            def __init__(self) -> None:
                self.inner = school()

            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                await gate.wait()
                return await self.inner.handle_async_request(request)

        app = new_app(new_session(Gated()))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            gate.clear()
            await pilot.press("g")
            app.screen.query_one(Input).value = "2026-10-07"
            await pilot.press("enter")
            await pilot.pause()
            assert view(screen).loading and freshness(app) == "loading…"
            assert shown_range(screen) == "5–10 October 2026"
            gate.set()
            await settled(pilot, screen, dt.date(2026, 10, 5))
            assert not view(screen).loading

    async def test_resizing_never_breaks_the_week(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            await settled(pilot, screen, MONDAY)
            for width, height in ((120, 40), (200, 60), (30, 10), (81, 25), (80, 24)):
                await pilot.resize_terminal(width, height)
                await pilot.pause()
                assert view(screen).plain_lines()
            await pilot.resize_terminal(120, 40)
            await pilot.pause()
            titles = [line for line in view(screen).plain_lines() if "Wednesday, 25" in line]
            assert "Thursday, 26 November" in titles[0]  # two days side by side


class TestChildren:
    async def test_a_parent_switches_between_children(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "parent")
            children = screen.user.children
            assert len(children) == 2
            switcher = screen.query_one(ChildSwitcher)
            assert switcher.display
            first = await settled(pilot, screen, MONDAY)
            await pilot.press("c")
            assert screen.child == children[1]
            second = await settled(pilot, screen, MONDAY)
            assert second.student_id == children[1].id != first.student_id
            # The 3rd grade has a five-day week: no Saturday.
            assert [d.date.weekday() for d in second.days] == [0, 1, 2, 3, 4]
            assert shown_range(screen) == "23–27 November 2026"
            assert not any("Saturday" in line for line in view(screen).plain_lines())
            await pilot.press("c")
            assert screen.child == children[0]

    async def test_a_student_has_no_switcher(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            assert not screen.query_one(ChildSwitcher).display
            assert screen.check_action("switch_child", ()) is False
            assert screen.check_action("sign", ()) is False


LAST_MONDAY = MONDAY - dt.timedelta(days=7)


def notifications(app: EdiaryApp) -> list[str]:
    return [n.message for n in app._notifications]


async def unsign(engine: AsyncEngine, monday: dt.date) -> None:
    """The demo parent signs past weeks: this one is not signed (for either child)."""
    wn = s.week_notes
    async with engine.begin() as conn:
        await conn.execute(
            wn.update().where(wn.c.monday == monday).values(signed_by=None, signed_at=None)
        )


class TestSigning:
    async def test_a_parent_signs_the_week_and_the_server_knows(
        self,
        start: Callable[..., EdiaryApp],
        school: Callable[[], httpx.ASGITransport],
        engine: AsyncEngine,
    ) -> None:
        await unsign(engine, LAST_MONDAY)
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "parent")
            await settled(pilot, screen, MONDAY)
            await pilot.press("left_square_bracket")
            week = await settled(pilot, screen, LAST_MONDAY)
            assert week.signed_by is None
            signature = screen.query_one("#signature", Static)
            assert str(signature.render()) == "Not signed yet: s to sign"
            await pilot.press("s")
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("y")
            await until(
                pilot, lambda: screen.week is not None and screen.week.signed_by is not None
            )
            signed = screen.week
            assert signed is not None and signed.signed_at is not None
            when = date_time(signed.signed_at)
            assert str(signature.render()) == f"✓ Signed by Кузнецова Елена, {when}"
            # `s` again says it is signed, by whom and when; nothing is sent.
            assert screen.check_action("sign", ()) is True
            await pilot.press("s")
            await pilot.pause()
            assert app.screen is screen
            assert notifications(app)[-1] == (
                f"Already signed by Кузнецова Елена Романовна, {when}."
            )
            child = screen.child
            assert child is not None
        async with DiaryClient(SERVER, transport=school(), backoff=0) as client:
            login = await client.login("parent", "demo")
            server_week = await client.week(child.id, LAST_MONDAY)
            assert server_week.signed_by is not None
            assert server_week.signed_by.full_name == login.user.full_name

    async def test_a_week_whose_lessons_are_not_over_says_when_it_can_be_signed(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "parent")
            week = await settled(pilot, screen, MONDAY)
            last = max(lesson.ends_at for day in week.days for lesson in day.lessons)
            assert last.date() == dt.date(2026, 11, 28)  # Saturday's last lesson
            when = f"28 November, {last:%H:%M}"
            signature = screen.query_one("#signature", Static)
            assert str(signature.render()) == f"Not signed yet: can be signed from {when}"
            await pilot.press("s")
            await pilot.pause()
            assert app.screen is screen  # no question: it could not be signed
            assert notifications(app) == [
                f"The week can be signed once its lessons are over: from {when}."
            ]

    async def test_a_mark_given_after_signing_shows_the_week_changed_since(
        self, start: Callable[..., EdiaryApp], engine: AsyncEngine
    ) -> None:
        # The parent signed last week a minute before its newest mark was given.
        m, le, u, wn = s.marks, s.lessons, s.users, s.week_notes
        async with engine.begin() as conn:
            child = (await conn.execute(sa.select(u.c.id).where(u.c.login == "student"))).scalar()
            newest = (
                await conn.execute(
                    sa.select(m.c.value, m.c.updated_at, s.subjects.c.name)
                    .join(le, le.c.id == m.c.lesson_id)
                    .join(s.subjects, s.subjects.c.id == le.c.subject_id)
                    .where(
                        m.c.student_id == child,
                        m.c.deleted_at.is_(None),
                        le.c.date.between(LAST_MONDAY, LAST_MONDAY + dt.timedelta(days=5)),
                    )
                    .order_by(m.c.updated_at.desc())
                    .limit(1)
                )
            ).one()
            signed_at = newest.updated_at.replace(tzinfo=dt.UTC) - dt.timedelta(minutes=1)
            await conn.execute(
                wn.update()
                .where(wn.c.student_id == child, wn.c.monday == LAST_MONDAY)
                .values(signed_at=signed_at)
            )
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "parent")
            await settled(pilot, screen, MONDAY)
            await pilot.press("left_square_bracket")
            week = await settled(pilot, screen, LAST_MONDAY)
            assert week.signed_at == signed_at
            signature = screen.query_one("#signature", Static)
            when = date_time(signed_at)
            what = f"{newest.name} {newest.value}"
            assert str(signature.render()) == f"✓ Signed {when}, changed since: {what}"
            assert signature.has_class("-changed")
            await pilot.press("s")
            await pilot.pause()
            assert app.screen is screen
            assert notifications(app)[-1] == (
                f"Signed by Кузнецова Елена Романовна, {when}; changed since: {what}."
            )

    async def test_cancelling_signs_nothing(
        self, start: Callable[..., EdiaryApp], engine: AsyncEngine
    ) -> None:
        await unsign(engine, LAST_MONDAY)
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "parent")
            await settled(pilot, screen, MONDAY)
            await pilot.press("left_square_bracket")
            await settled(pilot, screen, LAST_MONDAY)
            await pilot.press("s")
            await pilot.press("escape")
            await app.workers.wait_for_complete()  # a signature on its way would arrive now
            await pilot.pause()
            assert app.screen is screen
            assert screen.week is not None and screen.week.signed_by is None


class TestWhatIsNew:
    async def test_a_mark_given_after_the_last_look_is_highlighted(
        self, start: Callable[..., EdiaryApp], teacher: DiaryClient, clock: FakeClock
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "student")
            week = await settled(pilot, screen, MONDAY)
            assert not view(screen).new  # the first look sets the baseline
            me = await teacher.me()
            lesson = next(
                lesson
                for day in week.days
                if day.date <= PINNED_TODAY
                for lesson in day.lessons
                if lesson.teacher.id == me.id
            )
            clock.advance(minutes=5)
            mark = await teacher.create_mark(
                MarkIn(student_id=week.student_id, lesson_id=lesson.id, value=5)
            )
            await pilot.press("r")
            await until(pilot, lambda: mark_key(mark) in view(screen).new)
            assert set(view(screen).new) == {mark_key(mark)}

        # Seen now: the next start does not highlight it again.
        again = start()
        async with again.run_test(size=(80, 24)) as pilot:
            screen = again.screen
            assert isinstance(screen, WeekScreen)
            await settled(pilot, screen, MONDAY)
            assert mark_key(mark) not in view(screen).new


class TestKeys:
    async def test_help_lists_every_key_of_the_screen(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_diary(app, pilot, "parent")
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            text = "\n".join(str(what.render()) for what in app.screen.query(".what"))
            for words in ("previous week", "next week", "today", "date", "refresh", "child"):
                assert words in text
            assert "sign" in text and "log out" in text and "quit" in text
            await pilot.press("escape")
            assert isinstance(app.screen, WeekScreen)

    async def test_the_command_palette_offers_the_same_actions(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_diary(app, pilot, "parent")
            titles = [command.title for command in app.get_system_commands(screen)]
            for title in ("previous week", "next week", "today", "sign", "log out", "refresh"):
                assert title in titles
            next_week = next(c for c in app.get_system_commands(screen) if c.title == "next week")
            await next_week.callback()
            assert screen.monday == MONDAY + dt.timedelta(days=7)

    async def test_russian_words_on_the_week(self, start: Callable[..., EdiaryApp]) -> None:
        app = start(lang="ru")
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, "parent", "demo")
            await until(pilot, lambda: in_diary(app) and freshness(app) == "обновлено в 18:00")
            screen = app.screen
            assert isinstance(screen, WeekScreen)
            assert shown_range(screen) == "23–28 ноября 2026"
            assert str(screen.query_one("#title", Static).render()) == "Дневник"
            assert "Среда, 25 ноября · сегодня" in [s.strip() for s in view(screen).plain_lines()]
            assert freshness(app) == "обновлено в 18:00"
