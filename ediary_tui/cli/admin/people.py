"""`ediary admin` for people: create users, link and unlink parents, list, unlock."""

from __future__ import annotations

import argparse
from typing import Any

from ..common import CliError, _positive


async def _create_user(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.domain.models import Role
    from ediary_tui.server import admin

    try:
        roles = [Role(r) for r in args.role]
    except ValueError as exc:
        raise CliError(f"{exc}; roles are {', '.join(r.value for r in Role)}") from None
    secret = await admin.create_user(
        engine,
        login=args.login,
        full_name=args.name,
        roles=roles,
        school=args.school,
        password=args.password,
        class_name=args.class_name,
    )
    if args.password is None:
        print(f"{args.login}\ttemporary password: {secret}\t(must be changed at first login)")
    else:
        print(f"{args.login}\tcreated")
    return 0


async def _create_school(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server import admin

    school_id = await admin.create_school(engine, args.name)
    print(f"school {school_id}\t{args.name}")
    return 0


async def _link_parent(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server import admin

    await admin.link_parent(engine, args.parent, args.student, args.relation)
    print(f"{args.parent} may now see the diary of {args.student}")
    return 0


async def _unlink_parent(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server import admin

    await admin.unlink_parent(engine, args.parent, args.student)
    print(f"{args.parent} no longer sees the diary of {args.student}")
    return 0


async def _list_users(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server import admin

    for u in await admin.list_users(engine, args.role, args.school):
        print(
            "\t".join([u.login, u.full_name, ",".join(u.roles), u.school or "", u.class_name or ""])
        )
    return 0


async def _list_schools(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server import admin

    for school_id, name in await admin.list_schools(engine):
        print(f"{school_id}\t{name}")
    return 0


async def _unlock(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server import admin

    for line in await admin.unlock(engine, args.login, args.address):
        print(line)
    return 0


def add_commands(actions: Any) -> None:
    cu = actions.add_parser(
        "create-user", help="create a user (a temporary password unless --password)"
    )
    cu.add_argument("--login", required=True)
    cu.add_argument("--name", required=True, help="full name, surname first")
    cu.add_argument(
        "--role",
        action="append",
        required=True,
        help="student, parent, teacher, class_teacher, admin",
    )
    cu.add_argument("--class", dest="class_name", help="a student's class, e.g. 7А")
    cu.add_argument("--school", type=_positive)
    cu.add_argument("--password")
    cu.set_defaults(run=_create_user)
    cs = actions.add_parser("create-school", help="create an empty school")
    cs.add_argument("--name", required=True)
    cs.set_defaults(run=_create_school)
    lp = actions.add_parser("link-parent", help="let a parent see a child's diary")
    lp.add_argument("--parent", required=True, metavar="LOGIN")
    lp.add_argument("--student", required=True, metavar="LOGIN")
    lp.add_argument(
        "--relation", default="parent", help="parent (default), mother, legal representative..."
    )
    lp.set_defaults(run=_link_parent)
    un = actions.add_parser("unlink-parent", help="take a child's diary away from a parent")
    un.add_argument("--parent", required=True, metavar="LOGIN")
    un.add_argument("--student", required=True, metavar="LOGIN")
    un.set_defaults(run=_unlink_parent)
    lu = actions.add_parser("list-users", help="list users (every demo person has a login)")
    lu.add_argument("--role")
    lu.add_argument("--school", type=_positive)
    lu.set_defaults(run=_list_users)
    ls = actions.add_parser("list-schools", help="list the schools in the database")
    ls.set_defaults(run=_list_schools)
    ul = actions.add_parser(
        "unlock", help="lift the waits after failed logins of a login, or of an address"
    )
    ul.add_argument(
        "login", nargs="?", metavar="LOGIN", help="from every address, and its password change"
    )
    ul.add_argument("--address", help="every login from this address (over SSH: 127.0.0.1)")
    ul.set_defaults(run=_unlock)
