"""Importing parents and legal representatives, linked to their children.

A parent is found again by the school's own id when the file has one, else by
e-mail, else by phone: one of them is needed. A parent of two children is one
row naming both ("S-0001; S-0002") or two rows, one per child, that agree on who
the parent is. A child is named by the school's id or as "Surname Name
[Patronymic] ДД.ММ.ГГГГ", and must have been imported already. Links are only
added (a row never unlinks a child the file does not name); a relation that
changed is updated. A parent who is on the staff too (the same e-mail) is the same
person: they gain the parent's role, not a second account.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Role

from ... import schema as s
from . import values
from .files import Row, Table
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
    refuse_same_match,
)
from .report import ImportReport

_NAMED_CHILD = re.compile(r"^(?P<name>.+?)\s+(?P<born>\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d{2}-\d{2})$")


class _Children:
    """The school's students, found by id or by name and birth date."""

    def __init__(self, students: list[Existing]) -> None:
        self.by_id = index(students, lambda e: values.fold(e.id) if e.id else None)
        self.by_full = index(students, lambda e: (e.name_key, e.birth_date))
        self.by_short = index(
            students, lambda e: (values.name_key(e.surname, e.first_name), e.birth_date)
        )

    def find(self, ref: str) -> Existing:
        named = _NAMED_CHILD.match(ref)
        if named is None:
            found = self.by_id.get(values.fold(ref), [])
            if not found:
                raise values.Bad(
                    f'no student "{ref}": name a child by the school\'s id or as '
                    '"Surname Name ДД.ММ.ГГГГ", and import the students first'
                )
            return found[0]
        born = values.date(named["born"], required=True)
        key = (values.fold(named["name"]), born)
        found = self.by_full.get(key) or self.by_short.get(key) or []
        if not found:
            raise values.Bad(
                f"no student {named['name']} born {born:%d.%m.%Y}; import the students first"
            )
        if len(found) > 1:
            raise values.Bad(
                f"{len(found)} students are {named['name']} born {born:%d.%m.%Y}; "
                "name the child by the school's id"
            )
        return found[0]


def _key(person: Person) -> tuple[str, str] | None:
    if person.id:
        return ("id", person.id)
    if person.email:
        return ("email", person.email)
    if person.phone:
        return ("phone", person.phone)
    return None


def _same_person(a: Person, b: Person) -> bool:
    return all(
        getattr(a, f) == getattr(b, f) or getattr(a, f) is None or getattr(b, f) is None
        for f in ("surname", "first_name", "patronymic", "id", "email", "phone")
    )


def _children(
    table: Table, row: Row, report: ImportReport, children: _Children
) -> list[tuple[int, str]] | None:
    """(student id, relation) for each child the row names; None after refusing."""
    try:
        relation = values.relation(row.text("relation"))
    except values.Bad as exc:
        report.refuse(row.line, column(table, "relation"), str(exc))
        return None
    refs = values.split_list(row.text("children"))
    if not refs:
        report.refuse(row.line, column(table, "children"), "empty; name at least one child")
        return None
    found = []
    for ref in refs:
        try:
            found.append((children.find(ref).user_id, relation))
        except values.Bad as exc:
            report.refuse(row.line, column(table, "children"), str(exc))
            return None
    return found


