"""The progress chart: a student's marks over time, the running average, the class average.

The class average of a subject is the mean of the weighted averages of the
class's students who have marks in it over the same range: each child counts
once, however many marks they have, which is what "compared with the class"
means to a family (the weighted average over all the class's marks would let
a child with many marks pull it). Only that one number leaves the server, and
only when at least `MIN_CLASS_STUDENTS` children have marks, so that nobody
can work out a classmate's average from their own and the class's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from statistics import fmean

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.marks import Scored, round_average, weighted_average
from ediary_tui.domain.models import (
    Mark,
    Period,
    Progress,
    ProgressPoint,
    ProgressSubject,
    SubjectRef,
)
from ediary_tui.domain.periods import nearest_period, period_kind_for_grade, school_year_of

from .. import schema as s
from ..access import StudentInfo, readable_student, student_in_year
from ..auth import Caller
from ..errors import Invalid
from ..ids import parse_body_id
from ..settings import ServerContext
from .common import load_marks
from .report_card import year_bounds
from .week import period_of, periods_of, school_and_zone

# Fewer children with marks than this and the class average would give one of them away.
MIN_CLASS_STUDENTS = 3


def _scored(m: Mark) -> Scored:
    return Scored(m.value, m.control_form.weight, m.control_form.category, m.is_dot)


async def _period(conn: AsyncConnection, student: StudentInfo, period_id: int) -> Period:
    p = s.periods
    row = (
        await conn.execute(
            sa.select(p).where(p.c.id == period_id, p.c.school_id == student.school_id)
        )
    ).first()
    if row is None:
        raise Invalid(
            "no such period in the student's school", code="period_not_found", field="period_id"
        )
    return period_of(row)


async def _range(
    conn: AsyncConnection,
    student: StudentInfo,
    today: dt.date,
    period_id: int | None,
    year: int | None,
) -> tuple[Period | None, dt.date, dt.date, int]:
    """(period, first day, last day, school year) the chart covers; the current period by default."""
    if period_id is not None:
        period = await _period(conn, student, period_id)
        return period, period.starts_on, period.ends_on, school_year_of(period.starts_on)
    if year is None:
        current = school_year_of(today)
        kind = period_kind_for_grade(student.grade)
        period = nearest_period(
            await periods_of(conn, student.school_id, kind, year=current), today
        )
        if period is not None:
            return period, period.starts_on, period.ends_on, current
        year = current
    first, last = year_bounds(year)
    return None, first, last, year


async def _subjects(
    conn: AsyncConnection, class_id: int, first: dt.date, last: dt.date, own: set[int]
) -> list[SubjectRef]:
    """The class's subjects in the range, and any the student has marks in elsewhere."""
    le, sub = s.lessons, s.subjects
    taught = sa.select(le.c.subject_id).where(
        le.c.class_id == class_id, le.c.date.between(first, last)
    )
    rows = await conn.execute(
        sa.select(sub.c.id, sub.c.name)
        .where(sa.or_(sub.c.id.in_(taught), sub.c.id.in_(own or {0})))
        .order_by(sub.c.name, sub.c.id)
    )
    return [SubjectRef(id=str(r.id), name=r.name) for r in rows]


def _points(marks: list[Mark]) -> list[ProgressPoint]:
    """Marks with a value, in date order, each with the weighted average up to it."""
    valued = [m for m in marks if m.value is not None and not m.is_dot]
    points = []
    for n, m in enumerate(valued, start=1):
        assert m.value is not None
        points.append(
            ProgressPoint(
                mark_id=m.id,
                date=m.date,
                value=m.value,
                weight=m.control_form.weight,
                control_form=m.control_form.code,
                average=round_average(weighted_average(_scored(x) for x in valued[:n])),
            )
        )
    return points


def class_averages(marks: list[Mark]) -> dict[str, float]:
    """Per subject: the mean of the students' weighted averages, where enough students have one."""
    by_student: dict[tuple[str, str], list[Scored]] = defaultdict(list)
    for m in marks:
        by_student[(m.subject_id, m.student_id)].append(_scored(m))
    per_subject: dict[str, list[float]] = defaultdict(list)
    for (subject_id, _student), scored in by_student.items():
        average = weighted_average(scored)
        if average is not None:
            per_subject[subject_id].append(average)
    return {
        subject_id: fmean(averages)
        for subject_id, averages in per_subject.items()
        if len(averages) >= MIN_CLASS_STUDENTS
    }


async def progress(
    ctx: ServerContext,
    caller: Caller,
    student_id: int,
    period_id: str | None,
    year: int | None,
) -> Progress:
    """Per subject: the student's marks over a period (or a year) and the class average."""
    if period_id is not None and year is not None:
        raise Invalid("give period_id or year, not both", code="period_and_year", field="year")
    period_number = None if period_id is None else parse_body_id(period_id, "period_id")
    m, le, st = s.marks, s.lessons, s.students
    async with ctx.engine.connect() as conn:
        student = await readable_student(conn, caller, student_id)
        settings, tz = await school_and_zone(conn, student.school_id)
        period, first, last, school_year = await _range(
            conn, student, ctx.today(tz.key), period_number, year
        )
        in_range = le.c.date.between(first, last)
        own = await load_marks(conn, m.c.student_id == student.id, in_range)
        classmates = sa.select(st.c.user_id).where(st.c.class_id == student.class_id)
        then = await student_in_year(conn, student, school_year)
        if then is not student:  # a year of another class: its students of that year
            e = s.enrollments
            classmates = sa.select(e.c.student_id).where(
                e.c.class_id == then.class_id, e.c.year == school_year
            )
            student = then
        in_class = await load_marks(
            conn, le.c.class_id == student.class_id, m.c.student_id.in_(classmates), in_range
        )
        subjects = await _subjects(
            conn, student.class_id, first, last, {int(x.subject_id) for x in own}
        )
    mine: dict[str, list[Mark]] = defaultdict(list)
    for mark in own:
        mine[mark.subject_id].append(mark)
    class_average = class_averages(in_class)
    return Progress(
        student_id=str(student.id),
        starts_on=first,
        ends_on=last,
        period=period,
        year=school_year,
        scale_min=settings.scale_min,
        scale_max=settings.scale_max,
        subjects=[
            ProgressSubject(
                subject=subject,
                points=_points(mine.get(subject.id, [])),
                average=round_average(
                    weighted_average(_scored(x) for x in mine.get(subject.id, []))
                ),
                class_average=round_average(class_average.get(subject.id)),
            )
            for subject in subjects
        ],
    )
