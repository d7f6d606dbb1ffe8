"""Announcements to a class or to the whole school."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse

from ediary_tui.domain.models import Announcement, AnnouncementIn, AnnouncementList

from ..deps import Create, Ctx, CurrentCaller
from ..errors import documented
from ..ids import parse_id
from ..params import QueryInt
from ..services import announcements as service
from .common import data_router

router = data_router("announcements")


@router.get(
    "/announcements",
    responses=documented(404),
    summary="The school's and the classes' announcements the caller may read, newest first",
)
async def list_announcements(
    caller: CurrentCaller,
    ctx: Ctx,
    student_id: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[QueryInt, Query(ge=1, le=200)] = 50,
) -> AnnouncementList:
    """A parent reads those of each child's school and class, a student their own, a teacher those
    of their school and of the classes they teach or lead, the admin every one of their school.
    `student_id` narrows the answer to one child's school and class (404 for a student the caller
    may not read). At most `limit` of them."""
    student = None if student_id is None else parse_id(student_id, "student")
    return await service.list_announcements(ctx, caller, student, limit)


@router.post(
    "/announcements",
    response_model=Announcement,
    status_code=201,
    summary="A teacher announces to a class; the admin to a class or the whole school",
)
async def create_announcement(body: AnnouncementIn, create: Create) -> JSONResponse:
    """`class_id` null means the whole school: the admin only. A teacher writes to the classes they
    teach or lead (403 `not_your_class` otherwise); students and parents get 403 `not_staff`. An
    unknown class is 422 on `class_id`. An `Idempotency-Key` makes a retry return the first
    announcement."""
    return await create.once(
        lambda conn: service.create_announcement(conn, create.ctx, create.caller, body)
    )
