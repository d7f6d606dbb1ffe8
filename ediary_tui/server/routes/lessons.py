"""Lessons as the journal writes them: topic, attendance, homework; and a teacher's day."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response
from fastapi.responses import JSONResponse

from ediary_tui.domain.models import (
    AttendanceIn,
    AttendanceOut,
    Date,
    Homework,
    HomeworkIn,
    HomeworkPatch,
    LessonOut,
    LessonPatch,
    TeacherDay,
)

from ..deps import Create, Ctx, CurrentCaller
from ..errors import documented
from ..ids import parse_id
from ..services import lessons as service
from .common import PERIOD_CLOSED, data_router

router = data_router("journal")


@router.get(
    "/lessons/{lesson_id}",
    responses=documented(404),
    summary="One lesson of the journal",
)
async def get_lesson(lesson_id: str, caller: CurrentCaller, ctx: Ctx) -> LessonOut:
    """For anyone who may read the journal of its class and subject (403 otherwise)."""
    return await service.get_lesson(ctx, caller, parse_id(lesson_id, "lesson"))


@router.patch(
    "/lessons/{lesson_id}",
    responses=documented(
        404,
        (
            409,
            PERIOD_CLOSED[1] + "; lesson_changed: the lesson is not the version "
            "`expected_updated_at` names",
        ),
    ),
    summary="A teacher sets a lesson's topic, default control form or room",
)
async def patch_lesson(
    lesson_id: str, body: LessonPatch, caller: CurrentCaller, ctx: Ctx
) -> LessonOut:
    """The fields sent change, the others stay; a blank topic or room clears it. `control_form` is a
    code of the school (422 otherwise). Only a teacher of the subject in the class (403). Once the
    lesson's period is closed, nothing of it changes: topic, control form, room, attendance,
    homework (409 `period_closed`). Every edit sets the lesson's `updated_at`; send the one you saw
    as `expected_updated_at` (null: never edited) to get 409 `lesson_changed` if someone edited it
    since; a resend that changes nothing is not refused."""
    return await service.patch_lesson(ctx, caller, parse_id(lesson_id, "lesson"), body)


@router.put(
    "/lessons/{lesson_id}/attendance/{student_id}",
    responses=documented(404, PERIOD_CLOSED),
    summary="A teacher marks a student absent, ill, excused or late (null clears)",
)
async def set_attendance(
    lesson_id: str, student_id: str, body: AttendanceIn, caller: CurrentCaller, ctx: Ctx
) -> AttendanceOut:
    """Only a teacher of the subject in the class (403); the student must be in the lesson's class
    (422 on `student_id`); `code` is absent, ill, excused, late or null."""
    return await service.set_attendance(
        ctx, caller, parse_id(lesson_id, "lesson"), parse_id(student_id, "student"), body.code
    )


@router.post(
    "/lessons/{lesson_id}/homework",
    responses=documented(404, PERIOD_CLOSED),
    response_model=Homework,
    status_code=201,
    summary="A teacher sets homework in a lesson",
)
async def add_homework(lesson_id: str, body: HomeworkIn, create: Create) -> JSONResponse:
    """Only a teacher of the subject in the class (403); 409 `period_closed` once the lesson's
    period is closed. `due` is optional: a date not before the lesson (422 `due_before_lesson`
    on `due`); without it the answer's `due` is the next lesson of the subject. An
    `Idempotency-Key` makes a retry return the first homework."""
    lid = parse_id(lesson_id, "lesson")
    return await create.once(
        lambda conn: service.add_homework(conn, create.ctx, create.caller, lid, body)
    )


@router.patch(
    "/homework/{homework_id}",
    responses=documented(404, PERIOD_CLOSED),
    summary="A teacher revises homework",
)
async def patch_homework(
    homework_id: str, body: HomeworkPatch, caller: CurrentCaller, ctx: Ctx
) -> Homework:
    """The text, whether it is required, or `due` (a date not before the lesson, 422 on `due`;
    null: the next lesson again); `updated_at` says when it was revised."""
    return await service.patch_homework(ctx, caller, parse_id(homework_id, "homework"), body)


@router.delete(
    "/homework/{homework_id}",
    responses=documented(404, PERIOD_CLOSED),
    status_code=204,
    response_class=Response,
    summary="A teacher removes homework",
)
async def delete_homework(homework_id: str, caller: CurrentCaller, ctx: Ctx) -> Response:
    """Only a teacher of the subject in the class (403)."""
    await service.delete_homework(ctx, caller, parse_id(homework_id, "homework"))
    return Response(status_code=204)


@router.get(
    "/timetable/teacher",
    summary="The caller's lessons on a day, in bell order",
)
async def teacher_day(
    caller: CurrentCaller,
    ctx: Ctx,
    date: Annotated[Date | None, Query(description="YYYY-MM-DD")] = None,
) -> TeacherDay:
    """What the teacher gives on `date` (today by default), replacement lessons included, with
    times: the TUI opens the journal on the lesson now or next. 403 for students and parents."""
    return await service.teacher_day(ctx, caller, date)
