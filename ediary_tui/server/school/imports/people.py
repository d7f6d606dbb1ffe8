"""What the staff, students and parents imports share: a person read from a row, the people
already in the school, what differs between the two, and writing them.

A person is found again by a stable key (see each kind's module), so importing the
same file twice changes nothing and a corrected file changes people in place. An
empty cell leaves what the database has: a file never erases what it does not say.
New people get a login made from their name and no password anybody knows: they
must change it at their first login, after the school issues first-login passwords
(`ediary admin issue-credentials --only-new`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ... import schema as s
from ..audit import Actor
from ..logins import Logins, taken_logins
from . import values
from .files import Row, Table
from .headers import heading_for
from .report import ImportReport

# Not an argon2 hash, so no password verifies against it (passwords.verify_password);
# issuing first-login passwords replaces it.
NO_PASSWORD = "!no password yet: issue first-login credentials"

# The person's own fields, in the order a report names them.
PERSON_FIELDS = ("surname", "first_name", "patronymic", "birth_date", "id", "email", "phone")


@dataclass
class Context:
    """Where an import writes and as whom."""

    school_id: int
    year: int
    actor: Actor
    today: dt.date  # lessons are generated from this day on
    now: dt.datetime


@dataclass
class Person:
    """A person as a row of the file gives them; None: the file does not say."""

    line: int
    surname: str
    first_name: str
    patronymic: str | None = None
    birth_date: dt.date | None = None
    id: str | None = None  # the school's own id (users.external_id)
    email: str | None = None
    phone: str | None = None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.first_name, self.patronymic) if p)

    @property
    def label(self) -> str:
        return f"{self.full_name} ({self.id})" if self.id else self.full_name

    @property
    def name_key(self) -> str:
        return values.name_key(self.surname, self.first_name, self.patronymic)


@dataclass
class Existing:
    """A person already in the school."""

    user_id: int
    login: str
    surname: str
    first_name: str
    patronymic: str | None
    birth_date: dt.date | None
    id: str | None
    email: str | None
    phone: str | None
    roles: set[str] = field(default_factory=set)
    class_id: int | None = None  # a student's class

    @property
    def name_key(self) -> str:
        return values.name_key(self.surname, self.first_name, self.patronymic)


def column(table: Table, name: str) -> str:
    """The heading of a field's column as the file has it (for a refused row)."""
    return table.headings.get(name, heading_for(name))


def read_person(
    table: Table, row: Row, report: ImportReport, *, birth_required: bool
) -> Person | None:
    """The person of a row, or None after refusing each bad cell of it."""
    found: dict[str, object] = {}
    readers = {
        "surname": lambda r: values.name(r.text("surname"), required=True),
        "first_name": lambda r: values.name(r.text("first_name"), required=True),
        "patronymic": lambda r: values.name(r.text("patronymic"), required=False),
        "birth_date": lambda r: values.date(r.cells.get("birth_date", ""), required=birth_required),
        "id": lambda r: r.text("id").strip() or None,
        "email": lambda r: values.email(r.text("email")),
        "phone": lambda r: values.phone(r.text("phone")),
    }
    ok = True
    for name, reader in readers.items():
        try:
            found[name] = reader(row)
        except values.Bad as exc:
            report.refuse(row.line, column(table, name), str(exc))
            ok = False
    if not ok:
        return None
    born = found["birth_date"]
    if isinstance(born, dt.date) and not dt.date(1900, 1, 1) <= born <= dt.date.today():
        report.refuse(row.line, column(table, "birth_date"), f"{born:%d.%m.%Y} is not a birth date")
        return None
    return Person(line=row.line, **found)  # type: ignore[arg-type]


async def existing_people(
    conn: AsyncConnection, school_id: int, *, students: bool
) -> list[Existing]:
    """The school's students (students=True) or everyone else, with their roles."""
    u, st, r = s.users.c, s.students.c, s.user_roles.c
    query = (
        sa.select(
            u.id,
            u.login,
            u.last_name,
            u.first_name,
            u.patronymic,
            u.full_name,
            u.birth_date,
            u.external_id,
            u.email,
            u.phone,
            st.class_id,
        )
        .select_from(s.users.outerjoin(s.students, st.user_id == u.id))
        .where(u.school_id == school_id)
        .where(st.user_id.is_not(None) if students else st.user_id.is_(None))
    )
    people: dict[int, Existing] = {}
    for row in await conn.execute(query):
        surname, first, patronymic = row.last_name, row.first_name, row.patronymic
        if not first:  # made before names were kept in parts: split the full name
            parts = row.full_name.split()
            surname = parts[0] if parts else row.last_name
            first = parts[1] if len(parts) > 1 else ""
            patronymic = " ".join(parts[2:]) or None
        people[row.id] = Existing(
            row.id,
            row.login,
            surname,
            first,
            patronymic,
            row.birth_date,
            row.external_id,
            row.email,
            row.phone,
            class_id=row.class_id,
        )
    roles = await conn.execute(
        sa.select(r.user_id, r.role).where(
            r.user_id.in_(sa.select(u.id).where(u.school_id == school_id))
        )
    )
    for user_id, role in roles:
        if user_id in people:
            people[user_id].roles.add(role)
    return list(people.values())


