"""The weekly diary: one student's week in one answer, and a parent's signature on it.

The week is the hottest read of the server (every diary screen opens on it), so
it is answered with a fixed handful of queries whatever the number of lessons:
the school with its control forms, the lessons with their bells and this
student's attendance, the homework, the marks, the week's note, and (only when
the week holds an open dot) the periods.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.marks import dot_vanishes
from ediary_tui.domain.models import (
    AttendanceCode,
    ChangeKind,
    Day,
    Homework,
    LessonChange,
    Mark,
    Period,
    PersonRef,
    SchoolSettings,
    Signature,
    SubjectRef,
    Week,
    WeekLesson,
)
from ediary_tui.domain.periods import (
    period_containing,
    period_kind_for_grade,
    school_year_of,
    week_days,
    week_start,
)

from .. import schema as s
from ..access import (
    StudentInfo,
    check_day_open,
    parent_of,
    readable_student,
    student_in_year,
)
from ..auth import Caller
from ..changes import record_about
from ..errors import Invalid
from ..settings import ServerContext
from ..upsert import upsert
from .common import (
    CONTROL_FORM_COLUMNS,
    bells,
    check_date,
    control_form,
    from_columns,
    lesson_span,
    load_marks,
)
from .homework import homework_rows


async def school_and_zone(conn: AsyncConnection, school_id: int) -> tuple[SchoolSettings, ZoneInfo]:
    """The school's settings and time zone in one query (the week cannot afford three)."""
    sc, cf = s.schools, s.control_forms
    rows = (
        await conn.execute(
            sa.select(
                *sc.c["scale_min", "scale_max", "round_threshold", "timezone"],
                cf.c.id.label("form_id"),
                *CONTROL_FORM_COLUMNS,
            )
            .select_from(sc.outerjoin(cf, cf.c.school_id == sc.c.id))
            .where(sc.c.id == school_id)
            .order_by(cf.c.weight.desc(), cf.c.id)
        )
    ).all()
    first = rows[0]
    settings = SchoolSettings(
        scale_min=first.scale_min,
        scale_max=first.scale_max,
        round_threshold=first.round_threshold,
        control_forms=[control_form(r) for r in rows if r.form_id is not None],
    )
    return settings, ZoneInfo(first.timezone or "Europe/Moscow")


async def periods_of(
    conn: AsyncConnection,
    school_id: int,
    kind: str,
    *,
    year: int | None = None,
    touching: tuple[dt.date, dt.date] | None = None,
) -> list[Period]:
    """The school's periods of one kind (quarters or halves): of a school year, or near some dates."""
    p = s.periods
    query = sa.select(p).where(p.c.school_id == school_id, p.c.kind == kind)
    if year is not None:
        query = query.where(p.c.year == year)
    if touching is not None:
        query = query.where(p.c.starts_on <= touching[1], p.c.ends_on >= touching[0])
    rows = await conn.execute(query.order_by(p.c.starts_on, p.c.number))
    return [period_of(r) for r in rows]


def period_of(row: Any) -> Period:
    """A row of `periods` as the API shows it."""
    return from_columns(Period, row._mapping)


def has_open_dot(marks: Sequence[Mark]) -> bool:
    return any(m.is_dot and m.value is None for m in marks)


def without_vanished_dots(
    marks: Sequence[Mark], periods: Sequence[Period], today: dt.date
) -> list[Mark]:
    """Drop unfilled dots whose period is over: DOMAIN.md's dot rule, via `dot_vanishes`."""
    kept = []
    for m in marks:
        if m.is_dot and m.value is None:
            period = period_containing(periods, m.date)
            if period is not None and dot_vanishes(m.due, period.ends_on, today):
                continue
        kept.append(m)
    return kept


async def visible_marks(
    conn: AsyncConnection,
    marks: list[Mark],
    school_id: int,
    kind: str,
    today: dt.date,
) -> list[Mark]:
    """Marks as the diary shows them; the periods are read only when an open dot needs them."""
    if not has_open_dot(marks):
        return marks
    dates = [m.date for m in marks]
    periods = await periods_of(conn, school_id, kind, touching=(min(dates), max(dates)))
    return without_vanished_dots(marks, periods, today)


