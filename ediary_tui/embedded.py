"""The embedded school: the real server app, in-process, behind an httpx transport.

With no server configured the app still talks HTTP to API v1 (one path for
every call), but through `httpx.ASGITransport` and with no port opened. The
server stack (FastAPI, SQLAlchemy, the demo generator) is imported on the
first request, not at start-up, and in a thread, so the event loop keeps
painting and taking keys while it loads.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import importlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx

from ediary_tui.client.files import private_database

EMBEDDED_URL = "http://embedded.ediary"

DEMO_ACCOUNTS: list[tuple[str, str]] = [
    ("parent", "parent of two: 7th and 3rd grade"),
    ("student", "student of the 7th grade"),
    ("teacher", "maths teacher, class teacher of 7А"),
    ("admin", "the school's administrator"),
]
# The server stack, about 0.7 s of imports (alembic is imported by db.upgrade).
_SERVER_MODULES = (
    "ediary_tui.server.db",
    "ediary_tui.server.app",
    "ediary_tui.server.demo",
    "alembic.command",
)


def _import_server() -> None:
    for name in _SERVER_MODULES:
        importlib.import_module(name)


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.asynccontextmanager
async def _alone(path: Path) -> AsyncIterator[None]:
    """One process at a time prepares the database (two first starts at once raced in the
    migrations: "table already exists"); the other waits, then finds it ready."""
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)  # the loop keeps painting
        yield
    finally:
        os.close(fd)  # closing lets go of the lock


class EmbeddedTransport(httpx.AsyncBaseTransport):
    """Serves requests from the school database at `db_path`, building the demo school if empty."""

    def __init__(self, db_path: Path, *, demo: bool = True, today: dt.date | None = None) -> None:
        self.db_path = db_path
        self.demo = demo
        self.today = today
        self._inner: httpx.ASGITransport | None = None
        self._engine: Any = None
        self._lock = asyncio.Lock()

    async def _start(self) -> httpx.ASGITransport:
        async with self._lock:
            if self._inner is None:
                # In a thread, so the event loop (the app painting, keys) is not blocked.
                await asyncio.to_thread(_import_server)
                from ediary_tui.server import db
                from ediary_tui.server.app import create_app
                from ediary_tui.server.demo import build_demo

                # The demo's accounts, passwords and tokens: the user's alone, -wal and -shm too.
                self.db_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                private_database(self.db_path)
                engine = db.create_engine(str(self.db_path))
                async with _alone(self.db_path):
                    await db.upgrade(engine)
                    if self.demo and await db.is_empty(engine):
                        # A pinned day is built as of its afternoon; else up to this moment.
                        now = None if self.today else dt.datetime.now(dt.UTC)
                        await build_demo(engine, today=self.today or dt.date.today(), now=now)
                self._engine = engine
                self._inner = httpx.ASGITransport(
                    app=create_app(engine), raise_app_exceptions=False, client=("127.0.0.1", 0)
                )
            return self._inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        inner = await self._start()
        return await inner.handle_async_request(request)

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
            self._inner = None
