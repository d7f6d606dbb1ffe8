"""Importing staff: teachers and administrators, and the class each class teacher leads.

A member of staff is found again by the school's own id (a personnel number) when
the file has one, else by e-mail, else by full name (so a corrected e-mail updates
the person it was wrong for). The roles column says who
teaches and who administers (a new person with it empty teaches; for someone
already there, an empty cell leaves their roles); "Классное руководство"
names the class a person leads this year, which gives them the class teacher's
role. The subjects column is checked against the school's subjects, so that a
subject missing from school.toml shows now rather than in the timetable.
"""

from __future__ import annotations

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
from .students import classes_by_key

ROLE_WORDS: dict[str, str] = {
    "учитель": Role.TEACHER.value,
    "педагог": Role.TEACHER.value,
    "teacher": Role.TEACHER.value,
    "администратор": Role.ADMIN.value,
    "директор": Role.ADMIN.value,
    "завуч": Role.ADMIN.value,
    "заместитель директора": Role.ADMIN.value,
    "admin": Role.ADMIN.value,
    "administrator": Role.ADMIN.value,
}
FILE_ROLES = frozenset({Role.TEACHER.value, Role.ADMIN.value})  # what the roles column decides
STAFF_ROLES = FILE_ROLES | {Role.CLASS_TEACHER.value}


def _roles(text: str) -> set[str] | None:
    """The roles a cell names; None for an empty cell (a new person teaches)."""
    words = values.split_list(text)
    if not words:
        return None
    roles = set()
    for word in words:
        role = ROLE_WORDS.get(values.fold(word))
        if role is None:
            raise values.Bad(
                f'"{word}" is not a role; say учитель (teacher) or администратор (admin)'
            )
        roles.add(role)
    return roles


def _key(person: Person) -> tuple[str, str]:
    if person.id:
        return ("id", person.id)
    if person.email:
        return ("email", person.email)
    return ("name", person.name_key)


async def _subjects(conn: AsyncConnection, school_id: int) -> set[str]:
    rows = await conn.execute(
        sa.select(s.subjects.c.name).where(s.subjects.c.school_id == school_id)
    )
    return {values.fold(name) for name in rows.scalars()}


