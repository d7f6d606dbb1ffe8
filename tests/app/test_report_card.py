"""The report card and a subject's marks: periods, marks, the breakdown, what is needed, CSV.

Driven with a Pilot against the real server in-process; today is pinned to
Wednesday 25 November 2026 (the second quarter) and the clock to 18:00 Moscow time.
"""

from __future__ import annotations

import csv
import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from ediary_tui.app import EdiaryApp, HelpScreen
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.export_formats import report_card_name, report_card_rows
from ediary_tui.domain.goals import default_goal, lessons_left
from ediary_tui.domain.marks import breakdown, weighted_average, what_do_i_need
from ediary_tui.domain.models import (
    ChildRef,
    PeriodMarkIn,
    ReportCard,
    Role,
    User,
)
from ediary_tui.domain.periods import period_containing
from ediary_tui.screens.account.login import LoginScreen
from ediary_tui.screens.diary.export import ExportModal
from ediary_tui.screens.diary.report_card import ReportCardScreen, csv_header
from ediary_tui.screens.diary.subject_marks import SubjectMarksScreen, scored
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.dialogs import ConfirmModal
from ediary_tui.widgets.report_grid import ReportGrid
from tests.conftest import PINNED_TODAY, FakeClock

from .conftest import SERVER, new_app, new_session, settled
from .test_login import closed_port, in_diary, log_in, until
from .test_week import FRESH, open_diary

SIZE = (80, 24)


@pytest.fixture
async def maths_teacher(
    school: Callable[[], httpx.ASGITransport],
) -> AsyncIterator[DiaryClient]:
    """The demo maths teacher, talking to the same school as the app."""
    async with DiaryClient(SERVER, transport=school(), backoff=0) as client:
        await client.login("teacher", "demo")
        yield client


def text_of(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_card(app: EdiaryApp, pilot: Pilot[Any], key: str = "R") -> ReportCardScreen:
    """From the diary, open the report card and wait for it fresh from the server."""
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, ReportCardScreen))
    screen = app.screen
    assert isinstance(screen, ReportCardScreen)
    await until(pilot, lambda: screen.card is not None and text_of(screen, "#freshness") == FRESH)
    return screen


async def open_subject(app: EdiaryApp, pilot: Pilot[Any], key: str = "enter") -> SubjectMarksScreen:
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, SubjectMarksScreen))
    screen = app.screen
    assert isinstance(screen, SubjectMarksScreen)
    await until(pilot, lambda: screen.marks is not None and screen.settings is not None)
    await until(pilot, lambda: text_of(screen, "#freshness") == FRESH)
    return screen


async def diary_in_any_language(app: EdiaryApp, pilot: Pilot[Any]) -> None:
    """Logged in as the student, the week shown (its freshness line in any language)."""
    await log_in(pilot, "student", "demo")
    await until(pilot, lambda: in_diary(app) and getattr(app.screen, "week", None) is not None)


def grid(screen: ReportCardScreen) -> ReportGrid:
    return screen.query_one(ReportGrid)


