"""Notices of absence: a parent tells the school a child will miss lessons."""

from __future__ import annotations

from fastapi import Response
from fastapi.responses import JSONResponse

from ediary_tui.domain.models import AbsenceNotice, AbsenceNoticeIn, AbsenceNoticeList

from ..deps import Create, Ctx, CurrentCaller, OfStudent
from ..errors import documented
from ..ids import parse_id
from ..services import notices as service
from .common import data_router

router = data_router("notices", 404)


@router.get(
    "/students/{student_id}/absence-notices",
    summary="The child's notices of absence, newest first",
)
async def list_notices(student: OfStudent) -> AbsenceNoticeList:
    """Withdrawn notices are left out; `state` is upcoming, current or past."""
    return await service.list_notices(student.ctx, student.caller, student.student_id)


@router.post(
    "/students/{student_id}/absence-notices",
    responses=documented(
        (409, "notice_overlaps: a notice of the child in force covers some of these days")
    ),
    response_model=AbsenceNotice,
    status_code=201,
    summary="A parent gives a notice of absence",
)
async def create_notice(student_id: str, body: AbsenceNoticeIn, create: Create) -> JSONResponse:
    """Only a parent of the student (403 for others who may read the diary). The child's lessons in
    the range become `excused` (an `ill` or `late` already in the journal stays). 422 naming the
    field: `to` before `from`, more than 60 days (`to`), outside the current school year (`from` or
    `to`), `first_lesson`/`last_lesson` unless `from` equals `to`, or the last lesson before the
    first (`last_lesson`). **409 `notice_overlaps`** when the range overlaps a notice of the child
    that is in force. An `Idempotency-Key` makes a retry return the first notice."""
    sid = parse_id(student_id, "student")
    return await create.once(
        lambda conn: service.create_notice(conn, create.ctx, create.caller, sid, body)
    )


@router.delete(
    "/students/{student_id}/absence-notices/{notice_id}",
    responses=documented((409, "notice_started: its first lesson has begun")),
    status_code=204,
    response_class=Response,
    summary="Its author withdraws a notice before it starts",
)
async def withdraw_notice(
    student_id: str, notice_id: str, caller: CurrentCaller, ctx: Ctx
) -> Response:
    """Only the parent who gave it (403 for others who may read the diary); 409 `notice_started`
    once its first lesson has begun. The `excused` codes it set go."""
    await service.withdraw_notice(
        ctx, caller, parse_id(student_id, "student"), parse_id(notice_id, "notice")
    )
    return Response(status_code=204)
