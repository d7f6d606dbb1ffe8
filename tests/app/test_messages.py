"""Messages and announcements: reading, replying, starting a conversation, offline, children.

Driven with a Pilot against the real server in-process, as a parent at an
80x24 terminal would; the demo maths teacher answers through the API.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets._footer import FooterKey

from ediary_tui.app import EdiaryApp
from ediary_tui.client.api import DiaryClient
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.screens.messages import items
from ediary_tui.screens.messages import threads as messages_screen
from ediary_tui.screens.messages.compose import NewThreadModal, ReplyBox
from ediary_tui.screens.messages.items import ItemList
from ediary_tui.screens.messages.threads import MessagesScreen
from ediary_tui.widgets.banner import Banner

from .conftest import SERVER, Switch, diary, new_app, new_session, settled, until

SIZE = (80, 24)


@pytest.fixture
async def teacher(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    """The demo maths teacher, talking to the same school as the app."""
    async with DiaryClient(SERVER, transport=school(), backoff=0) as client:
        await client.login("teacher", "demo")
        yield client


@pytest.fixture
async def parent(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    """The demo parent through the API: what the server says behind the app's back."""
    async with DiaryClient(SERVER, transport=school(), backoff=0) as client:
        await client.login("parent", "demo")
        yield client


async def messages(app: EdiaryApp, pilot: Pilot[Any]) -> MessagesScreen:
    """Press m and wait for the lists fresh from the server (the highlighted conversation may
    still be on its way: see `thread_shown`)."""
    await pilot.press("m")
    screen = app.screen
    assert isinstance(screen, MessagesScreen)
    # Not `settled`: its idle waits can outlast the pause before a highlighted conversation
    # is read, which a test here looks at.
    await until(pilot, lambda: fresh(screen))
    return screen


def fresh(screen: MessagesScreen) -> bool:
    return screen._fetched is not None


