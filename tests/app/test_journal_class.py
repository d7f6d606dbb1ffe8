"""The class from the journal: an announcement, a message to a family, first-login credentials.

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
import stat
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input, OptionList, RadioSet, Static, TextArea

from ediary_tui import i18n
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import (
    Announcement,
    ClassFamilies,
    CredentialsIn,
    Family,
    FamilyMember,
    Thread,
)
from ediary_tui.screens.classes.announcement import AnnouncementModal
from ediary_tui.screens.classes.credentials import CredentialsScreen
from ediary_tui.screens.classes.families import EVERYONE, FAMILY, NOT_YET, account, scopes
from ediary_tui.screens.classes.family_message import FamilyMessageModal
from ediary_tui.widgets.dialogs import ConfirmModal
from tests.server.test_journal import class_id, teacher_of

from .conftest import SERVER, new_session, settled
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


class Orphaned(httpx.AsyncBaseTransport):
    """The school, except that the class's list names no parent of any student."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.endswith("/families"):
            found = ClassFamilies.model_validate_json(await response.aread())
            for family in found.families:
                family.parents = []
            return httpx.Response(200, json=found.model_dump(mode="json"))
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


@pytest.fixture
async def families(api: Callable[..., Any], seven_a: str) -> ClassFamilies:
    """7А's families as its class teacher sees them (with logins)."""
    teacher: DiaryClient = await api("teacher")
    return await teacher.families(seven_a)


