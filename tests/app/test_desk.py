"""The class teacher's desk (d from the journal): a behaviour note the family reads with its
author and date, and a parent meeting the class's families see and others do not.

The teacher's side runs in the journal app, the families' in the app as a parent starts
it (the login screen, then the week), against the same school in-process. The demo
`teacher` leads 7А, where the `parent`'s older child is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static, TextArea

from ediary_tui.app import EdiaryApp
from ediary_tui.client.api import DiaryClient
from ediary_tui.screens.classes.desk import DeskScreen
from ediary_tui.screens.classes.desk_forms import MeetingModal, NoteModal
from ediary_tui.server import schema as s
from ediary_tui.widgets.week_grid import BehaviourNote
from tests.server.test_journal import class_id

from .conftest import SERVER, diary
from .journal_fixtures import Outage, journal_app, journal_settled, loaded, logged_in
from .test_login import until

SIZE = (80, 24)


@pytest.fixture
def outage(school: Callable[[], httpx.ASGITransport]) -> Outage:
    return Outage(school())


@pytest.fixture
async def teacher(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    client = DiaryClient(SERVER, transport=school(), retries=0)
    await client.login("teacher", "demo")
    yield client
    await client.aclose()


@pytest.fixture
async def older_child(school: Callable[[], httpx.ASGITransport]) -> str:
    """The `parent`'s child in 7А (the first of their children)."""
    client = DiaryClient(SERVER, transport=school(), retries=0)
    result = await client.login("parent", "demo")
    await client.aclose()
    return result.user.children[0].id


async def other_class_parent(engine: AsyncEngine) -> str:
    """The login of a parent with no child in 7А."""
    g, st, u = s.guardians, s.students, s.users
    c7a = int(await class_id(engine, "7А"))
    in_7a = sa.select(g.c.parent_id).join(st, st.c.user_id == g.c.student_id)
    async with engine.connect() as conn:
        found = (
            await conn.execute(
                sa.select(u.c.login)
                .join(g, g.c.parent_id == u.c.id)
                .where(u.c.id.not_in(in_7a.where(st.c.class_id == c7a)))
                .order_by(u.c.id)
                .limit(1)
            )
        ).scalar()
    assert found is not None
    return found


async def desk(pilot: Pilot[Any]) -> DeskScreen:
    """d pressed on the journal, and the class's week shown."""
    await loaded(pilot)
    await pilot.press("d")
    await journal_settled(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, DeskScreen)
    await until(pilot, lambda: screen.desk is not None)
    return screen


