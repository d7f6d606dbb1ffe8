"""Homework in the diary: what was set, when it is due, and the student's own tick."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import PINNED_TODAY
from tests.server.test_journal import API, table_counts
from tests.server.test_journal import lesson as journal_lesson
from tests.server.test_week import (
    MONDAY,
    assert_diary_readers,
    children,
    class_of,
    classmate,
    get_week,
    lesson_in,
    rows,
    user_id,
)

SUNDAY = MONDAY + dt.timedelta(days=6)


def _url(student_id: str) -> str:
    return f"/api/v1/students/{student_id}/homework"


def _done_url(student_id: str, homework_id: str | int) -> str:
    return f"/api/v1/students/{student_id}/homework/{homework_id}/done"


async def _class_homework(
    engine: AsyncEngine, class_id: int, first: dt.date, last: dt.date
) -> list[Any]:
    hw, le = s.homework, s.lessons
    return await rows(
        engine,
        sa.select(hw, le.c.date, le.c.subject_id)
        .join(le, le.c.id == hw.c.lesson_id)
        .where(le.c.class_id == class_id, le.c.date.between(first, last))
        .order_by(le.c.date, le.c.number, hw.c.id),
    )


async def _list(api: httpx.AsyncClient, headers: dict, student_id: str, **params: str) -> list:
    r = await api.get(_url(student_id), params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["homework"]


class TestHomeworkAccess:
    async def test_who_may_read_a_childs_homework(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_parent: dict,
        as_student: dict,
        as_teacher: dict,
        as_admin: dict,
    ) -> None:
        await assert_diary_readers(
            api,
            engine,
            _url,
            parent=as_parent,
            student=as_student,
            teacher=as_teacher,
            admin=as_admin,
        )


class TestHomeworkList:
    async def test_the_current_week_by_default_as_the_database_holds_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        expected = await _class_homework(engine, await class_of(engine, me), MONDAY, SUNDAY)
        shown = await _list(api, as_student, me)
        assert [h["id"] for h in shown] == [str(r.id) for r in expected]
        assert len(shown) > 3
        first, row = shown[0], expected[0]
        assert first["text"] == row.text and first["required"] == row.required
        assert first["date"] == row.date.isoformat()
        assert dt.datetime.fromisoformat(first["created_at"]) == row.created_at
        assert dt.datetime.fromisoformat(first["updated_at"]) == row.updated_at

    async def test_due_is_the_next_lesson_of_the_subject(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        class_id = await class_of(engine, me)
        shown = await _list(api, as_student, me)
        le = s.lessons
        for h in shown[:5]:
            following = await rows(
                engine,
                sa.select(sa.func.min(le.c.date)).where(
                    le.c.class_id == class_id,
                    le.c.subject_id == int(h["subject"]["id"]),
                    le.c.date > dt.date.fromisoformat(h["date"]),
                ),
            )
            assert h["due"] == following[0][0].isoformat()
            assert h["due"] > h["date"]

    async def test_required_and_subject_filters(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        span = {"from": "2026-09-01", "to": PINNED_TODAY.isoformat()}
        everything = await _list(api, as_student, me, **span)
        optional = await _list(api, as_student, me, required="false", **span)
        required = await _list(api, as_student, me, required="true", **span)
        assert optional and all(not h["required"] for h in optional)
        assert required and all(h["required"] for h in required)
        assert len(optional) + len(required) == len(everything)
        subject = everything[0]["subject"]["id"]
        of_one = await _list(api, as_student, me, subject_id=subject, **span)
        assert of_one and {h["subject"]["id"] for h in of_one} == {subject}
        assert len(of_one) == sum(1 for h in everything if h["subject"]["id"] == subject)

    async def test_ticks_are_the_students_own(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        me = await user_id(engine, "student")
        span = {"from": "2026-10-01", "to": "2026-10-31"}
        done = s.homework_done
        ticked = {
            str(r.homework_id)
            for r in await rows(
                engine, sa.select(done.c.homework_id).where(done.c.student_id == int(me))
            )
        }
        shown = await _list(api, as_admin, me, **span)
        assert {h["id"] for h in shown if h["done"]} == {h["id"] for h in shown} & ticked

    async def test_bad_filters_are_422_naming_the_field(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        for params, field in (
            ({"from": "2026-11-30", "to": "2026-11-23"}, "to"),
            ({"from": "2026-11-31"}, "from"),
            ({"required": "perhaps"}, "required"),
            ({"subject_id": "x1"}, "subject_id"),
        ):
            r = await api.get(_url(me), params=params, headers=as_student)
            assert r.status_code == 422, params
            assert r.json()["error"]["field"] == field


async def _some_homework(engine: AsyncEngine, student_id: str) -> Any:
    """Homework of the student's class this week that the student has not ticked."""
    hw, le, done = s.homework, s.lessons, s.homework_done
    found = await rows(
        engine,
        sa.select(hw.c.id, hw.c.lesson_id)
        .join(le, le.c.id == hw.c.lesson_id)
        .where(
            le.c.class_id == await class_of(engine, student_id),
            le.c.date.between(MONDAY, SUNDAY),
            hw.c.id.not_in(
                sa.select(done.c.homework_id).where(done.c.student_id == int(student_id))
            ),
        )
        .order_by(hw.c.id)
        .limit(1),
    )
    return found[0]


