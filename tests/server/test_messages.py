"""Messages: threads between a teacher and a parent about one child, unread counts, the feed."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import login
from tests.server.test_week import children, class_of, classmate, rows, scalar, user_id

THREADS = "/api/v1/threads"


async def _threads_of(engine: AsyncEngine, uid: str) -> list[Any]:
    t = s.threads
    return await rows(
        engine,
        sa.select(t).where(sa.or_(t.c.teacher_id == int(uid), t.c.parent_id == int(uid))),
    )


async def _unread_by_hand(engine: AsyncEngine, thread_id: int, uid: str) -> int:
    """The other party's messages after the user's read pointer, counted straight from the db."""
    r, m = s.message_reads, s.messages
    read = await scalar(
        engine,
        sa.select(r.c.last_read_id).where(r.c.thread_id == thread_id, r.c.user_id == int(uid)),
    )
    return await scalar(
        engine,
        sa.select(sa.func.count())
        .select_from(m)
        .where(m.c.thread_id == thread_id, m.c.author_id != int(uid), m.c.id > (read or 0)),
    )


async def _family_thread(engine: AsyncEngine) -> int:
    """The demo thread between the well-known teacher and parent."""
    t = s.threads
    return await scalar(
        engine,
        sa.select(t.c.id).where(
            t.c.teacher_id == int(await user_id(engine, "teacher")),
            t.c.parent_id == int(await user_id(engine, "parent")),
        ),
    )


async def _stranger_thread(engine: AsyncEngine) -> int:
    """A demo thread neither the well-known teacher nor parent is in."""
    t = s.threads
    return await scalar(
        engine,
        sa.select(t.c.id)
        .where(
            t.c.teacher_id != int(await user_id(engine, "teacher")),
            t.c.parent_id != int(await user_id(engine, "parent")),
        )
        .order_by(t.c.id)
        .limit(1),
    )


async def _read_up_to(engine: AsyncEngine, thread_id: int, login_name: str, index: int) -> None:
    """Set a party's read pointer to the thread's message number `index` (-1: the last)."""
    m, r = s.messages, s.message_reads
    uid = int(await user_id(engine, login_name))
    ids = [
        x.id
        for x in await rows(
            engine, sa.select(m.c.id).where(m.c.thread_id == thread_id).order_by(m.c.id)
        )
    ]
    async with engine.begin() as conn:
        await conn.execute(r.delete().where(r.c.thread_id == thread_id, r.c.user_id == uid))
        await conn.execute(
            r.insert().values(thread_id=thread_id, user_id=uid, last_read_id=ids[index])
        )


async def _parent_logins(engine: AsyncEngine, student_id: str) -> list[str]:
    g, u = s.guardians, s.users
    found = await rows(
        engine,
        sa.select(u.c.login)
        .join(g, g.c.parent_id == u.c.id)
        .where(g.c.student_id == int(student_id))
        .order_by(u.c.login),
    )
    return [r.login for r in found]


async def _other_parent(engine: AsyncEngine, student_id: str) -> str:
    """The child's second parent: a guardian, but not a party to the family thread."""
    return next(p for p in await _parent_logins(engine, student_id) if p != "parent")


async def _teacher_of(engine: AsyncEngine, class_id: int, *, teaches: bool) -> str:
    """A teacher (id) who does, or does not, teach or lead `class_id`."""
    t, c = s.teaching, s.classes
    in_class = sa.union(
        sa.select(t.c.teacher_id).where(t.c.class_id == class_id),
        sa.select(c.c.class_teacher_id).where(c.c.id == class_id),
    )
    found = sa.select(s.users.c.id).join(s.user_roles, s.user_roles.c.user_id == s.users.c.id)
    found = found.where(s.user_roles.c.role == "teacher")
    found = found.where(s.users.c.id.in_(in_class) if teaches else s.users.c.id.not_in(in_class))
    return str(await scalar(engine, found.order_by(s.users.c.id).limit(1)))


