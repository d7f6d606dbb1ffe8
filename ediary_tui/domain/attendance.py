"""Attendance codes: the journal letters, the keys that type them, and the counts.

A teacher types a code with one key whatever the keyboard layout, so both the
Cyrillic letter and the Latin key in the same place (or with the same sound) work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ediary_tui.domain.models import AttendanceCode

JOURNAL_LETTERS: dict[AttendanceCode, str] = {
    AttendanceCode.ABSENT: "н",
    AttendanceCode.ILL: "б",
    AttendanceCode.EXCUSED: "у",
    AttendanceCode.LATE: "оп",
}

_LOWER_KEYS: dict[str, AttendanceCode] = {
    "н": AttendanceCode.ABSENT,
    "n": AttendanceCode.ABSENT,
    "б": AttendanceCode.ILL,
    "b": AttendanceCode.ILL,
    "у": AttendanceCode.EXCUSED,
    "u": AttendanceCode.EXCUSED,
    "о": AttendanceCode.LATE,
    "l": AttendanceCode.LATE,
}

KEYS: dict[str, AttendanceCode] = {
    **_LOWER_KEYS,
    **{key.upper(): code for key, code in _LOWER_KEYS.items()},
}

_BY_LETTER: dict[str, AttendanceCode] = {letter: code for code, letter in JOURNAL_LETTERS.items()}

_ABSENCES = frozenset({AttendanceCode.ABSENT, AttendanceCode.ILL, AttendanceCode.EXCUSED})


def code_from_key(key: str) -> AttendanceCode | None:
    """The code a key (or a typed journal letter such as 'оп') stands for; None if none."""
    return KEYS.get(key) or _BY_LETTER.get(key.lower())


def counts_as_absence(code: AttendanceCode | None) -> bool:
    """A missed lesson, excused or not; being late is not missing it."""
    return code in _ABSENCES


def is_illness(code: AttendanceCode | None) -> bool:
    """Missed for illness: counted apart on the report card."""
    return code == AttendanceCode.ILL


@dataclass(frozen=True, slots=True)
class AbsenceCount:
    """Lessons missed, and how many of them for illness (a subset)."""

    absences: int
    ill: int


def count_absences(codes: Iterable[AttendanceCode | None]) -> AbsenceCount:
    """Count missed lessons and illness among a subject's lessons in a period."""
    absences = ill = 0
    for code in codes:
        absences += counts_as_absence(code)
        ill += is_illness(code)
    return AbsenceCount(absences=absences, ill=ill)
