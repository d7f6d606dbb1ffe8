"""DiaryClient's classes, families and first-login credentials against the real server."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.errors import Invalid, NotAllowed, NotFound
from ediary_tui.domain.models import CredentialsIn, LoginResult, Role
from ediary_tui.server import schema as s
from ediary_tui.server.settings import ServerSettings
from tests.server.test_journal import teacher_of

from .conftest import SERVER, transport_for


@pytest.fixture
async def teacher(client: DiaryClient) -> DiaryClient:
    """The demo maths teacher, class teacher of 7А."""
    await client.login("teacher", "demo")
    return client


async def class_7a(teacher: DiaryClient) -> str:
    return next(c.id for c in (await teacher.classes()).classes if c.name == "7А")


async def first_login(
    engine: AsyncEngine, settings: ServerSettings, login: str, password: str
) -> LoginResult:
    """Log in on a client of one's own, as the person handed the sheet would."""
    async with DiaryClient(SERVER, transport=transport_for(engine, settings), backoff=0) as other:
        return await other.login(login, password)


class LosesTheFirstAnswer(httpx.AsyncBaseTransport):
    """The server does the work, then the answer is lost on the way back, once."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.keys: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/credentials"):
            self.keys.append(request.headers.get("Idempotency-Key"))
            if len(self.keys) == 1:
                await response.aread()
                raise httpx.ReadError("connection reset", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class TestClasses:
    async def test_a_teacher_gets_their_classes_and_the_led_one_in_full(
        self, teacher: DiaryClient
    ) -> None:
        found = (await teacher.classes()).classes
        assert [c.name for c in found] == ["5А", "6А", "7А", "8А"]
        led = next(c for c in found if c.led_by_me)
        assert led.name == "7А"
        writable = {x.name for x in led.subjects if x.can_write}
        assert writable == {"Алгебра", "Геометрия", "Вероятность и статистика"}
        assert len(led.subjects) > len(writable)
        assert [x.name for x in led.subjects] == sorted(x.name for x in led.subjects)
        assert all(x.teachers for x in led.subjects)

    async def test_a_parent_is_not_allowed(self, client: DiaryClient) -> None:
        await client.login("parent", "demo")
        with pytest.raises(NotAllowed) as caught:
            await client.classes()
        assert caught.value.code == "not_staff"


class TestFamilies:
    async def test_the_class_teacher_sees_logins_and_may_issue_in_the_journals_order(
        self, teacher: DiaryClient
    ) -> None:
        seventh = next(c for c in (await teacher.classes()).classes if c.name == "7А")
        found = await teacher.families(seventh.id)
        assert found.class_name == "7А" and found.can_issue
        assert "student" in {f.student.login for f in found.families}
        assert all(f.student.activated for f in found.families)
        journal = await teacher.journal(seventh.id, seventh.subjects[0].id)
        assert [f.student.id for f in found.families] == [st.id for st in journal.students]

    async def test_a_class_the_teacher_does_not_teach_is_not_allowed_an_unknown_one_not_found(
        self, client: DiaryClient
    ) -> None:
        await client.login("admin", "demo")
        ninth = next(c.id for c in (await client.classes()).classes if c.name == "9А")
        await client.login("teacher", "demo")
        with pytest.raises(NotAllowed) as caught:
            await client.families(ninth)
        assert caught.value.code == "not_your_class"
        with pytest.raises(NotFound):
            await client.families("999999")
        with pytest.raises(NotFound):
            await client.families("../classes")


class TestIssuingCredentials:
    async def test_the_new_passwords_log_in_and_must_be_changed(
        self, teacher: DiaryClient, engine: AsyncEngine, settings: ServerSettings
    ) -> None:
        cid = await class_7a(teacher)
        family = next(
            f for f in (await teacher.families(cid)).families if f.student.login == "student"
        )
        issued = await teacher.issue_credentials(
            cid, CredentialsIn(student_ids=[family.student.id], only_new=False)
        )
        assert issued.class_id == cid and issued.class_name == "7А"
        people = {c.user_id: c for c in issued.credentials}
        assert family.parents  # the demo parent, at least
        assert set(people) == {family.student.id} | {p.id for p in family.parents}
        assert people[family.student.id].role is Role.STUDENT
        for credential in issued.credentials:
            result = await first_login(engine, settings, credential.login, credential.password)
            assert result.must_change_password is True
        after = await teacher.families(cid)
        again = next(f for f in after.families if f.student.id == family.student.id)
        assert not again.student.activated
        assert [p.activated for p in again.parents] == [False] * len(family.parents)

    async def test_the_same_key_gives_the_same_passwords_and_none_makes_one_per_call(
        self, teacher: DiaryClient
    ) -> None:
        cid = await class_7a(teacher)
        body = CredentialsIn(student_ids=None, only_new=False)
        first = await teacher.issue_credentials(cid, body, idempotency_key="sheet-1")
        assert await teacher.issue_credentials(cid, body, idempotency_key="sheet-1") == first
        fresh = await teacher.issue_credentials(cid, body)
        assert {c.user_id for c in fresh.credentials} == {c.user_id for c in first.credentials}
        assert fresh.credentials != first.credentials

    async def test_an_answer_lost_on_the_way_is_asked_again_and_its_passwords_work(
        self, engine: AsyncEngine, settings: ServerSettings
    ) -> None:
        transport = LosesTheFirstAnswer(transport_for(engine, settings))
        async with DiaryClient(SERVER, transport=transport, backoff=0) as teacher:
            await teacher.login("teacher", "demo")
            cid = await class_7a(teacher)
            issued = await teacher.issue_credentials(cid, CredentialsIn(only_new=False))
            families = (await teacher.families(cid)).families
        everyone = {f.student.id for f in families} | {p.id for f in families for p in f.parents}
        assert sorted(c.user_id for c in issued.credentials) == sorted(everyone)
        assert len(transport.keys) == 2 and transport.keys[0] == transport.keys[1]
        assert transport.keys[0]
        # Issued once: the passwords of the first (lost) answer are the ones returned.
        async with engine.connect() as conn:
            times = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(s.changes)
                    .where(s.changes.c.kind == "credentials")
                )
            ).scalar_one()
        assert times == 1
        for credential in issued.credentials[:3]:
            await first_login(engine, settings, credential.login, credential.password)

    async def test_a_student_not_in_the_class_is_invalid_naming_student_ids(
        self, teacher: DiaryClient
    ) -> None:
        cid = await class_7a(teacher)
        with pytest.raises(Invalid) as caught:
            await teacher.issue_credentials(cid, CredentialsIn(student_ids=["999999"]))
        assert caught.value.field == "student_ids"

    async def test_a_subject_teacher_may_not_issue(
        self, engine: AsyncEngine, settings: ServerSettings
    ) -> None:
        russian = await teacher_of(engine, "7А", "Русский язык")
        async with DiaryClient(SERVER, transport=transport_for(engine, settings)) as other:
            await other.login(russian, "demo")
            cid = next(c.id for c in (await other.classes()).classes if c.name == "7А")
            with pytest.raises(NotAllowed) as caught:
                await other.issue_credentials(cid, CredentialsIn())
        assert caught.value.code == "not_class_teacher"
