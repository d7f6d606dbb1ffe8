"""`ediary admin` for running the server: backups, restoring one, the audit log."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from ..common import _date, _positive
from .confirm import confirm


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


async def _backup(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server.school import backup

    made = await backup.backup(engine, Path(args.file), force=args.force)
    print(
        f"{made.path}\t{made.schools} school(s), {made.users} users"
        f"\t{_megabytes(made.size)}\tschema {made.revision}"
    )
    return 0


async def _restore(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server.school import backup
    from ediary_tui.server.school.audit import Actor

    found = backup.check_restorable(engine, Path(args.file))
    database = backup.database_path(engine)
    now = dt.datetime.now(dt.UTC)
    question = (
        f"Replace the database {database} with {found.path} ({found.schools} school(s), "
        f"{found.users} users)? The current one is kept as "
        f"{backup.kept_name(database, now).name}. Stop `ediary serve` first."
    )
    if not confirm(question, yes=args.yes, what="restore the backup"):
        print("nothing restored", file=sys.stderr)
        return 1
    restored, kept = await backup.restore(
        engine, Path(args.file), actor=Actor.command_line(), now=now
    )
    print(
        f"{database}\trestored from {restored.path}\t{restored.schools} school(s), {restored.users} users"
    )
    if kept is not None:
        print(f"{kept}\tthe database as it was before")
    return 0


def _detail(detail: dict[str, Any]) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""


async def _audit(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server import admin

    since = dt.datetime.combine(args.since, dt.time(), dt.UTC) if args.since else None
    lines = await admin.audit_lines(
        engine, action=args.action, actor=args.actor, since=since, limit=args.limit
    )
    try:
        print("at (UTC)\tactor\taction\ttarget\tdetail")
        for e in lines:
            at = e.at if e.at.tzinfo else e.at.replace(tzinfo=dt.UTC)
            print(
                f"{at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S}\t{e.actor}\t{e.action}"
                f"\t{e.target}\t{_detail(e.detail)}"
            )
        sys.stdout.flush()
    except BrokenPipeError:  # `audit | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def add_commands(actions: Any) -> None:
    bk = actions.add_parser(
        "backup",
        help="copy the SQLite database to FILE, consistent while the server runs",
        description=(
            "Copy the SQLite database to FILE with SQLite's online backup API: a consistent "
            "copy even while `ediary serve` writes. For PostgreSQL use pg_dump -Fc (README)."
        ),
    )
    bk.add_argument("file", metavar="FILE")
    bk.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    bk.set_defaults(run=_backup)
    rs = actions.add_parser(
        "restore",
        help="replace the database with a backup FILE (asks first)",
        description=(
            "Replace the database with a backup made by `ediary admin backup`, then bring it "
            "up to date. The current database is kept beside it (NAME.before-restore-TIME). "
            "Stop `ediary serve` first."
        ),
    )
    rs.add_argument("file", metavar="FILE")
    rs.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    rs.set_defaults(run=_restore)
    au = actions.add_parser(
        "audit",
        help="who did what and when, newest first",
        description="The audit log, newest first: at (UTC), actor, action, target, detail.",
    )
    au.add_argument("--action", help="only this action, e.g. password.reset")
    au.add_argument("--actor", metavar="LOGIN", help="only what this login did")
    au.add_argument("--since", type=_date, metavar="DATE", help="from this day on (UTC)")
    au.add_argument("--limit", type=_positive, default=50, metavar="N", help="at most N lines (50)")
    au.set_defaults(run=_audit)
