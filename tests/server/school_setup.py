"""A school built without the demo: an empty migrated database and the example school.toml.

Shared by the tests of the school's structure, its timetable and its lessons.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import itertools
import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import db
from ediary_tui.server import schema as s
from ediary_tui.server.school.audit import Actor
from ediary_tui.server.school.setup_file import SetupReport, setup_school
from tests.conftest import PG_URL, _pg_admin, _pg_url

ACTOR = Actor.command_line()
_BLANKS = itertools.count()
TODAY = dt.date(2026, 11, 25)


def example_file() -> Path:
    """The school.toml the package ships (the file an administrator starts from)."""
    return Path(
        str(importlib.resources.files("ediary_tui.server.school") / "examples" / "school.toml")
    )


async def blank_engine(tmp_path: Path) -> AsyncEngine:
    """An empty migrated database: SQLite in `tmp_path`, or a new PostgreSQL database when
    EDIARY_TEST_PG_URL names a server (as the demo's tests do); `dispose_blank` drops it."""
    if PG_URL is None:
        url = f"sqlite+aiosqlite:///{tmp_path}/s.db"
    else:
        name = f"ediary_blank_{os.getpid()}_{next(_BLANKS)}"
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    engine = db.create_engine(url)
    await db.upgrade(engine)
    return engine


async def dispose_blank(engine: AsyncEngine) -> None:
    name = engine.url.database
    await engine.dispose()
    if PG_URL is not None and name:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def apply_example(engine: AsyncEngine, path: Path | None = None, **kw: object) -> SetupReport:
    return await setup_school(engine, path or example_file(), actor=ACTOR, **kw)  # type: ignore[arg-type]


async def add_teacher(engine: AsyncEngine, login: str, full_name: str, school_id: int = 1) -> int:
    """A teacher row as the staff import would make it (only what the timetable needs)."""
    async with engine.begin() as conn:
        uid = (
            await conn.execute(
                s.users.insert()
                .values(
                    school_id=school_id,
                    login=login,
                    full_name=full_name,
                    last_name=full_name.split()[0],
                    password_hash="-",
                    must_change_password=True,
                    created_at=dt.datetime(2026, 8, 30, tzinfo=dt.UTC),
                )
                .returning(s.users.c.id)
            )
        ).scalar_one()
        await conn.execute(s.user_roles.insert().values(user_id=uid, role="teacher"))
    return uid


async def count(engine: AsyncEngine, table: sa.Table) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()
