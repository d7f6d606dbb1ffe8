"""The headers every answer carries, set in one place so that no route can forget them.

`Cache-Control: no-store` keeps a child's marks, a token or a one-time password
out of every browser cache, proxy and history, on errors and 304s as much as on
200s; only the public documents (the OpenAPI document and the interactive
docs) may be kept. `nosniff` and `no-referrer` go on every answer.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class AnswerHeaders:
    """ASGI middleware: ALWAYS on every answer, `no-store` on all but the public paths."""

    def __init__(self, app: ASGIApp, public: Iterable[str] = ()) -> None:
        self.app = app
        # A public path is served as it is and so is everything under it (the docs' files).
        self.public = tuple(public)

    def _is_public(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.public)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = not self._is_public(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers[name] = value
                if private:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
