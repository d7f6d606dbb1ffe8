"""Messages between a teacher and a family: threads about one child.

A thread has exactly two parties, a teacher and the family member: a parent of
the child, or the child themself (the column is `threads.parent_id`, kept by
that name). Nobody else sees it (404, so thread ids cannot be probed: not even
the admin or the child's other parent). Either party may start one, but only
across a real link: the teacher teaches or leads the child's class, the parent
is the child's guardian. A student starts one only where the school allows it
(`schools.students_may_write`, off by default); a teacher may always write to a
student, and a student may always answer in a thread they are in.
"Unread" is per party: the other party's messages after the caller's read
pointer in `message_reads`, which moves when they open the thread or reply.
Each new message is a change for the recipient alone.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import (
    Message,
    MessageIn,
    PersonRef,
    Role,
    SubjectRef,
    TeacherList,
    TeacherRef,
    Thread,
    ThreadIn,
    ThreadList,
    ThreadSummary,
)

from .. import schema as s
from ..access import StudentInfo, load_student, parent_of, readable_student
from ..auth import Caller
from ..changes import record
from ..errors import Invalid, NotAllowed, NotFound
from ..ids import parse_body_id
from ..settings import ServerContext
from ..upsert import excluded, upsert
from .common import check_line, check_text

_teacher = s.users.alias("thread_teacher")
_parent = s.users.alias("thread_parent")
_student = s.users.alias("thread_student")
_author = s.users.alias("message_author")
_last = s.messages.alias("last_message")


def _party(caller: Caller) -> sa.ColumnElement[bool]:
    """The caller is the thread's teacher or its family member (`parent_id`)."""
    t = s.threads
    return sa.or_(t.c.teacher_id == caller.id, t.c.parent_id == caller.id)


def _thread_select(caller: Caller) -> sa.Select[Any]:
    """The caller's threads with the names of everyone in them and the last message."""
    t, m, st, c = s.threads, s.messages, s.students, s.classes
    latest = (
        sa.select(m.c.thread_id, sa.func.max(m.c.id).label("last_id"))
        .where(m.c.thread_id.in_(sa.select(t.c.id).where(_party(caller))))
        .group_by(m.c.thread_id)
        .subquery("latest")
    )
    return (
        sa.select(
            t,
            _teacher.c.full_name.label("teacher_name"),
            _parent.c.full_name.label("parent_name"),
            _student.c.full_name.label("student_name"),
            c.c.name.label("class_name"),
            _last.c.id.label("last_id"),
            _last.c.author_id.label("last_author_id"),
            _last.c.body.label("last_body"),
            _last.c.created_at.label("last_at"),
            _author.c.full_name.label("last_author_name"),
        )
        .select_from(
            t.join(_teacher, _teacher.c.id == t.c.teacher_id)
            .join(_parent, _parent.c.id == t.c.parent_id)
            .join(_student, _student.c.id == t.c.student_id)
            .outerjoin(st, st.c.user_id == t.c.student_id)
            .outerjoin(c, c.c.id == st.c.class_id)
            .outerjoin(latest, latest.c.thread_id == t.c.id)
            .outerjoin(_last, _last.c.id == latest.c.last_id)
            .outerjoin(_author, _author.c.id == _last.c.author_id)
        )
        .where(_party(caller))
    )


async def _unread(
    conn: AsyncConnection, caller: Caller, thread_ids: list[int]
) -> dict[int, tuple[int, int | None]]:
    """Per thread: (how many of the other party's messages are unread, the first of them)."""
    m, r = s.messages, s.message_reads
    if not thread_ids:
        return {}
    rows = await conn.execute(
        sa.select(m.c.thread_id, sa.func.count(), sa.func.min(m.c.id))
        .select_from(
            m.outerjoin(r, sa.and_(r.c.thread_id == m.c.thread_id, r.c.user_id == caller.id))
        )
        .where(
            m.c.thread_id.in_(thread_ids),
            m.c.author_id != caller.id,
            m.c.id > sa.func.coalesce(r.c.last_read_id, 0),
        )
        .group_by(m.c.thread_id)
    )
    return {row[0]: (row[1], row[2]) for row in rows}


def _message(
    caller: Caller, thread_id: int, id_: int, author_id: int, name: str, body: str, at: Any
) -> Message:
    return Message(
        id=str(id_),
        thread_id=str(thread_id),
        author=PersonRef(id=str(author_id), full_name=name),
        mine=author_id == caller.id,
        body=body,
        created_at=at,
    )


def _summary(caller: Caller, r: Any, unread: int) -> dict[str, Any]:
    teacher = PersonRef(id=str(r.teacher_id), full_name=r.teacher_name)
    parent = PersonRef(id=str(r.parent_id), full_name=r.parent_name)
    last = None
    if r.last_id is not None:
        last = _message(
            caller, r.id, r.last_id, r.last_author_id, r.last_author_name, r.last_body, r.last_at
        )
    return {
        "id": str(r.id),
        "subject": r.subject,
        "student": PersonRef(id=str(r.student_id), full_name=r.student_name),
        "class_name": r.class_name,
        "teacher": teacher,
        "parent": parent,
        "correspondent": parent if r.teacher_id == caller.id else teacher,
        "created_at": r.created_at,
        "last_message": last,
        "unread": unread,
    }


