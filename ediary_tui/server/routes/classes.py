"""Classes for the staff: the journals they open, the families, first-login credentials."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from ediary_tui.domain.models import ClassFamilies, ClassList, CredentialsIn, IssuedCredentials

from ..deps import Create, Ctx, CurrentCaller
from ..errors import documented
from ..services import classes as service
from .common import data_router

router = data_router("classes")


@router.get(
    "/classes",
    summary="The classes whose journal the caller may open, each with its subjects",
)
async def list_classes(caller: CurrentCaller, ctx: Ctx) -> ClassList:
    """A teacher: the classes they teach, with the subjects they teach there (`can_write` true); for
    the class they lead (`led_by_me`) every subject taught in it, `can_write` only for their own.
    The admin: every class of their school with every subject, `can_write` only where they also
    teach. Each subject lists its teachers. Classes by grade, then name; subjects by name. Students
    and parents get 403 `not_staff`."""
    return await service.list_classes(ctx, caller)


@router.get(
    "/classes/{class_id}/families",
    responses=documented(404),
    summary="The students of a class with their parents, and who has logged in yet",
)
async def class_families(class_id: str, caller: CurrentCaller, ctx: Ctx) -> ClassFamilies:
    """Students surname first, as the journal lists them, each with the parents linked to them.
    `activated`: the person has chosen their own password. `login` and `can_issue` only for those
    who hand out credentials: the class teacher and the school's admin (`login` is null for the
    class's other teachers). 403 `not_staff` for students and parents, 403 `not_your_class` for a
    teacher who neither teaches nor leads the class; 404 `class_not_found` for an unknown class or
    one of another school."""
    return await service.class_families(ctx, caller, class_id)


@router.post(
    "/classes/{class_id}/credentials",
    responses=documented(404),
    response_model=IssuedCredentials,
    status_code=201,
    summary="New one-time passwords for the students and parents of a class",
)
async def issue_credentials(class_id: str, body: CredentialsIn, create: Create) -> JSONResponse:
    """For the families of `student_ids` (null: the whole class; a student not in the class is 422
    on `student_ids`), skipping people who have chosen their own password when `only_new` is true.
    Each person issued must change the password at the first login, and their sessions end. Parents
    who are also on the staff are never issued. Only the class teacher and the school's admin: 403
    `not_class_teacher` for the class's other teachers, 403 `not_your_class` for other teachers, 403
    `not_staff` for students and parents, 404 `class_not_found` for an unknown class or one of
    another school. The answer is `Cache-Control: no-store`; an `Idempotency-Key` makes a retry
    return the same passwords without resetting anyone again."""
    # `no-store` comes with every authenticated answer (server/headers.py).
    return await create.once(
        lambda conn: service.issue_credentials(conn, create.ctx, create.caller, class_id, body),
        secret=True,  # passwords: sealed with the key, never kept readable
    )
