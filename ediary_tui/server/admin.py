"""What a school's administrator does from the command line.

Each function is one transaction and raises `AdminError` with a sentence that
says what to fix; `cli.py` prints it as one line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ediary_tui.domain.models import Role

from . import schema as s
from . import throttle
from .defaults import STANDARD_CONTROL_FORMS
from .passwords import new_password_hash, temporary_password
from .school.errors import AdminError
from .school.years import current_year
from .services import credentials
from .settings import ServerSettings

__all__ = ["AdminError"]

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


@dataclass(frozen=True)
class UserLine:
    login: str
    full_name: str
    roles: tuple[str, ...]
    school: str | None
    class_name: str | None


@dataclass(frozen=True)
class IssuedCredential:
    login: str
    full_name: str
    for_student: str
    password: str


async def _school_id(conn: AsyncConnection, school: int | None) -> int:
    if school is not None:
        found = (
            await conn.execute(sa.select(s.schools.c.id).where(s.schools.c.id == school))
        ).scalar()
        if found is None:
            raise AdminError(
                f"there is no school with id {school}; see `ediary admin list-schools`"
            )
        return found
    ids = (await conn.execute(sa.select(s.schools.c.id).order_by(s.schools.c.id))).scalars().all()
    if not ids:
        raise AdminError(
            "the database has no school yet; build one with `ediary demo` or create it first"
        )
    if len(ids) > 1:
        raise AdminError("this database holds several schools; say which with --school ID")
    return ids[0]


async def _user_id(conn: AsyncConnection, login: str) -> int:
    uid = (
        await conn.execute(
            sa.select(s.users.c.id).where(sa.func.lower(s.users.c.login) == login.lower())
        )
    ).scalar()
    if uid is None:
        raise AdminError(f"no user with login {login!r}; see `ediary admin list-users`")
    return uid


async def create_school(engine: AsyncEngine, name: str, short_name: str | None = None) -> int:
    """A new, empty school with the standard control forms and weights."""
    async with engine.begin() as conn:
        school_id = (
            await conn.execute(
                s.schools.insert()
                .values(
                    name=name,
                    short_name=short_name or name,
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
                {
                    "school_id": school_id,
                    "code": code,
                    "name": label,
                    "weight": weight,
                    "category": cat,
                }
                for code, label, weight, cat in STANDARD_CONTROL_FORMS
            ],
        )
        return school_id


async def _class_id(conn: AsyncConnection, school_id: int, class_name: str) -> int:
    """The class of that name in the school year being taught."""
    c = s.classes.c
    year = await current_year(conn, school_id)
    found = (
        await conn.execute(
            sa.select(c.id).where(
                c.school_id == school_id, c.year == year, c.name == class_name.strip()
            )
        )
    ).scalar()
    if found is None:
        raise AdminError(
            f"school {school_id} has no class {class_name.strip()!r} in {year}/{(year + 1) % 100:02d}; "
            "create it with `ediary admin class add`"
        )
    return found


async def create_user(
    engine: AsyncEngine,
    *,
    login: str,
    full_name: str,
    roles: list[Role],
    school: int | None = None,
    password: str | None = None,
    class_name: str | None = None,
) -> str:
    """Create a user; without a password a temporary one is made and returned.

    A user created with a temporary password must change it at first login.
    """
    login = login.strip().lower()
    if not _LOGIN.match(login):
        raise AdminError(
            f"login {login!r} must be 2-64 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit"
        )
    if not full_name.strip():
        raise AdminError("give the person's full name with --name")
    if not roles:
        raise AdminError("give at least one --role")
    if Role.STUDENT in roles and not class_name:
        raise AdminError("a student needs a class: --class 7А")
    temp = password is None
    secret = password if password is not None else temporary_password()
    password_hash = await new_password_hash(secret)
    try:
        async with engine.begin() as conn:
            school_id = await _school_id(conn, school)
            class_id = await _class_id(conn, school_id, class_name) if class_name else None
            uid = (
                await conn.execute(
                    s.users.insert()
                    .values(
                        school_id=school_id,
                        login=login,
                        full_name=full_name.strip(),
                        last_name=full_name.strip().split()[0],
                        password_hash=password_hash,
                        must_change_password=temp,
                        created_at=dt.datetime.now(dt.UTC),
                    )
                    .returning(s.users.c.id)
                )
            ).scalar_one()
            await conn.execute(
                s.user_roles.insert(), [{"user_id": uid, "role": r.value} for r in set(roles)]
            )
            if class_id is not None and Role.STUDENT in roles:
                await conn.execute(s.students.insert().values(user_id=uid, class_id=class_id))
                await conn.execute(
                    s.enrollments.insert().values(
                        student_id=uid, year=await current_year(conn, school_id), class_id=class_id
                    )
                )
    except IntegrityError:
        raise AdminError(f"login {login!r} is taken; choose another") from None
    return secret


async def link_parent(
    engine: AsyncEngine, parent_login: str, student_login: str, relation: str = "parent"
) -> None:
    """Give a parent (or legal representative) access to a child's diary."""
    async with engine.begin() as conn:
        parent = await _user_id(conn, parent_login)
        student = await _user_id(conn, student_login)
        is_student = (
            await conn.execute(
                sa.select(s.students.c.user_id).where(s.students.c.user_id == student)
            )
        ).first()
        if not is_student:
            raise AdminError(f"{student_login!r} is not a student")
        exists = (
            await conn.execute(
                sa.select(s.guardians.c.parent_id).where(
                    s.guardians.c.parent_id == parent, s.guardians.c.student_id == student
                )
            )
        ).first()
        if exists:
            raise AdminError(f"{parent_login!r} is already linked to {student_login!r}")
        await conn.execute(
            s.guardians.insert().values(parent_id=parent, student_id=student, relation=relation)
        )
        has_role = (
            await conn.execute(
                sa.select(s.user_roles.c.role).where(
                    s.user_roles.c.user_id == parent, s.user_roles.c.role == Role.PARENT.value
                )
            )
        ).first()
        if not has_role:
            await conn.execute(s.user_roles.insert().values(user_id=parent, role=Role.PARENT.value))


