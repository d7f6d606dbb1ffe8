"""The notice that logins go to a file (no keyring): said once, in the user's language."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ediary_tui.client.credentials import CredentialStore
from ediary_tui.i18n import set_language


@pytest.fixture
def russian() -> Iterator[None]:
    set_language("ru")
    yield
    set_language("en")


@pytest.mark.usefixtures("no_keyring")
class TestKeyringNotice:
    def test_said_once_then_not_on_later_starts(self) -> None:
        store = CredentialStore()
        assert store.fallback_notice is not None
        store.notice_shown()
        assert CredentialStore().fallback_notice is None  # before any login, too

    @pytest.mark.usefixtures("russian")
    def test_in_russian_with_the_files_place(self) -> None:
        store = CredentialStore()
        notice = store.fallback_notice
        assert notice is not None
        assert notice.startswith("Хранилища ключей (keyring) нет: вход запомнится в ")
        assert notice.endswith("tokens.json, доступном только вам (--no-remember — не запоминать).")
