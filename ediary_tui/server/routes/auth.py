"""Logging in and out, changing the password, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ediary_tui.domain.models import LoginRequest, LoginResult, PasswordChange, User

from .. import auth
from ..deps import AnyCaller, Ctx
from ..errors import documented
from ..services import people
from ..services.common import check_line

router = APIRouter(tags=["auth"])


def _address(request: Request, ctx: Ctx) -> str:
    """The client's address: the peer, or what a trusted proxy says it forwarded."""
    return auth.client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        ctx.settings.trusted_proxies,
    )


@router.post(
    "/auth/login",
    responses=documented((401, "wrong_credentials: wrong login or password"), 429),
)
async def login(body: LoginRequest, request: Request, ctx: Ctx) -> LoginResult:
    check_line(body.login, "login")  # before any lookup: PostgreSQL cannot compare a NUL
    check_line(body.password, "password")
    session = await auth.login(ctx, body.login, body.password, _address(request, ctx))
    caller = await auth.authenticate(ctx, f"Bearer {session.token}")
    async with ctx.engine.connect() as conn:
        user = await people.me(conn, caller)
    return LoginResult(
        token=session.token,
        expires_at=session.expires_at,
        must_change_password=session.must_change_password,
        user=user,
    )


@router.post(
    "/auth/password",
    status_code=204,
    response_class=Response,
    responses=documented(401, 429),
)
async def change_password(body: PasswordChange, caller: AnyCaller, ctx: Ctx) -> Response:
    check_line(body.old_password, "old_password")
    check_line(body.new_password, "new_password")
    await auth.change_password(ctx, caller, body.old_password, body.new_password)
    return Response(status_code=204)


@router.post("/auth/logout", status_code=204, response_class=Response, responses=documented(401))
async def logout(caller: AnyCaller, ctx: Ctx) -> Response:
    await auth.logout(ctx, caller)
    return Response(status_code=204)


@router.get("/me", response_model=User, responses=documented(401))
async def me(caller: AnyCaller, ctx: Ctx) -> User:
    async with ctx.engine.connect() as conn:
        return await people.me(conn, caller)
