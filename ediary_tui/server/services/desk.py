"""The class teacher's desk: the week of their class (parents' signatures, absence notices,
the behaviour notes they write) and the parent meetings they call.

The desk is the class teacher's: the school's admin may read it, nobody else. A
behaviour note is written by the class teacher alone and shows in the family's week
with its author and date; meetings are read by the families of the class (their
child's upcoming ones) and written by the class teacher.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import (
    BehaviourNote,
    BehaviourNoteIn,
    ClassDesk,
    ClassNotice,
    DeskStudent,
    MeetingList,
    ParentMeeting,
    ParentMeetingIn,
    ParentMeetingPatch,
    PersonRef,
    Role,
)
from ediary_tui.domain.periods import week_days, week_start

from .. import schema as s
from ..access import (
    ClassInfo,
    check_day_open,
    check_year_open,
    class_members,
    leads,
    load_class,
    readable_student,
    require_staff,
)
from ..auth import Caller
from ..changes import record, record_about
from ..errors import Invalid, NotAllowed, NotFound
from ..ids import parse_id
from ..settings import ServerContext
from ..upsert import upsert
from .common import blank_is_none, check_date, check_line, check_text, school_timezone
from .notices import notice_state

_STUDENT = s.users.alias("desk_student")
_AUTHOR = s.users.alias("desk_author")
_SIGNER = s.users.alias("desk_signer")

# How far ahead a meeting may be called: the school year at most.
MAX_DAYS_AHEAD = 366


# --- who may --------------------------------------------------------------------------


async def _desk_class(
    conn: AsyncConnection, caller: Caller, class_id: int | None, *, write: bool
) -> tuple[ClassInfo, bool]:
    """The class and whether the caller leads it. Read: its class teacher and the school's
    admin; write: its class teacher only (403 `not_class_teacher`). A class of another
    school is 404 as if it did not exist; students and parents get 403 `not_staff`."""
    require_staff(caller, "the class teacher's desk is for the school's staff")
    if class_id is None:
        led = sorted(await caller.class_teacher_of(conn))
        if not led:
            raise NotAllowed("you lead no class", code="not_class_teacher")
        class_id = led[0]
    klass = await load_class(conn, class_id)
    if klass is None or (
        klass.school_id != caller.school_id and not leads(caller, klass.class_teacher_id)
    ):
        raise NotFound("no such class", code="class_not_found")
    mine = leads(caller, klass.class_teacher_id)
    admin = caller.has(Role.ADMIN) and caller.school_id == klass.school_id
    if not mine and (write or not admin):
        raise NotAllowed(
            f"only the class teacher of {klass.name} keeps its desk", code="not_class_teacher"
        )
    if write:
        await check_year_open(conn, klass.school_id, klass.year)
    return klass, mine


def _class_id(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_id(value, "class")
    except NotFound:
        raise NotFound("no such class", code="class_not_found") from None


# --- the desk ---------------------------------------------------------------------------


async def desk(
    ctx: ServerContext, caller: Caller, class_id: str | None, start: dt.date | None
) -> ClassDesk:
    """The week of `start` (this week by default) of the class (the first the caller leads)."""
    check_date(start, "start")  # bad input first, whoever asks
    async with ctx.engine.connect() as conn:
        klass, mine = await _desk_class(conn, caller, _class_id(class_id), write=False)
        tz = await school_timezone(conn, klass.school_id)
        monday = week_start(start or ctx.today(tz.key))
        days = week_days(monday, klass.days_per_week)
        members = await class_members(conn, klass)
        st, wn, u = s.students, s.week_notes, s.users
        students = (
            await conn.execute(
                sa.select(u.c.id, u.c.full_name)
                .join(st, st.c.user_id == u.c.id)
                .where(members)
                .order_by(u.c.full_name, u.c.id)
            )
        ).all()
        ids = [r.id for r in students]
        notes = {
            r.student_id: r
            for r in await conn.execute(
                sa.select(
                    wn,
                    _SIGNER.c.full_name.label("signer_name"),
                    _AUTHOR.c.full_name.label("author_name"),
                )
                .select_from(
                    wn.outerjoin(_SIGNER, _SIGNER.c.id == wn.c.signed_by).outerjoin(
                        _AUTHOR, _AUTHOR.c.id == wn.c.note_by
                    )
                )
                .where(wn.c.student_id.in_(ids or [0]), wn.c.monday == monday)
            )
        }
        notices = await _notices(conn, ids, monday, ctx.today(tz.key))
        meetings = await _meetings(
            conn,
            s.parent_meetings.c.class_id == klass.id,
            dt.datetime.combine(monday, dt.time(), tz),
        )
    return ClassDesk(
        class_id=str(klass.id),
        class_name=klass.name,
        start=days[0],
        end=days[-1],
        can_write=mine,
        students=[_desk_student(r, notes.get(r.id)) for r in students],
        notices=notices,
        meetings=meetings,
    )


def _person(person_id: int | None, name: str | None) -> PersonRef | None:
    return None if person_id is None else PersonRef(id=str(person_id), full_name=name or "")


def _desk_student(student: Any, note: Any | None) -> DeskStudent:
    if note is None:
        return DeskStudent(student=PersonRef(id=str(student.id), full_name=student.full_name))
    return DeskStudent(
        student=PersonRef(id=str(student.id), full_name=student.full_name),
        signed_by=_person(note.signed_by, note.signer_name) if note.signed_at else None,
        signed_at=note.signed_at,
        behaviour_note=note.behaviour_note,
        note_by=_person(note.note_by, note.author_name) if note.behaviour_note else None,
        note_at=note.note_at if note.behaviour_note else None,
    )


async def _notices(
    conn: AsyncConnection, student_ids: list[int], monday: dt.date, today: dt.date
) -> list[ClassNotice]:
    """The class's notices in force that end in the week or later, soonest first."""
    n = s.absence_notices
    rows = await conn.execute(
        sa.select(
            n,
            _AUTHOR.c.full_name.label("author_name"),
            _STUDENT.c.full_name.label("student_name"),
        )
        .join(_AUTHOR, _AUTHOR.c.id == n.c.author_id)
        .join(_STUDENT, _STUDENT.c.id == n.c.student_id)
        .where(
            n.c.student_id.in_(student_ids or [0]),
            n.c.withdrawn_at.is_(None),
            n.c.to_date >= monday,
        )
        .order_by(n.c.from_date, n.c.id)
    )
    return [
        ClassNotice(
            id=str(r.id),
            student_id=str(r.student_id),
            student_name=r.student_name,
            author=PersonRef(id=str(r.author_id), full_name=r.author_name),
            from_=r.from_date,
            to=r.to_date,
            first_lesson=r.first_lesson,
            last_lesson=r.last_lesson,
            reason=r.reason,
            comment=r.comment or "",
            created_at=r.created_at,
            state=notice_state(r.from_date, r.to_date, today),
        )
        for r in rows
    ]


