"""Shared fixtures: a demo school built once per session, cloned per test; keyrings.

The date is pinned (PINNED_TODAY) so data and snapshots never drift. The
database is SQLite unless EDIARY_TEST_PG_URL names a PostgreSQL server, in
which case every server test runs there instead (template databases make the
per-test copy cheap).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import keyring
import keyring.backend
import keyring.errors
import pytest
import sqlalchemy as sa
from keyring.backends import fail
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from ediary_tui.server import db
from ediary_tui.server.app import create_app
from ediary_tui.server.settings import ServerSettings

PINNED_TODAY = dt.date(2026, 11, 25)  # a Wednesday in the second quarter
PINNED_NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)  # 18:00 in Moscow
DEMO_SIZE = {"classes_per_grade": 1, "students_per_class": 8}
PG_URL = os.environ.get("EDIARY_TEST_PG_URL")


class FakeClock:
    """The server's clock, pinned; tests move it forward to expire tokens or throttles."""

    def __init__(self, now: dt.datetime = PINNED_NOW) -> None:
        self.current = now

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **kw: float) -> None:
        self.current += dt.timedelta(**kw)


@dataclass
class Template:
    """A built demo database that tests get fresh copies of."""

    url: str
    tmp: Path
    counter: itertools.count

    async def clone(self) -> str:
        n = next(self.counter)
        if PG_URL is None:
            target = self.tmp / f"school-{n}.db"
            shutil.copyfile(self.url, target)
            return str(target)
        name = f"ediary_test_{os.getpid()}_{n}"
        await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_name(self.url)}"')
        return _pg_url(name)

    async def drop(self, url: str) -> None:
        if PG_URL is None:
            for suffix in ("", "-wal", "-shm"):
                Path(url + suffix).unlink(missing_ok=True)
        else:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{_pg_name(url)}" WITH (FORCE)')


def _pg_url(name: str) -> str:
    assert PG_URL is not None
    return str(sa.engine.make_url(db.normalise_url(PG_URL)).set(database=name))


def _pg_name(url: str) -> str:
    return sa.engine.make_url(url).database or ""


async def _pg_admin(statement: str) -> None:
    engine = create_async_engine(db.normalise_url(PG_URL or ""), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text(statement))
    finally:
        await engine.dispose()


async def build_school(
    url: str, today: dt.date = PINNED_TODAY, *, news: bool = False, **size: int
) -> None:
    """A demo school; without the last week's news, so the feed starts quiet."""
    from ediary_tui.server.demo import build_demo

    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
        await build_demo(engine, today=today, news=news, **{**DEMO_SIZE, **size})
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
async def demo_template(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Template]:
    tmp = tmp_path_factory.mktemp("schools")
    if PG_URL is None:
        url = str(tmp / "template.db")
    else:
        name = f"ediary_template_{os.getpid()}"
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    await build_school(url)
    template = Template(url, tmp, itertools.count())
    yield template
    if PG_URL is not None:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def engine(demo_template: Template) -> AsyncIterator[AsyncEngine]:
    """A fresh copy of the demo school for one test."""
    url = await demo_template.clone()
    eng = db.create_engine(url)
    yield eng
    await eng.dispose()
    await demo_template.drop(url)


@pytest.fixture
def settings(clock: FakeClock) -> ServerSettings:
    return ServerSettings(clock=clock)


@pytest.fixture
async def api(engine: AsyncEngine, settings: ServerSettings) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the real server app in-process."""
    app = create_app(engine, settings)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://school") as client:
        yield client


async def login(api: httpx.AsyncClient, who: str, password: str = "demo") -> dict[str, str]:
    """Log in as `who` and return the headers that carry the token."""
    r = await api.post("/api/v1/auth/login", json={"login": who, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


@pytest.fixture
async def as_parent(api: httpx.AsyncClient) -> dict[str, str]:
    return await login(api, "parent")


@pytest.fixture
async def as_student(api: httpx.AsyncClient) -> dict[str, str]:
    return await login(api, "student")


@pytest.fixture
async def as_teacher(api: httpx.AsyncClient) -> dict[str, str]:
    return await login(api, "teacher")


@pytest.fixture
async def as_admin(api: httpx.AsyncClient) -> dict[str, str]:
    return await login(api, "admin")


# --- keyrings ------------------------------------------------------------------


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps secrets in a dict: what an OS keyring does, minus the OS."""

    priority = 1
    # Installed by tests with keyring.set_keyring only; never picked by discovery,
    # so other tests in the same process do not find it.
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(f"no {username} in {service}")


@pytest.fixture(scope="session")
def original_keyring() -> keyring.backend.KeyringBackend:
    return keyring.get_keyring()


@pytest.fixture
def memory_keyring(original_keyring: keyring.backend.KeyringBackend) -> Iterator[MemoryKeyring]:
    """An OS keyring, as on a desktop."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(original_keyring)


@pytest.fixture
def no_keyring(original_keyring: keyring.backend.KeyringBackend) -> Iterator[None]:
    """No keyring at all, as over SSH or in a container."""
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(original_keyring)
