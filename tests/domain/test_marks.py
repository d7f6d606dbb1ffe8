"""Marks and weights: the weighted average, the proposed period mark, what-if."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ediary_tui.domain.marks import (
    CategoryStat,
    Scored,
    breakdown,
    counts,
    dot_vanishes,
    marks_needed,
    proposed_mark,
    round_average,
    weighted_average,
    what_do_i_need,
)
from ediary_tui.domain.models import Category

values = st.integers(min_value=1, max_value=5)
weights = st.integers(min_value=1, max_value=10)
categories = st.sampled_from(list(Category))
marks_st = st.builds(Scored, value=values, weight=weights, category=categories)
dots_st = st.builds(
    Scored, value=st.none(), weight=weights, category=categories, is_dot=st.just(True)
)
mark_lists = st.lists(marks_st, max_size=30)
# Targets and thresholds as people write them: hundredths.
targets = st.integers(min_value=100, max_value=500).map(lambda n: n / 100)
thresholds = st.integers(min_value=1, max_value=100).map(lambda n: n / 100)
averages = st.floats(min_value=0, max_value=6, allow_nan=False)


def m(value: int | None, weight: int = 1, category: Category = Category.CLASSWORK) -> Scored:
    return Scored(value, weight, category)


def dot(weight: int = 1) -> Scored:
    return Scored(None, weight, is_dot=True)


def reaches(marks: list[Scored], target: float) -> bool:
    average = weighted_average(marks)
    return average is not None and average >= target


class TestCounts:
    def test_a_mark_with_value_and_weight_counts(self) -> None:
        assert counts(m(4))

    def test_a_dot_never_counts(self) -> None:
        assert not counts(dot())
        assert not counts(Scored(5, 3, is_dot=True))

    def test_a_blank_or_weightless_mark_does_not_count(self) -> None:
        assert not counts(m(None))
        assert not counts(m(5, 0))
        assert not counts(m(5, -1))


class TestWeightedAverage:
    def test_weights_multiply_the_marks(self) -> None:
        assert weighted_average([m(5, 3), m(4), m(3)]) == pytest.approx(4.4)

    def test_equal_weights_give_the_plain_mean(self) -> None:
        assert weighted_average([m(5), m(4)]) == 4.5

    def test_dots_count_for_nothing(self) -> None:
        assert weighted_average([m(5), dot(3), m(3)]) == 4.0

    def test_weightless_marks_count_for_nothing(self) -> None:
        assert weighted_average([m(5), m(2, 0)]) == 5.0

    def test_no_marks_give_no_average(self) -> None:
        assert weighted_average([]) is None

    @given(st.lists(dots_st, max_size=10))
    def test_only_dots_give_no_average(self, dots: list[Scored]) -> None:
        assert weighted_average(dots) is None

    def test_accepts_any_iterable(self) -> None:
        assert weighted_average(iter([m(5), m(3)])) == 4.0

    @given(st.lists(marks_st, min_size=1, max_size=30), st.lists(dots_st, max_size=5))
    def test_lies_between_the_lowest_and_highest_mark(
        self, marks: list[Scored], dots: list[Scored]
    ) -> None:
        average = weighted_average(marks + dots)
        assert average is not None
        assert min(x.value for x in marks) <= average <= max(x.value for x in marks)

    @given(st.lists(marks_st, min_size=1, max_size=30), values, weights)
    def test_a_mark_above_the_average_never_lowers_it(
        self, marks: list[Scored], value: int, weight: int
    ) -> None:
        before = weighted_average(marks)
        assert before is not None
        assume(value >= before)
        after = weighted_average([*marks, m(value, weight)])
        assert after is not None
        assert after >= before

    @given(st.lists(marks_st, min_size=1, max_size=30), values, weights)
    def test_a_mark_below_the_average_never_raises_it(
        self, marks: list[Scored], value: int, weight: int
    ) -> None:
        before = weighted_average(marks)
        assert before is not None
        assume(value <= before)
        after = weighted_average([*marks, m(value, weight)])
        assert after is not None
        assert after <= before

    @given(mark_lists, st.integers(min_value=1, max_value=100))
    def test_scaling_all_weights_changes_nothing(self, marks: list[Scored], k: int) -> None:
        scaled = [Scored(x.value, x.weight * k, x.category) for x in marks]
        assert weighted_average(scaled) == weighted_average(marks)

    @given(mark_lists)
    def test_order_does_not_matter(self, marks: list[Scored]) -> None:
        assert weighted_average(list(reversed(marks))) == weighted_average(marks)


class TestProposedMark:
    def test_rounds_half_up_by_default(self) -> None:
        assert proposed_mark(4.5) == 5
        assert proposed_mark(4.49) == 4
        assert proposed_mark(3.5) == 4
        assert proposed_mark(2.5) == 3

    def test_a_threshold_of_0_6_makes_4_6_a_five(self) -> None:
        assert proposed_mark(4.6, threshold=0.6) == 5
        assert proposed_mark(4.59, threshold=0.6) == 4
        assert proposed_mark(4.5, threshold=0.6) == 4

    def test_the_threshold_survives_float_error(self) -> None:
        average = weighted_average([m(5, 3), m(4, 2)])  # 23/5 computed in binary
        assert proposed_mark(average, threshold=0.6) == 5
        assert proposed_mark(0.1 + 0.2 + 4.3, threshold=0.6) == 5

    def test_a_whole_average_is_that_mark(self) -> None:
        assert proposed_mark(4.0) == 4
        assert proposed_mark(5.0, threshold=1.0) == 5

    def test_is_clamped_to_the_scale(self) -> None:
        assert proposed_mark(0.2) == 1
        assert proposed_mark(7.0) == 5
        assert proposed_mark(9.5, scale_max=10) == 10

    def test_no_average_proposes_nothing(self) -> None:
        assert proposed_mark(None) is None

    @pytest.mark.parametrize("threshold", [0, -0.5, 1.01])
    def test_a_threshold_outside_zero_to_one_is_refused(self, threshold: float) -> None:
        with pytest.raises(ValueError):
            proposed_mark(4.5, threshold=threshold)

    def test_an_empty_scale_is_refused(self) -> None:
        with pytest.raises(ValueError):
            proposed_mark(4.5, scale_min=5, scale_max=1)

    @given(averages, thresholds)
    def test_stays_on_the_scale(self, average: float, threshold: float) -> None:
        mark = proposed_mark(average, threshold)
        assert mark is not None
        assert 1 <= mark <= 5

    @given(averages, averages, thresholds)
    def test_is_monotone_in_the_average(self, a: float, b: float, threshold: float) -> None:
        low, high = sorted((a, b))
        assert proposed_mark(low, threshold) <= proposed_mark(high, threshold)  # type: ignore[operator]

    @given(mark_lists, thresholds)
    def test_of_real_marks_is_within_one_of_the_average(
        self, marks: list[Scored], threshold: float
    ) -> None:
        average = weighted_average(marks)
        assume(average is not None)
        assert abs(proposed_mark(average, threshold) - average) <= 1  # type: ignore[operator]


class TestRoundAverage:
    def test_rounds_half_up_not_to_even(self) -> None:
        assert round_average(4.445) == 4.45
        assert round_average(2.675) == 2.68  # round() gives 2.67
        assert round_average(4.125) == 4.13
        assert round_average(0.5, places=0) == 1.0

    def test_keeps_two_places_by_default(self) -> None:
        assert round_average(22 / 5) == 4.4
        assert round_average(13 / 3) == 4.33
        assert round_average(14 / 3) == 4.67

    def test_other_places(self) -> None:
        assert round_average(13 / 3, places=1) == 4.3

    def test_none_stays_none(self) -> None:
        assert round_average(None) is None


class TestBreakdown:
    def test_lists_categories_tests_first_and_only_those_with_marks(self) -> None:
        marks = [
            m(4, 1, Category.HOMEWORK),
            m(5, 3, Category.TEST),
            m(3, 1, Category.CLASSWORK),
            m(5, 1, Category.CLASSWORK),
        ]
        stats = breakdown(marks)
        assert [s.category for s in stats] == [
            Category.TEST,
            Category.CLASSWORK,
            Category.HOMEWORK,
        ]
        assert stats[0] == CategoryStat(Category.TEST, 1, 3, 5.0, 0.5)
        assert stats[1] == CategoryStat(Category.CLASSWORK, 2, 2, 4.0, pytest.approx(1 / 3))
        assert stats[2] == CategoryStat(Category.HOMEWORK, 1, 1, 4.0, pytest.approx(1 / 6))

    def test_dots_are_not_marks(self) -> None:
        stats = breakdown([m(4, 1, Category.CLASSWORK), Scored(None, 3, Category.TEST, True)])
        assert [s.category for s in stats] == [Category.CLASSWORK]
        assert stats[0].share == 1.0

    def test_nothing_gives_an_empty_breakdown(self) -> None:
        assert breakdown([]) == []
        assert breakdown([dot()]) == []

    @given(st.lists(marks_st, min_size=1, max_size=30))
    def test_shares_add_up_to_one_and_counts_to_all(self, marks: list[Scored]) -> None:
        stats = breakdown(marks)
        assert sum(s.share for s in stats) == pytest.approx(1.0)
        assert sum(s.count for s in stats) == len(marks)
        assert all(0 < s.share <= 1 for s in stats)

    @given(st.lists(marks_st, min_size=1, max_size=30))
    def test_category_averages_recombine_to_the_average(self, marks: list[Scored]) -> None:
        stats = breakdown(marks)
        recombined = sum(s.average * s.weight_sum for s in stats) / sum(  # type: ignore[operator]
            s.weight_sum for s in stats
        )
        assert recombined == pytest.approx(weighted_average(marks))


class TestMarksNeeded:
    def test_two_threes_need_six_fives_for_four_and_a_half(self) -> None:
        # (3 + 3 + 5n) / (2 + n) >= 4.5  <=>  n >= 6
        assert marks_needed([m(3), m(3)], 4.5, value=5, weight=1) == 6

    def test_a_heavier_mark_needs_fewer(self) -> None:
        # (6 + 15n) / (2 + 3n) >= 4.5  <=>  1.5n >= 3
        assert marks_needed([m(3), m(3)], 4.5, value=5, weight=3) == 2

    def test_already_there_needs_none(self) -> None:
        assert marks_needed([m(5), m(4)], 4.5, value=5, weight=1) == 0

    def test_exactly_on_the_target_is_there(self) -> None:
        assert marks_needed([m(5, 3), m(4, 2)], 4.6, value=5, weight=1) == 0

    def test_a_value_below_the_target_never_gets_there(self) -> None:
        assert marks_needed([m(3)], 4.5, value=4, weight=3) is None

    def test_a_value_equal_to_the_target_only_approaches_it(self) -> None:
        assert marks_needed([m(3)], 4.0, value=4, weight=1) is None

    def test_beyond_the_limit_is_unreachable(self) -> None:
        # (20 + 5n) / (10 + n) >= 4.5  <=>  n >= 50
        assert marks_needed([m(2, 10)], 4.5, value=5, weight=1, limit=49) is None
        assert marks_needed([m(2, 10)], 4.5, value=5, weight=1, limit=50) == 50

    def test_with_no_marks_one_good_mark_is_enough(self) -> None:
        assert marks_needed([], 4.5, value=5, weight=1) == 1
        assert marks_needed([dot()], 4.5, value=5, weight=1) == 1
        assert marks_needed([], 4.5, value=4, weight=1) is None

    def test_weightless_extra_marks_never_help(self) -> None:
        assert marks_needed([m(3)], 4.5, value=5, weight=0) is None
        assert marks_needed([m(5)], 4.5, value=5, weight=0) == 0

    @given(st.lists(st.one_of(marks_st, dots_st), max_size=30), targets, values, weights)
    def test_the_answer_reaches_the_target_and_one_fewer_does_not(
        self, marks: list[Scored], target: float, value: int, weight: int
    ) -> None:
        n = marks_needed(marks, target, value, weight)
        if n is None:
            assert not reaches(marks + [m(value, weight)] * 50, target)
        else:
            assert 0 <= n <= 50
            assert reaches(marks + [m(value, weight)] * n, target)
            if n > 0:
                assert not reaches(marks + [m(value, weight)] * (n - 1), target)

    @given(mark_lists, targets, st.integers(min_value=1, max_value=4), weights)
    def test_a_higher_mark_never_needs_more(
        self, marks: list[Scored], target: float, value: int, weight: int
    ) -> None:
        lower = marks_needed(marks, target, value, weight)
        higher = marks_needed(marks, target, value + 1, weight)
        if lower is not None:
            assert higher is not None
            assert higher <= lower


class TestWhatDoINeed:
    def test_lists_every_value_on_the_scale(self) -> None:
        # Marks 3, 3; a 5 needs an average of 4.5.
        assert what_do_i_need([m(3), m(3)], target_mark=5, weight=1) == {
            1: None,
            2: None,
            3: None,
            4: None,
            5: 6,
        }

    def test_a_four_is_reachable_with_fours_or_fives(self) -> None:
        # Marks 3, 3; a 4 needs 3.5: (6 + 4n)/(2 + n) >= 3.5 -> n = 2; with fives n = 1.
        assert what_do_i_need([m(3), m(3)], target_mark=4, weight=1) == {
            1: None,
            2: None,
            3: None,
            4: 2,
            5: 1,
        }

    def test_the_threshold_sets_the_goal(self) -> None:
        # Marks 5(w3), 4(w2) average exactly 4.6: a 5 at threshold 0.6, not at 0.7,
        # where (23 + 5n) / (5 + n) >= 4.7 takes n = 2 (one more gives only 4.67).
        marks = [m(5, 3), m(4, 2)]
        assert what_do_i_need(marks, 5, weight=1, threshold=0.6)[4] == 0
        assert what_do_i_need(marks, 5, weight=1, threshold=0.7)[5] == 2

    def test_a_mark_above_the_scale_is_unreachable(self) -> None:
        assert what_do_i_need([m(5)], 6, weight=1) == dict.fromkeys(range(1, 6))

    def test_a_ten_point_scale(self) -> None:
        needed = what_do_i_need([m(6)], 8, weight=1, scale_max=10)
        assert list(needed) == list(range(1, 11))
        assert needed[10] == 1  # (6 + 10) / 2 = 8
        assert needed[7] is None

    @given(
        st.lists(st.one_of(marks_st, dots_st), max_size=30),
        st.integers(min_value=1, max_value=5),
        weights,
        thresholds,
    )
    def test_agrees_with_the_proposed_mark(
        self, marks: list[Scored], target_mark: int, weight: int, threshold: float
    ) -> None:
        def proposed_with(value: int, n: int) -> int:
            mark = proposed_mark(weighted_average(marks + [m(value, weight)] * n), threshold)
            return 0 if mark is None else mark

        needed = what_do_i_need(marks, target_mark, weight, threshold)
        assert list(needed) == [1, 2, 3, 4, 5]
        for value, n in needed.items():
            if n is None:
                assert proposed_with(value, 50) < target_mark
            else:
                assert proposed_with(value, n) >= target_mark
                if n > 0:
                    assert proposed_with(value, n - 1) < target_mark


class TestDots:
    def test_a_dot_stays_while_its_period_runs(self) -> None:
        end = date(2024, 10, 26)
        assert not dot_vanishes(date(2024, 10, 1), end, today=date(2024, 10, 20))
        assert not dot_vanishes(date(2024, 10, 1), end, today=end)

    def test_an_unfilled_dot_vanishes_once_the_period_is_over(self) -> None:
        end = date(2024, 10, 26)
        assert dot_vanishes(date(2024, 10, 1), end, today=date(2024, 10, 27))

    def test_a_due_date_after_the_period_does_not_keep_it(self) -> None:
        end = date(2024, 10, 26)
        assert dot_vanishes(date(2024, 11, 10), end, today=date(2024, 11, 6))

    def test_a_dot_without_a_due_date_follows_its_period(self) -> None:
        end = date(2024, 10, 26)
        assert not dot_vanishes(None, end, today=date(2024, 10, 26))
        assert dot_vanishes(None, end, today=date(2024, 10, 27))
