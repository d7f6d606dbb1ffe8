"""The admin's people: search by name or login, a person's card, and what is done to one.

A search is bounded (at least MIN_QUERY characters, at most MAX_HITS people) and
asks for a login's prefix or a part of the full name in the admin's school only.
Names are matched in the case the query is typed in, all lower case, and with
each word capitalised ("иван" finds "Иванов"): SQLite's lower() knows ASCII
only, so folding the column would miss Cyrillic; the variants stay portable.
The writes are the school package's (school/accounts.py), in one transaction each.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import (
    LinkIn,
    OneTimePassword,
    PeopleFound,
    PersonCard,
    PersonHit,
    PersonIn,
    Relative,
    Role,
    Unlocked,
)

from .. import schema as s
from ..access import load_class
from ..auth import Caller
from ..errors import Invalid, NotFound
from ..ids import parse_body_id, parse_id
from ..school import accounts
from ..settings import ServerContext
from .admin_common import actor, refusals, school_of
from .common import check_date, check_line

MIN_QUERY = 2
MAX_HITS = 50
DEFAULT_HITS = 20


def _variants(text: str) -> set[str]:
    return {text, text.lower(), text.capitalize(), text.title()}


def _matches(query: str) -> sa.ColumnElement[bool]:
    u = s.users
    login = query.lower()
    names = [u.c.full_name.contains(v, autoescape=True) for v in _variants(query)]
    return sa.or_(u.c.login.startswith(login, autoescape=True), *names)


async def _roles(conn: AsyncConnection, ids: list[int]) -> dict[int, list[Role]]:
    found: dict[int, list[Role]] = {i: [] for i in ids}
    if ids:
        r = s.user_roles
        rows = await conn.execute(
            sa.select(r.c.user_id, r.c.role).where(r.c.user_id.in_(ids)).order_by(r.c.role)
        )
        for row in rows:
            found[row.user_id].append(Role(row.role))
    return found


async def search(ctx: ServerContext, caller: Caller, query: str, limit: int) -> PeopleFound:
    """People of the admin's school whose login starts with, or name holds, `query`."""
    check_line(query, "q")
    school_id = school_of(caller)
    text = " ".join(query.split())
    if len(text) < MIN_QUERY:
        raise Invalid(f"q: type at least {MIN_QUERY} letters of a name or login", field="q")
    u, st, c = s.users, s.students, s.classes
    async with ctx.engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(u.c.id, u.c.login, u.c.full_name, c.c.name.label("class_name"))
                .select_from(
                    u.outerjoin(st, st.c.user_id == u.c.id).outerjoin(c, c.c.id == st.c.class_id)
                )
                .where(u.c.school_id == school_id, _matches(text))
                .order_by((u.c.login == text.lower()).desc(), u.c.full_name, u.c.id)
                .limit(limit + 1)
            )
        ).all()
        shown = rows[:limit]
        roles = await _roles(conn, [r.id for r in shown])
    return PeopleFound(
        people=[
            PersonHit(
                id=str(r.id),
                login=r.login,
                full_name=r.full_name,
                roles=roles[r.id],
                class_name=r.class_name,
            )
            for r in shown
        ],
        more=len(rows) > limit,
    )


async def _person_id(conn: AsyncConnection, school_id: int, value: str | int) -> int:
    """A person of the admin's school: 404 `person_not_found` for anyone else."""
    try:
        uid = parse_id(value, "person")
    except NotFound:
        raise NotFound("no such person", code="person_not_found") from None
    found = await conn.scalar(
        sa.select(s.users.c.id).where(s.users.c.id == uid, s.users.c.school_id == school_id)
    )
    if found is None:
        raise NotFound("no such person", code="person_not_found")
    return uid


async def _relatives(
    conn: AsyncConnection, *, parents_of: int | None = None, children_of: int | None = None
) -> list[Relative]:
    u, g, st, c = s.users, s.guardians, s.students, s.classes
    if parents_of is not None:
        join, where = g.c.parent_id, g.c.student_id == parents_of
    else:
        join, where = g.c.student_id, g.c.parent_id == children_of
    rows = await conn.execute(
        sa.select(u.c.id, u.c.login, u.c.full_name, g.c.relation, c.c.name.label("class_name"))
        .select_from(
            g.join(u, u.c.id == join)
            .outerjoin(st, st.c.user_id == u.c.id)
            .outerjoin(c, c.c.id == st.c.class_id)
        )
        .where(where)
        .order_by(u.c.full_name, u.c.id)
    )
    return [
        Relative(
            id=str(r.id),
            login=r.login,
            full_name=r.full_name,
            class_name=r.class_name,
            relation=r.relation,
        )
        for r in rows
    ]


