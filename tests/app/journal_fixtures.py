"""Fixtures of the journal tests: the app opening straight onto the journal, and an outage.

`JournalApp` is the app as a teacher's start is wired: the client objects
built once (`AppContext`), the remembered login's journal painted from the
cache at once, the session resumed in a worker, then the journal fetched and
the outbox sent. `Outage` is the edge of
the world: a transport that cannot connect while the server is "down".
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from textual import events, work
from textual.pilot import Pilot

import ediary_tui.app
from ediary_tui.app import EdiaryApp
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.journal_sync import OutboxSender, SendState
from ediary_tui.client.session import DiarySession
from ediary_tui.context import AppContext
from ediary_tui.screens.journal.screen import JournalScreen
from ediary_tui.widgets.journal_grid import JournalGrid
from tests.conftest import PINNED_TODAY

from .conftest import new_session, pinned_clock


class Outage(httpx.AsyncBaseTransport):
    """The real server in-process, unreachable while `down` (httpx.ConnectError, as a cut cable)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = False
        self.requests: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused (the test's outage)", request=request)
        self.requests.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """Shared by the runs of the app in a test: closing one app must not close the server."""


class JournalApp(EdiaryApp):
    """EdiaryApp starting on the journal of the remembered (teacher's) login."""

    CSS_PATH = str(Path(ediary_tui.app.__file__).with_name("app.tcss"))

    def __init__(
        self, context: AppContext, *, journal: dict[str, Any], login: str | None = None, **kw: Any
    ) -> None:
        super().__init__(context, **kw)
        self.journal_kw = {"journal": context.journal, "sender": context.sender, **journal}
        self.login = login

    def on_mount(self, event: events.Mount) -> None:
        event.prevent_default()  # not the week or the login: the journal
        if self.login is not None:  # a snapshot's app, in a loop of its own: log in there
            self._log_in(self.login)
            return
        user = self.session.cached_user()
        assert user is not None, "log in before starting the journal app"
        screen = JournalScreen(
            self.session, user, today=self.today, clock=self.clock, fetch=False, **self.journal_kw
        )
        self.push_screen(screen)
        self._resume_journal(screen)

    @work(group="session")
    async def _log_in(self, login: str) -> None:
        result = await self.session.login(login, "demo")
        self.push_screen(
            JournalScreen(
                self.session, result.user, today=self.today, clock=self.clock, **self.journal_kw
            )
        )

    @work(group="session")
    async def _resume_journal(self, screen: JournalScreen) -> None:
        user = await self.session.resume()
        if user is not None:
            await screen.set_user(user)
        screen.refresh_journal()


def journal_app(
    session: DiarySession,
    *,
    lang: str = "en",
    clock: Callable[[], dt.datetime] = pinned_clock,
    login: str | None = None,
    **journal: Any,
) -> JournalApp:
    """English, the pinned date and clock; retries after an outage every 0.2 s at most.

    Its client objects are built as `ediary` builds them, once for the app's life.
    """
    context = AppContext.build(session, today=PINNED_TODAY, clock=clock)
    context = replace(context, sender=OutboxSender(context.journal, max_delay=0.2))
    return JournalApp(context, journal=journal, login=login, lang=lang)


async def logged_in(transport: httpx.AsyncBaseTransport, login: str = "teacher") -> DiarySession:
    """A session as `ediary` would have it after the teacher logged in once."""
    session = new_session(transport)
    await session.login(login, "demo")
    return session


def journal_of(app: EdiaryApp) -> JournalScreen:
    screen = next((s for s in app.screen_stack if isinstance(s, JournalScreen)), None)
    assert screen is not None, f"no journal on the stack: {app.screen_stack}"
    return screen


def grid_of(app: EdiaryApp) -> JournalGrid:
    return journal_of(app).query_one(JournalGrid)


async def journal_settled(pilot: Pilot[Any]) -> None:
    """Until the app has done what it set off, as `settled` in conftest, but for the
    outbox's sender, which works for as long as the journal is open: the journal's workers
    (choosing, fetching, picking), then the messages they posted, painted."""
    app = pilot.app
    await pilot.pause()
    while busy := [w for w in app.workers if not w.is_finished and w.group != "outbox"]:
        await app.workers.wait_for_complete(busy)
        await pilot.pause()


async def loaded(pilot: Pilot[Any]) -> JournalScreen:
    """The journal on screen, fresh from the server, once its workers are done."""
    await journal_settled(pilot)
    screen = journal_of(pilot.app)
    assert screen.state is not None and screen.fetched_at is not None
    return screen


async def showing(pilot: Pilot[Any], screen: JournalScreen, class_id: str, subject_id: str) -> None:
    """`screen` shows the server's copy of that class's journal in that subject."""
    await journal_settled(pilot)
    assert screen.state is not None and screen.fetched_at is not None
    assert (screen.state.class_id, screen.state.subject_id) == (class_id, subject_id)


async def reported(
    pilot: Pilot[Any], screen: JournalScreen, condition: Callable[[SendState], bool]
) -> None:
    """Until the sender reports a state (`send_state`) for which `condition` holds, painted."""
    done = asyncio.Event()

    def report(state: SendState) -> None:
        if condition(state):
            done.set()

    screen.watch(screen, "send_state", report)
    async with asyncio.timeout(10):
        await done.wait()
    await pilot.pause()


async def counted(pilot: Pilot[Any]) -> None:
    """Until the change follower's first poll has told the unread count, which the top bar
    shows (a snapshot taken before it would show the bar without it on a busy machine)."""
    app = pilot.app
    for _ in range(100):
        if app.follower.unread_messages is not None:  # type: ignore[attr-defined]
            return
        await pilot.pause(0.05)
    await pilot.pause()


async def all_sent(pilot: Pilot[Any], screen: JournalScreen) -> None:
    """Until the sender reports the outbox empty and the server's answers are painted."""
    await reported(pilot, screen, lambda state: state.pending == 0 and screen.unsent == 0)
    assert screen.state is not None and screen.state.pending_count == 0


async def teacher_api(transport: httpx.AsyncBaseTransport) -> DiaryClient:
    """The teacher's own client to the same school: how the tests check what the server has."""
    client = DiaryClient("http://school.test", transport=transport, retries=0)
    await client.login("teacher", "demo")
    return client


def told(app: EdiaryApp) -> list[str]:
    """The toasts the app has shown (Textual keeps them on the app, privately)."""
    return [n.message for n in app._notifications]
