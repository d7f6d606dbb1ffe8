"""The school's structure: the school, its classes, subjects, rooms, bells, forms, holidays.

Every function takes the caller's open connection (so a setup file or an import
composes them into one transaction), checks what it is given before writing,
writes an audit line only when something changed (applying the same thing twice
leaves no trace), and raises `AdminError` with a sentence that says what to fix.
Something that other rows refer to is never removed: the error names what still
uses it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Category, Role
from ediary_tui.domain.periods import PeriodSpan, school_year_of

from .. import schema as s
from .audit import Actor, record
from .errors import AdminError
from .lesson_plan import PlanResult, plan_lessons
from .years import current_year, is_archived, year_label

_CLASS_NAME = re.compile(r"^\s*(\d{1,2})\s*-?\s*([А-ЯЁа-яё])\s*$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
MAX_WEIGHT = 10


# --- checks that need no database --------------------------------------------


def parse_class_name(name: str) -> tuple[int, str, str]:
    """'7а' -> (7, 'А', '7А'): a grade 1-11 and one Cyrillic letter."""
    found = _CLASS_NAME.match(name or "")
    if found is None or not 1 <= int(found.group(1)) <= 11:
        raise AdminError(f"{name!r} is not a class name like 7А (a grade 1-11 and a letter)")
    grade, letter = int(found.group(1)), found.group(2).upper()
    return grade, letter, f"{grade}{letter}"


def check_timezone(zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AdminError(
            f"{zone!r} is not a time zone; give an IANA name such as Europe/Moscow"
        ) from None
    return zone


def check_days(days: int) -> int:
    if days not in (5, 6):
        raise AdminError(f"a school week has 5 or 6 days, not {days}")
    return days


def check_name(what: str, name: str, longest: int) -> str:
    name = (name or "").strip()
    if not name:
        raise AdminError(f"the {what} needs a name")
    if len(name) > longest:
        raise AdminError(f"the {what} name {name!r} is longer than {longest} characters")
    return name


def check_scale(scale_min: int, scale_max: int, threshold: float) -> None:
    if not (0 <= scale_min < scale_max <= 100):
        raise AdminError(
            f"the mark scale {scale_min}-{scale_max} must run from a lower to a higher mark, "
            "such as 1-5 or 1-10"
        )
    if not 0 < threshold < 1:
        raise AdminError(
            f"the rounding threshold {threshold} must be between 0 and 1 "
            "(0.5 rounds 4.5 up to 5, 0.6 asks for 4.6)"
        )


@dataclass(frozen=True)
class Bell:
    """A lesson's bells: its number, start and end (HH:MM), and the named break after it."""

    number: int
    starts_at: str
    ends_at: str
    break_name: str | None = None


def _minutes(value: str, what: str) -> int:
    found = _TIME.match(value or "")
    if found is None:
        raise AdminError(f"{what} {value!r} is not a time like 08:30")
    return int(found.group(1)) * 60 + int(found.group(2))


def check_bells(bells: Sequence[Bell]) -> list[Bell]:
    """Numbered in a row (from 0 or 1), each ending after it starts, in order, not overlapping."""
    if not bells:
        raise AdminError("the bell schedule needs at least one lesson")
    ordered = sorted(bells, key=lambda b: b.number)
    first = ordered[0].number
    if first not in (0, 1):
        raise AdminError(f"lessons are numbered from 1 (or 0 for a zero lesson), not {first}")
    previous_end = -1
    for i, bell in enumerate(ordered):
        if bell.number != first + i:
            raise AdminError(f"lesson {first + i} is missing from the bell schedule")
        start = _minutes(bell.starts_at, f"lesson {bell.number}'s start")
        end = _minutes(bell.ends_at, f"lesson {bell.number}'s end")
        if end <= start:
            raise AdminError(
                f"lesson {bell.number} ends ({bell.ends_at}) before it starts ({bell.starts_at})"
            )
        if start < previous_end:
            raise AdminError(
                f"lesson {bell.number} starts ({bell.starts_at}) before lesson "
                f"{bell.number - 1} ends ({ordered[i - 1].ends_at})"
            )
        if bell.break_name is not None and len(bell.break_name) > 50:
            raise AdminError(f"the break after lesson {bell.number} has a name over 50 characters")
        previous_end = end
    return ordered


def check_form(code: str, name: str, weight: int, category: str) -> None:
    if not _CODE.match(code or ""):
        raise AdminError(
            f"control form code {code!r} must be lowercase latin letters, digits, '_' or '-' "
            "(such as test or classwork)"
        )
    check_name("control form", name, 100)
    if not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
        raise AdminError(f"a control form's weight is a whole number 1-{MAX_WEIGHT}, not {weight}")
    if category not in {c.value for c in Category}:
        raise AdminError(
            f"a control form's category is one of {', '.join(c.value for c in Category)}, "
            f"not {category!r}"
        )


