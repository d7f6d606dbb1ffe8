"""FastAPI dependencies: the server context and the caller of a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from .auth import Caller, authenticate, require_password_changed
from .settings import ServerContext


async def get_context(request: Request) -> ServerContext:
    return request.app.state.ctx


Ctx = Annotated[ServerContext, Depends(get_context)]


async def any_caller(
    ctx: Ctx, authorization: Annotated[str | None, Header(include_in_schema=False)] = None
) -> Caller:
    """Logged in, even with a temporary password still to change."""
    return await authenticate(ctx, authorization)


async def get_caller(caller: Annotated[Caller, Depends(any_caller)]) -> Caller:
    """Logged in with a password of their own: what every data route needs."""
    require_password_changed(caller)
    return caller


AnyCaller = Annotated[Caller, Depends(any_caller)]
CurrentCaller = Annotated[Caller, Depends(get_caller)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="the same key from the same user returns the first result and creates nothing new",
    ),
]
