"""The lesson from the journal: topic and homework, through the outbox like a mark.

Against the real server in-process; what it has is read back through the API
with the teacher's own token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Static, TextArea

from ediary_tui.client.api import DiaryClient
from ediary_tui.domain.models import Homework, HomeworkIn, JournalLesson
from ediary_tui.screens.journal.lesson import LessonForm
from ediary_tui.screens.journal.screen import JournalScreen
from ediary_tui.widgets.dialogs import ConfirmModal

from .conftest import new_session
from .journal_fixtures import (
    Outage,
    all_sent,
    journal_app,
    journal_settled,
    loaded,
    logged_in,
    teacher_api,
    told,
)

SIZE = (80, 24)


@pytest.fixture
def outage(school: Callable[[], httpx.ASGITransport]) -> Outage:
    return Outage(school())


@pytest.fixture
async def api(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    client = await teacher_api(school())
    yield client
    await client.aclose()


def details(screen: JournalScreen) -> str:
    return str(screen.query_one("#details", Static).render())


def lesson_at_cursor(screen: JournalScreen) -> JournalLesson:
    key = screen.query_one("#grid").cursor_key  # type: ignore[attr-defined]
    assert key is not None and screen.state is not None
    return screen.state.lessons[key[1]]


async def on_server(api: DiaryClient, screen: JournalScreen, lesson_id: str) -> JournalLesson:
    assert screen.state is not None
    j = screen.state.journal
    fresh = await api.journal(j.class_id, j.subject.id, j.period.id)
    return next(le for le in fresh.lessons if le.id == lesson_id)


async def open_form(pilot: Pilot[Any]) -> LessonForm:
    await pilot.press("h")
    form = pilot.app.screen
    assert isinstance(form, LessonForm)
    return form


def fill(form: LessonForm, *, topic: str | None = None, new_homework: str | None = None) -> None:
    if topic is not None:
        form.query_one("#topic", Input).value = topic
    if new_homework is not None:
        areas = list(form.query(TextArea))
        areas[-1].text = new_homework  # the last box is the new one


async def revise_removed_homework(
    pilot: Pilot[Any], screen: JournalScreen, api: DiaryClient, revised: str
) -> tuple[JournalLesson, Homework]:
    """Homework is added, revised in the form while someone else removes it: refused."""
    lesson = lesson_at_cursor(screen)
    hw = await api.add_homework(lesson.id, HomeworkIn(text="to be revised"))
    await pilot.press("r")
    await journal_settled(pilot)
    assert hw.id in [h.id for h in lesson_at_cursor(screen).homework]
    form = await open_form(pilot)
    area = next(a for a in form.query(TextArea) if a.text == "to be revised")
    area.text = revised
    await api.delete_homework(hw.id)  # someone else was quicker
    await pilot.press("ctrl+s")
    await all_sent(pilot, screen)
    assert "refused" in details(screen)
    return lesson, hw


class TestLessonForm:
    async def test_topic_and_homework_show_at_once_and_reach_the_server(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            lesson = lesson_at_cursor(screen)
            before = len(lesson.homework)
            form = await open_form(pilot)
            assert form.query_one("#topic", Input).value == (lesson.topic or "")
            fill(form, topic="Дроби: сложение", new_homework="№ 12, 14 на с. 40")
            form.query(Checkbox).last().value = False  # optional
            await pilot.press("ctrl+s")
            assert app.screen is screen
            line = details(screen)
            assert "topic: Дроби: сложение" in line and "HW: № 12, 14 на с. 40" in line
            await all_sent(pilot, screen)
            assert "not sent yet" not in details(screen)
            after = await on_server(api, screen, lesson.id)
            assert after.topic == "Дроби: сложение"
            assert len(after.homework) == before + 1
            new = after.homework[-1]
            assert new.text == "№ 12, 14 на с. 40" and new.required is False

    async def test_revising_and_removing_homework(self, outage: Outage, api: DiaryClient) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            lesson = lesson_at_cursor(screen)
            await api.add_homework(lesson.id, HomeworkIn(text="first"))
            await api.add_homework(lesson.id, HomeworkIn(text="second"))
            await pilot.press("r")
            await journal_settled(pilot)
            assert len(lesson_at_cursor(screen).homework) == len(lesson.homework) + 2
            form = await open_form(pilot)
            areas = list(form.query(TextArea))
            texts = [a.text for a in areas]
            areas[texts.index("first")].text = "first, revised"
            areas[texts.index("second")].text = ""  # emptied: removed
            await pilot.press("ctrl+s")
            await all_sent(pilot, screen)
            after = [h.text for h in (await on_server(api, screen, lesson.id)).homework]
            assert "first, revised" in after and "second" not in after and "first" not in after

    async def test_escape_with_nothing_typed_closes_and_with_text_asks(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            lesson = lesson_at_cursor(screen)
            await open_form(pilot)
            await pilot.press("escape")
            assert app.screen is screen
            form = await open_form(pilot)
            fill(form, topic="something typed")
            await pilot.press("escape")
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("n")  # stay: the text is still there
            assert app.screen is form
            assert form.query_one("#topic", Input).value == "something typed"
            await pilot.press("escape")
            await pilot.press("y")
            assert app.screen is screen
            assert screen.unsent == 0
            assert (await on_server(api, screen, lesson.id)).topic == lesson.topic

    async def test_with_the_server_away_kept_across_a_restart_and_sent_once(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        session = await logged_in(outage)
        app = journal_app(session)
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            lesson = lesson_at_cursor(screen)
            before = len(lesson.homework)
            outage.down = True
            form = await open_form(pilot)
            fill(form, topic="Тема без сети", new_homework="Выучить правило")
            await pilot.press("ctrl+s")
            assert app.screen is screen
            assert "lesson edits not sent yet" in details(screen)
            assert screen.unsent == 2
        # The app is gone; the next start, with the server back, sends both once.
        outage.down = False
        again = journal_app(new_session(outage))
        async with again.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            await all_sent(pilot, screen)
        after = await on_server(api, screen, lesson.id)
        assert after.topic == "Тема без сети"
        assert [h.text for h in after.homework].count("Выучить правило") == 1
        assert len(after.homework) == before + 1

    async def test_a_refused_edit_is_shown_and_typed_in_again(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            await revise_removed_homework(pilot, screen, api, "revised after someone removed it")
            assert "A lesson edit was refused" in details(screen)
            assert any("refused" in t for t in told(app))
            form = await open_form(pilot)
            texts = [a.text for a in form.query(TextArea)]
            assert "revised after someone removed it" in texts  # nothing lost
            states = [str(label.render()) for label in form.query(".state")]
            assert any("refused" in state for state in states)
            await pilot.press("escape")
            await pilot.press("y")  # seen and left: dismissed
            assert "refused" not in details(screen)
            assert screen.sync.refused() == []

    async def test_a_revision_of_homework_removed_elsewhere_comes_back_as_new(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            lesson, hw = await revise_removed_homework(
                pilot, screen, api, "revised, but it was removed"
            )
            await pilot.press("r")  # the server's lesson no longer has that homework
            await journal_settled(pilot)
            assert hw.id not in [h.id for h in lesson_at_cursor(screen).homework]
            form = await open_form(pilot)
            texts = [a.text for a in form.query(TextArea)]
            assert "revised, but it was removed" in texts  # still there to save
            await pilot.press("ctrl+s")
            await all_sent(pilot, screen)
            assert screen.sync.refused() == []
        after = [h.text for h in (await on_server(api, screen, lesson.id)).homework]
        assert after.count("revised, but it was removed") == 1
        assert "to be revised" not in after

    async def test_read_only_journal_does_not_open_the_form(self, outage: Outage) -> None:
        app = journal_app(await logged_in(outage))
        async with app.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            assert screen.state is not None
            screen.state.journal.can_write = False
            await pilot.press("h")
            assert app.screen is screen
            assert any("read" in t.lower() for t in told(app))
