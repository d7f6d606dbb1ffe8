"""Numbers and waits as each language writes them (Babel's CLDR data): a decimal comma
in Russian wherever an average is shown, waits in minutes and hours, not seconds."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

import pytest

from ediary_tui import i18n
from ediary_tui.i18n import number, signed_number, wait_text
from ediary_tui.widgets.report_grid import average_text
from ediary_tui.widgets.sparkline_chart import figure


@pytest.fixture
def russian() -> Iterator[None]:
    i18n.set_language("ru")
    yield
    i18n.set_language("en")


class TestNumbers:
    def test_english_has_a_decimal_point(self) -> None:
        assert number(3.6666) == "3.67"
        assert number(4) == "4.00"

    def test_russian_has_a_decimal_comma(self, russian: None) -> None:
        assert number(3.6666) == "3,67"
        assert number(Fraction(9, 2)) == "4,50"
        assert number(Decimal("2.5"), 1) == "2,5"

    def test_rounding_is_half_up_as_the_school_rounds(self) -> None:
        assert number(3.665) == "3.67"  # f"{3.665:.2f}" gives 3.67 by luck, 2.675 -> 2.67
        assert number(2.675) == "2.68"
        assert number(Fraction(29, 8)) == "3.63"  # 3.625

    def test_a_change_carries_its_sign(self, russian: None) -> None:
        assert signed_number(0.25) == "+0,25"
        assert signed_number(-0.254) == "-0,25"
        assert signed_number(0) == "+0,00"


class TestWherever_an_average_is_shown:
    def test_the_report_card(self, russian: None) -> None:
        assert average_text(3.6666) == "3,67"
        assert average_text(None) == ""

    def test_the_progress_chart(self, russian: None) -> None:
        assert figure(4.5) == "4,50"
        assert figure(None) == "—"


class TestWaits:
    @pytest.mark.parametrize(
        ("seconds", "english", "russian"),
        [
            (894, "in 15 minutes", "через 15 минут"),
            (60, "in 1 minute", "через 1 минуту"),
            (5400, "in 2 hours", "через 2 часа"),
            (30, "in 30 seconds", "через 30 секунд"),
            (0, "in 1 second", "через 1 секунду"),
        ],
    )
    def test_in_words(self, seconds: int, english: str, russian: str) -> None:
        assert wait_text(seconds) == english
        i18n.set_language("ru")
        try:
            assert wait_text(seconds) == russian
        finally:
            i18n.set_language("en")
