"""`ediary admin`: what a school's administrator does from the command line.

Each module adds its actions with `add_commands(actions)`; an action's parser
sets `run`, an `async (engine, args) -> int`. The modules import the server's
code inside `run`, so that opening the app does not load it.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..common import CliError, _run, _with_engine, admin_db

# The order of `ediary admin --help`: setting up, people, the year, operations.
_MODULES = ("structure", "imports", "people", "accounts", "year", "operations")


def add_admin_parser(sub: Any) -> None:
    import importlib

    adm = sub.add_parser(
        "admin",
        help="set up and run a school: structure, imports, people, the school year, backups",
    )
    adm.add_argument("--db", metavar="URL", help="a SQLite path or a postgresql:// URL")
    actions = adm.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name in _MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            continue  # not every area has commands yet
        module.add_commands(actions)
    adm.set_defaults(func=cmd_admin)


def cmd_admin(args: argparse.Namespace) -> int:
    from ediary_tui.server.school.errors import AdminError

    try:
        return _run(lambda: _with_engine(admin_db(args.db), lambda engine: args.run(engine, args)))
    except AdminError as exc:
        raise CliError(str(exc)) from None
