"""Importing students: surname, name, patronymic, birth date and class of the current year.

A student is found again by the school's own id when the file has one, else by
surname, name, patronymic and birth date. A changed class moves the student
(and their enrollment of this year) to it.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Role

from ... import schema as s
from ..years import year_label
from . import values
from .files import Table
from .people import (
    Context,
    Existing,
    Person,
    Writer,
    changed_fields,
    column,
    existing_people,
    field_headings,
    index,
    read_person,
    refuse_duplicates,
    refuse_same_match,
)
from .report import ImportReport

YOUNGEST, OLDEST = 5, 21  # years old on 1 September


async def classes_by_key(conn: AsyncConnection, ctx: Context) -> dict[str, tuple[int, str]]:
    """The classes of the current year by `values.class_key` of their names."""
    c = s.classes.c
    rows = await conn.execute(
        sa.select(c.id, c.name).where(c.school_id == ctx.school_id, c.year == ctx.year)
    )
    return {values.class_key(r.name): (r.id, r.name) for r in rows}


def student_key(person: Person | Existing) -> tuple[str, dt.date | None]:
    return (person.name_key, person.birth_date)


def _short_key(person: Person | Existing) -> tuple[str, dt.date | None]:
    return (values.name_key(person.surname, person.first_name), person.birth_date)


async def run(conn: AsyncConnection, ctx: Context, table: Table, report: ImportReport) -> None:
    classes = await classes_by_key(conn, ctx)
    start = dt.date(ctx.year, 9, 1)
    rows: list[tuple[Person, int]] = []
    for row in table.rows:
        person = read_person(table, row, report, birth_required=True)
        klass = classes.get(values.class_key(row.text("class")))
        if klass is None:
            report.refuse(
                row.line,
                column(table, "class"),
                f"no class {row.text('class') or '(empty)'} in {year_label(ctx.year)}",
            )
        if person is None or klass is None:
            continue
        age = start.year - person.birth_date.year if person.birth_date else 0
        if not YOUNGEST <= age <= OLDEST:
            report.refuse(
                row.line,
                column(table, "birth_date"),
                f"born {person.birth_date:%d.%m.%Y}: {age} years old on 1 September, "
                "not of school age",
            )
            continue
        rows.append((person, klass[0]))
    refused = refuse_duplicates(
        table, report, [(("id", p.id), p) for p, _ in rows if p.id], "the same student as"
    )
    refused |= refuse_duplicates(  # one name and birth date under two ids is one child twice
        table,
        report,
        [(student_key(p), p) for p, _ in rows if p.line not in refused],
        "the same name and birth date as",
    )
    rows = [(p, c) for p, c in rows if p.line not in refused]

    known = await existing_people(conn, ctx.school_id, students=True)
    by_id = index(known, lambda e: e.id)
    by_name = index(known, student_key)
    by_short_name = index(known, _short_key)
    matches: list[tuple[Person, int, Existing | None]] = []
    for person, class_id in rows:
        if person.patronymic is None:  # a file without patronymics: surname, name and date
            found = by_short_name.get(_short_key(person), [])
        else:
            found = by_name.get(student_key(person), [])
        if person.id:
            others = [e for e in found if e.id is not None and e.id != person.id]
            found = by_id.get(person.id) or [e for e in found if e.id is None]
            if not found and others:
                report.refuse(
                    person.line,
                    column(table, "id"),
                    f"{person.full_name}, born {person.birth_date:%d.%m.%Y}, is in the school "
                    f"already as {others[0].id}; give that id (or correct the name or date)",
                )
                continue
        if len(found) > 1:
            report.refuse(
                person.line,
                "",
                f"{len(found)} students are {person.full_name}, born {person.birth_date:%d.%m.%Y}; "
                "give the school's id to say which",
            )
            continue
        matches.append((person, class_id, found[0] if found else None))
    refuse_same_match(report, [(p, e) for p, _, e in matches if e is not None])

    creates: list[tuple[Person, int]] = []
    updates: list[tuple[Person, int, Existing, list[str]]] = []
    for person, class_id, existing in matches:
        if existing is None:
            report.create(person.line, person.label)
            creates.append((person, class_id))
            continue
        changed = changed_fields(person, existing)
        if existing.class_id != class_id:
            changed.append("class")
        if changed:
            report.change(person.line, person.label, field_headings(table, changed))
            updates.append((person, class_id, existing, changed))
        else:
            report.unchanged += 1
    if not report.ok:
        return

    writer = Writer(conn, ctx)
    new_ids = await writer.create([p for p, _ in creates], [{Role.STUDENT.value}] * len(creates))
    if new_ids:
        await conn.execute(
            s.students.insert(),
            [{"user_id": uid, "class_id": c} for uid, (_, c) in zip(new_ids, creates, strict=True)],
        )
        await conn.execute(
            s.enrollments.insert(),
            [
                {"student_id": uid, "year": ctx.year, "class_id": c}
                for uid, (_, c) in zip(new_ids, creates, strict=True)
            ],
        )
    for person, class_id, existing, changed in updates:
        await writer.update(person, existing, changed)
        if "class" in changed:
            await _move(conn, ctx.year, existing.user_id, class_id)


async def _move(conn: AsyncConnection, year: int, student_id: int, class_id: int) -> None:
    """The student is in `class_id` now, and was all this year (their enrollment says so)."""
    await conn.execute(
        s.students.update().where(s.students.c.user_id == student_id).values(class_id=class_id)
    )
    e = s.enrollments.c
    moved = await conn.execute(
        s.enrollments.update()
        .where(e.student_id == student_id, e.year == year)
        .values(class_id=class_id)
    )
    if moved.rowcount == 0:
        await conn.execute(
            s.enrollments.insert().values(student_id=student_id, year=year, class_id=class_id)
        )
