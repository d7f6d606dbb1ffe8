"""The report card (subjects by periods) and a student's marks over time (for charts).

All arithmetic is the domain's: `weighted_average`, `proposed_mark` with the
school's threshold and scale, `count_absences`. The server only groups rows
by subject and period.

A report card is of one school year and of the class the student was in that
year (`enrollments`): its grade says quarters or halves, its lessons the
subjects, its teaching the teachers. So last year's card reads as it was after
the student moved up a class.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.attendance import count_absences
from ediary_tui.domain.marks import Scored, proposed_mark, round_average, weighted_average
from ediary_tui.domain.models import (
    AttendanceCode,
    Mark,
    MarksPage,
    Period,
    PersonRef,
    ReportCard,
    ReportSubject,
    SubjectPeriod,
)
from ediary_tui.domain.periods import period_containing, period_kind_for_grade, school_year_of

from .. import schema as s
from ..access import ClassInfo, StudentInfo, load_class, readable_student, student_in_year
from ..auth import Caller
from ..settings import ServerContext
from .common import load_marks
from .homework import checked_filter, lessons_between
from .week import periods_of, school_and_zone, visible_marks


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    """The school year starting in `year`: 1 September to 31 August."""
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


def _scored(m: Mark) -> Scored:
    return Scored(m.value, m.control_form.weight, m.control_form.category, m.is_dot)


async def _teachers(conn: AsyncConnection, class_id: int) -> dict[int, PersonRef]:
    """Who teaches each subject in the class (the first by id when several share it)."""
    t, u = s.teaching, s.users
    rows = await conn.execute(
        sa.select(t.c.subject_id, u.c.id, u.c.full_name)
        .join(u, u.c.id == t.c.teacher_id)
        .where(t.c.class_id == class_id)
        .order_by(t.c.subject_id, u.c.id)
    )
    teachers: dict[int, PersonRef] = {}
    for r in rows:
        teachers.setdefault(r.subject_id, PersonRef(id=str(r.id), full_name=r.full_name))
    return teachers


async def _subjects(
    conn: AsyncConnection, class_id: int, first: dt.date, last: dt.date
) -> list[tuple[int, str]]:
    le, sub = s.lessons, s.subjects
    rows = await conn.execute(
        sa.select(sub.c.id, sub.c.name)
        .where(
            sub.c.id.in_(
                sa.select(le.c.subject_id).where(
                    le.c.class_id == class_id, le.c.date.between(first, last)
                )
            )
        )
        .order_by(sub.c.name, sub.c.id)
    )
    return [(r.id, r.name) for r in rows]


async def _attendance(
    conn: AsyncConnection, student: StudentInfo, first: dt.date, last: dt.date
) -> list[tuple[int, dt.date, AttendanceCode]]:
    att, le = s.attendance, s.lessons
    rows = await conn.execute(
        sa.select(le.c.subject_id, le.c.date, att.c.code)
        .join(le, le.c.id == att.c.lesson_id)
        .where(att.c.student_id == student.id, le.c.date.between(first, last))
    )
    return [(r.subject_id, r.date, AttendanceCode(r.code)) for r in rows]


async def _years(conn: AsyncConnection, student: StudentInfo) -> dict[int, int]:
    """The school years the student has a class in, with that class: their enrollments, and
    the class they are in now (for a student added without an enrollment)."""
    e = s.enrollments
    found = {
        r.year: r.class_id
        for r in await conn.execute(
            sa.select(e.c.year, e.c.class_id).where(e.c.student_id == student.id)
        )
    }
    current = await load_class(conn, student.class_id)
    if current is not None:
        found.setdefault(current.year, current.id)
    return dict(sorted(found.items()))


def _period_of(periods: list[Period], d: dt.date) -> str | None:
    found = period_containing(periods, d)
    return found.id if found else None


async def report_card(
    ctx: ServerContext, caller: Caller, student_id: int, year: int | None
) -> ReportCard:
    """Subjects by periods for one school year (the year of the student's class by default),
    of the class the student was in that year; empty in a year they had no class."""
    async with ctx.engine.connect() as conn:
        student = await readable_student(conn, caller, student_id)
        settings, tz = await school_and_zone(conn, student.school_id)
        years = await _years(conn, student)
        if year is None:
            current = await load_class(conn, student.class_id)
            year = current.year if current is not None else school_year_of(ctx.today(tz.key))
        klass: ClassInfo | None = None
        if year in years:
            klass = await load_class(conn, years[year])
        if klass is None:
            return ReportCard(
                student_id=str(student.id), year=year, periods=[], subjects=[], years=list(years)
            )
        first, last = year_bounds(year)
        kind = period_kind_for_grade(klass.grade)
        periods = await periods_of(conn, student.school_id, kind, year=year)
        subjects = await _subjects(conn, klass.id, first, last)
        teachers = await _teachers(conn, klass.id)
        marks = await load_marks(
            conn, s.marks.c.student_id == student.id, s.lessons.c.date.between(first, last)
        )
        absences = await _attendance(conn, student, first, last)
        pm, ym = s.period_marks, s.year_marks
        period_marks = {
            (r.subject_id, str(r.period_id)): r.value
            for r in await conn.execute(
                sa.select(pm.c.subject_id, pm.c.period_id, pm.c.value).where(
                    pm.c.student_id == student.id,
                    pm.c.period_id.in_([int(p.id) for p in periods] or [0]),
                )
            )
        }
        year_marks = {
            r.subject_id: r.value
            for r in await conn.execute(
                sa.select(ym.c.subject_id, ym.c.value).where(
                    ym.c.student_id == student.id, ym.c.year == year
                )
            )
        }

    scored: dict[tuple[int, str], list[Scored]] = defaultdict(list)
    for m in marks:
        period_id = _period_of(periods, m.date)
        if period_id is not None:
            scored[(int(m.subject_id), period_id)].append(_scored(m))
    codes: dict[tuple[int, str], list[AttendanceCode]] = defaultdict(list)
    for subject_id, day, code in absences:
        period_id = _period_of(periods, day)
        if period_id is not None:
            codes[(subject_id, period_id)].append(code)

    rows = []
    for subject_id, name in subjects:
        cells = []
        for period in periods:
            key = (subject_id, period.id)
            own = scored.get(key, [])
            average = weighted_average(own)
            missed = count_absences(codes.get(key, []))
            cells.append(
                SubjectPeriod(
                    period_id=period.id,
                    average=round_average(average),
                    mark=period_marks.get(key),
                    proposed=proposed_mark(
                        average, settings.round_threshold, settings.scale_min, settings.scale_max
                    ),
                    absences=missed.absences,
                    ill=missed.ill,
                    marks_count=sum(1 for m in own if m.value is not None and not m.is_dot),
                )
            )
        rows.append(
            ReportSubject(
                id=str(subject_id),
                name=name,
                teacher=teachers.get(subject_id),
                periods=cells,
                year_mark=year_marks.get(subject_id),
            )
        )
    return ReportCard(
        student_id=str(student.id), year=year, periods=periods, subjects=rows, years=list(years)
    )


async def student_marks(
    ctx: ServerContext,
    caller: Caller,
    student_id: int,
    date_from: dt.date | None,
    date_to: dt.date | None,
    subject_id: str | None,
) -> MarksPage:
    """A student's marks in date order, by default over the current school year."""
    subject = checked_filter(date_from, date_to, subject_id)
    async with ctx.engine.connect() as conn:
        student = await readable_student(conn, caller, student_id)
        _settings, tz = await school_and_zone(conn, student.school_id)
        today = ctx.today(tz.key)
        year_first, year_last = year_bounds(school_year_of(date_from or date_to or today))
        date_from = date_from or year_first
        date_to = date_to or year_last
        where = lessons_between(date_from, date_to, subject)
        found = await load_marks(conn, s.marks.c.student_id == student.id, *where)
        then = await student_in_year(conn, student, school_year_of(date_from))
        kind = period_kind_for_grade(then.grade)  # of that year's class: its dots' periods
        return MarksPage(marks=await visible_marks(conn, found, student.school_id, kind, today))
