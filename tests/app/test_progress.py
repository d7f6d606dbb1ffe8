"""The progress chart: sparklines per subject, the chart of the selected one, periods, sorting.

Driven with a Pilot against the real server in-process; today is pinned to
Wednesday 25 November 2026 (the second quarter) and the clock to 18:00 Moscow time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
from textual.pilot import Pilot
from textual.widgets import Static

from ediary_tui.app import EdiaryApp
from ediary_tui.domain.models import ProgressPoint, ProgressSubject, SubjectRef
from ediary_tui.i18n import short_date
from ediary_tui.screens.diary.progress import YEAR, ProgressScreen
from ediary_tui.screens.diary.week import WeekScreen
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.sparkline_chart import LEVELS, chart, sort_subjects, sparkline, trend
from ediary_tui.widgets.sparkline_rows import SparklineRows
from tests.conftest import PINNED_TODAY

from .conftest import new_app, new_session
from .test_login import closed_port, in_diary, log_in, until
from .test_week import FRESH, open_diary

SIZE = (80, 24)


def text_of(screen: Any, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def open_progress(app: EdiaryApp, pilot: Pilot[Any], key: str = "p") -> ProgressScreen:
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, ProgressScreen))
    screen = app.screen
    assert isinstance(screen, ProgressScreen)
    await until(pilot, lambda: fresh(screen))
    return screen


def fresh(screen: ProgressScreen) -> bool:
    return screen.progress is not None and text_of(screen, "#freshness") == FRESH


def rows(screen: ProgressScreen) -> SparklineRows:
    return screen.query_one(SparklineRows)


def point(day: int, value: int, average: float, weight: int = 1) -> ProgressPoint:
    return ProgressPoint(
        mark_id=str(day),
        date=dt.date(2026, 11, day),
        value=value,
        weight=weight,
        control_form="classwork",
        average=average,
    )


def subject(name: str, points: list[ProgressPoint], average: float | None) -> ProgressSubject:
    return ProgressSubject(
        subject=SubjectRef(id=name, name=name), points=points, average=average, class_average=3.5
    )


class TestProgress:
    async def test_p_opens_the_current_period_of_the_child_chosen_in_the_diary(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            week = await open_diary(app, pilot, "parent")
            second = app.session.user.children[1]  # type: ignore[union-attr]
            await pilot.press("c")
            await until(pilot, lambda: week.week is not None and week.week.student_id == second.id)
            screen = await open_progress(app, pilot)
            progress = screen.progress
            assert progress is not None and progress.student_id == second.id
            assert progress.period is not None
            assert progress.period.starts_on <= PINNED_TODAY <= progress.period.ends_on
            assert progress == await app.session.client.progress(
                second.id, period_id=progress.period.id
            )
            assert text_of(screen, "#range").startswith("2nd quarter (5 Nov – 28 Dec)")

    async def test_the_russian_layout_key_opens_it_too(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            await open_progress(app, pilot, "з")

    async def test_a_line_per_subject_with_its_average_and_the_class_average(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_progress(app, pilot)
            progress = screen.progress
            assert progress is not None
            shown = rows(screen).subjects
            assert shown == sort_subjects(progress.subjects, "average")
            lines = rows(screen).plain_lines()
            assert lines[0].split() == ["Subject", "Marks", "avg", "class", "trend"]
            by_name = {line[1:26].strip(): line for line in lines[1:] if line[1:2].strip()}
            for item in progress.subjects:
                line = next(v for k, v in by_name.items() if item.subject.name.startswith(k[:20]))
                if item.average is not None:
                    assert f"{item.average:.2f}" in line
                if item.class_average is not None:
                    assert f"{item.class_average:.2f}" in line
                if not item.points:
                    assert "no marks yet" in line

    async def test_the_class_average_is_the_servers_and_no_classmates_marks_arrive(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_progress(app, pilot)
            progress = screen.progress
            assert progress is not None
            own = {
                m.id
                for m in await app.session.client.marks(
                    progress.student_id, from_=progress.starts_on, to=progress.ends_on
                )
            }
            assert {p.mark_id for s in progress.subjects for p in s.points} <= own
            assert any(s.class_average is not None for s in progress.subjects)

    async def test_the_selected_subject_grows_into_a_chart_with_dates(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_progress(app, pilot)
            view = rows(screen)
            first = view.selected
            assert first is not None and first.points
            lines = view.plain_lines()
            assert lines[1].startswith(f"▌{first.subject.name}")
            assert lines[2].lstrip().startswith("5 ┤")
            assert any("└" in line for line in lines[2:16])
            dates = next(line for line in lines[2:18] if short_date(view.start) in line)
            assert dates.rstrip().endswith(short_date(PINNED_TODAY))  # the chart runs to today
            assert any("running average" in line for line in lines[2:18])
            assert first.subject.name in text_of(screen, "#details")
            await pilot.press("down")
            second = view.selected
            assert second is not None and second != first
            lines = view.plain_lines()
            assert lines[1].startswith(f" {first.subject.name}")
            assert lines[2].startswith(f"▌{second.subject.name}")
            assert second.subject.name in text_of(screen, "#details")

    async def test_hovering_a_mark_in_the_chart_says_its_date_form_and_weight(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_progress(app, pilot)
            view = rows(screen)
            line = next(n for n, x in enumerate(view._lines) if x.chart is not None)
            drawn = view._lines[line].chart
            assert drawn is not None and drawn.marks_at
            column, points = next(iter(sorted(drawn.marks_at.items())))
            await pilot.hover(SparklineRows, offset=(drawn.left + column, line + 1))
            assert view.tooltip is not None
            assert short_date(points[0].date) in str(view.tooltip)
            assert f"weight {points[0].weight}" in str(view.tooltip)

    async def test_clicking_a_subject_draws_its_chart(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_progress(app, pilot)
            view = rows(screen)
            last = len(view._lines) - 1  # the last subject's line, under the first one's chart
            wanted = view.subjects[view._lines[last].subject]
            await pilot.click(SparklineRows, offset=(5, last + 1))
            assert view.selected == wanted
            assert wanted.subject.name in text_of(screen, "#details")

    async def test_o_sorts_by_average_then_trend_then_name(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_progress(app, pilot)
            progress = screen.progress
            assert progress is not None
            assert text_of(screen, "#sort") == "sorted by average (o)"
            for order in ("trend", "name", "average"):
                await pilot.press("o")
                assert rows(screen).subjects == sort_subjects(progress.subjects, order)
                assert text_of(screen, "#sort") == f"sorted by {order} (o)"

    async def test_brackets_turn_to_other_periods_and_y_to_the_year(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_progress(app, pilot)
            periods = screen._periods(screen.child.id)  # type: ignore[union-attr]
            assert periods is not None and len(periods) == 4

            def showing(period_id: str) -> bool:
                p = screen.progress
                return p is not None and p.period is not None and p.period.id == period_id

            await pilot.press("left_square_bracket")
            await until(pilot, lambda: showing(periods[0].id) and fresh(screen))
            assert text_of(screen, "#range").startswith("1st quarter")
            assert screen.check_action("period", (-1,)) is None
            await pilot.press("y")
            await until(
                pilot, lambda: screen.progress is not None and screen.progress.period is None
            )
            assert text_of(screen, "#range") == "The school year 2026/27"
            assert screen.range == YEAR
            assert screen.check_action("period", (1,)) is None
            year = screen.progress
            assert year is not None and year.starts_on == dt.date(2026, 9, 1)
            await pilot.press("y")  # back to the current period
            await until(pilot, lambda: showing(periods[1].id))
            await pilot.press(
                "right_square_bracket", "right_square_bracket", "right_square_bracket"
            )
            await until(pilot, lambda: screen.range == YEAR)

    async def test_a_parent_switches_children_and_each_gets_their_current_period(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "parent")
            screen = await open_progress(app, pilot)
            children = app.session.user.children  # type: ignore[union-attr]
            await pilot.press("left_square_bracket")
            await until(pilot, lambda: screen.range is not None)
            await pilot.press("c")
            await until(
                pilot,
                lambda: (
                    screen.progress is not None
                    and screen.progress.student_id == children[1].id
                    and fresh(screen)
                ),
            )
            assert screen.progress is not None and screen.progress.period is not None
            assert screen.progress.period.starts_on <= PINNED_TODAY

    async def test_escape_goes_back_to_the_diary(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            await open_progress(app, pilot)
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, WeekScreen))

    async def test_resizing_never_breaks_the_chart(self, start: Callable[..., EdiaryApp]) -> None:
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "student")
            screen = await open_progress(app, pilot)
            for size in ((40, 15), (200, 60), (80, 24)):
                await pilot.resize_terminal(*size)
                await pilot.pause()
                width = rows(screen).scrollable_content_region.width
                assert all(len(line) <= width for line in rows(screen).plain_lines())

    async def test_a_blank_column_keeps_the_scroll_bar_off_the_charts(
        self, start: Callable[..., EdiaryApp]
    ) -> None:
        """Issue 15: the scroll bar's thumb (a half block) one column off the trends read as
        one more bar of marks; two blank columns and a track of its own set it apart."""
        app = start()
        async with app.run_test(size=SIZE) as pilot:
            await open_diary(app, pilot, "parent")
            screen = await open_progress(app, pilot)
            drawn = rows(screen)
            await pilot.pause()
            assert drawn.show_vertical_scrollbar
            width = drawn.scrollable_content_region.width  # up to the scroll bar
            for y in range(drawn.scrollable_content_region.height):
                line = drawn.render_line(y)
                assert line.cell_length == width
                assert line.text[-2:] == "  ", line.text  # two blank columns before the bar
            bar = drawn.vertical_scrollbar
            drawn_bar = app.console.render_lines(
                bar.render(), app.console.options.update_dimensions(1, bar.size.height)
            )
            glyphs = {segment.text for line in drawn_bar for segment in line}
            assert glyphs == {" "}, glyphs  # a thumb in whole cells: no ▄ like a chart's bar


class TestOffline:
    async def test_an_unreachable_server_shows_the_saved_chart_with_a_banner(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        server = f"http://127.0.0.1:{closed_port()}"
        first = new_app(new_session(school(), server=server))
        async with first.run_test(size=SIZE) as pilot:
            await log_in(pilot, "student", "demo")
            await until(pilot, lambda: in_diary(first))
            seen = (await open_progress(first, pilot)).progress

        second = new_app(new_session(httpx.AsyncHTTPTransport(), server=server))
        async with second.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(second.screen, WeekScreen))
            await pilot.press("p")
            await until(pilot, lambda: isinstance(second.screen, ProgressScreen))
            screen = second.screen
            assert isinstance(screen, ProgressScreen)
            assert screen.progress == seen
            banner = screen.query_one(Banner)
            await until(pilot, lambda: banner.display)
            await until(pilot, lambda: text_of(screen, "#freshness").startswith("saved copy"))
            # A range never loaded says so, and the saved one comes back.
            await pilot.press("y")
            empty = screen.query_one("#empty", Static)
            await until(pilot, lambda: empty.display)
            assert "never loaded" in str(empty.render())
            await pilot.press("y")
            await until(pilot, lambda: screen.progress == seen and not empty.display)


class TestDrawing:
    def test_the_trend_is_the_running_average_against_three_marks_ago(self) -> None:
        points = [point(2, 5, 5.0), point(3, 3, 4.0), point(4, 3, 3.67), point(5, 4, 3.75)]
        assert trend(points) == 3.75 - 5.0
        assert trend(points[:2]) == 4.0 - 5.0
        assert trend(points[:1]) is None

    def test_sorting_puts_subjects_without_marks_last(self) -> None:
        a = subject("Алгебра", [point(2, 3, 3.0), point(3, 5, 4.0)], 4.0)
        b = subject("Биология", [point(2, 5, 5.0)], 5.0)
        c = subject("ИЗО", [], None)
        assert sort_subjects([c, a, b], "average") == [b, a, c]
        assert sort_subjects([c, b, a], "trend") == [a, b, c]
        assert sort_subjects([c, b, a], "name") == [a, b, c]

    def test_a_sparkline_has_a_block_a_mark_as_high_as_the_mark(self) -> None:
        assert sparkline([1, 3, 5], (1, 5), 10).plain == LEVELS[0] + LEVELS[4] + LEVELS[-1]

    def test_more_marks_than_room_share_blocks(self) -> None:
        assert len(sparkline([5, 4] * 30, (1, 5), 10).plain) == 10

    def test_the_chart_puts_marks_by_date_and_labels_both_ends(self) -> None:
        item = subject("Алгебра", [point(5, 5, 5.0), point(25, 3, 4.0)], 4.0)
        drawn = chart(item, dt.date(2026, 11, 5), dt.date(2026, 11, 25), 60, (1, 5), 1)
        text = [line.plain for line in drawn.lines]
        assert len(text) == 5 + 2  # a row per mark, the axis, the dates
        assert text[0].strip().startswith("5 ┤5")  # the 5 on the first day
        assert text[2].rstrip().endswith("3")  # the 3 on the last day
        assert "┈" in text[1] or "┈" in text[2]  # the class average, 3.5
        assert text[-1].strip().startswith("5 Nov") and text[-1].rstrip().endswith("25 Nov")
        assert sorted(drawn.marks_at) == [0, 60 - 2 - 3 - 1 - 1]
