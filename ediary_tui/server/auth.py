"""Who is asking: logins, tokens, throttling, and the caller of a request.

Tokens are opaque random strings; only their SHA-256 is stored, so a leaked
database cannot be replayed. Failed logins are counted per login and per
client address in the database, so several server processes share the count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Role

from . import schema as s
from .errors import NotAllowed, NotLoggedIn, Throttled
from .passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from .settings import ServerContext


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Caller:
    """The logged-in user of one request, with what they may see loaded lazily."""

    id: int
    login: str
    full_name: str
    school_id: int | None
    roles: frozenset[Role]
    must_change_password: bool
    token_id: int
    _children: list[int] | None = field(default=None, repr=False)
    _class_id: int | None = field(default=None, repr=False)
    _teaching: set[tuple[int, int]] | None = field(default=None, repr=False)
    _class_teacher_of: set[int] | None = field(default=None, repr=False)

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def is_staff(self) -> bool:
        return self.has(Role.TEACHER, Role.CLASS_TEACHER, Role.ADMIN)

    async def children(self, conn: AsyncConnection) -> list[int]:
        if self._children is None:
            if Role.PARENT in self.roles:
                rows = await conn.execute(
                    sa.select(s.guardians.c.student_id)
                    .where(s.guardians.c.parent_id == self.id)
                    .order_by(s.guardians.c.student_id)
                )
                self._children = [r[0] for r in rows]
            else:
                self._children = []
        return self._children

    async def teaching(self, conn: AsyncConnection) -> set[tuple[int, int]]:
        """(class_id, subject_id) pairs this user teaches."""
        if self._teaching is None:
            if self.has(Role.TEACHER, Role.CLASS_TEACHER):
                rows = await conn.execute(
                    sa.select(s.teaching.c.class_id, s.teaching.c.subject_id).where(
                        s.teaching.c.teacher_id == self.id
                    )
                )
                self._teaching = {(r[0], r[1]) for r in rows}
            else:
                self._teaching = set()
        return self._teaching

    async def class_teacher_of(self, conn: AsyncConnection) -> set[int]:
        if self._class_teacher_of is None:
            if self.has(Role.CLASS_TEACHER):
                rows = await conn.execute(
                    sa.select(s.classes.c.id).where(s.classes.c.class_teacher_id == self.id)
                )
                self._class_teacher_of = {r[0] for r in rows}
            else:
                self._class_teacher_of = set()
        return self._class_teacher_of

    async def staff_classes(self, conn: AsyncConnection) -> set[int]:
        """Classes whose diaries this teacher may read: taught or led."""
        return {c for c, _ in await self.teaching(conn)} | await self.class_teacher_of(conn)


async def _failures(conn: AsyncConnection, key: str, since: dt.datetime) -> list[dt.datetime]:
    rows = await conn.execute(
        sa.select(s.login_failures.c.at)
        .where(s.login_failures.c.key == key, s.login_failures.c.at > since)
        .order_by(s.login_failures.c.at)
    )
    return [r[0] for r in rows]


async def _check_throttle(
    conn: AsyncConnection, ctx: ServerContext, login: str, address: str
) -> None:
    now = ctx.now()
    window = ctx.settings.throttle_window
    limits = (
        (f"login:{login.lower()}", ctx.settings.max_failures_per_login, "this login"),
        (f"addr:{address}", ctx.settings.max_failures_per_address, "this address"),
    )
    for key, limit, what in limits:
        recent = await _failures(conn, key, now - window)
        if len(recent) >= limit:
            retry = math.ceil((recent[-limit] + window - now).total_seconds())
            raise Throttled(
                f"too many failed logins for {what}; try again in {retry} s", retry_after=retry
            )


async def _record_failure(
    conn: AsyncConnection, ctx: ServerContext, login: str, address: str
) -> None:
    now = ctx.now()
    await conn.execute(
        s.login_failures.insert(),
        [{"key": f"login:{login.lower()}", "at": now}, {"key": f"addr:{address}", "at": now}],
    )
    # Keep the table small: forget failures older than the window.
    await conn.execute(
        s.login_failures.delete().where(
            s.login_failures.c.at < now - 2 * ctx.settings.throttle_window
        )
    )


@dataclass
class Session:
    token: str
    expires_at: dt.datetime
    user_id: int
    must_change_password: bool


async def login(ctx: ServerContext, login_name: str, password: str, address: str) -> Session:
    """Check a password and open a session; throttled per login and address."""
    login_name = login_name.strip()
    async with ctx.engine.begin() as conn:
        await _check_throttle(conn, ctx, login_name, address)
        row = (
            await conn.execute(
                sa.select(
                    s.users.c.id, s.users.c.password_hash, s.users.c.must_change_password
                ).where(sa.func.lower(s.users.c.login) == login_name.lower())
            )
        ).first()
    ok = verify_password(row.password_hash if row else DUMMY_HASH, password)
    if not (row and ok):
        async with ctx.engine.begin() as conn:
            await _record_failure(conn, ctx, login_name, address)
        raise NotLoggedIn("wrong login or password", code="wrong_credentials")
    async with ctx.engine.begin() as conn:
        await conn.execute(
            s.login_failures.delete().where(s.login_failures.c.key == f"login:{login_name.lower()}")
        )
        if needs_rehash(row.password_hash):
            await conn.execute(
                s.users.update()
                .where(s.users.c.id == row.id)
                .values(password_hash=hash_password(password))
            )
        return await open_session(conn, ctx, row.id, row.must_change_password)


async def open_session(
    conn: AsyncConnection, ctx: ServerContext, user_id: int, must_change: bool
) -> Session:
    token = secrets.token_urlsafe(32)
    now = ctx.now()
    expires = now + ctx.settings.token_ttl
    await conn.execute(
        s.tokens.insert().values(
            user_id=user_id, token_hash=token_hash(token), created_at=now, expires_at=expires
        )
    )
    return Session(token, expires, user_id, must_change)


async def authenticate(ctx: ServerContext, authorization: str | None) -> Caller:
    """The caller behind a bearer token, or 401."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise NotLoggedIn("log in first: send Authorization: Bearer <token>")
    token = authorization[7:].strip()
    if not token:
        raise NotLoggedIn("log in first: send Authorization: Bearer <token>")
    t, u = s.tokens, s.users
    async with ctx.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(
                    t.c.id.label("token_id"),
                    t.c.expires_at,
                    t.c.revoked_at,
                    u.c.id,
                    u.c.login,
                    u.c.full_name,
                    u.c.school_id,
                    u.c.must_change_password,
                )
                .join(u, u.c.id == t.c.user_id)
                .where(t.c.token_hash == token_hash(token))
            )
        ).first()
        if row is None or row.revoked_at is not None:
            raise NotLoggedIn("the session has ended; log in again", code="token_revoked")
        if row.expires_at <= ctx.now():
            raise NotLoggedIn("the session has expired; log in again", code="token_expired")
        roles = await conn.execute(
            sa.select(s.user_roles.c.role).where(s.user_roles.c.user_id == row.id)
        )
        return Caller(
            id=row.id,
            login=row.login,
            full_name=row.full_name,
            school_id=row.school_id,
            roles=frozenset(Role(r[0]) for r in roles),
            must_change_password=row.must_change_password,
            token_id=row.token_id,
        )


