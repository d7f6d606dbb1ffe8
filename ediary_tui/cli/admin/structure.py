"""`ediary admin` for the school's structure: the setup file, the school, the year,
bells, subjects, control forms, rooms, classes, teaching, the timetable and its
one-day changes. Each command is one transaction; results are tab-separated lines."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..common import CliError, _date, _positive

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat")
Work = Callable[[Any, int, argparse.Namespace], Awaitable[int]]


def _actor() -> Any:
    from ediary_tui.server.school.audit import Actor

    return Actor.command_line()


def _in_school(work: Work) -> Callable[[Any, argparse.Namespace], Awaitable[int]]:
    """Run `work(conn, school_id, args)` in one transaction on the chosen school."""

    async def run(engine: Any, args: argparse.Namespace) -> int:
        from ediary_tui.server.school.structure import school_of

        async with engine.begin() as conn:
            return await work(conn, await school_of(conn, args.school), args)

    return run


def _day(value: str) -> int:
    day = value.strip().lower()[:3]
    if day not in DAYS:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day: {', '.join(DAYS)}")
    return DAYS.index(day)


def _scale(value: str) -> tuple[int, int]:
    try:
        low, high = (int(part) for part in value.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a scale like 1-5") from None
    return low, high


def _slot(value: str) -> tuple[dt.date, int]:
    day, _, number = value.rpartition(":")
    try:
        return dt.date.fromisoformat(day), int(number)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a day and a lesson like 2026-12-09:5"
        ) from None


def _bell(value: str) -> tuple[str, str, str | None]:
    times, _, break_name = value.partition("/")
    start, _, end = times.partition("-")
    if not end:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a lesson's bells like 08:30-09:15 (or 09:25-10:10/Завтрак)"
        )
    return start.strip(), end.strip(), break_name.strip() or None


def _print(*rows: tuple[object, ...]) -> None:
    for row in rows:
        print("\t".join("" if v is None else str(v) for v in row))


# --- setup and the school --------------------------------------------------------


async def _setup(engine: Any, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.setup_file import setup_school

    report = await setup_school(
        engine, Path(args.file), actor=_actor(), school=args.school, dry_run=args.dry_run
    )
    for line in report.lines():
        print(line)
    return 0


async def _school_show(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from ediary_tui.server import schema as s

    row = (await conn.execute(sa.select(s.schools).where(s.schools.c.id == school_id))).one()
    _print(
        ("id", row.id),
        ("name", row.name),
        ("short name", row.short_name),
        ("time zone", row.timezone),
        ("days a week", row.days_per_week),
        ("mark scale", f"{row.scale_min}-{row.scale_max}"),
        ("rounding threshold", row.round_threshold),
        ("students may write", "yes" if row.students_may_write else "no"),
    )
    return 0


def _yes_no(text: str) -> bool:
    """A setting switched on or off on the command line: yes or no."""
    if text not in ("yes", "no"):
        raise ValueError(text)
    return text == "yes"


async def _school_set(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import update_school

    low, high = args.scale or (None, None)
    await update_school(
        conn,
        _actor(),
        school_id,
        name=args.name,
        short_name=args.short_name,
        timezone=args.timezone,
        days_per_week=args.days,
        scale_min=low,
        scale_max=high,
        round_threshold=args.threshold,
        students_may_write=args.students_may_write,
    )
    return await _school_show(conn, school_id, args)


# --- the year: periods and holidays ------------------------------------------------


async def _year_of(conn: Any, school_id: int, year: int | None) -> int:
    from ediary_tui.server.school.years import current_year

    return year if year is not None else await current_year(conn, school_id)


async def _year_show(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from ediary_tui.server import schema as s
    from ediary_tui.server.school.structure import periods_of
    from ediary_tui.server.school.years import is_archived, year_label

    year = await _year_of(conn, school_id, args.year)
    state = "archived" if await is_archived(conn, school_id, year) else "open"
    _print(("year", year_label(year), state))
    for p in await periods_of(conn, school_id, year):
        _print(("period", p.kind, p.number, p.name, p.starts_on, p.ends_on))
    h = s.holidays.c
    for r in await conn.execute(
        sa.select(h.name, h.starts_on, h.ends_on)
        .where(h.school_id == school_id, h.year == year)
        .order_by(h.starts_on)
    ):
        _print(("holiday", r.name, r.starts_on, r.ends_on))
    return 0


async def _period_set(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import set_period

    changed = await set_period(
        conn,
        _actor(),
        school_id,
        args.kind,
        args.number,
        starts_on=args.starts,
        ends_on=args.ends,
        name=args.name,
        year=args.year,
    )
    print(f"{args.kind} {args.number}\t{'changed' if changed else 'unchanged'}")
    return 0


async def _holiday_add(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import add_holiday

    plan = await add_holiday(
        conn, _actor(), school_id, args.name, args.starts, args.ends, year=args.year
    )
    print(f"holiday {args.name}\tadded\t{plan}")
    return 0


async def _holiday_remove(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import remove_holiday

    plan = await remove_holiday(conn, _actor(), school_id, args.name, year=args.year)
    print(f"holiday {args.name}\tremoved\t{plan}")
    return 0


# --- bells, subjects, control forms, rooms -------------------------------------------


async def _bells_show(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import bells_of

    _print(
        *((b.number, b.starts_at, b.ends_at, b.break_name) for b in await bells_of(conn, school_id))
    )
    return 0


async def _bells_set(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import Bell, set_bells

    bells = [
        Bell(number, start, end, break_name)
        for number, (start, end, break_name) in enumerate(args.lessons, start=args.first)
    ]
    changed = await set_bells(conn, _actor(), school_id, bells)
    if not changed:
        print("the bell schedule is already so")
    return await _bells_show(conn, school_id, args)


async def _subject_list(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from ediary_tui.server import schema as s

    sub = s.subjects.c
    for r in await conn.execute(
        sa.select(sub.id, sub.name).where(sub.school_id == school_id).order_by(sub.name)
    ):
        _print((r.id, r.name))
    return 0


async def _subject_add(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import add_subject

    subject_id = await add_subject(conn, _actor(), school_id, args.name)
    _print((subject_id, args.name.strip(), "added"))
    return 0


async def _subject_rename(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import rename_subject, subject_by_name

    subject_id = await subject_by_name(conn, school_id, args.name)
    await rename_subject(conn, _actor(), school_id, subject_id, args.new_name)
    _print((subject_id, args.new_name.strip(), "renamed"))
    return 0


async def _subject_remove(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import remove_subject

    await remove_subject(conn, _actor(), school_id, args.name)
    _print((args.name, "removed"))
    return 0


async def _form_list(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from ediary_tui.server import schema as s

    cf = s.control_forms.c
    for r in await conn.execute(
        sa.select(cf.code, cf.name, cf.weight, cf.category)
        .where(cf.school_id == school_id)
        .order_by(cf.weight.desc(), cf.code)
    ):
        _print((r.code, r.name, r.weight, r.category))
    return 0


async def _form_add(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import add_form

    await add_form(conn, _actor(), school_id, args.code, args.name, args.weight, args.category)
    return await _form_list(conn, school_id, args)


async def _form_set(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import set_form

    await set_form(
        conn,
        _actor(),
        school_id,
        args.code,
        name=args.name,
        weight=args.weight,
        category=args.category,
    )
    return await _form_list(conn, school_id, args)


async def _form_remove(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import remove_form

    await remove_form(conn, _actor(), school_id, args.code)
    _print((args.code, "removed"))
    return 0


async def _room_list(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from ediary_tui.server import schema as s

    r = s.rooms.c
    for row in await conn.execute(
        sa.select(r.name, r.capacity).where(r.school_id == school_id).order_by(r.name)
    ):
        _print((row.name, row.capacity))
    return 0


async def _room_add(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import add_room

    await add_room(conn, _actor(), school_id, args.name, args.capacity)
    _print((args.name, args.capacity, "added"))
    return 0


async def _room_set(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import set_room_capacity

    await set_room_capacity(conn, _actor(), school_id, args.name, args.capacity)
    _print((args.name, args.capacity))
    return 0


async def _room_remove(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import remove_room

    await remove_room(conn, _actor(), school_id, args.name)
    _print((args.name, "removed"))
    return 0


# --- classes and teaching ------------------------------------------------------------


async def _class_list(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from ediary_tui.server import schema as s

    year = await _year_of(conn, school_id, args.year)
    c, u, st = s.classes.c, s.users.c, s.students.c
    pupils = (
        sa.select(sa.func.count())
        .where(st.class_id == c.id, st.left_on.is_(None))
        .scalar_subquery()
    )
    for r in await conn.execute(
        sa.select(c.name, c.days_per_week, u.login, u.full_name, pupils.label("students"))
        .select_from(s.classes.outerjoin(s.users, u.id == c.class_teacher_id))
        .where(c.school_id == school_id, c.year == year)
        .order_by(c.grade, c.letter)
    ):
        _print((r.name, f"{r.days_per_week} days", r.students, r.login, r.full_name))
    return 0


async def _class_add(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import add_class, user_by_login

    teacher = await user_by_login(conn, school_id, args.teacher) if args.teacher else None
    await add_class(
        conn,
        _actor(),
        school_id,
        args.name,
        days_per_week=args.days,
        class_teacher_id=teacher,
        year=args.year,
    )
    return await _class_list(conn, school_id, args)


async def _class_set(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import (
        class_by_name,
        edit_class,
        set_class_teacher,
        user_by_login,
    )

    class_id = await class_by_name(conn, school_id, args.name, year=args.year)
    plan = await edit_class(conn, _actor(), class_id, name=args.new_name, days_per_week=args.days)
    if args.no_teacher:
        await set_class_teacher(conn, _actor(), class_id, None)
    elif args.teacher:
        teacher = await user_by_login(conn, school_id, args.teacher)
        await set_class_teacher(conn, _actor(), class_id, teacher)
    if plan is not None:
        print(f"lessons: {plan}")
    return await _class_list(conn, school_id, args)


async def _class_remove(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import class_by_name, remove_class

    await remove_class(
        conn, _actor(), await class_by_name(conn, school_id, args.name, year=args.year)
    )
    _print((args.name, "removed"))
    return 0


async def _teach(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import (
        assign_teaching,
        class_by_name,
        subject_by_name,
        unassign_teaching,
        user_by_login,
    )

    teacher = await user_by_login(conn, school_id, args.teacher)
    class_id = await class_by_name(conn, school_id, args.class_name)
    subject = await subject_by_name(conn, school_id, args.subject)
    if args.remove:
        await unassign_teaching(conn, _actor(), teacher, class_id, subject)
        _print((args.teacher, args.class_name, args.subject, "no longer taught"))
    else:
        await assign_teaching(conn, _actor(), teacher, class_id, subject)
        _print((args.teacher, args.class_name, args.subject, "teaches"))
    return 0


# --- the timetable, the lessons and one-day changes --------------------------------------


async def _timetable_show(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from ediary_tui.server import schema as s
    from ediary_tui.server.school.structure import class_by_name

    class_id = await class_by_name(conn, school_id, args.class_name)
    t, sub, u = s.timetable.c, s.subjects.c, s.users.c
    for r in await conn.execute(
        sa.select(t.weekday, t.number, sub.name, u.login, u.full_name, t.room)
        .select_from(
            s.timetable.join(s.subjects, sub.id == t.subject_id).join(s.users, u.id == t.teacher_id)
        )
        .where(t.class_id == class_id)
        .order_by(t.weekday, t.number)
    ):
        _print((DAYS[r.weekday], r.number, r.name, r.login, r.full_name, r.room))
    return 0


async def _timetable_set(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import class_by_name, subject_by_name, user_by_login
    from ediary_tui.server.school.timetable import Entry, set_slot

    entry = Entry(
        await class_by_name(conn, school_id, args.class_name),
        args.day,
        args.lesson,
        await subject_by_name(conn, school_id, args.subject),
        await user_by_login(conn, school_id, args.teacher),
        args.room,
    )
    plan = await set_slot(conn, _actor(), entry, start=args.start)
    print(f"{args.class_name}\t{DAYS[args.day]}\t{args.lesson}\t{args.subject}\tlessons: {plan}")
    return 0


async def _timetable_clear(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import class_by_name
    from ediary_tui.server.school.timetable import clear_slot

    class_id = await class_by_name(conn, school_id, args.class_name)
    plan = await clear_slot(conn, _actor(), class_id, args.day, args.lesson, start=args.start)
    print(f"{args.class_name}\t{DAYS[args.day]}\t{args.lesson}\tcleared\tlessons: {plan}")
    return 0


async def _lessons_generate(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.lesson_plan import plan_lessons
    from ediary_tui.server.school.structure import class_by_name, school_today

    year = await _year_of(conn, school_id, None)
    classes = (
        {await class_by_name(conn, school_id, name) for name in args.class_name}
        if args.class_name
        else None
    )
    start = args.start or await school_today(conn, school_id)
    print(await plan_lessons(conn, school_id, year, start=start, class_ids=classes))
    return 0


async def _change(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import class_by_name, subject_by_name, user_by_login
    from ediary_tui.server.school.timetable import change_lesson

    kind = (
        "replace"
        if args.replace
        else "cancel"
        if args.cancel
        else "move"
        if args.move_to
        else "add"
        if args.add
        else "restore"
    )
    teacher = args.replace or args.add
    to_date, to_number = args.move_to or (None, None)
    lesson_id = await change_lesson(
        conn,
        _actor(),
        school_id,
        class_id=await class_by_name(conn, school_id, args.class_name),
        on=args.date,
        number=args.lesson,
        kind=kind,
        teacher_id=await user_by_login(conn, school_id, teacher) if teacher else None,
        subject_id=await subject_by_name(conn, school_id, args.subject) if args.subject else None,
        room=args.room,
        to_date=to_date,
        to_number=to_number,
        note=args.note or "",
    )
    print(f"lesson {lesson_id}\t{args.class_name}\t{args.date}\t{args.lesson}\t{kind}")
    return 0


async def _changes(conn: Any, school_id: int, args: argparse.Namespace) -> int:
    from ediary_tui.server.school.structure import school_today
    from ediary_tui.server.school.timetable import day_changes

    on = args.date or await school_today(conn, school_id)
    found = await day_changes(conn, school_id, on)
    if not found:
        print(f"{on}: no changes to the timetable")
    for c in found:
        moved = f"from {c.moved_from[0]} lesson {c.moved_from[1]}" if c.moved_from else ""
        _print(
            (c.class_name, c.number, c.kind, c.subject, c.teacher, c.usual_teacher, moved, c.note)
        )
    return 0


# --- the parsers -------------------------------------------------------------------------


def add_commands(actions: Any) -> None:
    school = argparse.ArgumentParser(add_help=False)
    school.add_argument(
        "--school", type=_positive, help="the school's id when the database holds several"
    )
    year = argparse.ArgumentParser(add_help=False)
    year.add_argument("--year", type=int, help="the school year by its first calendar year")

    def group(name: str, help_text: str) -> Any:
        return actions.add_parser(name, help=help_text).add_subparsers(
            dest=f"{name}_action", metavar="ACTION", required=True
        )

    def command(sub: Any, name: str, help_text: str, work: Work, *parents: Any) -> Any:
        parser = sub.add_parser(name, help=help_text, parents=[school, *parents])
        parser.set_defaults(run=_in_school(work))
        return parser

    st = actions.add_parser(
        "setup",
        help="create or update the school's structure from a TOML file (dry run first)",
        parents=[school],
    )
    st.add_argument("file", metavar="FILE", help="school.toml: school, year, bells, subjects, ...")
    st.add_argument("--dry-run", action="store_true", help="say what would change, write nothing")
    st.set_defaults(run=_setup)

    sch = group("school", "the school's name, time zone, week, mark scale and rounding")
    command(sch, "show", "the school's settings", _school_show)
    p = command(sch, "set", "change the school's settings", _school_set)
    p.add_argument("--name")
    p.add_argument("--short-name")
    p.add_argument("--timezone", help="an IANA time zone, e.g. Europe/Moscow")
    p.add_argument("--days", type=int, choices=(5, 6), help="a new class's week")
    p.add_argument("--scale", type=_scale, help="the marks, e.g. 1-5")
    p.add_argument("--threshold", type=float, help="rounding up from, e.g. 0.6")
    p.add_argument(
        "--students-may-write",
        type=_yes_no,
        metavar="yes|no",
        help="students may start conversations with their teachers (no by default)",
    )

    pr = group("period", "the year's quarters and half-years (show, set)")
    command(pr, "show", "the year's periods and holidays", _year_show, year)
    p = command(pr, "set", "move a period's dates or rename it", _period_set, year)
    p.add_argument("kind", choices=("quarter", "half"))
    p.add_argument("number", type=_positive)
    p.add_argument("--from", dest="starts", type=_date, metavar="DATE")
    p.add_argument("--to", dest="ends", type=_date, metavar="DATE")
    p.add_argument("--name")
    hd = group("holiday", "days off inside the periods (list, add, remove)")
    command(hd, "list", "the year's periods and holidays", _year_show, year)
    p = command(hd, "add", "days off (their lessons go)", _holiday_add, year)
    p.add_argument("name")
    p.add_argument("--from", dest="starts", type=_date, required=True, metavar="DATE")
    p.add_argument("--to", dest="ends", type=_date, metavar="DATE", help="default: one day")
    p = command(hd, "remove", "a holiday no more (its lessons come back)", _holiday_remove, year)
    p.add_argument("name")

    bl = group("bells", "the bell schedule with its named breaks")
    command(bl, "show", "lessons' times and breaks", _bells_show)
    p = command(bl, "set", "replace the bell schedule", _bells_set)
    p.add_argument(
        "lessons",
        nargs="+",
        type=_bell,
        metavar="START-END[/BREAK]",
        help="each lesson in order, e.g. 08:30-09:15 09:25-10:10/Завтрак",
    )
    p.add_argument("--first", type=int, choices=(0, 1), default=1, help="the first lesson's number")

    sb = group("subject", "subjects (add, list, rename, remove)")
    command(sb, "list", "the school's subjects", _subject_list)
    command(sb, "add", "a new subject", _subject_add).add_argument("name")
    p = command(sb, "rename", "rename a subject", _subject_rename)
    p.add_argument("name")
    p.add_argument("new_name")
    command(sb, "remove", "a subject nothing uses", _subject_remove).add_argument("name")

    fm = group("form", "control forms and their weights (add, set, list, remove)")
    command(fm, "list", "control forms by weight", _form_list)
    for name, work, needed in (("add", _form_add, True), ("set", _form_set, False)):
        p = command(fm, name, f"{name} a control form", work)
        p.add_argument("code", help="e.g. test, classwork")
        p.add_argument("--name", required=needed)
        p.add_argument("--weight", type=int, required=needed, help="1-10")
        p.add_argument(
            "--category",
            required=needed,
            choices=("test", "independent", "classwork", "homework"),
        )
    command(fm, "remove", "a control form nothing uses", _form_remove).add_argument("code")

    rm = group("room", "rooms (add, set, list, remove)")
    command(rm, "list", "rooms and their seats", _room_list)
    for name, work in (("add", _room_add), ("set", _room_set)):
        p = command(rm, name, f"{name} a room", work)
        p.add_argument("name")
        p.add_argument("--capacity", type=_positive, help="seats")
    command(rm, "remove", "a room no timetable uses", _room_remove).add_argument("name")

    cl = group("class", "classes: grade and letter, week, class teacher (add, set, list, remove)")
    command(cl, "list", "the year's classes", _class_list, year)
    p = command(cl, "add", "a new class, e.g. 7А", _class_add, year)
    p.add_argument("name")
    p.add_argument("--days", type=int, choices=(5, 6), help="default: the school's week")
    p.add_argument("--teacher", metavar="LOGIN", help="the class teacher")
    p = command(cl, "set", "rename a class, change its week or class teacher", _class_set, year)
    p.add_argument("name")
    p.add_argument("--name", dest="new_name", metavar="NEW")
    p.add_argument("--days", type=int, choices=(5, 6))
    who = p.add_mutually_exclusive_group()
    who.add_argument("--teacher", metavar="LOGIN", help="the class teacher")
    who.add_argument("--no-teacher", action="store_true", help="no class teacher")
    command(cl, "remove", "a class nothing refers to", _class_remove, year).add_argument("name")

    p = actions.add_parser(
        "teach", help="let a teacher teach a subject in a class", parents=[school]
    )
    p.add_argument("--teacher", required=True, metavar="LOGIN")
    p.add_argument("--class", dest="class_name", required=True, metavar="CLASS", help="e.g. 7А")
    p.add_argument("--subject", required=True)
    p.add_argument("--remove", action="store_true", help="take the subject from the teacher")
    p.set_defaults(run=_in_school(_teach))

    starting = argparse.ArgumentParser(add_help=False)
    starting.add_argument(
        "--from", dest="start", type=_date, metavar="DATE", help="lessons change from (today)"
    )
    tt = group("timetable", "the weekly timetable of a class (show, set, clear)")
    p = command(tt, "show", "a class's week", _timetable_show)
    p.add_argument("--class", dest="class_name", required=True, metavar="CLASS", help="e.g. 7А")
    p = command(tt, "set", "put a lesson in a class's week", _timetable_set, starting)
    p.add_argument("--class", dest="class_name", required=True, metavar="CLASS", help="e.g. 7А")
    p.add_argument("--day", type=_day, required=True, help="mon .. sat")
    p.add_argument("--lesson", type=int, required=True, metavar="N", help="the lesson's number")
    p.add_argument("--subject", required=True)
    p.add_argument("--teacher", required=True, metavar="LOGIN")
    p.add_argument("--room")
    p = command(tt, "clear", "take a lesson out of a class's week", _timetable_clear, starting)
    p.add_argument("--class", dest="class_name", required=True, metavar="CLASS", help="e.g. 7А")
    p.add_argument("--day", type=_day, required=True, help="mon .. sat")
    p.add_argument("--lesson", type=int, required=True, metavar="N", help="the lesson's number")

    ls = group("lessons", "the year's lessons made from the timetable")
    p = command(ls, "generate", "make the lessons match the timetable", _lessons_generate)
    p.add_argument("--from", dest="start", type=_date, metavar="DATE", help="default: today")
    p.add_argument(
        "--class", dest="class_name", action="append", metavar="CLASS", help="only these classes"
    )

    p = actions.add_parser(
        "change",
        help="one day's change: replace a teacher, cancel, move, add or restore a lesson",
        parents=[school],
    )
    p.add_argument("--date", type=_date, required=True, help="the day, e.g. 2026-12-08")
    p.add_argument("--class", dest="class_name", required=True, metavar="CLASS", help="e.g. 7А")
    p.add_argument("--lesson", type=int, required=True, metavar="N", help="the lesson's number")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--replace", metavar="LOGIN", help="the teacher who stands in")
    what.add_argument("--cancel", action="store_true")
    what.add_argument("--move-to", type=_slot, metavar="DATE:LESSON")
    what.add_argument("--add", metavar="LOGIN", help="an extra lesson by this teacher")
    what.add_argument("--restore", action="store_true", help="as the timetable has it again")
    p.add_argument("--subject", help="an extra lesson's subject")
    p.add_argument("--room")
    p.add_argument("--note", help="what families read, e.g. the reason")
    p.set_defaults(run=_in_school(_change))

    p = actions.add_parser("changes", help="the day's timetable changes", parents=[school])
    p.add_argument("--date", type=_date, help="default: today")
    p.set_defaults(run=_in_school(_changes))


__all__ = ["CliError", "add_commands"]