# Aliases built once: building one per request re-derives its columns (over 1 ms a week).
_LESSON_TEACHER = s.users.alias("lesson_teacher")
_USUAL_TEACHER = s.users.alias("usual_teacher")
_SIGNER = s.users.alias("signer")
_NOTE_AUTHOR = s.users.alias("note_author")


async def week_json(
    ctx: ServerContext, caller: Caller, student_id: int, start: dt.date | None
) -> bytes:
    """The week as JSON, from the read cache while nothing has changed since it was built."""
    async with ctx.engine.connect() as conn:
        student = await readable_student(conn, caller, student_id)
        settings, tz = await school_and_zone(conn, student.school_id)
        today = ctx.today(tz.key)
        monday = _monday(start, today)
        version = await ctx.cache.version(conn)
        key = ("week", student.id, monday, today)  # today: dots vanish when their period ends
        body = ctx.cache.get(key, version)
        if body is None:
            built = await _build_week(conn, student, settings, tz, today, monday)
            body = built.model_dump_json(by_alias=True).encode()
            ctx.cache.put(key, version, body)
        return body


async def week(ctx: ServerContext, caller: Caller, student_id: int, start: dt.date | None) -> Week:
    """Everything the weekly diary shows for the week of `start` (this week by default)."""
    async with ctx.engine.connect() as conn:
        student = await readable_student(conn, caller, student_id)
        settings, tz = await school_and_zone(conn, student.school_id)
        today = ctx.today(tz.key)
        return await _build_week(conn, student, settings, tz, today, _monday(start, today))


def _monday(start: dt.date | None, today: dt.date) -> dt.date:
    check_date(start, "start")
    return week_start(start or today)


