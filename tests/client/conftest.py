"""Fixtures of the client tests: a DiaryClient on the real server in-process,
an in-memory keyring, and a home directory of their own (EDIARY_HOME)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.client.api import DiaryClient
from ediary_tui.server.app import create_app
from ediary_tui.server.settings import ServerSettings

SERVER = "http://school"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps secrets in a dict: what an OS keyring does, minus the OS."""

    priority = 1
    # Installed by tests with keyring.set_keyring only; never picked by discovery,
    # so other tests in the same process do not find it.
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(f"no {username} in {service}")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every client test gets its own config, data and cache directories."""
    path = tmp_path / "home"
    monkeypatch.setenv("EDIARY_HOME", str(path))
    return path


@pytest.fixture(scope="session")
def original_keyring() -> keyring.backend.KeyringBackend:
    return keyring.get_keyring()


@pytest.fixture
def memory_keyring(original_keyring: keyring.backend.KeyringBackend) -> Iterator[MemoryKeyring]:
    """An OS keyring, as on a desktop."""
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(original_keyring)


@pytest.fixture
def no_keyring(original_keyring: keyring.backend.KeyringBackend) -> Iterator[None]:
    """No keyring at all, as over SSH or in a container."""
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(original_keyring)


def transport_for(engine: AsyncEngine, settings: ServerSettings) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=create_app(engine, settings), client=("127.0.0.1", 50000))


@pytest.fixture
async def client(engine: AsyncEngine, settings: ServerSettings) -> AsyncIterator[DiaryClient]:
    """A DiaryClient talking to the real server app in-process."""
    async with DiaryClient(SERVER, transport=transport_for(engine, settings), backoff=0) as diary:
        yield diary