class TestHomeworkDone:
    async def test_the_student_ticks_and_unticks_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        homework = await _some_homework(engine, me)
        r = await api.put(_done_url(me, homework.id), json={"done": True}, headers=as_student)
        assert r.status_code == 200, r.text
        assert r.json()["id"] == str(homework.id) and r.json()["done"] is True
        _, lesson = lesson_in((await get_week(api, as_student, me)).json(), homework.lesson_id)
        assert next(h for h in lesson["homework"] if h["id"] == str(homework.id))["done"] is True
        listed = await _list(api, as_student, me)
        assert next(h for h in listed if h["id"] == str(homework.id))["done"] is True

        r = await api.put(_done_url(me, homework.id), json={"done": False}, headers=as_student)
        assert r.status_code == 200 and r.json()["done"] is False
        listed = await _list(api, as_student, me)
        assert next(h for h in listed if h["id"] == str(homework.id))["done"] is False

    async def test_ticking_twice_keeps_one_tick(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        homework = await _some_homework(engine, me)
        for _ in range(2):
            r = await api.put(_done_url(me, homework.id), json={"done": True}, headers=as_student)
            assert r.status_code == 200
        done = s.homework_done
        ticks = await rows(
            engine,
            sa.select(done).where(done.c.homework_id == homework.id, done.c.student_id == int(me)),
        )
        assert len(ticks) == 1

    async def test_a_tick_is_a_change_the_parent_sees(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict, as_parent: dict
    ) -> None:
        me = await user_id(engine, "student")
        homework = await _some_homework(engine, me)
        cursor = (await api.get("/api/v1/changes", headers=as_parent)).json()["cursor"]
        await api.put(_done_url(me, homework.id), json={"done": True}, headers=as_student)
        feed = (
            await api.get("/api/v1/changes", params={"since": cursor}, headers=as_parent)
        ).json()
        ticks = [c for c in feed["changes"] if c["kind"] == "homework_done"]
        assert [(c["student_id"], c["entity_id"]) for c in ticks] == [(me, str(homework.id))]

    async def test_a_parent_may_not_tick_it_for_the_child(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        homework = await _some_homework(engine, older)
        r = await api.put(_done_url(older, homework.id), json={"done": True}, headers=as_parent)
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "not_the_student"
        assert "only the student" in r.json()["error"]["message"]

    async def test_a_teacher_may_not_tick_it_either(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        me = await user_id(engine, "student")
        homework = await _some_homework(engine, me)
        r = await api.put(_done_url(me, homework.id), json={"done": True}, headers=as_teacher)
        assert r.status_code == 403

    async def test_another_students_homework_is_404(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        mate = await classmate(engine, me)
        homework = await _some_homework(engine, mate)
        r = await api.put(_done_url(mate, homework.id), json={"done": True}, headers=as_student)
        assert r.status_code == 404

    async def test_homework_of_another_class_is_404(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        _, younger = await children(api, as_parent)  # another class
        theirs = await _some_homework(engine, younger)
        for homework_id in (theirs.id, 99999999, "abc"):
            r = await api.put(_done_url(me, homework_id), json={"done": True}, headers=as_student)
            assert r.status_code == 404, homework_id

    async def test_a_body_without_a_boolean_is_422(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        homework = await _some_homework(engine, me)
        for body in ({"done": "maybe"}, {}):
            r = await api.put(_done_url(me, homework.id), json=body, headers=as_student)
            assert r.status_code == 422, body
            assert r.json()["error"]["field"] == "done"


# --- a due date the teacher chose (issue 14) ------------------------------------------------


class TestChosenDueDate:
    async def test_a_chosen_due_date_is_shown_to_the_family_and_null_brings_the_next_lesson(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        target = await journal_lesson(engine)
        due = target.date + dt.timedelta(days=10)
        r = await api.post(
            f"{API}/lessons/{target.id}/homework",
            json={"text": "Реферат", "due": due.isoformat()},
            headers=as_teacher,
        )
        assert r.status_code == 201, r.text
        hw = r.json()
        assert hw["due"] == due.isoformat()
        stored = await rows(
            engine, sa.select(s.homework.c.due_on).where(s.homework.c.id == int(hw["id"]))
        )
        assert stored[0].due_on == due
        me = await user_id(engine, "student")
        shown = await _list(
            api, as_parent, me, **{"from": target.date.isoformat(), "to": target.date.isoformat()}
        )
        assert [h["due"] for h in shown if h["id"] == hw["id"]] == [due.isoformat()]

        later = due + dt.timedelta(days=1)
        r = await api.patch(
            f"{API}/homework/{hw['id']}", json={"due": later.isoformat()}, headers=as_teacher
        )
        assert r.status_code == 200 and r.json()["due"] == later.isoformat()
        assert r.json()["text"] == "Реферат"
        r = await api.patch(f"{API}/homework/{hw['id']}", json={"due": None}, headers=as_teacher)
        next_lesson = await journal_lesson(
            engine,
            first=target.date + dt.timedelta(days=1),
            last=dt.date(2026, 12, 28),
            latest=False,
        )
        assert r.status_code == 200 and r.json()["due"] == next_lesson.date.isoformat()

    async def test_a_due_date_before_the_lesson_is_422_and_nothing_is_written(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await journal_lesson(engine)
        before = await table_counts(engine)
        r = await api.post(
            f"{API}/lessons/{target.id}/homework",
            json={"text": "§ 3", "due": (target.date - dt.timedelta(days=1)).isoformat()},
            headers=as_teacher,
        )
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == ("due_before_lesson", "due")
        assert await table_counts(engine) == before
        # The lesson's own day is fine: homework for the end of the lesson.
        same_day = {"text": "§ 3", "due": target.date.isoformat()}
        r = await api.post(f"{API}/lessons/{target.id}/homework", json=same_day, headers=as_teacher)
        assert r.status_code == 201 and r.json()["due"] == target.date.isoformat()
        hw_id = r.json()["id"]
        r = await api.patch(
            f"{API}/homework/{hw_id}",
            json={"due": (target.date - dt.timedelta(days=3)).isoformat()},
            headers=as_teacher,
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "due"
        r = await api.post(
            f"{API}/lessons/{target.id}/homework",
            json={"text": "§ 3", "due": "31.12.2026"},
            headers=as_teacher,
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "due"
