"""`ediary admin` for first-login passwords."""

from __future__ import annotations

import argparse
from typing import Any

from ..common import _positive


async def _issue_credentials(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server import admin

    issued = await admin.issue_credentials(engine, args.class_name, args.school)
    print("login\tfull name\tfor student\ttemporary password")
    for c in issued:
        print(f"{c.login}\t{c.full_name}\t{c.for_student}\t{c.password}")
    return 0


def add_commands(actions: Any) -> None:
    ic = actions.add_parser("issue-credentials", help="temporary passwords for a class's families")
    ic.add_argument("--class", dest="class_name", required=True, help="e.g. 7А")
    ic.add_argument("--school", type=_positive)
    ic.set_defaults(run=_issue_credentials)