def text_of(screen: Screen[Any], selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def shown(widget: Static) -> bool:
    return widget.display and bool(str(widget.render()))


async def opened(pilot: Pilot[Any], kind: type[Screen[Any]]) -> Any:
    await settled(pilot)
    assert isinstance(pilot.app.screen, kind)
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
            await settled(pilot)
            assert bool(app.answers)
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
            await settled(pilot)
            assert "no connection" in text_of(modal, "#status")
            assert app.screen is modal and session.offline
            assert modal.query_one("#title", Input).value == "No lessons on Friday"
            assert modal.query_one("#body", TextArea).text == "A day of sports instead."
            assert not modal.query_one("#send", Button).disabled
            outage.down = False
            await pilot.press("ctrl+s")
            await settled(pilot)
            assert bool(app.answers)
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
            await settled(pilot)
            assert "Not sent" in text_of(modal, "#status")
            await pilot.press("ctrl+s")
            await settled(pilot)
            assert bool(app.answers)
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
            await settled(pilot)
            assert shown(error)
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
            await settled(pilot)
            assert "Not sent" in text_of(modal, "#status")
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
            await settled(pilot)
            assert app.screen is modal
            assert modal.query_one("#title", Input).value == "Hi"
            await pilot.press("escape")
            await opened(pilot, ConfirmModal)
            await pilot.press("y")
            await settled(pilot)
            assert app.answers == [None]

    async def test_escape_with_nothing_typed_just_closes(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str
    ) -> None:
        session = await logged_in(school())
        app = Host(lambda: AnnouncementModal(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            await opened(pilot, AnnouncementModal)
            await pilot.press("escape")
            await settled(pilot)
            assert app.answers == [None]

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


# --- a message to one family ----------------------------------------------------------------


def one_parent(families: ClassFamilies) -> Family:
    return next(f for f in families.families if len(f.parents) == 1)


async def parents_child(parent: DiaryClient) -> str:
    return next(c.id for c in (await parent.me()).children if c.class_name == "7А")


async def parents_shown(pilot: Pilot[Any], modal: FamilyMessageModal) -> RadioSet:
    """The parents to choose from, once the window's worker has loaded them (the set is
    made anew then: the old one goes before the new one comes, so it is not looked for
    while the worker runs)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    radios = modal.query_one("#parents", RadioSet)
    assert modal.parents and radios.display and radios.children
    return radios


async def write_message(modal: FamilyMessageModal, subject: str, body: str) -> None:
    modal.query_one("#subject", Input).value = subject
    modal.query_one("#body", TextArea).text = body


class TestFamilyMessage:
    async def test_the_only_parent_is_chosen_and_reads_the_message(
        self,
        school: Callable[[], httpx.ASGITransport],
        seven_a: str,
        families: ClassFamilies,
        api: Callable[..., Any],
    ) -> None:
        family = one_parent(families)
        parent = family.parents[0]
        session = await logged_in(school())
        app = Host(
            lambda: FamilyMessageModal(
                session, seven_a, family.student.id, family.student.full_name
            )
        )
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, FamilyMessageModal)
            radios = await parents_shown(pilot, modal)
            assert parent.full_name in str(radios.pressed_button.label)  # type: ignore[union-attr]
            assert modal.query_one("#subject", Input).has_focus
            await write_message(modal, "Homework", "Please check the maths homework.")
            await pilot.press("ctrl+s")
            await settled(pilot)
            assert bool(app.answers)
        thread = app.answers[0]
        assert isinstance(thread, Thread) and thread.parent.id == parent.id
        assert parent.login is not None
        theirs = await (await api(parent.login)).threads()
        found = next(t for t in theirs.threads if t.id == thread.id)
        assert found.subject == "Homework" and found.student.id == family.student.id

    async def test_of_two_parents_one_must_be_chosen(
        self,
        school: Callable[[], httpx.ASGITransport],
        seven_a: str,
        the_parent: DiaryClient,
    ) -> None:
        child = await parents_child(the_parent)
        me = await the_parent.me()
        outage = Outage(school())
        session = await logged_in(outage)
        app = Host(lambda: FamilyMessageModal(session, seven_a, child, "Child"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, FamilyMessageModal)
            radios = await parents_shown(pilot, modal)
            assert modal.parents is not None and len(modal.parents) == 2
            assert radios.pressed_button is None
            await write_message(modal, "Trip", "May she go on Friday?")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert text_of(modal, "#error-parents") == "Choose which parent to write to."
            assert radios.has_focus_within or radios.has_focus
            assert post_count(outage, "/threads") == 0
            index = [p.id for p in modal.parents].index(me.id)
            await pilot.press(*["down"] * index, "space")
            assert radios.pressed_index == index
            await pilot.press("ctrl+s")
            await settled(pilot)
            assert bool(app.answers)
        thread = app.answers[0]
        assert isinstance(thread, Thread) and thread.parent.id == me.id
        assert thread.id in {t.id for t in (await the_parent.threads()).threads}

    async def test_offline_the_text_stays_and_it_goes_once_when_back(
        self,
        school: Callable[[], httpx.ASGITransport],
        seven_a: str,
        families: ClassFamilies,
    ) -> None:
        family = one_parent(families)
        outage = Outage(school())
        session = await logged_in(outage)
        app = Host(lambda: FamilyMessageModal(session, seven_a, family.student.id, "Child"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, FamilyMessageModal)
            await settled(pilot)
            assert modal.parents is not None
            await write_message(modal, "Marks", "Let us talk about the marks.")
            outage.down = True
            await pilot.press("ctrl+s")
            await settled(pilot)
            assert "no connection" in text_of(modal, "#status")
            assert modal.query_one("#body", TextArea).text == "Let us talk about the marks."
            outage.down = False
            await pilot.press("ctrl+s")
            await settled(pilot)
            assert bool(app.answers)
        assert post_count(outage, "/threads") == 1

    async def test_a_child_with_no_parent_linked_has_nobody_to_write_to(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str, families: ClassFamilies
    ) -> None:
        family = one_parent(families)
        session = await logged_in(Orphaned(school()))
        app = Host(
            lambda: FamilyMessageModal(
                session, seven_a, family.student.id, family.student.full_name
            )
        )
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, FamilyMessageModal)
            await settled(pilot)
            assert modal.parents == []
            assert "has no parent linked" in text_of(modal, "#status")
            assert not modal.query_one("#parents", RadioSet).display
            assert modal.query_one("#send", Button).disabled
            await write_message(modal, "Subject", "Text")
            await pilot.press("ctrl+s")
            assert app.screen is modal and "has no parent linked" in text_of(modal, "#status")

    async def test_opened_offline_it_says_so_and_keeps_what_is_typed(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str, families: ClassFamilies
    ) -> None:
        family = one_parent(families)
        outage = Outage(school())
        session = await logged_in(outage)
        outage.down = True
        app = Host(lambda: FamilyMessageModal(session, seven_a, family.student.id, "Child"))
        async with app.run_test(size=SIZE) as pilot:
            modal = await opened(pilot, FamilyMessageModal)
            await settled(pilot)
            assert "No connection" in text_of(modal, "#status")
            await write_message(modal, "Marks", "Text")
            outage.down = False
            await pilot.press("ctrl+r")
            radios = await parents_shown(pilot, modal)
            assert radios.pressed_button is not None
            await pilot.press("ctrl+s")
            await settled(pilot)
            assert bool(app.answers)
        assert isinstance(app.answers[0], Thread)


# --- first-login credentials --------------------------------------------------------------


async def class_shown(pilot: Pilot[Any]) -> CredentialsScreen:
    screen = await opened(pilot, CredentialsScreen)
    await settled(pilot)
    assert screen.found is not None
    return screen


def lines_of(screen: CredentialsScreen, selector: str) -> list[str]:
    listing = screen.query_one(selector, OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def issued(pilot: Pilot[Any], screen: CredentialsScreen) -> list[list[str]]:
    """What is on screen, row by row: who, login, password, full name."""
    await settled(pilot)
    assert screen.issued is not None
    return [line.split(maxsplit=3) for line in lines_of(screen, "#issued")]


class TestCredentials:
    async def test_the_class_teacher_issues_for_one_family_and_the_passwords_work(
        self,
        school: Callable[[], httpx.ASGITransport],
        seven_a: str,
        families: ClassFamilies,
    ) -> None:
        family = one_parent(families)
        session = await logged_in(school())
        app = Host(lambda: CredentialsScreen(session, seven_a, "7А", family.student.id))
        async with app.run_test(size=SIZE) as pilot:
            screen = await class_shown(pilot)
            table = screen.query_one("#families", OptionList)
            assert table.option_count == sum(1 + len(f.parents) for f in families.families)
            assert table.highlighted_option is not None
            assert table.highlighted_option.id == family.student.id
            assert table.has_focus
            await pilot.press("f")
            confirm = await opened(pilot, ConfirmModal)
            assert ": 2 of them chose their own password" in confirm.question
            await pilot.press("y")
            rows = await issued(pilot, screen)
        people = {family.student.login, family.parents[0].login}
        assert {row[1] for row in rows} == people
        assert {row[3] for row in rows} == {family.student.full_name, family.parents[0].full_name}
        for who, login, password, _name in rows:
            async with DiaryClient(SERVER, transport=school(), retries=0) as client:
                result = await client.login(login, password)
            assert result.must_change_password, who

    async def test_only_new_skips_those_who_chose_their_own_password(
        self,
        school: Callable[[], httpx.ASGITransport],
        seven_a: str,
        families: ClassFamilies,
        api: Callable[..., Any],
    ) -> None:
        family = one_parent(families)
        teacher: DiaryClient = await api("teacher")
        await teacher.issue_credentials(
            seven_a, CredentialsIn(student_ids=[family.student.id], only_new=False)
        )
        session = await logged_in(school())
        app = Host(lambda: CredentialsScreen(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            screen = await class_shown(pilot)
            assert "not yet chosen their own password: 2" in text_of(screen, "#summary")
            assert str(screen.query_one("#not_yet", Button).label) == "Not yet in: 2"
            assert not screen.query_one("#family", Button).display  # no family was given
            await pilot.press("n")  # nobody's own password changes: no question
            rows = await issued(pilot, screen)
        assert {row[1] for row in rows} == {family.student.login, family.parents[0].login}

    async def test_everyone_is_a_reset_asked_with_the_count_first(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str, families: ClassFamilies
    ) -> None:
        people = {m.id for f in families.families for m in (f.student, *f.parents)}
        outage = Outage(school())
        session = await logged_in(outage)
        app = Host(lambda: CredentialsScreen(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            screen = await class_shown(pilot)
            await pilot.press("a")
            confirm = await opened(pilot, ConfirmModal)
            assert f"all {len(people)} people of class 7А" in confirm.question
            await pilot.press("n")
            await settled(pilot)
            assert app.screen is screen
            assert screen.issued is None
        assert post_count(outage, f"/classes/{seven_a}/credentials") == 0

    async def test_a_subject_teacher_is_told_why_not(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str, engine: AsyncEngine
    ) -> None:
        russian = await teacher_of(engine, "7А", "Русский язык")
        outage = Outage(school())
        session = await logged_in(outage, russian)
        app = Host(lambda: CredentialsScreen(session, seven_a, "7А"))
        async with app.run_test(size=SIZE) as pilot:
            screen = await class_shown(pilot)
            assert "Only the class teacher of 7А" in text_of(screen, "#status")
            assert not screen.query_one("#choices").display
            lines = lines_of(screen, "#families")
            assert lines and all(line.split()[1] == "—" for line in lines)
            await pilot.press("f", "n", "a")
            assert app.screen is screen and screen.issued is None
            # Were the screen to offer it anyway (the class teacher changed meanwhile),
            # the server's refusal is said the same way, not as a traceback.
            assert screen.found is not None
            screen.found = screen.found.model_copy(update={"can_issue": True})
            screen.action_issue("everyone")
            await opened(pilot, ConfirmModal)
            await pilot.press("y")
            await settled(pilot)
            assert "Not issued" in text_of(screen, "#status")
            assert "Only the class teacher of this class" in text_of(screen, "#status")
        assert post_count(outage, f"/classes/{seven_a}/credentials") == 1

    async def test_a_retry_after_a_lost_answer_shows_the_same_passwords(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str, families: ClassFamilies
    ) -> None:
        family = one_parent(families)
        cable = LostAnswer(school())
        cable.lose = lambda request: request.url.path.endswith("/credentials")
        session = await logged_in(cable)
        app = Host(lambda: CredentialsScreen(session, seven_a, "7А", family.student.id))
        async with app.run_test(size=SIZE) as pilot:
            screen = await class_shown(pilot)
            await pilot.press("f")
            await opened(pilot, ConfirmModal)
            await pilot.press("y")
            await settled(pilot)
            assert "no connection" in text_of(screen, "#status")
            assert screen.issued is None
            await pilot.press("f")
            await opened(pilot, ConfirmModal)
            await pilot.press("y")
            rows = await issued(pilot, screen)
        assert len(cable.keys) == 2 and cable.keys[0] == cable.keys[1]
        assert cable.replayed == [False, True]
        for _who, login, password, _name in rows:
            async with DiaryClient(SERVER, transport=school(), retries=0) as client:
                assert (await client.login(login, password)).must_change_password

    async def test_the_sheet_is_saved_for_its_owner_only_and_nowhere_else(
        self,
        school: Callable[[], httpx.ASGITransport],
        seven_a: str,
        families: ClassFamilies,
        home: Path,
    ) -> None:
        family = one_parent(families)
        session = await logged_in(school())
        app = Host(lambda: CredentialsScreen(session, seven_a, "7А", family.student.id))
        async with app.run_test(size=SIZE) as pilot:
            screen = await class_shown(pilot)
            await pilot.press("f")
            await opened(pilot, ConfirmModal)
            await pilot.press("y")
            rows = await issued(pilot, screen)
            await pilot.press("ctrl+s")
            await settled(pilot)
            assert screen.saved_to is not None
            assert str(screen.saved_to) in text_of(screen, "#status")
            await pilot.press("escape")  # saved: nothing to ask
            await settled(pilot)
            assert app.answers == [None]
        path = screen.saved_to
        assert path is not None and path.parent == home / "documents"
        assert path.name.startswith("credentials-7А-")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = path.read_text("utf-8")
        for _who, login, password, name in rows:
            assert name in text and f"Login:    {login}" in text and password in text
        assert "7А" in text and SERVER in text
        for saved in home.rglob("*"):
            if saved.is_file() and saved != path:
                content = saved.read_bytes()
                assert not any(row[2].encode() in content for row in rows), saved

    async def test_a_typed_path_is_used_and_closing_unsaved_asks_first(
        self,
        school: Callable[[], httpx.ASGITransport],
        seven_a: str,
        families: ClassFamilies,
        tmp_path: Path,
    ) -> None:
        family = one_parent(families)
        session = await logged_in(school())
        target = tmp_path / "sheet.txt"
        app = Host(lambda: CredentialsScreen(session, seven_a, "7А", family.student.id))
        async with app.run_test(size=SIZE) as pilot:
            screen = await class_shown(pilot)
            await pilot.press("f")
            await opened(pilot, ConfirmModal)
            await pilot.press("y")
            await issued(pilot, screen)
            await pilot.press("escape")
            await opened(pilot, ConfirmModal)
            await pilot.press("n")
            await settled(pilot)
            assert app.screen is screen
            path = screen.query_one("#path", Input)
            path.value = str(target)
            path.focus()
            await pilot.press("enter")
            await settled(pilot)
            assert screen.saved_to == target
        assert stat.S_IMODE(target.stat().st_mode) == 0o600

    async def test_a_file_already_there_is_replaced_only_when_the_teacher_says_so(
        self,
        school: Callable[[], httpx.ASGITransport],
        seven_a: str,
        families: ClassFamilies,
        tmp_path: Path,
    ) -> None:
        family = one_parent(families)
        session = await logged_in(school())
        target = tmp_path / "sheet.txt"
        target.write_text("an older sheet")
        target.chmod(0o644)
        app = Host(lambda: CredentialsScreen(session, seven_a, "7А", family.student.id))
        async with app.run_test(size=SIZE) as pilot:
            screen = await class_shown(pilot)
            await pilot.press("f")
            await opened(pilot, ConfirmModal)
            await pilot.press("y")
            rows = await issued(pilot, screen)
            path = screen.query_one("#path", Input)
            path.value = str(target)
            path.focus()
            await pilot.press("enter")
            await opened(pilot, ConfirmModal)
            await pilot.press("n")
            await settled(pilot)
            assert app.screen is screen
            assert screen.saved_to is None and target.read_text() == "an older sheet"
            await pilot.press("ctrl+s")
            await opened(pilot, ConfirmModal)
            await pilot.press("y")
            await settled(pilot)
            assert screen.saved_to == target
        assert rows[0][2] in target.read_text("utf-8")
        assert stat.S_IMODE(target.stat().st_mode) == 0o600

    async def test_in_russian(
        self, school: Callable[[], httpx.ASGITransport], seven_a: str, families: ClassFamilies
    ) -> None:
        family = one_parent(families)
        session = await logged_in(school())
        app = Host(lambda: CredentialsScreen(session, seven_a, "7А", family.student.id), lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            screen = await class_shown(pilot)
            assert screen.query_one("#dialog").border_title == "Данные для первого входа · класс 7А"
            assert str(screen.query_one("#everyone", Button).label).startswith("Все, сброс")
            await pilot.press("а")  # f on a Russian layout
            await opened(pilot, ConfirmModal)


def test_a_parent_on_the_staff_is_in_no_count_of_passwords_to_issue() -> None:
    def person(n: int, *, activated: bool = False, on_staff: bool = False) -> FamilyMember:
        return FamilyMember(
            id=str(n), full_name=f"P{n}", login=f"p{n}", activated=activated, on_staff=on_staff
        )

    colleague = person(3, activated=True, on_staff=True)
    found = ClassFamilies(
        class_id="c",
        class_name="7А",
        can_issue=True,
        families=[
            Family(student=person(1), parents=[person(2, activated=True), colleague]),
            Family(student=person(4), parents=[colleague]),
        ],
    )
    chosen = scopes(found, "1")
    assert (chosen[FAMILY].people, chosen[FAMILY].active) == (2, 1)
    assert (chosen[NOT_YET].people, chosen[EVERYONE].people, chosen[EVERYONE].active) == (2, 3, 1)
    assert account(colleague) == ("staff, own password", "$text-muted")
    assert account(person(2, activated=True))[0] == "own password"
