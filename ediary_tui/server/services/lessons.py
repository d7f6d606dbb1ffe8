"""A lesson as the journal writes it: topic, default control form, room, attendance, homework.

The helpers at the top (`load_lesson`, `writable_lesson`, `student_in_class`,
`lesson_period`) are what every journal write starts from, so marks and period
marks check rights and periods the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import (
    AttendanceCode,
    AttendanceOut,
    ControlForm,
    Homework,
    HomeworkIn,
    HomeworkPatch,
    LessonOut,
    LessonPatch,
    PersonRef,
    Role,
    SubjectRef,
    TeacherDay,
)
from ediary_tui.domain.periods import period_kind_for_grade

from .. import schema as s
from ..access import journal_rights
from ..auth import Caller
from ..changes import record
from ..db import lock_rows
from ..errors import Conflict, Invalid, NotAllowed, NotFound
from ..settings import ServerContext
from ..upsert import put_or_clear
from .common import (
    CONTROL_FORM_COLUMNS,
    bells,
    blank_is_none,
    check_line,
    check_text,
    control_form,
    lesson_span,
    patched_control_form,
    school_timezone,
)
from .homework import check_due, homework_of, homework_select

# The database column is shorter than LessonPatch allows; say so instead of failing on write.
ROOM_MAX = s.lessons.c.room.type.length or 20

_LESSON_TEACHER = s.users.alias("journal_lesson_teacher")


@dataclass(frozen=True)
class LessonInfo:
    """A lesson with what the checks and answers about it need, read in one query."""

    id: int
    class_id: int
    class_name: str
    grade: int
    school_id: int
    subject_id: int
    subject_name: str
    teacher_id: int
    teacher_name: str
    date: dt.date
    number: int
    topic: str | None
    room: str | None
    control_form_id: int
    control_form: ControlForm
    change: str | None = None  # a one-day change: replaced, cancelled, moved or added
    updated_at: dt.datetime | None = None  # the version of topic and control form

    @property
    def subject(self) -> SubjectRef:
        return SubjectRef(id=str(self.subject_id), name=self.subject_name)


def _lesson_select() -> sa.Select[Any]:
    le, c, sub, cf, t = s.lessons, s.classes, s.subjects, s.control_forms, _LESSON_TEACHER
    return sa.select(
        *le.c["id", "class_id"],
        c.c.name.label("class_name"),
        *c.c["grade", "school_id"],
        le.c.subject_id,
        sub.c.name.label("subject_name"),
        le.c.teacher_id,
        t.c.full_name.label("teacher_name"),
        *le.c["date", "number", "topic", "room", "control_form_id", "change", "updated_at"],
        *CONTROL_FORM_COLUMNS,
    ).select_from(
        le.join(c, c.c.id == le.c.class_id)
        .join(sub, sub.c.id == le.c.subject_id)
        .join(t, t.c.id == le.c.teacher_id)
        .join(cf, cf.c.id == le.c.control_form_id)
    )


def _info(r: Any) -> LessonInfo:
    return LessonInfo(
        id=r.id,
        class_id=r.class_id,
        class_name=r.class_name,
        grade=r.grade,
        school_id=r.school_id,
        subject_id=r.subject_id,
        subject_name=r.subject_name,
        teacher_id=r.teacher_id,
        teacher_name=r.teacher_name,
        date=r.date,
        number=r.number,
        topic=r.topic,
        room=r.room,
        control_form_id=r.control_form_id,
        control_form=control_form(r),
        change=r.change,
        updated_at=r.updated_at,
    )


async def load_lesson(conn: AsyncConnection, lesson_id: int) -> LessonInfo | None:
    row = (await conn.execute(_lesson_select().where(s.lessons.c.id == lesson_id))).first()
    return _info(row) if row else None


def require_teacher(caller: Caller) -> None:
    """Journal writes are a teacher's: parents, students and a bare admin are refused at once."""
    if not caller.has(Role.TEACHER, Role.CLASS_TEACHER):
        raise NotAllowed("only the subject's teacher writes the journal", code="not_staff")


async def writable_lesson(conn: AsyncConnection, caller: Caller, lesson_id: int) -> LessonInfo:
    """The lesson of a path, if the caller teaches its subject in its class (404 / 403) and
    its period is open and it is not cancelled (409): every write of a lesson, its marks,
    attendance, topic and homework, goes through here, so a closed period or a cancelled
    lesson is closed to all of them alike."""
    require_teacher(caller)
    lesson = await load_lesson(conn, lesson_id)
    if lesson is None:
        raise NotFound("no such lesson", code="lesson_not_found")
    await journal_rights(conn, caller, lesson.class_id, lesson.subject_id, write=True)
    check_open(await lesson_period(conn, lesson))
    check_not_cancelled(lesson)
    return lesson