# --- the behaviour note -------------------------------------------------------------------


async def set_behaviour_note(
    ctx: ServerContext, caller: Caller, student_id: int, body: BehaviourNoteIn
) -> BehaviourNote:
    """The class teacher writes (or clears) a student's note on a week; the family sees it."""
    check_date(body.monday, "monday")
    check_text(body.note, "note")
    if body.monday.weekday() != 0:
        raise Invalid(
            f"{body.monday.isoformat()} is not a Monday; a week is named by its Monday",
            code="not_a_monday",
            field="monday",
        )
    async with ctx.engine.begin() as conn:
        student = await readable_student(conn, caller, student_id)
        klass = await load_class(conn, student.class_id)
        if klass is None or not leads(caller, klass.class_teacher_id):
            raise NotAllowed(
                f"only the class teacher of {student.class_name} writes its behaviour notes",
                code="not_class_teacher",
            )
        await check_day_open(conn, student.school_id, body.monday)
        note = blank_is_none(body.note)
        now = ctx.now()
        values = {
            "behaviour_note": note,
            "note_by": caller.id if note else None,
            "note_at": now if note else None,
        }
        await upsert(
            conn,
            s.week_notes,
            {"student_id": student.id, "monday": body.monday, **values},
            conflict=("student_id", "monday"),
            update=values,
        )
        await record_about(
            conn,
            ctx,
            student,
            kind="behaviour_note",
            summary=(
                f"{caller.full_name} wrote a note on the week of {body.monday:%d.%m.%Y}"
                if note
                else f"{caller.full_name} cleared the note on the week of {body.monday:%d.%m.%Y}"
            ),
            data={"monday": body.monday.isoformat(), "cleared": note is None},
        )
    return BehaviourNote(
        student_id=str(student.id),
        monday=body.monday,
        behaviour_note=note,
        note_by=PersonRef(id=str(caller.id), full_name=caller.full_name) if note else None,
        note_at=now if note else None,
    )


# --- parent meetings ------------------------------------------------------------------------


def _meeting_select() -> sa.Select[Any]:
    m, c, u = s.parent_meetings, s.classes, _AUTHOR
    return (
        sa.select(m, c.c.name.label("class_name"), u.c.full_name.label("author_name"))
        .join(c, c.c.id == m.c.class_id)
        .join(u, u.c.id == m.c.author_id)
    )


