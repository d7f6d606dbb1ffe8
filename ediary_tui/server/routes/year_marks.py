"""Year marks, set by the subject's teacher once the last period of the year is under way."""

from __future__ import annotations

from ediary_tui.domain.models import YearMarkIn, YearMarkOut

from ..deps import Ctx, CurrentCaller
from ..services import year_marks as service
from .common import data_router

router = data_router("journal")


@router.put("/year-marks", summary="A teacher sets (or, with a null value, removes) a year mark")
async def set_year_mark(body: YearMarkIn, caller: CurrentCaller, ctx: Ctx) -> YearMarkOut:
    """Only a teacher of the subject in the student's class (403), for the school year of the
    student's class (403 `year_archived` once archived). `value` on the school's scale or null.
    422 `year_not_over` on `value` before the year's last period (the fourth quarter for grades
    1-9, the second half-year for 10-11) has begun. The family hears of it in the change feed."""
    return await service.set_year_mark(ctx, caller, body)
