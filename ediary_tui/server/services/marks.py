"""Marks as a teacher writes them: put, change, delete, and the history that keeps them honest.

Every write adds a `mark_history` row and a change in the same transaction, so
"who changed it, when, from what to what" (DOMAIN.md) can never be missing for
a mark the diary shows. A deleted mark is only hidden (`deleted_at`): its
history stays readable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.attendance import counts_as_absence
from ediary_tui.domain.models import (
    AttendanceCode,
    Mark,
    MarkChange,
    MarkHistory,
    MarkIn,
    MarkPatch,
    PersonRef,
    SchoolSettings,
)

from .. import schema as s
from ..access import journal_rights, readable_student
from ..auth import Caller
from ..changes import record
from ..db import lock_rows
from ..errors import Conflict, Invalid, NotFound
from ..ids import parse_body_id
from ..settings import ServerContext
from .common import (
    blank_is_none,
    check_line,
    check_text,
    control_form_id,
    load_marks,
    patched_control_form,
)
from .lessons import (
    LessonInfo,
    check_not_cancelled,
    check_open,
    lesson_period,
    load_lesson,
    require_teacher,
    student_in_class,
    writable_lesson,
)
from .week import school_and_zone

DOT = "•"


def mark_text(value: int | None, is_dot: bool) -> str:
    """How a mark reads in its history: the value, or the dot it still is."""
    return DOT if is_dot or value is None else str(value)


def check_value(value: int, settings: SchoolSettings) -> None:
    if not settings.scale_min <= value <= settings.scale_max:
        raise Invalid(
            f"a mark is a whole number from {settings.scale_min} to {settings.scale_max} "
            "on this school's scale",
            code="value_out_of_scale",
            field="value",
        )


def check_due(due: dt.date | None, lesson: LessonInfo) -> None:
    """A dot is work owed: it needs a due date, and that cannot be before the lesson."""
    if due is None:
        raise Invalid(
            "a dot needs a due date: when the work is owed", code="due_required", field="due"
        )
    if due < lesson.date:
        raise Invalid(
            f"the due date is before the lesson ({lesson.date:%d.%m.%Y})",
            code="due_before_lesson",
            field="due",
        )


async def _form_id(conn: AsyncConnection, lesson: LessonInfo, code: str | None) -> int:
    """The mark's control form: `code`, or the lesson's default without one."""
    if code is None:
        return lesson.control_form_id
    return await control_form_id(conn, lesson.school_id, code)


async def _history(
    conn: AsyncConnection,
    ctx: ServerContext,
    caller: Caller,
    mark_id: int,
    action: str,
    before: str | None,
    after: str | None,
) -> None:
    await conn.execute(
        s.mark_history.insert().values(
            mark_id=mark_id,
            at=ctx.now(),
            by_id=caller.id,
            action=action,
            from_value=before,
            to_value=after,
        )
    )


async def _change(
    conn: AsyncConnection,
    ctx: ServerContext,
    lesson: LessonInfo,
    mark: Mark,
    before: str | None,
    after: str | None,
) -> None:
    """The feed's change for a mark put (`before` None), changed, or deleted (`after` None)."""
    if after is None:
        kind, what = "mark_deleted", f"{before} deleted"
    else:
        kind, what = "mark", after if before in (None, after) else f"{before} → {after}"
    await record(
        conn,
        ctx,
        school_id=lesson.school_id,
        kind=kind,
        summary=f"{what} — {lesson.subject_name}",
        student_id=int(mark.student_id),
        class_id=lesson.class_id,
        entity_id=int(mark.id),
        data={
            "subject": lesson.subject_name,
            "subject_id": str(lesson.subject_id),
            "lesson_id": str(lesson.id),
            "date": lesson.date.isoformat(),
            "value": mark.value,
            "is_dot": mark.is_dot,
            "control_form": mark.control_form.code,
            "from": before,
        },
    )


async def _one(conn: AsyncConnection, mark_id: int) -> Mark:
    return (await load_marks(conn, s.marks.c.id == mark_id))[0]


