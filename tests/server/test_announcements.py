"""Announcements: who reads which, who may post where, and the change they leave."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import login
from tests.server.test_week import children, class_of, rows, scalar, user_id

URL = "/api/v1/announcements"


async def _visible_ids(
    engine: AsyncEngine, classes: set[int], *, every_class: bool = False
) -> list[str]:
    """Announcement ids of the school and of `classes`, newest first, read straight from the db."""
    a = s.announcements
    where = sa.true() if every_class else sa.or_(a.c.class_id.is_(None), a.c.class_id.in_(classes))
    found = await rows(
        engine, sa.select(a.c.id).where(where).order_by(a.c.created_at.desc(), a.c.id.desc())
    )
    return [str(r.id) for r in found]


async def _staff_classes(engine: AsyncEngine, login_name: str) -> set[int]:
    uid = int(await user_id(engine, login_name))
    taught = await rows(
        engine, sa.select(s.teaching.c.class_id).where(s.teaching.c.teacher_id == uid)
    )
    led = await rows(engine, sa.select(s.classes.c.id).where(s.classes.c.class_teacher_id == uid))
    return {r[0] for r in taught} | {r[0] for r in led}


async def _class_not_taught(engine: AsyncEngine, login_name: str) -> int:
    mine = await _staff_classes(engine, login_name)
    return await scalar(
        engine,
        sa.select(s.classes.c.id).where(s.classes.c.id.not_in(mine)).order_by(s.classes.c.id),
    )


async def _parent_of_class(engine: AsyncEngine, class_id: int) -> str:
    """The login of a parent with a child in `class_id` and none in the well-known family's classes."""
    g, st, u = s.guardians, s.students, s.users
    return await scalar(
        engine,
        sa.select(u.c.login)
        .join(g, g.c.parent_id == u.c.id)
        .join(st, st.c.user_id == g.c.student_id)
        .where(st.c.class_id == class_id, u.c.login != "parent")
        .order_by(u.c.login)
        .limit(1),
    )


async def _cursor(api: httpx.AsyncClient, headers: dict[str, str]) -> str:
    return (await api.get("/api/v1/changes", headers=headers)).json()["cursor"]


