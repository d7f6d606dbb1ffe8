"""The live journal: what another session writes appears without a key press, and a write
whose value changed elsewhere is refused, shown beside the server's and chosen by the teacher.

Against the real server in-process. "Another session" is a second app of the same
teacher with its own home (cache and outbox), or the teacher's own API client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from ediary_tui.client.api import DiaryClient
from ediary_tui.domain.models import LessonPatch, PeriodMarkIn
from ediary_tui.screens.journal import screen as journal_screen
from ediary_tui.screens.journal.conflict import ConflictModal
from ediary_tui.screens.journal.describe import initials
from ediary_tui.screens.journal.lesson import LessonForm
from ediary_tui.screens.journal.period_mark import PeriodMarkModal
from ediary_tui.screens.journal.screen import JournalScreen
from ediary_tui.widgets.journal_grid import JournalGrid
from tests.conftest import PINNED_TODAY

from .conftest import until
from .journal_fixtures import (
    Outage,
    all_sent,
    journal_app,
    journal_settled,
    loaded,
    logged_in,
    teacher_api,
)

SIZE = (80, 24)


class MarksDown(Outage):
    """The server, but new marks cannot reach it while `down` (the rest can): this
    session's marks stay unsent while it still hears the change feed."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down and request.method == "POST" and request.url.path.endswith("/marks"):
            raise httpx.ConnectError(
                "marks cannot get through (the test's outage)", request=request
            )
        return await self.inner.handle_async_request(request)


