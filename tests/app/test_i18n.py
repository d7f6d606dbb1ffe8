"""One mechanism for every string: the catalogues, the language chosen, dates."""

from __future__ import annotations

import ast
import datetime as dt
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from ediary_tui import i18n
from ediary_tui.i18n import _, day_month, detect_language, long_date, short_date, week_range

# Sections only the Russian catalogue has: translations of what others say in
# English (the demo's accounts, Textual's own labels).
RU_ONLY = ("server.", "textual.")


@pytest.fixture
def russian() -> Iterator[None]:
    i18n.set_language("ru")
    yield
    i18n.set_language("en")


def fields(text: object) -> set[str]:
    if not isinstance(text, str):
        return set()
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class TestCatalogues:
    def test_russian_has_every_english_key_and_the_same_placeholders(self) -> None:
        en, ru = i18n.catalogue("en"), i18n.catalogue("ru")
        assert set(en) == {key for key in ru if not key.startswith(RU_ONLY)}
        for key, text in en.items():
            if not key.startswith("calendar."):  # a date format picks what its language uses
                assert fields(ru[key]) == fields(text), key

    def test_every_key_the_code_asks_for_is_in_both_catalogues(self) -> None:
        """A key missing from a catalogue shows on screen as the raw key ("class.announced")."""
        package = Path(i18n.__file__).resolve().parent
        asked: dict[str, str] = {}
        for path in package.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "_"
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    asked[node.args[0].value] = str(path.relative_to(package))
        assert len(asked) > 500  # the scan finds the app's texts
        for lang in ("en", "ru"):
            known = i18n.catalogue(lang)
            assert {key: where for key, where in asked.items() if key not in known} == {}, lang

    def test_day_and_month_names_are_babels_in_each_language(self) -> None:
        monday = dt.date(2026, 11, 23)
        assert (i18n.weekday_name(monday), i18n.weekday_name(monday, short=True)) == (
            "Monday",
            "Mon",
        )
        assert i18n.month_name(11) == "November"
        i18n.set_language("ru")
        try:
            assert (i18n.weekday_name(monday), i18n.weekday_name(monday, short=True)) == (
                "Понедельник",
                "Пн",
            )
            assert i18n.month_name(11) == "ноябрь"  # on its own; "23 ноября" in a date
        finally:
            i18n.set_language("en")

    def test_a_missing_key_shows_itself(self) -> None:
        assert _("no.such.key") == "no.such.key"

    def test_russian_is_russian(self, russian: None) -> None:
        assert _("app.title") == "Дневник"
        assert _("keys.week") == "неделя"
        assert _("mark.value", value=5) == "оценка 5"

    def test_a_server_message_is_worded_by_its_code_in_each_language(self, russian: None) -> None:
        assert i18n.error_message("wrong_credentials", "wrong login or password") == (
            "Неверный логин или пароль."
        )
        assert i18n.error_message("unknown_code", "something odd") == "Something odd"
        i18n.set_language("en")
        assert i18n.error_message("wrong_credentials", "wrong login or password") == (
            "Wrong login or password."
        )


class TestLanguageChoice:
    @pytest.mark.parametrize(
        ("asked", "environ", "expected"),
        [
            ("ru", {"LANG": "en_US.UTF-8"}, "ru"),
            ("en", {"LANG": "ru_RU.UTF-8"}, "en"),
            (None, {"LANG": "ru_RU.UTF-8"}, "ru"),
            (None, {"LC_ALL": "ru_RU.UTF-8", "LANG": "en_GB.UTF-8"}, "ru"),
            (None, {"LC_ALL": "C.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"),
            (None, {}, "en"),
            ("de", {"LANG": "ru_RU"}, "ru"),
        ],
    )
    def test_asked_else_locale_else_english(
        self, asked: str | None, environ: dict[str, str], expected: str
    ) -> None:
        assert detect_language(asked, environ) == expected


class TestDates:
    def test_english(self) -> None:
        day = dt.date(2026, 11, 25)
        assert long_date(day) == "Wednesday, 25 November"
        assert short_date(day) == "25 Nov"
        assert week_range(dt.date(2026, 11, 23), dt.date(2026, 11, 28)) == "23–28 November 2026"
        assert week_range(dt.date(2026, 11, 30), dt.date(2026, 12, 5)) == (
            "30 November – 5 December 2026"
        )

    def test_russian_months_take_the_genitive(self, russian: None) -> None:
        assert long_date(dt.date(2026, 11, 25)) == "Среда, 25 ноября"
        assert day_month(dt.date(2026, 3, 8)) == "8 марта"
        assert short_date(dt.date(2026, 12, 2)) == "02.12"
        assert week_range(dt.date(2026, 12, 28), dt.date(2027, 1, 2)) == (
            "28 декабря 2026 – 2 января 2027"
        )


class TestForPerson:
    """A label about a person agrees with her: a girl is "ученица" (by the patronymic)."""

    GIRL, BOY = "Петрова Анна Сергеевна", "Петров Пётр Иванович"

    def test_a_girl_is_a_uchenitsa_in_russian(self, russian: None) -> None:
        assert i18n.for_person("class.role_student", self.GIRL) == "ученица"
        assert i18n.for_person("class.role_student", self.BOY) == "ученик"
        assert i18n.for_person("class.role_student", "Anna Smith") == "ученик"

    def test_the_screens_that_name_a_student(self, russian: None) -> None:
        from ediary_tui.domain.models import Role
        from ediary_tui.screens.admin.base import role_words
        from ediary_tui.screens.messages.to_family import Recipient, recipient_option

        assert role_words([Role.STUDENT], self.GIRL) == "ученица"
        assert role_words([Role.STUDENT], self.BOY) == "ученик"
        option = recipient_option(Recipient("7", self.GIRL, "7", self.GIRL))
        assert str(option.prompt).endswith(" · ученица")
        said = i18n.for_person("homework.only_student", self.GIRL, child="Петрова Анна")
        assert said == (
            "Отмечать задания сделанными может только сама ученица (Петрова Анна); "
            "вы видите её отметки."
        )

    def test_english_has_one_word(self) -> None:
        assert i18n.for_person("class.role_student", self.GIRL) == "student"

    def test_the_credentials_sheet_of_a_girls_family(self, russian: None) -> None:
        from ediary_tui.client.export_formats import credentials_text
        from ediary_tui.domain.models import IssuedCredential, IssuedCredentials, Role

        def slip(name: str, role: Role) -> IssuedCredential:
            return IssuedCredential(
                user_id="1",
                login="x",
                full_name=name,
                role=role,
                student_name=self.GIRL,
                password="p",
            )

        issued = IssuedCredentials(
            class_id="1",
            class_name="7А",
            issued_at=dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC),
            credentials=[
                slip(self.GIRL, Role.STUDENT),
                slip("Петрова Ольга Ивановна", Role.PARENT),
            ],
        )
        sheet = credentials_text(issued, "http://school", dt.UTC)
        assert "Ученица: Петрова Анна Сергеевна" in sheet
        assert "Родитель ученицы Петрова Анна: Петрова Ольга Ивановна" in sheet