async def list_threads(ctx: ServerContext, caller: Caller) -> ThreadList:
    """The caller's threads, the most recently active first, with unread counts."""
    t = s.threads
    async with ctx.engine.connect() as conn:
        rows = (
            await conn.execute(
                _thread_select(caller).order_by(
                    sa.func.coalesce(_last.c.created_at, t.c.created_at).desc(), t.c.id.desc()
                )
            )
        ).all()
        unread = await _unread(conn, caller, [r.id for r in rows])
    threads = [ThreadSummary(**_summary(caller, r, unread.get(r.id, (0, None))[0])) for r in rows]
    return ThreadList(threads=threads, unread_total=sum(x.unread for x in threads))


async def _mark_read(conn: AsyncConnection, thread_id: int, user_id: int, last_id: int) -> None:
    """Move the read pointer forward to `last_id` (never back)."""
    r = s.message_reads
    await upsert(  # one statement: the same reader opening the thread twice at once is fine
        conn,
        r,
        {"thread_id": thread_id, "user_id": user_id, "last_read_id": last_id},
        conflict=("thread_id", "user_id"),
        where=r.c.last_read_id < excluded(r, "last_read_id"),
    )


async def _thread(conn: AsyncConnection, caller: Caller, thread_id: int) -> Any:
    row = (await conn.execute(_thread_select(caller).where(s.threads.c.id == thread_id))).first()
    if row is None:
        raise NotFound("no such thread", code="thread_not_found")
    return row


async def _messages(conn: AsyncConnection, caller: Caller, thread_id: int) -> list[Message]:
    m, u = s.messages, s.users
    rows = await conn.execute(
        sa.select(m, u.c.full_name)
        .join(u, u.c.id == m.c.author_id)
        .where(m.c.thread_id == thread_id)
        .order_by(m.c.created_at, m.c.id)
    )
    return [
        _message(caller, thread_id, r.id, r.author_id, r.full_name, r.body, r.created_at)
        for r in rows
    ]


async def _open(conn: AsyncConnection, caller: Caller, thread_id: int) -> Thread:
    """The thread with its messages; what was unread is reported, then marked read."""
    row = await _thread(conn, caller, thread_id)
    unread, first_unread = (await _unread(conn, caller, [row.id])).get(row.id, (0, None))
    messages = await _messages(conn, caller, row.id)
    if row.last_id is not None:
        await _mark_read(conn, row.id, caller.id, row.last_id)
    return Thread(
        **_summary(caller, row, unread),
        messages=messages,
        first_unread_id=None if first_unread is None else str(first_unread),
    )


async def open_thread(ctx: ServerContext, caller: Caller, thread_id: int) -> Thread:
    """Read a thread, marking it read for the caller."""
    async with ctx.engine.begin() as conn:
        return await _open(conn, caller, thread_id)


async def class_teachers(conn: AsyncConnection, class_id: int) -> list[TeacherRef]:
    """Who teaches in a class (with their subjects) and who leads it, by name."""
    t, u, sub, c = s.teaching, s.users, s.subjects, s.classes
    lead = (await conn.execute(sa.select(c.c.class_teacher_id).where(c.c.id == class_id))).scalar()
    rows = await conn.execute(
        sa.select(u.c.id, u.c.full_name, sub.c.id.label("subject_id"), sub.c.name)
        .select_from(t.join(u, u.c.id == t.c.teacher_id).join(sub, sub.c.id == t.c.subject_id))
        .where(t.c.class_id == class_id)
        .order_by(u.c.full_name, u.c.id, sub.c.name)
    )
    teachers: dict[int, TeacherRef] = {}
    for r in rows:
        ref = teachers.setdefault(r.id, TeacherRef(id=str(r.id), full_name=r.full_name))
        ref.subjects.append(SubjectRef(id=str(r.subject_id), name=r.name))
    if lead is not None and lead not in teachers:
        name = (await conn.execute(sa.select(u.c.full_name).where(u.c.id == lead))).scalar_one()
        teachers[lead] = TeacherRef(id=str(lead), full_name=name)
    if lead is not None:
        teachers[lead].class_teacher = True
    return sorted(teachers.values(), key=lambda x: (x.full_name, int(x.id)))


async def list_teachers(ctx: ServerContext, caller: Caller, student_id: int) -> TeacherList:
    """The teachers a family may write to about this child."""
    async with ctx.engine.connect() as conn:
        student = await readable_student(conn, caller, student_id)
        teachers = await class_teachers(conn, student.class_id)
    return TeacherList(student_id=str(student.id), teachers=teachers)


async def _students_may_write(conn: AsyncConnection, school_id: int) -> bool:
    sc = s.schools
    found = await conn.execute(sa.select(sc.c.students_may_write).where(sc.c.id == school_id))
    return bool(found.scalar())


