"""What every `ediary` command shares: its one error, argument types, the database."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class CliError(Exception):
    """Something the user can fix; printed as one line."""


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2026-11-25") from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _default_db(demo: bool) -> str:
    from ediary_tui.client import locations

    path = locations.demo_db_path() if demo else locations.data_dir() / "school.db"
    return str(path)


def _run(factory: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(factory())


async def _with_engine(url: str, work: Callable[[Any], Awaitable[T]], *, migrate: bool = True) -> T:
    from ediary_tui.server import db

    try:
        engine = db.create_engine(url)
    except db.DatabaseError as exc:
        raise CliError(str(exc)) from None
    except Exception as exc:  # a malformed URL or a missing driver
        raise CliError(f"cannot open database {url!r}: {exc}") from None
    try:
        if migrate:
            await db.upgrade(engine)
        return await work(engine)
    except BrokenPipeError:
        raise  # our output's reader went away (`| head`): not the database's fault
    except (OSError, ConnectionError) as exc:
        raise CliError(f"cannot reach the database {url!r}: {exc}") from None
    finally:
        await engine.dispose()


# --- the app ------------------------------------------------------------------


def admin_db(url: str | None) -> str:
    """The database `ediary admin` works on: --db, else $EDIARY_DB, else the server's default."""
    return url or os.environ.get("EDIARY_DB") or _default_db(False)
