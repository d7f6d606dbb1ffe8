"""A teacher's week as the timetable screen shows it: their lessons day by day, with the
day's changes (replacements, cancellations, moves, added lessons), the lessons of theirs
a stand-in gives, the period whose journal holds each lesson, and the bell schedule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from ediary_tui.domain.models import (
    Bell,
    ChangeKind,
    LessonChange,
    PersonRef,
    SubjectRef,
    TeacherDayPlan,
    TeacherLesson,
    TeacherWeek,
)
from ediary_tui.domain.periods import period_kind_for_grade, week_start

from .. import schema as s
from ..auth import Caller
from ..errors import NotAllowed
from ..settings import ServerContext
from .common import check_date, lesson_span, school_timezone

_GIVER = s.users.alias("timetable_teacher")
_USUAL = s.users.alias("timetable_usual")
DAYS = 6  # Monday to Saturday: a teacher may teach a six-day class


async def teacher_week(ctx: ServerContext, caller: Caller, start: dt.date | None) -> TeacherWeek:
    """The week of `start` (this week by default): what the caller gives, and what of theirs
    a stand-in gives instead."""
    check_date(start, "start")
    if not caller.is_staff:
        raise NotAllowed("only teachers have a timetable of their own", code="not_staff")
    le, c, sub, b = s.lessons, s.classes, s.subjects, s.bells
    async with ctx.engine.connect() as conn:
        school_id = caller.school_id
        tz = await school_timezone(conn, school_id) if school_id else None
        today = ctx.today(tz.key) if tz else ctx.today()
        monday = week_start(start or today)
        days = [monday + dt.timedelta(days=i) for i in range(DAYS)]
        mine = le.c.teacher_id == caller.id
        stood_in = sa.and_(le.c.usual_teacher_id == caller.id, le.c.teacher_id != caller.id)
        rows = (
            await conn.execute(
                sa.select(
                    *le.c["id", "class_id", "date", "number", "room", "topic", "subject_id"],
                    *le.c["teacher_id", "change", "change_note", "usual_teacher_id"],
                    *le.c["moved_from_date", "moved_from_number"],
                    c.c.name.label("class_name"),
                    *c.c["grade", "school_id"],
                    sub.c.name.label("subject_name"),
                    _GIVER.c.full_name.label("teacher_name"),
                    _USUAL.c.full_name.label("usual_teacher_name"),
                )
                .select_from(
                    le.join(c, c.c.id == le.c.class_id)
                    .join(sub, sub.c.id == le.c.subject_id)
                    .join(_GIVER, _GIVER.c.id == le.c.teacher_id)
                    .outerjoin(_USUAL, _USUAL.c.id == le.c.usual_teacher_id)
                )
                .where(sa.or_(mine, stood_in), le.c.date.between(days[0], days[-1]))
                .order_by(le.c.date, le.c.number, le.c.id)
            )
        ).all()
        school_id = rows[0].school_id if rows else school_id
        bell_rows = (
            await conn.execute(sa.select(b).where(b.c.school_id == school_id).order_by(b.c.number))
        ).all()
        p = s.periods
        periods = (
            await conn.execute(
                sa.select(p).where(
                    p.c.school_id == school_id, p.c.starts_on <= days[-1], p.c.ends_on >= days[0]
                )
            )
        ).all()
        if rows and tz is None:
            tz = await school_timezone(conn, rows[0].school_id)
    bell = {
        r.number: (dt.time.fromisoformat(r.starts_at), dt.time.fromisoformat(r.ends_at))
        for r in bell_rows
    }
    by_day: dict[dt.date, list[TeacherLesson]] = {d: [] for d in days}
    for r in rows:
        assert tz is not None  # read above whenever there are lessons
        starts_at, ends_at = lesson_span(r.date, r.number, bell, tz)
        by_day[r.date].append(
            TeacherLesson(
                id=str(r.id),
                class_id=str(r.class_id),
                class_name=r.class_name,
                subject=SubjectRef(id=str(r.subject_id), name=r.subject_name),
                teacher=PersonRef(id=str(r.teacher_id), full_name=r.teacher_name),
                number=r.number,
                starts_at=starts_at,
                ends_at=ends_at,
                room=r.room,
                topic=r.topic,
                period_id=_period_of(periods, r),
                change=_change(r),
                mine=r.teacher_id == caller.id,
            )
        )
    return TeacherWeek(
        start=days[0],
        end=days[-1],
        today=today,
        days=[TeacherDayPlan(date=d, lessons=by_day[d]) for d in days],
        bells=[
            Bell(
                number=r.number,
                starts_at=r.starts_at,
                ends_at=r.ends_at,
                break_name=r.break_name,
            )
            for r in bell_rows
        ],
    )


def _period_of(periods: list[Any], lesson: Any) -> str | None:
    kind = period_kind_for_grade(lesson.grade)
    for p in periods:
        if p.kind == kind and p.starts_on <= lesson.date <= p.ends_on:
            return str(p.id)
    return None


def _change(r: Any) -> LessonChange | None:
    if r.change is None:
        return None
    usual = None
    if r.usual_teacher_id is not None:
        usual = PersonRef(id=str(r.usual_teacher_id), full_name=r.usual_teacher_name)
    return LessonChange(
        kind=ChangeKind(r.change),
        note=r.change_note,
        usual_teacher=usual,
        moved_from_date=r.moved_from_date,
        moved_from_number=r.moved_from_number,
    )
