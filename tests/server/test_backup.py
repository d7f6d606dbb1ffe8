"""Backups and restores of a SQLite school: nothing lost, consistent while the server writes."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import db
from ediary_tui.server import schema as s
from ediary_tui.server.school import audit, backup
from ediary_tui.server.school.audit import Actor
from ediary_tui.server.school.errors import AdminError
from tests.conftest import PG_URL, PINNED_NOW
from tests.server.test_journal import Q2_START, post_mark
from tests.server.test_migrations import db_head

pytestmark = pytest.mark.skipif(
    PG_URL is not None, reason="SQLite's backup; PostgreSQL is backed up with pg_dump"
)

ADMIN = Actor.user(1, "admin")
# A restore adds its own lines here: compared up to what the backup held.
GROWS_ON_RESTORE = ("audit_log", "changes")


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    return [name for (name,) in rows]


def contents(path: Path, up_to: dict[str, int] | None = None) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its rows (in a stable order).

    `up_to` limits a table to its rows with an id at most the given one.
    """
    found: dict[str, tuple[int, str]] = {}
    with closing(sqlite3.connect(path)) as conn:
        for table in _tables(conn):
            where = f" WHERE id <= {up_to[table]}" if up_to and table in up_to else ""
            rows = sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{table}"{where}'))
            found[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return found


def newest_ids(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as conn:
        return {
            t: conn.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0]
            for t in GROWS_ON_RESTORE
        }


def sound(path: Path) -> None:
    """The file opens, passes the integrity check, and no row refers to a missing one."""
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(db_head(),)]


def database(engine: AsyncEngine) -> Path:
    return Path(engine.url.database or "")


async def _ids(engine: AsyncEngine) -> tuple[list[int], list[int]]:
    """7А's students and the 7А Алгебра lessons of the second quarter so far."""
    async with engine.connect() as conn:
        c = s.classes.c
        class_id = (await conn.execute(sa.select(c.id).where(c.name == "7А"))).scalar_one()
        students = (
            (
                await conn.execute(
                    sa.select(s.students.c.user_id).where(s.students.c.class_id == class_id)
                )
            )
            .scalars()
            .all()
        )
        subject = (
            await conn.execute(sa.select(s.subjects.c.id).where(s.subjects.c.name == "Алгебра"))
        ).scalar_one()
        le = s.lessons.c
        lessons = (
            (
                await conn.execute(
                    sa.select(le.id).where(
                        le.class_id == class_id, le.subject_id == subject, le.date >= Q2_START
                    )
                )
            )
            .scalars()
            .all()
        )
    return list(students), list(lessons)


