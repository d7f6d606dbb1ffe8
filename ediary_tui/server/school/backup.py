"""Backups of a SQLite school database, and restoring one.

A backup goes through SQLite's online backup API in one step: it reads the
database in one read transaction, so the copy is the database as it was at one
moment even while `ediary serve` keeps writing (in WAL mode writers go on
meanwhile). It is written beside the target and renamed into place once checked,
so a backup file is never half-written; it is one self-contained file (no -wal).

A restore checks that the file is an ediary database, keeps the current database
beside itself (`school.db.before-restore-<UTC time>`), copies the backup in
through the same API, and migrates it, so a backup of an older version comes up
to date. It adds change-feed entries numbered past anything the replaced
database had, so no server's read cache (keyed on the newest change) serves a
week from before. PostgreSQL has its own tools: `pg_dump -Fc` and `pg_restore`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from .. import db
from .. import schema as s
from .audit import Actor, record
from .errors import AdminError

PG_DUMP = (
    "a PostgreSQL database is backed up with its own tools: "
    "`pg_dump -Fc` to back up and `pg_restore` to restore (see 'Backups' in the README)"
)


@dataclass(frozen=True)
class DatabaseFile:
    """What a database file holds, as far as a backup or a restore says."""

    path: Path
    revision: str
    schools: int
    users: int
    size: int  # bytes


def database_path(engine: AsyncEngine) -> Path:
    """The SQLite file behind `engine`; for PostgreSQL, an AdminError saying how instead."""
    if not db.is_sqlite(engine):
        raise AdminError(PG_DUMP)
    return Path(engine.url.database or "").resolve()


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def inspect(path: Path) -> DatabaseFile:
    """Check that `path` is a sound ediary database and say what it holds."""
    if not path.is_file():
        raise AdminError(f"there is no file {str(path)!r}")
    try:
        with closing(_open_read_only(path)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if not {"alembic_version", "schools", "users"} <= tables:
                raise AdminError(
                    f"{str(path)!r} is not an ediary database (it has no alembic_version, "
                    "schools and users tables); give a file `ediary admin backup` made"
                )
            (check,) = conn.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise AdminError(f"{str(path)!r} is damaged (integrity check: {check})")
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            schools = conn.execute("SELECT count(*) FROM schools").fetchone()[0]
            users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise AdminError(f"{str(path)!r} is not a SQLite database ({exc})") from None
    if revision is None:
        raise AdminError(f"{str(path)!r} has no schema version; it is not a complete database")
    return DatabaseFile(path, revision[0], schools, users, path.stat().st_size)


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(db.MIGRATIONS))
    return {rev.revision for rev in ScriptDirectory.from_config(cfg).walk_revisions()}


def _copy(source: sqlite3.Connection, target: Path) -> None:
    with closing(sqlite3.connect(target, timeout=30)) as out:
        source.backup(out)  # every page in one step: one read transaction, one moment


def _backup(source: Path, target: Path) -> DatabaseFile:
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    try:
        with closing(sqlite3.connect(source, timeout=30)) as conn:
            _copy(conn, partial)
        with closing(sqlite3.connect(partial)) as out:
            out.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        found = inspect(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return DatabaseFile(target, found.revision, found.schools, found.users, found.size)


async def backup(engine: AsyncEngine, target: Path, *, force: bool = False) -> DatabaseFile:
    """Copy the database to `target`, consistent while the server writes."""
    source = database_path(engine)
    target = target.expanduser().resolve()
    if target == source:
        raise AdminError("the backup must go to another file than the database itself")
    if target.is_dir():
        raise AdminError(
            f"{str(target)!r} is a directory; give a file name such as school-2026-12-07.db"
        )
    if not target.parent.is_dir():
        raise AdminError(f"there is no directory {str(target.parent)!r}; create it first")
    if target.exists() and not force:
        raise AdminError(
            f"{str(target)!r} exists; give another file name, or --force to overwrite it"
        )
    if not source.is_file():
        raise AdminError(f"there is no database at {str(source)!r} to back up")
    return await asyncio.to_thread(_backup, source, target)


def kept_name(database: Path, now: dt.datetime) -> Path:
    """Where a restore keeps the database it replaces."""
    return database.with_name(f"{database.name}.before-restore-{now:%Y%m%d-%H%M%S}")


def check_restorable(engine: AsyncEngine, source: Path) -> DatabaseFile:
    """What restoring `source` would bring back, or an AdminError saying why it cannot."""
    database = database_path(engine)
    source = source.expanduser().resolve()
    if source == database:
        raise AdminError("that is the database itself; give a backup file")
    found = inspect(source)
    if found.revision not in _known_revisions():
        raise AdminError(
            f"{str(source)!r} was made by a newer ediary (schema {found.revision}); "
            "upgrade ediary first"
        )
    return found


def _restore(source: Path, database: Path, keep: Path | None) -> None:
    if keep is not None:
        with closing(sqlite3.connect(database, timeout=30)) as current:
            _copy(current, keep)
        with closing(sqlite3.connect(keep)) as kept:
            kept.execute("PRAGMA journal_mode=DELETE")
    with (
        closing(_open_read_only(source)) as conn,
        closing(sqlite3.connect(database, timeout=30)) as out,
    ):
        conn.backup(out)  # in place: the server's open connections see the new pages
        out.execute("PRAGMA journal_mode=WAL")


async def _newest_change(engine: AsyncEngine) -> int:
    try:
        async with engine.connect() as conn:
            return (await conn.execute(sa.select(sa.func.max(s.changes.c.id)))).scalar() or 0
    except sa.exc.OperationalError:  # an empty file: no changes table yet
        return 0


async def restore(
    engine: AsyncEngine, source: Path, *, actor: Actor, now: dt.datetime
) -> tuple[DatabaseFile, Path | None]:
    """Replace the database with the backup `source`; (what came back, where the old one is)."""
    found = check_restorable(engine, source)
    database = database_path(engine)
    keep = kept_name(database, now) if database.is_file() else None
    newest = await _newest_change(engine)
    await engine.dispose()  # no pooled connection holds a page of the old database
    await asyncio.to_thread(_restore, found.path, database, keep)
    await db.upgrade(engine)  # an older backup comes up to date
    async with engine.begin() as conn:
        newest = max(
            newest, (await conn.execute(sa.select(sa.func.max(s.changes.c.id)))).scalar() or 0
        )
        school_ids = (
            (await conn.execute(sa.select(s.schools.c.id).order_by(s.schools.c.id))).scalars().all()
        )
        await conn.execute(
            s.changes.insert(),
            [
                {
                    "id": newest + n,
                    "school_id": school_id,
                    "kind": "school",
                    "at": now,
                    "summary": "database.restore",
                    "data": {"action": "database.restore"},
                }
                for n, school_id in enumerate(school_ids, start=1)
            ],
        )
        await record(
            conn,
            actor,
            "database.restore",
            school_id=None,
            target=found.path.name,
            detail={"revision": found.revision, "kept": keep.name if keep else None},
            now=now,
        )
    return found, keep
