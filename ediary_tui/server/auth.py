"""Who is asking: logins, tokens, throttling, and the caller of a request.

Tokens are opaque random strings; only their SHA-256 is stored, so a leaked
database cannot be replayed.

Login attempts are counted in the database (so several server processes share
the counts), each before its password is checked, by one atomic statement per
key in the transaction that decides (throttle.py), so a parallel burst gets no
more tries than a slow one. Designed so that one person cannot lock others out:

- Per login and address pair: 5 attempts, then a wait of 1 s, 2 s, 4 s, ... up to
  15 minutes between attempts. A success starts the pair afresh, and so does a
  day without attempts. Someone guessing a teacher's password from elsewhere
  does not stop the teacher logging in from their own address.
- Per address: 30 failures in 15 minutes, then the address is refused for every
  login that has not logged in successfully from it in the last 30 days. Made-up
  names sprayed from a shared address do not lock out the people who use it.
  (What this tells a sprayer, who already made 30 failures: whether a login has
  logged in from there recently.)
- The address is the TCP peer; `X-Forwarded-For` is read only when the peer is a
  proxy the operator listed (`ediary serve --trusted-proxy`), so a client cannot
  pick its own address.
- Over SSH (the README's recipe) every user reaches the server from 127.0.0.1,
  so the pair is in effect per login and the address limit is per school: the
  people who log in daily are let through a spray, those who never logged in are
  refused until the 15 minutes pass or `ediary admin unlock --address 127.0.0.1`;
  `ediary admin unlock LOGIN` lifts a login's waits.
- The old password of a password change is counted per user the same way.

Every check of a password costs the same work whether the login is unknown, on
its first-login password or an ordinary one (passwords.py), and runs in a worker
thread, off the event loop.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import anyio.to_thread
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Role
from ediary_tui.domain.passwords import explain, password_weakness

from . import schema as s
from . import throttle
from .errors import Invalid, NotAllowed, NotLoggedIn
from .passwords import check_password, needs_rehash, new_password_hash
from .settings import ServerContext

# A teacher standing in for a lesson (or giving an extra one) reads and writes that
# subject's journal of the class this many days either side of the lesson's day.
STAND_IN_DAYS = 7


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
    today: dt.date | None = None  # the server's day (UTC) of the request: stand-ins' reach
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
        """(class_id, subject_id) pairs this user teaches: their assignments, and the
        subjects they stand in for (a replacement or an extra lesson) within
        `STAND_IN_DAYS` of today, to prepare the lesson and to mark it afterwards; a
        stand-in's reach ends by itself, with nothing to take back."""
        if self._teaching is None:
            if self.has(Role.TEACHER, Role.CLASS_TEACHER):
                t, le = s.teaching.c, s.lessons.c
                assigned = sa.select(t.class_id, t.subject_id).where(t.teacher_id == self.id)
                if self.today is not None:
                    window = dt.timedelta(days=STAND_IN_DAYS)
                    standing_in = sa.select(le.class_id, le.subject_id).where(
                        le.teacher_id == self.id,
                        le.date.between(self.today - window, self.today + window),
                        sa.or_(le.usual_teacher_id.is_not(None), le.change == "added"),
                    )
                    assigned = sa.union(assigned, standing_in)
                rows = await conn.execute(assigned)
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


def _networks(
    proxies: Iterable[str],
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip()]


def _is_trusted(
    address: str, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str | None, forwarded_for: Sequence[str], trusted: Iterable[str]) -> str:
    """The address a request comes from, for throttling.

    The TCP peer, unless the peer is one of the `trusted` proxies: then the nearest
    address in `X-Forwarded-For` (read from the right) that is not a trusted proxy
    itself. Anything to the left of it was written by the client and is not believed.
    """
    address = (peer or "unknown")[:100]
    networks = _networks(trusted)
    if not networks or not _is_trusted(address, networks):
        return address
    hops = [h.strip() for header in forwarded_for for h in header.split(",")]
    for hop in reversed(hops):
        try:
            address = str(ipaddress.ip_address(hop))
        except ValueError:  # not an address: the proxy before it is as far as we can see
            break
        if not _is_trusted(address, networks):
            break
    return address


@dataclass
class Session:
    token: str
    expires_at: dt.datetime
    user_id: int
    must_change_password: bool


def throttle_key(login_name: str) -> str:
    """The login as counted: trimmed, lower-cased, as long as the column allows."""
    return login_name.strip().lower()[:200]


async def login(ctx: ServerContext, login_name: str, password: str, address: str) -> Session:
    """Check a password and open a session; throttled per login and address."""
    login_name = login_name.strip()
    admission = await throttle.admit_login(ctx, throttle_key(login_name), address)
    async with ctx.engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(
                    s.users.c.id, s.users.c.password_hash, s.users.c.must_change_password
                ).where(sa.func.lower(s.users.c.login) == login_name.lower())
            )
        ).first()
    ok = await check_password(row.password_hash if row else None, password)
    if not (row and ok):
        raise NotLoggedIn("wrong login or password", code="wrong_credentials")
    rehashed = await new_password_hash(password) if needs_rehash(row.password_hash) else None
    async with ctx.engine.begin() as conn:
        await throttle.login_succeeded(conn, ctx, admission)
        if rehashed is not None:
            await conn.execute(
                s.users.update().where(s.users.c.id == row.id).values(password_hash=rehashed)
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
            today=ctx.now().date(),
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
    """Set a new password and revoke every other session of the user (this one stays).

    The old password is counted like a login attempt before it is checked, so a
    stolen session cannot be used to guess it.
    """
    if new == old:
        raise Invalid(
            "the new password must differ from the old one",
            code="same_password",
            field="new_password",
        )
    # zxcvbn is pure Python, up to ~20 ms for a long password: off the loop as well.
    weakness = await anyio.to_thread.run_sync(
        functools.partial(password_weakness, new, login=caller.login, full_name=caller.full_name)
    )
    if weakness is not None:
        raise Invalid(explain(weakness), code="weak_password", field="new_password")
    key = throttle_key(caller.login)
    await throttle.admit_password_check(ctx, key)
    async with ctx.engine.connect() as conn:
        current = (
            await conn.execute(sa.select(s.users.c.password_hash).where(s.users.c.id == caller.id))
        ).scalar_one()
    if not await check_password(current, old):
        raise Invalid("the old password is wrong", code="wrong_password", field="old_password")
    new_hash = await new_password_hash(new)
    async with ctx.engine.begin() as conn:
        await throttle.password_check_succeeded(conn, ctx, key)
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