def listed(screen: MessagesScreen) -> list[str]:
    """The list as text, one line per line of the options."""
    listing = screen.query_one(ItemList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


def shown(screen: MessagesScreen) -> str:
    """The right pane: the heading and the text."""
    heading = str(screen.query_one("#heading", Static).render())
    return heading + "\n" + str(screen.query_one("#text", Static).render())


def status(screen: MessagesScreen) -> str:
    return str(screen.query_one("#reply-status", Static).render())


async def thread_shown(pilot: Pilot[Any], screen: MessagesScreen, subject: str) -> None:
    await settled(pilot)
    assert screen.thread is not None and screen.thread.subject == subject


async def type_into(pilot: Pilot[Any], text: str) -> None:
    """Type as a person does, one key at a time (spaces included)."""
    await pilot.press(*["space" if ch == " " else ch for ch in text])


class TestReading:
    async def test_m_lists_the_conversations_and_the_childs_announcements(
        self, start: Callable[..., EdiaryApp], parent: DiaryClient
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            child = week.child
            assert child is not None and screen.child == child
            lines = "\n".join(listed(screen))
            threads = await parent.threads()
            for thread in threads.threads:
                assert thread.subject in lines
            announcements = await parent.announcements(child.id)
            for announcement in announcements:
                assert announcement.title in lines
            assert "Announcements" in lines and "whole school" in lines
            assert f"class {child.class_name}" in lines
            assert screen.query_one(ItemList).has_focus

    async def test_highlighting_a_conversation_reads_it_and_the_count_follows(
        self,
        start: Callable[..., EdiaryApp],
        teacher: DiaryClient,
        parent: DiaryClient,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        # Long enough to see the unread line before the highlighted conversation is read.
        monkeypatch.setattr(messages_screen, "OPEN_DELAY", 1.5)
        me = await parent.me()
        thread = next(t for t in (await teacher.threads()).threads if t.parent.id == me.id)
        await teacher.reply(thread.id, "Please bring the exercise book.")
        unread = (await parent.threads()).unread_total
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            assert unread > 0 and app.follower.unread_messages == unread
            # the reply is also what's new since the last school day, on this first start
            assert app.sub_title == f"unread messages: {unread} · 1 new"
            screen = await messages(app, pilot)
            assert any(line.startswith("● " + thread.subject) for line in listed(screen))
            await thread_shown(pilot, screen, thread.subject)
            assert "Please bring the exercise book." in shown(screen)
            await settled(pilot)
            assert app.follower.unread_messages == 0
            assert not any(line.startswith("●") for line in listed(screen))
            assert (await parent.threads()).unread_total == 0
            assert "── new ──" in shown(screen)  # where the unread began, as opened

    async def test_an_announcement_shows_its_text(
        self, start: Callable[..., EdiaryApp], parent: DiaryClient
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            assert week.child is not None
            newest = (await parent.announcements(week.child.id))[0]
            await pilot.press("a")
            await settled(pilot)
            assert newest.title in shown(screen)
            assert shown(screen).endswith("\n\n" + newest.body)
            assert newest.author.full_name in shown(screen)
            assert not screen.query_one("#compose").display  # nothing to reply to

    async def test_clicking_a_conversation_opens_it_for_a_reply(
        self, start: Callable[..., EdiaryApp], parent: DiaryClient
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await pilot.press("a")
            subject = (await parent.threads()).threads[0].subject
            await pilot.click(ItemList, offset=(4, 1))
            await thread_shown(pilot, screen, subject)
            assert isinstance(app.focused, ReplyBox)

    async def test_a_parent_of_two_switches_the_announcements_to_the_other_child(
        self, start: Callable[..., EdiaryApp], parent: DiaryClient
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            first, second = (await parent.me()).children
            assert screen.child == first
            await pilot.press("c")
            assert screen.child == second
            await settled(pilot)
            assert any(f"class {second.class_name}" in line for line in listed(screen))
            assert not any(f"class {first.class_name}" in line for line in listed(screen))

    async def test_the_child_chosen_in_the_diary_is_the_one_shown(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            await pilot.press("c")
            second = week.child
            screen = await messages(app, pilot)
            assert screen.child == second

    async def test_escape_leaves_the_reply_box_then_goes_back_to_the_diary(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            assert screen.thread is not None
            await pilot.press("r")
            assert isinstance(app.focused, ReplyBox)
            await type_into(pilot, "q")  # a letter typed, not the key to leave
            assert app.screen is screen
            await pilot.press("escape")
            assert app.screen is screen and isinstance(app.focused, ItemList)
            await pilot.press("escape")
            assert app.screen is week

    async def test_a_student_reads_announcements_and_may_write_to_a_teacher(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """`n` is offered: whether the school allows it is the server's word (see
        test_messages_both_ways)."""
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "student")
            screen = await messages(app, pilot)
            assert "No conversations yet:\nn writes to a teacher." in listed(screen)  # hint below
            assert any("whole school" in line for line in listed(screen))
            keys = {key.action for key in app.keys_of(screen)}
            assert "new_thread" in keys and "switch_child" not in keys
            await pilot.press("n")
            assert isinstance(app.screen, NewThreadModal)


class TestReplying:
    async def test_a_reply_is_sent_shown_and_reaches_the_teacher(
        self, start: Callable[..., EdiaryApp], teacher: DiaryClient
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            assert screen.thread is not None
            assert screen.thread is not None
            thread_id = screen.thread.id
            await pilot.press("r")
            await type_into(pilot, "We will come on Thursday")
            await pilot.press("enter")
            await settled(pilot)
            assert status(screen) == "Sent."
            assert "We will come on Thursday" in shown(screen)
            assert screen.query_one("#reply", ReplyBox).text == ""
            theirs = await teacher.thread(thread_id)
            assert theirs.messages[-1].body == "We will come on Thursday"

    async def test_an_empty_reply_is_not_sent(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            assert screen.thread is not None
            await pilot.press("r", "space", "enter")
            assert status(screen) == "Type a message first."

    async def test_offline_the_reply_stays_and_is_said_not_sent_then_goes_once(
        self,
        school: Callable[[], httpx.ASGITransport],
        teacher: DiaryClient,
    ) -> None:
        switch = Switch(school())
        app = new_app(new_session(switch))
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            assert screen.thread is not None
            assert screen.thread is not None
            thread_id = screen.thread.id
            before = len((await teacher.thread(thread_id)).messages)
            switch.off = True
            await pilot.press("r")
            await type_into(pilot, "See you soon")
            await pilot.press("enter")
            await settled(pilot)
            assert status(screen) == (
                "Not sent: no connection to the server. Your text is kept here; Enter tries again."
            )
            assert screen.query_one("#reply", ReplyBox).text == "See you soon"
            assert screen.query_one(Banner).display
            switch.off = False
            await pilot.press("enter")
            await settled(pilot)
            assert status(screen) == "Sent."
            assert len((await teacher.thread(thread_id)).messages) == before + 1

    async def test_a_refused_reply_keeps_the_text_with_the_reason(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        switch = Switch(school())
        switch.refuse = lambda request: (
            request.method == "POST" and request.url.path.endswith("/messages")
        )
        app = new_app(new_session(switch))
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            assert screen.thread is not None
            await pilot.press("r")
            await type_into(pilot, "Hello")
            await pilot.press("enter")
            await settled(pilot)
            assert (
                status(screen) == "Not sent: This conversation is closed. Your text is kept here."
            )
            assert screen.query_one("#reply", ReplyBox).text == "Hello"


class TestStarting:
    async def test_a_parent_writes_to_one_of_the_childs_teachers(
        self, start: Callable[..., EdiaryApp], parent: DiaryClient
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await diary(app, pilot, "parent")
            assert week.child is not None
            screen = await messages(app, pilot)
            await pilot.press("n")
            modal = app.screen
            assert isinstance(modal, NewThreadModal)
            teachers = modal.query_one("#teachers", OptionList)
            await settled(pilot)
            assert teachers.option_count == len(await parent.teachers(week.child.id))
            await pilot.press("down")
            chosen = modal.teachers[teachers.highlighted or 0]
            modal.query_one("#subject", Input).focus()
            await type_into(pilot, "Trip")
            await pilot.press("enter")
            assert isinstance(app.focused, ReplyBox)
            await type_into(pilot, "May she go on Friday")
            await pilot.press("enter")
            await settled(pilot)
            assert app.screen is screen
            await thread_shown(pilot, screen, "Trip")
            assert "May she go on Friday" in shown(screen)
            assert chosen.full_name in shown(screen)
            found = next(t for t in (await parent.threads()).threads if t.subject == "Trip")
            assert found.teacher.id == chosen.id and found.student.id == week.child.id
            assert any(line.startswith("  Trip") for line in listed(screen))

    async def test_missing_fields_are_said_in_the_form(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            await messages(app, pilot)
            await pilot.press("n")
            modal = app.screen
            assert isinstance(modal, NewThreadModal)
            await settled(pilot)
            assert bool(modal.teachers)
            await pilot.press("ctrl+s")
            error = modal.query_one("#status", Static)
            assert str(error.render()) == "Write a subject."
            modal.query_one("#subject", Input).value = "Trip"
            await pilot.press("ctrl+s")
            assert str(error.render()) == "Write the message."
            await pilot.press("escape")
            assert isinstance(app.screen, MessagesScreen)

    async def test_offline_the_new_message_stays_in_the_form(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        switch = Switch(school())
        app = new_app(new_session(switch))
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            await messages(app, pilot)
            await pilot.press("n")
            modal = app.screen
            assert isinstance(modal, NewThreadModal)
            await settled(pilot)
            assert bool(modal.teachers)
            switch.off = True
            modal.query_one("#subject", Input).value = "Trip"
            modal.query_one("#body", ReplyBox).text = "May she go?"
            await pilot.click("#send")
            error = modal.query_one("#status", Static)
            await settled(pilot)
            assert str(error.render()) == (
                "Not sent: no connection to the server. What you wrote is kept here."
            )
            assert app.screen is modal
            assert modal.query_one("#body", ReplyBox).text == "May she go?"


class TestOffline:
    async def test_the_saved_copy_opens_without_the_server(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        switch = Switch(school())
        app = new_app(new_session(switch))
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            assert screen.thread is not None
            before = listed(screen)
            subject = screen.thread.subject if screen.thread else ""
        switch.off = True
        again = new_app(new_session(switch))
        async with again.run_test(size=SIZE) as pilot:
            assert isinstance(again.screen, WeekScreen)
            await pilot.press("m")
            screen = again.screen
            assert isinstance(screen, MessagesScreen)
            assert listed(screen) == before  # from the cache at once
            await settled(pilot)
            assert screen.query_one(Banner).display
            assert "No connection" in str(screen.query_one(Banner).render())
            await thread_shown(pilot, screen, subject)


class TestWhileOpen:
    async def test_a_new_message_appears_after_a_poll(
        self, start: Callable[..., EdiaryApp], teacher: DiaryClient, parent: DiaryClient
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            assert screen.thread is not None
            await pilot.press("a")  # away from the conversations, so nothing is read
            me = await parent.me()
            thread = next(t for t in (await teacher.threads()).threads if t.parent.id == me.id)
            await teacher.reply(thread.id, "One more thing")
            await app.follow_changes().wait()
            await settled(pilot)
            assert any(line.startswith("● " + thread.subject) for line in listed(screen))
            assert any(
                "Message from" in str(n.message) and thread.subject in str(n.message)
                for n in app._notifications
            )


class TestRussian:
    async def test_russian_words(self, start: Callable[..., EdiaryApp]) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            assert str(screen.query_one("#title", Static).render()) == "Сообщения"
            lines = listed(screen)
            assert any(line.startswith("Переписка") for line in lines)
            assert "Объявления" in lines and any("вся школа" in line for line in lines)
            await settled(pilot)
            assert screen.thread is not None
            descriptions = {key.description for key in app.keys_of(screen)}
            assert {"ответить", "написать", "назад"} <= descriptions

    async def test_russian_typed_fast_after_r_goes_into_the_reply_not_the_shortcuts(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """`r` and a Russian word in one burst: `с` (the child) and `т` (a new message) are
        letters of the reply once the box has the focus, not shortcuts of the list."""
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            child = screen.child
            for key in ["r", *"тест сейчас"]:  # all at once, as one read of the terminal
                char = " " if key == " " else key
                app.post_message(events.Key("space" if key == " " else key, char))
            await settled(pilot)
            assert app.screen is screen and screen.child == child
            assert isinstance(app.focused, ReplyBox)
            assert app.focused.text == "тест сейчас"


class TestNarrow:
    async def test_a_conversations_date_comes_first_so_a_long_name_is_cut_not_it(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            assert screen.threads is not None and screen.threads.threads
            first = listed(screen)[1].splitlines()
            assert re.fullmatch(r"  (\d\d:\d\d|\d\d? \w+) · \S.*", first[1]), first

    async def test_an_empty_list_says_its_hint_on_a_line_of_its_own(self) -> None:
        option = items.muted("No conversations yet: n writes to a teacher.")
        assert str(option.prompt).splitlines() == [
            "No conversations yet:",
            "n writes to a teacher.",
        ]

    async def test_the_top_bar_at_60_columns_does_not_overlap(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start(lang="ru")
        async with app.run_test(size=(60, 20)) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            switcher = screen.query_one("#children")
            assert switcher.region.right <= 60
            assert screen.query_one("#freshness").region.width == 0  # no room: not drawn over

    async def test_the_footer_keeps_help_after_the_terminal_narrows(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            await diary(app, pilot, "parent")
            screen = await messages(app, pilot)
            await settled(pilot)
            await pilot.resize_terminal(60, 20)
            await settled(pilot)
            keys = {key.key: key for key in screen.query_one(Footer).query(FooterKey)}
            assert keys["question_mark"].region.right <= keys["ctrl+p"].region.x
