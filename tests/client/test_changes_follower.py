"""ChangeFollower: the cursor kept per server and user, the news among the changes, unread messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.cache import OfflineCache
from ediary_tui.client.changes import ChangeFollower, is_news
from ediary_tui.client.credentials import CredentialStore
from ediary_tui.client.errors import ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import Change, ChildRef, Mark, MarkIn, Role, User
from ediary_tui.server.settings import ServerSettings
from tests.conftest import PINNED_TODAY

from .conftest import SERVER, Wire, transport_for

MONDAY = PINNED_TODAY - dt.timedelta(days=PINNED_TODAY.weekday())
CHANGES = "/api/v1/changes"


@pytest.fixture
async def teacher(engine: AsyncEngine, settings: ServerSettings) -> AsyncIterator[DiaryClient]:
    async with DiaryClient(SERVER, transport=transport_for(engine, settings), backoff=0) as diary:
        await diary.login("teacher", "demo")
        yield diary


@pytest.fixture
def cache() -> OfflineCache:
    return OfflineCache()


async def give_mark(teacher: DiaryClient, student_id: str, value: int = 5) -> Mark:
    """The teacher puts a mark in one of their past lessons of the student this week."""
    me = await teacher.me()
    week = await teacher.week(student_id, MONDAY)
    lesson = next(
        lesson
        for day in week.days
        if day.date <= PINNED_TODAY
        for lesson in day.lessons
        if lesson.teacher.id == me.id
    )
    return await teacher.create_mark(
        MarkIn(student_id=student_id, lesson_id=lesson.id, value=value)
    )


def as_user(client: DiaryClient, cache: OfflineCache, user: User) -> DiarySession:
    """A session of `user` over `client` and `cache`: what the follower follows."""
    session = DiarySession(client, CredentialStore(remember=False), cache)
    session.user = user
    return session


def change(kind: str, **kw: object) -> Change:
    return Change(id="1", kind=kind, at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC), **kw)  # type: ignore[arg-type]


class TestFollowing:
    async def test_the_first_poll_starts_from_now(
        self, client: DiaryClient, cache: OfflineCache, teacher: DiaryClient
    ) -> None:
        user = (await client.login("parent", "demo")).user
        follower = ChangeFollower(as_user(client, cache, user))
        assert follower.cursor is None
        assert await follower.poll() == []
        assert follower.cursor is not None and follower.news() == []
        assert follower.unseen == 0
        assert follower.unread_messages == (await client.threads()).unread_total

    async def test_a_new_mark_is_news_once_and_survives_a_restart(
        self, client: DiaryClient, cache: OfflineCache, teacher: DiaryClient
    ) -> None:
        user = (await client.login("parent", "demo")).user
        follower = ChangeFollower(as_user(client, cache, user))
        await follower.poll()
        mark = await give_mark(teacher, user.children[0].id, 4)
        news = await follower.poll()
        assert [(c.kind, c.entity_id, c.data["value"]) for c in news] == [("mark", mark.id, 4)]
        assert news[0].student_id == user.children[0].id
        assert follower.unseen == 1 and follower.news() == news
        assert await follower.poll() == []
        # The next start (a new follower on the same cache) carries on from the cursor.
        again = ChangeFollower(as_user(client, cache, user))
        assert await again.poll() == []
        assert again.news() == news and again.unseen == 1
        again.mark_seen()
        assert again.unseen == 0 and again.news() == news

    async def test_the_cursor_is_per_user(
        self, client: DiaryClient, cache: OfflineCache, teacher: DiaryClient
    ) -> None:
        parent = (await client.login("parent", "demo")).user
        await ChangeFollower(as_user(client, cache, parent)).poll()
        me = await teacher.me()
        assert ChangeFollower(as_user(teacher, cache, me)).cursor is None

    async def test_a_teachers_own_marks_are_not_news_to_them(
        self, client: DiaryClient, cache: OfflineCache, teacher: DiaryClient
    ) -> None:
        student = (await client.login("student", "demo")).user
        me = await teacher.me()
        follower = ChangeFollower(as_user(teacher, cache, me))
        await follower.poll()
        await give_mark(teacher, student.id)
        assert await follower.poll() == []
        assert follower.cursor == (await teacher.changes(follower.cursor)).cursor

    async def test_a_message_is_news_and_counts_as_unread(
        self, client: DiaryClient, cache: OfflineCache, teacher: DiaryClient
    ) -> None:
        user = (await client.login("parent", "demo")).user
        follower = ChangeFollower(as_user(client, cache, user))
        await follower.poll()
        before = follower.unread_messages
        assert before is not None
        me = await teacher.me()
        thread = next(t for t in (await teacher.threads()).threads if t.parent.id == user.id)
        await teacher.reply(thread.id, "Please sign the test.")
        news = await follower.poll()
        assert [(c.kind, c.data["author"]) for c in news] == [("message", me.full_name)]
        assert follower.unread_messages == before + 1

    async def test_a_failed_poll_keeps_the_cursor(
        self,
        client: DiaryClient,
        cache: OfflineCache,
        teacher: DiaryClient,
        engine: AsyncEngine,
        settings: ServerSettings,
    ) -> None:
        user = (await client.login("parent", "demo")).user
        follower = ChangeFollower(as_user(client, cache, user))
        await follower.poll()
        cursor = follower.cursor
        await give_mark(teacher, user.children[0].id)
        down = Wire(transport_for(engine, settings))
        down.down = True
        async with DiaryClient(SERVER, transport=down, backoff=0, retries=0) as offline:
            with pytest.raises(ServerUnreachable):
                await ChangeFollower(as_user(offline, cache, user)).poll()
        assert follower.cursor == cursor
        assert [c.kind for c in await follower.poll()] == ["mark"]


class TestPages:
    """The server answers at most `changes_page` changes at a time: here two."""

    @pytest.fixture(autouse=True)
    def small_pages(self, settings: ServerSettings) -> None:
        settings.changes_page = 2

    async def test_a_full_page_is_followed_by_the_next_one(
        self, client: DiaryClient, cache: OfflineCache, teacher: DiaryClient, wire: Wire
    ) -> None:
        """A full page ends on its last change; the answer after it is the rest."""
        user = (await client.login("parent", "demo")).user
        follower = ChangeFollower(as_user(client, cache, user))
        await follower.poll()
        cursor = follower.cursor
        marks = [await give_mark(teacher, user.children[0].id, v) for v in (5, 4, 3)]
        start = len(wire.served)
        news = await follower.poll()
        asked = [r.url.params.get("since") for r in wire.served[start:] if r.url.path == CHANGES]
        # The second page starts after the first's last change. It ends on the newest
        # change, which a full page does too, so one more (empty) answer says that was all.
        assert asked == [cursor, news[1].id, news[2].id]
        assert [(c.kind, c.entity_id) for c in news] == [("mark", m.id) for m in marks]
        newest_first = [c.entity_id for c in ChangeFollower(as_user(client, cache, user)).news()]
        assert newest_first == [m.id for m in reversed(marks)]

    async def test_only_the_newest_are_kept(
        self, client: DiaryClient, cache: OfflineCache, teacher: DiaryClient
    ) -> None:
        user = (await client.login("parent", "demo")).user
        follower = ChangeFollower(as_user(client, cache, user), keep=3)
        await follower.poll()
        marks = [await give_mark(teacher, user.children[0].id, v) for v in (5, 4, 3, 2, 5)]
        assert [c.entity_id for c in await follower.poll()] == [m.id for m in marks]
        assert [c.entity_id for c in follower.news()] == [m.id for m in reversed(marks[2:])]
        assert follower.unseen == 3


class TestWhatIsNews:
    parent = User(
        id="1",
        login="p",
        full_name="Мать",
        roles=[Role.PARENT],
        children=[ChildRef(id="7", full_name="Сын", class_name="7А", school_name="S")],
    )
    teacher = User(id="2", login="t", full_name="Учитель", roles=[Role.TEACHER])

    def test_marks_of_ones_own_children_only(self) -> None:
        assert is_news(change("mark", student_id="7"), self.parent)
        assert not is_news(change("mark", student_id="8"), self.parent)
        assert not is_news(change("mark", student_id="7"), self.teacher)

    def test_an_absence_but_not_its_correction(self) -> None:
        assert is_news(change("attendance", student_id="7", data={"code": "absent"}), self.parent)
        assert not is_news(change("attendance", student_id="7", data={"code": None}), self.parent)

    def test_homework_is_news_to_families_not_to_teachers(self) -> None:
        assert is_news(change("homework", class_id="3"), self.parent)
        assert not is_news(change("homework", class_id="3"), self.teacher)

    def test_announcements_but_not_ones_own(self) -> None:
        assert is_news(change("announcement", data={"author": "Директор"}), self.teacher)
        assert not is_news(change("announcement", data={"author": "Учитель"}), self.teacher)

    def test_messages_always_and_ones_own_doings_never(self) -> None:
        assert is_news(change("message"), self.teacher)
        for kind in ("week_signed", "notice", "homework_done", "lesson"):
            assert not is_news(change(kind, student_id="7"), self.parent)
