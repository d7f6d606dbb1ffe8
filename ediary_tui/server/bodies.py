"""A JSON body is UTF-8, or it is refused before any route reads it.

Python's `json` guesses an encoding from the bytes: a body with NUL bytes is read as
UTF-16 or UTF-32. The API takes UTF-8 only (API.md), so a JSON body with invalid
UTF-8 or a raw NUL byte (never valid in JSON text) is a 422 `invalid_json` here.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import Invalid
from .limits import replaying


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json" or kind.endswith(b"+json")
    return False


class Utf8Json:
    """ASGI middleware: 422 `invalid_json` for a JSON body that is not UTF-8 text."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        # BodyLimit, outside this, has refused a body over the limit already.
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
            valid = b"\x00" not in body
        except UnicodeDecodeError:
            valid = False
        if not valid:
            err = Invalid("the body is not valid UTF-8 JSON", code="invalid_json")
            await JSONResponse(err.body(), status_code=err.status)(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)