def index(people: Iterable[Existing], key: Callable[[Existing], Any]) -> dict[Any, list[Existing]]:
    """People by a key (those for whom it is None left out)."""
    found: dict[object, list[Existing]] = defaultdict(list)
    for person in people:
        k = key(person)
        if k is not None:
            found[k].append(person)
    return found


def changed_fields(person: Person, existing: Existing) -> list[str]:
    """The person's own fields the file gives otherwise than the database has them."""
    changed = []
    for name in PERSON_FIELDS:
        given = getattr(person, name)
        if given is None:
            continue
        if given != getattr(existing, name):
            changed.append(name)
    return changed


def refuse_duplicates(
    table: Table, report: ImportReport, keyed: Iterable[tuple[object, Person]], what: str
) -> set[int]:
    """Refuse every row whose key an earlier row has; the lines refused."""
    first: dict[object, Person] = {}
    refused: set[int] = set()
    for key, person in keyed:
        if key in first:
            report.refuse(
                person.line,
                "",
                f"{person.label}: {what} line {first[key].line}; keep one of the two rows",
            )
            refused.add(person.line)
        else:
            first[key] = person
    return refused


def refuse_same_match(report: ImportReport, matches: Iterable[tuple[Person, Existing]]) -> None:
    """Two rows that find one person in the database (by two keys) are one person twice."""
    seen: dict[int, Person] = {}
    for person, existing in matches:
        other = seen.get(existing.user_id)
        if other is not None:
            report.refuse(
                person.line,
                "",
                f"this row and line {other.line} are both {existing.login} "
                f"({' '.join(p for p in (existing.surname, existing.first_name) if p)}); "
                "keep one of the two rows",
            )
        else:
            seen[existing.user_id] = person


class Writer:
    """Creates and updates people in the caller's transaction."""

    def __init__(self, conn: AsyncConnection, ctx: Context) -> None:
        self.conn = conn
        self.ctx = ctx
        self._logins: Logins | None = None

    async def create(self, people: list[Person], roles: list[set[str]]) -> list[int]:
        """New users for `people` (with the roles of the same position); their ids in order."""
        if not people:
            return []
        if self._logins is None:
            self._logins = Logins(await taken_logins(self.conn))
        rows = []
        for person in people:
            rows.append(
                {
                    "school_id": self.ctx.school_id,
                    "login": self._logins.make(
                        "", person.surname, person.first_name, person.patronymic or ""
                    ),
                    "full_name": person.full_name,
                    "last_name": person.surname,
                    "first_name": person.first_name,
                    "patronymic": person.patronymic,
                    "password_hash": NO_PASSWORD,
                    "must_change_password": True,
                    "birth_date": person.birth_date,
                    "email": person.email,
                    "phone": person.phone,
                    "created_at": self.ctx.now,
                    "external_id": person.id,
                }
            )
        ids: dict[str, int] = {}
        for start in range(0, len(rows), 500):
            result = await self.conn.execute(
                s.users.insert().returning(s.users.c.id, s.users.c.login), rows[start : start + 500]
            )
            ids.update({login: user_id for user_id, login in result})
        user_ids = [ids[row["login"]] for row in rows]
        await self.add_roles(
            [
                (uid, role)
                for uid, person_roles in zip(user_ids, roles, strict=True)
                for role in person_roles
            ]
        )
        return user_ids

    async def update(self, person: Person, existing: Existing, changed: list[str]) -> None:
        """Write the person's own fields that changed."""
        names = [n for n in changed if n in PERSON_FIELDS]
        if not names:
            return
        columns = {"surname": "last_name", "id": "external_id"}
        update = {columns.get(n, n): getattr(person, n) for n in names}
        if {"surname", "first_name", "patronymic"} & set(names):
            surname = person.surname
            first = person.first_name
            patronymic = person.patronymic if person.patronymic is not None else existing.patronymic
            update["full_name"] = " ".join(p for p in (surname, first, patronymic) if p)
        await self.conn.execute(
            s.users.update().where(s.users.c.id == existing.user_id).values(**update)
        )

    async def add_roles(self, pairs: list[tuple[int, str]]) -> None:
        if pairs:
            await self.conn.execute(
                s.user_roles.insert(), [{"user_id": uid, "role": role} for uid, role in pairs]
            )

    async def remove_roles(self, pairs: list[tuple[int, str]]) -> None:
        r = s.user_roles.c
        for uid, role in pairs:
            await self.conn.execute(s.user_roles.delete().where(r.user_id == uid, r.role == role))


def field_headings(table: Table, names: Iterable[str]) -> list[str]:
    """Fields as a report names them: the file's headings."""
    return [column(table, n) for n in names]
