"""The journal of one class in one subject for one period: the teacher's main screen.

A class of 35 with 60-odd lessons is the usual size, so the answer is built
from a fixed handful of queries whatever the size (rights, subject, school,
periods, students, lessons, homework, marks, attendance, period marks) and
grouped in memory. Averages and proposals are the domain's arithmetic, with
the school's scale and threshold.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.attendance import counts_as_absence
from ediary_tui.domain.marks import Scored, proposed_mark, round_average, weighted_average
from ediary_tui.domain.models import (
    AttendanceCode,
    Homework,
    Journal,
    JournalCell,
    JournalLesson,
    JournalStudent,
    Mark,
    Period,
    PersonRef,
    SubjectRef,
)
from ediary_tui.domain.periods import nearest_period, period_kind_for_grade, school_year_of

from .. import schema as s
from ..access import ClassInfo, class_members, journal_rights
from ..auth import Caller
from ..errors import Invalid, NotFound
from ..ids import parse_body_id
from ..settings import ServerContext
from .common import CONTROL_FORM_COLUMNS, control_form, from_columns, load_marks
from .lessons import lesson_homework
from .marks import mark_on_absent
from .week import periods_of, school_and_zone, without_vanished_dots


async def _subject(conn: AsyncConnection, klass: ClassInfo, subject_id: int) -> SubjectRef:
    """The subject, if the school has it and it is taught in the class (404 otherwise)."""
    sub, t = s.subjects, s.teaching
    taught = sa.exists().where(t.c.class_id == klass.id, t.c.subject_id == sub.c.id)
    row = (
        await conn.execute(
            sa.select(sub.c.name, taught.label("taught")).where(
                sub.c.id == subject_id, sub.c.school_id == klass.school_id
            )
        )
    ).first()
    if row is None or not row.taught:
        raise NotFound(f"no such subject in {klass.name}", code="subject_not_found")
    return SubjectRef(id=str(subject_id), name=row.name)


def _choose_period(periods: list[Period], period_id: int | None, today: dt.date) -> Period:
    """The period asked for, or the one containing today, else the nearest."""
    if period_id is not None:
        found = next((p for p in periods if p.id == str(period_id)), None)
        if found is None:
            raise Invalid(
                "no such period for this class (quarters for grades 1-9, half-years for 10-11)",
                code="period_not_found",
                field="period_id",
            )
        return found
    this_year = [p for p in periods if school_year_of(p.starts_on) == school_year_of(today)]
    chosen = nearest_period(this_year or periods, today)
    if chosen is None:
        raise NotFound("the school has no periods set up yet", code="no_periods")
    return chosen


async def _students(conn: AsyncConnection, members: sa.ColumnElement[bool]) -> list[Any]:
    st, u = s.students, s.users
    return list(
        (
            await conn.execute(
                sa.select(u.c.id, u.c.full_name)
                .join(st, st.c.user_id == u.c.id)
                .where(members)
                .order_by(u.c.full_name, u.c.id)
            )
        ).all()
    )


async def _lessons(conn: AsyncConnection, *where: sa.ColumnElement[bool]) -> list[Any]:
    le, cf = s.lessons, s.control_forms
    return list(
        (
            await conn.execute(
                sa.select(
                    *le.c["id", "date", "number", "topic", "updated_at"], *CONTROL_FORM_COLUMNS
                )
                .join(cf, cf.c.id == le.c.control_form_id)
                .where(*where)
                .order_by(le.c.date, le.c.number, le.c.id)
            )
        ).all()
    )


async def _attendance(conn: AsyncConnection, *where: sa.ColumnElement[bool]) -> list[Any]:
    att, le = s.attendance, s.lessons
    return list(
        (
            await conn.execute(
                sa.select(att.c.lesson_id, att.c.student_id, att.c.code)
                .join(le, le.c.id == att.c.lesson_id)
                .where(*where)
            )
        ).all()
    )


async def _period_marks(
    conn: AsyncConnection, members: sa.ColumnElement[bool], subject_id: int, period_id: int
) -> dict[int, Any]:
    """Each student's period mark with its version (set_at) and who set it."""
    pm, st, u = s.period_marks, s.students, s.users
    rows = await conn.execute(
        sa.select(pm.c.student_id, pm.c.value, pm.c.set_at, pm.c.set_by, u.c.full_name)
        .join(st, st.c.user_id == pm.c.student_id)
        .join(u, u.c.id == pm.c.set_by)
        .where(members, pm.c.subject_id == subject_id, pm.c.period_id == period_id)
    )
    return {r.student_id: r for r in rows}


def _period_mark(row: Any | None) -> dict[str, Any]:
    """A student's period mark fields of the journal: value, version and who set it."""
    if row is None:
        return {}
    by = PersonRef(id=str(row.set_by), full_name=row.full_name)
    return {"period_mark": row.value, "period_mark_set_at": row.set_at, "period_mark_set_by": by}


