"""`ediary admin year`: open a school year, roll the school into the next, list the years."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..common import CliError, _positive
from .confirm import confirm


async def _open(engine: Any, args: argparse.Namespace) -> int:
    if not 2000 <= args.year <= 2100:
        raise CliError(f"{args.year} is not a school year; give the year it starts in, e.g. 2026")
    from ediary_tui.server.school.audit import Actor
    from ediary_tui.server.school.structure import school_of
    from ediary_tui.server.school.year import open_year
    from ediary_tui.server.school.years import year_label

    async with engine.begin() as conn:
        school_id = await school_of(conn, args.school)
        await open_year(conn, Actor.command_line(), school_id, args.year)
    print(f"opened\t{year_label(args.year)}")
    return 0


async def _rollover(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.audit import Actor
    from ediary_tui.server.school.rollover import roll_over_school

    actor = Actor.command_line()
    if args.force:
        print(
            "ediary: warning: --force rolls over a year whose periods are not over; "
            "nothing of it can be written afterwards",
            file=sys.stderr,
        )
    if args.dry_run or not args.yes:
        if not args.dry_run and not sys.stdin.isatty():
            raise CliError(
                "there is no terminal to ask at; to roll the school year over without asking, "
                "add --yes (--dry-run shows what it does)"
            )
        planned = await roll_over_school(engine, actor, args.school, force=args.force, dry_run=True)
        if args.dry_run:
            print("dry run: nothing was changed")
            print("\n".join(planned.lines()))
            return 0
        print("The rollover will do this; it cannot be undone (make a backup first):")
        print("\n".join(f"  {line}" for line in planned.lines()))
        if not confirm("Roll the school over into the next year?", yes=False, what="roll over"):
            print("nothing was changed")
            return 1
    report = await roll_over_school(engine, actor, args.school, force=args.force)
    print("\n".join(report.lines()))
    return 0


async def _list(engine: Any, args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from ediary_tui.server import schema as s
    from ediary_tui.server.school.structure import school_of
    from ediary_tui.server.school.years import year_label

    y, c = s.school_years, s.classes
    async with engine.connect() as conn:
        school_id = await school_of(conn, args.school)
        classes = sa.select(sa.func.count()).where(
            c.c.school_id == y.c.school_id, c.c.year == y.c.year
        )
        rows = await conn.execute(
            sa.select(y.c.year, y.c.opened_at, y.c.archived_at, classes.scalar_subquery())
            .where(y.c.school_id == school_id)
            .order_by(y.c.year)
        )
        print("year\tstate\topened\tarchived\tclasses")
        for year, opened, archived, count in rows:
            state = "archived" if archived is not None else "open"
            print(
                f"{year_label(year)}\t{state}\t{opened:%Y-%m-%d}\t"
                f"{archived.strftime('%Y-%m-%d') if archived else ''}\t{count}"
            )
    return 0


def add_commands(actions: Any) -> None:
    year = actions.add_parser("year", help="open a school year, roll over into the next, list")
    commands = year.add_subparsers(dest="year_action", metavar="COMMAND", required=True)

    op = commands.add_parser("open", help="open a school year (a new school: no year before it)")
    op.add_argument("year", type=_positive, metavar="YEAR", help="the year it starts in: 2026")
    op.add_argument("--school", type=_positive)
    op.set_defaults(run=_open)

    ro = commands.add_parser(
        "rollover",
        help="close and archive this year (year marks), move every class up, open the next",
    )
    ro.add_argument("--dry-run", action="store_true", help="say what it would do; change nothing")
    ro.add_argument("--force", action="store_true", help="even though periods are not over")
    ro.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    ro.add_argument("--school", type=_positive)
    ro.set_defaults(run=_rollover)

    ls = commands.add_parser("list", help="the school's years, open or archived")
    ls.add_argument("--school", type=_positive)
    ls.set_defaults(run=_list)
