"""FastAPI dependencies: the server context and the caller of a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .auth import Caller, authenticate, require_password_changed
from .idempotency import KeyedRequest, keyed_request
from .settings import ServerContext


async def get_context(request: Request) -> ServerContext:
    return request.app.state.ctx


Ctx = Annotated[ServerContext, Depends(get_context)]

# Declares the bearer scheme in the OpenAPI document; a missing or malformed header is
# left to `authenticate`, so the answer is the API's own 401 body, not FastAPI's.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="the token from POST /api/v1/auth/login",
)


async def any_caller(
    ctx: Ctx,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> Caller:
    """Logged in, even with a temporary password still to change."""
    return await authenticate(ctx, f"Bearer {credentials.credentials}" if credentials else None)


async def get_caller(caller: Annotated[Caller, Depends(any_caller)]) -> Caller:
    """Logged in with a password of their own: what every data route needs."""
    require_password_changed(caller)
    return caller


AnyCaller = Annotated[Caller, Depends(any_caller)]
CurrentCaller = Annotated[Caller, Depends(get_caller)]
# The Idempotency-Key header bound to its request (method, route, body): see idempotency.py.
IdempotencyKey = Annotated[KeyedRequest | None, Depends(keyed_request)]
