"""What messages and what's new look like: SVG snapshots in snapshots/app/test_snapshots_messages/.

The demo school is built for the pinned date and the app's clock is pinned
to 18:00 Moscow time. Update with
`pytest tests/app/test_snapshots_messages.py --snapshot-update` and look at
every changed SVG before committing it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from ediary_tui.app import EdiaryApp
from ediary_tui.client.api import DiaryClient
from ediary_tui.domain.models import MarkIn
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.screens.messages.compose import NewThreadModal, ReplyBox
from ediary_tui.screens.messages.news import WhatsNewScreen
from ediary_tui.screens.messages.threads import MessagesScreen
from ediary_tui.screens.messages.to_family import FamilyThreadModal
from ediary_tui.widgets.week_grid import WeekView
from tests.conftest import PINNED_TODAY

from .conftest import (
    SERVER,
    LazySchool,
    Switch,
    log_in,
    new_app,
    new_session,
    settled,
    sixteen_colours,
    until,
)
from .journal_fixtures import journal_settled, loaded

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


def app_on(transport: httpx.AsyncBaseTransport, **kw: Any) -> EdiaryApp:
    return new_app(new_session(transport), **kw)


async def in_diary(pilot: Pilot[Any], login: str) -> WeekScreen:
    """Log in and wait for the week fresh from the server and the first poll of the feed."""
    app = pilot.app
    assert isinstance(app, EdiaryApp)
    await log_in(pilot, login, "demo")

    def ready() -> bool:
        screen = app.screen
        return (
            isinstance(screen, WeekScreen)
            and screen.week is not None
            and "18:00" in str(screen.query_one("#freshness", Static).render())
            and app.follower.unread_messages is not None
        )

    await settled(pilot)
    assert ready()
    assert isinstance(app.screen, WeekScreen)
    return app.screen


async def settle(pilot: Pilot[Any]) -> None:
    """Nothing left to answer, no toasts, no blinking cursor: the picture is the screen's alone."""
    await settled(pilot)
    pilot.app.clear_notifications()
    for box in pilot.app.screen.query(ReplyBox):
        box.cursor_blink = False
    await pilot.pause()


