"""The real diaries in the app, on their recordings: the same screens and keys, what a
read-only service cannot do hidden, sign-in by what each service needs, and snapshots.

Each app is built as `ediary --provider NAME --replay examples/NAME` builds it,
with the clock pinned to 18:00 in Moscow on the recording's day.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static

from ediary_tui.app import EdiaryApp
from ediary_tui.client.cache import OfflineCache
from ediary_tui.client.credentials import CredentialStore
from ediary_tui.client.providers import provider_class
from ediary_tui.client.providers.replay import Recording, answer_from
from ediary_tui.client.session import DiarySession
from ediary_tui.context import AppContext
from ediary_tui.screens.account.login import LoginScreen
from ediary_tui.screens.diary.report_card import ReportCardScreen
from ediary_tui.screens.diary.subject_marks import SubjectMarksScreen
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.screens.messages.threads import MessagesScreen
from ediary_tui.widgets.banner import Banner

from .conftest import MOSCOW, settled, until

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WRONG_CODE = "Wrong code; check it and type it again."  # mos.ru's invalid_otp, in our words
RECORDINGS = {name: Recording.load(EXAMPLES / name) for name in ("mos", "dnevnik", "eljur")}
LOGINS = {name: recording.login for name, recording in RECORDINGS.items()}


def provider_app(
    name: str,
    *,
    lang: str = "en",
    recording: Recording | None = None,
    devkey: str | None = "recorded",
) -> EdiaryApp:
    """The app on a provider's recording (devkey None: a profile that gives none)."""
    recording = recording or RECORDINGS[name]
    day = recording.today

    def clock() -> dt.datetime:
        return dt.datetime.combine(day, dt.time(18, 0), MOSCOW)

    client = provider_class(name)(
        transport=recording.transport(),
        devkey=recording.devkey if devkey == "recorded" else devkey,
        vendor=recording.vendor,
        label=f"replay:{name}",
        clock=clock,
    )
    session = DiarySession(client, CredentialStore(), OfflineCache())
    context = AppContext.build(session, today=day, clock=clock)
    return EdiaryApp(context, lang=lang, login_hint=f"{recording.login} / demo")


async def sign_in(pilot: Pilot[Any], login: str, password: str = "demo") -> None:
    screen = pilot.app.screen
    screen.query_one("#login", Input).value = login
    screen.query_one("#password", Input).value = password
    screen.query_one("#password", Input).focus()
    await pilot.press("enter")


def week_shown(app: EdiaryApp) -> bool:
    return isinstance(app.screen, WeekScreen) and app.screen.week is not None


def signed_in_as(name: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        await sign_in(pilot, LOGINS[name])
        await until(pilot, lambda: week_shown(pilot.app))
        await settled(pilot)

    return run_before


def error_text(app: EdiaryApp) -> str:
    return str(app.screen.query_one("#error", Static).render())


class TestTheSameScreens:
    @pytest.mark.parametrize("name", ["mos", "dnevnik", "eljur"])
    async def test_the_week_shows_marks_and_what_the_service_cannot_do_is_not_offered(
        self, name: str
    ) -> None:
        app = provider_app(name)
        async with app.run_test(size=(80, 24)) as pilot:
            await signed_in_as(name)(pilot)
            screen = app.screen
            assert isinstance(screen, WeekScreen) and screen.week is not None
            assert screen.week.start == dt.date(2026, 12, 7)
            assert any(lesson.marks for day in screen.week.days for lesson in day.lessons)
            title = app.session.info.title
            signature = str(screen.query_one("#signature", Label).render())
            assert signature == f"From {title} · read only"
            actions = {key.action.removeprefix("app.") for key in app.keys_of(screen)}
            assert {"sign", "absence", "whats_new"}.isdisjoint(actions)
            assert {"report_card", "progress", "homework", "previous_week"} <= actions
            assert ("messages" in actions) == (name == "eljur")
            await pilot.press("s")  # the parent's signing key does nothing here
            await settled(pilot)
            assert app.screen is screen and screen.week.signed_by is None

    async def test_the_report_card_gives_the_services_average_beside_ours(self) -> None:
        app = provider_app("mos")
        async with app.run_test(size=(80, 24)) as pilot:
            await signed_in_as("mos")(pilot)
            await pilot.press("R")
            await until(pilot, lambda: isinstance(app.screen, ReportCardScreen))
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, ReportCardScreen) and screen.card is not None
            row = next(i for i, s in enumerate(screen.card.subjects) if s.name == "Геометрия")
            await pilot.press(*["down"] * row)
            await settled(pilot)
            details = str(screen.query_one("#details", Static).render())
            assert "average 4.00" in details
            assert "МЭШ (school.mos.ru) says 3.50 (* in the table)" in details

    async def test_what_do_i_need_weighs_with_the_kinds_of_work_the_service_shows(self) -> None:
        app = provider_app("eljur")
        async with app.run_test(size=(80, 24)) as pilot:
            await signed_in_as("eljur")(pilot)
            await pilot.press("R")
            await until(pilot, lambda: isinstance(app.screen, ReportCardScreen))
            await settled(pilot)
            await pilot.press("enter")  # Алгебра, this quarter
            await until(pilot, lambda: isinstance(app.screen, SubjectMarksScreen))
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, SubjectMarksScreen) and screen.settings is not None
            weights = {f.name: f.weight for f in screen.settings.control_forms}
            # This week's marks (ElJur publishes no school settings): their kinds and weights.
            assert weights == {
                "Ответ на уроке": 1,
                "Самостоятельная работа": 1,
                "Проверочная работа": 2,
            }
            details = str(screen.query_one("#details", Static).render())
            assert " ·  · " not in details  # getmarks names no teacher: no empty part

    async def test_messages_of_eljur_are_read_and_not_answered_here(self) -> None:
        app = provider_app("eljur")
        async with app.run_test(size=(80, 24)) as pilot:
            await signed_in_as("eljur")(pilot)
            await pilot.press("m")
            await until(pilot, lambda: isinstance(app.screen, MessagesScreen))
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, MessagesScreen)
            assert screen.threads is not None and len(screen.threads.threads) == 3
            assert not screen.query_one("#reply").display
            status = str(screen.query_one("#reply-status", Static).render())
            assert status == "Read only here: answer in ЭлЖур itself."
            actions = {key.action for key in app.keys_of(screen)}
            assert {"reply", "new_thread"}.isdisjoint(actions)


