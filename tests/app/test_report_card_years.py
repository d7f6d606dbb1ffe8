"""The report card across school years: after a rollover, last year's card reads as it was
closed (its quarters, marks and year marks) and `[` `]` turn between the child's years.

Today is pinned in 2026/27; the school is rolled over (forced) into 2027/28 before the app
starts, so the card opens on the archived year and `]` reaches the new class's year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.app import EdiaryApp
from ediary_tui.context import AppContext
from ediary_tui.screens.diary.year import step_year
from ediary_tui.server import schema as s
from ediary_tui.server.school.audit import Actor
from ediary_tui.server.school.rollover import roll_over_school
from tests.conftest import PINNED_NOW

from .conftest import DEMO_ACCOUNTS, new_session, pinned_clock
from .test_login import until
from .test_report_card import SIZE, grid, open_card, text_of
from .test_week import open_diary


async def _roll_over(engine: AsyncEngine) -> None:
    await roll_over_school(engine, Actor(None, "test"), None, force=True, now=PINNED_NOW)


async def _year_marks(engine: AsyncEngine, login: str) -> dict[str, int]:
    ym, sub, u = s.year_marks, s.subjects, s.users
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(sub.c.name, ym.c.value)
            .join(sub, sub.c.id == ym.c.subject_id)
            .join(u, u.c.id == ym.c.student_id)
            .where(u.c.login == login, ym.c.year == 2026)
        )
        return {name: value for name, value in rows}


class TestReportCardYears:
    async def test_last_years_card_shows_its_marks_and_year_marks_after_a_rollover(
        self, start: Callable[..., EdiaryApp], engine: AsyncEngine
    ) -> None:
        await _roll_over(engine)
        expected = await _year_marks(engine, "student")
        assert expected, "the rollover set year marks from the first quarter's marks"
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            card = screen.card
            assert card is not None and card.year == 2026 and card.years == [2026, 2027]
            assert text_of(screen, "#year") == "School year 2026/27"
            assert [p.kind for p in card.periods] == ["quarter"] * 4
            assert {x.name: x.year_mark for x in card.subjects if x.year_mark} == expected
            assert any(p.mark is not None for x in card.subjects for p in x.periods)
            assert grid(screen).display and not screen.query_one("#empty").display

            # `]` turns to the new year (the 8th grade's, no lessons yet), `[` back again.
            assert screen.check_action("year", (1,)) is True
            await pilot.press("right_square_bracket")
            await until(pilot, lambda: _card_year(screen) == 2027)
            assert text_of(screen, "#year") == "School year 2027/28"
            assert screen.query_one("#empty").display
            assert screen.check_action("year", (1,)) is None
            await pilot.press("left_square_bracket")
            await until(pilot, lambda: _card_year(screen) == 2026)
            assert screen.card is not None and screen.card.subjects

    async def test_a_graduate_reads_their_last_card_and_week_a_year_later(
        self, school: Callable[[], httpx.ASGITransport], engine: AsyncEngine
    ) -> None:
        """In September 2027 a graduate's card opens on their last year, 2026/27, and `]`
        offers nothing after it; the week of a year they have no class in is empty, not broken."""
        st, c, u = s.students, s.classes, s.users
        async with engine.connect() as conn:
            graduate = (
                await conn.execute(
                    sa.select(u.c.login)
                    .join(st, st.c.user_id == u.c.id)
                    .join(c, c.c.id == st.c.class_id)
                    .where(c.c.grade == 11)
                    .order_by(u.c.id)
                    .limit(1)
                )
            ).scalar_one()
        await _roll_over(engine)
        context = AppContext.build(
            new_session(school()), today=dt.date(2027, 9, 15), clock=pinned_clock
        )
        app = EdiaryApp(context, lang="en", demo_accounts=DEMO_ACCOUNTS)
        async with app.run_test(size=SIZE) as pilot:
            week = await open_diary(app, pilot, graduate)
            assert week.week is not None and not any(d.lessons for d in week.week.days)
            screen = await open_card(app, pilot)
            card = screen.card
            assert card is not None and (card.year, card.years) == (2026, [2026])
            assert text_of(screen, "#year") == "School year 2026/27"
            assert card.subjects and [p.kind for p in card.periods] == ["half", "half"]
            assert screen.check_action("year", (1,)) is None


def _card_year(screen: Any) -> int | None:
    return screen.card.year if screen.card is not None else None


class TestStepYear:
    def test_forward_only_to_a_year_the_child_has(self) -> None:
        assert step_year(2026, 1, [2026, 2027], 2026) == 2027
        assert step_year(2027, 1, [2026, 2027], 2026) is None
        assert step_year(2026, 1, [2026], 2027) is None  # a graduate stops at their last year

    def test_back_through_the_childs_years_then_a_year_at_a_time(self) -> None:
        assert step_year(2027, -1, [2025, 2027], 2027) == 2025
        assert step_year(2025, -1, [2025, 2027], 2027) == 2024

    def test_without_years_from_the_server_forward_stops_at_todays_year(self) -> None:
        assert step_year(2025, 1, [], 2026) == 2026
        assert step_year(2026, 1, [], 2026) is None
        assert step_year(2026, -1, [], 2026) == 2025
