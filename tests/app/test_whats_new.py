"""What's new: the app follows the change feed, notifies, counts and lists what arrived.

The specification's own case: a teacher writes a mark through the API on the
same in-process server, and the parent's app, after a poll, notifies and
lists it; Enter on it opens the week of that mark's date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from ediary_tui import i18n
from ediary_tui.app import EdiaryApp
from ediary_tui.client.api import DiaryClient
from ediary_tui.domain.models import Change, ChildRef, Role, User
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.screens.messages.news import NewsList, WhatsNewScreen, describe, describe_for
from ediary_tui.screens.messages.threads import MessagesScreen
from ediary_tui.widgets.week_grid import WeekView, mark_key
from tests.conftest import PINNED_TODAY

from .conftest import SERVER, diary, settled, until

SIZE = (80, 24)
MONDAY = PINNED_TODAY - dt.timedelta(days=PINNED_TODAY.weekday())


@pytest.fixture
async def teacher_api(
    school: Callable[[], httpx.ASGITransport],
) -> AsyncIterator[httpx.AsyncClient]:
    """Raw HTTP as the demo maths teacher, with the teacher's token, on the app's school."""
    async with httpx.AsyncClient(transport=school(), base_url=SERVER) as api:
        r = await api.post("/api/v1/auth/login", json={"login": "teacher", "password": "demo"})
        api.headers["Authorization"] = f"Bearer {r.json()['token']}"
        yield api


@pytest.fixture
async def teacher(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    async with DiaryClient(SERVER, transport=school(), backoff=0) as client:
        await client.login("teacher", "demo")
        yield client


async def post_mark(api: httpx.AsyncClient, teacher: DiaryClient, student_id: str) -> dict:
    """The teacher's POST /api/v1/marks: a 5 in their last lesson of the student up to today."""
    me = await teacher.me()
    week = await teacher.week(student_id, MONDAY)
    lesson = [
        lesson
        for day in week.days
        if day.date <= PINNED_TODAY
        for lesson in day.lessons
        if lesson.teacher.id == me.id
    ][-1]
    r = await api.post(
        "/api/v1/marks", json={"student_id": student_id, "lesson_id": lesson.id, "value": 5}
    )
    assert r.status_code == 201, r.text
    return {**r.json(), "subject": lesson.subject.name}


def notified(app: EdiaryApp, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)


def footer_words(screen: Any) -> dict[str, str]:
    """What the footer shows: the description of each action it shows."""
    return {
        a.binding.action: a.binding.description
        for a in screen.active_bindings.values()
        if a.binding.show
    }


