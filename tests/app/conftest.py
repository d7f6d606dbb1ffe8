"""Fixtures and helpers of the app tests: the real server in-process, a keyring in memory,
a home of their own, the app with its date and clock pinned (built as `ediary` builds it),
and what the tests share to drive it (`log_in`, `diary`) and to wait on it (`settled`
waits for what the app set off; `until` only for what starts after a frame, as a resume).

Pilot tests run in the session's event loop and share its `engine`. Snapshot
tests cannot: `snap_compare` runs the app in an event loop of its own, so they
get a copy of the demo school by path and open it from inside that loop
(`LazySchool`).
"""

from __future__ import annotations

import datetime as dt
import io
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_textual_snapshot import SVGImageExtension
from rich.color import ColorSystem
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from sqlalchemy.ext.asyncio import AsyncEngine
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from ediary_tui.app import EdiaryApp
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.cache import OfflineCache
from ediary_tui.client.credentials import CredentialStore
from ediary_tui.client.session import DiarySession
from ediary_tui.clock import forget_school_zone
from ediary_tui.context import AppContext
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.server import db
from ediary_tui.server.app import create_app
from ediary_tui.server.settings import ServerSettings
from tests.conftest import PINNED_NOW, PINNED_TODAY, MemoryKeyring, Template

SERVER = "http://school.test"
MOSCOW = dt.timezone(dt.timedelta(hours=3), "MSK")
DEMO_ACCOUNTS = [
    ("parent", "parent of two: 7th and 3rd grade"),
    ("student", "student of the 7th grade"),
]
TESTS = Path(__file__).resolve().parents[1]
SNAPSHOTS = TESTS.parent / "snapshots"


def pinned_clock() -> dt.datetime:
    """The app's clock in tests: 18:00 in Moscow on the pinned day, always."""
    return PINNED_NOW.astimezone(MOSCOW)


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache, the token record and the config of each test are its own."""
    path = tmp_path / "home"
    monkeypatch.setenv("EDIARY_HOME", str(path))
    return path


@pytest.fixture(autouse=True)
def _no_school_zone() -> Iterator[None]:
    """A logged-in app shows times in its school's zone (for the process): not the next test."""
    yield
    forget_school_zone()


@pytest.fixture(autouse=True)
def _keyring_in_memory(memory_keyring: MemoryKeyring) -> MemoryKeyring:
    """Every app test has an OS keyring: tests/conftest.py's, in memory."""
    return memory_keyring


def new_session(transport: httpx.AsyncBaseTransport, server: str = SERVER) -> DiarySession:
    """What `ediary` builds at start: a client, the credentials and the cache."""
    client = DiaryClient(server, transport=transport, backoff=0, retries=0)
    return DiarySession(client, CredentialStore(), OfflineCache())


def new_app(session: DiarySession, **kw: Any) -> EdiaryApp:
    """The app as the tests want it: English, the pinned date and clock, the demo accounts.

    Its client objects are built here as `ediary` builds them (`AppContext.build`).
    """
    kw.setdefault("lang", "en")
    kw.setdefault("demo_accounts", DEMO_ACCOUNTS)
    context = AppContext.build(session, today=PINNED_TODAY, clock=pinned_clock)
    return EdiaryApp(context, **kw)


async def settled(pilot: Pilot[Any]) -> None:
    """Wait until the app has done what it set off: its messages, then its workers, and
    whatever their answers set off in turn (a list's answer highlights a conversation, whose
    fetch is another worker). Not for a journal: its sender works for as long as it is open.
    """
    app = pilot.app
    await pilot.pause()
    while any(not worker.is_finished for worker in app.workers):
        await app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture
def school(engine: AsyncEngine, settings: ServerSettings) -> Callable[[], httpx.ASGITransport]:
    """A transport to the real server over this test's copy of the demo school."""

    def make() -> httpx.ASGITransport:
        return httpx.ASGITransport(app=create_app(engine, settings), client=("127.0.0.1", 50000))

    return make


@pytest.fixture
def start(school: Callable[[], httpx.ASGITransport]) -> Callable[..., EdiaryApp]:
    """Start the app as a person would run `ediary` again: a new session each time."""

    def make(**kw: Any) -> EdiaryApp:
        return new_app(new_session(school()), **kw)

    return make