async def _build_week(
    conn: AsyncConnection,
    student: StudentInfo,
    settings: SchoolSettings,
    tz: ZoneInfo,
    today: dt.date,
    monday: dt.date,
) -> Week:
    le, sub, att, b = s.lessons, s.subjects, s.attendance, s.bells
    teacher = _LESSON_TEACHER
    # The class of the week's school year (its Sunday's: 1 September may fall in it).
    student = await student_in_year(conn, student, school_year_of(monday + dt.timedelta(days=6)))
    days = week_days(monday, student.days_per_week)
    first, last = days[0], days[-1]
    in_week = (le.c.class_id == student.class_id, le.c.date.between(first, last))

    lesson_rows = (
        await conn.execute(
            sa.select(
                *le.c["id", "date", "number", "room", "topic", "subject_id"],
                sub.c.name.label("subject_name"),
                le.c.teacher_id,
                teacher.c.full_name.label("teacher_name"),
                att.c.code,
                *b.c["starts_at", "ends_at"],
                *le.c["change", "change_note", "usual_teacher_id"],
                *le.c["moved_from_date", "moved_from_number"],
                _USUAL_TEACHER.c.full_name.label("usual_teacher_name"),
            )
            .select_from(
                le.join(sub, sub.c.id == le.c.subject_id)
                .join(teacher, teacher.c.id == le.c.teacher_id)
                .outerjoin(_USUAL_TEACHER, _USUAL_TEACHER.c.id == le.c.usual_teacher_id)
                .outerjoin(att, sa.and_(att.c.lesson_id == le.c.id, att.c.student_id == student.id))
                .outerjoin(
                    b, sa.and_(b.c.school_id == student.school_id, b.c.number == le.c.number)
                )
            )
            .where(*in_week)
            .order_by(le.c.date, le.c.number, le.c.id)
        )
    ).all()

    homework: dict[str, list[Homework]] = defaultdict(list)
    if lesson_rows:
        for hw in await homework_rows(conn, student, *in_week):
            homework[hw.lesson_id].append(hw)
    marks: dict[str, list[Mark]] = defaultdict(list)
    if lesson_rows:
        found = await load_marks(conn, s.marks.c.student_id == student.id, *in_week)
        kind = period_kind_for_grade(student.grade)
        for m in await visible_marks(conn, found, student.school_id, kind, today):
            marks[m.lesson_id].append(m)

    wn, signer, author = s.week_notes, _SIGNER, _NOTE_AUTHOR
    note = (
        await conn.execute(
            sa.select(
                *wn.c["behaviour_note", "note_by", "note_at", "signed_by", "signed_at"],
                signer.c.full_name.label("signer_name"),
                author.c.full_name.label("note_author_name"),
            )
            .select_from(
                wn.outerjoin(signer, signer.c.id == wn.c.signed_by).outerjoin(
                    author, author.c.id == wn.c.note_by
                )
            )
            .where(wn.c.student_id == student.id, wn.c.monday == monday)
        )
    ).first()

    moved_to = await _moved_to(conn, student.class_id, lesson_rows)
    by_day: dict[dt.date, list[WeekLesson]] = {d: [] for d in days}
    for r in lesson_rows:
        bell = {}
        if r.starts_at and r.ends_at:
            bell[r.number] = (dt.time.fromisoformat(r.starts_at), dt.time.fromisoformat(r.ends_at))
        starts_at, ends_at = lesson_span(r.date, r.number, bell, tz)
        lesson_id = str(r.id)
        by_day[r.date].append(
            WeekLesson(
                id=lesson_id,
                number=r.number,
                starts_at=starts_at,
                ends_at=ends_at,
                subject=SubjectRef(id=str(r.subject_id), name=r.subject_name),
                teacher=PersonRef(id=str(r.teacher_id), full_name=r.teacher_name),
                room=r.room,
                topic=r.topic,
                homework=homework.get(lesson_id, []),
                marks=marks.get(lesson_id, []),
                attendance=AttendanceCode(r.code) if r.code else None,
                change=_change(r, moved_to.get((r.date, r.number))),
            )
        )
    signed = note is not None and note.signed_by is not None
    noted = note is not None and note.behaviour_note is not None and note.note_by is not None
    return Week(
        student_id=str(student.id),
        start=first,
        end=last,
        days=[Day(date=d, lessons=by_day[d]) for d in days],
        behaviour_note=note.behaviour_note if note else None,
        behaviour_note_by=(
            PersonRef(id=str(note.note_by), full_name=note.note_author_name) if noted else None
        ),
        behaviour_note_at=note.note_at if noted else None,
        signed_by=PersonRef(id=str(note.signed_by), full_name=note.signer_name) if signed else None,
        signed_at=note.signed_at if signed else None,
        settings=settings,
    )


async def _moved_to(
    conn: AsyncConnection, class_id: int, lesson_rows: Sequence[Any]
) -> dict[tuple[dt.date, int], tuple[dt.date, int]]:
    """Where the week's cancelled lessons were moved to (read only when it has one)."""
    cancelled = [r for r in lesson_rows if r.change == "cancelled"]
    if not cancelled:
        return {}
    le = s.lessons.c
    rows = await conn.execute(
        sa.select(le.moved_from_date, le.moved_from_number, le.date, le.number).where(
            le.class_id == class_id, le.moved_from_date.in_({r.date for r in cancelled})
        )
    )
    return {(r.moved_from_date, r.moved_from_number): (r.date, r.number) for r in rows}


def _change(row: Any, moved_to: tuple[dt.date, int] | None = None) -> LessonChange | None:
    """A lesson's one-day change (server/school/lesson_changes.py), as the diary shows it;
    `moved_to`: where a cancelled lesson went, when it was moved rather than dropped."""
    if row.change is None:
        return None
    usual = None
    if row.usual_teacher_id is not None:
        usual = PersonRef(id=str(row.usual_teacher_id), full_name=row.usual_teacher_name)
    return LessonChange(
        kind=ChangeKind(row.change),
        note=row.change_note,
        usual_teacher=usual,
        moved_from_date=row.moved_from_date,
        moved_from_number=row.moved_from_number,
        moved_to_date=moved_to[0] if moved_to else None,
        moved_to_number=moved_to[1] if moved_to else None,
    )


