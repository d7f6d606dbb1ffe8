"""The client's SQLite files (cache, outbox) readable by their owner only, opened alike.

SQLite gives a database's `-wal` and `-shm` files the mode of the database
file at the moment it creates them. A database created by `sqlite3.connect`
takes the umask's mode (0644 as a rule), so chmod'ing it afterwards leaves
its side files readable by everyone on a shared server. Hence the database
is made 0600 before SQLite opens it, and every side file already there (from
an older version, or a crash) is made 0600 too, on every open.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

PRIVATE = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_database(path: Path) -> None:
    """Create `path` empty if missing (SQLite reads that as a new database); all of it 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, PRIVATE)  # O_CREAT's mode does not apply to a file already there
    finally:
        os.close(fd)
    private_side_files(path)


def private_side_files(path: Path) -> None:
    """Make whatever `-wal`, `-shm` or `-journal` files `path` has 0600."""
    for suffix in SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(f"{path}{suffix}", PRIVATE)


def open_private(
    path: Path, set_up: Callable[[sqlite3.Connection], None], *, timeout: float, **connect: bool
) -> sqlite3.Connection:
    """The database at `path`, 0600 with its side files, in autocommit, after `set_up` (its
    schema and pragmas) ran on it; closed again if that failed."""
    private_database(path)
    db = sqlite3.connect(path, isolation_level=None, timeout=timeout, **connect)
    try:
        set_up(db)
    except BaseException:
        db.close()
        raise
    private_side_files(path)
    return db
