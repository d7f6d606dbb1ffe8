"""Opening a school database: the async engine, SQLite's pragmas, migrations.

SQLite is the default (one file, WAL, foreign keys on, a busy timeout);
PostgreSQL is reached by URL. `upgrade` runs the Alembic migrations shipped in
the package, so a school's database survives an upgrade of ediary-tui.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).with_name("migrations")


class DatabaseError(Exception):
    """The database cannot be opened or is not one of ours."""


def normalise_url(url: str) -> str:
    """Accept plain paths and sync URLs; return an async SQLAlchemy URL."""
    if "://" not in url:
        return f"sqlite+aiosqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("sqlite://") and not url.startswith("sqlite+"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str, **kw: Any) -> AsyncEngine:
    """An async engine for `url`, with SQLite made safe for concurrent use."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise DatabaseError("an in-memory SQLite database cannot be shared; give a file path")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url, poolclass=NullPool if kw.pop("nullpool", False) else None, **kw
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kw.setdefault("pool_size", 10)
    kw.setdefault("max_overflow", 20)
    kw.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kw)


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default)."""
    from alembic import command

    await _migrate(engine, lambda cfg: command.upgrade(cfg, revision))


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    """Take the schema back to `revision` (tests of a migration's upgrade)."""
    from alembic import command

    await _migrate(engine, lambda cfg: command.downgrade(cfg, revision))


async def _migrate(engine: AsyncEngine, step: Callable[[Any], None]) -> None:
    """Run a migration in one transaction.

    On SQLite, altering a table copies it to a new one and drops the old: with
    foreign keys enforced that drop fails as soon as other tables' rows refer to
    it. So they are off while the migration runs (the pragma only takes outside
    a transaction), and `foreign_key_check` must come back clean before commit.
    """
    sqlite = engine.dialect.name == "sqlite"
    async with engine.connect() as conn:
        if sqlite:
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.commit()
        try:
            async with conn.begin():
                await conn.run_sync(lambda sync_conn: step(_alembic_config(sync_conn)))
                if sqlite:
                    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).first()
                    if broken is not None:
                        raise DatabaseError(
                            f"the migration would leave a row of {broken[0]!r} referring "
                            f"to a missing row of {broken[2]!r}; nothing was changed"
                        )
        finally:
            if sqlite:
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()


async def lock_rows(conn: AsyncConnection, table: Table, *where: ColumnElement[bool]) -> None:
    """Be the only writer of `table`'s rows matching `where` until this transaction ends.

    For a check and the write it allows (no overlapping notice, so insert one):
    without the lock two requests both pass the check. PostgreSQL locks the rows
    (`FOR NO KEY UPDATE`, so inserts that merely refer to them go on); they must
    exist. SQLite has one writer at a time, but Python's sqlite3 begins a
    transaction only at its first write, so reads before that see others'
    commits: the transaction becomes the writer now (`BEGIN IMMEDIATE`, waiting
    out the busy timeout), and what it reads from here stays true until it ends.
    A deferred read-then-write transaction could instead fail with "database is
    locked" when another writer commits between its read and its write.
    """
    if conn.dialect.name == "sqlite":
        raw = await conn.get_raw_connection()
        if not raw.driver_connection.in_transaction:  # type: ignore[union-attr]
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    await conn.execute(
        select(*table.primary_key.columns).where(*where).with_for_update(key_share=True)
    )


async def current_revision(conn: AsyncConnection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    def read(sync_conn: Any) -> str | None:
        return MigrationContext.configure(sync_conn).get_current_revision()

    return await conn.run_sync(read)


async def is_empty(engine: AsyncEngine) -> bool:
    """No school in the database yet (a fresh file, or a wiped one)."""
    import sqlalchemy as sa

    from .schema import schools

    async with engine.connect() as conn:
        return (
            await conn.execute(sa.select(sa.func.count()).select_from(schools))
        ).scalar_one() == 0
