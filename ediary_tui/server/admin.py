"""What a school's administrator does from the command line.

Each function is one transaction, acting as `Actor.command_line()`, around the
connection-level work of `school.accounts` (which the app's admin screens share);
it raises `AdminError` with a sentence that says what to fix, printed as one line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ediary_tui.domain.models import Role

from . import schema as s
from . import throttle
from .school import accounts, audit
from .school.accounts import IssuedCredential, IssuePlan
from .school.audit import Actor, AuditEntry
from .school.errors import AdminError
from .school.years import current_year, year_label
from .settings import ServerSettings

__all__ = ["AdminError", "IssuedCredential"]


@dataclass(frozen=True)
class UserLine:
    login: str
    full_name: str
    roles: tuple[str, ...]
    school: str | None
    class_name: str | None


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


async def create_school(engine: AsyncEngine, name: str, short_name: str | None = None) -> int:
    """A new, empty school with the standard control forms and weights."""
    async with engine.begin() as conn:
        return await accounts.create_school(conn, Actor.command_line(), name, short_name)


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
            f"school {school_id} has no class {class_name.strip()!r} in {year_label(year)}; "
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
    if not full_name.strip():
        raise AdminError("give the person's full name with --name")
    if not roles:
        raise AdminError("give at least one --role")
    if Role.STUDENT in roles and not class_name:
        raise AdminError("a student needs a class: --class 7А")
    async with engine.begin() as conn:
        school_id = await _school_id(conn, school)
        class_id = await _class_id(conn, school_id, class_name) if class_name else None
        _uid, _login, secret = await accounts.create_person(
            conn,
            Actor.command_line(),
            school_id,
            full_name=full_name,
            roles=roles,
            class_id=class_id if Role.STUDENT in roles else None,
            login=login,
            password=password,
        )
    return secret


async def link_parent(
    engine: AsyncEngine, parent_login: str, student_login: str, relation: str = "parent"
) -> None:
    """Give a parent (or legal representative) access to a child's diary."""
    async with engine.begin() as conn:
        parent = await accounts.user_id_by_login(conn, parent_login)
        student = await accounts.user_id_by_login(conn, student_login)
        await accounts.link_parent(conn, Actor.command_line(), parent, student, relation)


async def unlink_parent(engine: AsyncEngine, parent_login: str, student_login: str) -> None:
    """Take a child's diary away from a parent."""
    async with engine.begin() as conn:
        parent = await accounts.user_id_by_login(conn, parent_login)
        student = await accounts.user_id_by_login(conn, student_login)
        await accounts.unlink_parent(conn, Actor.command_line(), parent, student)


async def reset_password(engine: AsyncEngine, login: str) -> str:
    """A new temporary password for `login`; their sessions end."""
    async with engine.begin() as conn:
        uid = await accounts.user_id_by_login(conn, login)
        return await accounts.reset_password(
            conn, Actor.command_line(), uid, now=dt.datetime.now(dt.UTC)
        )


async def class_of(engine: AsyncEngine, class_name: str, school: int | None = None) -> int:
    """The id of a class of the current year, by name."""
    async with engine.connect() as conn:
        return await _class_id(conn, await _school_id(conn, school), class_name)


async def plan_credentials(engine: AsyncEngine, class_id: int, *, only_new: bool) -> IssuePlan:
    async with engine.connect() as conn:
        return await accounts.plan_for_class(conn, class_id, only_new=only_new)


async def issue_credentials(
    engine: AsyncEngine,
    class_name: str,
    school: int | None = None,
    *,
    only_new: bool = False,
    class_id: int | None = None,
) -> list[IssuedCredential]:
    """New temporary passwords for every student of a class and their parents.

    Their sessions end, and the first login forces a new password: this is how
    a school hands out (or re-issues) first-login credentials on paper. The
    same service issues them from the class teacher's screen.
    """
    async with engine.begin() as conn:
        if class_id is None:
            class_id = await _class_id(conn, await _school_id(conn, school), class_name)
        return await accounts.issue_for_class(
            conn, Actor.command_line(), class_id, only_new=only_new, now=dt.datetime.now(dt.UTC)
        )


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
    actor = Actor.command_line()
    lines: list[str] = []
    async with engine.begin() as conn:
        if login is not None:
            uid = await accounts.user_id_by_login(conn, login)
            lines += await accounts.unlock_user(conn, actor, uid, now=now)
        if address is not None:
            lines += await accounts.unlock_address(conn, actor, address, now=now)
        for full in await throttle.full_addresses(conn, now, settings):
            lines.append(
                f"note: address {full} is over its limit: logins that have not logged in "
                f"from it lately wait; `ediary admin unlock --address {full}` lifts it"
            )
    return lines


async def audit_lines(
    engine: AsyncEngine,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """The audit log, newest first."""
    async with engine.connect() as conn:
        return await audit.entries(conn, action=action, actor=actor, since=since, limit=limit)


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
