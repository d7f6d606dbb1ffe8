"""Fixtures of the client tests: a DiaryClient on the real server in-process, with the
wire in view (`Wire`), the teacher's journal sync as the app builds it, and a home
directory of their own (EDIARY_HOME). The keyrings are tests/conftest.py's."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.client import locations
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.cache import OfflineCache
from ediary_tui.client.credentials import CredentialStore
from ediary_tui.client.errors import ClientError
from ediary_tui.client.journal_sync import JournalSync, OutboxSender, Outcome, SendState
from ediary_tui.client.outbox import Outbox
from ediary_tui.client.session import DiarySession
from ediary_tui.server.app import create_app
from ediary_tui.server.settings import ServerSettings

SERVER = "http://school"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every client test gets its own config, data and cache directories."""
    path = tmp_path / "home"
    monkeypatch.setenv("EDIARY_HOME", str(path))
    return path


def transport_for(engine: AsyncEngine, settings: ServerSettings) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=create_app(engine, settings), client=("127.0.0.1", 50000))


class Wire(httpx.AsyncBaseTransport):
    """The real server in-process, with what only the network does put in front of it.

    `sent` keeps every request the client made and `served` the ones that reached
    the server. While `down`, every connection is refused. `gateway` lists what a
    proxy in front of the server answers the next requests instead, one each: a
    status, or 0 for a refused connection.
    """

    def __init__(self, server: httpx.AsyncBaseTransport) -> None:
        self.server = server
        self.down = False
        self.gateway: list[int] = []
        self.sent: list[httpx.Request] = []
        self.served: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if self.gateway:
            status = self.gateway.pop(0)
            if status == 0:
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(status, text=f"{status} from the proxy", request=request)
        self.served.append(request)
        return await self.server.handle_async_request(request)

    async def aclose(self) -> None:
        await self.server.aclose()


@pytest.fixture
def wire(engine: AsyncEngine, settings: ServerSettings) -> Wire:
    """The wire of the `client` fixture to the real server."""
    return Wire(transport_for(engine, settings))


@pytest.fixture
async def client(wire: Wire) -> AsyncIterator[DiaryClient]:
    """A DiaryClient talking to the real server app in-process."""
    async with DiaryClient(SERVER, transport=wire, backoff=0) as diary:
        yield diary


# --- the teacher's journal -------------------------------------------------------------


def session_of(client: DiaryClient) -> DiarySession:
    """What `ediary` builds at start around its client (no token is remembered)."""
    return DiarySession(client, CredentialStore(remember=False), OfflineCache())


@pytest.fixture
async def teacher_session(client: DiaryClient) -> DiarySession:
    """The demo school's maths teacher, logged in through `client`."""
    session = session_of(client)
    await session.login("teacher", "demo")
    return session


def journal_sync(session: DiarySession) -> JournalSync:
    """The journal's sync for the session's user, with the outbox in EDIARY_HOME.

    The one place the client tests build it, as the app's composition root does.
    """
    assert session.user is not None
    return JournalSync(session, Outbox(locations.outbox_db_path()))


class Sending:
    """An OutboxSender at work, what it has reported, and a way to wait for a report."""

    def __init__(self, sender: OutboxSender) -> None:
        self.sender = sender
        self.outcomes: list[Outcome] = []
        self.states: list[SendState] = []
        self.session_ended: list[ClientError] = []
        self._reported = asyncio.Event()

    def _report(self, into: list[Any], what: Any) -> None:
        into.append(what)
        self._reported.set()

    async def until(self, condition: Callable[[], bool], timeout: float = 5) -> None:
        """Wait for the sender's reports until `condition` holds (each report is a look)."""
        async with asyncio.timeout(timeout):
            while not condition():
                self._reported.clear()
                await self._reported.wait()


@contextlib.asynccontextmanager
async def sending(
    sync: JournalSync, *, first_delay: float = 0.01, max_delay: float = 0.04
) -> AsyncIterator[Sending]:
    """The outbox's sender running for the `async with` block, as the app runs it."""
    sent = Sending(OutboxSender(sync, first_delay=first_delay, max_delay=max_delay))
    task = asyncio.create_task(
        sent.sender.run(
            lambda o: sent._report(sent.outcomes, o),
            lambda s: sent._report(sent.states, s),
            lambda e: sent._report(sent.session_ended, e),
        )
    )
    try:
        yield sent
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert sent.session_ended == []
