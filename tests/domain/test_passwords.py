"""The rule for a new password, as the server and the app both apply it."""

from __future__ import annotations

import pytest

from ediary_tui.domain.passwords import (
    HINT,
    MIN_LENGTH,
    REASONS,
    Weakness,
    explain,
    password_weakness,
)

WHO = {"login": "novikova.op", "full_name": "Новикова Ольга Петровна"}


@pytest.mark.parametrize(
    ("password", "weakness"),
    [
        ("short", Weakness.TOO_SHORT),
        ("11111111", Weakness.COMMON),
        ("qwerty12", Weakness.COMMON),
        ("superman", Weakness.COMMON),
        ("aaaaaaaa", Weakness.REPEAT),
        (" " * 8, Weakness.REPEAT),
        ("abcdefgh", Weakness.SEQUENCE),
        ("01.09.2015", Weakness.DATE),
        ("novikova.op", Weakness.PERSONAL),
        ("olga1985!", Weakness.PERSONAL),  # the name in Latin letters
        ("Olga-Novikova", Weakness.PERSONAL),
        ("xk7rp2qa", Weakness.GUESSABLE),
    ],
)
def test_weak_passwords_and_why(password: str, weakness: Weakness) -> None:
    assert password_weakness(password, **WHO) == weakness


@pytest.mark.parametrize(
    "password",
    ["sinie-gory-7", "a-long-secret", "blue kettle under snow", "синий чайник под снегом"],
)
def test_a_few_unrelated_words_pass(password: str) -> None:
    assert password_weakness(password, **WHO) is None


def test_a_long_password_is_judged_on_its_start() -> None:
    assert password_weakness("a" * 500, **WHO) == Weakness.REPEAT
    assert password_weakness("sinie-gory-7" + "a" * 500, **WHO) is None


def test_every_weakness_is_explained_with_what_would_pass() -> None:
    assert set(REASONS) == set(Weakness)
    text = explain(Weakness.COMMON)
    assert text.startswith("This is one of the most common") and HINT in text
    assert str(MIN_LENGTH) in HINT
