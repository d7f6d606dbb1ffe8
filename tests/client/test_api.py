"""DiaryClient against the real server in-process: typed answers, clear errors, bounded retries.

What only the network does is put in front of the server (`Wire`: refused
connections, a proxy's 5xx); made-up answers remain only for a timeout and for
an answer this version cannot read, which our server does not give.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.errors import (
    ClientError,
    Conflict,
    Invalid,
    NotAllowed,
    NotFound,
    NotLoggedIn,
    PasswordChangeRequired,
    ServerUnreachable,
    Throttled,
)
from ediary_tui.domain.models import (
    AbsenceNoticeIn,
    AbsenceReason,
    ChangeFeed,
    ReportCard,
    Role,
    Week,
)
from ediary_tui.server import schema as s
from ediary_tui.server.settings import ServerSettings
from tests.conftest import PINNED_TODAY

from .conftest import SERVER, Wire

MONDAY = PINNED_TODAY - dt.timedelta(days=PINNED_TODAY.weekday())


async def other_student(engine: AsyncEngine, not_among: set[str]) -> str:
    """A real student of the demo school whom the caller may not see."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(s.user_roles.c.user_id).where(s.user_roles.c.role == "student")
        )
        ids = [str(row.user_id) for row in rows]
    return next(i for i in ids if i not in not_among)


def client_on(transport: httpx.AsyncBaseTransport, **kw: object) -> DiaryClient:
    return DiaryClient(SERVER, transport=transport, backoff=0, **kw)  # type: ignore[arg-type]


