"""Messages between a teacher and a family member (a parent or the student), in threads about
one child."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse

from ediary_tui.domain.models import Message, MessageIn, TeacherList, Thread, ThreadIn, ThreadList

from ..deps import Create, Ctx, CurrentCaller
from ..errors import documented
from ..ids import parse_id
from ..services import messages as service
from .common import data_router

router = data_router("messages")


@router.get(
    "/threads",
    summary="The caller's threads, the most recently active first",
)
async def list_threads(caller: CurrentCaller, ctx: Ctx) -> ThreadList:
    """Threads where the caller is the teacher or the family member (`parent`: a parent of the
    child, or the student themself), each with the child it is about, both parties and
    `correspondent` (the other one), the last message and `unread`: the other party's messages the
    caller has not opened yet. `unread_total` sums them, for a badge."""
    return await service.list_threads(ctx, caller)


@router.get(
    "/threads/{thread_id}",
    responses=documented(404),
    summary="One thread with its messages, oldest first; opening it marks it read",
)
async def get_thread(thread_id: str, caller: CurrentCaller, ctx: Ctx) -> Thread:
    """Only its two parties (404 for anyone else). `unread` and `first_unread_id` say what was new
    when the caller opened it; it is read from then on."""
    return await service.open_thread(ctx, caller, parse_id(thread_id, "thread"))


@router.post(
    "/threads",
    responses=documented(404),
    response_model=Thread,
    status_code=201,
    summary="Start a thread about a child with its first message",
)
async def create_thread(body: ThreadIn, create: Create) -> JSONResponse:
    """A parent gives `teacher_id`: a teacher who teaches or leads the child's class (422 on
    `teacher_id` otherwise; see `GET /teachers`). So does a student about themself, where the
    school allows it (`students_may_write`; 403 `students_may_not_write` otherwise). A teacher of
    the child's class gives `parent_id`: a parent of that child or the child (422 on `parent_id`
    otherwise). A student the caller may not read is 404; a reader who is not the child's parent
    (or not their teacher) is 403. The recipient sees a `message` change in their feed. An
    `Idempotency-Key` makes a retry return the first thread."""
    return await create.once(
        lambda conn: service.create_thread(conn, create.ctx, create.caller, body)
    )


@router.post(
    "/threads/{thread_id}/messages",
    responses=documented(404),
    response_model=Message,
    status_code=201,
    summary="Write in a thread",
)
async def post_message(thread_id: str, body: MessageIn, create: Create) -> JSONResponse:
    """Only its two parties (404 for anyone else). Writing marks the thread read for the author; the
    other party sees a `message` change in their feed. An `Idempotency-Key` makes a retry return the
    first message."""
    tid = parse_id(thread_id, "thread")
    return await create.once(
        lambda conn: service.post_message(conn, create.ctx, create.caller, tid, body)
    )


@router.get(
    "/teachers",
    responses=documented(404),
    summary="A child's teachers and their subjects, for a new message",
)
async def list_teachers(
    caller: CurrentCaller, ctx: Ctx, student_id: Annotated[str, Query(max_length=20)]
) -> TeacherList:
    """Who teaches in the child's class (with the subjects) and who leads it (`class_teacher`). Only
    for those who may read the child (404 otherwise)."""
    return await service.list_teachers(ctx, caller, parse_id(student_id, "student"))
