"""Lessons as the journal writes them: topic, attendance, homework; and a teacher's day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
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

from ..deps import Ctx, CurrentCaller, IdempotencyKey
from ..errors import documented
from ..idempotency import create_once
from ..ids import parse_id
from ..services import lessons as service

router = APIRouter(tags=["journal"], responses=documented(401, 403))


@router.get(
    "/lessons/{lesson_id}",
    responses=documented(404),
    response_model=LessonOut,
    summary="One lesson of the journal",
    description="For anyone who may read the journal of its class and subject (403 otherwise).",
)
async def get_lesson(lesson_id: str, caller: CurrentCaller, ctx: Ctx) -> LessonOut:
    return await service.get_lesson(ctx, caller, parse_id(lesson_id, "lesson"))


@router.patch(
    "/lessons/{lesson_id}",
    responses=documented(404, (409, "period_closed: the period of the lesson is closed")),
    response_model=LessonOut,
    summary="A teacher sets a lesson's topic, default control form or room",
    description=(
        "The fields sent change, the others stay; a blank topic or room clears it. "
        "`control_form` is a code of the school (422 otherwise). Only a teacher of the "
        "subject in the class (403). Once the lesson's period is closed, nothing of it "
        "changes: topic, control form, room, attendance, homework (409 `period_closed`)."
    ),
)
async def patch_lesson(
    lesson_id: str, body: LessonPatch, caller: CurrentCaller, ctx: Ctx
) -> LessonOut:
    return await service.patch_lesson(ctx, caller, parse_id(lesson_id, "lesson"), body)


@router.put(
    "/lessons/{lesson_id}/attendance/{student_id}",
    responses=documented(404, (409, "period_closed: the period of the lesson is closed")),
    response_model=AttendanceOut,
    summary="A teacher marks a student absent, ill, excused or late (null clears)",
    description=(
        "Only a teacher of the subject in the class (403); the student must be in the "
        "lesson's class (422 on `student_id`); `code` is absent, ill, excused, late or null."
    ),
)
async def set_attendance(
    lesson_id: str, student_id: str, body: AttendanceIn, caller: CurrentCaller, ctx: Ctx
) -> AttendanceOut:
    return await service.set_attendance(
        ctx, caller, parse_id(lesson_id, "lesson"), parse_id(student_id, "student"), body.code
    )


@router.post(
    "/lessons/{lesson_id}/homework",
    responses=documented(404, (409, "period_closed: the period of the lesson is closed")),
    response_model=Homework,
    status_code=201,
    summary="A teacher sets homework in a lesson",
    description=(
        "Only a teacher of the subject in the class (403); 409 `period_closed` once the "
        "lesson's period is closed. `due` in the answer is the next lesson of the subject. "
        "An `Idempotency-Key` makes a retry return the first homework."
    ),
)
async def add_homework(
    lesson_id: str,
    body: HomeworkIn,
    caller: CurrentCaller,
    ctx: Ctx,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    lid = parse_id(lesson_id, "lesson")
    return await create_once(
        ctx,
        caller,
        idempotency_key,
        lambda conn: service.add_homework(conn, ctx, caller, lid, body),
    )


@router.patch(
    "/homework/{homework_id}",
    responses=documented(404, (409, "period_closed: the period of the lesson is closed")),
    response_model=Homework,
    summary="A teacher revises homework",
    description="The text or whether it is required; `updated_at` says when it was revised.",
)
async def patch_homework(
    homework_id: str, body: HomeworkPatch, caller: CurrentCaller, ctx: Ctx
) -> Homework:
    return await service.patch_homework(ctx, caller, parse_id(homework_id, "homework"), body)


@router.delete(
    "/homework/{homework_id}",
    responses=documented(404, (409, "period_closed: the period of the lesson is closed")),
    status_code=204,
    response_class=Response,
    summary="A teacher removes homework",
    description="Only a teacher of the subject in the class (403).",
)
async def delete_homework(homework_id: str, caller: CurrentCaller, ctx: Ctx) -> Response:
    await service.delete_homework(ctx, caller, parse_id(homework_id, "homework"))
    return Response(status_code=204)


@router.get(
    "/timetable/teacher",
    response_model=TeacherDay,
    summary="The caller's lessons on a day, in bell order",
    description=(
        "What the teacher gives on `date` (today by default), replacement lessons "
        "included, with times: the TUI opens the journal on the lesson now or next. "
        "403 for students and parents."
    ),
)
async def teacher_day(
    caller: CurrentCaller,
    ctx: Ctx,
    date: Annotated[Date | None, Query(description="YYYY-MM-DD")] = None,
) -> TeacherDay:
    return await service.teacher_day(ctx, caller, date)
