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

A key is bound to the request it first came with: the method, the path (with
its ids) and a SHA-256 fingerprint of the path's ids and the body as canonical
JSON (of the request, never the result, so a sealed answer stays sealed). The
same key with another request is a 422 `idempotency_key_reused`, as a payment
API would answer, instead of the first answer passed off as this one's. Keys
stored before they were bound (no fingerprint) replay as they always did: they
are retries in flight across the upgrade, and age out with the rest.

Replays come after authentication: `create_once` runs inside the route, after
its `CurrentCaller` dependency, so a bad token with a known key is a 401.
Twin requests racing with one key are settled by the key's row: the first
claims it in its write transaction, and the twin, waiting on it, replays the
first's answer once it is committed (or creates, if the first failed).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from fastapi import Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from . import schema as s
from .auth import Caller
from .errors import Invalid
from .settings import ServerContext
from .upsert import upsert

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


@dataclass(frozen=True)
class KeyedRequest:
    """An Idempotency-Key with what its request was: what a replay must match."""

    key: str
    method: str
    route: str
    fingerprint: str


def fingerprint(path_params: Mapping[str, Any], body: bytes) -> str:
    """SHA-256 of the path's ids and the body as canonical JSON (key order and spacing aside)."""
    try:
        content = _canonical(json.loads(body)) if body else b""
    except (ValueError, RecursionError):
        content = body
    digest = hashlib.sha256(_canonical(dict(path_params)))
    digest.update(b"\n")
    digest.update(content)
    return digest.hexdigest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


async def keyed_request(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description=(
                "the same key from the same user for the same method, route and body returns "
                "the first result and creates nothing new; with another request it is a 422 "
                "`idempotency_key_reused`"
            ),
        ),
    ] = None,
) -> KeyedRequest | None:
    """The request's Idempotency-Key bound to its method, route and body (None without one)."""
    if not key:
        return None
    return KeyedRequest(
        key=key,
        method=request.method,
        route=request.url.path[:500],  # the fingerprint holds the ids, should this cut them
        fingerprint=fingerprint(request.path_params, await request.body()),
    )


def _reused(row: Any, request: KeyedRequest) -> Invalid:
    if row.method is None:
        first = "another request"
    else:
        first = f"{row.method} {row.route}"
        if (row.method, row.route) == (request.method, request.route):
            first += " with another body"
    return Invalid(
        f"this Idempotency-Key was first used for {first}, and a key returns only the answer "
        "to the request it came with; send a new request with a new key",
        code="idempotency_key_reused",
    )


async def _stored(
    conn: AsyncConnection, user_id: int, request: KeyedRequest, secret: bool
) -> JSONResponse | None:
    """The first answer to this key, None if it has none, 422 if it was for another request.

    The key is looked for in both forms, plain and hashed: one first used where
    answers are secret and then where they are not (or the other way) is reused too.
    """
    i = s.idempotency.c
    mine, other = _lookup_key(request.key, secret), _lookup_key(request.key, not secret)
    found = {
        row.key: row
        for row in await conn.execute(
            sa.select(i.key, i.status, i.body, i.method, i.route, i.fingerprint).where(
                i.user_id == user_id, i.key.in_({mine, other})
            )
        )
    }
    row = found.get(mine)
    if row is None:
        if other in found:
            raise _reused(found[other], request)
        return None
    bound = (row.method, row.route, row.fingerprint)
    if row.fingerprint is not None and bound != (
        request.method,
        request.route,
        request.fingerprint,
    ):
        raise _reused(row, request)
    body = row.body
    if secret:
        try:
            body = _unseal(request.key, body)
        except (InvalidToken, KeyError, TypeError, ValueError):
            # Found by the key's hash yet not opened by it: not this request's answer.
            raise _reused(row, request) from None
    return JSONResponse(body, status_code=row.status, headers={"Idempotent-Replayed": "true"})


async def _claim(
    conn: AsyncConnection, ctx: ServerContext, user_id: int, request: KeyedRequest, secret: bool
) -> bool:
    """Take the key for this transaction; False if a twin request has it already.

    One statement: on PostgreSQL a twin's uncommitted claim makes this wait for
    the twin's end; on SQLite the twin has committed (one writer at a time).
    """
    claimed = await upsert(
        conn,
        s.idempotency,
        {
            "user_id": user_id,
            "key": _lookup_key(request.key, secret),
            "status": 0,  # until the answer is stored, in the same transaction
            "body": {},
            "created_at": ctx.now(),
            "method": request.method,
            "route": request.route,
            "fingerprint": request.fingerprint,
        },
        conflict=("user_id", "key"),
        update={},
        returning=(s.idempotency.c.key,),
    )
    return claimed is not None


def _encoded(result: BaseModel) -> Any:
    return jsonable_encoder(result.model_dump(mode="json", by_alias=True))


async def create_once(
    ctx: ServerContext,
    caller: Caller,
    request: KeyedRequest | None,
    create: Callable[[AsyncConnection], Awaitable[BaseModel]],
    status: int = 201,
    *,
    secret: bool = False,
) -> JSONResponse:
    """Run `create` in one transaction, or replay what the same key gave the same request.

    `secret`: the result is stored sealed with the key (see the module's docstring).
    """
    if request is None:
        async with ctx.engine.begin() as conn:
            body = _encoded(await create(conn))
        return JSONResponse(body, status_code=status)
    i = s.idempotency.c
    lookup = _lookup_key(request.key, secret)
    for _attempt in range(3):
        async with ctx.engine.connect() as conn:
            replay = await _stored(conn, caller.id, request, secret)
        if replay is not None:
            return replay
        async with ctx.engine.begin() as conn:
            if await _claim(conn, ctx, caller.id, request, secret):
                body = _encoded(await create(conn))
                await conn.execute(
                    s.idempotency.update()
                    .where(i.user_id == caller.id, i.key == lookup)
                    .values(status=status, body=_seal(request.key, body) if secret else body)
                )
                if sweeps(request.key):
                    await conn.execute(
                        s.idempotency.delete().where(
                            i.user_id == caller.id, i.created_at < ctx.now() - KEEP
                        )
                    )
                claimed = True
            else:
                claimed = False
        if claimed:
            return JSONResponse(body, status_code=status)
        # A twin request with this key was first and has committed: the loop replays it.
    raise RuntimeError("an Idempotency-Key claimed by a twin request whose answer then vanished")
