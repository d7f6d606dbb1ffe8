"""Logging in, the first-login password change, a remembered login, logging out.

Every test drives the app with a Pilot against the real server in-process, as
a person at an 80x24 terminal would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from ediary_tui.app import EdiaryApp
from ediary_tui.client.credentials import CredentialStore
from ediary_tui.domain.models import Role
from ediary_tui.screens.account.login import LoginScreen
from ediary_tui.screens.account.password import PasswordScreen
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.server import admin
from ediary_tui.widgets.banner import Banner
from tests.conftest import FakeClock

from .conftest import (
    SERVER,
    closed_port,
    in_diary,
    log_in,
    new_app,
    new_session,
    settled,
    until,
)

SIZE = (80, 24)


async def change_password(pilot: Pilot[Any], old: str, new: str, repeat: str) -> None:
    screen = pilot.app.screen
    for field, value in (("old", old), ("new", new), ("repeat", repeat)):
        screen.query_one(f"#{field}", Input).value = value
    screen.query_one("#repeat", Input).focus()
    await pilot.press("enter")


def form_error(app: EdiaryApp) -> str:
    error = app.screen.query_one("#error", Static)
    return str(error.render()) if error.display else ""


class TestLogin:
    async def test_good_password_opens_the_diary_and_keeps_the_token(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            assert isinstance(app.screen, LoginScreen)
            await log_in(pilot, "parent", "demo")
            await settled(pilot)
            assert in_diary(app)
            assert app.session.user is not None and app.session.user.login == "parent"
        assert CredentialStore().load(SERVER) is not None

    async def test_a_burst_of_keys_fills_both_fields_in_order(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """A fast typist (or a paste of `login<Tab>password<Enter>`) reaches the terminal as one
        read: every key is queued before the first is handled. Tab must move on before the
        keys after it are delivered, or the password lands in the login field."""
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            burst = [*"parent", "tab", *"demo", "enter"]
            for key in burst:  # as the driver posts them: all at once
                app.post_message(events.Key(key, {"tab": "\t", "enter": "\r"}.get(key, key)))
            await settled(pilot)
            assert in_diary(app), form_error(app)
            assert app.session.user is not None and app.session.user.login == "parent"

    async def test_wrong_password_shows_the_servers_message_in_the_form(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "parent", "not-the-password")
            await settled(pilot)
            assert form_error(app) == "Wrong login or password."
            assert isinstance(app.screen, LoginScreen)
            assert app.screen.query_one("#password", Input).value == ""
        assert CredentialStore().load(SERVER) is None

    async def test_wrong_password_in_russian(self, start: Callable[..., EdiaryApp]) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "parent", "not-the-password")
            await settled(pilot)
            assert form_error(app) == "Неверный логин или пароль."

    async def test_too_many_failures_say_when_to_try_again(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(5):
                await log_in(pilot, "parent", "wrong")
                await settled(pilot)
                assert form_error(app)
                app.screen.query_one("#error", Static).display = False
            await log_in(pilot, "parent", "demo")
            await settled(pilot)
            assert form_error(app).startswith("Too many failed attempts: try again in ")
            assert form_error(app).endswith((" second.", " seconds."))  # a wait, not "894 s"

    async def test_a_throttled_try_clears_the_password_for_the_next(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """Refused for too many tries, the password field is emptied as after a wrong one,
        so that the next try is what is typed next, not "wrong" with it appended."""
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            for _ in range(5):
                await log_in(pilot, "parent", "wrong")
                await settled(pilot)
            await log_in(pilot, "parent", "wrong")
            await settled(pilot)
            assert form_error(app).startswith("Too many failed attempts")
            password = app.screen.query_one("#password", Input)
            assert password.value == ""
            assert app.focused is password

    async def test_the_keyring_notice_is_said_in_the_form_once(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """Not a toast over the demo accounts: a line of the form, wrapped to it; remembered
        as said, so the next start (still before any login) keeps quiet."""
        notice = "No keyring here: your login is kept in ~/tokens.json."
        app = start(notice=notice)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await pilot.pause()
            banner = app.screen.query_one(Banner)
            assert banner.display and str(banner.render()) == notice
            assert not app._notifications
        assert CredentialStore().notice_marker.exists()

    async def test_unreachable_server_is_said_in_the_form(self) -> None:
        server = f"http://127.0.0.1:{closed_port()}"
        app = new_app(new_session(httpx.AsyncHTTPTransport(), server=server), demo_accounts=None)
        async with app.run_test(size=SIZE) as pilot:
            assert server in str(app.screen.query_one("#server", Static).render())
            await log_in(pilot, "parent", "demo")
            await settled(pilot)
            assert form_error(app) == (
                f"Cannot reach the server {server}. Check the connection and try again."
            )

    async def test_empty_login_is_asked_for_without_the_server(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "", "demo")
            assert form_error(app) == "Enter your login."
            assert app.screen.focused is app.screen.query_one("#login", Input)

    async def test_a_demo_account_logs_in_with_one_key(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            demo = app.screen.query_one("#demo", OptionList)
            assert [demo.get_option_at_index(i).id for i in range(demo.option_count)] == [
                "parent",
                "student",
            ]
            demo.focus()
            await pilot.press("down", "enter")
            await settled(pilot)
            assert in_diary(app)
            assert app.session.user is not None and app.session.user.login == "student"


class TestFirstLogin:
    """A temporary password from the school must be replaced before the diary opens."""

    async def _new_parent(self, engine: AsyncEngine) -> str:
        temporary = await admin.create_user(
            engine, login="newparent", full_name="Новикова Ольга Петровна", roles=[Role.PARENT]
        )
        await admin.link_parent(engine, "newparent", "student")
        return temporary

    async def test_password_change_then_the_week(
        self,
        engine: AsyncEngine,
        start: Callable[..., EdiaryApp],
        school: Callable[[], httpx.ASGITransport],
    ) -> None:
        temporary = await self._new_parent(engine)
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "newparent", temporary)
            await settled(pilot)
            assert isinstance(app.screen, PasswordScreen)
            await change_password(pilot, temporary, "a-long-secret", "a-long-secret")
            await settled(pilot)
            assert in_diary(app)
            assert app.screen.child is not None and app.screen.child.full_name
        async with httpx.AsyncClient(transport=school(), base_url=SERVER) as raw:
            new = {"login": "newparent", "password": "a-long-secret"}
            answer = await raw.post("/api/v1/auth/login", json=new)
            assert answer.status_code == 200 and answer.json()["must_change_password"] is False
            old = {"login": "newparent", "password": temporary}
            assert (await raw.post("/api/v1/auth/login", json=old)).status_code == 401

    async def test_mismatch_is_shown_under_the_repeat(
        self, engine: AsyncEngine, start: Callable[..., EdiaryApp]
    ) -> None:
        temporary = await self._new_parent(engine)
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "newparent", temporary)
            await settled(pilot)
            assert isinstance(app.screen, PasswordScreen)
            screen = app.screen
            await change_password(pilot, temporary, "a-long-secret", "a-long-secreT")
            error = screen.query_one("#repeat-error", Static)
            assert error.display and str(error.render()) == "The two new passwords differ."
            assert isinstance(app.screen, PasswordScreen)

    async def test_the_servers_422_is_shown_on_its_field(
        self, engine: AsyncEngine, start: Callable[..., EdiaryApp]
    ) -> None:
        temporary = await self._new_parent(engine)
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "newparent", temporary)
            await settled(pilot)
            assert isinstance(app.screen, PasswordScreen)
            screen = app.screen
            await change_password(pilot, "not-the-temporary-one", "a-long-secret", "a-long-secret")
            old_error = screen.query_one("#old-error", Static)
            await settled(pilot)
            assert old_error.display
            assert str(old_error.render()) == "The old password is wrong."
            assert screen.focused is screen.query_one("#old", Input)

    async def test_a_weak_password_is_refused_saying_why_and_what_would_pass(
        self, engine: AsyncEngine, start: Callable[..., EdiaryApp]
    ) -> None:
        temporary = await self._new_parent(engine)
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "newparent", temporary)
            await settled(pilot)
            assert isinstance(app.screen, PasswordScreen)
            screen = app.screen
            new_error = screen.query_one("#new-error", Static)
            await change_password(pilot, temporary, "qwerty12", "qwerty12")
            assert new_error.display and str(new_error.render()) == (
                "This is one of the most common passwords, or close to one. What would pass: "
                "three or four words that do not belong together, or a longer mix of letters, "
                "digits and signs."
            )
            await change_password(pilot, temporary, "olga-novikova", "olga-novikova")
            assert str(new_error.render()).startswith("This password is built from your login")
            assert isinstance(app.screen, PasswordScreen)

    async def test_why_a_password_is_weak_is_told_in_russian(
        self, engine: AsyncEngine, start: Callable[..., EdiaryApp]
    ) -> None:
        temporary = await self._new_parent(engine)
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "newparent", temporary)
            await settled(pilot)
            assert isinstance(app.screen, PasswordScreen)
            screen = app.screen
            await change_password(pilot, temporary, "aaaaaaaa", "aaaaaaaa")
            new_error = screen.query_one("#new-error", Static)
            assert new_error.display and str(new_error.render()) == (
                "Повторы символов или кусков (как aaaa или abcabc) легко угадать. Подойдут "
                "три-четыре не связанных между собой слова или более длинная смесь букв, цифр "
                "и знаков."
            )

    async def test_a_short_password_is_refused_by_the_wire_models_rule(
        self, engine: AsyncEngine, start: Callable[..., EdiaryApp]
    ) -> None:
        temporary = await self._new_parent(engine)
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await log_in(pilot, "newparent", temporary)
            await settled(pilot)
            assert isinstance(app.screen, PasswordScreen)
            screen = app.screen
            await change_password(pilot, temporary, "short", "short")
            error = screen.query_one("#new-error", Static)
            assert error.display and str(error.render()) == "At least 8 characters."


class TestRememberedLogin:
    async def test_a_second_start_skips_the_login(self, start: Callable[..., EdiaryApp]) -> None:
        first = start()
        async with first.run_test(size=SIZE) as pilot:
            await log_in(pilot, "parent", "demo")
            await settled(pilot)
            assert in_diary(first)

        second = start()
        async with second.run_test(size=SIZE) as pilot:
            # The cached week is painted at mount, before the session is resumed.
            assert in_diary(second)
            screen = second.screen
            assert isinstance(screen, WeekScreen)
            # The resume starts after the first frame: what it says is awaited, then its work.
            await until(pilot, lambda: second.session.user is not None)
            await settled(pilot)
            assert second.session.user is not None and second.session.user.login == "parent"
            assert str(screen.query_one("#freshness").render()) == "updated 18:00"

    async def test_logout_forgets_the_token(self, start: Callable[..., EdiaryApp]) -> None:
        first = start()
        async with first.run_test(size=SIZE) as pilot:
            await log_in(pilot, "parent", "demo")
            await settled(pilot)
            assert in_diary(first)
            await pilot.press("L")
            await settled(pilot)
            assert isinstance(first.screen, LoginScreen)
            banner = first.screen.query_one(Banner)
            assert banner.display
            assert "You have logged out" in str(banner.render())
        assert CredentialStore().load(SERVER) is None

        second = start()
        async with second.run_test(size=SIZE):
            assert isinstance(second.screen, LoginScreen)

    async def test_an_expired_token_goes_back_to_the_login_with_the_reason(
        self, start: Callable[..., EdiaryApp], clock: FakeClock
    ) -> None:
        first = start()
        async with first.run_test(size=SIZE) as pilot:
            await log_in(pilot, "parent", "demo")
            await settled(pilot)
            assert in_diary(first)

        clock.advance(days=31)
        second = start()
        async with second.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(second.screen, LoginScreen))  # resume refused
            await settled(pilot)
            banner = second.screen.query_one(Banner)
            assert banner.display
            assert str(banner.render()) == "Your session has ended; log in again."
        assert CredentialStore().load(SERVER) is None

    async def test_an_unreachable_server_shows_the_saved_week_with_a_banner(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        # One URL for both starts (the cache and the token are kept per server);
        # the first reaches the school in-process, the second finds nobody there.
        server = f"http://127.0.0.1:{closed_port()}"
        first = new_app(new_session(school(), server=server))
        async with first.run_test(size=SIZE) as pilot:
            await log_in(pilot, "parent", "demo")
            await settled(pilot)
            assert in_diary(first)
            week = first.screen.week

        second = new_app(new_session(httpx.AsyncHTTPTransport(), server=server))
        async with second.run_test(size=SIZE) as pilot:
            screen = second.screen
            assert isinstance(screen, WeekScreen)
            banner = screen.query_one("#banner", Banner)
            await until(pilot, lambda: banner.display)  # the resume found nobody
            await settled(pilot)
            assert str(banner.render()).startswith(f"No connection to {server}")
            assert screen.week == week
            assert str(screen.query_one("#freshness").render()).startswith("saved copy")
            assert second.session.offline
            assert screen.check_action("sign", ()) is None  # shown, but not while offline
