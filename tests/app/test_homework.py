"""Homework: the week's assignments by day, filters, the student's tick, iCalendar.

Driven with a Pilot against the real server in-process; today is pinned to
Wednesday 25 November 2026, so the range opens on 23–28 November (the diary's week).
"""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from ediary_tui.app import EdiaryApp
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.export_formats import ics_name
from ediary_tui.domain.models import Homework, SubjectRef
from ediary_tui.screens.diary.export import ExportModal
from ediary_tui.screens.diary.homework import HomeworkScreen
from ediary_tui.screens.diary.homework_list import AssignmentList, describe, row
from ediary_tui.screens.diary.range_modal import RangeModal
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.date_range import DateRangePicker
from ediary_tui.widgets.dialogs import ConfirmModal
from ediary_tui.widgets.tick_box import TickBox

from .conftest import SERVER, new_app, new_session
from .test_login import log_in, until
from .test_week import FRESH, open_diary

MONDAY = dt.date(2026, 11, 23)
SATURDAY = dt.date(2026, 11, 28)  # 7А has a six-day week: the diary shows 23–28
TODAY = dt.date(2026, 11, 25)


class Switch(httpx.AsyncBaseTransport):
    """The school, or no connection at all: `down` pulls the cable."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("the network is down", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def switch(school: Callable[[], httpx.ASGITransport]) -> Switch:
    return Switch(school())


@pytest.fixture
async def server_client(
    school: Callable[[], httpx.ASGITransport],
) -> AsyncIterator[Callable[[str], Any]]:
    """A client of the same school for checking what the server has, as any demo user."""
    clients: list[DiaryClient] = []

    async def make(login: str) -> DiaryClient:
        client = DiaryClient(SERVER, transport=school(), backoff=0)
        await client.login(login, "demo")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


def text_of(widget: Any) -> str:
    return str(widget.render())


def notifications(app: EdiaryApp) -> list[str]:
    return [n.message for n in app._notifications]


async def open_homework(app: EdiaryApp, pilot: Pilot[Any], login: str) -> HomeworkScreen:
    await open_diary(app, pilot, login)
    await pilot.press("h")
    await until(pilot, lambda: isinstance(app.screen, HomeworkScreen))
    screen = app.screen
    assert isinstance(screen, HomeworkScreen)
    await fresh(pilot, screen)
    return screen


async def fresh(pilot: Pilot[Any], screen: HomeworkScreen) -> None:
    """Wait until the range on show came from the server."""
    await until(
        pilot,
        lambda: screen.items is not None and text_of(screen.query_one("#freshness")) == FRESH,
    )


def option_ids(screen: HomeworkScreen) -> list[str | None]:
    return [option.id for option in screen.query_one(AssignmentList).options]


async def highlight(pilot: Pilot[Any], screen: HomeworkScreen, hw_id: str) -> None:
    listing = screen.query_one(AssignmentList)
    listing.highlighted = option_ids(screen).index(hw_id)
    await pilot.pause()


class TestTheList:
    async def test_it_opens_on_this_week_by_day_with_what_the_server_has(
        self, start: Callable[..., EdiaryApp], server_client: Callable[[str], Any]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            assert text_of(screen.query_one("#range")) == "23–28 November 2026"
            assert (screen.first, screen.last) == (MONDAY, SATURDAY)
            client = await server_client("student")
            expected = await client.homework(screen.child.id, from_=MONDAY, to=SATURDAY)
            assert expected, "the demo week has homework"
            assert screen.items == expected
            ids = option_ids(screen)
            # Under the day each is due (the lesson's day when it has no due date).
            days = sorted({hw.due or hw.date for hw in expected})
            assert any(hw.due != hw.date for hw in expected)  # so the grouping is put to test
            assert [i for i in ids if i and i.startswith("day:")] == [f"day:{d}" for d in days]
            by_due = sorted(expected, key=lambda hw: hw.due or hw.date)
            assert [i for i in ids if i and not i.startswith("day:")] == [hw.id for hw in by_due]
            listing = screen.query_one(AssignmentList)
            assert str(listing.get_option(f"day:{days[0]}").prompt).startswith("Due ")
            undone = sum(not hw.done for hw in expected)
            counts = text_of(screen.query_one("#counts"))
            assert counts == f"assignments: {len(expected)} · not done: {undone}"
            # The cursor starts on the first assignment, not on a heading, and says all of it.
            first = screen.selected()
            assert first == by_due[0]
            details = text_of(screen.query_one("#details"))
            assert first.subject.name in details and "set 23 November" in details

    async def test_brackets_move_the_range_a_week_and_t_comes_back(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            await pilot.press("right_square_bracket")
            assert text_of(screen.query_one("#range")) == "30 November – 5 December 2026"
            await fresh(pilot, screen)
            assert screen.items and all(MONDAY + dt.timedelta(7) <= hw.date for hw in screen.items)
            await pilot.press("left_square_bracket", "left_square_bracket")
            assert text_of(screen.query_one("#range")) == "16–21 November 2026"
            await fresh(pilot, screen)
            assert screen.items and all(hw.date < MONDAY for hw in screen.items)
            await pilot.press("t")
            assert (screen.first, screen.last) == (MONDAY, SATURDAY)

    async def test_filters_narrow_the_list_without_the_network(
        self, start: Callable[..., EdiaryApp], switch: Switch
    ) -> None:
        app = new_app(new_session(switch))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            items = screen.items or []
            assert any(not hw.required for hw in items) and any(hw.required for hw in items)
            switch.down = True  # filtering is local: it works offline
            await pilot.press("o")
            assert screen.query_one("#kind", Select).value == "required"
            assert screen.shown() and all(hw.required for hw in screen.shown())
            await pilot.press("o")
            assert screen.shown() and all(not hw.required for hw in screen.shown())
            counts = text_of(screen.query_one("#counts"))
            assert counts.startswith(f"shown: {len(screen.shown())} of {len(items)}")
            await pilot.press("o", "d")
            assert screen.query_one("#state", Select).value == "undone"
            assert screen.shown() and all(not hw.done for hw in screen.shown())
            await pilot.press("d")
            assert screen.shown() == [hw for hw in items if hw.done]
            await pilot.press("d")
            subject = items[0].subject
            screen.query_one("#subject", Select).value = subject.id
            await pilot.pause()
            assert screen.shown() and {hw.subject.id for hw in screen.shown()} == {subject.id}
            assert screen.query_one(AssignmentList).has_focus

    async def test_nothing_passing_the_filters_is_said(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            assert screen.items and not any(hw.done for hw in screen.items)  # the demo week
            await pilot.press("d", "d")  # done only
            empty = screen.query_one("#empty", Static)
            assert empty.display and not screen.query_one(AssignmentList).display
            assert "passes the filters" in text_of(empty)
            assert screen.check_action("export", ()) is None

    async def test_g_picks_the_days_on_a_calendar(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            await pilot.press("g")
            assert isinstance(app.screen, RangeModal)
            picker = app.screen.query_one(DateRangePicker)
            assert picker.has_focus and picker.cursor == MONDAY
            await pilot.press("right", "right", "enter")  # the 25th: the first day
            assert isinstance(app.screen, RangeModal)
            assert "From Wednesday, 25 November" in text_of(app.screen.query_one("#range-picked"))
            await pilot.press("down", "enter")  # 2 December: the last
            assert app.screen is screen
            assert (screen.first, screen.last) == (TODAY, dt.date(2026, 12, 2))
            assert text_of(screen.query_one("#range")) == "25 November – 2 December 2026"
            await fresh(pilot, screen)
            assert screen.items and all(
                TODAY <= hw.date <= dt.date(2026, 12, 2) for hw in screen.items
            )

    async def test_a_parent_switches_children(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "parent")
            first, theirs = screen.child, screen.items
            await pilot.press("c")
            assert screen.child != first
            await fresh(pilot, screen)
            assert screen.child is not None
            assert screen.items and screen.items != theirs  # the other child's homework

    async def test_the_russian_layout_opens_it_too(self, start: Callable[..., EdiaryApp]) -> None:
        app = start(lang="ru")
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, "student", "demo")
            await until(pilot, lambda: isinstance(app.screen, WeekScreen))
            await pilot.press("р")
            await until(pilot, lambda: isinstance(app.screen, HomeworkScreen))
            screen = app.screen
            assert isinstance(screen, HomeworkScreen)
            await until(pilot, lambda: screen.items is not None)
            assert text_of(screen.query_one("#range")) == "23–28 ноября 2026"
            await pilot.press("й")
            assert isinstance(app.screen, WeekScreen)

    async def test_the_saved_copy_shows_when_the_server_cannot_be_reached(
        self, switch: Switch
    ) -> None:
        app = new_app(new_session(switch))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            items = screen.items
            await pilot.press("escape")
            switch.down = True
            await pilot.press("h")
            await until(pilot, lambda: isinstance(app.screen, HomeworkScreen))
            again = app.screen
            assert isinstance(again, HomeworkScreen)
            assert again.items == items  # at once, from the cache
            banner = again.query_one("#banner")
            await until(pilot, lambda: banner.display)
            assert text_of(banner).startswith("No connection to")
            assert text_of(again.query_one("#freshness")).startswith("saved copy")
            await pilot.press("right_square_bracket", "right_square_bracket")
            await until(pilot, lambda: again.query_one("#empty").display)
            assert "never loaded" in text_of(again.query_one("#empty"))


class TestTicking:
    async def test_the_student_ticks_with_space_and_the_server_keeps_it(
        self, start: Callable[..., EdiaryApp], server_client: Callable[[str], Any]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            hw = next(hw for hw in screen.items or [] if not hw.done)
            await highlight(pilot, screen, hw.id)
            assert screen.check_action("toggle_done", ()) is True
            assert screen.check_action("why_no_tick", ()) is False
            await pilot.press("space")
            assert screen.selected() is not None and screen.selected().done  # at once
            await until(pilot, lambda: screen.changed)
            client = await server_client("student")
            on_server = await client.homework(screen.child.id, from_=MONDAY, to=SATURDAY)
            assert next(h for h in on_server if h.id == hw.id).done
            await pilot.press("enter")  # Enter does the same: untick
            assert screen.selected() is not None and not screen.selected().done
            await until(pilot, lambda: not screen._confirmed)
            on_server = await client.homework(screen.child.id, from_=MONDAY, to=SATURDAY)
            assert not next(h for h in on_server if h.id == hw.id).done

    async def test_a_click_on_the_box_ticks(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            listing = screen.query_one(AssignmentList)
            hw = listing.items[0]  # the first due (listing.items are in due order)
            await pilot.click(listing, offset=(1, 1))  # line 0 is its day's heading
            await until(pilot, lambda: screen.changed)
            assert screen.selected() is not None and screen.selected().id == hw.id
            assert screen.selected().done != hw.done
            await pilot.click(listing, offset=(20, 1))  # on the text: only selects
            await app.workers.wait_for_complete()  # a tick on its way would arrive now
            await pilot.pause()
            assert screen.selected().done != hw.done

    async def test_a_tick_that_cannot_be_sent_is_taken_back_and_said(self, switch: Switch) -> None:
        app = new_app(new_session(switch))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            hw = next(hw for hw in screen.items or [] if not hw.done)
            await highlight(pilot, screen, hw.id)
            switch.down = True
            await pilot.press("space")
            await until(pilot, lambda: any("Not sent" in n for n in notifications(app)))
            assert screen.selected() == hw  # taken back
            assert "[ ]" in str(screen.query_one(AssignmentList).get_option(hw.id).prompt)
            assert screen.query_one("#banner").display
            assert not screen.changed

    async def test_the_week_is_fetched_again_after_a_tick(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            hw = next(hw for hw in screen.items or [] if not hw.done)
            await highlight(pilot, screen, hw.id)
            await pilot.press("space")
            await until(pilot, lambda: screen.changed)
            await pilot.press("escape")
            week = app.screen
            assert isinstance(week, WeekScreen)

            def ticked_in_diary() -> bool:
                lessons = [le for d in week.week.days for le in d.lessons] if week.week else []
                return any(h.id == hw.id and h.done for le in lessons for h in le.homework)

            await until(pilot, ticked_in_diary)

    async def test_a_parent_sees_the_ticks_and_the_key_says_why_not(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "parent")
            hw = screen.selected()
            assert hw is not None
            assert screen.check_action("toggle_done", ()) is False
            assert screen.check_action("why_no_tick", ()) is True
            footer = {b.binding.description for b in screen.active_bindings.values()}
            assert "done" in footer and "who ticks" not in footer  # what space does
            await pilot.press("space")
            await pilot.pause()
            assert notifications(app) == [
                "Only Кузнецов Ярослав can tick homework done; you see the ticks here."
            ]
            assert screen.selected() == hw and not screen.changed


class TestExport:
    async def test_e_writes_the_shown_assignments_as_icalendar_in_the_documents_folder(
        self,
        start: Callable[..., EdiaryApp],
        home: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.chdir(tmp_path)  # the current directory is not where exports go
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            assert screen.child is not None
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, ExportModal))
            name = ics_name(short_name(screen.child.full_name), screen.first, screen.last)
            assert name.startswith(f"homework-{screen.child.full_name.split()[0]}-")
            path = home / "documents" / name
            assert app.screen.query_one("#path", Input).value == str(path)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, HomeworkScreen))
            text = path.read_bytes().decode("utf-8")
            shown = screen.shown()
            assert text.count("BEGIN:VTODO") == len(shown)
            for hw in shown:
                assert f"UID:homework-{hw.id}@school.test\r\n" in text
            assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
            assert notifications(app) == [f"Written to {path} (assignments: {len(shown)})"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert not list(tmp_path.glob("*.ics"))

    async def test_a_file_already_there_is_replaced_only_when_asked(
        self, start: Callable[..., EdiaryApp], home: Path
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_homework(app, pilot, "student")
            assert screen.child is not None
            name = ics_name(short_name(screen.child.full_name), screen.first, screen.last)
            path = home / "documents" / name
            path.parent.mkdir(parents=True)
            path.write_text("kept")
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, ExportModal))
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            await pilot.press("escape")  # no
            await until(pilot, lambda: isinstance(app.screen, ExportModal))
            assert path.read_text() == "kept"
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, HomeworkScreen))
            assert notifications(app) == []

    async def test_a_folder_that_cannot_be_written_is_said_in_the_dialog(
        self, start: Callable[..., EdiaryApp], tmp_path: Path
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_homework(app, pilot, "student")
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, ExportModal))
            app.screen.query_one("#path", Input).value = str(tmp_path / "no" / "such.ics")
            await pilot.press("enter")
            error = app.screen.query_one("#export-error", Static)
            await until(pilot, lambda: error.display)
            assert str(error.render()).startswith(f"Cannot write {tmp_path / 'no' / 'such.ics'}")


class TestRequiredBox:
    async def test_ticked_and_not_ticked_differ_without_colour(self) -> None:
        from textual.app import App, ComposeResult

        class One(App[None]):
            def compose(self) -> ComposeResult:
                yield TickBox("required", True, id="on")
                yield TickBox("required", False, id="off")

        app = One()
        async with app.run_test(size=(30, 4)):
            on, off = app.query_one("#on", TickBox), app.query_one("#off", TickBox)
            assert on.render().plain.strip().startswith("▐✓▌")
            assert off.render().plain.strip().startswith("▐ ▌")
            off.toggle()
            assert off.render().plain.strip().startswith("▐✓▌")


class TestRows:
    """What a row and the details line say (the demo data cannot pin every case)."""

    HW = Homework(
        id="1",
        lesson_id="2",
        subject=SubjectRef(id="3", name="Вероятность и статистика"),
        date=dt.date(2026, 11, 23),
        due=dt.date(2026, 11, 24),
        text="§ 6,\n№ 45",
        required=False,
        done=False,
        created_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC),
        updated_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC),
    )

    def test_a_row_cuts_a_long_subject_and_says_optional_revised_and_overdue(self) -> None:
        text = row(self.HW, TODAY, 18)
        assert text.plain == ("[ ] Вероятность и ста… § 6, № 45 optional revised · due Tue 24 Nov")
        due = text.plain.index("due")
        assert any("error" in str(span.style) for span in text.spans if span.start == due)

    def test_given_the_width_the_text_wraps_under_itself_and_due_dates_make_a_column(
        self,
    ) -> None:
        lines = row(self.HW, TODAY, 12, 16, 60).plain.split("\n")
        head = "[ ] Вероятность… "
        assert lines[0].startswith(head + "§ 6, № 45 optional ")
        assert lines[0].endswith("  due Tue 24 Nov") and len(lines[0]) == 60
        assert lines[1:] == [" " * len(head) + "revised"]
        # Too narrow for a column: the due date follows the text.
        assert row(self.HW, TODAY, 12, 16, 30).plain.endswith("revised · due Tue 24 Nov")

    def test_the_details_say_when_it_was_set_and_revised_in_local_time(self) -> None:
        msk = dt.timezone(dt.timedelta(hours=3))
        parts = describe(self.HW, msk)
        assert parts == [
            "Вероятность и статистика",
            "optional",
            "not done",
            "due Tue 24 November",
            "set 23 November, 13:00",
            "revised 24 November, 12:30",
        ]