async def run(conn: AsyncConnection, ctx: Context, table: Table, report: ImportReport) -> None:
    children = _Children(await existing_people(conn, ctx.school_id, students=True))
    parents: dict[tuple[str, str], tuple[Person, dict[int, str], dict[int, int]]] = {}
    for row in table.rows:
        person = read_person(table, row, report, birth_required=False)
        linked = _children(table, row, report, children)
        if person is None or linked is None:
            continue
        key = _key(person)
        if key is None:
            report.refuse(
                row.line,
                column(table, "email"),
                "give an e-mail or a phone: it is how the next import finds this parent again",
            )
            continue
        if key not in parents:
            parents[key] = (person, {}, {})
        first, links, lines = parents[key]
        if not _same_person(first, person):
            report.refuse(
                row.line,
                "",
                f"line {first.line} has the same {key[0]} for {first.full_name}; "
                "one parent per e-mail and phone",
            )
            continue
        for student_id, relation in linked:
            if student_id in links:
                report.refuse(
                    row.line,
                    column(table, "children"),
                    f"line {lines[student_id]} links {first.full_name} to this child already; "
                    "keep one of the two",
                )
                continue
            links[student_id] = relation
            lines[student_id] = row.line
        for f in ("patronymic", "birth_date", "id", "email", "phone"):
            if getattr(first, f) is None:
                setattr(first, f, getattr(person, f))

    known = await existing_people(conn, ctx.school_id, students=False)
    by_id = index(known, lambda e: e.id)
    by_email = index(known, lambda e: e.email.lower() if e.email else None)
    by_phone = index(known, lambda e: e.phone)
    matches: list[tuple[Person, dict[int, str], Existing | None]] = []
    for person, links, _ in parents.values():
        found: list[Existing] = []
        if person.id:
            found = by_id.get(person.id, [])
        if not found and person.email:
            found = [e for e in by_email.get(person.email, []) if not (person.id and e.id)]
        if not found and person.phone:
            found = [e for e in by_phone.get(person.phone, []) if not (person.id and e.id)]
        if len(found) > 1:
            report.refuse(
                person.line,
                "",
                f"{len(found)} people of the school have this e-mail or phone; "
                "give the school's id to say which",
            )
            continue
        matches.append((person, links, found[0] if found else None))
    refuse_same_match(report, [(p, e) for p, _, e in matches if e is not None])

    g = s.guardians.c
    existing_links: dict[tuple[int, int], str] = {
        (r.parent_id, r.student_id): r.relation
        for r in await conn.execute(
            sa.select(g.parent_id, g.student_id, g.relation).where(
                g.parent_id.in_([e.user_id for _, _, e in matches if e is not None])
            )
        )
    }
    creates: list[tuple[Person, dict[int, str]]] = []
    updates: list[tuple[Person, Existing, list[str], dict[int, str], dict[int, str]]] = []
    for person, links, existing in matches:
        if existing is None:
            report.create(person.line, f"{person.label}, {len(links)} {_children_word(len(links))}")
            creates.append((person, links))
            continue
        changed = changed_fields(person, existing)
        new_links = {c: r for c, r in links.items() if (existing.user_id, c) not in existing_links}
        relations = {
            c: r
            for c, r in links.items()
            if (existing.user_id, c) in existing_links
            and existing_links[(existing.user_id, c)] != r
        }
        if new_links:
            changed.append("children")
        if relations:
            changed.append("relation")
        if Role.PARENT.value not in existing.roles:
            changed.append("roles")
        if changed:
            report.change(person.line, person.label, field_headings(table, changed))
            updates.append((person, existing, changed, new_links, relations))
        else:
            report.unchanged += 1
    if not report.ok:
        return

    writer = Writer(conn, ctx)
    new_ids = await writer.create([p for p, _ in creates], [{Role.PARENT.value}] * len(creates))
    rows = [
        {"parent_id": uid, "student_id": child, "relation": relation}
        for uid, (_, links) in zip(new_ids, creates, strict=True)
        for child, relation in links.items()
    ]
    for person, existing, changed, new_links, relations in updates:
        await writer.update(person, existing, changed)
        rows += [
            {"parent_id": existing.user_id, "student_id": child, "relation": relation}
            for child, relation in new_links.items()
        ]
        for child, relation in relations.items():
            await conn.execute(
                s.guardians.update()
                .where(g.parent_id == existing.user_id, g.student_id == child)
                .values(relation=relation)
            )
        if "roles" in changed:
            await writer.add_roles([(existing.user_id, Role.PARENT.value)])
    for start in range(0, len(rows), 1000):
        await conn.execute(s.guardians.insert(), rows[start : start + 1000])


def _children_word(n: int) -> str:
    return "child" if n == 1 else "children"
