"""`ediary admin` for passwords: a class's first-login passwords, a reset."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..common import _positive
from .confirm import confirm


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n} people"


async def _issue_credentials(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server import admin

    class_id = await admin.class_of(engine, args.class_name, args.school)
    plan = await admin.plan_credentials(engine, class_id, only_new=args.only_new)
    if plan.people == 0:
        print(
            f"everyone of {plan.class_name} has chosen their own password; nothing to issue"
            if args.only_new
            else f"{plan.class_name} has no students or parents to issue passwords to",
            file=sys.stderr,
        )
        return 0
    question = f"Issue new one-time passwords to {_people(plan.people)} of {plan.class_name}?"
    if plan.activated:
        them = "1 of them has" if plan.activated == 1 else f"{plan.activated} of them have"
        question += (
            f" {them} chosen their own password and would be logged out"
            " (--only-new leaves them alone)."
        )
    if not confirm(question, yes=args.yes, what="issue the passwords"):
        print("nothing issued", file=sys.stderr)
        return 1
    issued = await admin.issue_credentials(
        engine, args.class_name, args.school, only_new=args.only_new, class_id=class_id
    )
    print("login\tfull name\tfor student\ttemporary password")
    for c in issued:
        print(f"{c.login}\t{c.full_name}\t{c.for_student}\t{c.password}")
    return 0


async def _reset_password(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server import admin

    secret = await admin.reset_password(engine, args.login)
    print(
        f"{args.login}\ttemporary password: {secret}"
        "\t(must be changed at login; every session of theirs has ended)"
    )
    return 0


def add_commands(actions: Any) -> None:
    ic = actions.add_parser(
        "issue-credentials",
        help="one-time passwords for a class's students and parents (asks first)",
        description=(
            "New one-time passwords for the students and parents of a class, printed once "
            "(login, name, whose family, password) to hand out on paper; each must be "
            "changed at the first login, and the person's sessions end. Asks first."
        ),
    )
    ic.add_argument("--class", dest="class_name", required=True, help="e.g. 7А")
    ic.add_argument("--school", type=_positive)
    ic.add_argument(
        "--only-new",
        action="store_true",
        help="only those who have never chosen their own password (not yet logged in)",
    )
    ic.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    ic.set_defaults(run=_issue_credentials)
    rp = actions.add_parser(
        "reset-password",
        help="a new temporary password for a login; their sessions end",
        description=(
            "A new temporary password, printed once; it must be changed at login, "
            "and every session of the person ends."
        ),
    )
    rp.add_argument("login", metavar="LOGIN")
    rp.set_defaults(run=_reset_password)
