"""Rollover benchmark (not a test): how long a school of about 1,000 students takes to roll
over into the next year (year marks, classes moved up, graduates, the next year opened).

Builds the demo school (11 grades x 4 classes x 23 students = 1,012 students, its first
quarter and a half of lessons, marks and period marks) as of 2026-11-25 on SQLite, or on
PostgreSQL with `--pg URL` (a scratch database is made there and dropped), then times
`roll_over_school(..., force=True)`: one transaction, as `ediary admin year rollover`.

    python bench/rollover.py
    python bench/rollover.py --pg postgresql://postgres@127.0.0.1:54330/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from ediary_tui.server import db
from ediary_tui.server import schema as s
from ediary_tui.server.demo import build_demo
from ediary_tui.server.school.audit import Actor
from ediary_tui.server.school.rollover import roll_over_school

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
SCRATCH = "ediary_bench_rollover"


async def _admin(url: str, statement: str) -> None:
    engine = create_async_engine(db.normalise_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text(statement))
    finally:
        await engine.dispose()


async def measure(url: str, classes_per_grade: int, students_per_class: int) -> None:
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
        started = time.perf_counter()
        await build_demo(
            engine,
            today=TODAY,
            classes_per_grade=classes_per_grade,
            students_per_class=students_per_class,
        )
        built = time.perf_counter() - started
        async with engine.connect() as conn:
            students = (
                await conn.execute(sa.select(sa.func.count()).select_from(s.students))
            ).scalar()
        started = time.perf_counter()
        report = await roll_over_school(engine, Actor(None, "bench"), None, force=True, now=NOW)
        took = time.perf_counter() - started
    finally:
        await engine.dispose()
    print(f"database\t{engine.dialect.name}")
    print(f"students\t{students}\t(demo built in {built:.1f} s)")
    print("\n".join(report.lines()))
    print(f"rollover\t{took:.2f} s")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server to measure on")
    parser.add_argument("--classes-per-grade", type=int, default=4)
    parser.add_argument("--students-per-class", type=int, default=23)
    args = parser.parse_args()
    size = (args.classes_per_grade, args.students_per_class)
    if args.pg is None:
        with tempfile.TemporaryDirectory() as tmp:
            await measure(str(Path(tmp) / "school.db"), *size)
        return
    await _admin(args.pg, f'DROP DATABASE IF EXISTS "{SCRATCH}"')
    await _admin(args.pg, f'CREATE DATABASE "{SCRATCH}"')
    try:
        url = str(sa.engine.make_url(db.normalise_url(args.pg)).set(database=SCRATCH))
        await measure(url, *size)
    finally:
        await _admin(args.pg, f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
