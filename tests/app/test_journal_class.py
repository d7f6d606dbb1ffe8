"""The class from the journal: an announcement (a message to a family and credentials follow).

Each window is opened over a bare app with the teacher logged in, as the
journal will open it, and driven with a Pilot against the real server
in-process; what the server has is read back through the API as the families
would see it. The demo `teacher` leads 7А, where `student` is (the `parent`'s
older child; she and the child's father are its two parents); 7А's Russian
teacher teaches there without leading it. Every demo person has chosen their
own password.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input, Static, TextArea

from ediary_tui import i18n
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import Announcement
from ediary_tui.screens.journal_class import (
    AnnouncementModal,
    file_name,
)
from ediary_tui.screens.week import ConfirmModal
from tests.server.test_journal import class_id

from .conftest import SERVER, new_session
from .journal_fixtures import Outage
from .test_login import until

SIZE = (80, 24)


class Host(App[None]):
    """Where the journal will be: a screen the windows open over; their answers kept."""

    def __init__(self, window: Callable[[], Screen[Any]], lang: str = "en") -> None:
        i18n.set_language(lang)
        super().__init__()
        self.window = window
        self.answers: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.window(), self.answers.append)


class Gate(httpx.AsyncBaseTransport):
    """The school, with writes held at the door until `open` is set: a slow network."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.open = asyncio.Event()
        self.posts = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and not request.url.path.endswith("/login"):
            self.posts += 1
            await self.open.wait()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        """The school outlives the app's client."""


class LostAnswer(httpx.AsyncBaseTransport):
    """The server does the write, then the answer is lost on the way back (once per `lose`)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lose: Callable[[httpx.Request], bool] = lambda request: False
        self.keys: list[str] = []  # the Idempotency-Key of every POST
        self.replayed: list[bool] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and "Idempotency-Key" in request.headers:
            self.keys.append(request.headers["Idempotency-Key"])
            self.replayed.append(response.headers.get("Idempotent-Replayed") == "true")
        if self.lose(request):
            self.lose = lambda request: False
            raise httpx.ReadError("the answer was lost (the test's cable)", request=request)
        return response

    async def aclose(self) -> None:
        """The school outlives the app's client."""


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


@pytest.fixture
async def seven_a(engine: AsyncEngine) -> str:
    return await class_id(engine, "7А")


async def logged_in(transport: httpx.AsyncBaseTransport, who: str = "teacher") -> DiarySession:
    session = new_session(transport)
    await session.login(who, "demo")
    return session


@pytest.fixture
async def api(
    school: Callable[[], httpx.ASGITransport],
) -> AsyncIterator[Callable[..., Any]]:
    """Clients of the same school for whoever the test needs, closed at its end."""
    opened: list[DiaryClient] = []

    async def as_(who: str, password: str = "demo") -> DiaryClient:
        client = DiaryClient(SERVER, transport=school(), retries=0)
        await client.login(who, password)
        opened.append(client)
        return client

    yield as_
    for client in opened:
        await client.aclose()


@pytest.fixture
async def the_parent(api: Callable[..., Any]) -> DiaryClient:
    return await api("parent")


