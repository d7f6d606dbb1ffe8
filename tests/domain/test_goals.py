"""What a child aims at and which marks reach it: the rules behind "what do I need"."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from ediary_tui.domain.goals import default_goal, lessons_left, needed, parse_goal, weights
from ediary_tui.domain.marks import (
    DOT_DUE_AFTER,
    Scored,
    dot_default_due,
    proposed_mark,
    weighted_average,
)
from ediary_tui.domain.models import (
    Day,
    PersonRef,
    SchoolSettings,
    SubjectRef,
    Week,
    WeekLesson,
)

MSK = dt.timezone(dt.timedelta(hours=3))
TODAY = dt.date(2026, 11, 25)

marks_st = st.lists(
    st.builds(Scored, value=st.integers(1, 5), weight=st.sampled_from([1, 2, 3])), max_size=12
)


class TestParseGoal:
    def test_a_whole_number_is_a_mark_judged_by_the_schools_threshold(self) -> None:
        settings = SchoolSettings(round_threshold=0.6)
        goal = parse_goal("5", settings)
        assert goal is not None and goal.mark == 5 and goal.average == Fraction(23, 5)

    def test_a_decimal_is_an_average_with_a_point_or_a_comma(self) -> None:
        for text in ("4.5", "4,5", " 4.50 "):
            goal = parse_goal(text, SchoolSettings())
            assert goal is not None and goal.mark is None and goal.average == Fraction(9, 2)

    def test_off_the_scale_or_not_a_number_is_no_goal(self) -> None:
        for text in ("6", "0", "5.5", "", "five", "4.555"):
            assert parse_goal(text, SchoolSettings()) is None

    def test_the_lowest_mark_asks_for_no_less_than_the_bottom_of_the_scale(self) -> None:
        goal = parse_goal("1", SchoolSettings())
        assert goal is not None and goal.average == 1

    @given(st.integers(1, 5), st.sampled_from([0.5, 0.6, 0.7, 1.0]))
    def test_the_average_a_mark_asks_for_proposes_that_mark(
        self, mark: int, threshold: float
    ) -> None:
        goal = parse_goal(str(mark), SchoolSettings(round_threshold=threshold))
        assert goal is not None
        assert proposed_mark(float(goal.average), threshold) == mark


class TestDefaultGoal:
    def test_one_better_than_proposed_and_never_past_the_top(self) -> None:
        settings = SchoolSettings()
        assert default_goal(settings, 3) == 4
        assert default_goal(settings, 5) == 5
        assert default_goal(settings, None) == 5


class TestNeeded:
    def test_the_columns_are_the_schools_weights_heaviest_first(self) -> None:
        assert weights(SchoolSettings()) == sorted(set(weights(SchoolSettings())), reverse=True)
        assert all(w > 0 for w in weights(SchoolSettings()))

    @given(marks_st, st.sampled_from(["4", "5", "3.5", "4.25"]))
    def test_every_count_reaches_the_goal_and_one_fewer_does_not(
        self, marks: list[Scored], text: str
    ) -> None:
        settings = SchoolSettings()
        goal = parse_goal(text, settings)
        assert goal is not None
        for value, row in needed(marks, goal, settings, None).items():
            for weight, count in row.items():
                if count is None:
                    continue
                extra = [Scored(value, weight)]
                average = weighted_average(marks + extra * count)
                assert average is not None and Fraction(repr(average)) >= goal.average
                if count > 0:
                    before = weighted_average(marks + extra * (count - 1))
                    assert before is None or Fraction(repr(before)) < goal.average

    @given(marks_st, st.integers(0, 6))
    def test_no_answer_asks_for_more_marks_than_lessons_left(
        self, marks: list[Scored], left: int
    ) -> None:
        settings = SchoolSettings()
        goal = parse_goal("5", settings)
        assert goal is not None
        for row in needed(marks, goal, settings, left).values():
            assert all(count is None or count <= left for count in row.values())


def _lesson(day: dt.date, subject: str) -> WeekLesson:
    at = dt.datetime.combine(day, dt.time(9), MSK)
    return WeekLesson(
        id=f"{day}{subject}",
        number=1,
        starts_at=at,
        ends_at=at + dt.timedelta(minutes=45),
        subject=SubjectRef(id=subject, name=subject),
        teacher=PersonRef(id="t", full_name="T"),
    )


def test_lessons_left_repeats_this_weeks_timetable_to_the_end_of_the_period() -> None:
    monday = dt.date(2026, 11, 23)
    thursday = monday + dt.timedelta(days=3)
    days = [
        Day(date=monday, lessons=[_lesson(monday, "m")]),
        Day(date=thursday, lessons=[_lesson(thursday, "m")]),
    ]
    week = Week(student_id="1", start=monday, end=monday + dt.timedelta(days=5), days=days)
    now = dt.datetime(2026, 11, 25, 18, tzinfo=MSK)  # Wednesday: Monday's lesson is over
    # Thursday 26 Nov, then Mondays and Thursdays to Monday 28 Dec: 26.11, 30.11, 3.12, ..., 28.12.
    assert lessons_left(week, "m", TODAY, dt.date(2026, 12, 28), now) == 10
    assert lessons_left(week, "other", TODAY, dt.date(2026, 12, 28), now) is None
    assert lessons_left(None, "m", TODAY, dt.date(2026, 12, 28), now) is None


@given(st.dates(max_value=dt.date.max - DOT_DUE_AFTER))
def test_a_dot_is_due_a_week_after_its_lesson(lesson: dt.date) -> None:
    assert dot_default_due(lesson) == lesson + dt.timedelta(days=7)
