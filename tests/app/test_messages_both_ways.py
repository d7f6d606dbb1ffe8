"""Conversations both ways: the messages screen for a teacher (M from the journal), a student
writing to a teacher where the school allows it, the live unread count for every role, and
typing in a message box that never fires a screen's key (Russian letters included).

Driven with a Pilot against the real server in-process; the other party answers through
the API, or in an app of their own run after this one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static

from ediary_tui.app import EdiaryApp
from ediary_tui.client.api import DiaryClient
from ediary_tui.domain.models import ThreadIn
from ediary_tui.screens.journal.screen import JournalScreen
from ediary_tui.screens.messages import threads as messages_screen
from ediary_tui.screens.messages.compose import NewThreadModal, ReplyBox
from ediary_tui.screens.messages.items import ItemList
from ediary_tui.screens.messages.threads import MessagesScreen
from ediary_tui.screens.messages.to_family import FamilyThreadModal
from ediary_tui.screens.messages.unread import UnreadCount
from ediary_tui.server import schema as s

from .conftest import SERVER, diary, log_in, settled, until
from .journal_fixtures import journal_settled, loaded

SIZE = (80, 24)
# Letters that are keys of the messages screen and the journal on either layout, typed
# into the boxes: none may act (n new, r reply, c child, a announcements, q back, M
# messages; т, к, с, ф, й, Ь their Russian twins).
TRICKY = "Прошу ответить: nrcaqM ткфсйЬ!"


@pytest.fixture
async def api(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[Callable[..., Any]]:
    """Clients of the same school for whoever the test needs, closed at its end."""
    opened: list[DiaryClient] = []

    async def as_(who: str) -> DiaryClient:
        client = DiaryClient(SERVER, transport=school(), backoff=0)
        await client.login(who, "demo")
        opened.append(client)
        return client

    yield as_
    for client in opened:
        await client.aclose()


async def type_into(pilot: Pilot[Any], text: str) -> None:
    """Type as a person does, one key at a time (spaces included)."""
    await pilot.press(*["space" if ch == " " else ch for ch in text])


def listed(screen: MessagesScreen) -> list[str]:
    listing = screen.query_one(ItemList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def shown(screen: MessagesScreen) -> str:
    heading = str(screen.query_one("#heading", Static).render())
    return heading + "\n" + str(screen.query_one("#text", Static).render())


def header(app: EdiaryApp) -> str:
    """The unread messages as the app's sub-title says them (the news count follows it)."""
    part = app.sub_title.split(" · ")[0]
    return part if part.startswith("unread") else ""


def footer_badge(app: EdiaryApp) -> str | None:
    """How the footer shows the key that opens the messages (None: not in the footer)."""
    for active in app.screen.active_bindings.values():
        binding = active.binding
        if binding.action == "messages":
            return binding.description if binding.show else None
    raise AssertionError("the screen has no key for the messages")


async def journal(app: EdiaryApp, pilot: Pilot[Any]) -> JournalScreen:
    """Log in as the teacher: the journal, fresh, and the first poll of the feed done."""
    await log_in(pilot, "teacher", "demo")
    screen = await loaded(pilot)
    await until(pilot, lambda: app.follower.unread_messages is not None)
    return screen


async def messages_from_journal(app: EdiaryApp, pilot: Pilot[Any]) -> MessagesScreen:
    await pilot.press("M")
    screen = app.screen
    assert isinstance(screen, MessagesScreen)
    # Not settled: the highlighted conversation is read after a pause, which a test looks past.
    await until(pilot, lambda: screen._fetched is not None)
    return screen


async def log_out(pilot: Pilot[Any]) -> None:
    """So that the next app of the test starts on the login, not on this user's screens."""
    app = pilot.app
    assert isinstance(app, EdiaryApp)
    await app.action_logout().wait()
    await pilot.pause()


async def allow_students(engine: AsyncEngine, allowed: bool) -> None:
    async with engine.begin() as conn:
        await conn.execute(s.schools.update().values(students_may_write=allowed))