async def _login_teacher(api: httpx.AsyncClient) -> dict[str, str]:
    r = await api.post("/api/v1/auth/login", json={"login": "teacher", "password": "demo"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


class TestRoundTrip:
    async def test_nothing_is_lost(
        self, api: httpx.AsyncClient, engine: AsyncEngine, tmp_path: Path
    ) -> None:
        teacher = await _login_teacher(api)
        before = contents(database(engine))
        made = await backup.backup(engine, tmp_path / "school-backup.db")
        assert made.schools == 1 and made.revision == db_head()
        assert contents(made.path) == before
        sound(made.path)
        assert not Path(f"{made.path}-wal").exists()  # one self-contained file
        # The school goes on: a mark, a parent unlinked, a password reset.
        students, lessons = await _ids(engine)
        r = await post_mark(
            api, teacher, student_id=str(students[0]), lesson_id=str(lessons[0]), value=5
        )
        assert r.status_code == 201, r.text
        async with engine.begin() as conn:
            await conn.execute(s.guardians.delete())
        assert contents(database(engine)) != before
        upto = newest_ids(made.path)
        restored, kept = await backup.restore(engine, made.path, actor=ADMIN, now=PINNED_NOW)
        assert restored.path == made.path and kept is not None
        after = contents(database(engine), upto)
        assert after == before
        sound(database(engine))
        # The database it replaced is kept beside it, with the mark.
        assert kept == backup.kept_name(database(engine), PINNED_NOW)
        assert contents(kept)["guardians"][0] == 0
        async with engine.connect() as conn:
            (line,) = await audit.entries(conn, action="database.restore")
        assert (line.actor, line.target) == ("admin", "school-backup.db")
        assert line.detail == {"revision": db_head(), "kept": kept.name}

    async def test_the_restore_is_numbered_past_the_replaced_databases_changes(
        self, api: httpx.AsyncClient, engine: AsyncEngine, tmp_path: Path
    ) -> None:
        """A server's read cache is keyed on the newest change: after a restore it
        must be newer than anything the server saw, or a week from before is served."""
        teacher = await _login_teacher(api)
        made = await backup.backup(engine, tmp_path / "b.db")
        students, lessons = await _ids(engine)
        for n, lesson_id in enumerate(lessons[:3]):
            r = await post_mark(
                api, teacher, student_id=str(students[n]), lesson_id=str(lesson_id), value=4
            )
            assert r.status_code == 201
        seen = newest_ids(database(engine))["changes"]
        await backup.restore(engine, made.path, actor=ADMIN, now=PINNED_NOW)
        assert newest_ids(database(engine))["changes"] > seen

    async def test_an_older_backup_comes_up_to_date(
        self, engine: AsyncEngine, tmp_path: Path
    ) -> None:
        made = await backup.backup(engine, tmp_path / "old.db")
        old = db.create_engine(str(made.path))
        try:
            await db.downgrade(old, "0003")
        finally:
            await old.dispose()
        with closing(sqlite3.connect(made.path)) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0003",)]
        await backup.restore(engine, made.path, actor=ADMIN, now=PINNED_NOW)
        sound(database(engine))
        async with engine.connect() as conn:
            assert (
                await conn.execute(sa.select(sa.func.count()).select_from(s.users))
            ).scalar() == made.users


class TestWhileTheServerWrites:
    async def test_a_backup_taken_while_marks_are_posted_is_consistent_and_restores(
        self, api: httpx.AsyncClient, engine: AsyncEngine, tmp_path: Path
    ) -> None:
        teacher = await _login_teacher(api)
        students, lessons = await _ids(engine)
        with closing(sqlite3.connect(database(engine))) as conn:
            (base,) = conn.execute("SELECT coalesce(max(id), 0) FROM marks").fetchone()
        posted: list[int] = []
        stop = asyncio.Event()

        async def write() -> None:
            n = 0
            while not stop.is_set():
                student = students[n % len(students)]
                lesson_id = lessons[(n // len(students)) % len(lessons)]
                r = await post_mark(
                    api, teacher, student_id=str(student), lesson_id=str(lesson_id), value=2 + n % 4
                )
                assert r.status_code == 201, r.text
                posted.append(n)
                n += 1

        writer = asyncio.create_task(write())
        backups: list[tuple[Path, int]] = []
        overlapped = 0
        try:
            while len(posted) < 5:
                await asyncio.sleep(0.01)
            for i in range(4):
                during = len(posted)
                made = await backup.backup(engine, tmp_path / f"during-{i}.db")
                backups.append((made.path, during))
                overlapped += len(posted) > during  # marks were posted while it copied
                await asyncio.sleep(0.02)
            while len(posted) < backups[-1][1] + 5:  # writes went on after the last backup
                await asyncio.sleep(0.01)
        finally:
            stop.set()
            await writer
        assert overlapped
        for path, during in backups:
            sound(path)
            with closing(sqlite3.connect(path)) as conn:
                (marks,) = conn.execute(
                    "SELECT count(*) FROM marks WHERE id > ?", (base,)
                ).fetchone()
                (created,) = conn.execute(
                    "SELECT count(*) FROM mark_history WHERE action = 'created' AND mark_id > ?",
                    (base,),
                ).fetchone()
                (fed,) = conn.execute(
                    "SELECT count(*) FROM changes WHERE kind = 'mark' AND entity_id > ?", (base,)
                ).fetchone()
            # Each mark with its history and its change, written in one transaction: all or none.
            assert marks == created == fed
            assert during <= marks < len(posted)
        path, _ = backups[-1]
        expected = contents(path)
        upto = newest_ids(path)
        await backup.restore(engine, path, actor=ADMIN, now=PINNED_NOW)
        sound(database(engine))
        assert contents(database(engine), upto) == expected


class TestRefusals:
    async def test_no_overwrite_without_force(self, engine: AsyncEngine, tmp_path: Path) -> None:
        target = tmp_path / "b.db"
        target.write_text("precious")
        with pytest.raises(AdminError, match="exists; give another file name, or --force"):
            await backup.backup(engine, target)
        assert target.read_text() == "precious"
        made = await backup.backup(engine, target, force=True)
        sound(made.path)

    async def test_a_file_that_is_not_an_ediary_database_is_not_restored(
        self, engine: AsyncEngine, tmp_path: Path
    ) -> None:
        before = contents(database(engine))
        stranger = tmp_path / "other.db"
        with closing(sqlite3.connect(stranger)) as conn:
            conn.execute("CREATE TABLE schools (id)")
        with pytest.raises(AdminError, match="is not an ediary database"):
            await backup.restore(engine, stranger, actor=ADMIN, now=PINNED_NOW)
        with pytest.raises(AdminError, match="there is no file"):
            await backup.restore(engine, tmp_path / "missing.db", actor=ADMIN, now=PINNED_NOW)
        assert contents(database(engine)) == before

    async def test_postgresql_points_at_pg_dump(self) -> None:
        engine = db.create_engine("postgresql://nobody@127.0.0.1:9/none")
        try:
            with pytest.raises(AdminError, match="pg_dump -Fc"):
                await backup.backup(engine, Path("x.db"))
        finally:
            await engine.dispose()