class TestSigningIn:
    async def test_a_wrong_password_a_lock_and_then_the_right_password(self) -> None:
        app = provider_app("mos")
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "smirnova.olga", "wrong")
            await settled(pilot)
            assert isinstance(app.screen, LoginScreen)
            assert error_text(app) == "Wrong login or password."
            assert app.screen.query_one("#password", Input).value == ""
            await sign_in(pilot, "locked", "demo")
            await settled(pilot)
            assert "locked" in error_text(app).lower()
            await sign_in(pilot, "smirnova.olga", "demo")
            await until(pilot, lambda: week_shown(app))

    async def test_the_sms_code_is_asked_for_and_a_wrong_one_said(self) -> None:
        app = provider_app("mos")
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "sms.parent", "demo")
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, LoginScreen) and screen.mode == "code"
            assert screen.query_one("#code-fields").display
            assert not screen.query_one("#fields").display
            banner = str(screen.query_one(Banner).render())
            assert banner == "The service sent a one-time code (+7 *** ***-**-12): type it below."
            assert screen.focused is screen.query_one("#code", Input)
            await pilot.press(*"111111", "enter")
            await settled(pilot)
            assert error_text(app) == WRONG_CODE
            assert screen.query_one("#code", Input).value == ""
            await pilot.press(*"123456", "enter")
            await until(pilot, lambda: week_shown(app))

    async def test_no_attempts_left_goes_back_to_the_password(self) -> None:
        app = provider_app("mos")
        async with app.run_test(size=(80, 24)) as pilot:
            await sign_in(pilot, "sms.parent", "demo")
            await settled(pilot)
            screen = app.screen
            assert isinstance(screen, LoginScreen) and screen.mode == "code"
            await pilot.press(*"000000", "enter")
            await settled(pilot)
            assert screen.mode == "password" and screen.query_one("#fields").display
            assert error_text(app) == "No tries left; sign in again to get a new code."
            assert not screen.query_one(Banner).display  # the code is no longer awaited

    async def test_a_token_from_the_browser_where_no_password_sign_in_is_possible(
        self, home: Path
    ) -> None:
        """Dnevnik.ru without a registered client: the form is the token and its help."""
        app = provider_app("dnevnik", devkey=None)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, LoginScreen) and screen.mode == "token"
            assert screen.query_one("#token-help").display
            assert not screen.query_one("#fields").display
            assert not screen.query("#other-way")  # no other way to offer
            token = _recorded_token("dnevnik")
            await pilot.press("enter")
            await settled(pilot)
            assert error_text(app) == "Paste the token copied from the browser."
            screen.query_one("#token", Input).value = token
            await pilot.press("enter")
            await until(pilot, lambda: week_shown(app))
        assert CredentialStore().load("replay:dnevnik") == (app.session.user.login, token)  # type: ignore[union-attr]

    async def test_ctrl_t_switches_between_the_password_and_a_token(self) -> None:
        app = provider_app("mos")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = app.screen
            assert isinstance(screen, LoginScreen) and screen.mode == "password"
            other = str(screen.query_one("#other-way", Label).render())
            assert other == "ctrl+t: a token from the browser instead"
            await pilot.press("ctrl+t")
            assert screen.mode == "token" and screen.query_one("#token-help").display
            assert screen.focused is screen.query_one("#token", Input)
            await pilot.press("ctrl+t")
            assert screen.mode == "password"

    async def test_an_expired_token_goes_back_to_the_login_with_the_reason(self) -> None:
        first = provider_app("mos")
        async with first.run_test(size=(80, 24)) as pilot:
            await signed_in_as("mos")(pilot)
        # The service no longer takes the token: every signed-in call is a 401.
        expired = RECORDINGS["mos"].with_answers(
            *(
                answer_from({"method": "GET", "url": a.url, "status": 401, "json": {}})
                for a in RECORDINGS["mos"].answers
                if a.method == "GET" and "/api/" in a.url
            )
        )
        second = provider_app("mos", recording=expired)
        async with second.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(second.screen, LoginScreen))
            await settled(pilot)
            banner = str(second.screen.query_one(Banner).render())
            assert banner == (
                "МЭШ (school.mos.ru) no longer accepts the saved sign-in "
                "(it lasts only so long): sign in again."
            )


