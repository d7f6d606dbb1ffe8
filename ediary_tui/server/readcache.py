"""Answers to hot reads, kept while the school's data has not changed.

Every write records a change in the same transaction (changes.py), so the
newest change id is a version of the whole database: an answer cached at
version V is still right while the newest change id is V. Checking that is
one indexed query, far cheaper than rebuilding a week. Each server process
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
    async def version(conn: AsyncConnection) -> int:
        return (await conn.execute(_LATEST)).scalar() or 0

    def get(self, key: Hashable, version: int) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != version:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[1]

    def put(self, key: Hashable, version: int, value: bytes) -> None:
        self._entries[key] = (version, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()
