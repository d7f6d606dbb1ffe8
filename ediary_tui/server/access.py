"""Who may see and write what: DOMAIN.md's role table, in one place.

A child's data is answered with 404 to anyone who may not see it, so ids
cannot be probed. Journal rights are answered with 403 and a reason, since
a teacher needs to know why a class is closed to them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import Role
from ediary_tui.domain.periods import school_year_of

from . import schema as s
from .auth import Caller
from .errors import NotAllowed, NotFound
from .school.years import is_archived, year_label


@dataclass(frozen=True)
class StudentInfo:
    id: int
    full_name: str
    class_id: int
    class_name: str
    grade: int
    days_per_week: int
    school_id: int
    year: int  # the school year of the class


@dataclass(frozen=True)
class ClassInfo:
    id: int
    name: str
    grade: int
    school_id: int
    class_teacher_id: int | None
    days_per_week: int
    year: int


async def load_student(conn: AsyncConnection, student_id: int) -> StudentInfo | None:
    u, st, c = s.users, s.students, s.classes
    row = (
        await conn.execute(
            sa.select(
                u.c.id,
                u.c.full_name,
                c.c.id.label("class_id"),
                c.c.name.label("class_name"),
                c.c.grade,
                c.c.days_per_week,
                c.c.school_id,
                c.c.year,
            )
            .select_from(st.join(u, u.c.id == st.c.user_id).join(c, c.c.id == st.c.class_id))
            .where(st.c.user_id == student_id)
        )
    ).first()
    return StudentInfo(**row._mapping) if row else None


async def student_in_year(conn: AsyncConnection, student: StudentInfo, year: int) -> StudentInfo:
    """The student with the class they were in in a school year (their enrollment), so a
    week of last year shows last year's class after they moved up; as they are otherwise."""
    if student.year == year:
        return student
    e, c = s.enrollments, s.classes
    row = (
        await conn.execute(
            sa.select(
                c.c.id.label("class_id"),
                c.c.name.label("class_name"),
                *c.c["grade", "days_per_week", "year"],
            )
            .join(e, e.c.class_id == c.c.id)
            .where(e.c.student_id == student.id, e.c.year == year)
        )
    ).first()
    return replace(student, **row._mapping) if row else student


async def load_class(conn: AsyncConnection, class_id: int) -> ClassInfo | None:
    c = s.classes
    row = (
        await conn.execute(
            sa.select(
                *c.c[
                    "id", "name", "grade", "school_id", "class_teacher_id", "days_per_week", "year"
                ]
            ).where(c.c.id == class_id)
        )
    ).first()
    return ClassInfo(**row._mapping) if row else None


async def can_read_student(conn: AsyncConnection, caller: Caller, student: StudentInfo) -> bool:
    if caller.id == student.id:
        return True
    if Role.PARENT in caller.roles and student.id in await caller.children(conn):
        return True
    if caller.has(Role.ADMIN) and caller.school_id == student.school_id:
        return True
    return caller.has(
        Role.TEACHER, Role.CLASS_TEACHER
    ) and student.class_id in await caller.staff_classes(conn)


async def readable_student(conn: AsyncConnection, caller: Caller, student_id: int) -> StudentInfo:
    """The student, if the caller may read their diary; 404 otherwise (also for non-students)."""
    student = await load_student(conn, student_id)
    if student is None or not await can_read_student(conn, caller, student):
        raise NotFound("no such student", code="student_not_found")
    return student


async def parent_of(conn: AsyncConnection, caller: Caller, student: StudentInfo) -> None:
    """Writes only a parent makes (signature, absence notice): 403 for others who may read."""
    if Role.PARENT not in caller.roles or student.id not in await caller.children(conn):
        raise NotAllowed(
            "only the student's parent or legal representative may do this", code="not_parent"
        )


# --- an archived school year: read, never written again ---------------------------------


async def check_year_open(conn: AsyncConnection, school_id: int, year: int) -> None:
    """Nothing of an archived school year changes any more (403 `year_archived`): the one
    check every journal and diary write of that year goes through, so a rolled-over year
    stays as it was closed."""
    if await is_archived(conn, school_id, year):
        raise NotAllowed(
            f"the school year {year_label(year)} is archived and can only be read",
            code="year_archived",
        )


async def check_day_open(conn: AsyncConnection, school_id: int, day: dt.date) -> None:
    """`check_year_open` for the school year a date falls in (a notice, a week, a tick)."""
    await check_year_open(conn, school_id, school_year_of(day))


@dataclass(frozen=True)
class JournalRights:
    klass: ClassInfo
    can_write: bool