async def run(conn: AsyncConnection, ctx: Context, table: Table, report: ImportReport) -> None:
    classes = await classes_by_key(conn, ctx)
    subjects = await _subjects(conn, ctx.school_id)
    rows: list[tuple[Person, set[str] | None, int | None]] = []
    leads: dict[int, int] = {}  # class id -> the line that names its class teacher
    for row in table.rows:
        person = read_person(table, row, report, birth_required=False)
        ok = person is not None
        try:
            roles = _roles(row.text("roles"))
        except values.Bad as exc:
            report.refuse(row.line, column(table, "roles"), str(exc))
            ok = False
        class_id = None
        led = row.text("class_teacher_of")
        if led:
            klass = classes.get(values.class_key(led))
            if klass is None:
                report.refuse(
                    row.line,
                    column(table, "class_teacher_of"),
                    f"no class {led} in {year_label(ctx.year)}",
                )
                ok = False
            elif klass[0] in leads:
                report.refuse(
                    row.line,
                    column(table, "class_teacher_of"),
                    f"line {leads[klass[0]]} gives {klass[1]} its class teacher already; "
                    "a class has one",
                )
                ok = False
            else:
                class_id = klass[0]
                leads[class_id] = row.line
        for subject in values.split_list(row.text("subjects")):
            if values.fold(subject) not in subjects:
                report.refuse(
                    row.line,
                    column(table, "subjects"),
                    f'the school has no subject "{subject}"; add it to school.toml',
                )
                ok = False
        if ok and person is not None:
            rows.append((person, roles, class_id))
    refused = refuse_duplicates(
        table, report, [(_key(p), p) for p, _, _ in rows], "the same person as"
    )
    rows = [r for r in rows if r[0].line not in refused]

    known = await existing_people(conn, ctx.school_id, students=False)
    by_id = index(known, lambda e: e.id)
    by_email = index(known, lambda e: e.email.lower() if e.email else None)
    by_name = index([e for e in known if e.roles & STAFF_ROLES], lambda e: e.name_key)
    c = s.classes.c
    class_teachers = dict(
        (
            await conn.execute(
                sa.select(c.id, c.class_teacher_id).where(
                    c.school_id == ctx.school_id, c.year == ctx.year
                )
            )
        ).all()
    )
    matches: list[tuple[Person, set[str] | None, int | None, Existing | None]] = []
    for person, roles, class_id in rows:
        found = None
        if person.id:
            found = by_id.get(person.id)
        if not found and person.email:
            found = [e for e in by_email.get(person.email, []) if not (person.id and e.id)]
        if not found:  # by name: imported before without this id, or with another e-mail
            found = [e for e in by_name.get(person.name_key, []) if not (person.id and e.id)]
        if found and len(found) > 1:
            report.refuse(
                person.line,
                "",
                f"{len(found)} people of the school are {person.full_name}; "
                "give their e-mail or the school's id to say which",
            )
            continue
        matches.append((person, roles, class_id, found[0] if found else None))
    refuse_same_match(report, [(m[0], m[3]) for m in matches if m[3] is not None])

    creates: list[tuple[Person, set[str], int | None]] = []
    updates: list[tuple[Person, set[str] | None, int | None, Existing, list[str]]] = []
    for person, roles, class_id, existing in matches:
        if existing is None:
            report.create(person.line, person.label)
            creates.append((person, roles or {Role.TEACHER.value}, class_id))
            continue
        changed = changed_fields(person, existing)
        if roles is not None and existing.roles & FILE_ROLES != roles:
            changed.append("roles")
        if class_id is not None and class_teachers.get(class_id) != existing.user_id:
            changed.append("class_teacher_of")
        if changed:
            report.change(person.line, person.label, field_headings(table, changed))
            updates.append((person, roles, class_id, existing, changed))
        else:
            report.unchanged += 1
    if not report.ok:
        return

    writer = Writer(conn, ctx)
    new_ids = await writer.create(
        [p for p, _, _ in creates],
        [roles | ({Role.CLASS_TEACHER.value} if led else set()) for _, roles, led in creates],
    )
    leaders = [(uid, led) for uid, (_, _, led) in zip(new_ids, creates, strict=True) if led]
    for person, roles, class_id, existing, changed in updates:
        await writer.update(person, existing, changed)
        if roles is not None and "roles" in changed:
            have = existing.roles & FILE_ROLES
            await writer.add_roles([(existing.user_id, r) for r in sorted(roles - have)])
            await writer.remove_roles([(existing.user_id, r) for r in sorted(have - roles)])
        if "class_teacher_of" in changed and class_id is not None:
            leaders.append((existing.user_id, class_id))
            if Role.CLASS_TEACHER.value not in existing.roles:
                await writer.add_roles([(existing.user_id, Role.CLASS_TEACHER.value)])
    for user_id, class_id in leaders:
        await conn.execute(
            s.classes.update().where(c.id == class_id).values(class_teacher_id=user_id)
        )
    taken = {class_id for _, class_id in leaders}
    replaced = [old for cid, old in class_teachers.items() if old is not None and cid in taken]
    await _drop_idle_class_teachers(conn, ctx, replaced)


async def _drop_idle_class_teachers(
    conn: AsyncConnection, ctx: Context, user_ids: list[int]
) -> None:
    """A class teacher whose class went to someone else keeps the role only if they lead another."""
    c, r = s.classes.c, s.user_roles.c
    for user_id in set(user_ids):
        leads = (
            await conn.execute(
                sa.select(sa.func.count()).where(c.class_teacher_id == user_id, c.year == ctx.year)
            )
        ).scalar_one()
        if not leads:
            await conn.execute(
                s.user_roles.delete().where(
                    r.user_id == user_id, r.role == Role.CLASS_TEACHER.value
                )
            )