async def _login_of(engine: AsyncEngine, uid: str | int) -> str:
    return await scalar(engine, sa.select(s.users.c.login).where(s.users.c.id == int(uid)))


async def _cursor(api: httpx.AsyncClient, headers: dict[str, str]) -> str:
    return (await api.get("/api/v1/changes", headers=headers)).json()["cursor"]


async def _message_changes(
    api: httpx.AsyncClient, headers: dict[str, str], since: str
) -> list[dict[str, Any]]:
    r = await api.get("/api/v1/changes", params={"since": since}, headers=headers)
    assert r.status_code == 200, r.text
    return [c for c in r.json()["changes"] if c["kind"] == "message"]


def _new_thread(student_id: str, **to: str) -> dict[str, Any]:
    return {
        "student_id": student_id,
        "subject": "Контрольная по алгебре",
        "body": "Добрый день!",
        **to,
    }


class TestThreadList:
    async def test_parent_and_teacher_see_their_threads_with_unread_counts(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_teacher: dict
    ) -> None:
        for who, headers in (("parent", as_parent), ("teacher", as_teacher)):
            uid = await user_id(engine, who)
            r = await api.get(THREADS, headers=headers)
            assert r.status_code == 200, r.text
            got = r.json()
            stored = await _threads_of(engine, uid)
            assert {t["id"] for t in got["threads"]} == {str(t.id) for t in stored}
            for t in got["threads"]:
                assert t["unread"] == await _unread_by_hand(engine, int(t["id"]), uid)
            assert got["unread_total"] == sum(t["unread"] for t in got["threads"])

    async def test_the_teacher_has_an_unread_reply_from_the_family(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        family = await _family_thread(engine)
        await _read_up_to(engine, family, "teacher", -1)
        url = f"{THREADS}/{family}/messages"
        parent = await login(api, "parent")
        assert (await api.post(url, json={"body": "Хорошо"}, headers=parent)).status_code == 201
        got = (await api.get(THREADS, headers=as_teacher)).json()
        thread = next(t for t in got["threads"] if t["id"] == str(family))
        assert thread["unread"] == 1 and got["unread_total"] >= 1
        assert thread["last_message"]["body"] == "Хорошо"
        assert thread["last_message"]["author"]["id"] == await user_id(engine, "parent")
        assert thread["last_message"]["mine"] is False
        assert thread["correspondent"] == thread["parent"]
        student = await user_id(engine, "student")
        assert thread["student"]["id"] == student
        assert thread["class_name"] == await scalar(
            engine,
            sa.select(s.classes.c.name).where(s.classes.c.id == await class_of(engine, student)),
        )

    async def test_newest_activity_first(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        got = (await api.get(THREADS, headers=as_teacher)).json()["threads"]
        assert len(got) >= 1
        stamps = [t["last_message"]["created_at"] for t in got]
        assert stamps == sorted(stamps, reverse=True)
        family = str(await _family_thread(engine))
        r = await api.post(
            f"{THREADS}/{family}/messages",
            json={"body": "Спасибо"},
            headers=await login(api, "parent"),
        )
        assert r.status_code == 201
        again = (await api.get(THREADS, headers=as_teacher)).json()["threads"]
        assert again[0]["id"] == family

    async def test_a_student_has_no_threads(self, api: httpx.AsyncClient, as_student: dict) -> None:
        r = await api.get(THREADS, headers=as_student)
        assert r.status_code == 200
        assert r.json() == {"threads": [], "unread_total": 0}


class TestThreadRead:
    async def test_messages_oldest_first_and_opening_marks_them_read(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        family = await _family_thread(engine)
        await _read_up_to(engine, family, "teacher", 0)
        r = await api.get(f"{THREADS}/{family}", headers=as_teacher)
        assert r.status_code == 200, r.text
        thread = r.json()
        m = s.messages
        stored = await rows(
            engine, sa.select(m).where(m.c.thread_id == family).order_by(m.c.created_at, m.c.id)
        )
        assert [x["id"] for x in thread["messages"]] == [str(x.id) for x in stored]
        assert [x["body"] for x in thread["messages"]] == [x.body for x in stored]
        teacher_id = await user_id(engine, "teacher")
        assert [x["mine"] for x in thread["messages"]] == [
            str(x.author_id) == teacher_id for x in stored
        ]
        # What was new is reported once, then it is read.
        new = [x for x in stored[1:] if str(x.author_id) != teacher_id]
        assert new, "the demo family thread has the parent's answer"
        assert thread["unread"] == len(new) and thread["first_unread_id"] == str(new[0].id)
        assert await _unread_by_hand(engine, family, teacher_id) == 0
        listed = (await api.get(THREADS, headers=as_teacher)).json()
        assert next(t for t in listed["threads"] if t["id"] == str(family))["unread"] == 0
        second = (await api.get(f"{THREADS}/{family}", headers=as_teacher)).json()
        assert second["unread"] == 0 and second["first_unread_id"] is None

    async def test_a_parent_reading_another_familys_thread_gets_404(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        r = await api.get(f"{THREADS}/{await _stranger_thread(engine)}", headers=as_parent)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "thread_not_found"

    async def test_the_childs_other_parent_the_child_and_the_admin_get_404(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_parent: dict,
        as_student: dict,
        as_admin: dict,
    ) -> None:
        family = await _family_thread(engine)
        older, _ = await children(api, as_parent)
        other = await login(api, await _other_parent(engine, older))
        for headers in (other, as_student, as_admin):
            assert (await api.get(f"{THREADS}/{family}", headers=headers)).status_code == 404

    async def test_a_malformed_id_is_404(self, api: httpx.AsyncClient, as_parent: dict) -> None:
        assert (await api.get(f"{THREADS}/abc", headers=as_parent)).status_code == 404


class TestNewThread:
    async def test_parent_writes_to_a_teacher_of_the_child(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        _older, younger = await children(api, as_parent)
        teacher = await _teacher_of(engine, await class_of(engine, younger), teaches=True)
        teacher_headers = await login(api, await _login_of(engine, teacher))
        cursor = await _cursor(api, teacher_headers)
        r = await api.post(
            THREADS, json=_new_thread(younger, teacher_id=teacher), headers=as_parent
        )
        assert r.status_code == 201, r.text
        thread = r.json()
        assert thread["teacher"]["id"] == teacher and thread["student"]["id"] == younger
        assert thread["correspondent"]["id"] == teacher
        assert [(m["body"], m["mine"]) for m in thread["messages"]] == [("Добрый день!", True)]
        assert thread["unread"] == 0
        theirs = (await api.get(THREADS, headers=teacher_headers)).json()
        listed = next(t for t in theirs["threads"] if t["id"] == thread["id"])
        assert listed["unread"] == 1 and listed["correspondent"]["id"] == await user_id(
            engine, "parent"
        )
        changes = await _message_changes(api, teacher_headers, cursor)
        assert [(c["entity_id"], c["student_id"]) for c in changes] == [(thread["id"], younger)]

    async def test_parent_may_not_write_to_a_teacher_who_does_not_teach_the_child(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        stranger = await _teacher_of(engine, await class_of(engine, older), teaches=False)
        before = len(await rows(engine, sa.select(s.threads.c.id)))
        r = await api.post(THREADS, json=_new_thread(older, teacher_id=stranger), headers=as_parent)
        assert r.status_code == 422
        assert r.json()["error"] | {"message": ""} == {
            "code": "not_childs_teacher",
            "field": "teacher_id",
            "message": "",
        }
        assert len(await rows(engine, sa.select(s.threads.c.id))) == before

    async def test_parent_may_not_write_about_another_familys_child(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        other_child = await classmate(engine, older)
        teacher = await user_id(engine, "teacher")
        r = await api.post(
            THREADS, json=_new_thread(other_child, teacher_id=teacher), headers=as_parent
        )
        assert r.status_code == 404

    async def test_teacher_writes_to_a_parent_of_a_child_they_teach(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_teacher: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        pupil = await classmate(engine, older)
        parent_login = (await _parent_logins(engine, pupil))[0]
        theirs = await login(api, parent_login)
        bystanders = [as_parent, await login(api, await _other_parent(engine, older))]
        cursors = [await _cursor(api, h) for h in (theirs, *bystanders)]
        r = await api.post(
            THREADS,
            json=_new_thread(pupil, parent_id=await user_id(engine, parent_login)),
            headers=as_teacher,
        )
        assert r.status_code == 201, r.text
        thread = r.json()
        got = await _message_changes(api, theirs, cursors[0])
        assert [c["entity_id"] for c in got] == [thread["id"]]
        assert got[0]["data"]["author"] == thread["teacher"]["full_name"]
        for headers, cursor in zip(bystanders, cursors[1:], strict=True):
            assert await _message_changes(api, headers, cursor) == []
            assert (await api.get(f"{THREADS}/{thread['id']}", headers=headers)).status_code == 404

    async def test_teacher_may_not_name_someone_who_is_not_the_childs_parent(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_teacher: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        pupil = await classmate(engine, older)
        r = await api.post(
            THREADS,
            json=_new_thread(pupil, parent_id=await user_id(engine, "parent")),
            headers=as_teacher,
        )
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "parent_id"

    async def test_a_teacher_of_another_class_cannot_see_the_child(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        outsider = await _teacher_of(engine, await class_of(engine, older), teaches=False)
        headers = await login(api, await _login_of(engine, outsider))
        r = await api.post(
            THREADS,
            json=_new_thread(older, parent_id=await user_id(engine, "parent")),
            headers=headers,
        )
        assert r.status_code == 404

    async def test_the_admin_and_the_student_may_not_start_threads(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_parent: dict,
        as_admin: dict,
        as_student: dict,
    ) -> None:
        older, _ = await children(api, as_parent)
        admin = await api.post(
            THREADS,
            json=_new_thread(older, parent_id=await user_id(engine, "parent")),
            headers=as_admin,
        )
        assert admin.status_code == 403 and admin.json()["error"]["code"] == "not_your_class"
        student = await api.post(
            THREADS,
            json=_new_thread(older, teacher_id=await user_id(engine, "teacher")),
            headers=as_student,
        )
        # The student's own school does not let students start threads (the default).
        assert student.status_code == 403
        assert student.json()["error"]["code"] == "students_may_not_write"

    async def test_the_recipient_must_be_named_once(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        none = await api.post(THREADS, json=_new_thread(older), headers=as_parent)
        assert none.status_code == 422 and none.json()["error"]["field"] == "teacher_id"
        teacher = await user_id(engine, "teacher")
        both = await api.post(
            THREADS,
            json=_new_thread(older, teacher_id=teacher, parent_id=teacher),
            headers=as_parent,
        )
        assert both.status_code == 422 and both.json()["error"]["field"] == "parent_id"

    async def test_a_blank_subject_and_a_malformed_teacher_are_422_naming_the_field(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        body = _new_thread(older, teacher_id=await user_id(engine, "teacher")) | {"subject": " "}
        r = await api.post(THREADS, json=body, headers=as_parent)
        assert r.status_code == 422 and r.json()["error"]["field"] == "subject"
        r = await api.post(THREADS, json=_new_thread(older, teacher_id="x"), headers=as_parent)
        assert r.status_code == 422 and r.json()["error"]["field"] == "teacher_id"

    async def test_a_repeated_idempotency_key_starts_one_thread(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        body = _new_thread(older, teacher_id=await user_id(engine, "teacher"))
        headers = {**as_parent, "Idempotency-Key": "thread-1"}
        first = await api.post(THREADS, json=body, headers=headers)
        again = await api.post(THREADS, json=body, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        t = s.threads
        count = sa.select(sa.func.count()).select_from(t).where(t.c.subject == body["subject"])
        assert await scalar(engine, count) == 1


class TestReply:
    async def test_a_reply_reaches_the_other_party_only(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_teacher: dict
    ) -> None:
        family = await _family_thread(engine)
        older, _ = await children(api, as_parent)
        other = await login(api, await _other_parent(engine, older))
        await _read_up_to(engine, family, "parent", -1)
        cursors = [await _cursor(api, h) for h in (as_parent, other, as_teacher)]
        r = await api.post(
            f"{THREADS}/{family}/messages",
            json={"body": "Результаты будут в пятницу."},
            headers=as_teacher,
        )
        assert r.status_code == 201, r.text
        message = r.json()
        assert message["mine"] is True and message["thread_id"] == str(family)
        assert message["author"]["id"] == await user_id(engine, "teacher")
        parent_feed = await _message_changes(api, as_parent, cursors[0])
        assert [(c["entity_id"], c["data"]["message_id"]) for c in parent_feed] == [
            (str(family), message["id"])
        ]
        assert await _message_changes(api, other, cursors[1]) == []
        assert await _message_changes(api, as_teacher, cursors[2]) == []
        listed = (await api.get(THREADS, headers=as_parent)).json()
        thread = next(t for t in listed["threads"] if t["id"] == str(family))
        assert thread["unread"] == 1 and thread["last_message"]["id"] == message["id"]
        # Replying means the teacher has read the thread.
        assert await _unread_by_hand(engine, family, await user_id(engine, "teacher")) == 0

    async def test_someone_outside_the_thread_may_not_write_in_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        r = await api.post(
            f"{THREADS}/{await _stranger_thread(engine)}/messages",
            json={"body": "?"},
            headers=as_parent,
        )
        assert r.status_code == 404

    async def test_an_empty_body_is_422_and_sends_nothing(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        family = await _family_thread(engine)
        m = s.messages
        count = sa.select(sa.func.count()).select_from(m).where(m.c.thread_id == family)
        before = await scalar(engine, count)
        r = await api.post(f"{THREADS}/{family}/messages", json={"body": " "}, headers=as_parent)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_field"
        assert r.json()["error"]["field"] == "body"
        assert await scalar(engine, count) == before

    async def test_a_repeated_idempotency_key_sends_one_message(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        family = await _family_thread(engine)
        headers = {**as_parent, "Idempotency-Key": "reply-1"}
        url = f"{THREADS}/{family}/messages"
        first = await api.post(url, json={"body": "Поняла"}, headers=headers)
        again = await api.post(url, json={"body": "Поняла"}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        m = s.messages
        count = (
            sa.select(sa.func.count())
            .select_from(m)
            .where(m.c.thread_id == family, m.c.body == "Поняла")
        )
        assert await scalar(engine, count) == 1


class TestTeachers:
    async def test_a_childs_teachers_with_subjects_and_the_class_teacher(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        class_id = await class_of(engine, older)
        r = await api.get("/api/v1/teachers", params={"student_id": older}, headers=as_parent)
        assert r.status_code == 200, r.text
        got = r.json()
        t = s.teaching
        pairs = await rows(
            engine, sa.select(t.c.teacher_id, t.c.subject_id).where(t.c.class_id == class_id)
        )
        assert {(x["id"], sub["id"]) for x in got["teachers"] for sub in x["subjects"]} == {
            (str(p.teacher_id), str(p.subject_id)) for p in pairs
        }
        lead = await scalar(
            engine, sa.select(s.classes.c.class_teacher_id).where(s.classes.c.id == class_id)
        )
        assert [x["id"] for x in got["teachers"] if x["class_teacher"]] == [str(lead)]
        names = [x["full_name"] for x in got["teachers"]]
        assert names == sorted(names)

    async def test_someone_who_may_not_read_the_child_gets_404(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_student: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        other = await classmate(engine, older)
        for headers in (as_parent, as_student):
            r = await api.get("/api/v1/teachers", params={"student_id": other}, headers=headers)
            assert r.status_code == 404

    async def test_student_id_is_required(self, api: httpx.AsyncClient, as_parent: dict) -> None:
        r = await api.get("/api/v1/teachers", headers=as_parent)
        assert r.status_code == 422 and r.json()["error"]["field"] == "student_id"
