"""The weekly diary of a student, and a parent's signature under a week."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response

from ediary_tui.domain.models import Date, Signature, Week

from ..deps import Ctx, CurrentCaller, OfStudent
from ..errors import documented
from ..ids import parse_id
from ..services import week as service
from .common import data_router

router = data_router("diary")


@router.get(
    "/students/{student_id}/week",
    responses=documented(404),
    response_model=Week,
    summary="The weekly diary of a student",
)
async def get_week(
    student: OfStudent,
    start: Annotated[Date | None, Query(description="any day of the week, YYYY-MM-DD")] = None,
) -> Response:
    """Days Monday to Saturday (Monday to Friday for a five-day class), each with its lessons in
    order: times, subject, teacher, room, topic, homework, marks and attendance; the week's
    behaviour note and signature; and the school's settings (scale, threshold, control forms with
    their weights). `start` may be any day of the week; the current week without it. Readable by the
    student, their parents, the teachers of their class and the school's admin; 404 for anyone
    else."""
    body = await service.week_json(student.ctx, student.caller, student.student_id, start)
    return Response(body, media_type="application/json")


@router.post(
    "/students/{student_id}/week/{monday}/signature",
    status_code=201,
    summary="A parent signs (acknowledges) a week",
    responses={
        200: {"model": Signature, "description": "the week was already signed"},
        **documented(404),
    },
)
async def sign_week(
    student_id: str,
    monday: Annotated[Date, Path(description="the Monday of the week, YYYY-MM-DD")],
    caller: CurrentCaller,
    ctx: Ctx,
    response: Response,
) -> Signature:
    """Only a parent of the student; 403 for others who may read the diary. `monday` must be a
    Monday of a week that has begun (422 otherwise). 201 when signed now; signing again answers 200
    with the first signature."""
    signature, new = await service.sign_week(ctx, caller, parse_id(student_id, "student"), monday)
    if not new:
        response.status_code = 200
    return signature