async def mark_on_absent(conn: AsyncConnection, school_id: int) -> str:
    """The school's rule for a mark on a student marked absent: ask, refuse or allow."""
    sc = s.schools
    rule = (await conn.execute(sa.select(sc.c.mark_on_absent).where(sc.c.id == school_id))).scalar()
    return rule or "ask"


async def _check_present(
    conn: AsyncConnection, lesson: LessonInfo, student_id: int, name: str
) -> None:
    """A school that refuses marks for absent students: 422 when the lesson says absent."""
    att = s.attendance
    code = (
        await conn.execute(
            sa.select(att.c.code).where(
                att.c.lesson_id == lesson.id, att.c.student_id == student_id
            )
        )
    ).scalar()
    if code is None or not counts_as_absence(AttendanceCode(code)):
        return
    if await mark_on_absent(conn, lesson.school_id) == "refuse":
        raise Invalid(
            f"{name} is marked absent in this lesson, and this school gives no marks for "
            "a lesson missed; clear the absence first",
            code="mark_on_absent",
            field="student_id",
        )


async def _dot_to_fill(conn: AsyncConnection, lesson_id: int, student_id: int) -> Any | None:
    """The cell's oldest dot, locked: a mark typed on it fills it rather than sitting beside."""
    m = s.marks
    return (
        await conn.execute(
            sa.select(m)
            .where(
                m.c.lesson_id == lesson_id,
                m.c.student_id == student_id,
                m.c.is_dot.is_(True),
                m.c.deleted_at.is_(None),
            )
            .order_by(m.c.created_at, m.c.id)
            .limit(1)
            .with_for_update()
        )
    ).first()


# --- putting a mark ----------------------------------------------------------------------


async def create_mark(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, body: MarkIn
) -> Mark:
    """Put a mark or a dot (inside the caller's transaction, so `create_once` can replay it)."""
    check_line(body.control_form, "control_form")
    check_text(body.comment, "comment")
    require_teacher(caller)
    lesson_id = parse_body_id(body.lesson_id, "lesson_id")
    student_id = parse_body_id(body.student_id, "student_id")
    lesson = await load_lesson(conn, lesson_id)
    if lesson is None:
        raise Invalid("no such lesson", code="lesson_not_found", field="lesson_id")
    await journal_rights(conn, caller, lesson.class_id, lesson.subject_id, write=True)
    name = await student_in_class(conn, student_id, lesson.class_id, lesson.class_name)
    settings, tz = await school_and_zone(conn, lesson.school_id)
    if lesson.date > ctx.today(tz.key):
        raise Invalid(
            f"the lesson of {lesson.date:%d.%m.%Y} has not taken place yet",
            code="lesson_in_future",
            field="lesson_id",
        )
    check_open(await lesson_period(conn, lesson))
    check_not_cancelled(lesson)
    if body.is_dot:
        if body.value is not None:
            raise Invalid(
                "a dot has no value: put the dot now and fill it when the work is done",
                code="dot_with_value",
                field="value",
            )
        check_due(body.due, lesson)
    else:
        if body.value is None:
            raise Invalid(
                "give a value, or a dot (is_dot with a due date)",
                code="value_required",
                field="value",
            )
        check_value(body.value, settings)
        if body.due is not None:
            raise Invalid("only a dot has a due date", code="due_without_dot", field="due")
    if not body.is_dot:  # a dot is work owed, which an absent student may owe
        await _check_present(conn, lesson, student_id, name)
    form_id = await _form_id(conn, lesson, body.control_form)
    now = ctx.now()
    if not body.is_dot and (dot := await _dot_to_fill(conn, lesson.id, student_id)) is not None:
        return await _fill(conn, ctx, caller, lesson, dot, body, form_id)
    inserted = await conn.execute(
        s.marks.insert().values(
            student_id=student_id,
            lesson_id=lesson.id,
            value=None if body.is_dot else body.value,
            is_dot=body.is_dot,
            due=body.due if body.is_dot else None,
            control_form_id=form_id,
            comment=blank_is_none(body.comment),
            teacher_id=caller.id,
            created_at=now,
            updated_at=now,
        )
    )
    mark_id = inserted.inserted_primary_key[0]
    text = mark_text(body.value, body.is_dot)
    await _history(conn, ctx, caller, mark_id, "created", None, text)
    mark = await _one(conn, mark_id)
    await _change(conn, ctx, lesson, mark, None, text)
    return mark


