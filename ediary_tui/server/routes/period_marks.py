"""Period (quarter or half-year) marks, set by the subject's teacher."""

from __future__ import annotations

from ediary_tui.domain.models import PeriodMarkIn, PeriodMarkOut

from ..deps import Ctx, CurrentCaller
from ..errors import documented
from ..services import period_marks as service
from .common import data_router

router = data_router("journal")


@router.put(
    "/period-marks",
    responses=documented(
        (
            409,
            "period_closed: the period is closed; period_mark_changed: the mark is not the "
            "version `expected_set_at` names",
        )
    ),
    summary="A teacher sets (or, with a null value, removes) a period mark",
)
async def set_period_mark(body: PeriodMarkIn, caller: CurrentCaller, ctx: Ctx) -> PeriodMarkOut:
    """Only a teacher of the subject in the student's class (403). `value` on the school's scale or
    null; `period_id` must be a period of the school of the kind the class's grade is marked by
    (quarters for 1-9, half-years for 10-11), else 422 on `period_id`. 409 `period_closed` once the
    period is closed. Send the `set_at` you saw as `expected_set_at` (null: you saw no mark) to get
    409 `period_mark_changed` if someone set it since; a resend of what is stored is not refused."""
    return await service.set_period_mark(ctx, caller, body)
