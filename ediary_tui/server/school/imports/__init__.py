"""Importing a school's people and timetable from the files the school already has.

`import_file` reads a table (files.py: CSV as a spreadsheet saves it, or .xlsx),
checks every row, and either refuses the file with every bad row named (line,
column, reason) and nothing written, or imports all of it in one transaction
with one audit line. A dry run does the same work and rolls it back, so it says
exactly what a real import would create, change and refuse. Each kind has its
module: staff.py, students.py, parents.py, timetable.py; people.py holds what the
three kinds of people share.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from ..audit import Actor, record
from ..errors import AdminError
from ..structure import school_of, school_today
from ..years import current_year
from . import parents, staff, students, timetable
from .files import read_table
from .headers import OPTIONAL, REQUIRED, heading_for
from .people import Context
from .report import ImportReport, Refusal

KINDS = {
    "staff": staff.run,
    "students": students.run,
    "parents": parents.run,
    "timetable": timetable.run,
}

__all__ = ["KINDS", "ImportReport", "Refusal", "import_file"]


async def import_file(
    engine: AsyncEngine,
    kind: str,
    path: Path,
    *,
    school: int | None,
    actor: Actor,
    dry_run: bool,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ImportReport:
    """Import (or, with `dry_run`, try) one file of `kind`; see the module's docstring."""
    run = KINDS.get(kind)
    if run is None:
        raise AdminError(f"cannot import {kind!r}: the kinds are {', '.join(KINDS)}")
    table = read_table(path)
    missing = [heading_for(f) for f in REQUIRED[kind] if f not in table.headings]
    if missing:
        raise AdminError(
            f"{path.name} has no column {', '.join(repr(m) for m in missing)}; a {kind} file needs "
            f"{', '.join(heading_for(f) for f in REQUIRED[kind])} "
            f"(and may have {', '.join(heading_for(f) for f in OPTIONAL[kind])})"
        )
    report = ImportReport(kind, path.name, dry_run)
    if table.ignored:
        report.notes.append(
            f"columns not read: {', '.join(table.ignored)} (see `ediary admin import --help`)"
        )
    now = now or dt.datetime.now(dt.UTC)
    async with engine.connect() as conn:
        transaction = await conn.begin()
        try:
            school_id = await school_of(conn, school)
            ctx = Context(
                school_id=school_id,
                year=await current_year(conn, school_id),
                actor=actor,
                today=today or await school_today(conn, school_id),
                now=now,
            )
            await run(conn, ctx, table, report)
            if report.ok and not dry_run:
                await record(
                    conn,
                    actor,
                    f"import.{kind}",
                    school_id=school_id,
                    target=path.name,
                    detail={
                        "created": report.created,
                        "changed": report.changed,
                        "unchanged": report.unchanged,
                    },
                    now=now,
                )
        except IntegrityError:
            await transaction.rollback()
            raise AdminError(
                f"the school changed while {path.name} was being imported (another import, or "
                "an administrator at work); nothing was imported: import the file again"
            ) from None
        except BaseException:
            await transaction.rollback()
            raise
        if report.ok and not dry_run:
            await transaction.commit()
        else:
            await transaction.rollback()
    return report