@pytest.fixture
async def api(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    client = await teacher_api(school())
    yield client
    await client.aclose()


@pytest.fixture
def quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    """No timer asks the feed in these tests: the journal is as the teacher last saw it."""
    monkeypatch.setattr(journal_screen, "LIVE_SECONDS", 3600.0)


def shown(screen: JournalScreen, student: str, lesson: str) -> str:
    """The cell as painted (asked of the screen: two apps run, `screen.app` is the last)."""
    return screen.query_one(JournalGrid).cell(student, lesson).plain  # type: ignore[arg-type]


def cursor(screen: JournalScreen) -> tuple[str, str]:
    key = screen.query_one("#grid").cursor_key  # type: ignore[attr-defined]
    assert key is not None
    return key


def two_empty_cells(screen: JournalScreen) -> tuple[str, str, str]:
    """Two students with nothing yet in a lesson already given (the demo fills many)."""
    state = screen.state
    assert state is not None
    for lesson in reversed(state.journal.lessons):
        if lesson.date > PINNED_TODAY:
            continue
        empty = [
            s.id
            for s in state.journal.students
            if not state.cell(s.id, lesson.id).marks and state.cell(s.id, lesson.id).code is None
        ]
        if len(empty) >= 2:
            return empty[0], empty[1], lesson.id
    raise AssertionError("no lesson with two empty cells")


async def server_topic(api: DiaryClient, screen: JournalScreen, lesson_id: str) -> str | None:
    assert screen.state is not None
    j = screen.state.journal
    fresh = await api.journal(j.class_id, j.subject.id, j.period.id)
    return next(le.topic for le in fresh.lessons if le.id == lesson_id)


def said(modal: ConflictModal, part: str) -> str:
    return str(modal.query_one(f"#conflict-{part}", Static).render())


async def asked(pilot: Pilot[Any]) -> ConflictModal:
    """Until the journal asks about a write refused as stale."""
    await journal_settled(pilot)
    modal = pilot.app.screen
    assert isinstance(modal, ConflictModal), modal
    return modal


class TestTwoJournals:
    async def test_a_mark_typed_in_one_appears_in_the_other_without_a_key_press(
        self,
        school: Callable[[], httpx.ASGITransport],
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        quiet: None,
    ) -> None:
        first = journal_app(await logged_in(Outage(school())))
        monkeypatch.setenv("EDIARY_HOME", str(tmp_path / "second"))  # its own cache and outbox
        second_server = MarksDown(school())
        second = journal_app(await logged_in(second_server))
        async with first.run_test(size=SIZE) as one, second.run_test(size=SIZE) as two:
            a, b = await loaded(one), await loaded(two)
            assert a.state is not None and b.state is not None
            assert (a.state.class_id, a.state.subject_id) == (b.state.class_id, b.state.subject_id)
            student, b_student, lesson = two_empty_cells(a)
            for pilot, screen in ((one, a), (two, b)):  # as the app does after a login
                screen.call_later(screen.follow_feed)
                await journal_settled(pilot)
            # The second session's own mark cannot be sent yet.
            second_server.down = True
            b.query_one(JournalGrid).move_to_key(b_student, lesson)
            await two.press("3")
            assert b.state.pending_count == 1
            a.query_one(JournalGrid).move_to_key(student, lesson)
            await one.press("5")
            await all_sent(one, a)
            assert shown(b, student, lesson) == ""
            b.call_later(b.follow_feed)  # what its timer does every LIVE_SECONDS: no key pressed
            await journal_settled(two)
            assert [m.value for m in b.state.cell(student, lesson).marks] == [5]
            assert shown(b, student, lesson) == "5"
            # Its own unsent mark is still there on top of the fresh copy, still unsent.
            cell = b.state.cell(b_student, lesson)
            assert [(m.value, m.state) for m in cell.marks] == [(3, "pending")]
            assert "3" in shown(b, b_student, lesson)
            # And the first hears of the second's mark once it is sent.
            second_server.down = False
            b.sender.retry_now()
            await all_sent(two, b)
            a.call_later(a.follow_feed)
            await journal_settled(one)
            assert [m.value for m in a.state.cell(b_student, lesson).marks] == [3]

    async def test_the_journal_asks_the_feed_while_open_and_stops_when_closed(
        self, school: Callable[[], httpx.ASGITransport], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(journal_screen, "LIVE_SECONDS", 0.05)
        outage = Outage(school())
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            follower = app.follower
            feed = "GET /api/v1/changes"
            asked_before = outage.requests.count(feed)
            await until(pilot, lambda: outage.requests.count(feed) >= asked_before + 2)
            assert len(follower._listeners) == 1
            await app.pop_screen()
            await journal_settled(pilot)
            assert follower._listeners == []  # closed: it hears nothing more
            assert not screen.is_attached


class TestStalePeriodMark:
    async def _refused(
        self, pilot: Pilot[Any], api: DiaryClient, theirs: int, mine: int
    ) -> tuple[JournalScreen, ConflictModal, str]:
        """This session's dialog still shows no mark while another session sets `theirs`;
        `mine` is refused (409) and the journal shows both."""
        screen = await loaded(pilot)
        assert screen.state is not None
        student = cursor(screen)[0]
        assert screen.state.summary(student).period_mark is None
        await pilot.press("P")
        assert isinstance(pilot.app.screen, PeriodMarkModal)
        j = screen.state.journal
        await api.set_period_mark(
            PeriodMarkIn(
                student_id=student, subject_id=j.subject.id, period_id=j.period.id, value=theirs
            )
        )
        await pilot.press(str(mine))
        return screen, await asked(pilot), student

    async def _server_mark(
        self, api: DiaryClient, screen: JournalScreen, student: str
    ) -> int | None:
        assert screen.state is not None
        j = screen.state.journal
        fresh = await api.journal(j.class_id, j.subject.id, j.period.id)
        return next(s.period_mark for s in fresh.students if s.id == student)

    async def test_refused_then_kept_mine_over_the_server_value(
        self, school: Callable[[], httpx.ASGITransport], api: DiaryClient, quiet: None
    ) -> None:
        app = journal_app(await logged_in(Outage(school())))
        async with app.run_test(size=SIZE) as pilot:
            screen, modal, student = await self._refused(pilot, api, theirs=5, mine=3)
            me = (await api.me()).full_name
            assert said(modal, "yours") == "Yours:           3"
            assert said(modal, "theirs") == (f"On the server:   5 · set by {initials(me)} at 18:00")
            assert await self._server_mark(api, screen, student) == 5  # nothing overwritten
            assert screen.state is not None and len(screen.state.conflicts()) == 1
            await pilot.press("m")
            assert app.screen is screen
            await all_sent(pilot, screen)
            assert await self._server_mark(api, screen, student) == 3
            assert screen.state.summary(student).period_mark == 3
            assert screen.state.conflicts() == [] and screen.sync.refused() == []

    async def test_refused_then_the_server_value_taken(
        self, school: Callable[[], httpx.ASGITransport], api: DiaryClient, quiet: None
    ) -> None:
        app = journal_app(await logged_in(Outage(school())))
        async with app.run_test(size=SIZE) as pilot:
            screen, _modal, student = await self._refused(pilot, api, theirs=5, mine=3)
            await pilot.press("ы")  # s on the Russian layout
            assert app.screen is screen
            await all_sent(pilot, screen)
            assert await self._server_mark(api, screen, student) == 5
            assert screen.state is not None
            assert screen.state.summary(student).period_mark == 5
            assert screen.state.conflicts() == [] and screen.sync.refused() == []
            assert screen.sync.pending() == []

    async def test_later_keeps_the_refused_entry_until_chosen(
        self, school: Callable[[], httpx.ASGITransport], api: DiaryClient, quiet: None
    ) -> None:
        app = journal_app(await logged_in(Outage(school())))
        async with app.run_test(size=SIZE) as pilot:
            screen, modal, student = await self._refused(pilot, api, theirs=5, mine=3)
            await pilot.press("escape")
            assert app.screen is screen
            [entry] = screen.sync.refused()  # nothing typed is lost
            assert entry.command.value == 3  # type: ignore[union-attr]
            await pilot.press("r")  # a fresh copy asks again
            modal = await asked(pilot)
            assert said(modal, "yours") == "Yours:           3"
            await pilot.press("m")
            await all_sent(pilot, screen)
            assert await self._server_mark(api, screen, student) == 3


class TestStaleTopic:
    async def _refused(
        self, pilot: Pilot[Any], api: DiaryClient
    ) -> tuple[JournalScreen, ConflictModal, str]:
        """This session's lesson form is open while another session sets the topic."""
        screen = await loaded(pilot)
        lesson_id = cursor(screen)[1]
        await pilot.press("h")
        form = pilot.app.screen
        assert isinstance(form, LessonForm)
        await api.update_lesson(lesson_id, LessonPatch(topic="Их тема"))
        form.query_one("#topic", Input).value = "Моя тема"
        await pilot.press("ctrl+s")
        return screen, await asked(pilot), lesson_id

    async def test_refused_shown_with_both_topics_then_mine_kept(
        self, school: Callable[[], httpx.ASGITransport], api: DiaryClient, quiet: None
    ) -> None:
        app = journal_app(await logged_in(Outage(school())))
        async with app.run_test(size=SIZE) as pilot:
            screen, modal, lesson_id = await self._refused(pilot, api)
            me = (await api.me()).full_name
            assert said(modal, "yours") == "Yours:           «Моя тема»"
            assert said(modal, "theirs") == (
                "On the server:   «Их тема» · changed at 18:00 — the lesson was changed since "
                f"you saw it: «Их тема» now, set by {me}"
            )
            assert await server_topic(api, screen, lesson_id) == "Их тема"
            await pilot.press("m")
            await all_sent(pilot, screen)
            assert await server_topic(api, screen, lesson_id) == "Моя тема"
            assert screen.state is not None
            assert screen.state.lesson(lesson_id).lesson.topic == "Моя тема"

    async def test_refused_then_the_server_topic_taken(
        self, school: Callable[[], httpx.ASGITransport], api: DiaryClient, quiet: None
    ) -> None:
        app = journal_app(await logged_in(Outage(school())))
        async with app.run_test(size=SIZE) as pilot:
            screen, _modal, lesson_id = await self._refused(pilot, api)
            await pilot.press("s")
            await all_sent(pilot, screen)
            assert await server_topic(api, screen, lesson_id) == "Их тема"
            assert screen.state is not None
            assert screen.state.lesson(lesson_id).lesson.topic == "Их тема"
            assert screen.sync.refused() == []
