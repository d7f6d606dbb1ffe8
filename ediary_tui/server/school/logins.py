"""Logins made from people's names: the demo's and every import's.

A login is the surname in ASCII, the initials and a running number
(`ivanov.pa7`), so that a family reading it off a sheet of paper recognises
their own. Given the logins already in the database, a new one is never one
of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import schema as s
from ..demo_names import translit

_NOT_IN_LOGIN = re.compile(r"[^a-z0-9-]")
_LONGEST_SURNAME = 40  # a login is at most 64 characters


def _ascii(word: str) -> str:
    return _NOT_IN_LOGIN.sub("", translit(word.strip()))


class Logins:
    """ASCII logins from names: surname, initials and a running number (ivanov.pa7)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._counts: dict[str, int] = defaultdict(int)
        self._taken = {login.lower() for login in taken}

    def make(self, prefix: str, surname: str, first: str, patronymic: str) -> str:
        stem = _ascii(surname)[:_LONGEST_SURNAME] or "user"
        base = f"{prefix}{stem}.{_ascii(first)[:1]}{_ascii(patronymic)[:1]}"
        while True:
            self._counts[base] += 1
            login = f"{base}{self._counts[base]}"
            if login not in self._taken:
                self._taken.add(login)
                return login


async def taken_logins(conn: AsyncConnection) -> set[str]:
    """Every login in the database (logins are unique across schools)."""
    rows = await conn.execute(sa.select(sa.func.lower(s.users.c.login)))
    return set(rows.scalars())