async def _check_teacher(
    conn: AsyncConnection, caller: Caller, body: ThreadIn, student: StudentInfo
) -> int:
    """The teacher a family member names: one who teaches or leads the child's class."""
    teacher_id = parse_body_id(body.teacher_id, "teacher_id")
    if teacher_id == caller.id:
        raise Invalid("you cannot write to yourself", code="self_message", field="teacher_id")
    if str(teacher_id) not in {t.id for t in await class_teachers(conn, student.class_id)}:
        raise Invalid(
            f"this teacher neither teaches nor leads {student.class_name}",
            code="not_childs_teacher",
            field="teacher_id",
        )
    return teacher_id


async def _parties(conn: AsyncConnection, caller: Caller, body: ThreadIn) -> tuple[int, int, int]:
    """(teacher, family member, student) of a new thread, checked against the school's links.

    A parent or the student themself names `teacher_id`; a teacher of the child's
    class names `parent_id`: a parent of the child, or the child.
    """
    student = await readable_student(conn, caller, parse_body_id(body.student_id, "student_id"))
    if body.teacher_id is not None and body.parent_id is not None:
        raise Invalid(
            "name one recipient: teacher_id when a family writes, parent_id when a teacher does",
            code="two_recipients",
            field="parent_id",
        )
    if body.teacher_id is not None:
        if student.id == caller.id:
            if not await _students_may_write(conn, student.school_id):
                raise NotAllowed(
                    "your school does not let students start conversations with teachers; "
                    "a teacher may write to you, and you may answer",
                    code="students_may_not_write",
                )
        else:
            await parent_of(conn, caller, student)
        return await _check_teacher(conn, caller, body, student), caller.id, student.id
    if body.parent_id is not None:
        if student.class_id not in await caller.staff_classes(conn):
            raise NotAllowed(
                f"only a teacher of {student.class_name} may write to this child or their family",
                code="not_your_class",
            )
        parent_id = parse_body_id(body.parent_id, "parent_id")
        if parent_id == caller.id:
            raise Invalid("you cannot write to yourself", code="self_message", field="parent_id")
        if parent_id == student.id:
            return caller.id, parent_id, student.id
        g = s.guardians
        linked = await conn.execute(
            sa.select(g.c.parent_id).where(g.c.parent_id == parent_id, g.c.student_id == student.id)
        )
        if linked.first() is None:
            raise Invalid(
                "this person is neither the child nor a parent of the child",
                code="not_students_parent",
                field="parent_id",
            )
        return caller.id, parent_id, student.id
    family = caller.has(Role.PARENT) or student.id == caller.id
    field = "teacher_id" if family else "parent_id"
    raise Invalid(f"name whom you write to in {field}", code="no_recipient", field=field)


async def _send(
    conn: AsyncConnection,
    ctx: ServerContext,
    caller: Caller,
    thread: Any,
    body: str,
) -> int:
    """Add a message, move the author's read pointer past it, tell the recipient."""
    inserted = await conn.execute(
        s.messages.insert().values(
            thread_id=thread.id, author_id=caller.id, body=body, created_at=ctx.now()
        )
    )
    message_id = inserted.inserted_primary_key[0]
    await _mark_read(conn, thread.id, caller.id, message_id)
    recipient = thread.parent_id if thread.teacher_id == caller.id else thread.teacher_id
    student = await load_student(conn, thread.student_id)
    school_id = student.school_id if student else caller.school_id
    if school_id is None:
        raise NotAllowed("this conversation no longer belongs to a school", code="thread_closed")
    await record(
        conn,
        ctx,
        school_id=school_id,
        kind="message",
        summary=f"{caller.full_name}: {thread.subject}",
        student_id=thread.student_id,
        user_id=recipient,
        entity_id=thread.id,
        data={
            "thread_id": str(thread.id),
            "message_id": str(message_id),
            "author": caller.full_name,
            "subject": thread.subject,
        },
    )
    return message_id


async def create_thread(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, body: ThreadIn
) -> Thread:
    """Start a thread with its first message (inside `create_once`'s transaction)."""
    check_line(body.subject, "subject")
    check_text(body.body, "body")
    teacher_id, parent_id, student_id = await _parties(conn, caller, body)
    inserted = await conn.execute(
        s.threads.insert().values(
            teacher_id=teacher_id,
            parent_id=parent_id,
            student_id=student_id,
            subject=body.subject,
            created_at=ctx.now(),
        )
    )
    thread_id = inserted.inserted_primary_key[0]
    await _send(conn, ctx, caller, await _thread(conn, caller, thread_id), body.body)
    return await _open(conn, caller, thread_id)


async def post_message(
    conn: AsyncConnection, ctx: ServerContext, caller: Caller, thread_id: int, body: MessageIn
) -> Message:
    """A party of the thread writes in it; anyone else gets 404."""
    thread = await _thread(conn, caller, thread_id)
    check_text(body.body, "body")
    message_id = await _send(conn, ctx, caller, thread, body.body)
    m = s.messages
    row = (await conn.execute(sa.select(m).where(m.c.id == message_id))).one()
    return _message(
        caller, thread_id, row.id, caller.id, caller.full_name, row.body, row.created_at
    )
