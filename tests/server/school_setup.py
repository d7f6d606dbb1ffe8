"""A school built without the demo: an empty migrated database and the example school.toml.

Shared by the tests of the school's structure, its timetable and its lessons.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import db
from ediary_tui.server import schema as s
from ediary_tui.server.school.audit import Actor
from ediary_tui.server.school.setup_file import SetupReport, setup_school

ACTOR = Actor.command_line()
TODAY = dt.date(2026, 11, 25)


def example_file() -> Path:
    """The school.toml the package ships (the file an administrator starts from)."""
    return Path(
        str(importlib.resources.files("ediary_tui.server.school") / "examples" / "school.toml")
    )


async def blank_engine(tmp_path: Path) -> AsyncEngine:
    engine = db.create_engine(f"sqlite+aiosqlite:///{tmp_path}/s.db")
    await db.upgrade(engine)
    return engine


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