def text_of(screen: Screen[Any], selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def shown(widget: Static) -> bool:
    return widget.display and bool(str(widget.render()))


async def opened(pilot: Pilot[Any], kind: type[Screen[Any]]) -> Any:
    await until(pilot, lambda: isinstance(pilot.app.screen, kind))
    return pilot.app.screen


def post_count(outage: Outage, path: str) -> int:
    return sum(1 for r in outage.requests if r == f"POST /api/v1{path}")


# --- an announcement to the class ---------------------------------------------------------


async def write_announcement(modal: AnnouncementModal, title: str, body: str) -> None:
    modal.query_one("#title", Input).value = title
    modal.query_one("#body", TextArea).text = body


class TestAnnouncement:
    async def test_sent_once_though_send_is_pressed_twice_and_the_class_reads_it(
        self,
        school: Callable[[], httpx.ASGITransport],
        seven_a: str,
        the_parent: DiaryClient,
    ) -> None:
        gate = Gate(school())
        session = await logged_in(gate)
        app = Host(lambda: AnnouncementModal(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, AnnouncementModal)
            assert modal.query_one("#title", Input).has_focus
            await write_announcement(modal, "Parents' meeting", "Thursday at 18:00, room 21.")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: gate.posts == 1)
            assert text_of(modal, "#status") == "Sending…"
            await pilot.press("ctrl+s")
            await pilot.click("#send")
            gate.open.set()
            await until(pilot, lambda: bool(app.answers))
        posted = app.answers[0]
        assert isinstance(posted, Announcement)
        assert posted.class_id == seven_a and posted.title == "Parents' meeting"
        assert gate.posts == 1
        child = next(c for c in (await the_parent.me()).children if c.class_name == "7А")
        theirs = [a for a in await the_parent.announcements(child.id) if a.id == posted.id]
        assert [a.body for a in theirs] == ["Thursday at 18:00, room 21."]

    async def test_in_an_outage_the_text_stays_and_the_retry_posts_it_once(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str, the_parent: DiaryClient
    ) -> None:
        outage = Outage(school())
        session = await logged_in(outage)
        app = Host(lambda: AnnouncementModal(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, AnnouncementModal)
            await write_announcement(modal, "No lessons on Friday", "A day of sports instead.")
            outage.down = True
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "no connection" in text_of(modal, "#status"))
            assert app.screen is modal and session.offline
            assert modal.query_one("#title", Input).value == "No lessons on Friday"
            assert modal.query_one("#body", TextArea).text == "A day of sports instead."
            assert not modal.query_one("#send", Button).disabled
            outage.down = False
            await pilot.press("ctrl+s")
            await until(pilot, lambda: bool(app.answers))
        assert isinstance(app.answers[0], Announcement) and not session.offline
        titles = [a.title for a in await the_parent.announcements(limit=200)]
        assert titles.count("No lessons on Friday") == 1

    async def test_an_answer_lost_after_the_school_posted_it_is_not_posted_twice(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str, the_parent: DiaryClient
    ) -> None:
        cable = LostAnswer(school())
        cable.lose = lambda request: request.url.path.endswith("/announcements")
        session = await logged_in(cable)
        app = Host(lambda: AnnouncementModal(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, AnnouncementModal)
            await write_announcement(modal, "Museum trip", "Bring 300 roubles.")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "Not sent" in text_of(modal, "#status"))
            await pilot.press("ctrl+s")
            await until(pilot, lambda: bool(app.answers))
        assert len(cable.keys) == 2 and cable.keys[0] == cable.keys[1]
        assert cable.replayed == [False, True]
        titles = [a.title for a in await the_parent.announcements(limit=200)]
        assert titles.count("Museum trip") == 1

    async def test_an_empty_title_is_said_under_it_and_nothing_is_sent(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str
    ) -> None:
        outage = Outage(school())
        session = await logged_in(outage)
        app = Host(lambda: AnnouncementModal(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, AnnouncementModal)
            await write_announcement(modal, "   ", "Some text")
            await pilot.press("ctrl+s")
            await pilot.pause()
            error = modal.query_one("#error-title", Static)
            assert shown(error) and str(error.render()) == "Write a title."
            assert modal.query_one("#title", Input).has_focus
            modal.query_one("#title", Input).value = "Title"
            modal.query_one("#body", TextArea).text = ""
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert not modal.query_one("#error-title", Static).display
            assert str(modal.query_one("#error-body", Static).render()) == "Write the text."
            assert app.screen is modal
        assert post_count(outage, "/announcements") == 0

    async def test_the_servers_refusal_is_said_under_the_field_it_names(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str
    ) -> None:
        session = await logged_in(school())
        app = Host(lambda: AnnouncementModal(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, AnnouncementModal)
            await write_announcement(modal, "Bad\x00title", "Text")
            await pilot.press("ctrl+s")
            error = modal.query_one("#error-title", Static)
            await until(pilot, lambda: shown(error))
            assert "NUL" in str(error.render())
            assert modal.query_one("#title", Input).value == "Bad\x00title"
            assert not shown(modal.query_one("#status", Static))

    async def test_a_class_the_teacher_does_not_teach_is_refused_at_the_bottom(
        self, school: Callable[[], httpx.ASGITransport], engine: AsyncEngine
    ) -> None:
        other = await class_id(engine, "11А")
        session = await logged_in(school())
        app = Host(lambda: AnnouncementModal(session, other, "11А"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, AnnouncementModal)
            await write_announcement(modal, "Hello", "Text")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "Not sent" in text_of(modal, "#status"))
            assert "neither teach nor lead" in text_of(modal, "#status")
            assert modal.query_one("#body", TextArea).text == "Text"

    async def test_escape_asks_before_losing_what_was_typed(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str
    ) -> None:
        session = await logged_in(school())
        app = Host(lambda: AnnouncementModal(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, AnnouncementModal)
            await pilot.press("H", "i")
            await pilot.press("escape")
            await opened(pilot, ConfirmModal)
            await pilot.press("n")
            await until(pilot, lambda: app.screen is modal)
            assert modal.query_one("#title", Input).value == "Hi"
            await pilot.press("escape")
            await opened(pilot, ConfirmModal)
            await pilot.press("y")
            await until(pilot, lambda: app.answers == [None])

    async def test_escape_with_nothing_typed_just_closes(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str
    ) -> None:
        session = await logged_in(school())
        app = Host(lambda: AnnouncementModal(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            await opened(pilot, AnnouncementModal)
            await pilot.press("escape")
            await until(pilot, lambda: app.answers == [None])

    async def test_in_russian(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str
    ) -> None:
        session = await logged_in(school())
        app = Host(lambda: AnnouncementModal(session, seven_a, "7А"), lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, AnnouncementModal)
            assert modal.query_one("#dialog").border_title == "Объявление классу 7А"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert text_of(modal, "#error-title") == "Напишите заголовок."
            descriptions = {active.binding.description for active in app.active_bindings.values()}
            assert "отправить" in descriptions


def test_the_file_name_has_nothing_a_shell_minds() -> None:
    moment = dt.datetime(2026, 11, 25, 18, 5, 9)
    assert file_name("7А", moment) == "credentials-7А-20261125-180509.txt"
    assert file_name("10 Б/2", moment) == "credentials-10-Б-2-20261125-180509.txt"