async def _feed(
    api: httpx.AsyncClient, headers: dict[str, str], since: str
) -> list[dict[str, Any]]:
    r = await api.get("/api/v1/changes", params={"since": since}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["changes"]


def _post(class_id: int | str | None, title: str = "Родительское собрание") -> dict[str, Any]:
    return {
        "class_id": None if class_id is None else str(class_id),
        "title": title,
        "body": "В четверг в 18:00 в кабинете 12.",
    }


class TestAnnouncementList:
    async def test_parent_reads_the_school_and_both_childrens_classes_newest_first(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, younger = await children(api, as_parent)
        classes = {await class_of(engine, older), await class_of(engine, younger)}
        r = await api.get(URL, params={"limit": 200}, headers=as_parent)
        assert r.status_code == 200, r.text
        got = r.json()["announcements"]
        assert [a["id"] for a in got] == await _visible_ids(engine, classes)
        assert {a["class_id"] for a in got} == {None} | {str(c) for c in classes}
        stamps = [a["created_at"] for a in got]
        assert stamps == sorted(stamps, reverse=True)
        school_wide = next(a for a in got if a["class_id"] is None)
        assert school_wide["class_name"] is None and school_wide["author"]["full_name"]

    async def test_student_id_narrows_to_one_child(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        _older, younger = await children(api, as_parent)
        r = await api.get(URL, params={"student_id": younger, "limit": 200}, headers=as_parent)
        assert r.status_code == 200
        got = r.json()["announcements"]
        assert [a["id"] for a in got] == await _visible_ids(
            engine, {await class_of(engine, younger)}
        )

    async def test_parent_naming_another_familys_child_gets_404(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, younger = await children(api, as_parent)
        st = s.students
        stranger = await scalar(
            engine,
            sa.select(st.c.user_id)
            .where(st.c.user_id.not_in([int(older), int(younger)]))
            .order_by(st.c.user_id)
            .limit(1),
        )
        r = await api.get(URL, params={"student_id": str(stranger)}, headers=as_parent)
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "student_not_found"

    async def test_student_reads_own_class_not_the_siblings(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_student: dict
    ) -> None:
        older, younger = await children(api, as_parent)
        r = await api.get(URL, params={"limit": 200}, headers=as_student)
        got = r.json()["announcements"]
        assert [a["id"] for a in got] == await _visible_ids(engine, {await class_of(engine, older)})
        assert str(await class_of(engine, younger)) not in {a["class_id"] for a in got}

    async def test_teacher_reads_the_classes_taught_or_led(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        mine = await _staff_classes(engine, "teacher")
        r = await api.get(URL, params={"limit": 200}, headers=as_teacher)
        got = r.json()["announcements"]
        assert [a["id"] for a in got] == await _visible_ids(engine, mine)
        assert str(await _class_not_taught(engine, "teacher")) not in {a["class_id"] for a in got}

    async def test_admin_reads_every_announcement_of_the_school(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        r = await api.get(URL, params={"limit": 200}, headers=as_admin)
        assert [a["id"] for a in r.json()["announcements"]] == await _visible_ids(
            engine, set(), every_class=True
        )

    async def test_limit_keeps_the_newest(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        r = await api.get(URL, params={"limit": 3}, headers=as_admin)
        everything = await _visible_ids(engine, set(), every_class=True)
        assert [a["id"] for a in r.json()["announcements"]] == everything[:3]

    async def test_a_limit_over_the_maximum_is_422(
        self, api: httpx.AsyncClient, as_admin: dict
    ) -> None:
        r = await api.get(URL, params={"limit": 1000}, headers=as_admin)
        assert r.status_code == 422 and r.json()["error"]["field"] == "limit"

    async def test_needs_a_login(self, api: httpx.AsyncClient) -> None:
        assert (await api.get(URL)).status_code == 401


class TestAnnouncementPost:
    async def test_teacher_announces_to_a_class_they_teach_and_its_families_read_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        class_id = await class_of(engine, older)
        assert class_id in await _staff_classes(engine, "teacher")
        cursor = await _cursor(api, as_parent)
        r = await api.post(URL, json=_post(class_id), headers=as_teacher)
        assert r.status_code == 201, r.text
        made = r.json()
        assert made["class_id"] == str(class_id)
        assert made["author"]["id"] == await user_id(engine, "teacher")
        assert made["title"] == "Родительское собрание"
        listed = (await api.get(URL, headers=as_parent)).json()["announcements"]
        assert listed[0]["id"] == made["id"]
        feed = await _feed(api, as_parent, cursor)
        change = next(c for c in feed if c["kind"] == "announcement")
        assert change["entity_id"] == made["id"] and change["class_id"] == str(class_id)

    async def test_other_classes_families_neither_read_it_nor_see_the_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        older, younger = await children(api, as_parent)
        family = {await class_of(engine, older), await class_of(engine, younger)}
        other = next(c for c in sorted(await _staff_classes(engine, "teacher")) if c not in family)
        cursor = await _cursor(api, as_parent)
        r = await api.post(URL, json=_post(other), headers=as_teacher)
        assert r.status_code == 201
        listed = (await api.get(URL, params={"limit": 200}, headers=as_parent)).json()
        assert r.json()["id"] not in {a["id"] for a in listed["announcements"]}
        assert [c for c in await _feed(api, as_parent, cursor) if c["kind"] == "announcement"] == []
        theirs = await login(api, await _parent_of_class(engine, other))
        assert r.json()["id"] in {
            a["id"] for a in (await api.get(URL, headers=theirs)).json()["announcements"]
        }

    async def test_admin_announces_to_the_whole_school(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict, as_student: dict
    ) -> None:
        cursor = await _cursor(api, as_student)
        r = await api.post(URL, json=_post(None, "Каникулы"), headers=as_admin)
        assert r.status_code == 201, r.text
        assert r.json()["class_id"] is None and r.json()["class_name"] is None
        listed = (await api.get(URL, headers=as_student)).json()["announcements"]
        assert listed[0]["id"] == r.json()["id"]
        feed = await _feed(api, as_student, cursor)
        assert [(c["kind"], c["class_id"], c["entity_id"]) for c in feed] == [
            ("announcement", None, r.json()["id"])
        ]

    async def test_admin_announces_to_any_class(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        class_id = await _class_not_taught(engine, "teacher")
        r = await api.post(URL, json=_post(class_id), headers=as_admin)
        assert r.status_code == 201
        assert r.json()["class_id"] == str(class_id) and r.json()["class_name"]

    async def test_a_student_may_not_announce(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = (await api.get("/api/v1/me", headers=as_student)).json()["id"]
        r = await api.post(URL, json=_post(await class_of(engine, me)), headers=as_student)
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "not_staff"

    async def test_a_parent_may_not_announce(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        r = await api.post(URL, json=_post(await class_of(engine, older)), headers=as_parent)
        assert r.status_code == 403

    async def test_teacher_may_not_announce_to_a_class_they_do_not_teach(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        count = sa.select(sa.func.count()).select_from(s.announcements)
        before = await scalar(engine, count)
        r = await api.post(
            URL, json=_post(await _class_not_taught(engine, "teacher")), headers=as_teacher
        )
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "not_your_class"
        assert await scalar(engine, count) == before

    async def test_teacher_may_not_announce_to_the_whole_school(
        self, api: httpx.AsyncClient, as_teacher: dict
    ) -> None:
        r = await api.post(URL, json=_post(None), headers=as_teacher)
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "school_wide_admin_only"

    async def test_an_unknown_or_malformed_class_is_422_on_class_id(
        self, api: httpx.AsyncClient, as_admin: dict
    ) -> None:
        for bad in ("999999", "7a"):
            r = await api.post(URL, json=_post(bad), headers=as_admin)
            assert r.status_code == 422, bad
            assert r.json()["error"]["field"] == "class_id"

    async def test_a_blank_title_is_422_on_title(
        self, api: httpx.AsyncClient, as_admin: dict
    ) -> None:
        r = await api.post(URL, json=_post(None, "   "), headers=as_admin)
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "title"

    async def test_a_repeated_idempotency_key_creates_one(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        headers = {**as_admin, "Idempotency-Key": "announce-1"}
        first = await api.post(URL, json=_post(None), headers=headers)
        again = await api.post(URL, json=_post(None), headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert again.headers.get("Idempotent-Replayed") == "true"
        a = s.announcements
        count = await scalar(
            engine,
            sa.select(sa.func.count()).select_from(a).where(a.c.title == "Родительское собрание"),
        )
        assert count == 1