async def _fill(
    conn: AsyncConnection,
    ctx: ServerContext,
    caller: Caller,
    lesson: LessonInfo,
    dot: Any,
    body: MarkIn,
    form_id: int,
) -> Mark:
    """The dot becomes the mark: same id and history, the value, no due date; the form and
    comment sent (the dot's own when none is)."""
    m = s.marks
    values = {
        "value": body.value,
        "is_dot": False,
        "due": None,
        "control_form_id": form_id if body.control_form is not None else dot.control_form_id,
        "comment": blank_is_none(body.comment) if body.comment is not None else dot.comment,
        "updated_at": ctx.now(),
    }
    await conn.execute(m.update().where(m.c.id == dot.id).values(**values))
    after = mark_text(body.value, False)
    await _history(conn, ctx, caller, dot.id, "changed", DOT, after)
    mark = await _one(conn, dot.id)
    await _change(conn, ctx, lesson, mark, DOT, after)
    return mark


# --- changing and deleting ---------------------------------------------------------------


@dataclass(frozen=True)
class _Current:
    row: Any
    lesson: LessonInfo


async def _writable_mark(conn: AsyncConnection, caller: Caller, mark_id: int) -> _Current:
    """A mark the caller may change: 404 if they may not see it (or it is deleted), 403 if
    they see it but do not teach its subject in its class, 409 if its period is closed."""
    m = s.marks
    row = (
        await conn.execute(sa.select(m).where(m.c.id == mark_id, m.c.deleted_at.is_(None)))
    ).first()
    if row is None:
        raise NotFound("no such mark", code="mark_not_found")
    try:
        await readable_student(conn, caller, row.student_id)
    except NotFound:
        # The same answer as for an id that does not exist, so mark ids cannot be probed.
        raise NotFound("no such mark", code="mark_not_found") from None
    require_teacher(caller)
    lesson = await writable_lesson(conn, caller, row.lesson_id)  # 409 in a closed period
    return _Current(row, lesson)