async def _year_marks(
    conn: AsyncConnection, members: sa.ColumnElement[bool], subject_id: int, year: int
) -> dict[int, int]:
    ym, st = s.year_marks, s.students
    rows = await conn.execute(
        sa.select(ym.c.student_id, ym.c.value)
        .join(st, st.c.user_id == ym.c.student_id)
        .where(members, ym.c.subject_id == subject_id, ym.c.year == year)
    )
    return {r.student_id: r.value for r in rows}


def _scored(m: Mark) -> Scored:
    return Scored(m.value, m.control_form.weight, m.control_form.category, m.is_dot)


async def journal(
    ctx: ServerContext, caller: Caller, class_id: str, subject_id: str, period_id: str | None
) -> Journal:
    """Students, lessons and the marks and attendance between them, with averages."""
    cid = parse_body_id(class_id, "class_id")
    sub_id = parse_body_id(subject_id, "subject_id")
    pid = None if period_id in (None, "") else parse_body_id(period_id, "period_id")
    le = s.lessons
    async with ctx.engine.connect() as conn:
        rights = await journal_rights(conn, caller, cid, sub_id)
        klass = rights.klass
        subject = await _subject(conn, klass, sub_id)
        settings, tz = await school_and_zone(conn, klass.school_id)
        settings.mark_on_absent = await mark_on_absent(conn, klass.school_id)
        today = ctx.today(tz.key)
        all_periods = await periods_of(
            conn, klass.school_id, period_kind_for_grade(klass.grade), year=klass.year
        )
        period = _choose_period(all_periods, pid, today)
        in_period = (
            le.c.class_id == klass.id,
            le.c.subject_id == sub_id,
            le.c.date.between(period.starts_on, period.ends_on),
        )
        members = await class_members(conn, klass)
        students = await _students(conn, members)
        lesson_rows = await _lessons(conn, *in_period)
        homework: dict[str, list[Homework]] = defaultdict(list)
        marks: list[Mark] = []
        attendance: list[Any] = []
        if lesson_rows:
            for hw in await lesson_homework(conn, *in_period):
                homework[hw.lesson_id].append(hw)
            marks = await load_marks(conn, *in_period)
            attendance = await _attendance(conn, *in_period)
        period_marks = await _period_marks(conn, members, sub_id, int(period.id))
        year_marks = await _year_marks(conn, members, sub_id, klass.year)

    marks = without_vanished_dots(marks, [period], today)
    enrolled = {r.id for r in students}
    cells: dict[tuple[str, str], JournalCell] = {}
    scored: dict[str, list[Scored]] = defaultdict(list)
    for m in marks:
        if int(m.student_id) not in enrolled:
            continue  # left the class: their marks go with them
        key = (m.student_id, m.lesson_id)
        cell = cells.setdefault(key, JournalCell(student_id=m.student_id, lesson_id=m.lesson_id))
        cell.marks.append(m)
        scored[m.student_id].append(_scored(m))
    held = {str(r.id) for r in lesson_rows if r.date <= today}
    absences: dict[int, int] = defaultdict(int)  # lessons missed so far, per student
    for r in attendance:
        if r.student_id not in enrolled:
            continue
        if str(r.lesson_id) in held and counts_as_absence(AttendanceCode(r.code)):
            absences[r.student_id] += 1
        key = (str(r.student_id), str(r.lesson_id))
        cell = cells.setdefault(key, JournalCell(student_id=key[0], lesson_id=key[1]))
        cell.attendance = AttendanceCode(r.code)

    student_order = {str(r.id): i for i, r in enumerate(students)}
    lesson_order = {str(r.id): i for i, r in enumerate(lesson_rows)}
    journal_students = []
    for r in students:
        average = weighted_average(scored.get(str(r.id), []))
        journal_students.append(
            JournalStudent(
                id=str(r.id),
                full_name=r.full_name,
                average=round_average(average),
                proposed=proposed_mark(
                    average, settings.round_threshold, settings.scale_min, settings.scale_max
                ),
                **_period_mark(period_marks.get(r.id)),
                absences=absences.get(r.id, 0),
                lessons_held=len(held),
                year_mark=year_marks.get(r.id),
            )
        )
    return Journal(
        class_id=str(klass.id),
        class_name=klass.name,
        subject=subject,
        period=period,
        periods=[
            p
            for p in all_periods
            if school_year_of(p.starts_on) == school_year_of(period.starts_on)
        ],
        can_write=rights.can_write,
        students=journal_students,
        lessons=[
            from_columns(
                JournalLesson,
                r._mapping,
                control_form=control_form(r),
                homework=homework.get(str(r.id), []),
            )
            for r in lesson_rows
        ],
        cells=sorted(
            cells.values(),
            key=lambda c: (student_order[c.student_id], lesson_order.get(c.lesson_id, 0)),
        ),
        settings=settings,
    )