async def _signature(conn: AsyncConnection, student_id: int, monday: dt.date) -> Signature | None:
    wn, u = s.week_notes, s.users
    row = (
        await conn.execute(
            sa.select(wn.c.signed_by, wn.c.signed_at, u.c.full_name)
            .join(u, u.c.id == wn.c.signed_by)
            .where(wn.c.student_id == student_id, wn.c.monday == monday)
        )
    ).first()
    if row is None or row.signed_at is None:
        return None
    return Signature(
        student_id=str(student_id),
        monday=monday,
        signed_by=PersonRef(id=str(row.signed_by), full_name=row.full_name),
        signed_at=row.signed_at,
    )


async def lessons_over_at(
    conn: AsyncConnection, student: StudentInfo, monday: dt.date, tz: ZoneInfo
) -> dt.datetime:
    """When the week's last lesson ends (the start of the day after the week if it has none):
    from then on the week can be signed, as there is nothing left to add to it."""
    student = await student_in_year(conn, student, school_year_of(monday + dt.timedelta(days=6)))
    days = week_days(monday, student.days_per_week)
    le = s.lessons
    last = (
        await conn.execute(
            sa.select(le.c.date, le.c.number)
            .where(le.c.class_id == student.class_id, le.c.date.between(days[0], days[-1]))
            .order_by(le.c.date.desc(), le.c.number.desc())
            .limit(1)
        )
    ).first()
    if last is None:
        return dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(0, 0), tz)
    bell = await bells(conn, student.school_id)
    return lesson_span(last.date, last.number, bell, tz)[1]


async def sign_week(
    ctx: ServerContext, caller: Caller, student_id: int, monday: dt.date
) -> tuple[Signature, bool]:
    """A parent acknowledges a week; signing again keeps the first signature.

    Returns the signature and whether it is new. A week is signed once its last
    lesson is over: before that, marks and homework may still come to it.
    """
    async with ctx.engine.begin() as conn:
        student = await readable_student(conn, caller, student_id)
        await parent_of(conn, caller, student)
        check_date(monday, "monday")  # a week that cannot be read cannot be signed either
        if monday.weekday() != 0:
            raise Invalid(
                f"{monday.isoformat()} is not a Monday; a week is named by its Monday",
                code="not_a_monday",
                field="monday",
            )
        _settings, tz = await school_and_zone(conn, student.school_id)
        if monday > week_start(ctx.today(tz.key)):
            raise Invalid(
                "this week has not begun yet; it can be signed once its lessons are over",
                code="future_week",
                field="monday",
            )
        existing = await _signature(conn, student.id, monday)
        if existing is not None:
            return existing, False
        over = await lessons_over_at(conn, student, monday, tz)
        if ctx.now() < over:
            raise Invalid(
                "this week's lessons are not over yet; it can be signed from "
                f"{over:%d.%m.%Y %H:%M}",
                code="week_not_over",
                field="monday",
            )
        await check_day_open(conn, student.school_id, monday)
        wn = s.week_notes
        now = ctx.now()
        # One statement, signing only a week not signed yet: of two parents (or two
        # requests) signing at once, the first signature stands and the other is told so.
        signed = await upsert(
            conn,
            wn,
            {"student_id": student.id, "monday": monday, "signed_by": caller.id, "signed_at": now},
            conflict=("student_id", "monday"),
            where=wn.c.signed_at.is_(None),
            returning=(wn.c.signed_at,),
        )
        if signed is None:
            first = await _signature(conn, student.id, monday)
            assert first is not None  # the row is there, signed, and signatures stay
            return first, False
        await record_about(
            conn,
            ctx,
            student,
            kind="week_signed",
            summary=f"{caller.full_name} signed the week of {monday:%d.%m.%Y}",
            data={"monday": monday.isoformat(), "signed_by": str(caller.id)},
        )
        return (
            Signature(
                student_id=str(student.id),
                monday=monday,
                signed_by=PersonRef(id=str(caller.id), full_name=caller.full_name),
                signed_at=now,
            ),
            True,
        )
