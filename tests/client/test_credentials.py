"""Remembered logins: the token in the OS keyring, or in a private file where there is none."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ediary_tui.client import locations
from ediary_tui.client.credentials import NOT_REMEMBERED, CredentialStore, service_name
from tests.conftest import MemoryKeyring

from .conftest import SERVER

OTHER = "https://diary.other-school.ru"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("memory_keyring")
class TestKeyring:
    def test_the_token_goes_to_the_keyring_under_the_servers_service(
        self, memory_keyring: MemoryKeyring
    ) -> None:
        store = CredentialStore()
        store.save(SERVER, "parent", "tok-1")
        assert memory_keyring.secrets == {("ediary-tui:http://school", "parent"): "tok-1"}
        assert service_name(SERVER) == "ediary-tui:http://school"
        assert not locations.token_file().exists()
        assert "tok-1" not in locations.logins_file().read_text()

    def test_the_next_start_finds_the_last_login(self) -> None:
        CredentialStore().save(SERVER, "parent", "tok-1")
        CredentialStore().save(SERVER, "teacher", "tok-2")
        assert CredentialStore().load(SERVER) == ("teacher", "tok-2")
        assert CredentialStore().last_login(SERVER) == "teacher"

    def test_servers_are_kept_apart(self) -> None:
        store = CredentialStore()
        store.save(SERVER, "parent", "tok-1")
        store.save(OTHER, "ivanova", "tok-2")
        assert store.load(SERVER) == ("parent", "tok-1")
        assert store.load(OTHER) == ("ivanova", "tok-2")
        assert store.load("http://nowhere") is None

    def test_forget_drops_the_token(self, memory_keyring: MemoryKeyring) -> None:
        store = CredentialStore()
        store.save(SERVER, "parent", "tok-1")
        store.save(OTHER, "ivanova", "tok-2")
        store.forget(SERVER, "parent")
        assert store.load(SERVER) is None
        assert list(memory_keyring.secrets) == [(service_name(OTHER), "ivanova")]

    def test_forgetting_the_last_login_does_not_log_in_another(self) -> None:
        store = CredentialStore()
        store.save(SERVER, "parent", "tok-1")
        store.save(SERVER, "teacher", "tok-2")
        store.forget(SERVER, "teacher")
        assert store.load(SERVER) is None

    def test_forget_without_a_login_drops_every_login_of_the_server(
        self, memory_keyring: MemoryKeyring
    ) -> None:
        store = CredentialStore()
        store.save(SERVER, "parent", "tok-1")
        store.save(SERVER, "teacher", "tok-2")
        store.forget(SERVER)
        assert memory_keyring.secrets == {}
        store.forget(SERVER)  # nothing left: no error

    def test_it_says_it_uses_the_keyring_and_needs_no_notice(self) -> None:
        store = CredentialStore()
        assert store.backend == "OS keyring (MemoryKeyring)"
        assert store.fallback_notice is None

    def test_a_token_gone_from_the_keyring_is_no_login(self, memory_keyring: MemoryKeyring) -> None:
        CredentialStore().save(SERVER, "parent", "tok-1")
        memory_keyring.secrets.clear()
        assert CredentialStore().load(SERVER) is None


@pytest.mark.usefixtures("no_keyring")
class TestFileFallback:
    def test_the_token_goes_to_a_file_only_the_user_can_read(self) -> None:
        store = CredentialStore()
        store.save(SERVER, "parent", "tok-1")
        path = locations.token_file()
        assert mode(path) == 0o600
        assert mode(path.parent) == 0o700
        assert mode(locations.logins_file()) == 0o600
        assert json.loads(path.read_text())["servers"] == {SERVER: {"parent": "tok-1"}}
        assert CredentialStore().load(SERVER) == ("parent", "tok-1")

    def test_a_loose_directory_is_tightened(self, tmp_path: Path) -> None:
        loose = tmp_path / "loose"
        loose.mkdir(mode=0o755)
        CredentialStore(token_file=loose / "tokens.json").save(SERVER, "parent", "tok-1")
        assert mode(loose) == 0o700
        assert mode(loose / "tokens.json") == 0o600

    def test_the_notice_is_one_sentence_until_the_file_is_in_use(self) -> None:
        store = CredentialStore()
        notice = store.fallback_notice
        assert notice is not None and notice.endswith(".") and notice.count(". ") == 0
        assert "keyring" in notice and "tokens.json" in notice
        store.save(SERVER, "parent", "tok-1")
        assert CredentialStore().fallback_notice is None

    def test_it_says_where_the_file_is(self) -> None:
        backend = CredentialStore().backend
        assert backend.startswith("file ") and backend.endswith("(readable only by you)")
        assert "tokens.json" in backend

    def test_forget_removes_the_token_from_the_file(self) -> None:
        store = CredentialStore()
        store.save(SERVER, "parent", "tok-1")
        store.forget(SERVER, "parent")
        assert store.load(SERVER) is None
        assert "tok-1" not in locations.token_file().read_text()

    def test_a_broken_file_is_no_login_not_a_crash(self) -> None:
        store = CredentialStore()
        store.save(SERVER, "parent", "tok-1")
        locations.token_file().write_bytes(b"\x00garbage{")
        locations.logins_file().write_text("[1, 2")
        assert store.load(SERVER) is None
        store.save(SERVER, "parent", "tok-2")
        assert store.load(SERVER) == ("parent", "tok-2")

    def test_the_file_is_its_own_when_a_path_is_given(self, tmp_path: Path) -> None:
        store = CredentialStore(token_file=tmp_path / "t" / "tokens.json")
        store.save(SERVER, "parent", "tok-1")
        assert (tmp_path / "t" / "logins.json").exists()
        assert not locations.token_file().exists()


@pytest.mark.usefixtures("memory_keyring")
class TestNoRemember:
    def test_nothing_is_kept(self, memory_keyring: MemoryKeyring, home: Path) -> None:
        store = CredentialStore(remember=False)
        store.save(SERVER, "parent", "tok-1")
        assert store.load(SERVER) is None
        assert memory_keyring.secrets == {}
        assert not home.exists() or not any(home.rglob("*.json"))

    def test_what_an_earlier_start_kept_is_not_used(self) -> None:
        CredentialStore().save(SERVER, "parent", "tok-1")
        assert CredentialStore(remember=False).load(SERVER) is None

    def test_it_says_so_and_needs_no_notice(self) -> None:
        store = CredentialStore(remember=False)
        assert store.backend == NOT_REMEMBERED == "not remembered (--no-remember)"
        assert store.fallback_notice is None


class TestStartupCost:
    def test_client_modules_a_start_needs_import_neither_keyring_nor_pydantic(
        self, tmp_path: Path
    ) -> None:
        code = (
            "import sys\n"
            "import ediary_tui.client.cache, ediary_tui.client.credentials\n"
            "import ediary_tui.client.locations, ediary_tui.client.session\n"
            "from ediary_tui.client.credentials import CredentialStore\n"
            "CredentialStore(remember=False).load('http://x')\n"
            "print(sorted(m for m in ('keyring', 'pydantic', 'httpx') if m in sys.modules))\n"
        )
        # `-c` puts the working directory first on sys.path: run it away from the checkout.
        out = subprocess.run(
            [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "[]"

    def test_a_start_with_the_token_in_the_file_never_wakes_the_keyring(
        self, home: Path, tmp_path: Path
    ) -> None:
        code = (
            "import sys\n"
            "from keyring.backends import fail\n"
            "import keyring\n"
            "keyring.set_keyring(fail.Keyring())\n"
            "from ediary_tui.client.credentials import CredentialStore\n"
            "CredentialStore().save('http://x', 'parent', 'tok')\n"
            "del sys.modules['keyring']\n"
            "for name in [m for m in sys.modules if m.startswith('keyring.')]:\n"
            "    del sys.modules[name]\n"
            "store = CredentialStore()\n"
            "assert store.fallback_notice is None\n"
            "assert store.load('http://x') == ('parent', 'tok')\n"
            "print('keyring' in sys.modules)\n"
        )
        env = {**os.environ, "EDIARY_HOME": str(home)}
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        assert out.stdout.strip() == "False"
