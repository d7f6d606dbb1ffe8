"""Every refusal a person can meet reads in their language: the server sends a stable
`code`, the client words it from its catalogue, the server's text is the fallback."""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from ediary_tui import i18n
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.errors import ClientError, Invalid, NotLoggedIn, Throttled
from ediary_tui.server.errors import _SAID, STATUS_CODES
from tests.conftest import PINNED_TODAY

PACKAGE = Path(i18n.__file__).resolve().parent


def codes_in(folder: Path) -> dict[str, str]:
    """Each error code written in `folder`'s source (`code="..."`, `{"code": "..."}`),
    with a file that sends it."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            values: list[ast.expr] = []
            if isinstance(node, ast.Call):
                values = [k.value for k in node.keywords if k.arg == "code"]
            elif isinstance(node, ast.Dict):
                values = [
                    v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "code"
                ]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.setdefault(value.value, str(path.relative_to(PACKAGE)))
    return found


def server_codes() -> dict[str, str]:
    """Every code the school server can answer with: its routes' and services' refusals,
    each status's default, and FastAPI's validation errors as the server words them."""
    found = codes_in(PACKAGE / "server")
    for code in STATUS_CODES.values():
        found.setdefault(code, "server/errors.py STATUS_CODES")
    for _said, code in _SAID.values():
        found.setdefault(code, "server/errors.py _SAID")
    return found


# Attendance letters are `code`s too (`{"code": "absent"}`), not errors.
NOT_ERRORS = {"absent", "ill", "excused", "late"}


@pytest.fixture
def russian() -> Iterator[None]:
    i18n.set_language("ru")
    yield
    i18n.set_language("en")


class TestEveryCodeHasItsWords:
    def test_every_code_the_server_sends_has_a_text_in_both_languages(self) -> None:
        codes = server_codes()
        assert len(codes) > 60  # the scan finds the server's refusals
        assert {"period_closed", "future_week", "mark_changed", "lesson_changed"} <= set(codes)
        for lang in i18n.LANGUAGES:
            known = i18n.catalogue(lang)
            missing = {
                code: where
                for code, where in codes.items()
                if code not in NOT_ERRORS and f"error.{code}" not in known
            }
            assert missing == {}, lang

    def test_every_code_the_client_makes_has_a_text_in_both_languages(self) -> None:
        """Codes of the client's own (no connection, a real diary's refusals)."""
        codes = codes_in(PACKAGE / "client")
        assert {"unreachable", "timeout", "server_error", "token_refused"} <= set(codes)
        for lang in i18n.LANGUAGES:
            known = i18n.catalogue(lang)
            missing = {
                code: where
                for code, where in codes.items()
                if code not in NOT_ERRORS and f"error.{code}" not in known
            }
            assert missing == {}, lang


class TestWording:
    def test_a_closed_quarter_in_russian(self, russian: None) -> None:
        said = i18n.error_message("period_closed", "the 2nd quarter is closed; ...")
        assert said == "Этот период закрыт; его журнал больше не меняется."

    def test_the_same_code_in_english_is_the_catalogues_sentence(self) -> None:
        said = i18n.error_message("period_closed", "the 2nd quarter is closed; ...")
        assert said == "This period is closed; its journal can no longer change."

    def test_an_unknown_code_falls_back_to_the_servers_words(self, russian: None) -> None:
        assert i18n.error_message("a_code_of_tomorrow", "something new") == "Something new"
        assert i18n.error_message(None, "no code at all") == "No code at all"

    def test_a_general_code_keeps_the_servers_exact_words_in_english(self) -> None:
        words = "you cannot reset your own password here; change it with the password form"
        assert i18n.error_message("refused", words) == words[:1].upper() + words[1:]
        i18n.set_language("ru")
        try:
            assert i18n.error_message("refused", words) == "Школа отказала."
        finally:
            i18n.set_language("en")

    def test_a_throttled_refusal_says_the_wait_in_words(self, russian: None) -> None:
        exc = Throttled("too many failed logins; try again in 894 s", retry_after=894)
        assert i18n.refusal_text(exc) == ("Слишком много попыток. Попробуйте снова через 15 минут.")
        i18n.set_language("en")
        assert i18n.refusal_text(exc) == "Too many tries. Try again in 15 minutes."

    def test_an_error_without_a_wait_has_none(self) -> None:
        exc = ClientError("wrong login or password", code="wrong_credentials")
        assert i18n.refusal_text(exc) == "Wrong login or password."


class TestFromTheRealServer:
    async def test_next_weeks_signing_is_refused_in_russian(
        self, client: DiaryClient, russian: None
    ) -> None:
        child = (await client.login("parent", "demo")).user.children[0]
        next_monday = PINNED_TODAY - dt.timedelta(days=PINNED_TODAY.weekday() - 7)
        with pytest.raises(Invalid) as caught:
            await client.sign_week(child.id, next_monday)
        assert caught.value.code == "future_week"
        said = i18n.refusal_text(caught.value)
        assert said == i18n.catalogue("ru")["error.future_week"]
        assert said.startswith("Эта неделя ещё не началась")

    async def test_a_wrong_password_is_refused_in_russian(
        self, client: DiaryClient, russian: None
    ) -> None:
        with pytest.raises(NotLoggedIn) as caught:
            await client.login("parent", "wrong")
        assert i18n.refusal_text(caught.value) == "Неверный логин или пароль."