async def fail_logins(client: DiaryClient, login: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(NotLoggedIn):
            await client.login(login, "wrong")


class TestLogin:
    async def test_good_password_gives_the_user_and_keeps_the_token(
        self, client: DiaryClient
    ) -> None:
        result = await client.login("parent", "demo")
        assert result.user.login == "parent"
        assert Role.PARENT in result.user.roles
        assert client.token == result.token
        assert (await client.me()).id == result.user.id

    async def test_wrong_password_is_not_logged_in_with_the_servers_message(
        self, client: DiaryClient, api: httpx.AsyncClient
    ) -> None:
        raw = await api.post("/api/v1/auth/login", json={"login": "parent", "password": "nope"})
        with pytest.raises(NotLoggedIn) as caught:
            await client.login("parent", "wrong")
        assert caught.value.message == raw.json()["error"]["message"]
        assert caught.value.code == raw.json()["error"]["code"] == "wrong_credentials"
        assert caught.value.status == 401
        assert client.token is None

    async def test_repeated_failures_are_throttled_with_retry_after(
        self, client: DiaryClient, settings: ServerSettings
    ) -> None:
        settings.throttle_first_delay = dt.timedelta(seconds=42)  # not the client's fallback, 1
        await fail_logins(client, "student", settings.max_failures_per_login)
        with pytest.raises(Throttled) as caught:
            await client.login("student", "demo")  # even the right password waits
        assert caught.value.retry_after == 42
        assert caught.value.message == (
            "too many failed logins for this login from this address; try again in 42 seconds"
        )

    async def test_logout_revokes_the_token(self, client: DiaryClient) -> None:
        token = (await client.login("student", "demo")).token
        await client.logout()
        assert client.token is None
        client.token = token
        with pytest.raises(NotLoggedIn):
            await client.me()

    async def test_logout_with_a_dead_token_is_no_error(self, client: DiaryClient) -> None:
        client.token = "not-a-token"
        await client.logout()
        assert client.token is None

    async def test_calls_without_a_token_are_not_logged_in(self, client: DiaryClient) -> None:
        with pytest.raises(NotLoggedIn) as caught:
            await client.me()
        assert caught.value.message

    async def test_a_wrong_old_password_names_the_field(self, client: DiaryClient) -> None:
        await client.login("student", "demo")
        with pytest.raises(Invalid) as caught:
            await client.change_password("wrong-old", "a-much-better-one")
        assert caught.value.field == "old_password"
        assert caught.value.code == "wrong_password"

    async def test_a_password_change_first_is_its_own_error(
        self, client: DiaryClient, engine: AsyncEngine
    ) -> None:
        result = await client.login("student", "demo")
        async with engine.begin() as conn:
            await conn.execute(
                s.users.update()
                .where(s.users.c.login == "student")
                .values(must_change_password=True)
            )
        with pytest.raises(PasswordChangeRequired) as caught:
            await client.week(result.user.id, MONDAY)
        assert isinstance(caught.value, NotAllowed)
        assert caught.value.code == "must_change_password"


class TestDiary:
    async def test_the_week_of_each_child_of_the_parent_parses(self, client: DiaryClient) -> None:
        user = (await client.login("parent", "demo")).user
        assert len(user.children) == 2
        for child in user.children:
            week = await client.week(child.id, PINNED_TODAY)
            assert isinstance(week, Week)
            assert week.student_id == child.id
            assert week.start == MONDAY
            assert any(day.lessons for day in week.days)

    async def test_another_students_week_is_not_found(
        self, client: DiaryClient, engine: AsyncEngine
    ) -> None:
        user = (await client.login("parent", "demo")).user
        stranger = await other_student(engine, {c.id for c in user.children})
        with pytest.raises(NotFound) as caught:
            await client.week(stranger, PINNED_TODAY)
        assert caught.value.message

    async def test_ids_are_opaque_and_cannot_split_the_path(self, client: DiaryClient) -> None:
        await client.login("parent", "demo")
        with pytest.raises(NotFound):
            await client.week("../../me", PINNED_TODAY)

    async def test_report_card_marks_homework_and_changes_parse(self, client: DiaryClient) -> None:
        user = (await client.login("student", "demo")).user
        card = await client.report_card(user.id)
        assert isinstance(card, ReportCard) and card.subjects
        marks = await client.marks(user.id, from_=PINNED_TODAY - dt.timedelta(days=60))
        assert marks and [m.date for m in marks] == sorted(m.date for m in marks)
        every = await client.homework(user.id, from_=MONDAY, to=PINNED_TODAY)
        required = await client.homework(user.id, from_=MONDAY, to=PINNED_TODAY, required=True)
        assert required == [h for h in every if h.required] != every  # some is optional
        assert required
        feed = await client.changes(None)
        assert isinstance(feed, ChangeFeed) and feed.cursor

    async def test_the_student_ticks_homework_done(self, client: DiaryClient) -> None:
        user = (await client.login("student", "demo")).user
        homework = await client.homework(user.id, from_=MONDAY - dt.timedelta(days=7), to=MONDAY)
        assert homework
        done = await client.set_homework_done(user.id, homework[0].id, True)
        assert done.done and done.id == homework[0].id

    async def test_a_parent_signs_a_week(self, client: DiaryClient) -> None:
        user = (await client.login("parent", "demo")).user
        child = user.children[0]
        last_week = MONDAY - dt.timedelta(days=7)  # this week's lessons are not over yet
        signature = await client.sign_week(child.id, last_week)
        assert signature.monday == last_week and signature.signed_by.id == user.id
        assert (await client.sign_week(child.id, last_week)).signed_at == signature.signed_at


class TestAbsenceNotices:
    NOTICE = AbsenceNoticeIn(
        from_=PINNED_TODAY + dt.timedelta(days=5),
        to=PINNED_TODAY + dt.timedelta(days=6),
        reason=AbsenceReason.ILLNESS,
        comment="a cold",
    )

    async def test_the_same_idempotency_key_gives_the_first_notice(
        self, client: DiaryClient
    ) -> None:
        child = (await client.login("parent", "demo")).user.children[0]
        before = await client.absence_notices(child.id)
        first = await client.create_absence_notice(child.id, self.NOTICE, idempotency_key="k-1")
        again = await client.create_absence_notice(child.id, self.NOTICE, idempotency_key="k-1")
        assert again.id == first.id
        after = await client.absence_notices(child.id)
        assert len(after) == len(before) + 1 and first.id in {n.id for n in after}

    async def test_an_overlapping_notice_is_a_conflict(self, client: DiaryClient) -> None:
        child = (await client.login("parent", "demo")).user.children[0]
        await client.create_absence_notice(child.id, self.NOTICE)
        with pytest.raises(Conflict) as caught:
            await client.create_absence_notice(child.id, self.NOTICE)
        assert isinstance(caught.value, Invalid)
        assert caught.value.code == "notice_overlaps"

    async def test_an_invalid_notice_names_the_field(self, client: DiaryClient) -> None:
        child = (await client.login("parent", "demo")).user.children[0]
        backwards = self.NOTICE.model_copy(update={"to": self.NOTICE.from_ - dt.timedelta(days=1)})
        with pytest.raises(Invalid) as caught:
            await client.create_absence_notice(child.id, backwards)
        assert caught.value.field == "to"

    async def test_withdrawing_a_notice(self, client: DiaryClient) -> None:
        child = (await client.login("parent", "demo")).user.children[0]
        notice = await client.create_absence_notice(child.id, self.NOTICE)
        await client.withdraw_absence_notice(child.id, notice.id)
        assert notice.id not in {n.id for n in await client.absence_notices(child.id)}


class TestUnreachable:
    async def test_a_refused_port_is_server_unreachable(self) -> None:
        async with DiaryClient("http://127.0.0.1:9", retries=1, backoff=0) as diary:
            assert await diary.health() is False
            with pytest.raises(ServerUnreachable) as caught:
                await diary.me()
        assert caught.value.code == "unreachable"
        assert "127.0.0.1:9" in caught.value.message

    async def test_an_unknown_host_is_server_unreachable(self) -> None:
        async with DiaryClient("http://no-such-host.invalid", retries=0) as diary:
            with pytest.raises(ServerUnreachable):
                await diary.me()

    async def test_a_timeout_is_server_unreachable(self) -> None:
        def slow(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("no answer", request=request)

        with pytest.raises(ServerUnreachable) as caught:
            await client_on(httpx.MockTransport(slow)).me()
        assert caught.value.code == "timeout"

    async def test_a_500_is_server_unreachable_with_the_status(
        self, client: DiaryClient, wire: Wire
    ) -> None:
        await client.login("student", "demo")
        wire.gateway = [500]
        with pytest.raises(ServerUnreachable) as caught:
            await client.me()
        assert (caught.value.status, caught.value.code) == (500, "server_error")

    async def test_the_health_check_of_the_real_server(self, client: DiaryClient) -> None:
        assert await client.health() is True


class TestRetries:
    """Repeats are bounded, and only where repeating cannot create anything twice.

    A proxy in front of the real server answers first (`wire.gateway`: a status, or 0
    for a refused connection); what it leaves over shows how many tries were made.
    """

    @pytest.fixture
    async def retrying(self, wire: Wire) -> AsyncIterator[DiaryClient]:
        async with client_on(wire, retries=2) as diary:
            yield diary

    async def test_a_get_is_tried_at_most_retries_plus_one_times(
        self, retrying: DiaryClient, wire: Wire
    ) -> None:
        await retrying.login("student", "demo")
        start, wire.gateway = len(wire.sent), [503] * 5
        with pytest.raises(ServerUnreachable) as caught:
            await retrying.me()
        assert (len(wire.sent) - start, wire.gateway) == (3, [503, 503])
        assert caught.value.status == 503

    async def test_a_get_succeeds_when_the_server_comes_back(
        self, retrying: DiaryClient, wire: Wire
    ) -> None:
        user = (await retrying.login("student", "demo")).user
        start, wire.gateway = len(wire.sent), [0, 502]
        assert await retrying.me() == user
        assert len(wire.sent) - start == 3 and len(wire.served) == 2  # the login, then /me

    async def test_a_500_is_not_repeated(self, retrying: DiaryClient, wire: Wire) -> None:
        await retrying.login("student", "demo")
        wire.gateway = [500, 500, 500]
        with pytest.raises(ServerUnreachable):
            await retrying.me()
        assert wire.gateway == [500, 500]

    async def test_a_post_without_an_idempotency_key_is_never_repeated(
        self, retrying: DiaryClient, wire: Wire
    ) -> None:
        wire.gateway = [0, 0, 0]
        with pytest.raises(ServerUnreachable):
            await retrying.login("student", "demo")
        assert (len(wire.sent), wire.gateway) == (1, [0, 0])

    async def test_a_post_with_an_idempotency_key_is_repeated_with_the_same_key(
        self, retrying: DiaryClient, wire: Wire
    ) -> None:
        child = (await retrying.login("parent", "demo")).user.children[0]
        before = await retrying.absence_notices(child.id)
        start, wire.gateway = len(wire.sent), [503] * 3
        notice = TestAbsenceNotices.NOTICE
        with pytest.raises(ServerUnreachable):
            await retrying.create_absence_notice(child.id, notice)
        tries = wire.sent[start:]
        assert len(tries) == 3
        assert len({r.headers["Idempotency-Key"] for r in tries}) == 1
        assert json.loads(tries[0].content)["from"] == notice.from_.isoformat()
        assert await retrying.absence_notices(child.id) == before  # none reached the school

    async def test_puts_and_deletes_are_repeated(self, wire: Wire) -> None:
        wire.gateway = [504] * 4
        async with client_on(wire, retries=1, token="t0k") as diary:
            with pytest.raises(ServerUnreachable):
                await diary.set_homework_done("1", "2", True)
            with pytest.raises(ServerUnreachable):
                await diary.delete_mark("3")
        assert [r.method for r in wire.sent] == ["PUT", "PUT", "DELETE", "DELETE"]
        assert wire.served == []

    async def test_the_servers_throttle_is_not_repeated_and_carries_retry_after(
        self, retrying: DiaryClient, wire: Wire, settings: ServerSettings
    ) -> None:
        settings.throttle_first_delay = dt.timedelta(seconds=42)
        await fail_logins(retrying, "student", settings.max_failures_per_login)
        start = len(wire.sent)
        with pytest.raises(Throttled) as caught:
            await retrying.login("student", "wrong")
        assert (caught.value.retry_after, caught.value.code) == (42, "throttled")
        assert len(wire.sent) - start == 1

    async def test_a_throttled_get_is_not_repeated_either(
        self, retrying: DiaryClient, wire: Wire
    ) -> None:
        await retrying.login("student", "demo")
        wire.gateway = [429, 429, 429]  # a proxy's rate limit, without Retry-After
        with pytest.raises(Throttled) as caught:
            await retrying.me()
        assert (caught.value.retry_after, wire.gateway) == (1, [429, 429])


class TestAnswers:
    async def test_an_unreadable_answer_is_a_client_error(self) -> None:
        transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"what": 1}))
        with pytest.raises(ClientError) as caught:
            await client_on(transport).me()
        assert caught.value.code == "bad_response"

    async def test_the_token_goes_in_the_authorization_header(
        self, client: DiaryClient, wire: Wire
    ) -> None:
        token = (await client.login("student", "demo")).token
        await client.me()
        assert wire.served[-1].headers["Authorization"] == f"Bearer {token}"
