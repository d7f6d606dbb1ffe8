"""The migrations build exactly the schema that schema.py declares, and undo it.

A column added to schema.py without its revision (or the other way round)
would work in tests that create tables from the migrations and fail on a
school's database upgraded from an older release; this catches it.
"""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import db
from ediary_tui.server.schema import metadata


def _differences(sync_conn: Any) -> list[Any]:
    context = MigrationContext.configure(
        sync_conn, opts={"compare_type": True, "render_as_batch": True}
    )
    return compare_metadata(context, metadata)


def _relevant(diff: Any) -> bool:
    # SQLite reflects no server defaults or comments the way they were declared; types,
    # columns, nullability, tables, indexes and unique constraints are what must agree.
    kind = diff[0][0] if isinstance(diff, list) else diff[0]
    return kind not in {"modify_default", "modify_comment"}


async def test_the_migrated_schema_is_the_declared_one(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        diffs = [d for d in await conn.run_sync(_differences) if _relevant(d)]
    assert diffs == []


async def test_every_revision_goes_down_and_up_again_with_the_demo_in_it(
    engine: AsyncEngine,
) -> None:
    await db.downgrade(engine, "0001")
    await db.upgrade(engine)
    async with engine.connect() as conn:
        assert await db.current_revision(conn) == db_head()
        diffs = [d for d in await conn.run_sync(_differences) if _relevant(d)]
    assert diffs == []


def db_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(db._alembic_config(None)).get_current_head() or ""
