"""What a running server is configured with; one object on `app.state`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from .readcache import ReadCache


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class ServerSettings:
    token_ttl: dt.timedelta = dt.timedelta(days=30)
    # Login attempts (see auth.py). Per login and address pair: this many, then a wait
    # from `throttle_first_delay`, doubled at each attempt up to `throttle_max_delay`; a
    # success, or `throttle_forget_after` without an attempt, starts afresh. The old
    # password of a password change is counted the same way, per user.
    max_failures_per_login: int = 5
    throttle_first_delay: dt.timedelta = dt.timedelta(seconds=1)
    throttle_max_delay: dt.timedelta = dt.timedelta(minutes=15)
    throttle_forget_after: dt.timedelta = dt.timedelta(days=1)
    # Per address: this many failures in `throttle_window`, then only the logins that
    # succeeded from that address within `known_login_for` are let through.
    max_failures_per_address: int = 30
    throttle_window: dt.timedelta = dt.timedelta(minutes=15)
    known_login_for: dt.timedelta = dt.timedelta(days=30)
    # The proxies whose X-Forwarded-For names the client (`ediary serve --trusted-proxy`):
    # addresses or networks; none by default, so a client cannot choose its own address.
    trusted_proxies: tuple[str, ...] = ()
    max_body_bytes: int = 1024 * 1024
    changes_page: int = 500
    # Swagger UI at /api/v1/docs (`ediary serve --docs`); the OpenAPI document is always there.
    docs: bool = False
    # The access log (access_log.py): a file to append to, "-" for stderr, None for none
    # (`ediary serve --access-log FILE`, `--no-access-log`).
    access_log: str | None = None
    # Injected so tests can pin "now"; everything that reads the time goes through it.
    clock: Callable[[], dt.datetime] = field(default=utc_now)


@dataclass
class ServerContext:
    engine: AsyncEngine
    settings: ServerSettings
    cache: ReadCache = field(default_factory=ReadCache)

    def now(self) -> dt.datetime:
        return self.settings.clock()

    def today(self, tz: str = "Europe/Moscow") -> dt.date:
        from zoneinfo import ZoneInfo

        return self.now().astimezone(ZoneInfo(tz)).date()
