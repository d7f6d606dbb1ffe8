"""A student's report card and marks over time."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ediary_tui.domain.models import Date, MarksPage, ReportCard

from ..deps import OfStudent
from ..params import QueryInt
from ..services import report_card as service
from .common import data_router

router = data_router("diary", 404)


@router.get(
    "/students/{student_id}/report-card",
    summary="Subjects by periods: averages, period marks, absences, year marks",
)
async def get_report_card(
    student: OfStudent,
    year: Annotated[QueryInt | None, Query(ge=2000, le=2100)] = None,
) -> ReportCard:
    """Quarters for grades 1-9, half-years for 10-11. Per subject and period: the weighted average
    of the marks with a value, the period mark if set, the mark proposed from the average by the
    school's threshold, absences (and how many for illness). `year` is the calendar year the school
    year starts in; by default the year of the student's class now. A card is of the class the
    student was in that year (after moving up, last year's card has last year's class, quarters or
    halves by its grade, subjects and teachers); `years` lists the years the student has a class
    in. A year without one (before they came, after they left) is an empty card (no periods, no
    subjects), not 404, so the app can turn through the years."""
    return await service.report_card(student.ctx, student.caller, student.student_id, year)


@router.get(
    "/students/{student_id}/marks",
    summary="A student's marks in date order, for charts",
)
async def get_marks(
    student: OfStudent,
    date_from: Annotated[Date | None, Query(alias="from")] = None,
    date_to: Annotated[Date | None, Query(alias="to")] = None,
    subject_id: Annotated[str | None, Query(max_length=20)] = None,
) -> MarksPage:
    """Marks of lessons from `from` to `to` (both inclusive; the current school year by default),
    optionally of one subject. `to` before `from` is 422 on `to`."""
    return await service.student_marks(
        student.ctx, student.caller, student.student_id, date_from, date_to, subject_id
    )