# --- the school ---------------------------------------------------------------


async def school_of(conn: AsyncConnection, school: int | None) -> int:
    """The school given by id, else the database's only school."""
    sc = s.schools.c
    if school is not None:
        found = (await conn.execute(sa.select(sc.id).where(sc.id == school))).scalar()
        if found is None:
            raise AdminError(
                f"there is no school with id {school}; see `ediary admin list-schools`"
            )
        return found
    ids = (await conn.execute(sa.select(sc.id).order_by(sc.id))).scalars().all()
    if not ids:
        raise AdminError(
            "the database has no school yet; describe it in a file and run "
            "`ediary admin setup school.toml`"
        )
    if len(ids) > 1:
        raise AdminError("this database holds several schools; say which with --school ID")
    return ids[0]


async def school_zone(conn: AsyncConnection, school_id: int) -> ZoneInfo:
    zone = (
        await conn.execute(sa.select(s.schools.c.timezone).where(s.schools.c.id == school_id))
    ).scalar()
    return ZoneInfo(zone or "Europe/Moscow")


async def school_today(conn: AsyncConnection, school_id: int) -> dt.date:
    """Today where the school is (its time zone decides when a day starts)."""
    return dt.datetime.now(await school_zone(conn, school_id)).date()


async def update_school(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    *,
    name: str | None = None,
    short_name: str | None = None,
    timezone: str | None = None,
    days_per_week: int | None = None,
    scale_min: int | None = None,
    scale_max: int | None = None,
    round_threshold: float | None = None,
) -> None:
    """Change the school's settings; what is not given stays."""
    row = (await conn.execute(sa.select(s.schools).where(s.schools.c.id == school_id))).one()
    wanted: dict[str, object] = {}
    if name is not None:
        wanted["name"] = check_name("school", name, 200)
    if short_name is not None:
        wanted["short_name"] = check_name("school's short", short_name, 100)
    if timezone is not None:
        wanted["timezone"] = check_timezone(timezone.strip())
    if days_per_week is not None:
        wanted["days_per_week"] = check_days(days_per_week)
    if scale_min is not None:
        wanted["scale_min"] = scale_min
    if scale_max is not None:
        wanted["scale_max"] = scale_max
    if round_threshold is not None:
        wanted["round_threshold"] = float(round_threshold)
    check_scale(
        int(wanted.get("scale_min", row.scale_min)),  # type: ignore[call-overload]
        int(wanted.get("scale_max", row.scale_max)),  # type: ignore[call-overload]
        float(wanted.get("round_threshold", row.round_threshold)),  # type: ignore[arg-type]
    )
    changed = {k: v for k, v in wanted.items() if getattr(row, k) != v}
    if not changed:
        return
    await conn.execute(s.schools.update().where(s.schools.c.id == school_id).values(**changed))
    await record(conn, actor, "school.update", school_id=school_id, target=row.name, detail=changed)


async def create_school(conn: AsyncConnection, actor: Actor, name: str, short_name: str) -> int:
    """A new school without control forms (the caller adds them): the setup file's first step."""
    name = check_name("school", name, 200)
    school_id = (
        await conn.execute(
            s.schools.insert()
            .values(
                name=name,
                short_name=check_name("school's short", short_name, 100),
                scale_min=1,
                scale_max=5,
                round_threshold=0.5,
                timezone="Europe/Moscow",
                days_per_week=5,
            )
            .returning(s.schools.c.id)
        )
    ).scalar_one()
    await record(conn, actor, "school.create", school_id=school_id, target=name)
    return school_id


async def writable_year(conn: AsyncConnection, school_id: int, year: int | None) -> int:
    """The given school year (else the current one), refused when it is archived or unknown."""
    if year is None:
        return await current_year(conn, school_id)
    y = s.school_years.c
    known = (
        await conn.execute(sa.select(y.year).where(y.school_id == school_id, y.year == year))
    ).scalar()
    if known is None:
        raise AdminError(
            f"the school year {year_label(year)} is not open; open it with `ediary admin year open`"
        )
    if await is_archived(conn, school_id, year):
        raise AdminError(f"the school year {year_label(year)} is archived and cannot change")
    return year


