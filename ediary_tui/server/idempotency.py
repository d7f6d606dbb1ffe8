"""Idempotency-Key on creating writes: a retried request creates nothing new.

The first result is stored with the write, in the same transaction, so a
crash between the two cannot leave a write without its key.

Keys are kept for `KEEP`: far longer than any client waits to resend, and a
table that grows with every keyed write must not grow for ever. One keyed write
in `SWEEP_ONE_IN` (by its key, so the same request always does the same work)
also forgets the caller's keys older than that.

A secret result (first-login passwords) is stored sealed: encrypted with a key
derived from the Idempotency-Key, and found by a hash of it. Only the client
that holds the key can have it replayed; a copy of the database holds no
password that works.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from . import schema as s
from .auth import Caller
from .settings import ServerContext

_SEALED = "sealed"
KEEP = dt.timedelta(days=90)
SWEEP_ONE_IN = 64


def sweeps(key: str) -> bool:
    """Whether a write with this key also forgets the caller's old keys."""
    return zlib.crc32(key.encode()) % SWEEP_ONE_IN == 0


def _derived(key: str, purpose: bytes) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=32, person=purpose).digest()


def _lookup_key(key: str, secret: bool) -> str:
    """A secret result is found by a hash of its key, so the table does not hold the key."""
    if not secret:
        return key
    return "b2:" + _derived(key, b"ediary-idem-find").hex()


def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived(key, b"ediary-idem-seal")))


def _seal(key: str, body: Any) -> dict[str, str]:
    return {_SEALED: _fernet(key).encrypt(json.dumps(body).encode()).decode()}


def _unseal(key: str, stored: Any) -> Any:
    return json.loads(_fernet(key).decrypt(stored[_SEALED].encode()))


async def _stored(
    conn: AsyncConnection, user_id: int, key: str, secret: bool
) -> JSONResponse | None:
    row = (
        await conn.execute(
            sa.select(s.idempotency.c.status, s.idempotency.c.body).where(
                s.idempotency.c.user_id == user_id,
                s.idempotency.c.key == _lookup_key(key, secret),
            )
        )
    ).first()
    if row is None:
        return None
    body = row.body
    if secret:
        try:
            body = _unseal(key, body)
        except (InvalidToken, KeyError, TypeError, ValueError):
            return None  # not ours to open: treated as a new request (cannot happen by hash)
    return JSONResponse(body, status_code=row.status, headers={"Idempotent-Replayed": "true"})


async def create_once(
    ctx: ServerContext,
    caller: Caller,
    key: str | None,
    create: Callable[[AsyncConnection], Awaitable[BaseModel]],
    status: int = 201,
    *,
    secret: bool = False,
) -> JSONResponse:
    """Run `create` in one transaction, or replay what the same key gave before.

    `secret`: the result is stored sealed with the key (see the module's docstring).
    """
    if key:
        async with ctx.engine.connect() as conn:
            replay = await _stored(conn, caller.id, key, secret)
        if replay is not None:
            return replay
    try:
        async with ctx.engine.begin() as conn:
            result = await create(conn)
            body: Any = jsonable_encoder(result.model_dump(mode="json", by_alias=True))
            if key:
                await conn.execute(
                    s.idempotency.insert().values(
                        user_id=caller.id,
                        key=_lookup_key(key, secret),
                        status=status,
                        body=_seal(key, body) if secret else body,
                        created_at=ctx.now(),
                    )
                )
                if sweeps(key):
                    await conn.execute(
                        s.idempotency.delete().where(
                            s.idempotency.c.user_id == caller.id,
                            s.idempotency.c.created_at < ctx.now() - KEEP,
                        )
                    )
    except IntegrityError:
        # The same key raced in from a second request; its result stands.
        if not key:
            raise
        async with ctx.engine.connect() as conn:
            replay = await _stored(conn, caller.id, key, secret)
        if replay is None:
            raise
        return replay
    return JSONResponse(body, status_code=status)
