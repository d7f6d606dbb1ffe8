"""Messages between a teacher and a parent, in threads about one child."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ediary_tui.domain.models import Message, MessageIn, TeacherList, Thread, ThreadIn, ThreadList

from ..deps import Ctx, CurrentCaller, IdempotencyKey
from ..errors import documented
from ..idempotency import create_once
from ..ids import parse_id
from ..services import messages as service

router = APIRouter(tags=["messages"], responses=documented(401, 403))


@router.get(
    "/threads",
    response_model=ThreadList,
    summary="The caller's threads, the most recently active first",
    description=(
        "Threads where the caller is the teacher or the parent, each with the child it is "
        "about, both parties and `correspondent` (the other one), the last message and "
        "`unread`: the other party's messages the caller has not opened yet. "
        "`unread_total` sums them, for a badge."
    ),
)
async def list_threads(caller: CurrentCaller, ctx: Ctx) -> ThreadList:
    return await service.list_threads(ctx, caller)


@router.get(
    "/threads/{thread_id}",
    responses=documented(404),
    response_model=Thread,
    summary="One thread with its messages, oldest first; opening it marks it read",
    description=(
        "Only its two parties (404 for anyone else). `unread` and `first_unread_id` say "
        "what was new when the caller opened it; it is read from then on."
    ),
)
async def get_thread(thread_id: str, caller: CurrentCaller, ctx: Ctx) -> Thread:
    return await service.open_thread(ctx, caller, parse_id(thread_id, "thread"))


@router.post(
    "/threads",
    responses=documented(404),
    response_model=Thread,
    status_code=201,
    summary="Start a thread about a child with its first message",
    description=(
        "A parent gives `teacher_id`: a teacher who teaches or leads the child's class "
        "(422 on `teacher_id` otherwise; see `GET /teachers`). A teacher of the child's "
        "class gives `parent_id`: a parent of that child (422 on `parent_id` otherwise). "
        "A student the caller may not read is 404; a reader who is not the child's parent "
        "(or not their teacher) is 403. The recipient sees a `message` change in their "
        "feed. An `Idempotency-Key` makes a retry return the first thread."
    ),
)
async def create_thread(
    body: ThreadIn, caller: CurrentCaller, ctx: Ctx, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return await create_once(
        ctx, caller, idempotency_key, lambda conn: service.create_thread(conn, ctx, caller, body)
    )


@router.post(
    "/threads/{thread_id}/messages",
    responses=documented(404),
    response_model=Message,
    status_code=201,
    summary="Write in a thread",
    description=(
        "Only its two parties (404 for anyone else). Writing marks the thread read for the "
        "author; the other party sees a `message` change in their feed. An "
        "`Idempotency-Key` makes a retry return the first message."
    ),
)
async def post_message(
    thread_id: str,
    body: MessageIn,
    caller: CurrentCaller,
    ctx: Ctx,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    tid = parse_id(thread_id, "thread")
    return await create_once(
        ctx,
        caller,
        idempotency_key,
        lambda conn: service.post_message(conn, ctx, caller, tid, body),
    )


@router.get(
    "/teachers",
    responses=documented(404),
    response_model=TeacherList,
    summary="A child's teachers and their subjects, for a new message",
    description=(
        "Who teaches in the child's class (with the subjects) and who leads it "
        "(`class_teacher`). Only for those who may read the child (404 otherwise)."
    ),
)
async def list_teachers(
    caller: CurrentCaller, ctx: Ctx, student_id: Annotated[str, Query(max_length=20)]
) -> TeacherList:
    return await service.list_teachers(ctx, caller, parse_id(student_id, "student"))
