"""A woman's name, told by its patronymic, for labels that agree with her ("ученица")."""

from __future__ import annotations

import pytest

from ediary_tui.domain.names import is_female, sex_of


@pytest.mark.parametrize(
    ("name", "sex"),
    [
        ("Петрова Анна Сергеевна", "female"),
        ("Смирнова Ольга Ильинична", "female"),
        ("Кузнецова Мария Никитична", "female"),
        ("Лукина Дарья Саввична", "female"),
        ("Алиева Лейла Рашид кызы", "female"),
        ("Петров Пётр Иванович", "male"),
        ("Ильин Илья Ильич", "male"),
        ("Кузьмин Никита Фомич", "male"),
        ("Алиев Рашид Гасан оглы", "male"),
        ("Анна Сергеевна Шкляревич", "female"),  # name first: the middle word decides
        ("Шкляревич Анна Сергеевна", "female"),  # a surname in -ич is not a patronymic
        ("ПЕТРОВА АННА СЕРГЕЕВНА", "female"),
        ("Анна Петрова", None),
        ("Анна Шкляревич", None),
        ("Anna Smith", None),
        ("Петрова", None),
        ("", None),
    ],
)
def test_sex_by_the_patronymic(name: str, sex: str | None) -> None:
    assert sex_of(name) == sex
    assert is_female(name) is (sex == "female")
