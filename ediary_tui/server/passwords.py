"""Password hashing (argon2id) and the random secrets the school hands out.

A hash or a verification holds a core for tens to hundreds of milliseconds, so the
async functions (`check_password`, `new_password_hash`, `one_time_hashes`) run them
in a worker thread, a few at a time (a full-cost hash takes 64 MiB), never on the
event loop.

Every check costs the same whatever the account: one verification at the full
cost and one at the one-time cost, the stored hash standing in for the dummy of
its own cost. An unknown login, a first-login account and an ordinary one answer a
wrong password after the same work, so the time does not tell who has not logged
in yet.
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import string
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended costs
# One-time passwords are random (~50 bits), so OWASP's minimum argon2id costs keep them out
# of reach offline while a class's 60-odd are hashed in about a second, not twelve. The
# first login replaces them (`needs_rehash` says so) with the password the person chooses.
_one_time_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)

T = TypeVar("T")
Cost = tuple[int, int, int]  # time_cost, memory_cost (KiB), parallelism


def _cost_of(hasher: PasswordHasher) -> Cost:
    return (hasher.time_cost, hasher.memory_cost, hasher.parallelism)


# Every check verifies once at each of these costs.
CHECKED_COSTS: tuple[Cost, ...] = (_cost_of(_hasher), _cost_of(_one_time_hasher))

# Letters and digits that cannot be mistaken for each other when read aloud or off paper.
_TEMP_ALPHABET = "".join(c for c in string.ascii_lowercase + string.digits if c not in "il1o0")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def hash_one_time_password(password: str) -> str:
    """The hash of a `temporary_password`: cheaper, and only until the first login."""
    return _one_time_hasher.hash(password)


def cost_of(password_hash: str) -> Cost | None:
    """The argon2 costs a hash was made with (None for what is not an argon2 hash)."""
    try:
        p = extract_parameters(password_hash)
    except InvalidHashError:
        return None
    return (p.time_cost, p.memory_cost, p.parallelism)


@functools.cache
def _dummy_hash(cost: Cost) -> str:
    """A hash at `cost` that no password verifies against."""
    time_cost, memory_cost, parallelism = cost
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    """One argon2 verification, at the costs `password_hash` was made with."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches `password_hash` (None: an unknown login, never).

    The same work for every account state: see the module's docstring.
    """
    own = cost_of(password_hash) if password_hash is not None else None
    ok = False
    if password_hash is not None and own not in CHECKED_COSTS:  # made at some older cost
        ok = _verify(password_hash, password)
    for cost in CHECKED_COSTS:
        if password_hash is not None and own == cost:
            ok = _verify(password_hash, password)
        else:
            _verify(_dummy_hash(cost), password)
    return ok


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def temporary_password(length: int = 10) -> str:
    """A first-login password: readable off paper, forced to change on first use."""
    return "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(length))


# --- off the event loop ---------------------------------------------------------

# At most this many hashes at once: more only queue for the same cores and memory.
HASHING_THREADS = max(2, min(8, os.cpu_count() or 2))
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _limiter() -> anyio.CapacityLimiter:
    """The hashing threads' limiter of the running loop (a limiter belongs to one loop)."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(HASHING_THREADS)
    return limiter


async def _in_thread(work: Callable[[], T]) -> T:
    return await anyio.to_thread.run_sync(work, limiter=_limiter())


async def check_password(password_hash: str | None, password: str) -> bool:
    """`verify_password` in a worker thread."""
    return await _in_thread(functools.partial(verify_password, password_hash, password))


async def new_password_hash(password: str) -> str:
    """`hash_password` in a worker thread."""
    return await _in_thread(functools.partial(hash_password, password))


async def one_time_hashes(passwords: list[str]) -> list[str]:
    """`hash_one_time_password` of each, in a worker thread."""
    return await _in_thread(lambda: [hash_one_time_password(p) for p in passwords])
