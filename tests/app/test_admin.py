"""The admin's screens, driven as the school's administrator uses them over SSH.

The admin logs in (landing on the journal, as all staff do), presses `A` and is
on the people screen; every test reads back through the API what the screens
did, as the person concerned would meet it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select, Static

from ediary_tui.app import EdiaryApp
from ediary_tui.screens.admin.classes import ClassesScreen, ClassScreen
from ediary_tui.screens.admin.day_changes import ChangeWindow, DayChangesScreen
from ediary_tui.screens.admin.people import PeopleScreen
from ediary_tui.screens.admin.person import PersonScreen
from ediary_tui.screens.admin.windows import (
    LinkChildWindow,
    NewPersonWindow,
    PasswordWindow,
    SlotWindow,
)
from ediary_tui.server import schema as s
from ediary_tui.widgets.dialogs import ConfirmModal
from tests.conftest import PINNED_TODAY, login
from tests.server.test_week import classmate, scalar, user_id

from .journal_fixtures import journal_settled, loaded
from .test_login import log_in

SIZE = (80, 24)
API = "/api/v1"


async def admin_screen(app: EdiaryApp, pilot: Pilot[Any], who: str = "admin") -> PeopleScreen:
    """Logged in as the admin, on the journal, then `A`: the people screen."""
    await log_in(pilot, who, "demo")
    await loaded(pilot)
    await pilot.press("A")
    await journal_settled(pilot)
    assert isinstance(app.screen, PeopleScreen)
    return app.screen


async def search(pilot: Pilot[Any], text: str) -> PeopleScreen:
    screen = pilot.app.screen
    assert isinstance(screen, PeopleScreen)
    await pilot.press("slash", *text)
    await journal_settled(pilot)
    return screen


async def open_card(app: EdiaryApp, pilot: Pilot[Any], login_name: str) -> PersonScreen:
    """Search for the login, and Enter on its line."""
    screen = await search(pilot, login_name)
    assert screen.found is not None
    logins = [p.login for p in screen.found.people]
    assert login_name in logins, logins
    await pilot.press("enter")  # to the list
    screen.query_one("#hits", OptionList).highlighted = logins.index(login_name)
    await pilot.press("enter")
    await journal_settled(pilot)
    card = app.screen
    assert isinstance(card, PersonScreen) and card.card is not None
    assert card.card.login == login_name
    return card


def status(screen: Any) -> str:
    return str(screen.query_one("#status", Static).render())


class TestReachingTheScreens:
    async def test_only_the_admin_has_the_key(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "teacher", "demo")
            await loaded(pilot)
            assert app.check_action("admin", ()) is False
            await pilot.press("A")
            await journal_settled(pilot)
            assert not isinstance(app.screen, PeopleScreen)

    async def test_the_admin_reaches_people_and_escape_goes_back_to_the_journal(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "admin", "demo")
            await loaded(pilot)
            assert "administration" in {k.description for k in app.keys_of(app.screen)}
            await pilot.press("A")
            await journal_settled(pilot)
            screen = app.screen
            assert isinstance(screen, PeopleScreen)
            assert app.check_action("admin", ()) is False  # not twice
            assert screen.focused is screen.query_one("#query")
            await pilot.press("escape")
            assert not isinstance(app.screen, PeopleScreen)


class TestPeople:
    async def test_typing_finds_people_and_enter_opens_a_card(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await admin_screen(app, pilot)
            card = await open_card(app, pilot, "parent")
            assert card.card is not None and len(card.card.children) == 2
            text = str(card.query_one("#card", Static).render())
            assert "has chosen their own password" in text
            assert card.query_one("#relatives", OptionList).option_count == 2

    async def test_one_letter_is_not_a_search(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await admin_screen(app, pilot)
            screen = await search(pilot, "p")
            assert screen.found is None
            assert "at least 2 letters" in status(screen)

    async def test_a_new_student_gets_a_one_time_password_shown_once(
        self, start: Callable[..., EdiaryApp], api: httpx.AsyncClient
    ) -> None:
        app = start()
        async with app.run_test(size=(100, 40)) as pilot:
            await admin_screen(app, pilot)
            await pilot.press("ctrl+n")
            await journal_settled(pilot)
            form = app.screen
            assert isinstance(form, NewPersonWindow)
            form.query_one("#full_name", Input).value = "Новикова Алиса Петровна"
            seventh = next(c for c in form.class_list if c.name == "7А")
            form.query_one("#class", Select).value = seventh.id
            await pilot.press("ctrl+s")
            await journal_settled(pilot)
            shown = app.screen
            assert isinstance(shown, PasswordWindow)
            issued = shown.issued
            assert issued.password in str(shown.query_one("#secret", Static).render())
            await pilot.press("escape")
            await journal_settled(pilot)
            card = app.screen
            assert isinstance(card, PersonScreen) and card.card is not None
            assert card.card.class_name == "7А" and card.card.activated is False
        r = await api.post(
            f"{API}/auth/login", json={"login": issued.login, "password": issued.password}
        )
        assert r.status_code == 200 and r.json()["must_change_password"] is True

    async def test_a_student_needs_a_class_before_anything_is_sent(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(100, 40)) as pilot:
            await admin_screen(app, pilot)
            await pilot.press("ctrl+n")
            await journal_settled(pilot)
            form = app.screen
            assert isinstance(form, NewPersonWindow)
            form.query_one("#full_name", Input).value = "Без Класса Иванович"
            await pilot.press("ctrl+s")
            await journal_settled(pilot)
            assert app.screen is form
            assert "Choose a class" in str(form.query_one("#form-status", Static).render())

    async def test_a_parent_is_linked_to_a_child_and_unlinked(
        self, start: Callable[..., EdiaryApp], api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        admin = await login(api, "admin")
        made = (
            await api.post(
                f"{API}/admin/people",
                json={"full_name": "Опекунова Мария Ивановна", "role": "parent"},
                headers=admin,
            )
        ).json()
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await admin_screen(app, pilot)
            card = await open_card(app, pilot, made["login"])
            await pilot.press("l")
            await journal_settled(pilot)
            window = app.screen
            assert isinstance(window, LinkChildWindow)
            await pilot.press(*"student")
            await journal_settled(pilot)
            assert "student" in {p.login for p in window.found.values()}
            picks = window.query_one("#picks", OptionList)
            ids = [picks.get_option_at_index(i).id for i in range(picks.option_count)]
            picks.highlighted = ids.index(await user_id(engine, "student"))
            picks.focus()
            await pilot.press("enter")
            await journal_settled(pilot)
            assert app.screen is card and card.card is not None
            assert [c.login for c in card.card.children] == ["student"]
            await pilot.press("x")
            await journal_settled(pilot)
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("y")
            await journal_settled(pilot)
            assert card.card.children == []
        g = s.guardians
        left = await scalar(
            engine, sa.select(sa.func.count()).where(g.c.parent_id == int(made["user_id"]))
        )
        assert left == 0


class TestPasswordsAndLocks:
    async def test_a_reset_asks_first_and_shows_the_new_password_once(
        self, start: Callable[..., EdiaryApp], api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        mate = await classmate(engine, await user_id(engine, "student"))
        mate_login = await scalar(
            engine, sa.select(s.users.c.login).where(s.users.c.id == int(mate))
        )
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await admin_screen(app, pilot)
            await open_card(app, pilot, mate_login)
            await pilot.press("r")
            await journal_settled(pilot)
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("n")  # no: nothing happens
            await journal_settled(pilot)
            assert isinstance(app.screen, PersonScreen)
            still = await api.post(
                f"{API}/auth/login", json={"login": mate_login, "password": "demo"}
            )
            assert still.status_code == 200
            await pilot.press("r")
            await journal_settled(pilot)
            await pilot.press("y")
            await journal_settled(pilot)
            shown = app.screen
            assert isinstance(shown, PasswordWindow)
            password = shown.issued.password
            await pilot.press("escape")
            await journal_settled(pilot)
            card = app.screen
            assert isinstance(card, PersonScreen) and card.card is not None
            assert card.card.activated is False
        old = await api.post(f"{API}/auth/login", json={"login": mate_login, "password": "demo"})
        assert old.status_code == 401
        new = await api.post(f"{API}/auth/login", json={"login": mate_login, "password": password})
        assert new.status_code == 200

    async def test_unlock_lifts_the_wait_after_failed_logins(
        self, start: Callable[..., EdiaryApp], api: httpx.AsyncClient
    ) -> None:
        for _ in range(6):
            await api.post(f"{API}/auth/login", json={"login": "student", "password": "wrong"})
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await admin_screen(app, pilot)
            card = await open_card(app, pilot, "student")
            assert card.card is not None and card.card.locked_until is not None
            assert "refused until" in str(card.query_one("#card", Static).render())
            await pilot.press("u")
            await journal_settled(pilot)
            assert card.card.locked_until is None
            assert "lifted" in status(card)
        ok = await api.post(f"{API}/auth/login", json={"login": "student", "password": "demo"})
        assert ok.status_code == 200


class TestClasses:
    async def test_a_class_lists_its_students_with_their_parents_and_its_week(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await admin_screen(app, pilot)
            await pilot.press("f2")
            await journal_settled(pilot)
            classes = app.screen
            assert isinstance(classes, ClassesScreen)
            listing = classes.query_one("#classes", OptionList)
            names = [
                str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)
            ]
            listing.highlighted = next(i for i, n in enumerate(names) if n.startswith("7А"))
            await pilot.press("enter")
            await journal_settled(pilot)
            klass = app.screen
            assert isinstance(klass, ClassScreen) and klass.members is not None
            assert klass.members.klass.name == "7А" and len(klass.members.families) == 8
            parents = sum(len(f.parents) for f in klass.members.families)
            assert klass.query_one("#members", OptionList).option_count == 8 + parents
            await pilot.press("t")
            await journal_settled(pilot)
            assert klass.week is not None and klass.week.slots
            grid = str(klass.query_one("#timetable", Static).render())
            assert klass.week.slots[0].subject.name[:11] in grid

    async def test_the_class_teacher_is_set_from_a_list(
        self, start: Callable[..., EdiaryApp], api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await admin_screen(app, pilot)
            await pilot.press("f2")
            await journal_settled(pilot)
            await pilot.press("enter")  # the first class
            await journal_settled(pilot)
            klass = app.screen
            assert isinstance(klass, ClassScreen) and klass.members is not None
            await pilot.press("c")
            await journal_settled(pilot)
            picker = app.screen
            picks = picker.query_one("#picks", OptionList)
            picks.highlighted = 0  # (nobody)
            await pilot.press("enter")
            await journal_settled(pilot)
            assert app.screen is klass and klass.members.klass.class_teacher is None
        c = s.classes
        lead = await scalar(
            engine, sa.select(c.c.class_teacher_id).where(c.c.id == int(klass.class_id))
        )
        assert lead is None


class TestEditingTheWeek:
    async def test_a_lesson_of_the_week_moves_to_another_room(
        self, start: Callable[..., EdiaryApp], engine: AsyncEngine
    ) -> None:
        app = start()
        async with app.run_test(size=(100, 40)) as pilot:
            await admin_screen(app, pilot)
            await pilot.press("f2")
            await journal_settled(pilot)
            await pilot.press("enter", "t")
            await journal_settled(pilot)
            klass = app.screen
            assert isinstance(klass, ClassScreen) and klass.week is not None
            first = klass.week.slots[0]
            await pilot.press("e")
            await journal_settled(pilot)
            window = app.screen
            assert isinstance(window, SlotWindow)
            window.query_one("#number", Input).value = str(first.number)
            await pilot.pause()
            assert window.query_one("#subject", Select).value == first.subject.id
            window.query_one("#room", Input).value = "Актовый зал"
            await pilot.press("ctrl+s")
            await journal_settled(pilot)
            assert app.screen is klass and klass.week.slots[0].room == "Актовый зал"
        tt = s.timetable
        room = await scalar(
            engine,
            sa.select(tt.c.room).where(
                tt.c.class_id == int(klass.class_id),
                tt.c.weekday == first.weekday,
                tt.c.number == first.number,
            ),
        )
        assert room == "Актовый зал"


class TestTheDaysChanges:
    async def test_the_days_changed_lessons_and_the_next_day(
        self, start: Callable[..., EdiaryApp], api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        le, st = s.lessons, s.students
        student = int(await user_id(engine, "student"))
        class_id = await scalar(engine, sa.select(st.c.class_id).where(st.c.user_id == student))
        day = await scalar(
            engine,
            sa.select(sa.func.min(le.c.date)).where(
                le.c.class_id == class_id, le.c.date > PINNED_TODAY
            ),
        )
        r = await api.post(
            f"{API}/admin/timetable/changes",
            json={
                "class_id": str(class_id),
                "date": day.isoformat(),
                "number": 1,
                "kind": "cancel",
                "note": "экскурсия",
            },
            headers=await login(api, "admin"),
        )
        assert r.status_code == 201, r.text
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await admin_screen(app, pilot)
            await pilot.press("f3")
            await journal_settled(pilot)
            changes = app.screen
            assert isinstance(changes, DayChangesScreen)
            assert changes.day == PINNED_TODAY and changes.found is not None
            assert changes.found.changes == []
            for _ in range((day - PINNED_TODAY).days):
                await pilot.press("right_square_bracket")
            await journal_settled(pilot)
            assert changes.found is not None and changes.day == day
            (change,) = changes.found.changes
            assert (change.class_name, change.number, change.kind) == ("7А", 1, "cancelled")
            listing = changes.query_one("#changes", OptionList)
            assert "cancelled" in str(listing.get_option_at_index(0).prompt)
            await pilot.press("r")  # back as planned
            await journal_settled(pilot)
            assert changes.found.changes == []


@pytest.mark.parametrize("lang", ["ru"])
async def test_the_people_screen_speaks_russian(start: Callable[..., EdiaryApp], lang: str) -> None:
    app = start(lang=lang)
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await admin_screen(app, pilot)
        assert "Введите хотя бы 2 буквы" in status(screen)


class TestChangingALesson:
    async def test_a_lesson_cancelled_from_the_window_is_in_the_days_list(
        self, start: Callable[..., EdiaryApp], engine: AsyncEngine
    ) -> None:
        le, st = s.lessons, s.students
        student = int(await user_id(engine, "student"))
        class_id = await scalar(engine, sa.select(st.c.class_id).where(st.c.user_id == student))
        day = await scalar(
            engine,
            sa.select(sa.func.min(le.c.date)).where(
                le.c.class_id == class_id, le.c.date > PINNED_TODAY
            ),
        )
        app = start()
        async with app.run_test(size=(100, 40)) as pilot:
            await admin_screen(app, pilot)
            await pilot.press("f3")
            await journal_settled(pilot)
            changes = app.screen
            assert isinstance(changes, DayChangesScreen)
            for _ in range((day - PINNED_TODAY).days):
                await pilot.press("right_square_bracket")
            await journal_settled(pilot)
            await pilot.press("n")
            await journal_settled(pilot)
            window = app.screen
            assert isinstance(window, ChangeWindow)
            window.query_one("#class", Select).value = str(class_id)
            window.query_one("#number", Input).value = "1"
            window.query_one("#kind", Select).value = "cancel"
            window.query_one("#note", Input).value = "экскурсия"
            await pilot.press("ctrl+s")
            await journal_settled(pilot)
            assert app.screen is changes and changes.found is not None
            (change,) = changes.found.changes
            assert (change.number, change.kind, change.note) == (1, "cancelled", "экскурсия")
        cancelled = await scalar(
            engine,
            sa.select(le.c.change).where(
                le.c.class_id == class_id, le.c.date == day, le.c.number == 1
            ),
        )
        assert cancelled == "cancelled"

    async def test_a_move_without_where_to_is_said_in_the_window(
        self, start: Callable[..., EdiaryApp], engine: AsyncEngine
    ) -> None:
        app = start()
        async with app.run_test(size=(100, 40)) as pilot:
            await admin_screen(app, pilot)
            await pilot.press("f3")
            await journal_settled(pilot)
            await pilot.press("n")
            await journal_settled(pilot)
            window = app.screen
            assert isinstance(window, ChangeWindow)
            window.query_one("#class", Select).value = window.class_list[0].id
            window.query_one("#number", Input).value = "2"
            window.query_one("#kind", Select).value = "move"
            await pilot.pause()
            assert window.query_one("#to").display
            await pilot.press("ctrl+s")
            await journal_settled(pilot)
            assert app.screen is window
            assert "where it moves" in str(window.query_one("#form-status", Static).render())


@pytest.mark.parametrize(
    ("lang", "relation", "shown"),
    [
        ("ru", "mother", "мать"),
        ("ru", "legal representative", "законный представитель"),
        ("en", "father", "father"),
        ("ru", "тётя", "тётя"),  # a relation the imports do not know: as written
    ],
)
def test_a_links_relation_reads_in_the_admins_language(
    lang: str, relation: str, shown: str
) -> None:
    from ediary_tui.i18n import current_language, set_language
    from ediary_tui.screens.admin.person import relation_word

    before = current_language()
    set_language(lang)
    try:
        assert relation_word(relation) == shown
    finally:
        set_language(before)
