"""People and their accounts: create, link a parent, reset, unlock, first-login passwords.

The functions take the caller's open connection, so the command line, an import
and the app's admin screens compose them into one all-or-nothing transaction, and
each writes its audit line in that same transaction. They do not check who may
act (the routes do); they check that what is asked makes sense, and raise
`AdminError` with a sentence saying what to fix. No password or token ever goes
into an audit line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Role

from .. import schema as s
from .. import throttle
from ..db import lock_rows
from ..defaults import STANDARD_CONTROL_FORMS
from ..demo_names import translit
from ..passwords import new_password_hash, one_time_hashes, temporary_password
from ..services import credentials
from .audit import Actor, record
from .errors import AdminError
from .logins import Logins

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class IssuedCredential:
    """A one-time password handed out on paper (shown once, never stored in clear)."""

    user_id: int
    login: str
    full_name: str
    role: Role
    for_student: str  # whose family
    password: str


@dataclass(frozen=True)
class IssuePlan:
    """Whom issuing a class's passwords would reach, before anything is changed."""

    class_name: str
    people: int  # would get a new password
    activated: int  # of them, have chosen their own password (would be logged out)


# --- looking people up ----------------------------------------------------------------


async def user_id_by_login(conn: AsyncConnection, login: str) -> int:
    """The user with this login (any case), or an AdminError naming it."""
    u = s.users.c
    uid = (
        await conn.execute(sa.select(u.id).where(sa.func.lower(u.login) == login.strip().lower()))
    ).scalar()
    if uid is None:
        raise AdminError(f"no user with login {login!r}; see `ediary admin list-users`")
    return uid


async def _user(conn: AsyncConnection, user_id: int) -> sa.Row[tuple[int, str, int | None]]:
    u = s.users.c
    row = (await conn.execute(sa.select(u.id, u.login, u.school_id).where(u.id == user_id))).first()
    if row is None:
        raise AdminError(f"there is no user with id {user_id}; see `ediary admin list-users`")
    return row


def _split_name(full_name: str) -> tuple[str, str | None, str | None]:
    """'Surname First Patronymic' -> its parts (a patronymic may hold several words)."""
    parts = full_name.split()
    surname = parts[0]
    first = parts[1] if len(parts) > 1 else None
    patronymic = " ".join(parts[2:]) or None
    return surname, first, patronymic


async def free_login(conn: AsyncConnection, full_name: str) -> str:
    """A login made from the name (ivanov.pa1, as imports make them) that is not taken."""
    surname, first, patronymic = _split_name(full_name)
    stem = re.sub(r"[^a-z0-9-]", "", translit(surname))[:2] or "u"
    u = s.users.c
    taken = (
        await conn.execute(
            sa.select(sa.func.lower(u.login)).where(sa.func.lower(u.login).like(f"{stem}%"))
        )
    ).scalars()
    return Logins(taken).make("", surname, first or "", patronymic or "")


# --- schools and people ------------------------------------------------------------------


async def create_school(
    conn: AsyncConnection, actor: Actor, name: str, short_name: str | None = None
) -> int:
    """A new, empty school with the standard control forms and weights."""
    if not name.strip():
        raise AdminError("give the school's name with --name")
    school_id = (
        await conn.execute(
            s.schools.insert()
            .values(
                name=name.strip(),
                short_name=(short_name or name).strip(),
                scale_min=1,
                scale_max=5,
                round_threshold=0.5,
            )
            .returning(s.schools.c.id)
        )
    ).scalar_one()
    await conn.execute(
        s.control_forms.insert(),
        [
            {"school_id": school_id, "code": code, "name": label, "weight": weight, "category": cat}
            for code, label, weight, cat in STANDARD_CONTROL_FORMS
        ],
    )
    await record(conn, actor, "school.create", school_id=school_id, target=name.strip())
    return school_id