async def issue_credentials(
    engine: AsyncEngine, class_name: str, school: int | None = None
) -> list[IssuedCredential]:
    """New temporary passwords for every student of a class and their parents.

    Their sessions end, and the first login forces a new password: this is how
    a school hands out (or re-issues) first-login credentials on paper. The
    same service issues them from the class teacher's screen.
    """
    now = dt.datetime.now(dt.UTC)
    async with engine.begin() as conn:
        school_id = await _school_id(conn, school)
        class_id = await _class_id(conn, school_id, class_name)
        roster = await credentials.class_roster(conn, class_id)
        issued = await credentials.issue(conn, roster, now, only_new=False)
    return [IssuedCredential(i.login, i.full_name, i.student_name, i.password) for i in issued]


def _describe(lock: throttle.Lock, now: dt.datetime) -> str:
    waiting = ""
    if lock.blocked_until is not None and lock.blocked_until > now:
        waiting = f", waiting until {lock.blocked_until:%Y-%m-%d %H:%M:%S} UTC"
    if lock.scope == throttle.PASSWORD:
        return f"lifted: {lock.login}'s password change ({lock.attempts} attempts{waiting})"
    if lock.scope == throttle.ADDRESS:
        return f"lifted: address {lock.address} ({lock.attempts} failed logins)"
    return f"lifted: {lock.login} from {lock.address} ({lock.attempts} attempts{waiting})"


async def unlock(
    engine: AsyncEngine,
    login: str | None = None,
    address: str | None = None,
    settings: ServerSettings | None = None,
) -> list[str]:
    """Lift the throttle of a login (from every address, and its password change) or of
    an address; one line for each thing lifted, and a note on addresses still full."""
    if login is None and address is None:
        raise AdminError("say what to unlock: a LOGIN, or --address ADDRESS")
    settings = settings or ServerSettings()
    now = dt.datetime.now(dt.UTC)
    lines: list[str] = []
    async with engine.begin() as conn:
        if login is not None:
            await _user_id(conn, login)
            locks = await throttle.lift_login(conn, login)
            lines += [_describe(lock, now) for lock in locks]
            if not locks:
                lines.append(f"{login} had no failed attempts to lift")
        if address is not None:
            lifted = await throttle.lift_address(conn, address)
            if lifted is not None:
                lines.append(_describe(lifted, now))
            else:
                lines.append(f"address {address} had no failed logins to lift")
        for full in await throttle.full_addresses(conn, now, settings):
            lines.append(
                f"note: address {full} is over its limit: logins that have not logged in "
                f"from it lately wait; `ediary admin unlock --address {full}` lifts it"
            )
    return lines


async def list_users(
    engine: AsyncEngine, role: str | None = None, school: int | None = None
) -> list[UserLine]:
    u, r, st, c, sc = s.users, s.user_roles, s.students, s.classes, s.schools
    query = (
        sa.select(u.c.id, u.c.login, u.c.full_name, sc.c.short_name, c.c.name.label("class_name"))
        .select_from(
            u.outerjoin(sc, sc.c.id == u.c.school_id)
            .outerjoin(st, st.c.user_id == u.c.id)
            .outerjoin(c, c.c.id == st.c.class_id)
        )
        .order_by(u.c.school_id, u.c.login)
    )
    if role:
        try:
            Role(role)
        except ValueError:
            raise AdminError(
                f"unknown role {role!r}; one of: {', '.join(x.value for x in Role)}"
            ) from None
        query = query.where(u.c.id.in_(sa.select(r.c.user_id).where(r.c.role == role)))
    if school is not None:
        query = query.where(u.c.school_id == school)
    async with engine.connect() as conn:
        rows = (await conn.execute(query)).all()
        roles: dict[int, list[str]] = {}
        for uid, rl in await conn.execute(sa.select(r.c.user_id, r.c.role).order_by(r.c.role)):
            roles.setdefault(uid, []).append(rl)
    return [
        UserLine(x.login, x.full_name, tuple(roles.get(x.id, [])), x.short_name, x.class_name)
        for x in rows
    ]


async def list_schools(engine: AsyncEngine) -> list[tuple[int, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(s.schools.c.id, s.schools.c.name).order_by(s.schools.c.id)
        )
        return [(r.id, r.name) for r in rows]