def _unmodified_since(header: str) -> dt.datetime:
    """If-Unmodified-Since as an HTTP date, or (for scripts) ISO 8601; naive means UTC."""
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        try:
            when = dt.datetime.fromisoformat(header)
        except ValueError:
            raise Invalid(
                "If-Unmodified-Since is not a date",
                code="invalid_header",
                field="If-Unmodified-Since",
            ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _check_unchanged(row: Any, body: MarkPatch, header: str | None) -> None:
    """The TUI sends the updated_at it showed; a newer one means someone else changed it."""
    changed = False
    if body.expected_updated_at is not None:
        expected = body.expected_updated_at
        if expected.tzinfo is None:
            expected = expected.replace(tzinfo=dt.UTC)
        changed = row.updated_at != expected
    if header:
        # HTTP dates have whole seconds: compare at that precision.
        changed = changed or row.updated_at.replace(microsecond=0) > _unmodified_since(header)
    if changed:
        raise Conflict(
            "the mark was changed by someone else since you saw it; reload it",
            code="mark_changed",
        )


async def patch_mark(
    ctx: ServerContext, caller: Caller, mark_id: int, body: MarkPatch, header: str | None
) -> Mark:
    """Change what is sent; a value fills a dot, `is_dot` turns a mark back into a dot."""
    check_line(body.control_form, "control_form")
    check_text(body.comment, "comment")
    sent = body.model_fields_set
    async with ctx.engine.begin() as conn:
        # One writer of the mark at a time: a twin request sees what the first did (a
        # newer updated_at, a deleted mark), not the row both started from, so history
        # and the change feed hold each change once.
        await lock_rows(conn, s.marks, s.marks.c.id == mark_id)
        current = await _writable_mark(conn, caller, mark_id)
        row, lesson = current.row, current.lesson
        _check_unchanged(row, body, header)
        settings, _tz = await school_and_zone(conn, lesson.school_id)
        value, is_dot, due = row.value, row.is_dot, row.due
        form_id, comment = row.control_form_id, row.comment
        if "is_dot" in sent and body.is_dot is not None:
            is_dot = body.is_dot
            if is_dot:
                if "value" in sent and body.value is not None:
                    raise Invalid("a dot has no value", code="dot_with_value", field="value")
                value = None
        if "value" in sent:
            if body.value is None:
                if not is_dot:
                    raise Invalid(
                        "a mark needs a value; to make it a dot send is_dot and due",
                        code="value_required",
                        field="value",
                    )
            else:
                check_value(body.value, settings)
                value, is_dot = body.value, False
        if not is_dot and value is None:
            raise Invalid("give the value that fills the dot", code="value_required", field="value")
        if "due" in sent:
            if not is_dot and body.due is not None:
                raise Invalid("only a dot has a due date", code="due_without_dot", field="due")
            if is_dot:
                due = body.due
        if is_dot:
            check_due(due, lesson)
        else:
            due = None  # a filled dot owes nothing more
        if "control_form" in sent:
            form_id = await patched_control_form(
                conn, lesson.school_id, body.control_form, refusal="a mark needs a control form"
            )
        if "comment" in sent:
            comment = blank_is_none(body.comment)
        values = {
            "value": value,
            "is_dot": is_dot,
            "due": due,
            "control_form_id": form_id,
            "comment": comment,
        }
        if all(row._mapping[k] == v for k, v in values.items()):
            return await _one(conn, mark_id)
        m = s.marks
        await conn.execute(
            m.update().where(m.c.id == mark_id).values(**values, updated_at=ctx.now())
        )
        before, after = mark_text(row.value, row.is_dot), mark_text(value, is_dot)
        await _history(conn, ctx, caller, mark_id, "changed", before, after)
        mark = await _one(conn, mark_id)
        await _change(conn, ctx, lesson, mark, before, after)
        return mark


async def delete_mark(ctx: ServerContext, caller: Caller, mark_id: int) -> None:
    """Hide the mark from the journal and the diary; its history stays."""
    async with ctx.engine.begin() as conn:
        await lock_rows(conn, s.marks, s.marks.c.id == mark_id)  # as in patch_mark
        current = await _writable_mark(conn, caller, mark_id)
        mark = await _one(conn, mark_id)
        now = ctx.now()
        m = s.marks
        await conn.execute(
            m.update().where(m.c.id == mark_id).values(deleted_at=now, updated_at=now)
        )
        before = mark_text(current.row.value, current.row.is_dot)
        await _history(conn, ctx, caller, mark_id, "deleted", before, None)
        await _change(conn, ctx, current.lesson, mark, before, None)


# --- history -----------------------------------------------------------------------------


async def history(ctx: ServerContext, caller: Caller, mark_id: int) -> MarkHistory:
    """Every change of a mark, oldest first; deleted marks keep theirs."""
    m, h, u = s.marks, s.mark_history, s.users
    async with ctx.engine.connect() as conn:
        student_id = (
            await conn.execute(sa.select(m.c.student_id).where(m.c.id == mark_id))
        ).scalar()
        if student_id is None:
            raise NotFound("no such mark", code="mark_not_found")
        try:
            await readable_student(conn, caller, student_id)
        except NotFound:
            raise NotFound("no such mark", code="mark_not_found") from None
        rows = await conn.execute(
            sa.select(h.c.at, h.c.action, h.c.from_value, h.c.to_value, h.c.by_id, u.c.full_name)
            .join(u, u.c.id == h.c.by_id)
            .where(h.c.mark_id == mark_id)
            .order_by(h.c.at, h.c.id)
        )
        return MarkHistory(
            mark_id=str(mark_id),
            changes=[
                MarkChange(
                    at=r.at,
                    by=PersonRef(id=str(r.by_id), full_name=r.full_name),
                    action=r.action,
                    from_=r.from_value,
                    to=r.to_value,
                )
                for r in rows
            ],
        )
