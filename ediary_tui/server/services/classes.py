"""Classes as the staff see them: the journals they open, the families, first-login credentials.

A teacher opens the subjects they teach; the class teacher every subject of
their class, the admin every subject of their school, writing only where
they teach. The families of a class are read by its teachers; logins and
new passwords are for the class teacher and the admin, who hand them out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import (
    ClassFamilies,
    ClassList,
    ClassSubject,
    CredentialsIn,
    Family,
    FamilyMember,
    IssuedCredential,
    IssuedCredentials,
    PersonRef,
    StaffClass,
)

from .. import schema as s
from ..access import (
    class_rights,
    journal_classes,
    leads,
    not_archived,
    opens_every_subject,
    require_staff,
    teaches_among,
)
from ..auth import Caller
from ..changes import record
from ..errors import Invalid, NotFound
from ..ids import parse_id
from ..school import audit
from ..settings import ServerContext
from . import credentials
from .common import from_columns


def _class_id(value: str) -> int:
    try:
        return parse_id(value, "class")
    except NotFound:
        raise NotFound("no such class", code="class_not_found") from None


async def list_classes(ctx: ServerContext, caller: Caller) -> ClassList:
    """Every class of this school year whose journal the caller may open, with its subjects:
    two queries. Last year's classes are archived: their journals are read by id."""
    require_staff(caller, "the classes' journals are for the school's teachers")
    c, u, t, sub = s.classes, s.users, s.teaching, s.subjects
    reach = sa.and_(journal_classes(caller), not_archived())
    async with ctx.engine.connect() as conn:
        klasses = (
            await conn.execute(
                sa.select(
                    *c.c["id", "name", "grade", "school_id", "class_teacher_id"],
                    u.c.full_name.label("class_teacher_name"),
                )
                .select_from(c.outerjoin(u, u.c.id == c.c.class_teacher_id))
                .where(reach)
                .order_by(c.c.grade, c.c.name, c.c.id)
            )
        ).all()
        taught = await conn.execute(
            sa.select(
                t.c.class_id,
                sub.c.id.label("subject_id"),
                sub.c.name.label("subject_name"),
                u.c.id.label("teacher_id"),
                u.c.full_name.label("teacher_name"),
            )
            .select_from(t.join(sub, sub.c.id == t.c.subject_id).join(u, u.c.id == t.c.teacher_id))
            .where(t.c.class_id.in_(sa.select(c.c.id).where(reach)))
            .order_by(sub.c.name, sub.c.id, u.c.full_name, u.c.id)
        )
        # class -> subject -> (name, teachers), in the order of the query: by name
        subjects: dict[int, dict[int, tuple[str, list[PersonRef]]]] = defaultdict(dict)
        for r in taught:
            entry = subjects[r.class_id].setdefault(r.subject_id, (r.subject_name, []))
            entry[1].append(PersonRef(id=str(r.teacher_id), full_name=r.teacher_name))
    return ClassList(classes=[_staff_class(caller, k, subjects[k.id]) for k in klasses])


def _staff_class(
    caller: Caller, k: Any, subjects: dict[int, tuple[str, list[PersonRef]]]
) -> StaffClass:
    every = opens_every_subject(caller, k.class_teacher_id, k.school_id)
    shown: list[ClassSubject] = []
    for subject_id, (name, teachers) in subjects.items():
        can_write = teaches_among(caller, {int(p.id) for p in teachers})
        if can_write or every:
            shown.append(
                ClassSubject(id=str(subject_id), name=name, teachers=teachers, can_write=can_write)
            )
    lead = None
    if k.class_teacher_id is not None:
        lead = PersonRef(id=str(k.class_teacher_id), full_name=k.class_teacher_name)
    return StaffClass(
        id=str(k.id),
        name=k.name,
        grade=k.grade,
        class_teacher=lead,
        led_by_me=leads(caller, k.class_teacher_id),
        subjects=shown,
    )


def _member(person: credentials.Person, *, with_login: bool) -> FamilyMember:
    return FamilyMember(
        id=str(person.id),
        full_name=person.full_name,
        login=person.login if with_login else None,
        activated=person.activated,
        on_staff=person.is_staff,
    )


async def class_families(ctx: ServerContext, caller: Caller, class_id: str) -> ClassFamilies:
    """The students of a class with their parents; logins only for who hands them out."""
    require_staff(caller, "a class's families are for the school's teachers")
    cid = _class_id(class_id)
    async with ctx.engine.connect() as conn:
        rights = await class_rights(conn, caller, cid)
        roster = await credentials.class_roster(conn, cid)
    shown = rights.can_issue
    return ClassFamilies(
        class_id=str(cid),
        class_name=rights.klass.name,
        can_issue=rights.can_issue,
        families=[
            Family(
                student=_member(f.student, with_login=shown),
                parents=[_member(p, with_login=shown) for p in f.parents],
            )
            for f in roster
        ],
    )


# More than any class holds; a longer list would only stretch the database's IN (...).
MAX_STUDENT_IDS = 200


def _student_ids(values: list[str] | None) -> set[int] | None:
    if values is None:
        return None
    if not values or len(values) > MAX_STUDENT_IDS:
        raise Invalid(
            f"student_ids: name 1 to {MAX_STUDENT_IDS} students, or send null for the whole class",
            code="invalid_field",
            field="student_ids",
        )
    ids: set[int] = set()
    for value in values:
        try:
            ids.add(parse_id(value, "student"))
        except NotFound:
            raise Invalid(
                f"student_ids: {value[:24]!r} is not a student id",
                code="invalid_field",
                field="student_ids",
            ) from None
    return ids


async def issue_credentials(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, class_id: str, body: CredentialsIn
) -> IssuedCredentials:
    """Issue one-time passwords (inside the caller's transaction, so `create_once` can replay)."""
    require_staff(caller, "first-login credentials are issued by the school's staff")
    cid = _class_id(class_id)
    rights = await class_rights(conn, caller, cid, issue=True)
    wanted = _student_ids(body.student_ids)
    roster = await credentials.class_roster(conn, cid, wanted)
    if wanted is not None:
        strangers = wanted - {f.student.id for f in roster}
        if strangers:
            raise Invalid(
                f"student_ids: not students of {rights.klass.name}: "
                + ", ".join(str(i) for i in sorted(strangers)),
                code="not_in_class",
                field="student_ids",
            )
    now = ctx.now()
    issued = await credentials.issue(conn, roster, now, only_new=body.only_new)
    await record(
        conn,
        ctx,
        school_id=rights.klass.school_id,
        kind="credentials",
        summary=f"{len(issued)} first-login password(s) issued for {rights.klass.name}",
        user_id=caller.id,
        class_id=cid,
        data={"class_id": str(cid), "issued": len(issued)},
    )
    await audit.record(
        conn,
        audit.Actor.user(caller.id, caller.login),
        "credentials.issue",
        school_id=rights.klass.school_id,
        target=rights.klass.name,
        detail={
            "class_id": cid,
            "issued": len(issued),
            "only_new": body.only_new,
            "chosen_students": None if wanted is None else len(wanted),
        },
        now=now,
    )
    return IssuedCredentials(
        class_id=str(cid),
        class_name=rights.klass.name,
        issued_at=now,
        credentials=[from_columns(IssuedCredential, asdict(i)) for i in issued],
    )
