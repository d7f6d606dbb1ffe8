"""Who did what, and when: every administrative action leaves a line here.

`record` is called inside the action's own transaction, so an action that
fails leaves no line and a line never describes something that did not happen.
It also adds an entry to the change feed, so that servers' read caches (which
are keyed on the feed, see readcache.py) never serve a week from before it;
that entry is blank, as parents and students read the feed too.
Details never hold a password or a token.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import schema as s


@dataclass(frozen=True)
class Actor:
    """Who acts: a logged-in user (the app's admin screens) or the command line."""

    user_id: int | None
    label: str

    @classmethod
    def command_line(cls) -> Actor:
        try:
            who = getpass.getuser()
        except (KeyError, OSError):  # no passwd entry (a container's uid)
            who = "unknown"
        return cls(None, f"command line ({who})")

    @classmethod
    def user(cls, user_id: int, login: str) -> Actor:
        return cls(user_id, login)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    target: str
    detail: dict[str, Any] = field(default_factory=dict)
    school_id: int | None = None


async def record(
    conn: AsyncConnection,
    actor: Actor,
    action: str,
    *,
    school_id: int | None,
    target: str = "",
    detail: dict[str, Any] | None = None,
    class_id: int | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Write one audit line (and one change-feed entry) in the caller's transaction.

    `class_id` narrows the feed entry to a class (a timetable change its families see);
    without it the entry is for the whole school.
    """
    at = now or dt.datetime.now(dt.UTC)
    await conn.execute(
        s.audit_log.insert().values(
            school_id=school_id,
            at=at,
            actor_id=actor.user_id,
            actor=actor.label[:120],
            action=action,
            target=target[:300],
            detail=detail or {},
        )
    )
    if school_id is not None:
        # Only the cache's version has to move; the entry says nothing of the action, since
        # the whole school (or a class's families) reads the feed: no names, no logins.
        await conn.execute(
            s.changes.insert().values(
                school_id=school_id,
                kind="timetable" if class_id is not None else "school",
                at=at,
                class_id=class_id,
                summary="",
                data={},
            )
        )


async def entries(
    conn: AsyncConnection,
    *,
    school_id: int | None = None,
    action: str | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """The newest lines first, filtered by school, action, actor (a login) and time."""
    a = s.audit_log.c
    query = sa.select(s.audit_log).order_by(a.id.desc()).limit(limit)
    if school_id is not None:
        query = query.where(a.school_id == school_id)
    if action is not None:
        query = query.where(a.action == action)
    if actor is not None:
        query = query.where(a.actor == actor)
    if since is not None:
        query = query.where(a.at >= since)
    rows = await conn.execute(query)
    return [
        AuditEntry(r.id, r.at, r.actor, r.action, r.target, dict(r.detail or {}), r.school_id)
        for r in rows
    ]
