"""`ediary admin` for the school's structure: the setup file, the school, the year,
bells, subjects, control forms, rooms, classes, teaching and the timetable."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..common import _positive


def _actor() -> Any:
    from ediary_tui.server.school.audit import Actor

    return Actor.command_line()


async def _setup(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.setup_file import setup_school

    report = await setup_school(
        engine, Path(args.file), actor=_actor(), school=args.school, dry_run=args.dry_run
    )
    for line in report.lines():
        print(line)
    return 0


def add_commands(actions: Any) -> None:
    st = actions.add_parser(
        "setup",
        help="create or update the school's structure from a TOML file (see `ediary admin examples`)",
    )
    st.add_argument(
        "file",
        metavar="FILE",
        help="a school.toml: school, year, bells, subjects, forms, rooms, classes",
    )
    st.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    st.add_argument(
        "--school", type=_positive, help="the school's id when the database holds several"
    )
    st.set_defaults(run=_setup)
