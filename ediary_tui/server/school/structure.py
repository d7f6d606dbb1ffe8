"""The school's structure: its settings, subjects, rooms, who teaches what, control forms;
and, re-exported here as one place to import from, its classes (classes.py), its
bells, periods and holidays (calendar.py) and the checks they share (checks.py).

Every function takes the caller's open connection (so a setup file or an import
composes them into one transaction), checks what it is given before writing,
writes an audit line only when something changed (applying the same thing twice
leaves no trace), and raises `AdminError` with a sentence that says what to fix.
Something that other rows refer to is never removed: the error names what still
uses it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import schema as s
from .audit import Actor, record
from .calendar import (
    add_holiday,
    bells_of,
    periods_of,
    remove_holiday,
    set_bells,
    set_period,
    set_periods,
)
from .checks import (
    Bell,
    check_bells,
    check_days,
    check_form,
    check_holiday,
    check_mark_on_absent,
    check_name,
    check_scale,
    check_timezone,
    parse_class_name,
)
from .classes import add_class, class_by_name, edit_class, remove_class, set_class_teacher
from .errors import AdminError
from .lookup import (
    class_row,
    in_use,
    refuse_if_used,
    school_of,
    school_today,
    school_zone,
    teacher_login,
    user_by_login,
    writable_year,
)


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
    students_may_write: bool | None = None,
    mark_on_absent: str | None = None,
) -> None:
    """Change the school's settings; what is not given stays."""
    row = (await conn.execute(sa.select(s.schools).where(s.schools.c.id == school_id))).one()
    low = scale_min if scale_min is not None else row.scale_min
    high = scale_max if scale_max is not None else row.scale_max
    threshold = float(round_threshold) if round_threshold is not None else row.round_threshold
    check_scale(low, high, threshold)
    wanted: dict[str, object] = {"scale_min": low, "scale_max": high, "round_threshold": threshold}
    if name is not None:
        wanted["name"] = check_name("school", name, 200)
    if short_name is not None:
        wanted["short_name"] = check_name("school's short", short_name, 100)
    if timezone is not None:
        wanted["timezone"] = check_timezone(timezone.strip())
    if days_per_week is not None:
        wanted["days_per_week"] = check_days(days_per_week)
    if students_may_write is not None:  # students may start conversations with teachers
        wanted["students_may_write"] = bool(students_may_write)
    if mark_on_absent is not None:  # a mark for a student marked absent: ask, refuse, allow
        wanted["mark_on_absent"] = check_mark_on_absent(mark_on_absent)
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
    used = await in_use(
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
    refuse_if_used(f"the subject {name!r}", used)
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
    used = await in_use(
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
    refuse_if_used(f"the room {name!r}", used)
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
    used = await in_use(
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
    refuse_if_used("the teaching assignment", used)
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
    new_name = name.strip() if name is not None else row.name
    new_weight = weight if weight is not None else row.weight
    new_category = category if category is not None else row.category
    check_form(code, new_name, new_weight, new_category)
    new = {"name": new_name, "weight": new_weight, "category": new_category}
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
    used = await in_use(
        conn,
        [
            ("lessons", sa.select(s.lessons.c.id).where(s.lessons.c.control_form_id == form_id)),
            ("marks", sa.select(s.marks.c.id).where(s.marks.c.control_form_id == form_id)),
        ],
    )
    refuse_if_used(f"the control form {code!r}", used)
    await conn.execute(s.control_forms.delete().where(cf.id == form_id))
    await record(conn, actor, "form.remove", school_id=school_id, target=code)


__all__ = [
    "Bell",
    "add_class",
    "add_form",
    "add_holiday",
    "add_room",
    "add_subject",
    "assign_teaching",
    "bells_of",
    "check_bells",
    "check_days",
    "check_form",
    "check_holiday",
    "check_mark_on_absent",
    "check_name",
    "check_scale",
    "check_timezone",
    "class_by_name",
    "class_row",
    "create_school",
    "edit_class",
    "parse_class_name",
    "periods_of",
    "remove_class",
    "remove_form",
    "remove_holiday",
    "remove_room",
    "remove_subject",
    "rename_subject",
    "room_names",
    "school_of",
    "school_today",
    "school_zone",
    "set_bells",
    "set_class_teacher",
    "set_form",
    "set_period",
    "set_periods",
    "set_room_capacity",
    "subject_by_name",
    "teacher_login",
    "unassign_teaching",
    "update_school",
    "user_by_login",
    "writable_year",
]
