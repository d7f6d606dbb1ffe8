"""The school's administration in the app: people, classes, the day's timetable changes.

Every route is for the admin of the school alone: anyone else (a teacher, a class
teacher, a parent, a student) is 403 `not_admin`; a person or a class of another
school is 404 to an admin, as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse

from ediary_tui.domain.models import (
    AdminClass,
    AdminClassList,
    ClassMembers,
    ClassTeacherIn,
    ClassTimetable,
    Date,
    DayChanges,
    LessonChanged,
    LessonChangeIn,
    LinkIn,
    OneTimePassword,
    PeopleFound,
    PersonCard,
    PersonIn,
    SlotIn,
    StaffList,
    SubjectList,
    Unlocked,
)

from ..deps import Create, Ctx, CurrentCaller
from ..errors import documented
from ..params import QueryInt
from ..services import admin_classes, admin_people, admin_timetable
from .common import data_router

router = data_router("admin", (403, "not_admin: only the school's administrator"))

REFUSED = (
    422,
    "an invalid field, or `refused`: the school's rules refuse it (the message says why)",
)


# --- people -----------------------------------------------------------------------------------


@router.get(
    "/admin/people",
    responses=documented(422),
    summary="People of the school whose login starts with, or whose name holds, the text",
)
async def search_people(
    caller: CurrentCaller,
    ctx: Ctx,
    q: Annotated[str, Query(max_length=100, description="at least 2 characters")],
    limit: Annotated[QueryInt, Query(ge=1, le=admin_people.MAX_HITS)] = admin_people.DEFAULT_HITS,
) -> PeopleFound:
    """An exact login first, then by full name. `more` is true when more people match than
    `limit`: the admin types more. 422 on `q` for fewer than 2 characters."""
    return await admin_people.search(ctx, caller, q, limit)


@router.get(
    "/admin/people/{person_id}",
    responses=documented((404, "person_not_found")),
    summary="A person's card: roles, class, children or parents, activated, locked",
)
async def person_card(person_id: str, caller: CurrentCaller, ctx: Ctx) -> PersonCard:
    """`activated`: the person has chosen their own password. `locked_until`: failed logins
    make the server refuse them until then (unlock lifts it)."""
    return await admin_people.card(ctx, caller, person_id)


@router.post(
    "/admin/people",
    responses=documented(REFUSED),
    response_model=OneTimePassword,
    status_code=201,
    summary="Create a student (in a class), a parent or a teacher, with a one-time password",
)
async def create_person(body: PersonIn, create: Create) -> JSONResponse:
    """The login is made from the name unless given. The password is shown once and must be
    changed at the first login; an `Idempotency-Key` makes a retry return the same person and
    password without creating another."""
    return await create.once(
        lambda conn: admin_people.create(conn, create.ctx, create.caller, body),
        secret=True,  # a password: sealed with the key, never kept readable
    )


@router.post(
    "/admin/people/{person_id}/children",
    responses=documented((404, "person_not_found"), REFUSED),
    response_model=PersonCard,
    status_code=201,
    summary="Link a parent (or legal representative) to a child of the school",
)
async def link_child(person_id: str, body: LinkIn, create: Create) -> JSONResponse:
    """The person gets the parent role if they had not; the answer is their card."""
    return await create.once(
        lambda conn: admin_people.link(conn, create.ctx, create.caller, person_id, body)
    )


@router.delete(
    "/admin/people/{person_id}/children/{child_id}",
    responses=documented((404, "person_not_found"), REFUSED),
    summary="Unlink a parent from a child: the child's diary is no longer theirs",
)
async def unlink_child(
    person_id: str, child_id: str, caller: CurrentCaller, ctx: Ctx
) -> PersonCard:
    """Their other children stay theirs; the answer is the parent's card."""
    return await admin_people.unlink(ctx, caller, person_id, child_id)


@router.post(
    "/admin/people/{person_id}/password",
    responses=documented((404, "person_not_found"), REFUSED),
    response_model=OneTimePassword,
    status_code=201,
    summary="A new one-time password for a person; their sessions end",
)
async def reset_password(person_id: str, create: Create) -> JSONResponse:
    """The person must change it at the next login. Not for the admin's own account (422
    `refused`). An `Idempotency-Key` makes a retry return the same password."""
    return await create.once(
        lambda conn: admin_people.reset_password(conn, create.ctx, create.caller, person_id),
        secret=True,
    )


@router.post(
    "/admin/people/{person_id}/unlock",
    responses=documented((404, "person_not_found")),
    response_model=Unlocked,
    status_code=201,
    summary="Lift the waits that failed logins put on a person's login",
)
async def unlock_person(person_id: str, create: Create) -> JSONResponse:
    """From every address, and their password change; `lifted` says what was lifted."""
    return await create.once(
        lambda conn: admin_people.unlock(conn, create.ctx, create.caller, person_id)
    )