def messages_of(login: str, *then: str) -> RunBefore:
    """Log in as `login`, press m, wait for the conversation shown, then press `then`."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await in_diary(pilot, login)
        await pilot.press("m")

        def shown() -> bool:
            screen = app.screen
            return (
                isinstance(screen, MessagesScreen)
                and screen._fetched is not None
                and (screen.thread is not None or not screen.threads or not screen.threads.threads)
            )

        await settled(pilot)
        assert shown()
        if then:
            await pilot.press(*then)
        await settle(pilot)

    return run_before


class TestMessagesScreen:
    @pytest.mark.parametrize("size", SIZES)
    def test_parent(self, snap_compare: Any, school_copy: str, size: tuple[int, int]) -> None:
        """A parent of two: the conversation with the maths teacher read, the announcements."""
        assert snap_compare(
            app_on(LazySchool(school_copy)),
            terminal_size=size,
            run_before=messages_of("parent"),
        )

    def test_an_announcement(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(
            app_on(LazySchool(school_copy)),
            terminal_size=(80, 24),
            run_before=messages_of("parent", "a"),
        )

    def test_student(self, snap_compare: Any, school_copy: str) -> None:
        """A student: no conversations of their own, the school's and the class's news."""
        assert snap_compare(
            app_on(LazySchool(school_copy)),
            terminal_size=(80, 24),
            run_before=messages_of("student"),
        )

    def test_parent_in_russian(self, snap_compare: Any, school_copy: str) -> None:
        assert snap_compare(
            app_on(LazySchool(school_copy), lang="ru"),
            terminal_size=(80, 24),
            run_before=messages_of("parent"),
        )

    def test_a_reply_not_sent_offline(self, snap_compare: Any, school_copy: str) -> None:
        """The banner, the text kept in the box and why it was not sent."""
        switch = Switch(LazySchool(school_copy))

        async def run_before(pilot: Pilot[Any]) -> None:
            await messages_of("parent")(pilot)
            switch.off = True
            await pilot.press("r", *"Thank you", "enter")
            screen = pilot.app.screen
            await settle(pilot)
            assert str(screen.query_one("#reply-status").render()) == (
                "Not sent: no connection to the server. Your text is kept here; Enter tries again."
            )

        assert snap_compare(app_on(switch), terminal_size=(80, 24), run_before=run_before)


class TestNewThread:
    @pytest.mark.parametrize("size", SIZES)
    def test_writing_to_a_teacher(
        self, snap_compare: Any, school_copy: str, size: tuple[int, int]
    ) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await messages_of("parent", "n")(pilot)
            modal = pilot.app.screen
            assert isinstance(modal, NewThreadModal)
            await settled(pilot)
            assert modal.query_one("#teachers", OptionList).option_count > 0
            await pilot.press("down", "down", "tab", *"Trip", "enter", *"May she go")
            await settle(pilot)

        assert snap_compare(
            app_on(LazySchool(school_copy)), terminal_size=size, run_before=run_before
        )


class TestWhatsNew:
    @pytest.mark.parametrize("size", SIZES)
    def test_a_new_mark_and_a_message(
        self, snap_compare: Any, school_copy: str, size: tuple[int, int]
    ) -> None:
        """The teacher writes a mark and a message; after a poll the list has both, new."""
        school = LazySchool(school_copy)

        async def run_before(pilot: Pilot[Any]) -> None:
            app = pilot.app
            assert isinstance(app, EdiaryApp)
            week = await in_diary(pilot, "parent")
            assert week.child is not None
            async with DiaryClient(SERVER, transport=LazySchool(school_copy)) as teacher:
                me = (await teacher.login("teacher", "demo")).user
                diary = await teacher.week(week.child.id, PINNED_TODAY)
                lesson = [
                    lesson
                    for day in diary.days
                    if day.date <= PINNED_TODAY
                    for lesson in day.lessons
                    if lesson.teacher.id == me.id
                ][-1]
                await teacher.create_mark(
                    MarkIn(student_id=week.child.id, lesson_id=lesson.id, value=5)
                )
                thread = next(
                    t for t in (await teacher.threads()).threads if t.parent.id == week.user.id
                )
                await teacher.reply(thread.id, "Thursday after the sixth lesson.")
            await app.follow_changes().wait()
            await pilot.press("w")
            await settle(pilot)
            assert isinstance(app.screen, WhatsNewScreen)

        assert snap_compare(app_on(school), terminal_size=size, run_before=run_before)

    def test_the_diarys_footer_counts_what_is_new(
        self, snap_compare: Any, school_copy: str
    ) -> None:
        """A student back in the diary with a new mark unseen: "w news 1" in the footer."""
        school = LazySchool(school_copy)

        async def run_before(pilot: Pilot[Any]) -> None:
            app = pilot.app
            assert isinstance(app, EdiaryApp)
            week = await in_diary(pilot, "student")
            async with DiaryClient(SERVER, transport=LazySchool(school_copy)) as teacher:
                me = (await teacher.login("teacher", "demo")).user
                diary = await teacher.week(week.user.id, PINNED_TODAY)
                lesson = [
                    lesson
                    for day in diary.days
                    if day.date <= PINNED_TODAY
                    for lesson in day.lessons
                    if lesson.teacher.id == me.id
                ][-1]
                await teacher.create_mark(
                    MarkIn(student_id=week.user.id, lesson_id=lesson.id, value=4)
                )
            await app.follow_changes().wait()
            await settle(pilot)
            assert week.query_one(WeekView).new

        assert snap_compare(app_on(school), terminal_size=(80, 24), run_before=run_before)


# --- the teacher's messages (M from the journal), also at 16 colours --------------------------


def teachers_messages(*then: str, colours: int | None = None) -> RunBefore:
    """The teacher on the journal presses M; the newest conversation is read; then `then`."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, EdiaryApp)
        await log_in(pilot, "teacher", "demo")
        await loaded(pilot)
        await until(pilot, lambda: app.follower.unread_messages is not None)
        await pilot.press("M")
        screen = app.screen
        assert isinstance(screen, MessagesScreen)
        await until(pilot, lambda: screen._fetched is not None and screen.thread is not None)
        await journal_settled(pilot)
        if then:
            await pilot.press(*then)
            await journal_settled(pilot)
        app.clear_notifications()
        for box in app.screen.query(ReplyBox):
            box.cursor_blink = False
        if colours == 16:
            sixteen_colours(app)
        await pilot.pause()

    return run_before


class TestTheTeachersMessages:
    @pytest.mark.parametrize("size", SIZES)
    def test_teacher(self, snap_compare: Any, school_copy: str, size: tuple[int, int]) -> None:
        """The teacher's conversations with families, the newest read, the reply box."""
        assert snap_compare(
            app_on(LazySchool(school_copy)), terminal_size=size, run_before=teachers_messages()
        )

    def test_teacher_at_16_colours(
        self, snap_compare: Any, school_copy: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("TERM", "xterm")
        monkeypatch.delenv("COLORTERM", raising=False)
        app = app_on(LazySchool(school_copy))
        assert app.console.color_system == "standard"
        assert snap_compare(app, terminal_size=(80, 24), run_before=teachers_messages(colours=16))

    def test_writing_to_a_student_or_a_family(self, snap_compare: Any, school_copy: str) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await teachers_messages("n")(pilot)
            modal = pilot.app.screen
            assert isinstance(modal, FamilyThreadModal) and modal.people
            await pilot.press("down", "enter", *"Olympiad", "enter", *"Will you take part")
            await journal_settled(pilot)
            for box in modal.query(ReplyBox):
                box.cursor_blink = False
            await pilot.pause()

        assert snap_compare(
            app_on(LazySchool(school_copy)), terminal_size=(80, 24), run_before=run_before
        )