async def student_in_class(
    conn: AsyncConnection, student_id: int, class_id: int, class_name: str
) -> str:
    """The student's full name if they are in the class; 422 on `student_id` otherwise."""
    st, u = s.students, s.users
    name = (
        await conn.execute(
            sa.select(u.c.full_name)
            .join(st, st.c.user_id == u.c.id)
            .where(st.c.user_id == student_id, st.c.class_id == class_id)
        )
    ).scalar()
    if name is None:
        raise Invalid(
            f"the student is not in {class_name}, whose lesson this is",
            code="student_not_in_lesson",
            field="student_id",
        )
    return name


async def lesson_period(conn: AsyncConnection, lesson: LessonInfo) -> Any | None:
    """The period (of the kind the class's grade uses) the lesson falls in; None in holidays."""
    p = s.periods
    return (
        await conn.execute(
            sa.select(p)
            .where(
                p.c.school_id == lesson.school_id,
                p.c.kind == period_kind_for_grade(lesson.grade),
                p.c.starts_on <= lesson.date,
                p.c.ends_on >= lesson.date,
            )
            .order_by(p.c.starts_on, p.c.id)
            .limit(1)
        )
    ).first()


def check_open(period: Any | None) -> None:
    """A closed period is final: nothing in its journal changes any more (409)."""
    if period is not None and period.closed:
        raise Conflict(
            f"the {period.name} is closed; its journal can no longer change",
            code="period_closed",
        )


def check_not_cancelled(lesson: LessonInfo) -> None:
    """A cancelled lesson did not take place: nothing is written in it (409)."""
    if lesson.change == "cancelled":
        raise Conflict(
            f"the lesson of {lesson.date.isoformat()} (lesson {lesson.number}) is cancelled; "
            "nothing is written in it unless the school restores it",
            code="lesson_cancelled",
        )


def lesson_out(
    lesson: LessonInfo, span: tuple[dt.datetime, dt.datetime] | None = None
) -> LessonOut:
    return LessonOut(
        id=str(lesson.id),
        class_id=str(lesson.class_id),
        class_name=lesson.class_name,
        subject=lesson.subject,
        teacher=PersonRef(id=str(lesson.teacher_id), full_name=lesson.teacher_name),
        date=lesson.date,
        number=lesson.number,
        topic=lesson.topic,
        room=lesson.room,
        control_form=lesson.control_form,
        starts_at=span[0] if span else None,
        ends_at=span[1] if span else None,
        updated_at=lesson.updated_at,
    )


async def _with_times(conn: AsyncConnection, lessons: list[LessonInfo]) -> list[LessonOut]:
    if not lessons:
        return []
    school_id = lessons[0].school_id
    bell = await bells(conn, school_id)
    tz = await school_timezone(conn, school_id)
    return [lesson_out(le, lesson_span(le.date, le.number, bell, tz)) for le in lessons]


# --- reading a lesson, a teacher's day ---------------------------------------------------


async def get_lesson(ctx: ServerContext, caller: Caller, lesson_id: int) -> LessonOut:
    """For anyone who may read the journal of the lesson's class and subject."""
    async with ctx.engine.connect() as conn:
        lesson = await load_lesson(conn, lesson_id)
        if lesson is None:
            raise NotFound("no such lesson", code="lesson_not_found")
        await journal_rights(conn, caller, lesson.class_id, lesson.subject_id)
        return (await _with_times(conn, [lesson]))[0]


async def teacher_day(ctx: ServerContext, caller: Caller, day: dt.date | None) -> TeacherDay:
    """The lessons the caller gives on a day (today by default), replacements included."""
    if not caller.is_staff:
        raise NotAllowed("only teachers have a timetable of their own", code="not_staff")
    le = s.lessons
    async with ctx.engine.connect() as conn:
        if day is None:
            tz = await school_timezone(conn, caller.school_id) if caller.school_id else None
            day = ctx.today(tz.key) if tz else ctx.today()
        rows = await conn.execute(
            _lesson_select()
            .where(le.c.teacher_id == caller.id, le.c.date == day)
            .order_by(le.c.number, le.c.id)
        )
        return TeacherDay(date=day, lessons=await _with_times(conn, [_info(r) for r in rows]))


# --- writing a lesson -------------------------------------------------------------------


async def _last_editor(conn: AsyncConnection, lesson: LessonInfo) -> str:
    """Who last changed the lesson's topic or control form, as its latest change names them."""
    c = s.changes
    data = (
        await conn.execute(
            sa.select(c.c.data)
            .where(
                c.c.school_id == lesson.school_id, c.c.kind == "lesson", c.c.entity_id == lesson.id
            )
            .order_by(c.c.id.desc())
            .limit(1)
        )
    ).scalar()
    by = data.get("by") if isinstance(data, dict) else None
    return by if isinstance(by, str) else "someone"