# --- what the app tests share: driving the app as a person does, and waiting on it ----------


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 10) -> None:
    """Let the app work until `condition` holds (workers answer asynchronously)."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"the app never got there; the screen is {pilot.app.screen!r}")


async def log_in(pilot: Pilot[Any], login: str, password: str) -> None:
    screen = pilot.app.screen
    screen.query_one("#login", Input).value = login
    screen.query_one("#password", Input).value = password
    screen.query_one("#password", Input).focus()
    await pilot.press("enter")


def in_diary(app: EdiaryApp) -> bool:
    return isinstance(app.screen, WeekScreen) and app.screen.week is not None


def closed_port() -> int:
    """A port nothing listens on: bound for a moment by us, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def diary(app: EdiaryApp, pilot: Pilot[Any], login: str) -> WeekScreen:
    """Log in and wait for the week fresh from the server and the first poll of the feed."""
    await log_in(pilot, login, "demo")
    await settled(pilot)
    assert in_diary(app) and app.follower.cursor is not None
    assert isinstance(app.screen, WeekScreen)
    return app.screen


class Switch(httpx.AsyncBaseTransport):
    """The school, until `off`: then every request fails as a lost network does."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.off = False
        self.refuse: Callable[[httpx.Request], bool] = lambda request: False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.off:
            raise httpx.ConnectError("the network is down", request=request)
        if self.refuse(request):
            body = {"error": {"code": "thread_closed", "message": "this conversation is closed"}}
            return httpx.Response(403, json=body)
        return await self.inner.handle_async_request(request)


# --- snapshots ---------------------------------------------------------------


class LazySchool(httpx.AsyncBaseTransport):
    """The server over a copy of the demo school, opened in the loop that first asks.

    What `ediary_tui.embedded` does for the app, with the test's pinned clock.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: AsyncEngine | None = None
        self._inner: httpx.ASGITransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._inner is None:
            self._engine = db.create_engine(self.url)
            app = create_app(self._engine, ServerSettings(clock=lambda: PINNED_NOW))
            self._inner = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = self._inner = None


@pytest.fixture
async def school_copy(demo_template: Template) -> AsyncIterator[str]:
    """A fresh copy of the demo school by URL, for an app running in a loop of its own."""
    url = await demo_template.clone()
    yield url
    await demo_template.drop(url)


class SVGInSnapshots(SVGImageExtension):
    """pytest-textual-snapshot's SVGs, kept in `snapshots/` at the top of the repository.

    syrupy would put them in `__snapshots__/<test file>/` beside the test; the
    design card wants them together at the top, so they go to
    `snapshots/<test folder>/<test file>/`, one folder per test module, which
    keeps syrupy's clean-up of unused snapshots to the module's own files.
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        test_file = Path(test_location.filepath)
        return str(SNAPSHOTS / test_file.parent.relative_to(TESTS) / test_file.stem)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """syrupy's fixture, whose SVG extension (chosen by `snap_compare`) is SVGInSnapshots."""
    use_extension = snapshot.use_extension

    def use_svg_in_snapshots(extension_class: Any = None) -> SnapshotAssertion:
        if extension_class is SVGImageExtension:
            extension_class = SVGInSnapshots
        return use_extension(extension_class)

    snapshot.use_extension = use_svg_in_snapshots  # type: ignore[method-assign]
    return snapshot


# --- 16 colours (TERM=xterm) in snapshots ---------------------------------------------


def _sixteen(style: Style | None) -> Style | None:
    """The style as a 16-colour terminal shows it: each colour the nearest ANSI one."""
    if style is None or (style.color is None and style.bgcolor is None):
        return style
    color = style.color.downgrade(ColorSystem.STANDARD) if style.color else None
    bgcolor = style.bgcolor.downgrade(ColorSystem.STANDARD) if style.bgcolor else None
    return style + Style.from_color(color, bgcolor)


def sixteen_colours(app: App[Any]) -> None:
    """Make `app`'s screenshots those of a terminal with 16 colours (TERM=xterm): Textual
    paints in true colour and Rich brings each colour down to the nearest ANSI one there."""

    def export_screenshot(*, title: str | None = None, simplify: bool = False) -> str:
        width, height = app.size
        console = Console(
            width=width,
            height=height,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            record=True,
            legacy_windows=False,
            safe_box=False,
        )
        update = app.screen._compositor.render_update(
            full=True, screen_stack=app._background_screens, simplify=simplify
        )
        console.print(update)
        console._record_buffer[:] = [
            Segment(s.text, _sixteen(s.style), s.control) for s in console._record_buffer
        ]
        return console.export_svg(title=title or app.title)

    app.export_screenshot = export_screenshot  # type: ignore[method-assign]