async def _regenerate(
    conn: AsyncConnection,
    school_id: int,
    year: int,
    *,
    start: dt.date | None = None,
    class_ids: set[int] | None = None,
) -> PlanResult:
    """Lessons again from the timetable, from `start` (never before today) on."""
    today = await school_today(conn, school_id)
    start = max(start or today, today)
    return await plan_lessons(conn, school_id, year, start=start, class_ids=class_ids)


async def user_by_login(conn: AsyncConnection, school_id: int, login: str) -> int:
    """A person of the school by login (letter case aside)."""
    u = s.users.c
    found = (
        await conn.execute(
            sa.select(u.id).where(
                u.school_id == school_id, sa.func.lower(u.login) == login.strip().lower()
            )
        )
    ).scalar()
    if found is None:
        raise AdminError(
            f"there is no user {login!r} in this school; see `ediary admin list-users`"
        )
    return found


# --- classes ------------------------------------------------------------------


async def add_class(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    name: str,
    *,
    days_per_week: int | None = None,
    class_teacher_id: int | None = None,
    year: int | None = None,
) -> int:
    """A class of a school year ('7А': grade 7, letter А), on the school's week unless given."""
    grade, letter, name = parse_class_name(name)
    year = await writable_year(conn, school_id, year)
    if days_per_week is None:
        days_per_week = (
            await conn.execute(
                sa.select(s.schools.c.days_per_week).where(s.schools.c.id == school_id)
            )
        ).scalar_one()
    check_days(days_per_week)
    c = s.classes.c
    taken = (
        await conn.execute(
            sa.select(c.id).where(c.school_id == school_id, c.year == year, c.name == name)
        )
    ).scalar()
    if taken is not None:
        raise AdminError(f"the class {name} already exists in {year_label(year)}")
    class_id = (
        await conn.execute(
            s.classes.insert()
            .values(
                school_id=school_id,
                grade=grade,
                letter=letter,
                name=name,
                days_per_week=days_per_week,
                year=year,
            )
            .returning(c.id)
        )
    ).scalar_one()
    await record(
        conn,
        actor,
        "class.add",
        school_id=school_id,
        target=name,
        detail={"year": year, "days_per_week": days_per_week},
    )
    if class_teacher_id is not None:
        await set_class_teacher(conn, actor, class_id, class_teacher_id)
    return class_id


async def class_by_name(
    conn: AsyncConnection, school_id: int, name: str, *, year: int | None = None
) -> int:
    """The class of that name in the given school year (else the current one)."""
    try:
        name = parse_class_name(name)[2]
    except AdminError:
        name = (name or "").strip()
    if year is None:
        year = await current_year(conn, school_id)
    c = s.classes.c
    found = (
        await conn.execute(
            sa.select(c.id).where(c.school_id == school_id, c.year == year, c.name == name)
        )
    ).scalar()
    if found is None:
        raise AdminError(
            f"there is no class {name!r} in {year_label(year)}; "
            "add it with `ediary admin class add` or see `ediary admin class list`"
        )
    return found


async def class_row(conn: AsyncConnection, class_id: int) -> sa.Row:
    row = (await conn.execute(sa.select(s.classes).where(s.classes.c.id == class_id))).first()
    if row is None:
        raise AdminError(f"there is no class with id {class_id}")
    if await is_archived(conn, row.school_id, row.year):
        raise AdminError(
            f"the class {row.name} is of the archived year {year_label(row.year)} and cannot change"
        )
    return row


async def edit_class(
    conn: AsyncConnection,
    actor: Actor,
    class_id: int,
    *,
    name: str | None = None,
    days_per_week: int | None = None,
) -> PlanResult | None:
    """Rename a class or change its week; a new week regenerates its lessons from today."""
    row = await class_row(conn, class_id)
    changed: dict[str, object] = {}
    if name is not None:
        grade, letter, name = parse_class_name(name)
        if name != row.name:
            c = s.classes.c
            taken = (
                await conn.execute(
                    sa.select(c.id).where(
                        c.school_id == row.school_id, c.year == row.year, c.name == name
                    )
                )
            ).scalar()
            if taken is not None:
                raise AdminError(f"the class {name} already exists in {year_label(row.year)}")
            changed.update(name=name, grade=grade, letter=letter)
    if days_per_week is not None and check_days(days_per_week) != row.days_per_week:
        changed["days_per_week"] = days_per_week
    if not changed:
        return None
    await conn.execute(s.classes.update().where(s.classes.c.id == class_id).values(**changed))
    await record(
        conn,
        actor,
        "class.edit",
        school_id=row.school_id,
        target=row.name,
        detail=changed,
        class_id=class_id,
    )
    if "days_per_week" in changed or "grade" in changed:
        return await _regenerate(conn, row.school_id, row.year, class_ids={class_id})
    return None


