"""The offline cache: what the user saw, so the app paints it before any network.

One SQLite table keyed by (server, user, kind, key) holding the JSON of an
answer and when it was fetched. It is only ever a copy: a file that is not a
database, is corrupt, or has another schema version is deleted and rebuilt,
and a cache that cannot be read is a miss, never a crash. Reads are one
indexed SELECT plus pydantic's JSON parser: well under a millisecond for a week.

The domain models are imported only by the typed helpers, so importing this
module costs no pydantic.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import locations
from .files import open_private

if TYPE_CHECKING:
    from ediary_tui.domain.models import User, Week

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE entries (
    server TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    json TEXT NOT NULL,
    fetched_at REAL NOT NULL,
    PRIMARY KEY (server, user_id, kind, key)
) WITHOUT ROWID
"""
# SQLite's own words for "this file is not (or no longer) a database of ours".
_BROKEN = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_NO_USER = ""  # the user_id of entries that belong to the server, not to one user

T = TypeVar("T")


class _Incompatible(Exception):
    """Another schema version, or somebody else's database."""


def _broken(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file is not a database or is damaged (not merely busy)."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    text = str(exc)
    return name.startswith(_BROKEN) or "not a database" in text or "malformed" in text


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class OfflineCache:
    """A local copy of answers, per server and user; safe to delete at any time."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or locations.cache_db_path()
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        # A cache that cannot be opened at all (a read-only home, say) is simply empty.
        with contextlib.suppress(sqlite3.Error, OSError):
            self._db = self._open()

    # --- the file -----------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except (sqlite3.DatabaseError, _Incompatible) as exc:
            if isinstance(exc, sqlite3.OperationalError) and not _broken(exc):
                raise
            self._discard()
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Private: the diary of a child is nobody else's business.
        return open_private(self.path, self._set_up, timeout=1, check_same_thread=False)

    def _set_up(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise _Incompatible(f"{self.path} is not an ediary-tui cache")
            db.execute(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif version != SCHEMA_VERSION:
            raise _Incompatible(f"{self.path} has cache schema {version}")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")

    def _discard(self) -> None:
        """Delete the file and its journals so the next connect builds a new cache."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _run(self, work: Callable[[sqlite3.Connection], T], default: T) -> T:
        """Run `work`; a broken file is rebuilt and a busy or unreadable one is a miss."""
        with self._lock:
            try:
                if self._db is None:
                    self._db = self._open()
            except (sqlite3.Error, OSError):
                return default
            try:
                return work(self._db)
            except sqlite3.DatabaseError as exc:
                if _broken(exc):
                    self._discard()
                    with contextlib.suppress(sqlite3.Error, _Incompatible):
                        self._db = self._connect()
                    return default
                if isinstance(exc, sqlite3.OperationalError):  # locked, disk full, read-only
                    return default
                raise

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # --- raw entries ----------------------------------------------------------------

    def get_raw(self, server: str, user_id: str, kind: str, key: str) -> tuple[str, float] | None:
        """The stored JSON text and its Unix fetch time, unparsed (for fast model parsing)."""

        def work(db: sqlite3.Connection) -> tuple[str, float] | None:
            return db.execute(
                "SELECT json, fetched_at FROM entries"
                " WHERE server = ? AND user_id = ? AND kind = ? AND key = ?",
                (server, user_id, kind, key),
            ).fetchone()

        return self._run(work, None)

    def get(
        self, server: str, user_id: str, kind: str, key: str
    ) -> tuple[dict[str, Any] | list[Any], dt.datetime] | None:
        """The value stored under the key and when it was fetched, or None."""
        row = self.get_raw(server, user_id, kind, key)
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None
        return value, dt.datetime.fromtimestamp(row[1], dt.UTC)

    def put_raw(
        self,
        server: str,
        user_id: str,
        kind: str,
        key: str,
        text: str,
        *,
        at: dt.datetime | None = None,
    ) -> None:
        """Keep `text` as fetched `at` (now by default): the app's clock, when it has one."""
        fetched = at.timestamp() if at is not None else time.time()
        self._run(
            lambda db: db.execute(
                "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?)",
                (server, user_id, kind, key, text, fetched),
            ),
            None,
        )

    def put(
        self, server: str, user_id: str, kind: str, key: str, value: dict[str, Any] | list[Any]
    ) -> None:
        """Keep `value` (JSON-able) as the latest answer for the key."""
        self.put_raw(server, user_id, kind, key, json.dumps(value, ensure_ascii=False))

    def delete(self, server: str, user_id: str, kind: str, key: str) -> None:
        self._run(
            lambda db: db.execute(
                "DELETE FROM entries WHERE server = ? AND user_id = ? AND kind = ? AND key = ?",
                (server, user_id, kind, key),
            ),
            None,
        )

    # --- typed helpers ----------------------------------------------------------------

    def get_week(self, server: str, user_id: str, student_id: str, monday: dt.date) -> Week | None:
        """The week of `student_id` as `user_id` last saw it (any day of it will do)."""
        row = self.get_raw(server, user_id, "week", f"{student_id}/{_monday(monday).isoformat()}")
        if row is None:
            return None
        from pydantic import ValidationError

        from ediary_tui.domain.models import Week

        try:
            return Week.model_validate_json(row[0])
        except ValidationError:  # kept by an older version of the app
            return None

    def put_week(self, server: str, user_id: str, week: Week) -> None:
        key = f"{week.student_id}/{_monday(week.start).isoformat()}"
        self.put_raw(server, user_id, "week", key, week.model_dump_json())

    def get_me(self, server: str) -> User | None:
        """The user last seen on `server`: whose diary to paint before the network answers."""
        row = self.get_raw(server, _NO_USER, "me", "")
        if row is None:
            return None
        from pydantic import ValidationError

        from ediary_tui.domain.models import User

        try:
            return User.model_validate_json(row[0])
        except ValidationError:
            return None

    def put_me(self, server: str, user: User) -> None:
        self.put_raw(server, _NO_USER, "me", "", user.model_dump_json())

    def forget_me(self, server: str) -> None:
        self.delete(server, _NO_USER, "me", "")

    def seen_marks(self, server: str, user_id: str, student_id: str) -> set[str]:
        """Ids of the student's marks this user has already looked at."""
        found = self.get(server, user_id, "seen_marks", student_id)
        return {str(i) for i in found[0]} if found and isinstance(found[0], list) else set()

    def mark_seen(self, server: str, user_id: str, student_id: str, ids: Iterable[str]) -> None:
        """Add `ids` to the marks seen, so they stop showing as new."""
        new = set(ids)
        if not new:
            return
        seen = self.seen_marks(server, user_id, student_id)
        if new <= seen:
            return
        self.put(server, user_id, "seen_marks", student_id, sorted(seen | new))
