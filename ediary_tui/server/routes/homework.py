"""A student's homework, and the student's own "done" tick."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ediary_tui.domain.models import Date, Homework, HomeworkDone, HomeworkList

from ..deps import Ctx, CurrentCaller, OfStudent
from ..ids import parse_id
from ..params import QueryBool
from ..services import homework as service
from .common import data_router

router = data_router("diary", 404)


@router.get(
    "/students/{student_id}/homework",
    summary="Homework set in a range of lessons",
)
async def list_homework(
    student: OfStudent,
    date_from: Annotated[Date | None, Query(alias="from")] = None,
    date_to: Annotated[Date | None, Query(alias="to")] = None,
    subject_id: Annotated[str | None, Query(max_length=20)] = None,
    required: QueryBool | None = None,
) -> HomeworkList:
    """Homework of the lessons from `from` to `to` (the current week by default), optionally of one
    subject or only required (or optional) ones, with when it was set and revised, its due date (the
    date the teacher chose, else the next lesson of the subject) and whether the student has ticked it done."""
    return await service.list_homework(
        student.ctx, student.caller, student.student_id, date_from, date_to, subject_id, required
    )


@router.put(
    "/students/{student_id}/homework/{homework_id}/done",
    summary="The student marks their homework done (or not)",
)
async def set_done(
    student_id: str, homework_id: str, body: HomeworkDone, caller: CurrentCaller, ctx: Ctx
) -> Homework:
    """Only the student themself; a parent or teacher gets 403."""
    return await service.set_done(
        ctx,
        caller,
        parse_id(student_id, "student"),
        parse_id(homework_id, "homework"),
        body.done,
    )
