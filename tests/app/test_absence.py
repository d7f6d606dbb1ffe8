"""Notices of absence: the list, the form with its calendar, errors by field, withdrawing.

Driven with a Pilot against the real server in-process; today is pinned to
Wednesday 25 November 2026. The demo parent's elder child (7А) has a notice
for today (illness, in force) and one in September (past).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Footer, Input, OptionList, RadioSet, Static

from ediary_tui.app import EdiaryApp
from ediary_tui.client.api import DiaryClient
from ediary_tui.domain.models import (
    AbsenceNoticeIn,
    AbsenceReason,
    AttendanceCode,
)
from ediary_tui.screens.diary.absence import AbsenceScreen, NoticeForm, notice_days
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.widgets.date_range import DateRangePicker
from ediary_tui.widgets.dialogs import ConfirmModal

from .conftest import new_app, new_session
from .test_homework import Switch, notifications, text_of
from .test_login import log_in, until
from .test_week import FRESH, open_diary

TODAY = dt.date(2026, 11, 25)


class LostAnswer(httpx.AsyncBaseTransport):
    """The school gets the request and acts on it, but the answer never comes back."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.lose_next_post = False
        self.keys: list[str | None] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and "absence-notices" in request.url.path:
            self.keys.append(request.headers.get("Idempotency-Key"))
            if self.lose_next_post:
                self.lose_next_post = False
                await response.aread()
                raise httpx.ReadTimeout("no answer in time", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def switch(school: Callable[[], httpx.ASGITransport]) -> Switch:
    return Switch(school())


async def parent_client(school: Callable[[], httpx.ASGITransport]) -> DiaryClient:
    client = DiaryClient("http://school.test", transport=school(), backoff=0)
    await client.login("parent", "demo")
    return client


async def open_notices(app: EdiaryApp, pilot: Pilot[Any], login: str) -> AbsenceScreen:
    await open_diary(app, pilot, login)
    await pilot.press("a")
    await until(pilot, lambda: isinstance(app.screen, AbsenceScreen))
    screen = app.screen
    assert isinstance(screen, AbsenceScreen)
    await fresh(pilot, screen)
    return screen


async def fresh(pilot: Pilot[Any], screen: AbsenceScreen) -> None:
    await until(
        pilot,
        lambda: screen.notices is not None and text_of(screen.query_one("#freshness")) == FRESH,
    )


async def open_form(app: EdiaryApp, pilot: Pilot[Any]) -> NoticeForm:
    await pilot.press("n")
    await until(pilot, lambda: isinstance(app.screen, NoticeForm))
    form = app.screen
    assert isinstance(form, NoticeForm)
    await pilot.pause()
    return form


def error(form: NoticeForm, group: str) -> str:
    widget = form.query_one(f"#error-{group}", Static)
    return text_of(widget) if widget.display else ""


async def type_in(pilot: Pilot[Any], form: NoticeForm, **fields: str) -> None:
    for name, value in fields.items():
        field = form.query_one(f"#{name}", Input)
        field.value = value
    await pilot.pause()


class TestTheList:
    async def test_a_parent_sees_the_notices_with_their_state(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_notices(app, pilot, "parent")
            notices = screen.notices or []
            assert [(n.from_, n.state) for n in notices] == [
                (TODAY, "current"),
                (dt.date(2026, 9, 24), "past"),
            ]
            prompts = [str(o.prompt) for o in screen.query_one(OptionList).options]
            assert prompts[0].startswith("25 November 2026 · illness · in force")
            assert prompts[1].startswith("24–25 September 2026 · family reasons · past")
            details = text_of(screen.query_one("#details"))
            assert details.startswith("given by Кузнецова Елена Романовна, ")
            # In force already: not to be withdrawn, and `w` says why.
            assert screen.check_action("withdraw", ()) is True
            assert "w withdraws it" not in text_of(screen.query_one("#details"))
            await pilot.press("w")
            await pilot.pause()
            assert app.screen is screen
            assert notifications(app) == [
                "The notice for 25 November 2026 has already started and cannot be withdrawn: "
                "ask the class teacher to correct the journal."
            ]
            assert screen.check_action("new_notice", ()) is True
            assert screen.check_action("why_no_new", ()) is False

    async def test_a_student_reads_the_list_and_the_key_says_who_gives_notices(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_notices(app, pilot, "student")
            assert len(screen.notices or []) == 2
            assert screen.check_action("new_notice", ()) is False
            assert screen.check_action("withdraw", ()) is False
            footer = {b.binding.description for b in screen.active_bindings.values()}
            assert "new notice: parents" in footer and "withdraw" not in footer
            assert "Only a parent can give one" in text_of(screen.query_one("#hint"))
            await pilot.press("n")
            await pilot.pause()
            assert app.screen is screen
            assert notifications(app) == ["Only a parent can give a notice of absence."]

    async def test_the_saved_list_shows_without_a_connection(self, switch: Switch) -> None:
        app = new_app(new_session(switch))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_notices(app, pilot, "parent")
            notices = screen.notices
            await pilot.press("escape")
            switch.down = True
            await pilot.press("a")
            await until(pilot, lambda: isinstance(app.screen, AbsenceScreen))
            again = app.screen
            assert isinstance(again, AbsenceScreen)
            assert again.notices == notices
            banner = again.query_one("#banner")
            await until(pilot, lambda: banner.display)
            assert text_of(again.query_one("#freshness")).startswith("saved copy")
            # The form opens, keeps what is typed, and says it cannot send.
            form = await open_form(app, pilot)
            assert form.query_one("#banner").display
            await type_in(pilot, form, **{"from": "2026-12-02", "to": "2026-12-03"})
            await pilot.press("ctrl+s")
            await until(pilot, lambda: bool(error(form, "form")))
            assert error(form, "form").startswith("Not sent: no connection to the server.")
            assert form.query_one("#from", Input).value == "2026-12-02"


class TestGivingANotice:
    async def test_days_picked_on_the_calendar_become_a_notice_and_excused_lessons(
        self, start: Callable[..., EdiaryApp], school: Callable[[], httpx.ASGITransport]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_notices(app, pilot, "parent")
            child = screen.child
            assert child is not None
            form = await open_form(app, pilot)
            picker = form.query_one(DateRangePicker)
            assert picker.has_focus and picker.cursor == TODAY
            await pilot.press("right", "enter", "right", "enter")  # 26 and 27 November
            assert form.query_one("#from", Input).value == "2026-11-26"
            assert form.query_one("#to", Input).value == "2026-11-27"
            assert text_of(form.query_one("#length")) == "days: 2"
            assert form.query_one("#first_lesson", Input).disabled  # lessons: one day only
            form.query_one("#reason-family").value = True
            await type_in(pilot, form, comment="Едем на свадьбу, вернёмся в субботу")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            first = (screen.notices or [])[0]
            assert (first.from_, first.to, first.reason) == (
                dt.date(2026, 11, 26),
                dt.date(2026, 11, 27),
                AbsenceReason.FAMILY,
            )
            assert first.state == "upcoming"
            assert any("Notice given for 26–27 November 2026" in n for n in notifications(app))
            assert screen.changed
            client = await parent_client(school)
            week = await client.week(child.id, TODAY)
            covered = [
                lesson
                for day in week.days
                if day.date in (dt.date(2026, 11, 26), dt.date(2026, 11, 27))
                for lesson in day.lessons
            ]
            assert covered and all(le.attendance == AttendanceCode.EXCUSED for le in covered)
            await client.aclose()
            # Back in the diary, the week is fetched again and shows them excused.
            await pilot.press("escape")
            diary = app.screen
            assert isinstance(diary, WeekScreen)

            def excused_in_diary() -> bool:
                week = diary.week
                return week is not None and any(
                    le.attendance == AttendanceCode.EXCUSED
                    for d in week.days
                    if d.date == dt.date(2026, 11, 26)
                    for le in d.lessons
                )

            await until(pilot, excused_in_diary)

    async def test_part_of_one_day_by_first_and_last_lesson(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_notices(app, pilot, "parent")
            form = await open_form(app, pilot)
            await type_in(pilot, form, **{"from": "30.11.2026", "to": "30.11.2026"})
            assert form.query_one(DateRangePicker).start == dt.date(2026, 11, 30)
            assert not form.query_one("#first_lesson", Input).disabled
            await type_in(pilot, form, first_lesson="2", last_lesson="3")
            form.query_one("#comment", Input).focus()
            await pilot.press("enter")  # Enter in the comment gives the notice
            await until(pilot, lambda: app.screen is screen)
            first = (screen.notices or [])[0]
            assert (first.first_lesson, first.last_lesson) == (2, 3)
            assert notice_days(first) == "30 November 2026, lessons 2–3"
            assert first.reason == AbsenceReason.ILLNESS

    async def test_an_end_before_the_start_is_said_next_to_the_dates(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_notices(app, pilot, "parent")
            form = await open_form(app, pilot)
            await type_in(pilot, form, **{"from": "2026-12-03", "to": "2026-12-01"}, comment="x")
            await pilot.press("ctrl+s")
            assert app.screen is form
            assert error(form, "dates") == "The last day is before the first one."
            assert form.query_one("#from", Input).has_focus
            assert form.query_one("#comment", Input).value == "x"

    async def test_what_the_server_refuses_is_said_next_to_its_field(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_notices(app, pilot, "parent")
            form = await open_form(app, pilot)
            # Outside the school year: 422 naming `to`.
            await type_in(pilot, form, **{"from": "2027-09-01", "to": "2027-09-02"})
            await pilot.press("ctrl+s")
            await until(pilot, lambda: bool(error(form, "dates")))
            assert "current school year" in error(form, "dates")
            assert not error(form, "lessons")
            # The last lesson before the first: 422 naming `last_lesson`.
            await type_in(
                pilot,
                form,
                **{"from": "2026-12-01", "to": "2026-12-01"},
                first_lesson="5",
                last_lesson="3",
            )
            await pilot.press("ctrl+s")
            await until(pilot, lambda: bool(error(form, "lessons")))
            assert error(form, "lessons") == "The last lesson comes before the first one."
            assert not error(form, "dates")
            assert form.query_one("#first_lesson", Input).has_focus
            assert form.query_one("#last_lesson", Input).value == "3"

    async def test_an_overlap_with_a_notice_in_force_is_said_next_to_the_dates(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_notices(app, pilot, "parent")
            form = await open_form(app, pilot)
            # Today has a notice already: the calendar marks it, and the server says 409.
            assert TODAY in form.query_one(DateRangePicker).marked
            await type_in(pilot, form, **{"from": "2026-11-24", "to": "2026-11-26"})
            await pilot.press("ctrl+s")
            await until(pilot, lambda: bool(error(form, "dates")))
            # One day is one date, written as the rest of the app writes it.
            assert error(form, "dates") == (
                "There is already a notice for 25 November 2026: "
                "withdraw it first or choose other dates."
            )
            assert form.query_one("#to", Input).value == "2026-11-26"

    async def test_in_russian_the_refusal_is_translated(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start(lang="ru")
        async with app.run_test(size=(80, 24)) as pilot:
            await log_in(pilot, "parent", "demo")
            await until(pilot, lambda: isinstance(app.screen, WeekScreen))
            await pilot.press("ф")
            await until(pilot, lambda: isinstance(app.screen, AbsenceScreen))
            screen = app.screen
            assert isinstance(screen, AbsenceScreen)
            await until(pilot, lambda: screen.notices is not None)
            await pilot.press("т")
            await until(pilot, lambda: isinstance(app.screen, NoticeForm))
            form = app.screen
            assert isinstance(form, NoticeForm)
            assert form.query_one("#from", Input).value == "25.11.2026"
            await pilot.press("ctrl+s")  # today: a notice is in force already
            await until(pilot, lambda: bool(error(form, "dates")))
            assert error(form, "dates") == (
                "На 25 ноября 2026 уже есть уведомление: отзовите его или выберите другие даты."
            )

    async def test_a_retry_after_a_lost_answer_gives_one_notice(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        transport = LostAnswer(school())
        app = new_app(new_session(transport))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_notices(app, pilot, "parent")
            before = len(screen.notices or [])
            form = await open_form(app, pilot)
            await type_in(pilot, form, **{"from": "2026-12-07", "to": "2026-12-08"})
            transport.lose_next_post = True
            await pilot.press("ctrl+s")
            await until(pilot, lambda: bool(error(form, "form")))
            assert error(form, "form").startswith("Not sent: no connection")
            # Closed and opened again: the draft and its key are kept.
            await pilot.press("escape")
            form = await open_form(app, pilot)
            assert form.query_one("#from", Input).value == "2026-12-07"
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen is screen)
            assert len(transport.keys) == 2 and transport.keys[0] == transport.keys[1]
            await fresh(pilot, screen)
            assert len(screen.notices or []) == before + 1


class TestWithdrawing:
    async def test_an_upcoming_notice_is_withdrawn_after_confirming(
        self, start: Callable[..., EdiaryApp], school: Callable[[], httpx.ASGITransport]
    ) -> None:
        client = await parent_client(school)
        me = await client.me()
        child = me.children[0]
        given = await client.create_absence_notice(
            child.id,
            AbsenceNoticeIn(
                from_=dt.date(2026, 12, 10), to=dt.date(2026, 12, 11), reason=AbsenceReason.OTHER
            ),
        )
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_notices(app, pilot, "parent")
            assert (screen.notices or [])[0].id == given.id
            assert screen.check_action("withdraw", ()) is True
            assert "w withdraws it" in text_of(screen.query_one("#details"))
            await pilot.press("w")
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("n")  # not yet
            assert app.screen is screen and (screen.notices or [])[0].id == given.id
            await pilot.press("w", "y")
            await until(pilot, lambda: all(n.id != given.id for n in screen.notices or []))
            assert any("is withdrawn" in n for n in notifications(app))
            assert screen.changed
        assert all(n.id != given.id for n in await client.absence_notices(child.id))
        await client.aclose()

    async def test_a_notice_of_the_other_parent_is_not_theirs_to_withdraw(
        self, start: Callable[..., EdiaryApp], school: Callable[[], httpx.ASGITransport]
    ) -> None:
        client = await parent_client(school)
        child = (await client.me()).children[0]
        given = await client.create_absence_notice(
            child.id,
            AbsenceNoticeIn(
                from_=dt.date(2026, 12, 10), to=dt.date(2026, 12, 10), reason=AbsenceReason.OTHER
            ),
        )
        await client.aclose()
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_notices(app, pilot, "parent")
            screen.user = screen.user.model_copy(update={"id": "someone else"})
            assert (screen.notices or [])[0].id == given.id
            await pilot.press("w")
            await pilot.pause()
            assert app.screen is screen
            assert notifications(app) == [
                f"Only {given.author.full_name}, who gave this notice, can withdraw it."
            ]

    async def test_a_notice_for_a_holiday_is_refused_with_the_reason(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_notices(app, pilot, "parent")
            form = await open_form(app, pilot)
            await type_in(pilot, form, **{"from": "2026-11-04", "to": "2026-11-04"})
            await pilot.press("ctrl+s")
            await until(pilot, lambda: bool(error(form, "dates")))
            assert error(form, "dates").startswith("The class has no lessons on these days")

    async def test_a_withdrawal_that_cannot_be_sent_is_said(
        self, switch: Switch, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        client = await parent_client(school)
        child = (await client.me()).children[0]
        given = await client.create_absence_notice(
            child.id,
            AbsenceNoticeIn(
                from_=dt.date(2026, 12, 10), to=dt.date(2026, 12, 10), reason=AbsenceReason.OTHER
            ),
        )
        await client.aclose()
        app = new_app(new_session(switch))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_notices(app, pilot, "parent")
            switch.down = True
            await pilot.press("w", "y")
            await until(pilot, lambda: any("Not withdrawn" in n for n in notifications(app)))
            assert (screen.notices or [])[0].id == given.id
            assert not screen.changed


class TestTheForm:
    async def test_at_60x20_the_hint_reads_in_lines_and_the_buttons_stay_in_view(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(60, 20)) as pilot:
            await open_notices(app, pilot, "parent")
            form = await open_form(app, pilot)
            await pilot.pause()
            hint = form.query_one("#calendar-hint", Static)
            assert hint.size.width >= 50  # the calendar and its hint sit above the fields
            assert hint.size.height <= 2
            screen = Region(0, 0, 60, 20)
            for button in ("#submit", "#cancel"):
                region = form.query_one(button).region
                assert region.height == 1 and screen.contains_region(region), button
            footer = form.query_one(Footer).region
            assert form.query_one("#submit").region.bottom <= footer.y

    def test_the_range_is_one_band_over_today_and_marked_days(self) -> None:
        picker = DateRangePicker(
            TODAY, start=TODAY - dt.timedelta(days=1), end=TODAY + dt.timedelta(days=1)
        )
        picker.set_marked(frozenset({TODAY}))
        week = picker.lines()[6]  # 23–29 November
        backgrounds = []
        for span in week.spans:
            text = week.plain[span.start : span.end].strip()
            if text in {"24", "25", "26"}:
                found = re.search(r"on (\S+)", str(span.style))
                backgrounds.append(found.group(1) if found else None)
        assert backgrounds == ["$primary", "$primary", "$primary"]

    async def test_the_calendar_moves_by_day_week_and_month(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_notices(app, pilot, "parent")
            form = await open_form(app, pilot)
            picker = form.query_one(DateRangePicker)
            await pilot.press("down", "left")
            assert picker.cursor == dt.date(2026, 12, 1)
            assert "December 2026" in picker.lines()[0].plain
            await pilot.press("left_square_bracket", "left_square_bracket")
            assert picker.cursor == dt.date(2026, 10, 1)
            await pilot.press("pagedown", "up")
            assert picker.cursor == dt.date(2026, 10, 25)

    async def test_a_click_on_two_days_picks_the_range(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_notices(app, pilot, "parent")
            form = await open_form(app, pilot)
            picker = form.query_one(DateRangePicker)
            # Content offset: 1 column of border and 1 of padding; lines 2.. are the weeks.
            # November 2026 starts on a Sunday, so the week of the 30th is the sixth line.
            await pilot.click(picker, offset=(2 + 0 * 3 + 1, 1 + 2 + 5))  # Monday 30th
            await pilot.click(picker, offset=(2 + 3 * 3 + 1, 1 + 2 + 4))  # Thursday 26th
            assert (picker.start, picker.end) == (dt.date(2026, 11, 26), dt.date(2026, 11, 30))
            assert form.query_one("#from", Input).value == "2026-11-26"
            assert form.query_one("#to", Input).value == "2026-11-30"

    async def test_the_reason_is_chosen_with_the_keys(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_notices(app, pilot, "parent")
            form = await open_form(app, pilot)
            form.query_one(RadioSet).focus()
            await pilot.press("down", "down", "enter")
            assert form.draft.reason == AbsenceReason.TREATMENT

    async def test_a_lesson_number_out_of_range_is_said_before_sending(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(80, 24)) as pilot:
            await open_notices(app, pilot, "parent")
            form = await open_form(app, pilot)
            await type_in(pilot, form, **{"from": "2026-12-01", "to": "2026-12-01"})
            for bad in ("13", "-1"):
                await type_in(pilot, form, first_lesson=bad)
                await pilot.press("ctrl+s")
                assert app.screen is form
                assert error(form, "lessons") == "Lesson numbers are whole numbers from 1 to 12."
