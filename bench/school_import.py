"""School import benchmark (not a test): a 1,000-student school from its files, timed.

Makes the files of a school of 40 classes (4 a grade for grades 1-7, 3 for 8-11)
of 25 students, their parents, the staff the curriculum needs and a clash-free
timetable (bench/school_files.py), then times, on an empty database:

- `setup school.toml` (the school, year, periods, bells, subjects, rooms, classes);
- the staff, students, parents and timetable imports, the timetable's including
  the lessons it generates (from 1 September: the whole year's);
- a second import of every file (nothing changes: the cost of checking);
- the year's rollover, when server/school/rollover.py is there.

On SQLite (a file in a temporary directory), and on PostgreSQL with `--pg URL`
(a database made for the run and dropped after).

    python bench/school_import.py [--pg postgresql://postgres@127.0.0.1:54330/postgres] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import platform
import re
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import school_files  # noqa: E402  (beside this script)

from ediary_tui.server import db  # noqa: E402
from ediary_tui.server import schema as s  # noqa: E402
from ediary_tui.server.school.audit import Actor  # noqa: E402
from ediary_tui.server.school.imports import import_file  # noqa: E402
from ediary_tui.server.school.setup_file import setup_school  # noqa: E402

SECTION = "## bench/school_import.py"
PER_GRADE = (4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3)  # 40 classes
STUDENTS = 25
TEACHER_HOURS = 16  # a lighter week a teacher: about 70 staff
FIRST_DAY = dt.date(2026, 9, 1)
FILES = (
    ("staff", "staff.csv"),
    ("students", "students.csv"),
    ("parents", "parents.xlsx"),
    ("timetable", "timetable.csv"),
)
ACTOR = Actor.command_line()


@contextlib.asynccontextmanager
async def database(pg: str | None, tmp: Path) -> AsyncIterator[AsyncEngine]:
    """An empty migrated database: a SQLite file, or a PostgreSQL database for the run."""
    if pg is None:
        engine = db.create_engine(str(tmp / "school.db"))
        await db.upgrade(engine)
        try:
            yield engine
        finally:
            await engine.dispose()
        return
    admin_url = db.normalise_url(pg)
    name = "ediary_bench_import"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = db.create_engine(str(sa.engine.make_url(admin_url).set(database=name)))
    await db.upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def timed(work: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = await work()
    return time.perf_counter() - start, result


async def measure(pg: str | None, files: Path) -> list[tuple[str, float, str]]:
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with database(pg, Path(tmp)) as engine:
            took, report = await timed(
                lambda: setup_school(engine, files / "school.toml", actor=ACTOR)
            )
            rows.append(("setup school.toml", took, f"{len(report.changes)} changes"))
            total = took
            for again in (False, True):
                for kind, name in FILES:
                    took, result = await timed(
                        lambda kind=kind, name=name: import_file(
                            engine,
                            kind,
                            files / name,
                            school=None,
                            actor=ACTOR,
                            dry_run=False,
                            today=FIRST_DAY,
                        )
                    )
                    assert result.ok, "\n".join(result.lines()[-20:])
                    what = result.lines()[0].split(": ", 1)[1]
                    notes = [n for n in result.notes if n.startswith("lessons")]
                    if notes:
                        what += "; " + notes[0]
                    label = f"import {kind}" + (" again" if again else "")
                    rows.append((label, took, what))
                    if not again:
                        total += took
                if not again:
                    rows.append(("the school, from nothing", total, ""))
            async with engine.connect() as conn:
                counts = {
                    t.name: (
                        await conn.execute(sa.select(sa.func.count()).select_from(t))
                    ).scalar_one()
                    for t in (s.users, s.classes, s.timetable, s.lessons, s.guardians)
                }
            rows.append(("rows", 0.0, ", ".join(f"{n} {k}" for k, n in counts.items())))
            rows += await rollover(engine)
    return rows


async def rollover(engine: AsyncEngine) -> list[tuple[str, float, str]]:
    """The year's rollover, timed, when the module is there (issue 12's point 3)."""
    try:
        from ediary_tui.server.school import rollover as ro
    except ImportError:
        return []
    now = dt.datetime(2027, 6, 20, 12, tzinfo=dt.UTC)

    async def run() -> Any:
        async with engine.begin() as conn:
            school_id = (await conn.execute(sa.select(s.schools.c.id))).scalar_one()
            return await ro.roll_over(conn, ACTOR, school_id, from_year=2026, now=now)

    try:
        took, report = await timed(run)
    except Exception as exc:  # a bench says what went wrong and goes on
        return [("rollover 2026/27 -> 2027/28", float("nan"), f"failed: {exc}")]
    return [
        (
            "rollover 2026/27 -> 2027/28",
            took,
            f"{report.classes_promoted} classes, {report.students_promoted} students promoted, "
            f"{report.graduates} graduates",
        )
    ]


def table(title: str, rows: list[tuple[str, float, str]]) -> str:
    out = [f"{title}\n", "| step | seconds | result |", "| --- | ---: | --- |"]
    for label, took, what in rows:
        out.append(f"| {label} | {took:.2f} | {what} |" if took else f"| {label} | | {what} |")
    return "\n".join(out) + "\n"


def write_results(section: str) -> Path:
    """Put `section` under SECTION in bench/RESULTS.md, leaving the other sections be."""
    path = HERE / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    body = f"{SECTION}\n\n{section}"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text, count=1).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text, encoding="utf-8")
    return path


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", metavar="URL", help="also on this PostgreSQL server")
    parser.add_argument("--write", action="store_true", help="put the tables in bench/RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp)
        school_files.big_school(
            files, per_grade=PER_GRADE, students=STUDENTS, teacher_hours=TEACHER_HOURS
        )
        sections = [
            f"A school of {len(PER_GRADE) and sum(PER_GRADE)} classes, {sum(PER_GRADE) * STUDENTS} "
            f"students, made by bench/school_files.py; lessons generated from {FIRST_DAY} "
            f"(the whole year). {platform.python_version()}, "
            f"{platform.machine()}, measured {dt.date.today()}.\n"
        ]
        for name, url in (("SQLite", None), ("PostgreSQL", args.pg)):
            if name == "PostgreSQL" and url is None:
                continue
            rows = await measure(url, files)
            sections.append(table(f"{name}:", rows))
    text = "\n".join(sections)
    print(text)
    if args.write:
        print(f"written to {write_results(text)}")


if __name__ == "__main__":
    asyncio.run(main())