def news_lines(screen: WhatsNewScreen) -> list[str]:
    listing = screen.query_one(NewsList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def poll(app: EdiaryApp, pilot: Pilot[Any]) -> None:
    """What the interval timer does every 30 s, now."""
    worker = app.follow_changes()
    await worker.wait()
    await pilot.pause()


class TestFollowing:
    async def test_a_teachers_mark_is_notified_counted_listed_and_opens_its_week(
        self,
        start: Callable[..., EdiaryApp],
        teacher_api: httpx.AsyncClient,
        teacher: DiaryClient,
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            assert week.child is not None
            assert "whats_new" not in footer_words(week)  # nothing new yet
            mark = await post_mark(teacher_api, teacher, week.child.id)
            await poll(app, pilot)
            said = f"New mark 5 in {mark['subject']}"
            assert notified(app, said)
            assert footer_words(week)["whats_new"] == "news 1"
            assert "1 new" in app.sub_title
            await pilot.press("w")
            screen = app.screen
            assert isinstance(screen, WhatsNewScreen)
            lines = news_lines(screen)
            assert len(lines) == 1 and said in lines[0] and "●" in lines[0]
            assert "18:00" in lines[0]  # when it arrived, on the app's clock
            details = str(screen.query_one("#details", Static).render())
            assert "Enter opens the week of" in details
            await settled(pilot)
            assert app.follower.unseen == 0
            assert "whats_new" not in footer_words(week)
            await pilot.press("enter")
            assert app.screen is week
            day = dt.date.fromisoformat(mark["date"])
            assert week.monday == MONDAY
            grid = week.query_one(WeekView)
            assert grid.selected is not None and grid.selected.lesson.starts_at.date() == day

    async def test_the_week_on_screen_shows_the_new_mark_by_itself(
        self,
        start: Callable[..., EdiaryApp],
        teacher_api: httpx.AsyncClient,
        teacher: DiaryClient,
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            assert week.child is not None
            mark = await post_mark(teacher_api, teacher, week.child.id)
            await poll(app, pilot)
            grid = week.query_one(WeekView)
            await settled(pilot)
            assert any(key.startswith(f"{mark['id']}@") for key in grid.new)
            assert week.week is not None
            marks = [m for d in week.week.days for lesson in d.lessons for m in lesson.marks]
            assert mark_key(next(m for m in marks if m.id == mark["id"])) in grid.new

    async def test_the_first_start_has_nothing_new(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            await pilot.press("w")
            screen = app.screen
            assert isinstance(screen, WhatsNewScreen)
            assert not screen.query_one(NewsList).display
            assert "Nothing new yet" in str(screen.query_one("#empty", Static).render())
            assert str(screen.query_one("#count", Static).render()) == "nothing new"
            await pilot.press("escape")
            assert isinstance(app.screen, WeekScreen)

    async def test_the_first_start_shows_todays_news(
        self,
        start: Callable[..., EdiaryApp],
        school: Callable[[], httpx.ASGITransport],
        teacher_api: httpx.AsyncClient,
        teacher: DiaryClient,
    ) -> None:
        """A mark given today, before the app ever ran here: the first start lists it (the
        news since the last school day), not nothing."""
        async with DiaryClient(SERVER, transport=school(), backoff=0) as parent:
            await parent.login("parent", "demo")
            child = (await parent.me()).children[0]
        mark = await post_mark(teacher_api, teacher, child.id)
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            assert [c.entity_id for c in app.follower.news()] == [mark["id"]]
            assert footer_words(week)["whats_new"] == "news 1"
            await pilot.press("w")
            screen = app.screen
            assert isinstance(screen, WhatsNewScreen)
            assert f"New mark 5 in {mark['subject']}" in news_lines(screen)[0]

    async def test_news_that_arrive_while_the_list_is_open_join_it(
        self,
        start: Callable[..., EdiaryApp],
        teacher_api: httpx.AsyncClient,
        teacher: DiaryClient,
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            assert week.child is not None
            await pilot.press("w")
            screen = app.screen
            assert isinstance(screen, WhatsNewScreen)
            mark = await post_mark(teacher_api, teacher, week.child.id)
            await poll(app, pilot)
            await settled(pilot)
            assert screen.query_one(NewsList).display
            assert f"New mark 5 in {mark['subject']}" in news_lines(screen)[0]
            assert str(screen.query_one("#count", Static).render()) == "1 new"
            assert app.follower.unseen == 0  # seen: it is on screen

    async def test_what_arrived_while_the_app_was_closed_is_told_at_the_next_start(
        self,
        start: Callable[..., EdiaryApp],
        teacher_api: httpx.AsyncClient,
        teacher: DiaryClient,
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            assert week.child is not None
            child = week.child
        mark = await post_mark(teacher_api, teacher, child.id)
        again = start()
        async with again.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: again.session.user is not None)  # the session resumed
            await settled(pilot)
            assert notified(again, f"New mark 5 in {mark['subject']}")
            # A parent of two is told whose mark it is.
            first_name = child.full_name.split()[1]
            assert notified(again, f"{first_name}: New mark 5")
            assert isinstance(again.screen, WeekScreen)
            assert footer_words(again.screen)["whats_new"] == "news 1"

    async def test_many_changes_at_once_make_one_notification(
        self,
        start: Callable[..., EdiaryApp],
        teacher_api: httpx.AsyncClient,
        teacher: DiaryClient,
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            assert week.child is not None
            for _ in range(4):
                await post_mark(teacher_api, teacher, week.child.id)
            before = len(app._notifications)
            await poll(app, pilot)
            assert len(app._notifications) == before + 1
            assert notified(app, "4 new in the diary: w lists them.")

    async def test_a_message_in_the_list_opens_its_conversation(
        self, start: Callable[..., EdiaryApp], teacher: DiaryClient
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            me = week.user
            thread = next(t for t in (await teacher.threads()).threads if t.parent.id == me.id)
            await teacher.reply(thread.id, "The trip is on Friday.")
            await poll(app, pilot)
            assert footer_words(week)["messages"] == f"messages {app.follower.unread_messages}"
            await pilot.press("w")
            screen = app.screen
            assert isinstance(screen, WhatsNewScreen)
            assert f"Message from {thread.teacher.full_name}" in news_lines(screen)[0]
            await pilot.press("enter")
            messages = app.screen
            assert isinstance(messages, MessagesScreen)
            await settled(pilot)
            assert messages.thread is not None and messages.thread.id == thread.id
            await pilot.press("escape")
            assert app.screen is screen

    async def test_russian_notification(
        self,
        start: Callable[..., EdiaryApp],
        teacher_api: httpx.AsyncClient,
        teacher: DiaryClient,
    ) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            assert week.child is not None
            mark = await post_mark(teacher_api, teacher, week.child.id)
            await poll(app, pilot)
            assert notified(app, f"Новая оценка 5, {mark['subject']}")
            assert footer_words(week)["whats_new"] == "новое 1"


def change(kind: str, **data: object) -> Change:
    return Change(id="1", kind=kind, at=dt.datetime(2026, 11, 25, 15, tzinfo=dt.UTC), data=data)


class TestWords:
    @pytest.fixture(autouse=True)
    def english(self) -> None:
        i18n.set_language("en")

    def test_marks(self) -> None:
        assert describe(change("mark", value=5, subject="Алгебра")) == "New mark 5 in Алгебра"
        assert describe(change("mark", is_dot=True, subject="Алгебра")).startswith("New dot")
        changed = change("mark", value=4, subject="Алгебра", **{"from": "3"})
        assert describe(changed) == "Mark changed in Алгебра: 3 → 4"
        same = change("mark", value=4, subject="Алгебра", **{"from": "4"})
        assert "comment" in describe(same)
        gone = change("mark_deleted", value=4, subject="Алгебра", **{"from": "4"})
        assert describe(gone) == "Mark 4 in Алгебра deleted"

    def test_absences_homework_announcements_messages(self) -> None:
        absent = change("attendance", code="ill", subject="История", date="2026-11-24")
        assert describe(absent) == "История, 24 November: ill"
        homework = change("homework", action="set", subject="История", date="2026-11-24")
        assert describe(homework) == "New homework in История for 24 November"
        assert describe(change("announcement", title="Концерт")) == "Announcement: Концерт"
        message = change("message", author="Акимов Иван Егорович", subject="Пересдача")
        assert describe(message) == "Message from Акимов Иван Егорович: Пересдача"

    def test_whose_when_a_parent_has_several_children(self) -> None:
        children = [
            ChildRef(id="7", full_name="Жукова Дарья Данииловна", class_name="7А", school_name="S"),
            ChildRef(
                id="8", full_name="Жукова Ксения Данииловна", class_name="3Б", school_name="S"
            ),
        ]
        parent = User(id="1", login="p", full_name="P", roles=[Role.PARENT], children=children)
        mark = change("mark", value=5, subject="Алгебра").model_copy(update={"student_id": "8"})
        assert describe_for(mark, parent) == "Ксения: New mark 5 in Алгебра"
        only = parent.model_copy(update={"children": children[:1]})
        assert describe_for(mark, only) == "New mark 5 in Алгебра"

    def test_russian(self) -> None:
        i18n.set_language("ru")
        try:
            assert describe(change("mark", value=5, subject="Алгебра")) == "Новая оценка 5, Алгебра"
            absent = change("attendance", code="absent", subject="История", date="2026-11-24")
            assert describe(absent) == "История, 24 ноября: отсутствовал(а)"
        finally:
            i18n.set_language("en")