def lines(screen: DeskScreen) -> list[str]:
    listing = screen.query_one("#desk", OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def highlight(pilot: Pilot[Any], screen: DeskScreen, option_id: str) -> None:
    listing = screen.query_one("#desk", OptionList)
    listing.highlighted = listing.get_option_index(option_id)
    listing.focus()
    await pilot.pause()


class TestBehaviourNote:
    async def test_the_class_teacher_writes_it_and_the_parents_week_shows_author_and_date(
        self,
        outage: Outage,
        start: Callable[..., EdiaryApp],
        teacher: DiaryClient,
        older_child: str,
    ) -> None:
        me = await teacher.me()
        session = await logged_in(outage)
        app = journal_app(session)
        async with app.run_test(size=SIZE) as pilot:
            screen = await desk(pilot)
            await highlight(pilot, screen, f"student:{older_child}")
            await pilot.press("enter")
            await journal_settled(pilot)
            assert isinstance(app.screen, NoteModal)
            assert app.screen.query_one("#body", TextArea).text == "Замечаний нет. Молодец!"
            # Typing never fires the desk's keys (n, x, e; в is d on a Russian layout).
            await pilot.press(*" Форму забыл, nxeв")
            note = "Замечаний нет. Молодец! Форму забыл, nxeв"
            assert app.screen.query_one("#body", TextArea).text == note
            await pilot.press("ctrl+s")
            await journal_settled(pilot)
            assert app.screen is screen
            row = next(x for x in lines(screen) if "Молодец" in x)
            assert row.endswith(f"· {note}")
            summary = str(screen.query_one("#summary", Static).render())
            assert summary == "Signed by parents: 0 of 8 · notes written: 8"

        week = await teacher.week(older_child, pilot.app.today)  # type: ignore[attr-defined]
        assert week.behaviour_note_by is not None and week.behaviour_note_by.id == me.id

        await session.logout()  # the family starts the app on this computer next
        family = start()
        async with family.run_test(size=SIZE) as pilot:
            screen = await diary(family, pilot, "parent")
            said = str(screen.query_one("#note", BehaviourNote).render())  # above the days, in view
            assert said == f"▌ Behaviour: {note}\n▌ — {me.full_name}, 25 November"  # 2 lines at 80


class TestParentMeeting:
    async def fill(self, pilot: Pilot[Any], **fields: str) -> None:
        screen = pilot.app.screen
        for name, value in fields.items():
            if name == "body":
                screen.query_one("#body", TextArea).text = value
            else:
                screen.query_one(f"#{name}", Input).value = value
        await pilot.pause()

    async def test_a_meeting_is_seen_by_the_class_parent_and_not_by_another_class_parent(
        self, outage: Outage, start: Callable[..., EdiaryApp], engine: AsyncEngine
    ) -> None:
        session = await logged_in(outage)
        app = journal_app(session)
        async with app.run_test(size=SIZE) as pilot:
            screen = await desk(pilot)
            await pilot.press("n")
            await journal_settled(pilot)
            assert isinstance(app.screen, MeetingModal)
            await self.fill(
                pilot, date="3.12.2026", time="18:30", place="Кабинет 214", body="Итоги четверти"
            )
            await pilot.press("ctrl+s")
            await journal_settled(pilot)
            assert app.screen is screen
            meeting = next(x for x in lines(screen) if "Кабинет 214" in x)
            assert meeting.split("  ") == ["", "3 December, 18:30", "Кабинет 214", "Итоги четверти"]

        await session.logout()  # the family starts the app on this computer next
        family = start()
        async with family.run_test(size=SIZE) as pilot:
            week = await diary(family, pilot, "parent")
            line = week.query_one("#meetings", Static)
            assert line.display
            assert str(line.render()) == (
                "Parent meeting 3 December, 18:30, Кабинет 214: Итоги четверти"
            )
            await family.session.logout()

        stranger = start()
        async with stranger.run_test(size=SIZE) as pilot:
            week = await diary(stranger, pilot, await other_class_parent(engine))
            assert not week.query_one("#meetings", Static).display

    async def test_a_bad_time_is_said_under_it_and_what_was_typed_stays(
        self, outage: Outage, engine: AsyncEngine
    ) -> None:
        session = await logged_in(outage)
        app = journal_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await desk(pilot)
            await pilot.press("n")
            await journal_settled(pilot)
            await self.fill(pilot, date="3.12", time="25:00", place="Зал", body="Повестка")
            await pilot.press("ctrl+s")
            await journal_settled(pilot)
            modal = app.screen
            assert isinstance(modal, MeetingModal)
            assert str(modal.query_one("#error-time", Static).render()) == (
                "Give the time as 18:00."
            )
            assert [modal.query_one(f"#{f}", Input).value for f in ("date", "time", "place")] == [
                "3.12",
                "25:00",
                "Зал",
            ]
            assert modal.query_one("#body", TextArea).text == "Повестка"
        async with engine.connect() as conn:
            count = await conn.execute(sa.select(sa.func.count()).select_from(s.parent_meetings))
            assert count.scalar() == 0

    async def test_a_meeting_in_the_past_is_refused_under_the_day(self, outage: Outage) -> None:
        session = await logged_in(outage)
        app = journal_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await desk(pilot)
            await pilot.press("n")
            await journal_settled(pilot)
            await self.fill(pilot, date="20.11.2026", time="18:00", place="Зал", body="Повестка")
            await pilot.press("ctrl+s")
            await journal_settled(pilot)
            modal = app.screen
            assert isinstance(modal, MeetingModal)
            error = modal.query_one("#error-date", Static)
            assert error.display and "time to come" in str(error.render())


class TestTheDeskKey:
    async def test_the_palette_offers_the_desk_to_the_class_teacher(self, outage: Outage) -> None:
        session = await logged_in(outage)
        app = journal_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await loaded(pilot)
            commands = [c.title for c in app.get_system_commands(app.screen)]
            assert "class teacher's desk" in commands
