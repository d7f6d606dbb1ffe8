"""The journal of a class in a subject for a period: what a teacher's main screen reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from ediary_tui.domain.models import Journal

from ..deps import Ctx, CurrentCaller
from ..services import journal as service
from .common import data_router

router = data_router("journal", 404)


@router.get(
    "/journal",
    response_model=Journal,
    summary="The journal of a class in one subject for one period",
)
async def get_journal(
    caller: CurrentCaller,
    ctx: Ctx,
    class_id: Annotated[str, Query(max_length=20)],
    subject_id: Annotated[str, Query(max_length=20)],
    period_id: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """Students (by full name, surname first) with their weighted `average`, the `proposed` period
    mark (the school's threshold), the `period_mark` set, the lessons missed so far (`absences` of
    `lessons_held`, the period's lessons up to today) and the subject's `year_mark`; the period's lessons in order with
    topic, default control form and homework; and `cells` only where a student has marks or
    attendance in a lesson. `period_id` defaults to the period containing today, else the nearest;
    `periods` lists the school year's periods of the class's kind for a picker. Readable by the
    teachers of the subject in the class (`can_write` true), the class teacher and the school's
    admin (`can_write` false); 403 `not_your_subject` for other teachers, 403 for students and
    parents, 404 for an unknown class or a subject not taught in it."""
    # The biggest read of the journal: dumped once here, not validated again by FastAPI.
    journal = await service.journal(ctx, caller, class_id, subject_id, period_id)
    return Response(journal.model_dump_json(by_alias=True), media_type="application/json")