async def teacher_login(conn: AsyncConnection, school_id: int, teacher_id: int) -> str:
    """The teacher's login; refused when the user is not a teacher of this school."""
    u, r = s.users.c, s.user_roles.c
    row = (await conn.execute(sa.select(u.login, u.school_id).where(u.id == teacher_id))).first()
    if row is None or row.school_id != school_id:
        raise AdminError(f"there is no user with id {teacher_id} in this school")
    roles = set(
        (await conn.execute(sa.select(r.role).where(r.user_id == teacher_id))).scalars().all()
    )
    if not roles & {Role.TEACHER.value, Role.CLASS_TEACHER.value, Role.ADMIN.value}:
        raise AdminError(f"{row.login} is not a teacher; give them the teacher role first")
    return row.login


async def set_class_teacher(
    conn: AsyncConnection, actor: Actor, class_id: int, teacher_id: int | None
) -> None:
    """Make a teacher the class's class teacher (with that role), or leave the class without one.

    The one who is no longer class teacher of any class loses the role.
    """
    row = await class_row(conn, class_id)
    if row.class_teacher_id == teacher_id:
        return
    login = await teacher_login(conn, row.school_id, teacher_id) if teacher_id is not None else None
    await conn.execute(
        s.classes.update().where(s.classes.c.id == class_id).values(class_teacher_id=teacher_id)
    )
    r = s.user_roles.c
    if teacher_id is not None:
        has = (
            await conn.execute(
                sa.select(r.user_id).where(
                    r.user_id == teacher_id, r.role == Role.CLASS_TEACHER.value
                )
            )
        ).first()
        if has is None:
            await conn.execute(
                s.user_roles.insert().values(user_id=teacher_id, role=Role.CLASS_TEACHER.value)
            )
    previous = row.class_teacher_id
    if previous is not None:
        c = s.classes.c
        still = (
            await conn.execute(
                sa.select(c.id).where(c.class_teacher_id == previous, c.id != class_id).limit(1)
            )
        ).first()
        if still is None:
            await conn.execute(
                s.user_roles.delete().where(
                    r.user_id == previous, r.role == Role.CLASS_TEACHER.value
                )
            )
    await record(
        conn,
        actor,
        "class.teacher",
        school_id=row.school_id,
        target=row.name,
        detail={"class_teacher": login},
        class_id=class_id,
    )


async def _in_use(conn: AsyncConnection, checks: Sequence[tuple[str, sa.Select]]) -> list[str]:
    """The names of what still refers to a thing (each check: its name and a select of rows)."""
    used = []
    for what, query in checks:
        count = (
            await conn.execute(sa.select(sa.func.count()).select_from(query.subquery()))
        ).scalar_one()
        if count:
            used.append(f"{count} {what}")
    return used


def _refuse_if_used(thing: str, used: list[str]) -> None:
    if used:
        raise AdminError(f"{thing} cannot be removed: {', '.join(used)} still refer to it")


async def remove_class(conn: AsyncConnection, actor: Actor, class_id: int) -> None:
    """Remove a class nothing refers to (no students, lessons, timetable or teachers)."""
    row = await class_row(conn, class_id)
    used = await _in_use(
        conn,
        [
            ("students", sa.select(s.students.c.user_id).where(s.students.c.class_id == class_id)),
            (
                "enrolments",
                sa.select(s.enrollments.c.student_id).where(s.enrollments.c.class_id == class_id),
            ),
            ("lessons", sa.select(s.lessons.c.id).where(s.lessons.c.class_id == class_id)),
            (
                "timetable slots",
                sa.select(s.timetable.c.id).where(s.timetable.c.class_id == class_id),
            ),
            (
                "teaching assignments",
                sa.select(s.teaching.c.teacher_id).where(s.teaching.c.class_id == class_id),
            ),
            (
                "announcements",
                sa.select(s.announcements.c.id).where(s.announcements.c.class_id == class_id),
            ),
        ],
    )
    _refuse_if_used(f"the class {row.name}", used)
    if row.class_teacher_id is not None:
        await set_class_teacher(conn, actor, class_id, None)
    await conn.execute(s.classes.delete().where(s.classes.c.id == class_id))
    await record(conn, actor, "class.remove", school_id=row.school_id, target=row.name)


# --- subjects, rooms, teaching -------------------------------------------------


