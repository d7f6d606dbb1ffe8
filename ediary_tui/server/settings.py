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
    # Failed logins: this many in `throttle_window` and the login (or address) waits.
    max_failures_per_login: int = 5
    max_failures_per_address: int = 30
    throttle_window: dt.timedelta = dt.timedelta(minutes=15)
    max_body_bytes: int = 1024 * 1024
    changes_page: int = 500
    # Swagger UI at /api/v1/docs (`ediary serve --docs`); the OpenAPI document is always there.
    docs: bool = False
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