async def create_person(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    *,
    full_name: str,
    roles: list[Role],
    class_id: int | None = None,
    email: str | None = None,
    phone: str | None = None,
    birth_date: dt.date | None = None,
    external_id: str | None = None,
    login: str | None = None,
    password: str | None = None,
) -> tuple[int, str, str]:
    """Create a person of the school: (user id, login, password).

    Without `password` a temporary one is made, to be changed at the first login;
    without `login`, one is made from the name. A student is enrolled in `class_id`
    for that class's school year.
    """
    full_name = " ".join(full_name.split())
    if not full_name:
        raise AdminError("give the person's full name, surname first")
    if not roles:
        raise AdminError("give the person at least one role")
    roles = list(dict.fromkeys(Role(r) for r in roles))
    # One creation at a time per school: the free login and the school's id checked
    # below stay free until this transaction ends (two at once would both pass).
    await lock_rows(conn, s.schools, s.schools.c.id == school_id)
    class_year: int | None = None
    if class_id is not None:
        c = s.classes.c
        found = (await conn.execute(sa.select(c.school_id, c.year).where(c.id == class_id))).first()
        if found is None or found.school_id != school_id:
            raise AdminError(f"class {class_id} is not a class of school {school_id}")
        class_year = found.year
    if Role.STUDENT in roles and class_id is None:
        raise AdminError("a student needs a class, e.g. --class 7А")
    u = s.users.c
    if login is None:
        login = await free_login(conn, full_name)
    else:
        login = login.strip().lower()
        if not _LOGIN.match(login):
            raise AdminError(
                f"login {login!r} must be 2-64 characters of a-z, 0-9, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        taken = (await conn.execute(sa.select(u.id).where(sa.func.lower(u.login) == login))).first()
        if taken:
            raise AdminError(f"login {login!r} is taken; choose another")
    if external_id is not None:
        external_id = external_id.strip() or None
    if external_id is not None:
        same = (
            await conn.execute(
                sa.select(u.login).where(u.school_id == school_id, u.external_id == external_id)
            )
        ).first()
        if same:
            raise AdminError(
                f"the school's id {external_id!r} is already {same.login!r}'s; "
                "each person has their own"
            )
    temporary = password is None
    secret = temporary_password() if password is None else password
    if temporary:
        (password_hash,) = await one_time_hashes([secret])
    else:
        password_hash = await new_password_hash(secret)
    surname, first, patronymic = _split_name(full_name)
    uid = (
        await conn.execute(
            s.users.insert()
            .values(
                school_id=school_id,
                login=login,
                full_name=full_name,
                last_name=surname,
                first_name=first,
                patronymic=patronymic,
                password_hash=password_hash,
                must_change_password=temporary,
                birth_date=birth_date,
                email=email or None,
                phone=phone or None,
                external_id=external_id,
                created_at=dt.datetime.now(dt.UTC),
            )
            .returning(s.users.c.id)
        )
    ).scalar_one()
    await conn.execute(s.user_roles.insert(), [{"user_id": uid, "role": r.value} for r in roles])
    if Role.STUDENT in roles and class_id is not None and class_year is not None:
        await conn.execute(s.students.insert().values(user_id=uid, class_id=class_id))
        await conn.execute(
            s.enrollments.insert().values(student_id=uid, year=class_year, class_id=class_id)
        )
    detail: dict[str, object] = {"roles": [r.value for r in roles]}
    if class_id is not None:
        detail["class_id"] = class_id
    if external_id is not None:
        detail["external_id"] = external_id
    await record(
        conn,
        actor,
        "user.create",
        school_id=school_id,
        target=f"{login} ({full_name})",
        detail=detail,
    )
    return uid, login, secret


# --- parents and children -------------------------------------------------------------------


async def _link_pair(
    conn: AsyncConnection, parent_id: int, student_id: int
) -> tuple[sa.Row[tuple[int, str, int | None]], sa.Row[tuple[int, str, int | None]]]:
    if parent_id == student_id:
        raise AdminError("a person cannot be their own parent")
    parent = await _user(conn, parent_id)
    student = await _user(conn, student_id)
    is_student = (
        await conn.execute(
            sa.select(s.students.c.user_id).where(s.students.c.user_id == student_id)
        )
    ).first()
    if not is_student:
        raise AdminError(f"{student.login!r} is not a student")
    if parent.school_id != student.school_id:
        raise AdminError(f"{parent.login!r} and {student.login!r} are of different schools")
    return parent, student


async def _is_linked(conn: AsyncConnection, parent_id: int, student_id: int) -> bool:
    g = s.guardians.c
    found = await conn.execute(
        sa.select(g.parent_id).where(g.parent_id == parent_id, g.student_id == student_id)
    )
    return found.first() is not None


async def link_parent(
    conn: AsyncConnection, actor: Actor, parent_id: int, student_id: int, relation: str = "parent"
) -> None:
    """Give a parent (or legal representative) access to a child's diary."""
    relation = " ".join(relation.split())
    if not relation or len(relation) > 40:
        raise AdminError(
            "the relation (parent, mother, legal representative...) is 1-40 characters"
        )
    # One link of a child at a time, so two at once cannot both find it missing.
    await lock_rows(conn, s.students, s.students.c.user_id == student_id)
    parent, student = await _link_pair(conn, parent_id, student_id)
    if await _is_linked(conn, parent_id, student_id):
        raise AdminError(f"{parent.login!r} is already linked to {student.login!r}")
    await conn.execute(
        s.guardians.insert().values(parent_id=parent_id, student_id=student_id, relation=relation)
    )
    r = s.user_roles.c
    has_role = (
        await conn.execute(
            sa.select(r.role).where(r.user_id == parent_id, r.role == Role.PARENT.value)
        )
    ).first()
    if not has_role:
        await conn.execute(s.user_roles.insert().values(user_id=parent_id, role=Role.PARENT.value))
    await record(
        conn,
        actor,
        "parent.link",
        school_id=student.school_id,
        target=f"{parent.login} -> {student.login}",
        detail={"relation": relation},
    )


async def unlink_parent(
    conn: AsyncConnection, actor: Actor, parent_id: int, student_id: int
) -> None:
    """Take a child's diary away from a parent; their other children stay theirs."""
    parent, student = await _link_pair(conn, parent_id, student_id)
    if not await _is_linked(conn, parent_id, student_id):
        raise AdminError(f"{parent.login!r} is not linked to {student.login!r}")
    g = s.guardians.c
    await conn.execute(
        s.guardians.delete().where(g.parent_id == parent_id, g.student_id == student_id)
    )
    await record(
        conn,
        actor,
        "parent.unlink",
        school_id=student.school_id,
        target=f"{parent.login} -> {student.login}",
    )


# --- passwords and locks ----------------------------------------------------------------------


async def reset_password(
    conn: AsyncConnection, actor: Actor, user_id: int, *, now: dt.datetime
) -> str:
    """A new temporary password (to be changed at login); every session of the person ends."""
    user = await _user(conn, user_id)
    secret = temporary_password()
    (password_hash,) = await one_time_hashes([secret])
    await conn.execute(
        s.users.update()
        .where(s.users.c.id == user_id)
        .values(password_hash=password_hash, must_change_password=True)
    )
    t = s.tokens.c
    revoked = await conn.execute(
        s.tokens.update().where(t.user_id == user_id, t.revoked_at.is_(None)).values(revoked_at=now)
    )
    await record(
        conn,
        actor,
        "password.reset",
        school_id=user.school_id,
        target=user.login,
        detail={"sessions_ended": revoked.rowcount},
        now=now,
    )
    return secret


def describe_lock(lock: throttle.Lock, now: dt.datetime) -> str:
    """One line on a lifted lock, as `ediary admin unlock` prints it."""
    waiting = ""
    if lock.blocked_until is not None and lock.blocked_until > now:
        waiting = f", waiting until {lock.blocked_until:%Y-%m-%d %H:%M:%S} UTC"
    if lock.scope == throttle.PASSWORD:
        return f"lifted: {lock.login}'s password change ({lock.attempts} attempts{waiting})"
    if lock.scope == throttle.ADDRESS:
        return f"lifted: address {lock.address} ({lock.attempts} failed logins)"
    return f"lifted: {lock.login} from {lock.address} ({lock.attempts} attempts{waiting})"


async def unlock_user(
    conn: AsyncConnection, actor: Actor, user_id: int, *, now: dt.datetime
) -> list[str]:
    """Lift the waits after failed logins of a person (from every address, and their
    password change); one line for each thing lifted."""
    user = await _user(conn, user_id)
    locks = await throttle.lift_login(conn, user.login)
    await record(
        conn,
        actor,
        "user.unlock",
        school_id=user.school_id,
        target=user.login,
        detail={"lifted": len(locks)},
        now=now,
    )
    if not locks:
        return [f"{user.login} had no failed attempts to lift"]
    return [describe_lock(lock, now) for lock in locks]


async def unlock_address(
    conn: AsyncConnection, actor: Actor, address: str, *, now: dt.datetime
) -> list[str]:
    """Lift the count of failed logins from an address (every login from it)."""
    lifted = await throttle.lift_address(conn, address)
    await record(
        conn,
        actor,
        "address.unlock",
        school_id=None,
        target=address,
        detail={"lifted": 1 if lifted is not None else 0},
        now=now,
    )
    if lifted is None:
        return [f"address {address} had no failed logins to lift"]
    return [describe_lock(lifted, now)]


# --- first-login passwords for a class ------------------------------------------------------


async def _class_name(conn: AsyncConnection, class_id: int) -> tuple[str, int]:
    c = s.classes.c
    row = (await conn.execute(sa.select(c.name, c.school_id).where(c.id == class_id))).first()
    if row is None:
        raise AdminError(f"there is no class with id {class_id}")
    return row.name, row.school_id


def _reached(families: list[credentials.FamilyRow], only_new: bool) -> list[credentials.Person]:
    """Whom `credentials.issue` would give a password: each student and parent once, no staff."""
    seen: dict[int, credentials.Person] = {}
    for family in families:
        for person in [family.student, *family.parents]:
            if person.is_staff or (only_new and person.activated):
                continue
            seen.setdefault(person.id, person)
    return list(seen.values())


async def plan_for_class(conn: AsyncConnection, class_id: int, *, only_new: bool) -> IssuePlan:
    """How many people issuing would reach and how many of them would be logged out."""
    name, _school = await _class_name(conn, class_id)
    people = _reached(await credentials.class_roster(conn, class_id), only_new)
    return IssuePlan(name, len(people), sum(1 for p in people if p.activated))


async def issue_for_class(
    conn: AsyncConnection, actor: Actor, class_id: int, *, only_new: bool, now: dt.datetime
) -> list[IssuedCredential]:
    """New one-time passwords for a class's students and parents (with `only_new`, only
    those who have never chosen their own); their sessions end."""
    name, school_id = await _class_name(conn, class_id)
    roster = await credentials.class_roster(conn, class_id)
    issued = await credentials.issue(conn, roster, now, only_new=only_new)
    await record(
        conn,
        actor,
        "credentials.issue",
        school_id=school_id,
        target=name,
        detail={"class_id": class_id, "issued": len(issued), "only_new": only_new},
        now=now,
    )
    return [
        IssuedCredential(i.user_id, i.login, i.full_name, i.role, i.student_name, i.password)
        for i in issued
    ]