class TestAParentAndATeacher:
    async def test_a_parent_writes_the_teacher_sees_the_count_replies_and_the_parent_reads_it(
        self,
        start: Callable[..., EdiaryApp],
        api: Callable[..., Any],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # Long enough to see the unread line before the highlighted conversation is read.
        monkeypatch.setattr(messages_screen, "OPEN_DELAY", 1.5)
        teacher_api: DiaryClient = await api("teacher")
        teacher_me = await teacher_api.me()
        # The parent writes to the maths teacher from the messages screen.
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            assert week.child is not None
            await pilot.press("m")
            await settled(pilot)
            await pilot.press("n")
            modal = app.screen
            assert isinstance(modal, NewThreadModal)
            await settled(pilot)
            modal.query_one("#teachers", OptionList).highlighted = next(
                i for i, t in enumerate(modal.teachers) if t.id == teacher_me.id
            )
            modal.query_one("#subject", Input).focus()
            await type_into(pilot, "Экскурсия")
            await pilot.press("enter")
            await type_into(pilot, "Можно ей поехать?")
            await pilot.press("enter")
            await settled(pilot)
            assert isinstance(app.screen, MessagesScreen)
            await log_out(pilot)
        before = (await teacher_api.threads()).unread_total
        ours = next(t for t in (await teacher_api.threads()).threads if t.subject == "Экскурсия")
        assert ours.unread == 1

        # The teacher, on the journal: the count in the header (sub-title) and the footer.
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            journal_screen = await journal(app, pilot)
            top = journal_screen.query_one("#unread", UnreadCount)
            assert app.follower.unread_messages == before
            assert header(app) == f"unread messages: {before}"
            assert footer_badge(app) == f"messages {before}"
            # at 80 columns the journal's bar says it short, leaving room for the subject
            assert top.display and str(top.render()) == f"{before} unread"
            # The parent writes again while the journal is open: the count follows the feed,
            # the news says so, and M opens the conversation.
            parent_api: DiaryClient = await api("parent")
            await parent_api.reply(ours.id, "И ещё: во сколько сбор?")
            await app.follow_changes().wait()
            await pilot.pause()
            assert app.follower.unread_messages == before + 1
            assert header(app) == f"unread messages: {before + 1}"
            assert footer_badge(app) == f"messages {before + 1}"
            assert str(top.render()) == f"{before + 1} unread"
            assert any("Экскурсия" in str(n.message) for n in app._notifications)
            screen = await messages_from_journal(app, pilot)
            assert any(line.startswith("● Экскурсия (2)") for line in listed(screen))
            await pilot.press("enter")  # the first conversation: the newest, the parent's
            await journal_settled(pilot)
            assert screen.thread is not None and screen.thread.subject == "Экскурсия"
            assert "И ещё: во сколько сбор?" in shown(screen)
            assert isinstance(app.focused, ReplyBox)
            assert app.follower.unread_messages == before - 1
            assert header(app) == (f"unread messages: {before - 1}" if before > 1 else "")
            await type_into(pilot, TRICKY)
            assert app.screen is screen and screen.query_one("#reply", ReplyBox).text == TRICKY
            await pilot.press("enter")
            await journal_settled(pilot)
            assert str(screen.query_one("#reply-status", Static).render()) == "Sent."
            assert TRICKY in shown(screen)
            await pilot.press("escape", "escape")
            assert app.screen is journal_screen
            assert top.count == before - 1 and top.display == (before > 1)
            await log_out(pilot)

        # The parent sees the reply, unread, and reads it.
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            assert app.follower.unread_messages == 1
            await pilot.press("m")
            screen = app.screen
            assert isinstance(screen, MessagesScreen)
            await settled(pilot)
            assert screen.thread is not None and screen.thread.subject == "Экскурсия"
            assert TRICKY in shown(screen) and "── new ──" in shown(screen)
            assert app.follower.unread_messages == 0

    async def test_the_palette_offers_the_messages_on_the_journal(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            screen = await journal(app, pilot)
            unread = app.follower.unread_messages
            commands = {c.title: c for c in app.get_system_commands(screen)}
            # With the unread count, as in the footer.
            command = commands[f"messages {unread}" if unread else "messages"]
            assert command.help == "key: M"
            await command.callback()  # what choosing it in ctrl+p runs
            await pilot.pause()
            assert isinstance(app.screen, MessagesScreen)


class TestATeacherStarts:
    async def test_a_teacher_writes_to_a_student_of_one_of_their_classes(
        self, start: Callable[..., EdiaryApp], api: Callable[..., Any]
    ) -> None:
        student_api: DiaryClient = await api("student")
        student = await student_api.me()
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            journal_screen = await journal(app, pilot)
            state = journal_screen.state
            assert state is not None
            screen = await messages_from_journal(app, pilot)
            await pilot.press("n")
            modal = app.screen
            assert isinstance(modal, FamilyThreadModal)
            await journal_settled(pilot)
            assert modal.class_id == state.class_id  # the journal's class first
            theirs = next(
                t.class_id
                for t in journal_screen.user.teaching
                if t.class_name == student.children[0].class_name
            )
            modal.query_one("#class", Select).value = theirs
            await journal_settled(pilot)
            assert modal.class_id == theirs
            people = modal.people
            index = next(i for i, p in enumerate(people) if p.id == student.id)
            assert people[index].is_student
            # Each student is followed by their parents.
            assert people[index + 1].student_id == student.id and not people[index + 1].is_student
            modal.query_one("#people", OptionList).highlighted = index
            await pilot.press("enter")
            assert isinstance(app.focused, Input)
            await type_into(pilot, "Олимпиада")
            await pilot.press("enter")
            await type_into(pilot, TRICKY)
            assert modal.query_one("#body", ReplyBox).text == TRICKY
            await pilot.press("enter")
            await journal_settled(pilot)
            assert app.screen is screen
            assert screen.thread is not None and screen.thread.subject == "Олимпиада"
        got = await student_api.threads()
        assert got.unread_total == 1
        thread = got.threads[0]
        assert thread.subject == "Олимпиада" and thread.parent.id == student.id
        assert (await student_api.thread(thread.id)).messages[0].body == TRICKY


class TestAStudentWrites:
    async def test_a_student_writes_to_a_teacher_where_the_school_allows_it(
        self, start: Callable[..., EdiaryApp], api: Callable[..., Any], engine: AsyncEngine
    ) -> None:
        await allow_students(engine, True)
        teacher_api: DiaryClient = await api("teacher")
        teacher = await teacher_api.me()
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "student")
            await pilot.press("m")
            screen = app.screen
            assert isinstance(screen, MessagesScreen)
            await settled(pilot)
            assert "No conversations yet:\nn writes to a teacher." in listed(screen)  # hint below
            await pilot.press("n")
            modal = app.screen
            assert isinstance(modal, NewThreadModal)
            assert modal.query_one("#dialog").border_title == "New message to a teacher"
            await settled(pilot)
            modal.query_one("#teachers", OptionList).highlighted = next(
                i for i, t in enumerate(modal.teachers) if t.id == teacher.id
            )
            modal.query_one("#subject", Input).focus()
            await type_into(pilot, "Реферат")
            await pilot.press("enter")
            await type_into(pilot, TRICKY)
            await pilot.press("enter")
            await settled(pilot)
            assert app.screen is screen
            assert screen.thread is not None and screen.thread.subject == "Реферат"
            assert TRICKY in shown(screen)
        found = next(t for t in (await teacher_api.threads()).threads if t.subject == "Реферат")
        assert found.unread == 1 and found.correspondent.full_name == teacher_api_name(found)

    async def test_a_student_is_refused_with_the_reason_where_it_does_not(
        self, start: Callable[..., EdiaryApp], engine: AsyncEngine
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "student")
            await pilot.press("m")
            await settled(pilot)
            await pilot.press("n")
            modal = app.screen
            assert isinstance(modal, NewThreadModal)
            await settled(pilot)
            modal.query_one("#subject", Input).focus()
            await type_into(pilot, "Реферат")
            await pilot.press("enter")
            await type_into(pilot, "Можно позже?")
            await pilot.press("enter")
            await settled(pilot)
            assert app.screen is modal
            assert str(modal.query_one("#status", Static).render()) == (
                "Not sent: Your school does not let students start conversations with "
                "teachers; a teacher may write to you, and you can answer. "
                "Your text is kept here."
            )
            assert modal.query_one("#body", ReplyBox).text == "Можно позже?"
            assert modal.query_one("#subject", Input).value == "Реферат"
        count = sa.select(sa.func.count()).select_from(s.threads)
        async with engine.connect() as conn:
            assert (await conn.execute(count.where(s.threads.c.subject == "Реферат"))).scalar() == 0

    async def test_the_refusal_in_russian(self, start: Callable[..., EdiaryApp]) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "student")
            await pilot.press("m")
            await settled(pilot)
            await pilot.press("n")
            modal = app.screen
            assert isinstance(modal, NewThreadModal)
            assert modal.query_one("#dialog").border_title == "Новое сообщение учителю"
            await settled(pilot)
            modal.query_one("#subject", Input).value = "Реферат"
            modal.query_one("#body", ReplyBox).text = "Можно позже?"
            await pilot.press("ctrl+s")
            await settled(pilot)
            status = str(modal.query_one("#status", Static).render())
            assert status.startswith(
                "Не отправлено: Ваша школа не разрешает ученикам начинать переписку"
            )

    async def test_the_students_count_follows_a_teachers_message(
        self, start: Callable[..., EdiaryApp], api: Callable[..., Any]
    ) -> None:
        teacher_api: DiaryClient = await api("teacher")
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "student")
            assert week.child is not None and app.follower.unread_messages == 0
            assert footer_badge(app) is None and header(app) == ""
            new = ThreadIn(
                student_id=week.child.id, parent_id=week.child.id, subject="Олимпиада", body="Да?"
            )
            await teacher_api.start_thread(new)
            await app.follow_changes().wait()
            await pilot.pause()
            assert app.follower.unread_messages == 1
            assert header(app) == "unread messages: 1"
            assert footer_badge(app) == "messages 1"


def teacher_api_name(thread: Any) -> str:
    """Seen from the teacher, the correspondent of a student's thread is the student."""
    return thread.student.full_name


class TestSmallTerminals:
    async def test_the_teachers_window_fits_60x20(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(60, 20)) as pilot:
            await journal(app, pilot)
            await messages_from_journal(app, pilot)
            await pilot.press("n")
            modal = app.screen
            assert isinstance(modal, FamilyThreadModal)
            await journal_settled(pilot)
            assert modal.people
            for part in ("#people", "#subject", "#body", "#send", "#cancel"):
                region = modal.query_one(part).region
                assert region.height > 0 and region.bottom <= 20, (part, region)
            assert modal.query_one("#people", OptionList).region.height >= 3
