"""The outbox: writes the server has not acknowledged yet, kept across crashes.

A teacher's mark goes here first, as a typed command (`journal_commands`)
with an idempotency key, then to the server; it leaves the pending list only when the server acknowledged it (or
refused it for good, which the journal shows so nothing is lost silently).
Each `add` is committed before it returns, so a killed process loses nothing,
and resending with the same key can never create the write twice.

A row keeps the command's `kind` and its other fields as JSON (`payload`); it
is read back as `{"kind": kind, **payload}` through the commands' TypeAdapter.
That is also how the untyped payloads of earlier versions were laid out, so an
outbox written before the commands were typed reads and drains as it is. A
row no command describes is left on disk untouched and not listed.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import locations
from .files import open_private
from .journal_cells import ACKNOWLEDGED as ACKNOWLEDGED
from .journal_cells import PENDING as PENDING
from .journal_cells import REFUSED as REFUSED
from .journal_commands import COMMANDS, JournalCommand

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    server TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    result TEXT,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS entries_by_owner ON entries (server, user_id, state, seq);
"""


@dataclass(frozen=True)
class Entry:
    """One write waiting for (or given) the server's answer; `id` is its sequence number."""

    id: int
    server: str
    user_id: str
    command: JournalCommand
    idempotency_key: str
    created_at: dt.datetime
    state: str = PENDING
    result: dict[str, Any] | None = None
    reason: str | None = None

    @property
    def kind(self) -> str:
        return self.command.kind


def _entry(row: sqlite3.Row) -> Entry | None:
    try:
        command = COMMANDS.validate_python({**json.loads(row["payload"]), "kind": row["kind"]})
    except (ValidationError, ValueError, TypeError):
        return None  # not a write this version knows: kept on disk, never sent
    return Entry(
        id=row["seq"],
        server=row["server"],
        user_id=row["user_id"],
        command=command,
        idempotency_key=row["idempotency_key"],
        created_at=dt.datetime.fromtimestamp(row["created_at"], dt.UTC),
        state=row["state"],
        result=json.loads(row["result"]) if row["result"] is not None else None,
        reason=row["reason"],
    )


class Outbox:
    """A durable queue of writes per server and user, in the order they were made."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or locations.outbox_db_path()
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError:
            # Unlike the cache this is not a copy of anything: keep the damaged file
            # beside the new one for a person to look at, never delete it.
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
            for suffix in ("", "-wal", "-shm"):
                damaged = Path(f"{self.path}{suffix}")
                if damaged.exists():
                    damaged.rename(f"{self.path}.damaged-{stamp}{suffix}")
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        # Private: marks and notices typed, not yet sent, are the owner's alone.
        return open_private(self.path, _set_up, timeout=5)

    def close(self) -> None:
        self._db.close()

    def add(self, server: str, user_id: str, command: JournalCommand) -> Entry:
        """Queue a write; committed before this returns."""
        key = str(uuid.uuid4())
        now = dt.datetime.now(dt.UTC)
        payload = command.model_dump(mode="json", exclude={"kind"})
        cursor = self._db.execute(
            "INSERT INTO entries (server, user_id, kind, payload, idempotency_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                server,
                user_id,
                command.kind,
                json.dumps(payload, ensure_ascii=False),
                key,
                now.timestamp(),
            ),
        )
        assert cursor.lastrowid is not None
        return Entry(cursor.lastrowid, server, user_id, command, key, now)

    def get(self, entry_id: int) -> Entry | None:
        row = self._db.execute("SELECT * FROM entries WHERE seq = ?", (entry_id,)).fetchone()
        return _entry(row) if row is not None else None

    def _in_state(self, server: str, user_id: str, state: str) -> list[Entry]:
        rows = self._db.execute(
            "SELECT * FROM entries WHERE server = ? AND user_id = ? AND state = ? ORDER BY seq",
            (server, user_id, state),
        )
        return [entry for row in rows if (entry := _entry(row)) is not None]

    def pending(self, server: str, user_id: str) -> list[Entry]:
        """Writes still to be sent, oldest first (the order the server must see them in)."""
        return self._in_state(server, user_id, PENDING)

    def refused(self, server: str, user_id: str) -> list[Entry]:
        """Writes the server turned down, for the person to see and redo or dismiss."""
        return self._in_state(server, user_id, REFUSED)

    def count_pending(self, server: str, user_id: str) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM entries WHERE server = ? AND user_id = ? AND state = ?",
            (server, user_id, PENDING),
        ).fetchone()
        return int(row[0])

    def _settle(self, entry_id: int, state: str, result: str | None, reason: str | None) -> None:
        # Only a pending entry changes: a late answer cannot overturn an earlier one.
        self._db.execute(
            "UPDATE entries SET state = ?, result = ?, reason = ? WHERE seq = ? AND state = ?",
            (state, result, reason, entry_id, PENDING),
        )

    def acknowledge(self, entry_id: int, result: dict[str, Any]) -> None:
        """The server took the write; `result` is its answer (the mark with its id, say)."""
        self._settle(entry_id, ACKNOWLEDGED, json.dumps(result, ensure_ascii=False), None)

    def refuse(self, entry_id: int, reason: str, code: str | None = None) -> None:
        """The server said no for good (403, 422, 409): stop sending, keep it to show;
        its error `code` is kept as the entry's result (a stale version is a choice to make)."""
        self._settle(entry_id, REFUSED, json.dumps({"code": code}) if code else None, reason)

    def dismiss(self, entry_id: int) -> None:
        """Drop a refused or acknowledged entry once the person has seen it."""
        self._db.execute("DELETE FROM entries WHERE seq = ? AND state != ?", (entry_id, PENDING))


def _set_up(db: sqlite3.Connection) -> None:
    db.row_factory = sqlite3.Row
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version not in (0, SCHEMA_VERSION):
        raise sqlite3.DatabaseError(f"outbox schema {version} is not {SCHEMA_VERSION}")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")  # an acknowledged add is on disk
    db.executescript(_SCHEMA)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