async def check_lesson_version(
    conn: AsyncConnection, lesson: LessonInfo, body: LessonPatch, values: dict[str, Any]
) -> None:
    """409 when the caller sent the version it replaces (`expected_updated_at`, null: never
    edited) and the lesson's is another. A patch that changes nothing (a resend) passes."""
    if "expected_updated_at" not in body.model_fields_set or not values:
        return
    expected = body.expected_updated_at
    if expected is not None and expected.tzinfo is None:
        expected = expected.replace(tzinfo=dt.UTC)
    if lesson.updated_at == expected:
        return
    topic = f"«{lesson.topic}»" if lesson.topic else "no topic"
    raise Conflict(
        f"the lesson was changed since you saw it: {topic} now, "
        f"set by {await _last_editor(conn, lesson)}",
        code="lesson_changed",
        field="expected_updated_at",
    )


async def patch_lesson(
    ctx: ServerContext, caller: Caller, lesson_id: int, body: LessonPatch
) -> LessonOut:
    """Topic, default control form, room: the fields sent change, the others stay; with
    `expected_updated_at`, only if the lesson is still the version the caller saw."""
    for name in ("topic", "control_form", "room"):
        check_line(getattr(body, name), name)
    sent = body.model_fields_set
    async with ctx.engine.begin() as conn:
        # One writer of the lesson at a time: a twin request finds the topic already set.
        await lock_rows(conn, s.lessons, s.lessons.c.id == lesson_id)
        lesson = await writable_lesson(conn, caller, lesson_id)
        values: dict[str, Any] = {}
        if "topic" in sent and blank_is_none(body.topic) != lesson.topic:
            values["topic"] = blank_is_none(body.topic)
        if "room" in sent:
            room = blank_is_none(body.room)
            if room is not None and len(room) > ROOM_MAX:
                raise Invalid(
                    f"a room is at most {ROOM_MAX} characters", code="room_too_long", field="room"
                )
            if room != lesson.room:
                values["room"] = room
        if "control_form" in sent:
            form_id = await patched_control_form(
                conn,
                lesson.school_id,
                body.control_form,
                refusal="a lesson needs a default control form",
            )
            if form_id != lesson.control_form_id:
                values["control_form_id"] = form_id
        await check_lesson_version(conn, lesson, body, values)
        if values:
            now = ctx.now()
            await conn.execute(
                s.lessons.update()
                .where(s.lessons.c.id == lesson.id)
                .values(**values, updated_at=now)
            )
            await record(
                conn,
                ctx,
                school_id=lesson.school_id,
                kind="lesson",
                summary=f"{lesson.subject_name}, {lesson.date:%d.%m.%Y}: "
                + ", ".join(sorted(k.removesuffix("_id") for k in values))
                + " changed",
                class_id=lesson.class_id,
                entity_id=lesson.id,
                data={
                    "subject": lesson.subject_name,
                    "subject_id": str(lesson.subject_id),
                    "date": lesson.date.isoformat(),
                    "changed": sorted(k.removesuffix("_id") for k in values),
                    "updated_at": now.isoformat(),
                    "by": caller.full_name,
                },
            )
            lesson = await load_lesson(conn, lesson.id)
            assert lesson is not None
        return (await _with_times(conn, [lesson]))[0]


async def set_attendance(
    ctx: ServerContext,
    caller: Caller,
    lesson_id: int,
    student_id: int,
    code: AttendanceCode | None,
) -> AttendanceOut:
    """Put (or clear, with null) a student's attendance code for a lesson."""
    att = s.attendance
    async with ctx.engine.begin() as conn:
        lesson = await writable_lesson(conn, caller, lesson_id)
        name = await student_in_class(conn, student_id, lesson.class_id, lesson.class_name)
        where = (att.c.lesson_id == lesson.id, att.c.student_id == student_id)
        answer = AttendanceOut(lesson_id=str(lesson.id), student_id=str(student_id), code=code)
        # Locked where it exists, so the change says truly what it replaced.
        current = (
            await conn.execute(sa.select(att.c.code).where(*where).with_for_update())
        ).scalar()
        if current == (code.value if code else None):
            return answer
        changed = await put_or_clear(
            conn,
            att,
            {"lesson_id": lesson.id, "student_id": student_id},
            "code",
            code.value if code else None,
            {"by_id": caller.id, "updated_at": ctx.now()},
        )
        if not changed:
            return answer  # a twin request did it first: it records the change
        await record(
            conn,
            ctx,
            school_id=lesson.school_id,
            kind="attendance",
            summary=f"{name}: {code.value if code else 'present'} — {lesson.subject_name}",
            student_id=student_id,
            class_id=lesson.class_id,
            entity_id=lesson.id,
            data={
                "subject": lesson.subject_name,
                "subject_id": str(lesson.subject_id),
                "lesson_id": str(lesson.id),
                "date": lesson.date.isoformat(),
                "code": code.value if code else None,
                "from": current,
            },
        )
        return answer


