"""Login attempts counted atomically, before the password is checked (design: auth.py).

Each count is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE <under the limit>
RETURNING` on its key: the row comes back only if the attempt was let in, so the
check and the count are one step, and a parallel burst is let in exactly up to the
limit on SQLite (one writer at a time) and on PostgreSQL (the row is locked while
the statement decides). The counts are committed before the slow password check,
so no lock is held while argon2 works; a success then settles them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from babel.dates import format_timedelta
from sqlalchemy.ext.asyncio import AsyncConnection

from . import schema as s
from .errors import Throttled
from .settings import ServerContext, ServerSettings
from .upsert import upsert

PAIR = "login"  # a login from an address
ADDRESS = "address"  # every login from an address
PASSWORD = "password"  # the old password of a user's password change

_t = s.login_throttle


@dataclass(frozen=True)
class Admission:
    """An attempt let in: what it counted, for `login_succeeded` to settle."""

    login: str
    address: str
    address_window: dt.datetime | None  # the address window it was counted in, if any


@dataclass(frozen=True)
class Lock:
    """A count an administrator lifted."""

    scope: str
    login: str
    address: str
    attempts: int
    blocked_until: dt.datetime | None


def wait_after(attempts: int, settings: ServerSettings) -> dt.timedelta | None:
    """How long a pair waits after its `attempts`-th attempt in a row (None: not at all)."""
    over = attempts - settings.max_failures_per_login
    if over < 0:
        return None
    # 2 ** over overflows timedelta long before it matters: stop doubling at the cap.
    return min(settings.throttle_first_delay * 2 ** min(over, 40), settings.throttle_max_delay)


def _when(value: dt.datetime) -> Any:
    return sa.literal(value, _t.c.blocked_until.type)


def _blocked_until(attempts: Any, now: dt.datetime, settings: ServerSettings) -> Any:
    """`now + wait_after(attempts)` in SQL, from a table of the few possible waits."""
    limit = settings.max_failures_per_login
    cases: list[tuple[Any, Any]] = [(attempts < limit, sa.null())]
    n = limit
    while (wait := wait_after(n, settings)) is not None and wait < settings.throttle_max_delay:
        cases.append((attempts == n, _when(now + wait)))
        n += 1
    return sa.case(*cases, else_=_when(now + settings.throttle_max_delay))


def _in(seconds: int) -> str:
    """A wait as people say it ("in 15 minutes", not "894 s"); Retry-After has the count."""
    return format_timedelta(dt.timedelta(seconds=seconds), add_direction=True, locale="en")


def _seconds(delta: dt.timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


async def _count_streak(
    conn: AsyncConnection, ctx: ServerContext, scope: str, login: str, address: str
) -> sa.Row[Any] | None:
    """Count one attempt on a pair (or a user's old password) unless it is waiting."""
    now, settings = ctx.now(), ctx.settings
    forgotten = _t.c.last_attempt_at <= now - settings.throttle_forget_after
    attempts = sa.case((forgotten, 1), else_=_t.c.attempts + 1)
    first_wait = wait_after(1, settings)
    return await upsert(
        conn,
        _t,
        {
            "scope": scope,
            "login": login,
            "address": address,
            "attempts": 1,
            "window_start": now,
            "blocked_until": now + first_wait if first_wait is not None else None,
            "last_attempt_at": now,
        },
        conflict=("scope", "login", "address"),
        update={
            "attempts": attempts,
            "window_start": sa.case((forgotten, _when(now)), else_=_t.c.window_start),
            "blocked_until": _blocked_until(attempts, now, settings),
            "last_attempt_at": now,
        },
        where=sa.or_(_t.c.blocked_until.is_(None), _t.c.blocked_until <= now),
        returning=(_t.c.attempts, _t.c.last_success_at),
    )


async def _count_address(
    conn: AsyncConnection, ctx: ServerContext, address: str
) -> sa.Row[Any] | None:
    """Count one attempt from an address unless its window is full."""
    now, settings = ctx.now(), ctx.settings
    expired = _t.c.window_start <= now - settings.throttle_window
    return await upsert(
        conn,
        _t,
        {
            "scope": ADDRESS,
            "login": "",
            "address": address,
            "attempts": 1,
            "window_start": now,
            "last_attempt_at": now,
        },
        conflict=("scope", "login", "address"),
        update={
            "attempts": sa.case((expired, 1), else_=_t.c.attempts + 1),
            "window_start": sa.case((expired, _when(now)), else_=_t.c.window_start),
            "last_attempt_at": now,
        },
        where=sa.or_(expired, _t.c.attempts < settings.max_failures_per_address),
        returning=(_t.c.attempts, _t.c.window_start),
    )


async def _row(conn: AsyncConnection, scope: str, login: str, address: str) -> sa.Row[Any]:
    return (
        await conn.execute(
            sa.select(_t.c.blocked_until, _t.c.window_start).where(
                _t.c.scope == scope, _t.c.login == login, _t.c.address == address
            )
        )
    ).one()


async def admit_login(ctx: ServerContext, login: str, address: str) -> Admission:
    """Count a login attempt on its pair and, unless the login is known here, its address.

    Raises `Throttled` (and counts nothing) when either is over its limit.
    """
    now, settings = ctx.now(), ctx.settings
    async with ctx.engine.begin() as conn:
        pair = await _count_streak(conn, ctx, PAIR, login, address)
        if pair is None:
            row = await _row(conn, PAIR, login, address)
            retry = _seconds(row.blocked_until - now)
            raise Throttled(
                f"too many failed logins for this login from this address; try again {_in(retry)}",
                retry_after=retry,
            )
        known = pair.last_success_at is not None and (
            pair.last_success_at > now - settings.known_login_for
        )
        if known:
            return Admission(login, address, None)
        counted = await _count_address(conn, ctx, address)
        if counted is None:
            row = await _row(conn, ADDRESS, "", address)
            retry = _seconds(row.window_start + settings.throttle_window - now)
            # Leaving by an exception rolls the pair's count back too.
            raise Throttled(
                f"too many failed logins from this address; try again {_in(retry)}",
                retry_after=retry,
            )
    if counted.attempts == 1:  # a new window: once a window, forget what is long over
        await _sweep(ctx)
    return Admission(login, address, counted.window_start)


async def login_succeeded(conn: AsyncConnection, ctx: ServerContext, admission: Admission) -> None:
    """The pair starts afresh and is known here; the address forgets this attempt."""
    now = ctx.now()
    await conn.execute(
        _t.update()
        .where(_t.c.scope == PAIR, _t.c.login == admission.login, _t.c.address == admission.address)
        .values(attempts=0, blocked_until=None, window_start=now, last_success_at=now)
    )
    if admission.address_window is not None:
        await conn.execute(
            _t.update()
            .where(
                _t.c.scope == ADDRESS,
                _t.c.login == "",
                _t.c.address == admission.address,
                _t.c.window_start == admission.address_window,
                _t.c.attempts > 0,
            )
            .values(attempts=_t.c.attempts - 1)
        )


async def admit_password_check(ctx: ServerContext, login: str) -> None:
    """Count a check of a user's old password, as a login attempt of a pair is counted."""
    async with ctx.engine.begin() as conn:
        if await _count_streak(conn, ctx, PASSWORD, login, "") is None:
            row = await _row(conn, PASSWORD, login, "")
            retry = _seconds(row.blocked_until - ctx.now())
            raise Throttled(
                f"too many wrong old passwords; try again {_in(retry)}", retry_after=retry
            )


async def password_check_succeeded(conn: AsyncConnection, ctx: ServerContext, login: str) -> None:
    await conn.execute(
        _t.update()
        .where(_t.c.scope == PASSWORD, _t.c.login == login, _t.c.address == "")
        .values(attempts=0, blocked_until=None, window_start=ctx.now(), last_success_at=ctx.now())
    )


async def _sweep(ctx: ServerContext) -> None:
    """Forget the counts nobody has touched for a while, unless they remember a success."""
    now, settings = ctx.now(), ctx.settings
    async with ctx.engine.begin() as conn:
        await conn.execute(
            _t.delete().where(
                _t.c.last_attempt_at < now - settings.throttle_forget_after,
                sa.or_(
                    _t.c.last_success_at.is_(None),
                    _t.c.last_success_at < now - settings.known_login_for,
                ),
            )
        )


# --- lifting locks (`ediary admin unlock`) -------------------------------------------


def _lock(row: sa.Row[Any]) -> Lock:
    return Lock(row.scope, row.login, row.address, row.attempts, row.blocked_until)


async def lift_login(conn: AsyncConnection, login: str) -> list[Lock]:
    """Reset every count of `login` (from every address, and its password change)."""
    where = (_t.c.scope.in_((PAIR, PASSWORD)), _t.c.login == login.lower(), _t.c.attempts > 0)
    rows = await conn.execute(sa.select(_t).where(*where).order_by(_t.c.scope, _t.c.address))
    lifted = [_lock(r) for r in rows]
    await conn.execute(_t.update().where(*where).values(attempts=0, blocked_until=None))
    return lifted


async def lift_address(conn: AsyncConnection, address: str) -> Lock | None:
    """Reset the count of every login from `address`."""
    where = (_t.c.scope == ADDRESS, _t.c.login == "", _t.c.address == address)
    row = (await conn.execute(sa.select(_t).where(*where, _t.c.attempts > 0))).first()
    await conn.execute(_t.update().where(*where).values(attempts=0))
    return _lock(row) if row is not None else None


async def full_addresses(
    conn: AsyncConnection, now: dt.datetime, settings: ServerSettings
) -> list[str]:
    """The addresses over their limit now: logins not known there are refused."""
    rows = await conn.execute(
        sa.select(_t.c.address)
        .where(
            _t.c.scope == ADDRESS,
            _t.c.attempts >= settings.max_failures_per_address,
            _t.c.window_start > now - settings.throttle_window,
        )
        .order_by(_t.c.address)
    )
    return [r[0] for r in rows]
