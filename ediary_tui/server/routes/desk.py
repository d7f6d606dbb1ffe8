"""The class teacher's desk: their class's week (signatures, notices, behaviour notes) and
the parent meetings they call, which the families of the class read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response
from fastapi.responses import JSONResponse

from ediary_tui.domain.models import (
    BehaviourNote,
    BehaviourNoteIn,
    ClassDesk,
    Date,
    Id,
    MeetingList,
    ParentMeeting,
    ParentMeetingIn,
    ParentMeetingPatch,
)

from ..deps import Create, Ctx, CurrentCaller, OfStudent
from ..errors import documented
from ..ids import parse_id
from ..services import desk as service
from .common import data_router

router = data_router("desk")


@router.get(
    "/desk",
    responses=documented(404),
    summary="The class teacher's week of their class",
)
async def get_desk(
    caller: CurrentCaller,
    ctx: Ctx,
    class_id: Annotated[Id | None, Query(description="default: the class the caller leads")] = None,
    start: Annotated[Date | None, Query(description="any day of the week, YYYY-MM-DD")] = None,
) -> ClassDesk:
    """The students (surname first) with the week's parent signature and behaviour note (who
    wrote it, when), the class's notices of absence in force that end in the week or later, and
    its parent meetings from the week's Monday on. For the class teacher (`can_write` true) and
    the school's admin; 403 `not_class_teacher` for the other teachers, 403 `not_staff` for
    students and parents, 404 `class_not_found` for an unknown class or one of another school."""
    return await service.desk(ctx, caller, class_id, start)


@router.put(
    "/students/{student_id}/behaviour-note",
    responses=documented(404),
    summary="The class teacher writes the week's behaviour note of a student",
)
async def put_behaviour_note(
    student_id: str, body: BehaviourNoteIn, caller: CurrentCaller, ctx: Ctx
) -> BehaviourNote:
    """`monday` names the week (422 unless a Monday); a blank or null `note` clears it. The
    family's week shows it with its author and date. Only the student's class teacher (403
    `not_class_teacher` for others who may read the diary, 404 for anyone else)."""
    return await service.set_behaviour_note(ctx, caller, parse_id(student_id, "student"), body)


@router.get(
    "/students/{student_id}/meetings",
    responses=documented(404),
    summary="The upcoming parent meetings of the child's class",
)
async def student_meetings(student: OfStudent) -> MeetingList:
    """From today on, soonest first. Readable by whoever reads the child's diary."""
    return await service.student_meetings(student.ctx, student.caller, student.student_id)


@router.post(
    "/classes/{class_id}/meetings",
    responses=documented(404),
    response_model=ParentMeeting,
    status_code=201,
    summary="The class teacher calls a parent meeting",
)
async def create_meeting(class_id: str, body: ParentMeetingIn, create: Create) -> JSONResponse:
    """`starts_at` with its offset, to come and within a year (422 on `starts_at`), `place` one
    line, `agenda` any text. Only the class teacher (403 `not_class_teacher`). The families of the
    class see it in their diary. An `Idempotency-Key` makes a retry return the first meeting."""
    return await create.once(
        lambda conn: service.create_meeting(conn, create.ctx, create.caller, class_id, body)
    )


@router.patch(
    "/meetings/{meeting_id}",
    responses=documented(404),
    summary="The class teacher changes a meeting's time, place or agenda",
)
async def patch_meeting(
    meeting_id: str, body: ParentMeetingPatch, caller: CurrentCaller, ctx: Ctx
) -> ParentMeeting:
    """The fields sent change, the others stay. Only the class teacher of its class (403)."""
    return await service.patch_meeting(ctx, caller, parse_id(meeting_id, "meeting"), body)


@router.delete(
    "/meetings/{meeting_id}",
    responses=documented(404),
    status_code=204,
    response_class=Response,
    summary="The class teacher cancels a meeting",
)
async def cancel_meeting(meeting_id: str, caller: CurrentCaller, ctx: Ctx) -> Response:
    """The families hear that it is cancelled. Only the class teacher of its class (403)."""
    await service.cancel_meeting(ctx, caller, parse_id(meeting_id, "meeting"))
    return Response(status_code=204)