async def add_subject(conn: AsyncConnection, actor: Actor, school_id: int, name: str) -> int:
    name = check_name("subject", name, 100)
    sub = s.subjects.c
    taken = (
        await conn.execute(sa.select(sub.id).where(sub.school_id == school_id, sub.name == name))
    ).scalar()
    if taken is not None:
        raise AdminError(f"the subject {name!r} already exists")
    subject_id = (
        await conn.execute(
            s.subjects.insert().values(school_id=school_id, name=name).returning(sub.id)
        )
    ).scalar_one()
    await record(conn, actor, "subject.add", school_id=school_id, target=name)
    return subject_id


async def subject_by_name(conn: AsyncConnection, school_id: int, name: str) -> int:
    """The subject of that name (letter case aside)."""
    sub = s.subjects.c
    wanted = (name or "").strip()
    rows = (await conn.execute(sa.select(sub.id, sub.name).where(sub.school_id == school_id))).all()
    for row in rows:
        if row.name == wanted:
            return row.id
    for row in rows:
        if row.name.casefold() == wanted.casefold():
            return row.id
    raise AdminError(
        f"there is no subject {wanted!r}; add it with `ediary admin subject add` "
        "or see `ediary admin subject list`"
    )


async def rename_subject(
    conn: AsyncConnection, actor: Actor, school_id: int, subject_id: int, name: str
) -> None:
    name = check_name("subject", name, 100)
    sub = s.subjects.c
    old = (await conn.execute(sa.select(sub.name).where(sub.id == subject_id))).scalar_one()
    if old == name:
        return
    taken = (
        await conn.execute(sa.select(sub.id).where(sub.school_id == school_id, sub.name == name))
    ).scalar()
    if taken is not None:
        raise AdminError(f"the subject {name!r} already exists")
    await conn.execute(s.subjects.update().where(sub.id == subject_id).values(name=name))
    await record(
        conn, actor, "subject.rename", school_id=school_id, target=old, detail={"name": name}
    )


async def remove_subject(conn: AsyncConnection, actor: Actor, school_id: int, name: str) -> None:
    subject_id = await subject_by_name(conn, school_id, name)
    used = await _in_use(
        conn,
        [
            ("lessons", sa.select(s.lessons.c.id).where(s.lessons.c.subject_id == subject_id)),
            (
                "timetable slots",
                sa.select(s.timetable.c.id).where(s.timetable.c.subject_id == subject_id),
            ),
            (
                "teaching assignments",
                sa.select(s.teaching.c.teacher_id).where(s.teaching.c.subject_id == subject_id),
            ),
            (
                "period marks",
                sa.select(s.period_marks.c.student_id).where(
                    s.period_marks.c.subject_id == subject_id
                ),
            ),
            (
                "year marks",
                sa.select(s.year_marks.c.student_id).where(s.year_marks.c.subject_id == subject_id),
            ),
        ],
    )
    _refuse_if_used(f"the subject {name!r}", used)
    await conn.execute(s.subjects.delete().where(s.subjects.c.id == subject_id))
    await record(conn, actor, "subject.remove", school_id=school_id, target=name)


def _check_capacity(capacity: int | None) -> None:
    if capacity is not None and not 1 <= capacity <= 2000:
        raise AdminError(f"a room's capacity is a number of seats 1-2000, not {capacity}")


async def add_room(
    conn: AsyncConnection, actor: Actor, school_id: int, name: str, capacity: int | None = None
) -> int:
    name = check_name("room", name, 20)
    _check_capacity(capacity)
    r = s.rooms.c
    taken = (
        await conn.execute(sa.select(r.id).where(r.school_id == school_id, r.name == name))
    ).scalar()
    if taken is not None:
        raise AdminError(f"the room {name!r} already exists")
    room_id = (
        await conn.execute(
            s.rooms.insert()
            .values(school_id=school_id, name=name, capacity=capacity)
            .returning(r.id)
        )
    ).scalar_one()
    await record(
        conn, actor, "room.add", school_id=school_id, target=name, detail={"capacity": capacity}
    )
    return room_id


async def set_room_capacity(
    conn: AsyncConnection, actor: Actor, school_id: int, name: str, capacity: int | None
) -> None:
    _check_capacity(capacity)
    r = s.rooms.c
    row = (
        await conn.execute(
            sa.select(r.id, r.capacity).where(r.school_id == school_id, r.name == name.strip())
        )
    ).first()
    if row is None:
        raise AdminError(f"there is no room {name!r}; see `ediary admin room list`")
    if row.capacity == capacity:
        return
    await conn.execute(s.rooms.update().where(r.id == row.id).values(capacity=capacity))
    await record(
        conn, actor, "room.edit", school_id=school_id, target=name, detail={"capacity": capacity}
    )


