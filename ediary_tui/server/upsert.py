"""One atomic "insert, or update the row that is already there" on both databases.

SQLite (3.35+) and PostgreSQL both have `INSERT ... ON CONFLICT DO UPDATE`;
SQLAlchemy spells it per dialect, so this picks the dialect's `insert` and
keeps the services free of it. One statement, so two requests racing on a row
that does not exist yet cannot both insert it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def insert_for(conn: AsyncConnection, table: sa.Table) -> Any:
    """The dialect's INSERT for `table`, which has `on_conflict_do_update/nothing`."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for the {conn.dialect.name} dialect")


async def upsert(
    conn: AsyncConnection,
    table: sa.Table,
    values: Mapping[str, Any],
    conflict: Sequence[str],
    update: Mapping[str, Any] | None = None,
    returning: Sequence[sa.ColumnElement[Any]] = (),
) -> sa.Row[Any] | None:
    """Insert `values`, or on a conflict over `conflict` set `update` (default: the rest).

    `update` values may be SQL expressions over the existing row (`table.c.x + 1`)
    or over the proposed one (`excluded(table, "x")`). Returns the `returning` row.
    """
    stmt = insert_for(conn, table).values(**values)
    if update is None:
        update = {k: v for k, v in values.items() if k not in conflict}
    if update:
        stmt = stmt.on_conflict_do_update(index_elements=list(conflict), set_=dict(update))
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
    if returning:
        stmt = stmt.returning(*returning)
        return (await conn.execute(stmt)).first()
    await conn.execute(stmt)
    return None


def excluded(table: sa.Table, column: str) -> Any:
    """The proposed value of `column` in an upsert (`EXCLUDED.column`), on both dialects."""
    return sa.literal_column(f"excluded.{table.c[column].name}")
