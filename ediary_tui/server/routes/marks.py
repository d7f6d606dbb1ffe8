"""Marks in the journal: put, change, delete, and their history."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response
from fastapi.responses import JSONResponse

from ediary_tui.domain.models import Mark, MarkHistory, MarkIn, MarkPatch

from ..deps import Create, Ctx, CurrentCaller
from ..errors import documented
from ..ids import parse_id
from ..services import marks as service
from .common import PERIOD_CLOSED, data_router

router = data_router("journal")


@router.post(
    "/marks",
    responses=documented(PERIOD_CLOSED),
    response_model=Mark,
    status_code=201,
    summary="A teacher puts a mark or a dot",
)
async def create_mark(body: MarkIn, create: Create) -> JSONResponse:
    """Only a teacher of the lesson's subject in its class (403 `not_your_subject`). `value` on the
    school's scale, or `is_dot` with a `due` date not before the lesson; `control_form` is a code,
    the lesson's default if absent. 422 naming the field: unknown `lesson_id` or a lesson still to
    come, a student not in the lesson's class (`student_id`), a value off the scale, a dot with a
    value or without a due date, an unknown control form; 422 `mark_on_absent` (on `student_id`)
    for a student marked absent in the lesson where the school's `mark_on_absent` is `refuse`
    (the journal's `settings` say the rule). A value put where the student has a dot fills the
    dot (the oldest): the answer is that mark, its history goes on from the dot. 409
    `period_closed` once the lesson's period is closed. An `Idempotency-Key` makes a retry
    return the first mark."""
    return await create.once(
        lambda conn: service.create_mark(conn, create.ctx, create.caller, body)
    )


@router.patch(
    "/marks/{mark_id}",
    responses=documented(
        404,
        (
            409,
            "period_closed: the period of the lesson is closed; "
            "mark_changed: someone changed the mark since you saw it",
        ),
    ),
    summary="A teacher changes a mark (or fills a dot)",
)
async def patch_mark(
    mark_id: str,
    body: MarkPatch,
    caller: CurrentCaller,
    ctx: Ctx,
    if_unmodified_since: Annotated[str | None, Header(max_length=100)] = None,
) -> Mark:
    """The fields sent change, the others stay: a `value` fills a dot, `is_dot` with `due` turns a
    mark back into a dot. Send the `updated_at` you saw as `expected_updated_at` (or an
    `If-Unmodified-Since` header) to get 409 `mark_changed` if someone changed the mark since. Each
    change adds to the history."""
    return await service.patch_mark(
        ctx, caller, parse_id(mark_id, "mark"), body, if_unmodified_since
    )


@router.delete(
    "/marks/{mark_id}",
    responses=documented(404, PERIOD_CLOSED),
    status_code=204,
    response_class=Response,
    summary="A teacher deletes a mark; its history stays",
)
async def delete_mark(mark_id: str, caller: CurrentCaller, ctx: Ctx) -> Response:
    """The mark leaves the journal and the diary; `GET .../history` still shows it."""
    await service.delete_mark(ctx, caller, parse_id(mark_id, "mark"))
    return Response(status_code=204)


@router.get(
    "/marks/{mark_id}/history",
    responses=documented(404),
    summary="Every change of a mark, oldest first",
)
async def mark_history(mark_id: str, caller: CurrentCaller, ctx: Ctx) -> MarkHistory:
    """Who put, changed or deleted it, when, from what to what (`•` is a dot). Readable by anyone
    who may read the student's diary, also after the mark was deleted; 404 for anyone else."""
    return await service.history(ctx, caller, parse_id(mark_id, "mark"))
