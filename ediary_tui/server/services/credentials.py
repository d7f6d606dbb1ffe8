"""First-login credentials: a class's families and the one-time passwords the school hands out.

One implementation for the class teacher's screen (`POST /classes/{id}/credentials`)
and the administrator's `ediary admin issue-credentials`. A new password ends the
person's sessions and must be changed at the first login, so a sheet of paper that
goes astray is worth nothing once its owner has logged in.

Only students and parents are issued: a parent who is also on the staff keeps
their password, or a class teacher could take over a colleague's (or the
admin's) account by having their child in the class.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Role

from .. import schema as s
from ..passwords import one_time_hashes, temporary_password

STAFF_ROLES = (Role.TEACHER.value, Role.CLASS_TEACHER.value, Role.ADMIN.value)


@dataclass(frozen=True)
class Person:
    id: int
    login: str
    full_name: str
    activated: bool  # has chosen their own password
    is_staff: bool


@dataclass(frozen=True)
class FamilyRow:
    student: Person
    parents: list[Person]


@dataclass(frozen=True)
class Issued:
    user_id: int
    login: str
    full_name: str
    role: Role
    student_name: str  # whose family
    password: str


def _person_columns() -> list[sa.ColumnElement[object]]:
    u, r = s.users, s.user_roles
    staff = sa.exists().where(r.c.user_id == u.c.id, r.c.role.in_(STAFF_ROLES))
    return [
        u.c.id,
        u.c.login,
        u.c.full_name,
        u.c.must_change_password,
        staff.label("is_staff"),
    ]


def _person(row: sa.Row[object]) -> Person:
    m = row._mapping
    return Person(
        id=m["id"],
        login=m["login"],
        full_name=m["full_name"],
        activated=not m["must_change_password"],
        is_staff=bool(m["is_staff"]),
    )


async def class_roster(
    conn: AsyncConnection, class_id: int, student_ids: Collection[int] | None = None
) -> list[FamilyRow]:
    """The class's students (surname first, as the journal lists them) with their parents.

    Two queries whatever the size of the class.
    """
    u, st, g = s.users, s.students, s.guardians
    where = [st.c.class_id == class_id]
    if student_ids is not None:
        where.append(st.c.user_id.in_(list(student_ids)))
    pupils = (
        await conn.execute(
            sa.select(*_person_columns())
            .select_from(st.join(u, u.c.id == st.c.user_id))
            .where(*where)
            .order_by(u.c.full_name, u.c.id)
        )
    ).all()
    parents: dict[int, list[Person]] = defaultdict(list)
    if pupils:
        rows = await conn.execute(
            sa.select(g.c.student_id.label("child_id"), *_person_columns())
            .select_from(g.join(u, u.c.id == g.c.parent_id))
            .where(g.c.student_id.in_([p.id for p in pupils]))
            .order_by(u.c.full_name, u.c.id)
        )
        for row in rows:
            parents[row.child_id].append(_person(row))
    return [FamilyRow(_person(p), parents[p.id]) for p in pupils]


async def issue(
    conn: AsyncConnection, families: list[FamilyRow], now: dt.datetime, *, only_new: bool
) -> list[Issued]:
    """New one-time passwords for the students and parents of `families`.

    Each person once (a parent of two children of the class gets one password,
    under the first child); with `only_new`, those who have chosen their own
    password are left alone. Their sessions are revoked in the same transaction.
    """
    chosen: list[tuple[Person, Role, str]] = []
    seen: set[int] = set()
    for family in families:
        members = [(family.student, Role.STUDENT)] + [(p, Role.PARENT) for p in family.parents]
        for person, role in members:
            if person.id in seen or person.is_staff or (only_new and person.activated):
                continue
            seen.add(person.id)
            chosen.append((person, role, family.student.full_name))
    if not chosen:
        return []
    passwords = [temporary_password() for _ in chosen]
    # argon2 takes tens of milliseconds a hash: in a worker thread, not on the event loop.
    hashes = await one_time_hashes(passwords)
    u, t = s.users, s.tokens
    await conn.execute(
        u.update()
        .where(u.c.id == sa.bindparam("person_id"))
        .values(password_hash=sa.bindparam("new_hash"), must_change_password=True),
        [
            {"person_id": person.id, "new_hash": h}
            for (person, _role, _name), h in zip(chosen, hashes, strict=True)
        ],
    )
    await conn.execute(
        t.update()
        .where(t.c.user_id.in_([p.id for p, _r, _n in chosen]), t.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return [
        Issued(person.id, person.login, person.full_name, role, student_name, password)
        for (person, role, student_name), password in zip(chosen, passwords, strict=True)
    ]
