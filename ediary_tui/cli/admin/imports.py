"""`ediary admin import` (a school's people and timetable from its files) and
`ediary admin examples` (the example files to start from)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from ..common import CliError, _date, _positive

KINDS = ("staff", "students", "parents", "timetable")
EXAMPLES = ("school.toml", "staff.csv", "students.csv", "parents.xlsx", "timetable.csv")


async def _import(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.audit import Actor
    from ediary_tui.server.school.imports import import_file

    if args.start is not None and args.kind != "timetable":
        raise CliError("--from is for the timetable: the day its lessons start")
    if args.start is not None and args.start < dt.date.today():
        raise CliError(
            f"--from {args.start} is in the past; lessons already given are not re-planned"
        )
    report = await import_file(
        engine,
        args.kind,
        Path(args.file),
        school=args.school,
        actor=Actor.command_line(),
        dry_run=args.dry_run,
        today=args.start,
    )
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def _examples(args: argparse.Namespace) -> int:
    """Copying files needs no database: this action runs without one."""
    print("\n".join(copy_examples(Path(args.dir))))
    return 0


def copy_examples(target: Path) -> list[str]:
    """Copy the package's example files into `target`; never over a file already there."""
    from importlib import resources

    source = resources.files("ediary_tui.server.school") / "examples"
    target.mkdir(parents=True, exist_ok=True)
    there = [name for name in EXAMPLES if (target / name).exists()]
    if there:
        raise CliError(
            f"{target} already has {', '.join(there)}; choose an empty directory "
            "(nothing was copied)"
        )
    copied = []
    for name in EXAMPLES:
        (target / name).write_bytes((source / name).read_bytes())
        copied.append(str(target / name))
    return copied


_HELP = """\
Kinds of file, and their columns (Russian or English headings, any case):
  staff      Фамилия, Имя, Отчество, Табельный номер|ID, E-mail, Телефон,
             Роли (учитель, администратор), Классное руководство (a class), Предметы
  students   Фамилия, Имя, Отчество, Дата рождения (ДД.ММ.ГГГГ), Класс, ID, E-mail, Телефон
  parents    Фамилия, Имя, Отчество, ID, E-mail, Телефон, Кем приходится (мать, отец,
             законный представитель...), Ребёнок|Дети (ids, or "Фамилия Имя ДД.ММ.ГГГГ")
  timetable  Класс, День (пн..сб), Урок (number), Предмет, Учитель (id or name), Кабинет
CSV with ; or , in UTF-8 or Windows-1251, or .xlsx (first sheet). Import staff and
students before parents, and staff before the timetable. All or nothing: a file with
a bad row imports nothing (exit code 1) and every bad row is named.
"""


def add_commands(actions: Any) -> None:
    im = actions.add_parser(
        "import",
        help="import staff, students, parents or the timetable from a CSV or .xlsx file",
        description=_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    im.add_argument("kind", choices=KINDS, metavar="KIND", help=", ".join(KINDS))
    im.add_argument("file", metavar="FILE", help="a .csv or .xlsx file")
    im.add_argument(
        "--dry-run", action="store_true", help="say what would be created, changed and refused"
    )
    im.add_argument(
        "--school", type=_positive, help="the school's id when the database holds several"
    )
    im.add_argument(
        "--from",
        dest="start",
        type=_date,
        metavar="DATE",
        help="timetable: its lessons start on this day (YYYY-MM-DD; default today)",
    )
    im.set_defaults(run=_import)
    ex = actions.add_parser(
        "examples", help="copy the example school.toml and import files into a directory"
    )
    ex.add_argument("dir", metavar="DIR")
    ex.set_defaults(func=_examples)  # in place of `ediary admin`'s: no database opened
