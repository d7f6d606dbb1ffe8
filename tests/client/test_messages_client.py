"""DiaryClient's announcements and conversations against the real server in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.errors import Invalid, NotFound
from ediary_tui.domain.models import ThreadIn
from ediary_tui.server.settings import ServerSettings

from .conftest import SERVER, Wire, transport_for
from .test_api import other_student


@pytest.fixture
async def teacher(engine: AsyncEngine, settings: ServerSettings) -> AsyncIterator[DiaryClient]:
    """The demo maths teacher, on the same school as `client`."""
    async with DiaryClient(SERVER, transport=transport_for(engine, settings), backoff=0) as diary:
        await diary.login("teacher", "demo")
        yield diary


async def family_thread(client: DiaryClient, teacher: DiaryClient) -> str:
    """The demo conversation between the parent logged in on `client` and `teacher`."""
    teacher_id = (await teacher.me()).id
    found = await client.threads()
    return next(t.id for t in found.threads if t.teacher.id == teacher_id)


class TestAnnouncements:
    async def test_a_childs_announcements_are_the_schools_and_the_classs_newest_first(
        self, client: DiaryClient
    ) -> None:
        user = (await client.login("parent", "demo")).user
        child = user.children[0]
        found = await client.announcements(child.id)
        assert found
        assert [a.created_at for a in found] == sorted((a.created_at for a in found), reverse=True)
        assert any(a.class_id is None for a in found)  # the whole school
        assert {a.class_name for a in found if a.class_id} == {child.class_name}

    async def test_a_limit_keeps_the_newest(self, client: DiaryClient) -> None:
        user = (await client.login("parent", "demo")).user
        every = await client.announcements(user.children[0].id)
        assert await client.announcements(user.children[0].id, limit=2) == every[:2]

    async def test_another_childs_announcements_are_not_found(
        self, client: DiaryClient, engine: AsyncEngine
    ) -> None:
        user = (await client.login("parent", "demo")).user
        stranger = await other_student(engine, {c.id for c in user.children})
        with pytest.raises(NotFound):
            await client.announcements(stranger)


class TestThreads:
    async def test_the_list_counts_unread_and_opening_a_thread_reads_it(
        self, client: DiaryClient
    ) -> None:
        await client.login("parent", "demo")
        found = await client.threads()
        assert found.threads
        assert found.unread_total == sum(t.unread for t in found.threads)
        first = found.threads[0]
        thread = await client.thread(first.id)
        assert thread.id == first.id and thread.messages
        assert thread.unread == first.unread
        assert [m.created_at for m in thread.messages] == sorted(
            m.created_at for m in thread.messages
        )
        again = await client.threads()
        assert next(t for t in again.threads if t.id == first.id).unread == 0

    async def test_a_reply_reaches_the_teacher_as_unread_and_in_the_feed(
        self, client: DiaryClient, teacher: DiaryClient
    ) -> None:
        await client.login("parent", "demo")
        cursor = (await teacher.changes(None)).cursor
        thread_id = await family_thread(client, teacher)
        unread = next(t for t in (await teacher.threads()).threads if t.id == thread_id).unread
        sent = await client.reply(thread_id, "  Thank you, we will practise.  ")
        assert sent.mine and sent.body == "Thank you, we will practise."
        assert sent.thread_id == thread_id
        theirs = next(t for t in (await teacher.threads()).threads if t.id == thread_id)
        assert theirs.unread == unread + 1 and theirs.last_message is not None
        assert theirs.last_message.id == sent.id and not theirs.last_message.mine
        feed = await teacher.changes(cursor)
        assert [(c.kind, c.data.get("message_id")) for c in feed.changes] == [("message", sent.id)]

    async def test_a_retried_reply_with_its_key_is_sent_once(
        self, client: DiaryClient, teacher: DiaryClient
    ) -> None:
        await client.login("parent", "demo")
        thread_id = await family_thread(client, teacher)
        before = len((await client.thread(thread_id)).messages)
        first = await client.reply(thread_id, "Once only", idempotency_key="reply-1")
        second = await client.reply(thread_id, "Once only", idempotency_key="reply-1")
        assert first == second
        assert len((await client.thread(thread_id)).messages) == before + 1

    async def test_an_empty_reply_is_invalid_on_body(
        self, client: DiaryClient, teacher: DiaryClient
    ) -> None:
        await client.login("parent", "demo")
        with pytest.raises(Invalid) as caught:
            await client.reply(await family_thread(client, teacher), "   ")
        assert caught.value.field == "body"

    async def test_someone_elses_thread_is_not_found(
        self, client: DiaryClient, teacher: DiaryClient
    ) -> None:
        await client.login("student", "demo")
        thread_id = (await teacher.threads()).threads[0].id
        with pytest.raises(NotFound):
            await client.thread(thread_id)
        with pytest.raises(NotFound):
            await client.reply(thread_id, "hello")


class TestStartingAThread:
    async def test_a_parent_writes_to_one_of_the_childs_teachers(
        self, client: DiaryClient, teacher: DiaryClient
    ) -> None:
        user = (await client.login("parent", "demo")).user
        child = user.children[0]
        teachers = await client.teachers(child.id)
        assert teachers and any(t.class_teacher for t in teachers)
        assert all(t.subjects or t.class_teacher for t in teachers)
        to = next(t for t in teachers if t.subjects)
        thread = await client.start_thread(
            ThreadIn(student_id=child.id, teacher_id=to.id, subject="Trip", body="May he go?")
        )
        assert thread.subject == "Trip" and thread.correspondent.id == to.id
        assert thread.student.id == child.id
        assert [m.body for m in thread.messages] == ["May he go?"]
        assert thread.id in {t.id for t in (await client.threads()).threads}

    async def test_a_teacher_of_another_class_is_invalid_on_teacher_id(
        self, client: DiaryClient
    ) -> None:
        user = (await client.login("parent", "demo")).user
        older, younger = user.children[0], user.children[1]
        theirs = {t.id for t in await client.teachers(older.id)}
        stranger = next(t for t in await client.teachers(younger.id) if t.id not in theirs)
        with pytest.raises(Invalid) as caught:
            await client.start_thread(
                ThreadIn(student_id=older.id, teacher_id=stranger.id, subject="Hi", body="Hello")
            )
        assert caught.value.field == "teacher_id"

    async def test_a_strangers_teachers_are_not_found(
        self, client: DiaryClient, engine: AsyncEngine
    ) -> None:
        user = (await client.login("parent", "demo")).user
        with pytest.raises(NotFound):
            await client.teachers(await other_student(engine, {c.id for c in user.children}))


class TestTheWire:
    async def test_writes_carry_an_idempotency_key_and_reads_only_what_was_given(
        self, client: DiaryClient, teacher: DiaryClient, wire: Wire
    ) -> None:
        child = (await client.login("parent", "demo")).user.children[0]
        thread_id = await family_thread(client, teacher)
        start = len(wire.served)
        await client.reply(thread_id, "hi")
        await client.announcements()
        await client.announcements(child.id, limit=5)
        reply, every, childs = wire.served[start:]
        assert reply.headers.get("Idempotency-Key")
        assert reply.url.path == f"/api/v1/threads/{thread_id}/messages"
        assert dict(every.url.params) == {}
        assert dict(childs.url.params) == {"student_id": child.id, "limit": "5"}
