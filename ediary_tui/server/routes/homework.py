"""A student's homework, and the student's own "done" tick."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ediary_tui.domain.models import Date, Homework, HomeworkDone, HomeworkList

from ..deps import Ctx, CurrentCaller
from ..errors import documented
from ..ids import parse_id
from ..params import QueryBool
from ..services import homework as service

router = APIRouter(tags=["diary"], responses=documented(401, 403))


@router.get(
    "/students/{student_id}/homework",
    responses=documented(404),
    response_model=HomeworkList,
    summary="Homework set in a range of lessons",
    description=(
        "Homework of the lessons from `from` to `to` (the current week by default), "
        "optionally of one subject or only required (or optional) ones, with when it was "
        "set and revised, its due date (the next lesson of the subject) and whether the "
        "student has ticked it done."
    ),
)
async def list_homework(
    student_id: str,
    caller: CurrentCaller,
    ctx: Ctx,
    date_from: Annotated[Date | None, Query(alias="from")] = None,
    date_to: Annotated[Date | None, Query(alias="to")] = None,
    subject_id: Annotated[str | None, Query(max_length=20)] = None,
    required: QueryBool | None = None,
) -> HomeworkList:
    return await service.list_homework(
        ctx, caller, parse_id(student_id, "student"), date_from, date_to, subject_id, required
    )


@router.put(
    "/students/{student_id}/homework/{homework_id}/done",
    responses=documented(404),
    response_model=Homework,
    summary="The student marks their homework done (or not)",
    description="Only the student themself; a parent or teacher gets 403.",
)
async def set_done(
    student_id: str, homework_id: str, body: HomeworkDone, caller: CurrentCaller, ctx: Ctx
) -> Homework:
    return await service.set_done(
        ctx,
        caller,
        parse_id(student_id, "student"),
        parse_id(homework_id, "homework"),
        body.done,
    )