async def card_of(conn: AsyncConnection, uid: int, now: dt.datetime) -> PersonCard:
    """The card of a person known to be of the admin's school."""
    u, st, c, t = s.users, s.students, s.classes, s.login_throttle
    row = (
        await conn.execute(
            sa.select(
                *u.c["login", "full_name", "must_change_password", "birth_date", "email"],
                *u.c["phone", "external_id"],
                st.c.class_id,
                c.c.name.label("class_name"),
            )
            .select_from(
                u.outerjoin(st, st.c.user_id == u.c.id).outerjoin(c, c.c.id == st.c.class_id)
            )
            .where(u.c.id == uid)
        )
    ).one()
    locked_until = await conn.scalar(
        sa.select(sa.func.max(t.c.blocked_until)).where(
            t.c.login == row.login, t.c.blocked_until > now
        )
    )
    leads = await conn.execute(
        sa.select(c.c.name).where(c.c.class_teacher_id == uid).order_by(c.c.year.desc(), c.c.name)
    )
    tg, sub, newest = s.teaching, s.subjects, s.classes.alias("newest")
    this_year = (
        sa.select(sa.func.max(newest.c.year))
        .where(newest.c.school_id == c.c.school_id)
        .scalar_subquery()
    )
    teaches = await conn.execute(
        sa.select(c.c.name, sub.c.name.label("subject"))
        .select_from(tg.join(c, c.c.id == tg.c.class_id).join(sub, sub.c.id == tg.c.subject_id))
        .where(tg.c.teacher_id == uid, c.c.year == this_year)
        .order_by(c.c.grade, c.c.name, sub.c.name)
    )
    return PersonCard(
        id=str(uid),
        login=row.login,
        full_name=row.full_name,
        roles=(await _roles(conn, [uid]))[uid],
        class_id=None if row.class_id is None else str(row.class_id),
        class_name=row.class_name,
        leads=[r.name for r in leads],
        teaches=[f"{r.name} {r.subject}" for r in teaches],
        email=row.email,
        phone=row.phone,
        birth_date=row.birth_date,
        external_id=row.external_id,
        activated=not row.must_change_password,
        locked_until=locked_until,
        children=await _relatives(conn, children_of=uid),
        parents=await _relatives(conn, parents_of=uid),
    )


async def card(ctx: ServerContext, caller: Caller, person_id: str) -> PersonCard:
    school_id = school_of(caller)
    async with ctx.engine.connect() as conn:
        uid = await _person_id(conn, school_id, person_id)
        return await card_of(conn, uid, ctx.now())


async def create(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, body: PersonIn
) -> OneTimePassword:
    """A student (in a class of the school), a parent or a teacher, with a one-time password."""
    for name in ("full_name", "login", "email", "phone"):
        check_line(getattr(body, name), name)
    check_date(body.birth_date, "birth_date")
    school_id = school_of(caller)
    class_id = None
    if body.class_id is not None:
        class_id = parse_body_id(body.class_id, "class_id")
        klass = await load_class(conn, class_id)
        if klass is None or klass.school_id != school_id:
            raise Invalid("class_id: the school has no such class", field="class_id")
    if body.role.value == Role.STUDENT and class_id is None:
        raise Invalid("class_id: a student needs a class", field="class_id")
    full_name = " ".join(body.full_name.split())
    if not full_name:
        raise Invalid("full_name: give the person's full name", field="full_name")
    async with refusals():
        uid, login, password = await accounts.create_person(
            conn,
            actor(caller),
            school_id,
            full_name=full_name,
            roles=[Role(body.role.value)],
            class_id=class_id if body.role.value == Role.STUDENT else None,
            email=body.email or None,
            phone=body.phone or None,
            birth_date=body.birth_date,
            login=(body.login or "").strip() or None,
        )
    full_name = await conn.scalar(sa.select(s.users.c.full_name).where(s.users.c.id == uid))
    return OneTimePassword(
        user_id=str(uid), login=login, full_name=full_name or "", password=password
    )


async def link(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, person_id: str, body: LinkIn
) -> PersonCard:
    """Give the parent `person_id` a child's diary; the card of the parent after it."""
    check_line(body.relation, "relation")
    school_id = school_of(caller)
    parent = await _person_id(conn, school_id, person_id)
    child = parse_body_id(body.student_id, "student_id")
    known = await conn.scalar(
        sa.select(s.students.c.user_id)
        .join(s.users, s.users.c.id == s.students.c.user_id)
        .where(s.students.c.user_id == child, s.users.c.school_id == school_id)
    )
    if known is None:
        raise Invalid("student_id: no such student in the school", field="student_id")
    async with refusals():
        await accounts.link_parent(
            conn, actor(caller), parent, child, body.relation.strip() or "parent"
        )
    return await card_of(conn, parent, ctx.now())


async def unlink(ctx: ServerContext, caller: Caller, person_id: str, child_id: str) -> PersonCard:
    """Take a child's diary from the parent `person_id`."""
    school_id = school_of(caller)
    async with ctx.engine.begin() as conn:
        parent = await _person_id(conn, school_id, person_id)
        child = await _person_id(conn, school_id, child_id)
        async with refusals():
            await accounts.unlink_parent(conn, actor(caller), parent, child)
        return await card_of(conn, parent, ctx.now())


async def reset_password(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, person_id: str
) -> OneTimePassword:
    """A new one-time password; the person's sessions end."""
    school_id = school_of(caller)
    uid = await _person_id(conn, school_id, person_id)
    if uid == caller.id:
        raise Invalid(
            "you cannot reset your own password here; change it with the password form",
            code="refused",
        )
    async with refusals():
        password = await accounts.reset_password(conn, actor(caller), uid, now=ctx.now())
    row = (
        await conn.execute(
            sa.select(s.users.c.login, s.users.c.full_name).where(s.users.c.id == uid)
        )
    ).one()
    return OneTimePassword(
        user_id=str(uid), login=row.login, full_name=row.full_name, password=password
    )


async def unlock(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, person_id: str
) -> Unlocked:
    """Lift the waits that failed logins put on the person's login."""
    school_id = school_of(caller)
    uid = await _person_id(conn, school_id, person_id)
    async with refusals():
        lifted = await accounts.unlock_user(conn, actor(caller), uid, now=ctx.now())
    login = await conn.scalar(sa.select(s.users.c.login).where(s.users.c.id == uid))
    return Unlocked(user_id=str(uid), login=login or "", lifted=lifted)