async def journal_rights(
    conn: AsyncConnection,
    caller: Caller,
    class_id: int,
    subject_id: int | None,
    *,
    write: bool = False,
) -> JournalRights:
    """May the caller read (or write) the journal of this class and subject?

    Write: a teacher who teaches that subject in that class, while the class's
    school year is not archived (403 `year_archived` afterwards). Read: also the
    class teacher (all subjects of their class) and the school's admin.
    """
    klass = await load_class(conn, class_id)
    if klass is None:
        raise NotFound("no such class", code="class_not_found")
    teaches = subject_id is not None and (class_id, subject_id) in await caller.teaching(conn)
    if write:
        if not teaches:
            raise NotAllowed(
                f"you do not teach this subject in {klass.name}", code="not_your_subject"
            )
        await check_year_open(conn, klass.school_id, klass.year)
        return JournalRights(klass, True)
    if teaches:
        return JournalRights(klass, not await is_archived(conn, klass.school_id, klass.year))
    if class_id in await caller.class_teacher_of(conn):
        return JournalRights(klass, False)
    if caller.has(Role.ADMIN) and caller.school_id == klass.school_id:
        return JournalRights(klass, False)
    if caller.is_staff:
        raise NotAllowed(f"you do not teach this subject in {klass.name}", code="not_your_subject")
    raise NotAllowed("the journal is for the school's teachers", code="not_staff")


# --- classes: whose journal a member of staff opens, and who hands out credentials ------------


def require_staff(caller: Caller, message: str) -> None:
    """Classes, their families and their credentials are the school's staff's business."""
    if not caller.is_staff:
        raise NotAllowed(message, code="not_staff")


def journal_classes(caller: Caller) -> sa.ColumnElement[bool]:
    """A condition on `classes`: those whose journal the caller may open.

    The classes they teach, the classes they lead, and every class of the
    school they administer; the same reach as `journal_rights` reads.
    """
    c, t = s.classes, s.teaching
    reach: list[sa.ColumnElement[bool]] = []
    if caller.has(Role.TEACHER, Role.CLASS_TEACHER):
        reach.append(c.c.id.in_(sa.select(t.c.class_id).where(t.c.teacher_id == caller.id)))
    if caller.has(Role.CLASS_TEACHER):
        reach.append(c.c.class_teacher_id == caller.id)
    if caller.has(Role.ADMIN) and caller.school_id is not None:
        reach.append(c.c.school_id == caller.school_id)
    return sa.or_(*reach) if reach else sa.false()


def not_archived() -> sa.ColumnElement[bool]:
    """A condition on `classes`: of a school year still open, so the staff's lists show this
    year's classes and not last year's, which stay (archived, read-only) with their journals."""
    c, y = s.classes, s.school_years
    return ~sa.exists().where(
        y.c.school_id == c.c.school_id, y.c.year == c.c.year, y.c.archived_at.is_not(None)
    )


async def class_members(conn: AsyncConnection, klass: ClassInfo) -> sa.ColumnElement[bool]:
    """A condition on `students`: the class's students in its school year. This year's class
    has those whose class it is now; an archived one those enrolled in it that year (they
    have moved up since, or left)."""
    st, e = s.students, s.enrollments
    if not await is_archived(conn, klass.school_id, klass.year):
        return st.c.class_id == klass.id
    return st.c.user_id.in_(
        sa.select(e.c.student_id).where(e.c.class_id == klass.id, e.c.year == klass.year)
    )


def teaches_among(caller: Caller, teacher_ids: set[int]) -> bool:
    """Whether the caller is one of a subject's teachers, so may write its journal."""
    return caller.has(Role.TEACHER, Role.CLASS_TEACHER) and caller.id in teacher_ids


def leads(caller: Caller, class_teacher_id: int | None) -> bool:
    return caller.has(Role.CLASS_TEACHER) and class_teacher_id == caller.id


def opens_every_subject(caller: Caller, class_teacher_id: int | None, school_id: int) -> bool:
    """The class teacher reads all of their class, the admin all of their school."""
    return leads(caller, class_teacher_id) or (
        caller.has(Role.ADMIN) and caller.school_id == school_id
    )


@dataclass(frozen=True)
class ClassRights:
    klass: ClassInfo
    can_issue: bool


async def class_rights(
    conn: AsyncConnection, caller: Caller, class_id: int, *, issue: bool = False
) -> ClassRights:
    """May the caller read the class's families (or issue their first-login credentials)?

    Read: the class's teachers, its class teacher and the admin of its school.
    Issue: the class teacher and the admin only. A class of another school is
    404 as if it did not exist, so ids cannot be probed across schools; within
    the school a teacher is told why (403).
    """
    require_staff(caller, "a class's families are for the school's teachers")
    klass = await load_class(conn, class_id)
    if klass is None:
        raise NotFound("no such class", code="class_not_found")
    can_issue = opens_every_subject(caller, klass.class_teacher_id, klass.school_id)
    if can_issue:
        return ClassRights(klass, True)
    teaches = class_id in {c for c, _ in await caller.teaching(conn)}
    if teaches and not issue:
        return ClassRights(klass, False)
    if not teaches and klass.school_id != caller.school_id:
        raise NotFound("no such class", code="class_not_found")
    if teaches:
        raise NotAllowed(
            f"only the class teacher of {klass.name} or the school's admin issues its "
            "families' credentials",
            code="not_class_teacher",
        )
    raise NotAllowed(f"you do not teach or lead {klass.name}", code="not_your_class")
