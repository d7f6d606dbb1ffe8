"""Conversations with the student themself: a teacher writes to a student, a student writes to
a teacher where the school allows it (`schools.students_may_write`), and the setting itself."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from ediary_tui.server.school.audit import Actor
from ediary_tui.server.school.errors import AdminError
from ediary_tui.server.school.setup_read import parse_setup
from ediary_tui.server.school.structure import update_school
from tests.conftest import login
from tests.server.school_setup import apply_example, blank_engine, dispose_blank, example_file
from tests.server.test_messages import _cursor, _message_changes, _parent_logins, _teacher_of
from tests.server.test_week import class_of, classmate, rows, scalar, user_id

THREADS = "/api/v1/threads"


def _new(student_id: str, **to: str) -> dict[str, str]:
    return {"student_id": student_id, "subject": "Реферат", "body": "Можно сдать в пятницу?", **to}


async def _allow(engine: AsyncEngine, student_id: str, allowed: bool = True) -> None:
    """Switch the school's `students_may_write` for the student's school."""
    c = s.classes
    school = await scalar(
        engine, sa.select(c.c.school_id).where(c.c.id == await class_of(engine, student_id))
    )
    async with engine.begin() as conn:
        await conn.execute(
            s.schools.update().where(s.schools.c.id == school).values(students_may_write=allowed)
        )


async def _count(engine: AsyncEngine) -> int:
    return await scalar(engine, sa.select(sa.func.count()).select_from(s.threads))


class TestStudentWrites:
    async def test_a_student_writes_to_their_teacher_where_the_school_allows_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict, as_teacher: dict
    ) -> None:
        student = await user_id(engine, "student")
        teacher = await user_id(engine, "teacher")
        await _allow(engine, student)
        parents = [await login(api, p) for p in await _parent_logins(engine, student)]
        cursors = [await _cursor(api, h) for h in (as_teacher, *parents)]
        r = await api.post(THREADS, json=_new(student, teacher_id=teacher), headers=as_student)
        assert r.status_code == 201, r.text
        thread = r.json()
        assert (thread["teacher"]["id"], thread["parent"]["id"]) == (teacher, student)
        assert thread["correspondent"]["id"] == teacher
        assert [m["body"] for m in thread["messages"]] == ["Можно сдать в пятницу?"]
        got = await _message_changes(api, as_teacher, cursors[0])
        assert [c["entity_id"] for c in got] == [thread["id"]]
        # The teacher has it unread, with the student as the correspondent.
        listed = (await api.get(THREADS, headers=as_teacher)).json()
        mine = next(t for t in listed["threads"] if t["id"] == thread["id"])
        assert mine["unread"] == 1 and mine["correspondent"]["id"] == student
        # The student's parents are not parties: no news, no thread.
        for headers, cursor in zip(parents, cursors[1:], strict=True):
            assert await _message_changes(api, headers, cursor) == []
            url = f"{THREADS}/{thread['id']}"
            assert (await api.get(url, headers=headers)).status_code == 404
        # The teacher answers; the student sees it unread.
        url = f"{THREADS}/{thread['id']}/messages"
        answer = await api.post(url, json={"body": "Да"}, headers=as_teacher)
        assert answer.status_code == 201
        own = (await api.get(THREADS, headers=as_student)).json()
        assert own["unread_total"] == 1 and own["threads"][0]["id"] == thread["id"]

    async def test_a_student_is_refused_where_the_school_does_not_allow_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        student = await user_id(engine, "student")
        teacher = await user_id(engine, "teacher")
        before = await _count(engine)
        r = await api.post(THREADS, json=_new(student, teacher_id=teacher), headers=as_student)
        assert r.status_code == 403
        error = r.json()["error"]
        assert error["code"] == "students_may_not_write"
        assert error["message"].startswith("your school does not let students start")
        assert await _count(engine) == before

    async def test_a_student_may_not_write_about_a_classmate(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        student = await user_id(engine, "student")
        await _allow(engine, student)
        other = await classmate(engine, student)
        teacher = await user_id(engine, "teacher")
        r = await api.post(THREADS, json=_new(other, teacher_id=teacher), headers=as_student)
        assert r.status_code == 404

    async def test_a_student_may_write_only_to_their_own_teachers(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        student = await user_id(engine, "student")
        await _allow(engine, student)
        stranger = await _teacher_of(engine, await class_of(engine, student), teaches=False)
        r = await api.post(THREADS, json=_new(student, teacher_id=stranger), headers=as_student)
        assert r.status_code == 422
        assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (
            "not_childs_teacher",
            "teacher_id",
        )

    async def test_a_student_may_not_write_as_a_teacher_does(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        student = await user_id(engine, "student")
        await _allow(engine, student)
        parent = (await _parent_logins(engine, student))[0]
        body = _new(student, parent_id=await user_id(engine, parent))
        r = await api.post(THREADS, json=body, headers=as_student)
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_class"

    async def test_a_student_naming_nobody_is_told_to_name_the_teacher(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        student = await user_id(engine, "student")
        r = await api.post(THREADS, json=_new(student), headers=as_student)
        assert r.status_code == 422 and r.json()["error"]["field"] == "teacher_id"


class TestTeacherWritesToAStudent:
    async def test_a_teacher_writes_to_a_student_and_the_student_answers(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict, as_teacher: dict
    ) -> None:
        """Even where students may not start a conversation, they answer one."""
        student = await user_id(engine, "student")
        cursor = await _cursor(api, as_student)
        body = _new(student, parent_id=student)
        r = await api.post(THREADS, json=body, headers=as_teacher)
        assert r.status_code == 201, r.text
        thread = r.json()
        assert thread["parent"]["id"] == student and thread["correspondent"]["id"] == student
        got = await _message_changes(api, as_student, cursor)
        assert [c["entity_id"] for c in got] == [thread["id"]]
        listed = (await api.get(THREADS, headers=as_student)).json()
        assert listed["unread_total"] == 1
        assert listed["threads"][0]["correspondent"]["id"] == await user_id(engine, "teacher")
        url = f"{THREADS}/{thread['id']}/messages"
        answer = await api.post(url, json={"body": "Хорошо"}, headers=as_student)
        assert answer.status_code == 201 and answer.json()["mine"] is True
        teacher_list = (await api.get(THREADS, headers=as_teacher)).json()
        mine = next(t for t in teacher_list["threads"] if t["id"] == thread["id"])
        assert mine["unread"] == 1 and mine["last_message"]["body"] == "Хорошо"

    async def test_a_teacher_may_not_name_a_classmate_as_the_family(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        student = await user_id(engine, "student")
        other = await classmate(engine, student)
        r = await api.post(THREADS, json=_new(student, parent_id=other), headers=as_teacher)
        assert r.status_code == 422
        assert (r.json()["error"]["code"], r.json()["error"]["field"]) == (
            "not_students_parent",
            "parent_id",
        )

    async def test_a_teacher_of_another_class_may_not_write_to_the_student(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        student = await user_id(engine, "student")
        outsider = await _teacher_of(engine, await class_of(engine, student), teaches=False)
        login_name = await scalar(
            engine, sa.select(s.users.c.login).where(s.users.c.id == int(outsider))
        )
        headers = await login(api, login_name)
        before = await _count(engine)
        r = await api.post(THREADS, json=_new(student, parent_id=student), headers=headers)
        assert r.status_code == 404
        assert await _count(engine) == before

    async def test_a_parent_may_not_start_a_thread_with_their_own_child(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        student = await user_id(engine, "student")
        r = await api.post(THREADS, json=_new(student, parent_id=student), headers=as_parent)
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_class"
        stored = await rows(
            engine, sa.select(s.threads.c.id).where(s.threads.c.parent_id == int(student))
        )
        assert stored == []


class TestTheSetting:
    def test_the_setup_file_reads_it_and_refuses_what_is_not_true_or_false(self) -> None:
        allowed = parse_setup({"school": {"name": "Школа", "students_may_write": True}})
        assert allowed.students_may_write is True
        assert parse_setup({"school": {"name": "Школа"}}).students_may_write is None
        with pytest.raises(AdminError, match=r"school\.students_may_write: expected true or false"):
            parse_setup({"school": {"name": "Школа", "students_may_write": "yes"}})

    async def test_the_example_file_and_update_school_set_it(self, tmp_path: Path) -> None:
        engine = await blank_engine(tmp_path)
        try:
            await apply_example(engine)
            flag = sa.select(s.schools.c.students_may_write)
            assert await scalar(engine, flag) is False
            text = example_file().read_text(encoding="utf-8")
            edited = tmp_path / "school.toml"
            edited.write_text(
                text.replace("students_may_write = false", "students_may_write = true"),
                encoding="utf-8",
            )
            report = await apply_example(engine, edited)
            assert "school.students_may_write: False -> True" in report.changes
            assert await scalar(engine, flag) is True
            async with engine.begin() as conn:
                await update_school(conn, Actor.command_line(), 1, students_may_write=False)
            assert await scalar(engine, flag) is False
        finally:
            await dispose_blank(engine)
