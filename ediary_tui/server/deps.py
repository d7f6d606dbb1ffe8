"""FastAPI dependencies: the server context and the caller of a request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from .auth import Caller, authenticate, require_password_changed
from .idempotency import KeyedRequest, create_once, keyed_request
from .ids import parse_id
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


@dataclass(frozen=True)
class Creation:
    """What a route that creates needs: who asks, the server, and the request's key."""

    ctx: ServerContext
    caller: Caller
    key: KeyedRequest | None

    async def once(
        self, create: Callable[[AsyncConnection], Awaitable[BaseModel]], *, secret: bool = False
    ) -> JSONResponse:
        """201 with what `create` made, or what the same key made before (`create_once`)."""
        return await create_once(self.ctx, self.caller, self.key, create, secret=secret)


async def creation(ctx: Ctx, caller: CurrentCaller, key: IdempotencyKey = None) -> Creation:
    return Creation(ctx, caller, key)


# A create route's one dependency: the caller, the context and the Idempotency-Key together.
Create = Annotated[Creation, Depends(creation)]


@dataclass(frozen=True)
class StudentRequest:
    """What a route about one student needs: the server, who asks, and the student's path id."""

    ctx: ServerContext
    caller: Caller
    path_id: str

    @property
    def student_id(self) -> int:
        """Read when the route runs, after FastAPI has checked the query: a malformed id is
        simply not found (404), but a bad query parameter is still 422."""
        return parse_id(self.path_id, "student")


async def student_request(student_id: str, caller: CurrentCaller, ctx: Ctx) -> StudentRequest:
    return StudentRequest(ctx, caller, student_id)


# A route under /students/{student_id}: the student's path id with the caller and the context.
OfStudent = Annotated[StudentRequest, Depends(student_request)]
