"""The progress chart of a student."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ediary_tui.domain.models import Progress

from ..deps import OfStudent
from ..params import QueryInt
from ..services import progress as service
from .common import data_router

router = data_router("diary", 404)


@router.get(
    "/students/{student_id}/progress",
    summary="Marks and the running average over time per subject, with the class average",
)
async def get_progress(
    student: OfStudent,
    period_id: Annotated[str | None, Query(max_length=20)] = None,
    year: Annotated[QueryInt | None, Query(ge=2000, le=2100)] = None,
) -> Progress:
    """Over one period (`period_id`), one school year (`year`, the calendar year it starts in) or,
    by default, the current period. Per subject: the student's marks with a value in date order,
    each with the weighted average after it; the student's `average`; and `class_average`, the mean
    of the weighted averages of the class's students with marks in the subject over the same range
    (null when fewer than three have any). No classmate's marks or averages are in the answer. Only
    for those who may read the student (404 otherwise); 422 on `period_id` for a period not of the
    student's school, on `year` when both are given."""
    return await service.progress(student.ctx, student.caller, student.student_id, period_id, year)