class TestReportCard:
    async def test_R_opens_the_card_of_the_child_chosen_in_the_diary(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await open_diary(app, pilot, "parent")
            await pilot.press("c")  # the second child, in the 3rd grade
            second = app.session.user.children[1]  # type: ignore[union-attr]
            await until(pilot, lambda: week.week is not None and week.week.student_id == second.id)
            screen = await open_card(app, pilot)
            assert screen.card is not None and screen.card.student_id == second.id
            expected = await app.session.client.report_card(second.id)
            assert screen.card == expected
            assert text_of(screen, "#year") == "School year 2026/27"

    async def test_the_russian_layout_key_opens_it_too(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            await open_card(app, pilot, "К")

    async def test_each_period_shows_the_average_and_the_mark_or_the_proposed_one(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            card = screen.card
            assert card is not None
            lines = grid(screen).plain_lines()
            assert lines[0].split()[:3] == ["Subject", "Q1", "Q2"]
            assert lines[0].split()[-3:] == ["Year", "Missed", "Q2"]  # the cursor's period
            for subject, line in zip(card.subjects, lines[1:], strict=True):
                assert line.startswith(f" {subject.name[:20]}")
                first, second = subject.periods[0], subject.periods[1]
                if first.mark is not None and first.average is not None:
                    assert f"{first.average:.2f}  {first.mark}" in line  # set: the mark itself
                if second.mark is None and second.proposed is not None:
                    assert f"({second.proposed})" in line  # proposed: in brackets
                assert line.endswith(f"  {second.absences}")  # 0 too, not a dash

    async def test_the_cursor_starts_on_the_current_period_and_says_all_of_it(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            card = screen.card
            assert card is not None
            current = period_containing(card.periods, PINNED_TODAY)
            assert current is not None
            cell = grid(screen).selected
            assert cell is not None and cell.period == current
            assert cell.subject == card.subjects[0]
            details = text_of(screen, "#details")
            assert card.subjects[0].name in details and "2nd quarter" in details
            await pilot.press("left", "down")
            cell = grid(screen).selected
            assert cell is not None and cell.period == card.periods[0]
            assert cell.subject == card.subjects[1]
            assert "1st quarter" in text_of(screen, "#details")

    async def test_the_year_column_says_the_year_mark_and_the_lessons_missed(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            await pilot.press("right", "right", "right", "right")
            cell = grid(screen).selected
            assert cell is not None and cell.period is None
            assert "no year mark yet" in text_of(screen, "#details")
            assert "missed in the year" in text_of(screen, "#details")

    async def test_a_parent_switches_children_in_the_card(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "parent")
            screen = await open_card(app, pilot)
            children = app.session.user.children  # type: ignore[union-attr]
            assert screen.card is not None and screen.card.student_id == children[0].id
            await pilot.press("c")
            await until(
                pilot,
                lambda: screen.card is not None and screen.card.student_id == children[1].id,
            )

    async def test_a_student_has_nobody_to_switch_to(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            assert screen.check_action("switch_child", ()) is False

    async def test_escape_and_q_go_back_to_the_diary(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            for key in ("escape", "q"):
                await open_card(app, pilot)
                await pilot.press(key)
                await until(pilot, lambda: isinstance(app.screen, WeekScreen))

    async def test_the_previous_year_has_no_card_and_the_next_one_is_not_offered(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            assert screen.check_action("year", (1,)) is None  # no school year after this one
            await pilot.press("left_square_bracket")
            await until(pilot, lambda: screen.card is not None and screen.card.year == 2025)
            assert text_of(screen, "#year") == "School year 2025/26"
            assert screen.query_one("#empty").display
            await pilot.press("right_square_bracket")
            await until(pilot, lambda: screen.card is not None and screen.card.year == 2026)

    async def test_clicking_a_cell_selects_it_and_clicking_again_opens_it(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            view = grid(screen)
            # The third subject's first period: the header line, then a line per subject.
            x = 1 + view._name_width + 2 + 1
            await pilot.click(ReportGrid, offset=(x, 3))
            cell = view.selected
            assert screen.card is not None and cell is not None
            assert (cell.subject, cell.period) == (screen.card.subjects[2], screen.card.periods[0])
            await pilot.click(ReportGrid, offset=(x, 3))
            await until(pilot, lambda: isinstance(app.screen, SubjectMarksScreen))

    async def test_help_lists_the_keys_of_the_card(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            actions = {key.action for key in app.keys_of(screen)}
            assert {"back", "what_do_i_need", "export", "year(-1)", "activate"} <= actions
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))

    async def test_missed_counts_the_cursors_period_as_the_details_line_does(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """Issue 15: the column counted the year while the quarter's line said "nothing
        missed"; now both count the period under the cursor, and the heading says which."""
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            card = screen.card
            assert card is not None
            table = grid(screen)
            for keys, heading, counts in (
                ((), "Missed Q2", [s.periods[1].absences for s in card.subjects]),
                (("right", "right", "right"), "Missed year", None),
                (("left", "left", "left", "left"), "Missed Q1", None),
            ):
                await pilot.press(*keys)
                lines = table.plain_lines()
                assert lines[0].endswith(heading)
                cell = table.selected
                assert cell is not None
                if counts is None:
                    counts = [
                        s.periods[card.periods.index(cell.period)].absences
                        if cell.period is not None
                        else sum(p.absences for p in s.periods)
                        for s in card.subjects
                    ]
                assert [int(line.split()[-1]) for line in lines[1:]] == counts  # 0, not "—"
                details = text_of(screen, "#details")
                if counts[0]:
                    assert f"missed{' in the year' if cell.period is None else ''} {counts[0]}" in (
                        details
                    )
                else:
                    assert "nothing missed" in details
            assert 0 in counts and any(counts)

    async def test_missed_is_labelled_in_russian_too(self, start: Callable[..., EdiaryApp]) -> None:
        app = start(lang="ru")
        async with app.run_test(size=SIZE) as pilot:
            await diary_in_any_language(app, pilot)
            await pilot.press("R")
            await until(pilot, lambda: isinstance(app.screen, ReportCardScreen))
            screen = app.screen
            assert isinstance(screen, ReportCardScreen)
            await until(pilot, lambda: screen.card is not None)
            assert grid(screen).plain_lines()[0].endswith("Пропуски II")

    @pytest.mark.parametrize("size", [(60, 20), (80, 24)])
    async def test_a_blank_column_keeps_the_scroll_bar_off_the_missed_column(
        self, start: Callable[..., EdiaryApp], size: tuple[int, int]
    ) -> None:
        """Issue 15: the scroll bar sat against the last column and read as data."""
        app = start()
        async with app.run_test(size=size) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            table = grid(screen)
            await pilot.pause()
            assert table.show_vertical_scrollbar == (size == (60, 20))
            table.scroll_to(x=table.max_scroll_x, animate=False, immediate=True)  # the last column
            await pilot.pause()
            width = table.scrollable_content_region.width  # up to the scroll bar
            for y in range(table.scrollable_content_region.height):
                line = table.render_line(y)
                assert line.cell_length == width
                assert line.text[-1] == " ", line.text  # the column before the bar is blank


class TestSession:
    async def test_r_shows_a_period_mark_the_teacher_has_just_set(
        self, start: Callable[..., EdiaryApp], maths_teacher: DiaryClient
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            card = screen.card
            assert card is not None and screen.child is not None
            teacher = maths_teacher
            me = await teacher.me()
            taught = {t.subject_id for t in me.teaching if t.class_name == screen.child.class_name}
            subject = next(s for s in card.subjects if s.id in taught)
            current = period_containing(card.periods, PINNED_TODAY)
            assert current is not None
            await teacher.set_period_mark(
                PeriodMarkIn(
                    student_id=screen.child.id, subject_id=subject.id, period_id=current.id, value=5
                )
            )
            await pilot.press("r")

            def shown() -> bool:
                row = next(s for s in screen.card.subjects if s.id == subject.id)  # type: ignore[union-attr]
                return row.periods[card.periods.index(current)].mark == 5

            await until(pilot, shown)
            assert text_of(screen, "#freshness") == "updated 18:00"

    async def test_an_expired_session_goes_back_to_the_login(
        self, start: Callable[..., EdiaryApp], clock: FakeClock
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            clock.advance(days=31)  # the token has expired on the server
            await pilot.press("R")
            await until(pilot, lambda: isinstance(app.screen, LoginScreen))


class TestOffline:
    async def test_an_unreachable_server_shows_the_saved_card_with_a_banner(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        server = f"http://127.0.0.1:{closed_port()}"
        first = new_app(new_session(school(), server=server))
        async with first.run_test(size=SIZE) as pilot:
            await log_in(pilot, "student", "demo")
            await until(pilot, lambda: in_diary(first))
            seen = (await open_card(first, pilot)).card

        second = new_app(new_session(httpx.AsyncHTTPTransport(), server=server))
        async with second.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(second.screen, WeekScreen))
            await pilot.press("R")
            await until(pilot, lambda: isinstance(second.screen, ReportCardScreen))
            screen = second.screen
            assert isinstance(screen, ReportCardScreen)
            assert screen.card == seen  # at once, from the cache
            banner = screen.query_one(Banner)
            await until(pilot, lambda: banner.display)
            assert str(banner.render()).startswith(f"No connection to {server}")
            await until(pilot, lambda: text_of(screen, "#freshness").startswith("saved copy"))
            # A subject's marks come from the year's marks the card kept.
            subject = await open_subject_offline(second, pilot)
            assert subject.marks is not None

    async def test_a_card_never_loaded_says_so_offline(self) -> None:
        server = f"http://127.0.0.1:{closed_port()}"
        app = new_app(new_session(httpx.AsyncHTTPTransport(), server=server))
        async with app.run_test(size=SIZE) as pilot:
            child = ChildRef(id="1", full_name="Ученик Один", class_name="7А", school_name="1")
            user = User(id="1", login="s", full_name="Ученик Один", roles=[Role.STUDENT])
            user.children = [child]
            screen = ReportCardScreen(
                app.session, user, student_id="1", today=PINNED_TODAY, clock=app.clock
            )
            await app.push_screen(screen)
            empty = screen.query_one("#empty", Static)
            await until(pilot, lambda: empty.display)
            assert "never loaded" in str(empty.render())
            assert screen.query_one(Banner).display
            assert screen.check_action("export", ()) is False


async def open_subject_offline(app: EdiaryApp, pilot: Pilot[Any]) -> SubjectMarksScreen:
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, SubjectMarksScreen))
    screen = app.screen
    assert isinstance(screen, SubjectMarksScreen)
    await until(pilot, lambda: screen.marks is not None)
    return screen


class TestSubjectMarks:
    async def test_enter_opens_the_marks_of_the_subject_in_the_period(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            card_screen = await open_card(app, pilot)
            cell = grid(card_screen).selected
            assert cell is not None and cell.period is not None
            screen = await open_subject(app, pilot)
            period = cell.period
            expected = await app.session.client.marks(
                screen.child.id,  # type: ignore[union-attr]
                from_=period.starts_on,
                to=period.ends_on,
                subject_id=cell.subject.id,
            )
            assert screen.marks == expected and expected
            heading = str(screen.query_one("#heading").render())
            assert heading.startswith(f"{cell.subject.name} · 2nd quarter")
            options = screen.query_one("#marks", OptionList)
            assert options.option_count == len(expected)
            first = str(options.get_option_at_index(0).prompt)
            assert expected[0].control_form.name in first
            # The details line says everything about the highlighted mark.
            details = text_of(screen, "#details")
            assert expected[0].teacher.full_name in details
            assert f"weight {expected[0].control_form.weight}" in details

    async def test_the_breakdown_shows_each_kind_of_work_and_the_arithmetic(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            await open_card(app, pilot)
            await pilot.press("left")  # the first quarter: more marks
            screen = await open_subject(app, pilot)
            marks = [scored(m) for m in screen.marks or []]
            text = text_of(screen, "#breakdown-text")
            for stat in breakdown(marks):
                assert f"{stat.share:.0%}" in text
            average = weighted_average(marks)
            assert average is not None and f"= {average:.2f}" in text
            assert "Tests" in text

    async def test_what_do_i_need_answers_with_the_domain_and_the_schools_settings(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_diary(app, pilot, "student")
            await open_card(app, pilot)
            screen = await open_subject(app, pilot, "w")
            goal = screen.query_one("#goal", Input)
            await until(pilot, lambda: goal.has_focus)
            settings = screen.settings
            assert settings is not None
            _mark, proposed, *_ = screen._figures()
            assert goal.value == str(default_goal(settings, proposed))
            answer = text_of(screen, "#answer")
            target = int(goal.value)
            marks = [scored(m) for m in screen.marks or []]
            top_weight = max(f.weight for f in settings.control_forms)
            left = lessons_left(
                screen.week,
                screen.subject.id,
                PINNED_TODAY,
                screen.period.ends_on,  # type: ignore[union-attr]
                app.clock(),
            )
            assert left is not None and left > 0
            needed = what_do_i_need(
                marks,
                target,
                top_weight,
                settings.round_threshold,
                settings.scale_min,
                settings.scale_max,
                limit=left,
            )
            best = needed[settings.scale_max]
            assert best is not None
            rows = [line.split() for line in answer.splitlines()]
            top = next(row for row in rows if row and row[0] == str(settings.scale_max))
            assert top[1] == str(best)  # the heaviest weight comes first
            assert f"About {left} lessons left" in answer

    async def test_a_goal_may_be_an_average_and_a_bad_one_is_said(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_diary(app, pilot, "student")
            await open_card(app, pilot)
            screen = await open_subject(app, pilot, "w")
            goal = screen.query_one("#goal", Input)
            goal.value = "4,2"
            await pilot.pause()
            assert "The goal is an average of 4.20." in text_of(screen, "#answer")
            goal.value = "seven"
            await pilot.pause()
            assert text_of(screen, "#answer").startswith("A mark from 1 to 5")
            # An average of exactly the top of the scale after a lower mark: never.
            goal.value = "5.0"
            await pilot.pause()
            assert "Out of reach this period" in text_of(screen, "#answer")

    async def test_plus_and_minus_step_the_goal(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_diary(app, pilot, "student")
            await open_card(app, pilot)
            screen = await open_subject(app, pilot)
            goal = screen.query_one("#goal", Input)
            goal.value = "4"
            await pilot.pause()
            screen.query_one("#marks").focus()
            await pilot.press("minus")
            assert goal.value == "3"
            await pilot.press("plus")
            await pilot.press("plus")
            assert goal.value == "5"
            assert "A 5 needs an average of 4.50." in text_of(screen, "#answer")

    async def test_brackets_turn_to_the_other_periods_and_the_year(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            card_screen = await open_card(app, pilot)
            card = card_screen.card
            assert card is not None
            screen = await open_subject(app, pilot)
            await pilot.press("left_square_bracket")
            await until(pilot, lambda: "1st quarter" in str(screen.query_one("#heading").render()))
            assert screen.check_action("period", (-1,)) is None
            for _ in range(len(card.periods)):
                await pilot.press("right_square_bracket")
            await until(
                pilot, lambda: "the whole year" in str(screen.query_one("#heading").render())
            )
            assert screen.check_action("period", (1,)) is None
            await until(pilot, lambda: screen.marks is not None)
            assert "period marks" in text_of(screen, "#answer")
            # Back on the card, the cursor is where the subject screen was: the year.
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ReportCardScreen))
            cell = grid(card_screen).selected
            assert cell is not None and cell.period is None

    async def test_a_digit_typed_after_the_goal_replaces_it(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """Issue 15: "5" then 3 made "53"; the goal is one mark, so the 3 replaces the 5."""
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_diary(app, pilot, "student")
            await open_card(app, pilot)
            screen = await open_subject(app, pilot, "w")
            goal = screen.query_one("#goal", Input)
            await until(pilot, lambda: goal.has_focus)
            await pilot.press("end", "backspace", "5", "3")
            assert goal.value == "3"
            await pilot.press("4")
            assert goal.value == "4"
            await pilot.press("full_stop", "5")  # an average is still typed as one
            assert goal.value == "4.5"
            assert "The goal is an average of 4.50." in text_of(screen, "#answer")

    @pytest.mark.parametrize(
        ("lang", "fewest", "left_only", "out_of_reach"),
        [
            (
                "en",
                "Fewest marks needed",
                "About {left} lessons left in the period.",
                "Out of reach this period, even with the best marks in every lesson left.",
            ),
            (
                "ru",
                "Нужно не меньше",
                "До конца периода примерно уроков: {left}.",
                "В этом периоде не достичь, даже с лучшими оценками на всех оставшихся уроках.",
            ),
        ],
    )
    async def test_out_of_reach_is_one_true_sentence(
        self,
        start: Callable[..., EdiaryApp],
        lang: str,
        fewest: str,
        left_only: str,
        out_of_reach: str,
    ) -> None:
        """Issue 15: "Fewest marks needed:" followed by "Out of reach" read wrong."""
        app = start(lang=lang)
        async with app.run_test(size=(120, 40)) as pilot:
            await diary_in_any_language(app, pilot)
            await pilot.press("R")
            await until(pilot, lambda: isinstance(app.screen, ReportCardScreen))
            card = app.screen
            assert isinstance(card, ReportCardScreen)
            await until(pilot, lambda: card.card is not None and bool(card.settings))
            await pilot.press("w")
            await until(pilot, lambda: isinstance(app.screen, SubjectMarksScreen))
            screen = app.screen
            assert isinstance(screen, SubjectMarksScreen)
            await until(pilot, lambda: screen.marks is not None and screen.week is not None)
            await settled(pilot)
            goal = screen.query_one("#goal", Input)
            goal.value = "5.0"  # an average of the top of the scale after a lower mark: never
            await pilot.pause()
            left = lessons_left(
                screen.week,
                screen.subject.id,
                PINNED_TODAY,
                screen.period.ends_on,  # type: ignore[union-attr]
                app.clock(),
            )
            answer = text_of(screen, "#answer").splitlines()
            assert fewest not in " ".join(answer)
            assert answer[1:] == [left_only.format(left=left), out_of_reach]


class TestExport:
    async def test_e_writes_the_card_to_csv_in_the_documents_folder_for_its_owner_only(
        self,
        start: Callable[..., EdiaryApp],
        home: Path,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.chdir(tmp_path)  # the current directory is not where exports go
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            card = screen.card
            assert card is not None and screen.child is not None
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, ExportModal))
            name = report_card_name(short_name(screen.child.full_name), card.year)
            path = home / "documents" / name
            assert app.screen.query_one("#path", Input).value == str(path)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ReportCardScreen))
            await until(pilot, lambda: any(str(path) in str(n.message) for n in app._notifications))
        assert path.exists() and not list(tmp_path.glob("*.csv"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert screen.child.full_name.split()[0] in name
        with path.open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.reader(file))
        assert rows == report_card_rows(card, csv_header(card))
        assert rows[0][:3] == ["Subject", "Teacher", "1st quarter: average"]
        assert [row[0] for row in rows[1:]] == [s.name for s in card.subjects]

    async def test_a_file_already_there_is_replaced_only_when_the_person_says_so(
        self, start: Callable[..., EdiaryApp], home: Path
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            assert screen.card is not None and screen.child is not None
            path = (
                home
                / "documents"
                / report_card_name(short_name(screen.child.full_name), screen.card.year)
            )
            path.parent.mkdir(parents=True)
            path.write_text("kept")
            path.chmod(0o644)
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, ExportModal))
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            assert str(path) in str(app.screen.query_one("#question").render())
            await pilot.press("n")
            await until(pilot, lambda: isinstance(app.screen, ExportModal))
            assert path.read_text() == "kept"
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            await pilot.press("y")
            await until(pilot, lambda: isinstance(app.screen, ReportCardScreen))
        assert path.read_text("utf-8-sig").startswith("Subject,")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left

    async def test_a_folder_typed_once_is_where_the_next_export_goes(
        self, start: Callable[..., EdiaryApp], tmp_path: Path
    ) -> None:
        folder = tmp_path / "school"
        folder.mkdir()
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_card(app, pilot)
            assert screen.card is not None and screen.child is not None
            name = report_card_name(short_name(screen.child.full_name), screen.card.year)
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, ExportModal))
            app.screen.query_one("#path", Input).value = str(folder)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ReportCardScreen))
            assert (folder / name).exists()
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, ExportModal))
            assert app.screen.query_one("#path", Input).value == str(folder / name)
            await pilot.press("escape")

    async def test_a_path_that_cannot_be_written_is_said_in_the_modal(
        self,
        start: Callable[..., EdiaryApp],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        monkeypatch.chdir(tmp_path)
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            await open_card(app, pilot)
            await pilot.press("e")
            await until(pilot, lambda: isinstance(app.screen, ExportModal))
            app.screen.query_one("#path", Input).value = "no/such/folder/card.csv"
            await pilot.press("enter")
            error = app.screen.query_one("#export-error", Static)
            await until(pilot, lambda: error.display)
            assert "Cannot write" in str(error.render())
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, ReportCardScreen))

    def test_the_header_is_in_the_users_language_five_columns_a_period(self) -> None:
        card = ReportCard(student_id="1", year=2026, periods=[], subjects=[])
        assert csv_header(card) == ["Subject", "Teacher", "Year mark", "Missed in the year"]
