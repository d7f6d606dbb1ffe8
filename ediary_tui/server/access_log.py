"""The server's access log: one line a request, and never a secret in it.

A line is the time (UTC), the client's address (what a trusted proxy forwarded,
as the login throttle reads it), the method, the path, the status and the time
taken, tab-separated. Headers and bodies are never written (they carry the token
and passwords), and a query parameter whose name speaks of a token, password,
key or secret keeps its name but not its value. `ediary serve --access-log FILE`
turns it to a file (`-`, the default, is stderr); `--no-access-log` turns it off.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qsl, quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth import client_address

STDERR = "-"
MASK = "***"
_SECRET_WORDS = ("token", "password", "passwd", "key", "secret")


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def safe_target(path: str, query: bytes) -> str:
    """The path with its query, a secret-looking parameter's value masked."""
    if not query:
        return quote(path, safe="/:@!$&'()*+,;=-._~")
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    shown = "&".join(
        f"{quote(name, safe='')}={MASK if _is_secret(name) else quote(value, safe='')}"
        for name, value in pairs
    )
    return f"{quote(path, safe='/:@!$&()*+,;=-._~')}?{shown}"


def open_log(where: str) -> logging.Logger:
    """A logger writing bare lines to `where` (a file, appended to; `-`: stderr)."""
    logger = logging.getLogger(f"ediary.access.{where}")
    if not logger.handlers:
        handler: logging.Handler = (
            logging.StreamHandler(sys.stderr)
            if where == STDERR
            else logging.FileHandler(where, encoding="utf-8")
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # not into uvicorn's or the root's handlers
    return logger


class AccessLog:
    """ASGI middleware: a line for each HTTP request, once it is answered (or fails)."""

    def __init__(
        self,
        app: ASGIApp,
        write: Callable[[str], None],
        *,
        trusted_proxies: Sequence[str] = (),
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.app = app
        self.write = write
        self.trusted_proxies = tuple(trusted_proxies)
        self.clock = clock

    def _address(self, scope: Scope) -> str:
        peer = scope.get("client")
        forwarded = [
            value.decode("latin-1")
            for name, value in scope.get("headers", [])
            if name.lower() == b"x-forwarded-for"
        ]
        return client_address(peer[0] if peer else None, forwarded, self.trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless an answer starts: an exception no handler answered

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            took = (time.perf_counter() - started) * 1000
            when = f"{self.clock().astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"
            target = safe_target(scope.get("path", ""), scope.get("query_string", b""))
            self.write(
                f"{when}\t{self._address(scope)}\t{scope.get('method', '')}\t{target}"
                f"\t{status}\t{took:.1f}ms"
            )
