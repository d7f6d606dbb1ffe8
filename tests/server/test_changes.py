"""The change feed: what changed, for whom it is visible, oldest first."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import PINNED_TODAY, login


async def _student_id(api: httpx.AsyncClient, headers: dict[str, str]) -> str:
    return (await api.get("/api/v1/me", headers=headers)).json()["id"]


async def _a_lesson_of_the_student(
    api: httpx.AsyncClient, teacher: dict[str, str], student_id: str
) -> str:
    """A past lesson `teacher` teaches in the class `student_id` is in."""
    me = (await api.get("/api/v1/me", headers=teacher)).json()
    for pair in me["teaching"]:
        journal = (
            await api.get(
                "/api/v1/journal",
                params={"class_id": pair["class_id"], "subject_id": pair["subject_id"]},
                headers=teacher,
            )
        ).json()
        if any(st["id"] == student_id for st in journal["students"]):
            past = [le for le in journal["lessons"] if le["date"] <= PINNED_TODAY.isoformat()]
            return past[-1]["id"]
    raise AssertionError("the teacher teaches no class of the student")


async def _parent_elsewhere(engine: AsyncEngine, student_id: str) -> str:
    """The login of a parent none of whose children share a class with `student_id`."""
    g, st, u = s.guardians, s.students, s.users
    async with engine.connect() as conn:
        class_id = (
            await conn.execute(sa.select(st.c.class_id).where(st.c.user_id == int(student_id)))
        ).scalar_one()
        same_class_parents = (
            sa.select(g.c.parent_id)
            .join(st, st.c.user_id == g.c.student_id)
            .where(st.c.class_id == class_id)
        )
        return (
            await conn.execute(
                sa.select(u.c.login)
                .join(g, g.c.parent_id == u.c.id)
                .where(u.c.id.not_in(same_class_parents), u.c.login != "parent")
                .order_by(u.c.login)
                .limit(1)
            )
        ).scalar_one()


async def _feed(api: httpx.AsyncClient, headers: dict[str, str], since: str) -> dict:
    r = await api.get("/api/v1/changes", params={"since": since}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


class TestChangeFeed:
    async def test_first_call_gives_a_cursor_and_no_history(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        r = await api.get("/api/v1/changes", headers=as_parent)
        assert r.status_code == 200
        assert r.json()["changes"] == []
        assert r.json()["cursor"].isdigit()

    async def test_after_must_be_a_moment_not_a_number(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        for wrong in ("0.5", "", "yesterday"):
            r = await api.get("/api/v1/changes", params={"after": wrong}, headers=as_parent)
            assert r.status_code == 422, wrong
            assert r.json()["error"]["field"] == "after"
        r = await api.get(
            "/api/v1/changes", params={"after": "2026-11-24T00:00:00+03:00"}, headers=as_parent
        )
        assert r.status_code == 200 and r.json()["changes"] == []  # a quiet school

    async def test_a_new_mark_reaches_the_family_and_no_one_else(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_parent: dict,
        as_student: dict,
        as_teacher: dict,
    ) -> None:
        student_id = await _student_id(api, as_student)
        other_parent = await login(api, await _parent_elsewhere(engine, student_id))
        admin = await login(api, "admin")
        cursors = {
            name: (await _feed(api, h, ""))["cursor"]
            for name, h in {
                "parent": as_parent,
                "student": as_student,
                "other": other_parent,
                "admin": admin,
            }.items()
        }
        lesson_id = await _a_lesson_of_the_student(api, as_teacher, student_id)
        r = await api.post(
            "/api/v1/marks",
            json={
                "student_id": student_id,
                "lesson_id": lesson_id,
                "value": 5,
                "comment": "Молодец",
            },
            headers=as_teacher,
        )
        assert r.status_code == 201, r.text
        mark_id = r.json()["id"]

        for name, headers in (("parent", as_parent), ("student", as_student), ("admin", admin)):
            feed = await _feed(api, headers, cursors[name])
            marks = [c for c in feed["changes"] if c["kind"] == "mark"]
            assert [c["entity_id"] for c in marks] == [mark_id], name
            assert marks[0]["student_id"] == student_id
            assert int(feed["cursor"]) > int(cursors[name])
            # Asking again from the new cursor gives nothing new.
            assert (await _feed(api, headers, feed["cursor"]))["changes"] == []

        other = await _feed(api, other_parent, cursors["other"])
        assert other["changes"] == []

    async def test_changes_come_oldest_first(
        self, api: httpx.AsyncClient, as_student: dict, as_teacher: dict
    ) -> None:
        student_id = await _student_id(api, as_student)
        cursor = (await _feed(api, as_student, ""))["cursor"]
        lesson_id = await _a_lesson_of_the_student(api, as_teacher, student_id)
        ids = []
        for value in (3, 4, 5):
            r = await api.post(
                "/api/v1/marks",
                json={"student_id": student_id, "lesson_id": lesson_id, "value": value},
                headers=as_teacher,
            )
            ids.append(r.json()["id"])
        feed = await _feed(api, as_student, cursor)
        assert [c["entity_id"] for c in feed["changes"] if c["kind"] == "mark"] == ids
        change_ids = [int(c["id"]) for c in feed["changes"]]
        assert change_ids == sorted(change_ids)

    async def test_a_cursor_that_is_not_ours_is_422(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        r = await api.get("/api/v1/changes", params={"since": "yesterday"}, headers=as_parent)
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "since"

    async def test_needs_a_login(self, api: httpx.AsyncClient) -> None:
        assert (await api.get("/api/v1/changes", params={"since": "0"})).status_code == 401
