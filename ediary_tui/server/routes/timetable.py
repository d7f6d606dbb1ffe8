"""A teacher's week: the timetable screen's one answer, with the bell schedule."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ediary_tui.domain.models import Date, TeacherWeek

from ..deps import Ctx, CurrentCaller
from ..services import timetable as service
from .common import data_router

router = data_router("journal")


@router.get(
    "/timetable/teacher/week",
    summary="The caller's lessons in a week, with the day's changes and the bells",
)
async def teacher_week(
    caller: CurrentCaller,
    ctx: Ctx,
    start: Annotated[Date | None, Query(description="any day of the week, YYYY-MM-DD")] = None,
) -> TeacherWeek:
    """Monday to Saturday: the lessons the caller gives (replacements and added lessons
    included) and those of theirs a stand-in gives (`mine` false), each with its times, the
    day's `change` and the period whose journal holds it; the school's bell schedule with its
    named breaks. 403 `not_staff` for students and parents."""
    return await service.teacher_week(ctx, caller, start)
