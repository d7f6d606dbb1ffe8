"""Every SQLite file of the client, side files included, is readable by its owner only."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from ediary_tui.client import locations
from ediary_tui.client.cache import OfflineCache
from ediary_tui.client.files import private_database
from ediary_tui.client.journal_commands import MarkFields, PutMark
from ediary_tui.client.outbox import Outbox
from ediary_tui.domain.models import Role, User

from .conftest import SERVER

MARK = PutMark(
    class_id="3",
    subject_id="4",
    mark=MarkFields(student_id="7", lesson_id="12", value=5, control_form="test"),
)


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def files_of(path: Path) -> dict[str, int]:
    """The database and its side files that exist now, with their modes."""
    names = [str(path)] + [f"{path}{s}" for s in ("-wal", "-shm", "-journal")]
    return {Path(n).name: mode(n) for n in names if os.path.exists(n)}


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """The umask most accounts have, under which a new file is 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def write_to_outbox(path: Path) -> Outbox:
    outbox = Outbox(path)
    outbox.add(SERVER, "1", MARK)
    return outbox


def write_to_cache(path: Path) -> OfflineCache:
    cache = OfflineCache(path)
    cache.put_me(SERVER, User(id="1", login="parent", full_name="Р П", roles=[Role.PARENT]))
    return cache


OPENERS: dict[str, tuple[Callable[[], Path], Callable[[Path], Outbox | OfflineCache]]] = {
    "outbox": (locations.outbox_db_path, write_to_outbox),
    "cache": (locations.cache_db_path, write_to_cache),
}


@pytest.mark.parametrize("kind", OPENERS)
class TestSideFiles:
    def test_a_new_database_and_its_wal_and_shm_are_0600(self, kind: str) -> None:
        where, open_and_write = OPENERS[kind]
        path = where()
        db = open_and_write(path)
        try:
            found = files_of(path)  # while it is open: the -wal and -shm are there
            assert {path.name, f"{path.name}-wal", f"{path.name}-shm"} <= set(found)
            assert set(found.values()) == {0o600}, found
        finally:
            db.close()

    def test_files_left_0644_by_an_older_version_are_made_0600_on_reopen(self, kind: str) -> None:
        where, open_and_write = OPENERS[kind]
        path = where()
        open_and_write(path).close()
        # As an older version (or another program) left it: world-readable, with a
        # connection still holding the -wal and -shm open.
        holder = sqlite3.connect(path)
        holder.execute("PRAGMA journal_mode = WAL")
        holder.execute("CREATE TABLE IF NOT EXISTS other (x)")
        for name in files_of(path):
            os.chmod(path.parent / name, 0o644)
        assert f"{path.name}-wal" in files_of(path)
        try:
            db = open_and_write(path)
            try:
                assert set(files_of(path).values()) == {0o600}, files_of(path)
            finally:
                db.close()
        finally:
            holder.close()

    def test_the_folder_is_the_owners_alone(self, kind: str) -> None:
        where, open_and_write = OPENERS[kind]
        path = where()
        open_and_write(path).close()
        assert mode(path.parent) == 0o700


def test_an_existing_database_keeps_its_contents(tmp_path: Path) -> None:
    path = tmp_path / "kept.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
        db.execute("INSERT INTO t VALUES (42)")
    db.close()
    os.chmod(path, 0o644)
    private_database(path)
    assert mode(path) == 0o600
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT x FROM t").fetchall() == [(42,)]
    db.close()


async def test_the_embedded_demo_school_is_the_users_alone(home: Path) -> None:
    from ediary_tui.embedded import EmbeddedTransport

    path = locations.demo_db_path()
    transport = EmbeddedTransport(path, demo=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://embedded") as client:
            assert (await client.get("/healthz")).status_code == 200
        found = files_of(path)
        assert path.name in found and set(found.values()) == {0o600}, found
        assert mode(path.parent) == 0o700
    finally:
        await transport.aclose()


async def test_two_first_starts_at_once_both_find_the_school(home: Path) -> None:
    """Two terminals opened at once on a new home: one prepares the database, the other
    waits for it instead of running the same migrations into "table already exists"."""
    import asyncio

    from ediary_tui.embedded import EmbeddedTransport

    path = locations.demo_db_path()
    transports = [EmbeddedTransport(path, demo=False) for _ in range(2)]
    clients = [httpx.AsyncClient(transport=t, base_url="http://embedded") for t in transports]
    try:
        answers = await asyncio.gather(*(c.get("/healthz") for c in clients))
        assert [a.status_code for a in answers] == [200, 200]
    finally:
        for client in clients:
            await client.aclose()