def require_password_changed(caller: Caller) -> None:
    if caller.must_change_password:
        raise NotAllowed(
            "change your temporary password first (POST /api/v1/auth/password)",
            code="must_change_password",
        )


async def logout(ctx: ServerContext, caller: Caller) -> None:
    async with ctx.engine.begin() as conn:
        await conn.execute(
            s.tokens.update().where(s.tokens.c.id == caller.token_id).values(revoked_at=ctx.now())
        )


async def change_password(ctx: ServerContext, caller: Caller, old: str, new: str) -> None:
    """Set a new password and revoke every other session of the user (this one stays)."""
    from .errors import Invalid

    async with ctx.engine.connect() as conn:
        current = (
            await conn.execute(sa.select(s.users.c.password_hash).where(s.users.c.id == caller.id))
        ).scalar_one()
    if not verify_password(current, old):
        raise Invalid("the old password is wrong", code="wrong_password", field="old_password")
    if new == old:
        raise Invalid(
            "the new password must differ from the old one",
            code="same_password",
            field="new_password",
        )
    if new.lower() in {caller.login.lower(), "password", "12345678", "qwertyui"}:
        raise Invalid(
            "choose a password that is harder to guess", code="weak_password", field="new_password"
        )
    new_hash = hash_password(new)
    async with ctx.engine.begin() as conn:
        await conn.execute(
            s.users.update()
            .where(s.users.c.id == caller.id)
            .values(password_hash=new_hash, must_change_password=False)
        )
        await conn.execute(
            s.tokens.update()
            .where(
                s.tokens.c.user_id == caller.id,
                s.tokens.c.id != caller.token_id,
                s.tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=ctx.now())
        )
