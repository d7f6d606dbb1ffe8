"""Attendance: journal letters, the keys that type them, counting absences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ediary_tui.domain.attendance import (
    JOURNAL_LETTERS,
    KEYS,
    AbsenceCount,
    code_from_key,
    count_absences,
    counts_as_absence,
    is_illness,
)
from ediary_tui.domain.models import AttendanceCode

A = AttendanceCode


class TestJournalLetters:
    def test_every_code_has_its_journal_letter(self) -> None:
        assert JOURNAL_LETTERS == {A.ABSENT: "н", A.ILL: "б", A.EXCUSED: "у", A.LATE: "оп"}


class TestKeys:
    @pytest.mark.parametrize(
        ("key", "code"),
        [
            ("н", A.ABSENT),
            ("n", A.ABSENT),
            ("б", A.ILL),
            ("b", A.ILL),
            ("у", A.EXCUSED),
            ("u", A.EXCUSED),
            ("о", A.LATE),
            ("l", A.LATE),
        ],
    )
    def test_cyrillic_and_latin_keys_type_the_same_code(
        self, key: str, code: AttendanceCode
    ) -> None:
        assert code_from_key(key) == code
        assert KEYS[key] == code

    @pytest.mark.parametrize("key", ["Н", "N", "Б", "B", "У", "U", "О", "L"])
    def test_upper_case_works_too(self, key: str) -> None:
        assert code_from_key(key) == KEYS[key.lower()]

    def test_the_journal_letter_for_late_can_be_typed(self) -> None:
        assert code_from_key("оп") == A.LATE

    @pytest.mark.parametrize("key", ["x", "5", "", " ", "escape", "о п"])
    def test_other_keys_mean_nothing(self, key: str) -> None:
        assert code_from_key(key) is None

    def test_every_code_has_a_key(self) -> None:
        assert set(KEYS.values()) == set(AttendanceCode)


class TestCountsAsAbsence:
    @pytest.mark.parametrize("code", [A.ABSENT, A.ILL, A.EXCUSED])
    def test_missing_the_lesson_is_an_absence_excused_or_not(self, code: AttendanceCode) -> None:
        assert counts_as_absence(code)

    def test_being_late_is_not_an_absence(self) -> None:
        assert not counts_as_absence(A.LATE)

    def test_no_code_is_no_absence(self) -> None:
        assert not counts_as_absence(None)

    def test_only_ill_is_illness(self) -> None:
        assert is_illness(A.ILL)
        assert not any(is_illness(c) for c in (A.ABSENT, A.EXCUSED, A.LATE, None))


class TestCountAbsences:
    def test_counts_absences_and_illness_apart(self) -> None:
        codes = [A.ABSENT, None, A.ILL, A.LATE, A.ILL, A.EXCUSED, None]
        assert count_absences(codes) == AbsenceCount(absences=4, ill=2)

    def test_nothing_is_zero(self) -> None:
        assert count_absences([]) == AbsenceCount(0, 0)
        assert count_absences([None, A.LATE]) == AbsenceCount(0, 0)

    @given(st.lists(st.one_of(st.none(), st.sampled_from(list(AttendanceCode)))))
    def test_illness_is_a_part_of_the_absences(self, codes: list[AttendanceCode | None]) -> None:
        result = count_absences(iter(codes))
        assert 0 <= result.ill <= result.absences <= len(codes)
        assert result.absences == sum(c in (A.ABSENT, A.ILL, A.EXCUSED) for c in codes)
