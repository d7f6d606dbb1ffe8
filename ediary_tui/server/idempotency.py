"""Idempotency-Key on creating writes: a retried request creates nothing new.

The first result is stored with the write, in the same transaction, so a
crash between the two cannot leave a write without its key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import schema as s
from .auth import Caller
from .settings import ServerContext


async def _stored(conn: AsyncConnection, user_id: int, key: str) -> JSONResponse | None:
    row = (
        await conn.execute(
            sa.select(s.idempotency.c.status, s.idempotency.c.body).where(
                s.idempotency.c.user_id == user_id, s.idempotency.c.key == key
            )
        )
    ).first()
    if row is None:
        return None
    return JSONResponse(row.body, status_code=row.status, headers={"Idempotent-Replayed": "true"})


async def create_once(
    ctx: ServerContext,
    caller: Caller,
    key: str | None,
    create: Callable[[AsyncConnection], Awaitable[BaseModel]],
    status: int = 201,
) -> JSONResponse:
    """Run `create` in one transaction, or replay what the same key gave before."""
    if key:
        async with ctx.engine.connect() as conn:
            replay = await _stored(conn, caller.id, key)
        if replay is not None:
            return replay
    try:
        async with ctx.engine.begin() as conn:
            result = await create(conn)
            body: Any = jsonable_encoder(result.model_dump(mode="json", by_alias=True))
            if key:
                await conn.execute(
                    s.idempotency.insert().values(
                        user_id=caller.id, key=key, status=status, body=body, created_at=ctx.now()
                    )
                )
    except IntegrityError:
        # The same key raced in from a second request; its result stands.
        if not key:
            raise
        async with ctx.engine.connect() as conn:
            replay = await _stored(conn, caller.id, key)
        if replay is None:
            raise
        return replay
    return JSONResponse(body, status_code=status)
