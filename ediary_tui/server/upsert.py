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


def _statement(
    conn: AsyncConnection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    update: Mapping[str, Any] | None,
    where: sa.ColumnElement[bool] | None,
    returning: Sequence[sa.ColumnElement[Any]],
) -> Any:
    stmt = insert_for(conn, table).values(list(rows) if len(rows) > 1 else dict(rows[0]))
    if update is None:
        # Each row's own proposed values, so this holds for one row as for many.
        update = {k: excluded(table, k) for k in rows[0] if k not in conflict}
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(conflict), set_=dict(update), where=where
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
    return stmt.returning(*returning) if returning else stmt


async def upsert(
    conn: AsyncConnection,
    table: sa.Table,
    values: Mapping[str, Any],
    conflict: Sequence[str],
    update: Mapping[str, Any] | None = None,
    returning: Sequence[sa.ColumnElement[Any]] = (),
    *,
    where: sa.ColumnElement[bool] | None = None,
) -> sa.Row[Any] | None:
    """Insert `values`, or on a conflict over `conflict` set `update` (default: the rest).

    `update` values may be SQL expressions over the existing row (`table.c.x + 1`)
    or over the proposed one (`excluded(table, "x")`); `update={}` leaves an
    existing row alone. `where` (over both, as `update`) limits the update to rows
    it holds for: a write that would change nothing then returns no row, which
    tells a request from its racing twin. Returns the `returning` row of the row
    inserted or updated, None when none was (or nothing was asked back).
    """
    stmt = _statement(conn, table, [values], conflict, update, where, returning)
    if returning:
        return (await conn.execute(stmt)).first()
    await conn.execute(stmt)
    return None


async def upsert_many(
    conn: AsyncConnection,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    conflict: Sequence[str],
    update: Mapping[str, Any] | None = None,
    returning: Sequence[sa.ColumnElement[Any]] = (),
    *,
    where: sa.ColumnElement[bool] | None = None,
) -> list[sa.Row[Any]]:
    """`upsert` of several rows in one statement; the `returning` rows of those written.

    The rows share their keys; `update` should use `excluded`, as each row has its own values.
    """
    if not rows:
        return []
    stmt = _statement(conn, table, rows, conflict, update, where, returning)
    result = await conn.execute(stmt)
    return list(result.all()) if returning else []


def excluded(table: sa.Table, column: str) -> Any:
    """The proposed value of `column` in an upsert (`EXCLUDED.column`), on both dialects."""
    return sa.literal_column(f"excluded.{table.c[column].name}")


async def put_or_clear(
    conn: AsyncConnection,
    table: sa.Table,
    key: Mapping[str, Any],
    column: str,
    value: Any,
    also: Mapping[str, Any],
) -> bool:
    """Set `column` of the row at `key` to `value` (and the columns of `also`), or delete the
    row when `value` is None. One statement either way: a twin request racing on a row not
    there yet finds it and, the value being the same, writes nothing. False when this
    request changed nothing (its twin was first)."""
    where = [table.c[k] == v for k, v in key.items()]
    if value is None:
        deleted = await conn.execute(table.delete().where(*where).returning(table.c[column]))
        return deleted.first() is not None
    written = await upsert(
        conn,
        table,
        {**key, column: value, **also},
        conflict=tuple(key),
        where=table.c[column] != excluded(table, column),
        returning=(table.c[column],),
    )
    return written is not None