# --- classes ----------------------------------------------------------------------------------


@router.get("/admin/classes", summary="The classes of the school year being taught")
async def list_classes(caller: CurrentCaller, ctx: Ctx) -> AdminClassList:
    """By grade, then name; each with its class teacher and how many students it has."""
    return await admin_classes.list_classes(ctx, caller)


@router.get(
    "/admin/classes/{class_id}/members",
    responses=documented((404, "class_not_found")),
    summary="A class's students, each with their parents",
    response_model_by_alias=True,
)
async def class_members(class_id: str, caller: CurrentCaller, ctx: Ctx) -> ClassMembers:
    """Students surname first, with their logins and whether they have logged in yet."""
    return await admin_classes.members(ctx, caller, class_id)


@router.put(
    "/admin/classes/{class_id}/teacher",
    responses=documented((404, "class_not_found"), REFUSED),
    summary="Set a class's class teacher, or leave it without one",
)
async def set_class_teacher(
    class_id: str, body: ClassTeacherIn, caller: CurrentCaller, ctx: Ctx
) -> AdminClass:
    """The teacher gets the class teacher role; the one before loses it unless they lead
    another class."""
    return await admin_classes.set_class_teacher(ctx, caller, class_id, body)


@router.get(
    "/admin/classes/{class_id}/timetable",
    responses=documented((404, "class_not_found")),
    summary="A class's weekly timetable",
)
async def class_timetable(class_id: str, caller: CurrentCaller, ctx: Ctx) -> ClassTimetable:
    """Each slot: the weekday (0 Monday), the lesson number, the subject, teacher and room."""
    return await admin_classes.timetable(ctx, caller, class_id)


@router.put(
    "/admin/classes/{class_id}/timetable/{weekday}/{number}",
    responses=documented((404, "class_not_found"), REFUSED),
    summary="Put a lesson in one slot of a class's week, from today",
)
async def set_slot(
    class_id: str,
    weekday: QueryInt,
    number: QueryInt,
    body: SlotIn,
    caller: CurrentCaller,
    ctx: Ctx,
) -> ClassTimetable:
    """`weekday` 0 is Monday. The slot's lessons from today on follow (those with marks,
    attendance, homework or a topic are kept); a teacher or room already elsewhere then is
    422 `refused` naming the clash. The answer is the class's week."""
    return await admin_classes.set_slot(ctx, caller, class_id, weekday, number, body)


@router.delete(
    "/admin/classes/{class_id}/timetable/{weekday}/{number}",
    responses=documented((404, "class_not_found"), REFUSED),
    summary="Take the lesson out of one slot of a class's week, from today",
)
async def clear_slot(
    class_id: str, weekday: QueryInt, number: QueryInt, caller: CurrentCaller, ctx: Ctx
) -> ClassTimetable:
    """The answer is the class's week; an empty slot is 422 `refused`."""
    return await admin_classes.clear_slot(ctx, caller, class_id, weekday, number)


@router.get("/admin/subjects", summary="The school's subjects")
async def list_subjects(caller: CurrentCaller, ctx: Ctx) -> SubjectList:
    """By name: what a slot of a class's week may hold."""
    return await admin_classes.subjects(ctx, caller)


@router.get("/admin/teachers", summary="The school's teachers")
async def list_teachers(caller: CurrentCaller, ctx: Ctx) -> StaffList:
    """Whom a class or a replacement lesson may be given to, surname first."""
    return await admin_classes.teachers(ctx, caller)


# --- the day's timetable changes -------------------------------------------------------------


@router.get(
    "/admin/timetable/changes",
    responses=documented(422),
    summary="The lessons of a day that are not as the timetable has them",
)
async def day_changes(
    caller: CurrentCaller,
    ctx: Ctx,
    on: Annotated[
        Date | None, Query(alias="date", description="YYYY-MM-DD; today if absent")
    ] = None,
) -> DayChanges:
    """Replaced (with the usual teacher), cancelled, moved (with where from) and added lessons,
    by class and lesson number."""
    return await admin_timetable.day_changes(ctx, caller, on)


@router.post(
    "/admin/timetable/changes",
    responses=documented((404, "class_not_found"), REFUSED),
    response_model=LessonChanged,
    status_code=201,
    summary="Change one lesson of one day: replace its teacher, cancel, move, add or restore",
)
async def change_lesson(body: LessonChangeIn, create: Create) -> JSONResponse:
    """`replace` needs `teacher_id`; `move` needs `to_date` and `to_number`; `add` needs
    `subject_id` and `teacher_id`; `restore` puts the lesson back as the timetable has it.
    A clash (the teacher or room elsewhere then) is 422 `refused` saying which. The answer
    lists the day's changes after this one."""
    return await create.once(
        lambda conn: admin_timetable.change_lesson(conn, create.ctx, create.caller, body)
    )