async def room_names(conn: AsyncConnection, school_id: int) -> set[str]:
    r = s.rooms.c
    return set((await conn.execute(sa.select(r.name).where(r.school_id == school_id))).scalars())


async def remove_room(conn: AsyncConnection, actor: Actor, school_id: int, name: str) -> None:
    r = s.rooms.c
    name = name.strip()
    room_id = (
        await conn.execute(sa.select(r.id).where(r.school_id == school_id, r.name == name))
    ).scalar()
    if room_id is None:
        raise AdminError(f"there is no room {name!r}; see `ediary admin room list`")
    t, c = s.timetable.c, s.classes.c
    used = await _in_use(
        conn,
        [
            (
                "timetable slots",
                sa.select(t.id)
                .select_from(s.timetable.join(s.classes, c.id == t.class_id))
                .where(c.school_id == school_id, t.room == name),
            )
        ],
    )
    _refuse_if_used(f"the room {name!r}", used)
    await conn.execute(s.rooms.delete().where(r.id == room_id))
    await record(conn, actor, "room.remove", school_id=school_id, target=name)


async def assign_teaching(
    conn: AsyncConnection, actor: Actor, teacher_id: int, class_id: int, subject_id: int
) -> None:
    """Let a teacher teach a subject in a class (and write its journal); once is enough."""
    row = await class_row(conn, class_id)
    login = await teacher_login(conn, row.school_id, teacher_id)
    subject = (
        await conn.execute(
            sa.select(s.subjects.c.name).where(
                s.subjects.c.id == subject_id, s.subjects.c.school_id == row.school_id
            )
        )
    ).scalar()
    if subject is None:
        raise AdminError(f"there is no subject with id {subject_id} in this school")
    tc = s.teaching.c
    has = (
        await conn.execute(
            sa.select(tc.teacher_id).where(
                tc.teacher_id == teacher_id, tc.class_id == class_id, tc.subject_id == subject_id
            )
        )
    ).first()
    if has is not None:
        return
    await conn.execute(
        s.teaching.insert().values(teacher_id=teacher_id, class_id=class_id, subject_id=subject_id)
    )
    await record(
        conn,
        actor,
        "teaching.assign",
        school_id=row.school_id,
        target=f"{login} {row.name} {subject}",
    )


async def unassign_teaching(
    conn: AsyncConnection, actor: Actor, teacher_id: int, class_id: int, subject_id: int
) -> None:
    """Take a subject of a class from a teacher, unless the timetable still has them teach it."""
    row = await class_row(conn, class_id)
    t = s.timetable.c
    used = await _in_use(
        conn,
        [
            (
                "timetable slots",
                sa.select(t.id).where(
                    t.class_id == class_id, t.teacher_id == teacher_id, t.subject_id == subject_id
                ),
            )
        ],
    )
    _refuse_if_used("the teaching assignment", used)
    tc = s.teaching.c
    done = await conn.execute(
        s.teaching.delete().where(
            tc.teacher_id == teacher_id, tc.class_id == class_id, tc.subject_id == subject_id
        )
    )
    if done.rowcount:
        await record(
            conn,
            actor,
            "teaching.unassign",
            school_id=row.school_id,
            target=f"{teacher_id} {row.name} {subject_id}",
        )


# --- bells and control forms ---------------------------------------------------


async def bells_of(conn: AsyncConnection, school_id: int) -> list[Bell]:
    b = s.bells.c
    rows = await conn.execute(
        sa.select(b.number, b.starts_at, b.ends_at, b.break_name)
        .where(b.school_id == school_id)
        .order_by(b.number)
    )
    return [Bell(r.number, r.starts_at, r.ends_at, r.break_name) for r in rows]


async def set_bells(
    conn: AsyncConnection, actor: Actor, school_id: int, bells: Sequence[Bell]
) -> bool:
    """Replace the bell schedule; refused while the timetable uses a lesson it drops."""
    wanted = check_bells(bells)
    if wanted == await bells_of(conn, school_id):
        return False
    numbers = {b.number for b in wanted}
    t, c = s.timetable.c, s.classes.c
    used = (
        await conn.execute(
            sa.select(t.number)
            .select_from(s.timetable.join(s.classes, c.id == t.class_id))
            .where(c.school_id == school_id)
            .distinct()
        )
    ).scalars()
    dropped = sorted(set(used) - numbers)
    if dropped:
        raise AdminError(
            f"the timetable has lesson {dropped[0]}, which this bell schedule drops; "
            "clear those slots first"
        )
    await conn.execute(s.bells.delete().where(s.bells.c.school_id == school_id))
    await conn.execute(
        s.bells.insert(),
        [
            {
                "school_id": school_id,
                "number": b.number,
                "starts_at": b.starts_at,
                "ends_at": b.ends_at,
                "break_name": b.break_name or None,
            }
            for b in wanted
        ],
    )
    await record(
        conn,
        actor,
        "bells.set",
        school_id=school_id,
        target=f"{len(wanted)} lessons",
        detail={"first": wanted[0].starts_at, "last": wanted[-1].ends_at},
    )
    return True


