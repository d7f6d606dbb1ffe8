"""DiarySession: log in once, start straight in the diary, keep going without a network."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.client import reads
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.cache import OfflineCache
from ediary_tui.client.credentials import CredentialStore
from ediary_tui.client.errors import NotLoggedIn, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import Week
from ediary_tui.server.settings import ServerSettings
from tests.conftest import PINNED_TODAY, MemoryKeyring

from .conftest import SERVER, Wire, transport_for


def saved_week(session: DiarySession, student_id: str, day: dt.date) -> Week | None:
    """The week the session kept, as the diary paints it before the network answers."""
    found = session.saved(reads.week(student_id, day))
    return found.value if found is not None else None


MONDAY = PINNED_TODAY - dt.timedelta(days=PINNED_TODAY.weekday())

pytestmark = pytest.mark.usefixtures("memory_keyring")


class Start:
    """A start of the app: a fresh client, store and cache, as cli.py builds them."""

    def __init__(self, engine: AsyncEngine, settings: ServerSettings) -> None:
        self.engine, self.settings = engine, settings
        self.clients: list[DiaryClient] = []

    def __call__(self, *, online: bool = True, remember: bool = True) -> DiarySession:
        wire = Wire(transport_for(self.engine, self.settings))
        wire.down = not online
        client = DiaryClient(SERVER, transport=wire, backoff=0)
        self.clients.append(client)
        return DiarySession(client, CredentialStore(remember=remember), OfflineCache())


@pytest.fixture
async def start(engine: AsyncEngine, settings: ServerSettings) -> AsyncIterator[Start]:
    starts = Start(engine, settings)
    yield starts
    for client in starts.clients:
        await client.aclose()


class TestLogin:
    async def test_login_remembers_the_token_and_caches_the_user(
        self, start: Start, memory_keyring: MemoryKeyring
    ) -> None:
        session = start()
        result = await session.login("parent", "demo")
        assert session.user == result.user
        assert memory_keyring.secrets == {("ediary-tui:http://school", "parent"): result.token}
        assert "demo" not in memory_keyring.secrets.values()
        assert start().cached_user() == result.user

    async def test_a_wrong_password_keeps_nothing(
        self, start: Start, memory_keyring: MemoryKeyring
    ) -> None:
        session = start()
        with pytest.raises(NotLoggedIn):
            await session.login("parent", "wrong")
        assert memory_keyring.secrets == {} and session.user is None

    async def test_without_remember_the_next_start_asks_again(self, start: Start) -> None:
        await start(remember=False).login("parent", "demo")
        later = start()
        assert later.cached_user() is None
        assert await later.resume() is None


class TestResume:
    async def test_the_next_start_goes_straight_to_the_diary(self, start: Start) -> None:
        user = (await start().login("parent", "demo")).user
        session = start()
        assert session.cached_user() == user  # painted before any network
        assert await session.resume() == user
        assert session.user == user and not session.offline

    async def test_a_revoked_token_is_forgotten(self, start: Start) -> None:
        first = start()
        await first.login("parent", "demo")
        token = first.client.token
        other = start()
        other.client.token = token
        await other.client.logout()  # revoked elsewhere (say, on another computer)
        session = start()
        assert await session.resume() is None
        assert session.credentials.load(SERVER) is None

    async def test_offline_the_cached_user_and_week_are_shown(self, start: Start) -> None:
        online = start()
        user = (await online.login("parent", "demo")).user
        child = user.children[0]
        week = (await online.fetch(reads.week(child.id, MONDAY))).value

        offline = start(online=False)
        assert await offline.resume() == user
        assert offline.offline
        assert saved_week(offline, child.id, MONDAY) == week
        with pytest.raises(ServerUnreachable):
            await offline.fetch(reads.week(child.id, MONDAY))
        assert offline.offline

    async def test_another_logins_cache_is_never_painted(self, start: Start) -> None:
        session = start()
        await session.login("parent", "demo")
        teacher = (await start(remember=False).login("teacher", "demo")).user
        session.cache.put_me(SERVER, teacher)  # the cache says teacher, the token is parent's
        assert start().cached_user() is None


class TestWeek:
    async def test_a_fetched_week_is_there_at_once_next_time(self, start: Start) -> None:
        session = start()
        user = (await session.login("student", "demo")).user
        assert saved_week(session, user.id, MONDAY) is None
        week = (await session.fetch(reads.week(user.id, MONDAY))).value
        assert saved_week(start(), user.id, MONDAY + dt.timedelta(days=2)) == week

    async def test_signing_shows_in_the_cached_week(self, start: Start) -> None:
        session = start()
        child = (await session.login("parent", "demo")).user.children[0]
        last_week = MONDAY - dt.timedelta(days=7)  # this week's lessons are not over yet
        await session.fetch(reads.week(child.id, last_week))
        signature = await session.sign_week(child.id, last_week)
        cached = saved_week(session, child.id, last_week)
        assert cached is not None and cached.signed_at == signature.signed_at


class TestLogout:
    async def test_logout_forgets_and_revokes(self, start: Start) -> None:
        session = start()
        await session.login("parent", "demo")
        token = session.client.token
        await session.logout()
        assert session.user is None and session.client.token is None
        assert session.credentials.load(SERVER) is None
        probe = start()
        probe.client.token = token
        with pytest.raises(NotLoggedIn):
            await probe.client.me()

    async def test_logout_offline_still_forgets(self, start: Start) -> None:
        await start().login("parent", "demo")
        offline = start(online=False)
        await offline.resume()
        await offline.logout()
        assert offline.credentials.load(SERVER) is None