# --- homework ----------------------------------------------------------------------------


async def lesson_homework(conn: AsyncConnection, *where: sa.ColumnElement[bool]) -> list[Homework]:
    """Homework matching `where` (columns of homework and lessons) as a teacher sees it."""
    rows = await conn.execute(homework_select().where(*where))
    return [homework_of(r) for r in rows]


async def _homework_change(
    conn: AsyncConnection, ctx: ServerContext, lesson: LessonInfo, hw_id: int, action: str
) -> None:
    await record(
        conn,
        ctx,
        school_id=lesson.school_id,
        kind="homework",
        summary=f"{lesson.subject_name}: homework {action} for {lesson.date:%d.%m.%Y}",
        class_id=lesson.class_id,
        entity_id=hw_id,
        data={
            "action": action,
            "subject": lesson.subject_name,
            "subject_id": str(lesson.subject_id),
            "lesson_id": str(lesson.id),
            "date": lesson.date.isoformat(),
        },
    )


async def add_homework(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, lesson_id: int, body: HomeworkIn
) -> Homework:
    """Set homework in a lesson (inside the caller's transaction, so `create_once` can replay it)."""
    check_text(body.text, "text")
    lesson = await writable_lesson(conn, caller, lesson_id)
    text = body.text.strip()
    if not text:
        raise Invalid("homework needs a text", code="empty_text", field="text")
    check_due(body.due, lesson.date)
    now = ctx.now()
    inserted = await conn.execute(
        s.homework.insert().values(
            lesson_id=lesson.id,
            text=text,
            required=body.required,
            due_on=body.due,
            author_id=caller.id,
            created_at=now,
            updated_at=now,
        )
    )
    hw_id = inserted.inserted_primary_key[0]
    await _homework_change(conn, ctx, lesson, hw_id, "set")
    return (await lesson_homework(conn, s.homework.c.id == hw_id))[0]


async def _writable_homework(
    conn: AsyncConnection, caller: Caller, homework_id: int
) -> tuple[LessonInfo, Homework]:
    require_teacher(caller)
    found = await lesson_homework(conn, s.homework.c.id == homework_id)
    if not found:
        raise NotFound("no such homework", code="homework_not_found")
    lesson = await writable_lesson(conn, caller, int(found[0].lesson_id))
    return lesson, found[0]


async def patch_homework(
    ctx: ServerContext, caller: Caller, homework_id: int, body: HomeworkPatch
) -> Homework:
    """Revise homework: the text or whether it is required; `updated_at` says when."""
    check_text(body.text, "text")
    sent = body.model_fields_set
    async with ctx.engine.begin() as conn:
        # One writer of the homework at a time: a twin request finds it revised or gone.
        await lock_rows(conn, s.homework, s.homework.c.id == homework_id)
        lesson, current = await _writable_homework(conn, caller, homework_id)
        values: dict[str, Any] = {}
        if "text" in sent:
            text = (body.text or "").strip()
            if not text:
                raise Invalid("homework needs a text", code="empty_text", field="text")
            if text != current.text:
                values["text"] = text
        if "required" in sent:
            if body.required is None:
                raise Invalid("required is true or false", code="invalid_field", field="required")
            if body.required != current.required:
                values["required"] = body.required
        if "due" in sent:  # null: the next lesson again
            check_due(body.due, lesson.date)
            chosen = s.homework.c.due_on
            stored = (
                await conn.execute(sa.select(chosen).where(s.homework.c.id == homework_id))
            ).scalar()
            if body.due != stored:
                values["due_on"] = body.due
        if not values:
            return current
        hw = s.homework
        await conn.execute(
            hw.update().where(hw.c.id == homework_id).values(**values, updated_at=ctx.now())
        )
        await _homework_change(conn, ctx, lesson, homework_id, "revised")
        return (await lesson_homework(conn, hw.c.id == homework_id))[0]


async def delete_homework(ctx: ServerContext, caller: Caller, homework_id: int) -> None:
    async with ctx.engine.begin() as conn:
        await lock_rows(conn, s.homework, s.homework.c.id == homework_id)  # as in patch
        lesson, _current = await _writable_homework(conn, caller, homework_id)
        await conn.execute(s.homework.delete().where(s.homework.c.id == homework_id))
        await _homework_change(conn, ctx, lesson, homework_id, "removed")