async def add_form(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    code: str,
    name: str,
    weight: int,
    category: str,
) -> int:
    """A new control form (kind of work) with its weight in the weighted average."""
    check_form(code, name, weight, category)
    cf = s.control_forms.c
    taken = (
        await conn.execute(sa.select(cf.id).where(cf.school_id == school_id, cf.code == code))
    ).scalar()
    if taken is not None:
        raise AdminError(f"the control form {code!r} already exists; change it with `form set`")
    form_id = (
        await conn.execute(
            s.control_forms.insert()
            .values(
                school_id=school_id, code=code, name=name.strip(), weight=weight, category=category
            )
            .returning(cf.id)
        )
    ).scalar_one()
    await record(
        conn,
        actor,
        "form.add",
        school_id=school_id,
        target=code,
        detail={"name": name, "weight": weight, "category": category},
    )
    return form_id


async def set_form(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    code: str,
    *,
    name: str | None = None,
    weight: int | None = None,
    category: str | None = None,
) -> bool:
    """Change a control form's name, weight or category (every average follows the weight)."""
    cf = s.control_forms.c
    row = (
        await conn.execute(
            sa.select(s.control_forms).where(cf.school_id == school_id, cf.code == code)
        )
    ).first()
    if row is None:
        raise AdminError(f"there is no control form {code!r}; add it with `ediary admin form add`")
    new = {
        "name": name.strip() if name is not None else row.name,
        "weight": weight if weight is not None else row.weight,
        "category": category if category is not None else row.category,
    }
    check_form(code, str(new["name"]), int(new["weight"]), str(new["category"]))  # type: ignore[call-overload]
    changed = {k: v for k, v in new.items() if getattr(row, k) != v}
    if not changed:
        return False
    await conn.execute(s.control_forms.update().where(cf.id == row.id).values(**changed))
    await record(conn, actor, "form.edit", school_id=school_id, target=code, detail=changed)
    return True


async def remove_form(conn: AsyncConnection, actor: Actor, school_id: int, code: str) -> None:
    cf = s.control_forms.c
    form_id = (
        await conn.execute(sa.select(cf.id).where(cf.school_id == school_id, cf.code == code))
    ).scalar()
    if form_id is None:
        raise AdminError(f"there is no control form {code!r}")
    used = await _in_use(
        conn,
        [
            ("lessons", sa.select(s.lessons.c.id).where(s.lessons.c.control_form_id == form_id)),
            ("marks", sa.select(s.marks.c.id).where(s.marks.c.control_form_id == form_id)),
        ],
    )
    _refuse_if_used(f"the control form {code!r}", used)
    await conn.execute(s.control_forms.delete().where(cf.id == form_id))
    await record(conn, actor, "form.remove", school_id=school_id, target=code)


# --- the year: periods and holidays --------------------------------------------


def _year_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 9, 1) - dt.timedelta(days=7), dt.date(year + 1, 8, 31)


def check_holiday(year: int, name: str, starts_on: dt.date, ends_on: dt.date) -> str:
    name = check_name("holiday", name, 100)
    if ends_on < starts_on:
        raise AdminError(f"the holiday {name!r} ends ({ends_on}) before it starts ({starts_on})")
    first, last = _year_span(year)
    if starts_on < first or ends_on > last:
        raise AdminError(
            f"the holiday {name!r} ({starts_on} - {ends_on}) is outside the school year "
            f"{year_label(year)}"
        )
    return name