class TestAChangedAnswer:
    async def test_the_saved_week_stays_and_the_person_is_told(self, home: Path) -> None:
        first = provider_app("eljur")
        async with first.run_test(size=(80, 24)) as pilot:
            await signed_in_as("eljur")(pilot)
            saved = first.screen.week  # type: ignore[attr-defined]
        changed = RECORDINGS["eljur"].with_answers(
            answer_from(
                {
                    "url": "https://api.eljur.ru/apiv3/getdiary",
                    "query": {"student": "48213", "days": "20261207-20261213", "rings": "yes"},
                    "json": {"response": {"state": 200, "result": {"students": "changed"}}},
                }
            )
        )
        second = provider_app("eljur", recording=changed)
        async with second.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(second.screen, WeekScreen))
            await settled(pilot)
            screen = second.screen
            assert isinstance(screen, WeekScreen) and screen.week == saved
            shown = [str(n.message) for n in second._notifications]
            assert any("in a form this version does not know" in text for text in shown)
        reports = list((home / "data" / "reports").iterdir())
        assert len(reports) == 1 and "Соколов" not in reports[0].read_text("utf-8")


def _recorded_token(name: str) -> str:
    """The token a recording's sign-in answers with (what a browser session would hold)."""
    for answer in RECORDINGS[name].answers:
        text = json.dumps(answer.json)
        if answer.method == "POST" and "accessToken" in text:
            return str(answer.json["credentials"]["accessToken"])
    raise AssertionError("the recording signs nobody in")


class TestSnapshots:
    @pytest.mark.parametrize("name", ["mos", "dnevnik", "eljur"])
    def test_the_week_at_80x24(self, snap_compare: Any, name: str) -> None:
        assert snap_compare(
            provider_app(name), terminal_size=(80, 24), run_before=signed_in_as(name)
        )

    def test_the_week_in_russian(self, snap_compare: Any) -> None:
        assert snap_compare(
            provider_app("eljur", lang="ru"),
            terminal_size=(80, 24),
            run_before=signed_in_as("eljur"),
        )

    def test_the_login_of_a_password_and_token_service(self, snap_compare: Any) -> None:
        assert snap_compare(provider_app("mos"), terminal_size=(80, 24))

    def test_the_login_by_token_with_its_help(self, snap_compare: Any) -> None:
        assert snap_compare(provider_app("dnevnik", devkey=None), terminal_size=(80, 24))

    def test_the_report_card_with_the_services_averages(self, snap_compare: Any) -> None:
        async def run_before(pilot: Pilot[Any]) -> None:
            await signed_in_as("mos")(pilot)
            await pilot.press("R")
            await until(pilot, lambda: isinstance(pilot.app.screen, ReportCardScreen))
            await settled(pilot)
            await pilot.press("down", "down", "down", "down")
            await settled(pilot)

        assert snap_compare(provider_app("mos"), terminal_size=(80, 24), run_before=run_before)
