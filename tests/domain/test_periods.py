"""School years, quarters and half-years, weeks."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ediary_tui.domain.periods import (
    PeriodSpan,
    iso_week_label,
    nearest_period,
    period_containing,
    period_kind_for_grade,
    school_year_of,
    standard_periods,
    week_days,
    week_start,
)

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
years = st.integers(min_value=2000, max_value=2100)


class TestSchoolYear:
    def test_september_onwards_belongs_to_that_year(self) -> None:
        assert school_year_of(date(2024, 9, 1)) == 2024
        assert school_year_of(date(2024, 12, 31)) == 2024

    def test_january_to_august_belongs_to_the_year_before(self) -> None:
        assert school_year_of(date(2025, 1, 1)) == 2024
        assert school_year_of(date(2025, 8, 31)) == 2024

    @given(days)
    def test_the_school_year_starts_no_later_than_the_day(self, d: date) -> None:
        year = school_year_of(d)
        assert date(year, 9, 1) <= d < date(year + 1, 9, 1)


class TestPeriodKind:
    @pytest.mark.parametrize("grade", range(1, 10))
    def test_grades_one_to_nine_have_quarters(self, grade: int) -> None:
        assert period_kind_for_grade(grade) == "quarter"

    @pytest.mark.parametrize("grade", [10, 11])
    def test_grades_ten_and_eleven_have_half_years(self, grade: int) -> None:
        assert period_kind_for_grade(grade) == "half"

    @pytest.mark.parametrize("grade", [0, 12, -1])
    def test_there_are_no_other_grades(self, grade: int) -> None:
        with pytest.raises(ValueError):
            period_kind_for_grade(grade)


class TestStandardPeriods:
    def test_four_quarters(self) -> None:
        spans = standard_periods(2025, "quarter")
        assert spans == [
            PeriodSpan("quarter", 1, "1st quarter", date(2025, 9, 1), date(2025, 10, 26)),
            PeriodSpan("quarter", 2, "2nd quarter", date(2025, 11, 5), date(2025, 12, 28)),
            PeriodSpan("quarter", 3, "3rd quarter", date(2026, 1, 9), date(2026, 3, 22)),
            PeriodSpan("quarter", 4, "4th quarter", date(2026, 4, 1), date(2026, 5, 26)),
        ]

    def test_two_half_years(self) -> None:
        spans = standard_periods(2025, "half")
        assert spans == [
            PeriodSpan("half", 1, "1st half-year", date(2025, 9, 1), date(2025, 12, 28)),
            PeriodSpan("half", 2, "2nd half-year", date(2026, 1, 9), date(2026, 5, 26)),
        ]

    def test_a_start_on_sunday_moves_to_monday(self) -> None:
        # 1 September 2024 and 5 November 2023 were Sundays.
        assert standard_periods(2024, "quarter")[0].starts_on == date(2024, 9, 2)
        assert standard_periods(2024, "half")[0].starts_on == date(2024, 9, 2)
        assert standard_periods(2023, "quarter")[1].starts_on == date(2023, 11, 6)

    def test_an_unknown_kind_is_refused(self) -> None:
        with pytest.raises(ValueError):
            standard_periods(2024, "trimester")

    @given(years, st.sampled_from(["quarter", "half"]))
    def test_periods_are_ordered_apart_and_never_start_on_sunday(
        self, year: int, kind: str
    ) -> None:
        spans = standard_periods(year, kind)
        assert [s.number for s in spans] == list(range(1, len(spans) + 1))
        for span in spans:
            assert span.starts_on < span.ends_on
            assert span.starts_on.weekday() != 6
            assert school_year_of(span.starts_on) == year
            assert school_year_of(span.ends_on) == year
        for before, after in pairwise(spans):
            assert before.ends_on < after.starts_on


class TestPeriodContaining:
    spans = standard_periods(2024, "quarter")

    def test_finds_the_period_of_a_school_day(self) -> None:
        assert period_containing(self.spans, date(2024, 10, 1)) == self.spans[0]
        assert period_containing(self.spans, date(2025, 2, 14)) == self.spans[2]

    def test_both_ends_are_inside(self) -> None:
        assert period_containing(self.spans, date(2024, 11, 5)) == self.spans[1]
        assert period_containing(self.spans, date(2024, 12, 28)) == self.spans[1]

    def test_holidays_belong_to_no_period(self) -> None:
        assert period_containing(self.spans, date(2024, 10, 30)) is None
        assert period_containing(self.spans, date(2025, 1, 3)) is None
        assert period_containing(self.spans, date(2025, 7, 1)) is None

    def test_no_periods_no_period(self) -> None:
        assert period_containing([], date(2024, 10, 1)) is None


class TestNearestPeriod:
    spans = standard_periods(2024, "quarter")

    def test_is_the_containing_one_during_term(self) -> None:
        assert nearest_period(self.spans, date(2025, 4, 15)) == self.spans[3]

    def test_in_the_holidays_is_the_one_just_over(self) -> None:
        assert nearest_period(self.spans, date(2024, 10, 30)) == self.spans[0]
        assert nearest_period(self.spans, date(2025, 1, 3)) == self.spans[1]
        assert nearest_period(self.spans, date(2025, 8, 20)) == self.spans[3]

    def test_before_the_year_is_the_first(self) -> None:
        assert nearest_period(self.spans, date(2024, 8, 25)) == self.spans[0]

    def test_does_not_rely_on_the_order_given(self) -> None:
        shuffled = [self.spans[2], self.spans[0], self.spans[3], self.spans[1]]
        assert nearest_period(shuffled, date(2025, 1, 3)) == self.spans[1]
        assert nearest_period(shuffled, date(2024, 8, 25)) == self.spans[0]

    def test_no_periods_no_period(self) -> None:
        assert nearest_period([], date(2024, 10, 1)) is None

    @given(days, years, st.sampled_from(["quarter", "half"]))
    def test_always_finds_one_and_prefers_the_containing(
        self, d: date, year: int, kind: str
    ) -> None:
        spans = standard_periods(year, kind)
        found = nearest_period(spans, d)
        assert found in spans
        containing = period_containing(spans, d)
        if containing is not None:
            assert found == containing


class TestWeeks:
    def test_the_week_starts_on_monday(self) -> None:
        assert week_start(date(2024, 9, 4)) == date(2024, 9, 2)
        assert week_start(date(2024, 9, 2)) == date(2024, 9, 2)
        assert week_start(date(2024, 9, 8)) == date(2024, 9, 2)

    @given(days)
    def test_week_start_is_a_monday_at_most_six_days_back(self, d: date) -> None:
        monday = week_start(d)
        assert monday.weekday() == 0
        assert timedelta(0) <= d - monday <= timedelta(days=6)

    def test_a_five_day_week_runs_to_friday(self) -> None:
        assert week_days(date(2024, 9, 2), 5) == [date(2024, 9, d) for d in range(2, 7)]

    def test_a_six_day_week_runs_to_saturday(self) -> None:
        assert week_days(date(2024, 9, 2), 6) == [date(2024, 9, d) for d in range(2, 8)]

    def test_any_day_gives_the_days_of_its_week(self) -> None:
        assert week_days(date(2024, 9, 5), 5)[0] == date(2024, 9, 2)

    @pytest.mark.parametrize("n", [0, 4, 7])
    def test_other_week_lengths_are_refused(self, n: int) -> None:
        with pytest.raises(ValueError):
            week_days(date(2024, 9, 2), n)

    def test_the_iso_week_label(self) -> None:
        assert iso_week_label(date(2024, 9, 2)) == "2024-W36"
        assert iso_week_label(date(2025, 1, 6)) == "2025-W02"

    def test_the_iso_week_label_crosses_the_new_year(self) -> None:
        # 30 December 2024 is a Monday of ISO week 1 of 2025.
        assert iso_week_label(date(2024, 12, 30)) == "2025-W01"