async def add_holiday(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    *,
    year: int | None = None,
) -> PlanResult:
    """Days off; lessons planned on them (from today on) go, unless a teacher wrote in them."""
    ends_on = ends_on or starts_on
    year = await writable_year(conn, school_id, year or school_year_of(starts_on))
    name = check_holiday(year, name, starts_on, ends_on)
    h = s.holidays.c
    taken = (
        await conn.execute(
            sa.select(h.id).where(h.school_id == school_id, h.year == year, h.name == name)
        )
    ).scalar()
    if taken is not None:
        raise AdminError(f"the holiday {name!r} already exists in {year_label(year)}")
    await conn.execute(
        s.holidays.insert().values(
            school_id=school_id, year=year, name=name, starts_on=starts_on, ends_on=ends_on
        )
    )
    await record(
        conn,
        actor,
        "holiday.add",
        school_id=school_id,
        target=name,
        detail={"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return await _regenerate(conn, school_id, year, start=starts_on)


async def remove_holiday(
    conn: AsyncConnection, actor: Actor, school_id: int, name: str, *, year: int | None = None
) -> PlanResult:
    """A holiday no more: its days get their lessons from the timetable (from today on)."""
    year = await writable_year(conn, school_id, year)
    h = s.holidays.c
    row = (
        await conn.execute(
            sa.select(h.id, h.starts_on).where(
                h.school_id == school_id, h.year == year, h.name == name.strip()
            )
        )
    ).first()
    if row is None:
        raise AdminError(
            f"there is no holiday {name!r} in {year_label(year)}; see `ediary admin year show`"
        )
    await conn.execute(s.holidays.delete().where(h.id == row.id))
    await record(conn, actor, "holiday.remove", school_id=school_id, target=name)
    return await _regenerate(conn, school_id, year, start=row.starts_on)


async def set_period(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    kind: str,
    number: int,
    *,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    name: str | None = None,
    year: int | None = None,
) -> bool:
    """Move one period's dates (or rename it); the year's periods are checked together."""
    year = await writable_year(conn, school_id, year)
    spans = await periods_of(conn, school_id, year)
    row = next((p for p in spans if p.kind == kind and p.number == number), None)
    if row is None:
        raise AdminError(
            f"{year_label(year)} has no {kind} number {number}; periods are quarter 1-4 and half 1-2"
        )
    new = PeriodSpan(
        kind,
        number,
        check_name("period", name, 50) if name is not None else row.name,
        starts_on or row.starts_on,
        ends_on or row.ends_on,
    )
    return await set_periods(conn, actor, school_id, [new], year=year)


async def periods_of(conn: AsyncConnection, school_id: int, year: int) -> list[PeriodSpan]:
    p = s.periods.c
    rows = await conn.execute(
        sa.select(p.kind, p.number, p.name, p.starts_on, p.ends_on)
        .where(p.school_id == school_id, p.year == year)
        .order_by(p.kind.desc(), p.number)
    )
    return [PeriodSpan(r.kind, r.number, r.name, r.starts_on, r.ends_on) for r in rows]


async def set_periods(
    conn: AsyncConnection,
    actor: Actor,
    school_id: int,
    spans: Sequence[PeriodSpan],
    *,
    year: int | None = None,
) -> bool:
    """Give existing periods (matched by kind and number) new dates or names, all at once,
    so that periods can shift together; lessons follow from the earliest day moved."""
    from .year import check_periods

    year = await writable_year(conn, school_id, year)
    p = s.periods.c
    rows = {
        (r.kind, r.number): r
        for r in await conn.execute(
            sa.select(s.periods).where(p.school_id == school_id, p.year == year)
        )
    }
    for span in spans:
        if (span.kind, span.number) not in rows:
            raise AdminError(
                f"{year_label(year)} has no {span.kind} number {span.number}; "
                "periods are quarter 1-4 and half 1-2"
            )
    given = {(span.kind, span.number): span for span in spans}
    merged = [
        given.get(key, PeriodSpan(r.kind, r.number, r.name, r.starts_on, r.ends_on))
        for key, r in rows.items()
    ]
    check_periods(year, merged)
    moved_from: dt.date | None = None
    changed_any = False
    for key, span in given.items():
        row = rows[key]
        changed: dict[str, object] = {}
        if span.name != row.name:
            changed["name"] = check_name("period", span.name, 50)
        if span.starts_on != row.starts_on:
            changed["starts_on"] = span.starts_on
        if span.ends_on != row.ends_on:
            changed["ends_on"] = span.ends_on
        if not changed:
            continue
        if row.closed and ("starts_on" in changed or "ends_on" in changed):
            raise AdminError(f"{row.name} is closed (its marks are set); its dates cannot change")
        changed_any = True
        await conn.execute(s.periods.update().where(p.id == row.id).values(**changed))
        await record(
            conn,
            actor,
            "period.edit",
            school_id=school_id,
            target=f"{year_label(year)} {row.name}",
            detail={k: str(v) for k, v in changed.items()},
        )
        if "starts_on" in changed or "ends_on" in changed:
            earliest = min(span.starts_on, row.starts_on, span.ends_on, row.ends_on)
            moved_from = earliest if moved_from is None else min(moved_from, earliest)
    if moved_from is not None:
        await _regenerate(conn, school_id, year, start=moved_from)
    return changed_any
