"""Answers to hot reads, kept while the school's data has not changed.

Every write records a change in the same transaction (changes.py), so the
newest change id is a version of the whole database: an answer cached at
version V is still right while the newest change id is V. Checking that is
one indexed query, far cheaper than rebuilding a week (on SQLite; see
`version` for why PostgreSQL goes without). Each server process
keeps its own cache, so several processes need no coordination; an entry
stores the version it was built at, so a stale one is never served.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from . import schema as s

_LATEST = sa.select(sa.func.max(s.changes.c.id))


class ReadCache:
    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[int, bytes]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @staticmethod
    async def version(conn: AsyncConnection) -> int | None:
        """The newest change id, where it orders commits; None turns the cache off.

        SQLite has one writer at a time, so change ids are handed out in commit
        order. PostgreSQL commits concurrent writers in any order: a later id can
        commit before an earlier one, and a week cached between the two would
        claim the later version without the earlier write. There the cache is off.
        """
        if conn.dialect.name != "sqlite":
            return None
        return (await conn.execute(_LATEST)).scalar() or 0

    def get(self, key: Hashable, version: int | None) -> bytes | None:
        if version is None:
            return None
        entry = self._entries.get(key)
        if entry is None or entry[0] != version:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[1]

    def put(self, key: Hashable, version: int | None, value: bytes) -> None:
        if version is None:
            return
        self._entries[key] = (version, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