def _meeting(r: Any) -> ParentMeeting:
    return ParentMeeting(
        id=str(r.id),
        class_id=str(r.class_id),
        class_name=r.class_name,
        starts_at=r.starts_at,
        place=r.place,
        agenda=r.agenda,
        author=PersonRef(id=str(r.author_id), full_name=r.author_name),
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


async def _meetings(
    conn: AsyncConnection, where: sa.ColumnElement[bool], since: dt.datetime
) -> list[ParentMeeting]:
    m = s.parent_meetings
    rows = await conn.execute(
        _meeting_select().where(where, m.c.starts_at >= since).order_by(m.c.starts_at, m.c.id)
    )
    return [_meeting(r) for r in rows]


async def student_meetings(ctx: ServerContext, caller: Caller, student_id: int) -> MeetingList:
    """The upcoming meetings of the child's class (from today on), for the family."""
    async with ctx.engine.connect() as conn:
        student = await readable_student(conn, caller, student_id)
        tz = await school_timezone(conn, student.school_id)
        today = dt.datetime.combine(ctx.today(tz.key), dt.time(), tz)
        found = await _meetings(conn, s.parent_meetings.c.class_id == student.class_id, today)
    return MeetingList(meetings=found)


def _check_when(starts_at: dt.datetime, now: dt.datetime) -> None:
    if starts_at.tzinfo is None:
        raise Invalid(
            "starts_at: give the time with its offset, e.g. 2026-12-03T18:00:00+03:00",
            code="invalid_field",
            field="starts_at",
        )
    check_date(starts_at.date(), "starts_at")
    if starts_at < now:
        raise Invalid(
            "starts_at: a meeting is called for a time to come",
            code="in_the_past",
            field="starts_at",
        )
    if starts_at > now + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise Invalid(
            f"starts_at: a meeting is called at most {MAX_DAYS_AHEAD} days ahead",
            code="too_far_ahead",
            field="starts_at",
        )


def _check_meeting_text(place: str | None, agenda: str | None) -> None:
    check_line(place, "place")
    check_text(agenda, "agenda")


async def _told(
    conn: AsyncConnection, ctx: ServerContext, klass: ClassInfo, meeting: ParentMeeting, kind: str
) -> None:
    """The families of the class hear of a meeting called, changed or cancelled."""
    when = meeting.starts_at.strftime("%d.%m.%Y %H:%M UTC")
    await record(
        conn,
        ctx,
        school_id=klass.school_id,
        kind=kind,
        summary=f"Parent meeting of {klass.name}, {when}, {meeting.place}",
        class_id=klass.id,
        entity_id=int(meeting.id),
        data={"meeting_id": meeting.id, "starts_at": meeting.starts_at.isoformat()},
    )


async def create_meeting(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, class_id: str, body: ParentMeetingIn
) -> ParentMeeting:
    """Inside the caller's transaction, so `create_once` can replay it."""
    _check_meeting_text(body.place, body.agenda)
    klass, _mine = await _desk_class(conn, caller, _class_id(class_id), write=True)
    now = ctx.now()
    _check_when(body.starts_at, now)
    m = s.parent_meetings
    new_id = (
        await conn.execute(
            m.insert().values(
                class_id=klass.id,
                starts_at=body.starts_at,
                place=body.place,
                agenda=body.agenda,
                author_id=caller.id,
                created_at=now,
                updated_at=now,
            )
        )
    ).inserted_primary_key[0]
    row = (await conn.execute(_meeting_select().where(m.c.id == new_id))).one()
    meeting = _meeting(row)
    await _told(conn, ctx, klass, meeting, "meeting")
    return meeting


async def _writable_meeting(conn: AsyncConnection, caller: Caller, meeting_id: int) -> Any:
    require_staff(caller, "parent meetings are called by the class teacher")
    row = (
        await conn.execute(_meeting_select().where(s.parent_meetings.c.id == meeting_id))
    ).first()
    if row is None:
        raise NotFound("no such meeting", code="meeting_not_found")
    await _desk_class(conn, caller, row.class_id, write=True)
    return row


async def patch_meeting(
    ctx: ServerContext, caller: Caller, meeting_id: int, body: ParentMeetingPatch
) -> ParentMeeting:
    """The fields sent change, the others stay; the families hear of it."""
    _check_meeting_text(body.place, body.agenda)
    async with ctx.engine.begin() as conn:
        row = await _writable_meeting(conn, caller, meeting_id)
        klass = await load_class(conn, row.class_id)
        assert klass is not None  # the meeting's class, checked just now
        now = ctx.now()
        if body.starts_at is not None:
            _check_when(body.starts_at, now)
        sent = body.model_dump(exclude_unset=True, exclude_none=True)
        m = s.parent_meetings
        await conn.execute(m.update().where(m.c.id == meeting_id).values(**sent, updated_at=now))
        meeting = _meeting(
            (await conn.execute(_meeting_select().where(m.c.id == meeting_id))).one()
        )
        await _told(conn, ctx, klass, meeting, "meeting")
        return meeting


async def cancel_meeting(ctx: ServerContext, caller: Caller, meeting_id: int) -> None:
    """The meeting goes; the families hear it is cancelled."""
    async with ctx.engine.begin() as conn:
        row = await _writable_meeting(conn, caller, meeting_id)
        klass = await load_class(conn, row.class_id)
        assert klass is not None
        meeting = _meeting(row)
        m = s.parent_meetings
        await conn.execute(m.delete().where(m.c.id == meeting_id))
        await _told(conn, ctx, klass, meeting, "meeting_cancelled")
