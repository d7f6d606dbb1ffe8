"""The admin's routes: people, classes and the day's timetable changes, for the admin alone.

Every route is asked by each wrong person (a teacher, the class teacher, a parent,
a student: 403 `not_admin`; the admin of another school: 404 for this school's
people and classes, and only their own school otherwise), then used as the demo
school's `admin` would from the app's screens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.domain.models import Role
from ediary_tui.server import admin as cli_admin
from ediary_tui.server import schema as s
from ediary_tui.server.school.audit import Actor
from ediary_tui.server.school.year import open_year
from tests.conftest import PINNED_TODAY, login
from tests.server.test_week import children, classmate, scalar, user_id

API = "/api/v1"
OTHER_ADMIN, OTHER_PASSWORD = "other.admin", "another-school-admin-1"


async def other_school_admin(api: httpx.AsyncClient, engine: AsyncEngine) -> dict[str, str]:
    """The admin of a second school (with its school year open), logged in."""
    school = await cli_admin.create_school(engine, "Гимназия № 2")
    async with engine.begin() as conn:
        await open_year(conn, Actor.command_line(), school, 2026)
    await cli_admin.create_user(
        engine,
        login=OTHER_ADMIN,
        full_name="Другая Админ Школы",
        roles=[Role.ADMIN],
        school=school,
        password=OTHER_PASSWORD,
    )
    return await login(api, OTHER_ADMIN, OTHER_PASSWORD)


async def class_7a(engine: AsyncEngine) -> int:
    st = s.students
    student = int(await user_id(engine, "student"))
    return await scalar(engine, sa.select(st.c.class_id).where(st.c.user_id == student))


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {person} and {class_id} filled from the demo school
    body: dict[str, Any] | None = None
    about_one: bool = True  # names a person or class of the school (404 to another school)


ROUTES = [
    Route("get", "/admin/people?q=ivan", about_one=False),
    Route("get", "/admin/people/{person}"),
    Route("post", "/admin/people", {"full_name": "Новый Ученик Тестович", "role": "parent"}, False),
    Route("post", "/admin/people/{person}/children", {"student_id": "{child}"}),
    Route("delete", "/admin/people/{person}/children/{child}"),
    Route("post", "/admin/people/{person}/password"),
    Route("post", "/admin/people/{person}/unlock"),
    Route("get", "/admin/classes", about_one=False),
    Route("get", "/admin/classes/{class_id}/members"),
    Route("put", "/admin/classes/{class_id}/teacher", {"teacher_id": None}),
    Route("get", "/admin/classes/{class_id}/timetable"),
    Route("get", "/admin/teachers", about_one=False),
    Route("get", "/admin/subjects", about_one=False),
    Route("put", "/admin/classes/{class_id}/timetable/0/1", {"subject_id": "1", "teacher_id": "1"}),
    Route("delete", "/admin/classes/{class_id}/timetable/0/1"),
    Route("get", "/admin/timetable/changes?date=2026-11-25", about_one=False),
    Route(
        "post",
        "/admin/timetable/changes",
        {"class_id": "{class_id}", "date": "2026-11-26", "number": 1, "kind": "cancel"},
    ),
]


async def _fill(engine: AsyncEngine, route: Route) -> tuple[str, Any]:
    parent = await user_id(engine, "parent")
    values = {
        "person": parent,
        "child": await user_id(engine, "student"),
        "class_id": str(await class_7a(engine)),
    }

    def fill(text: Any) -> Any:
        if isinstance(text, str):
            for name, value in values.items():
                text = text.replace("{" + name + "}", value)
            return text
        if isinstance(text, dict):
            return {k: fill(v) for k, v in text.items()}
        return text

    return fill(route.path), fill(route.body)


async def _login_of(engine: AsyncEngine, who: str) -> str:
    """A demo login, or for "subject teacher" a teacher who leads no class."""
    if who != "subject teacher":
        return who
    u, r, c = s.users, s.user_roles, s.classes
    leading = sa.select(c.c.class_teacher_id).where(c.c.class_teacher_id.is_not(None))
    return await scalar(
        engine,
        sa.select(u.c.login)
        .join(r, r.c.user_id == u.c.id)
        .where(r.c.role == "teacher", u.c.id.not_in(leading))
        .order_by(u.c.id)
        .limit(1),
    )


def _id(route: Route) -> str:
    return f"{route.method.upper()} {route.path.split('?')[0]}"


class TestOnlyTheSchoolsAdmin:
    @pytest.mark.parametrize("who", ["teacher", "subject teacher", "parent", "student"])
    @pytest.mark.parametrize("route", ROUTES, ids=_id)
    async def test_anyone_else_is_refused_and_nothing_is_written(
        self, api: httpx.AsyncClient, engine: AsyncEngine, route: Route, who: str
    ) -> None:
        """`teacher` is also 7А's class teacher: leading a class is no admin's right; a
        subject teacher leads none."""
        headers = await login(api, await _login_of(engine, who))
        path, body = await _fill(engine, route)
        before = await scalar(engine, sa.select(sa.func.count()).select_from(s.audit_log))
        r = await api.request(route.method.upper(), API + path, json=body, headers=headers)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "not_admin"
        after = await scalar(engine, sa.select(sa.func.count()).select_from(s.audit_log))
        assert after == before

    @pytest.mark.parametrize("route", [r for r in ROUTES if r.about_one], ids=_id)
    async def test_the_admin_of_another_school_finds_no_such_person_or_class(
        self, api: httpx.AsyncClient, engine: AsyncEngine, route: Route
    ) -> None:
        headers = await other_school_admin(api, engine)
        path, body = await _fill(engine, route)
        before = await scalar(engine, sa.select(sa.func.count()).select_from(s.audit_log))
        r = await api.request(route.method.upper(), API + path, json=body, headers=headers)
        assert r.status_code == 404, r.text
        assert r.json()["error"]["code"] in ("person_not_found", "class_not_found")
        after = await scalar(engine, sa.select(sa.func.count()).select_from(s.audit_log))
        assert after == before

    async def test_the_admin_of_another_school_searches_and_lists_only_their_own(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        headers = await other_school_admin(api, engine)
        found = await api.get(f"{API}/admin/people", params={"q": "pa"}, headers=headers)
        assert found.status_code == 200 and found.json()["people"] == []
        mine = await api.get(f"{API}/admin/people", params={"q": "other"}, headers=headers)
        assert [p["login"] for p in mine.json()["people"]] == [OTHER_ADMIN]
        classes = await api.get(f"{API}/admin/classes", headers=headers)
        assert classes.status_code == 200 and classes.json()["classes"] == []
        teachers = await api.get(f"{API}/admin/teachers", headers=headers)
        assert teachers.json()["teachers"] == []
        subjects = await api.get(f"{API}/admin/subjects", headers=headers)
        assert subjects.json()["subjects"] == []

    async def test_a_class_teacher_who_is_also_a_parent_is_still_refused(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        teacher = await user_id(engine, "teacher")
        async with engine.begin() as conn:
            await conn.execute(s.user_roles.insert().values(user_id=int(teacher), role="parent"))
        headers = await login(api, "teacher")
        r = await api.get(f"{API}/admin/classes", headers=headers)
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_admin"


class TestPeopleSearch:
    async def test_a_login_prefix_finds_the_person_first(
        self, api: httpx.AsyncClient, as_admin: dict[str, str]
    ) -> None:
        r = await api.get(f"{API}/admin/people", params={"q": "parent"}, headers=as_admin)
        assert r.status_code == 200, r.text
        first = r.json()["people"][0]
        assert first["login"] == "parent" and "parent" in first["roles"]

    async def test_a_name_typed_in_lower_case_finds_the_capitalised_name(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        name = await scalar(
            engine, sa.select(s.users.c.full_name).where(s.users.c.login == "student")
        )
        part = name.split()[0][:5].lower()
        r = await api.get(f"{API}/admin/people", params={"q": part}, headers=as_admin)
        found = {p["login"]: p for p in r.json()["people"]}
        assert "student" in found, r.json()
        assert found["student"]["class_name"] == "7А"

    async def test_the_search_is_bounded(
        self, api: httpx.AsyncClient, as_admin: dict[str, str]
    ) -> None:
        short = await api.get(f"{API}/admin/people", params={"q": " a "}, headers=as_admin)
        assert short.status_code == 422 and short.json()["error"]["field"] == "q"
        few = await api.get(f"{API}/admin/people", params={"q": "ов", "limit": 3}, headers=as_admin)
        assert len(few.json()["people"]) == 3 and few.json()["more"] is True
        many = await api.get(
            f"{API}/admin/people", params={"q": "ов", "limit": 51}, headers=as_admin
        )
        assert many.status_code == 422

    async def test_wildcards_are_taken_literally(
        self, api: httpx.AsyncClient, as_admin: dict[str, str]
    ) -> None:
        r = await api.get(f"{API}/admin/people", params={"q": "%%"}, headers=as_admin)
        assert r.status_code == 200 and r.json()["people"] == []


class TestPersonCard:
    async def test_a_parents_card_lists_the_children_with_their_classes(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        parent = await user_id(engine, "parent")
        r = await api.get(f"{API}/admin/people/{parent}", headers=as_admin)
        assert r.status_code == 200, r.text
        card = r.json()
        assert card["login"] == "parent" and card["activated"] is True
        assert card["locked_until"] is None
        older, younger = await children(api, await login(api, "parent"))
        assert {c["id"] for c in card["children"]} == {older, younger}
        assert "7А" in {c["class_name"] for c in card["children"]}

    async def test_a_students_card_lists_the_parents_and_the_class(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        student = await user_id(engine, "student")
        card = (await api.get(f"{API}/admin/people/{student}", headers=as_admin)).json()
        assert card["class_name"] == "7А" and card["roles"] == ["student"]
        assert "parent" in {p["login"] for p in card["parents"]}

    async def test_a_teachers_card_says_what_they_teach_and_lead(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        teacher = await user_id(engine, "teacher")
        card = (await api.get(f"{API}/admin/people/{teacher}", headers=as_admin)).json()
        assert card["leads"] == ["7А"]
        me = (await api.get(f"{API}/me", headers=await login(api, "teacher"))).json()
        assert card["teaches"] and len(card["teaches"]) == len(me["teaching"])
        assert (
            f"{me['teaching'][0]['class_name']} {me['teaching'][0]['subject_name']}"
            in card["teaches"]
        )

    async def test_failed_logins_show_as_locked_until_unlocked(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        for _ in range(6):
            await api.post(f"{API}/auth/login", json={"login": "student", "password": "wrong"})
        student = await user_id(engine, "student")
        card = (await api.get(f"{API}/admin/people/{student}", headers=as_admin)).json()
        assert card["locked_until"] is not None
        r = await api.post(f"{API}/admin/people/{student}/unlock", headers=as_admin)
        assert r.status_code == 201, r.text
        assert r.json()["login"] == "student" and r.json()["lifted"]
        card = (await api.get(f"{API}/admin/people/{student}", headers=as_admin)).json()
        assert card["locked_until"] is None
        assert (
            await api.post(f"{API}/auth/login", json={"login": "student", "password": "demo"})
        ).status_code == 200

    async def test_an_unknown_or_malformed_id_is_not_found(
        self, api: httpx.AsyncClient, as_admin: dict[str, str]
    ) -> None:
        for bad in ("999999", "abc", "0"):
            r = await api.get(f"{API}/admin/people/{bad}", headers=as_admin)
            assert r.status_code == 404 and r.json()["error"]["code"] == "person_not_found"


class TestCreatingAndLinking:
    async def test_a_new_student_logs_in_with_the_one_time_password(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        body = {
            "full_name": "Новикова  Алиса Петровна",
            "role": "student",
            "class_id": str(await class_7a(engine)),
            "birth_date": "2013-04-02",
        }
        r = await api.post(
            f"{API}/admin/people", json=body, headers={**as_admin, "Idempotency-Key": "new-1"}
        )
        assert r.status_code == 201, r.text
        made = r.json()
        assert made["full_name"] == "Новикова Алиса Петровна" and made["password"]
        again = await api.post(
            f"{API}/admin/people", json=body, headers={**as_admin, "Idempotency-Key": "new-1"}
        )
        assert again.json() == made
        first = await api.post(
            f"{API}/auth/login", json={"login": made["login"], "password": made["password"]}
        )
        assert first.status_code == 200 and first.json()["must_change_password"] is True
        card = (await api.get(f"{API}/admin/people/{made['user_id']}", headers=as_admin)).json()
        assert card["class_name"] == "7А" and card["activated"] is False
        assert card["birth_date"] == "2013-04-02"
        logged = await scalar(
            engine, sa.select(s.audit_log.c.action).order_by(s.audit_log.c.id.desc()).limit(1)
        )
        assert logged == "user.create"

    async def test_a_student_without_a_class_and_a_taken_login_are_refused(
        self, api: httpx.AsyncClient, as_admin: dict[str, str]
    ) -> None:
        r = await api.post(
            f"{API}/admin/people",
            json={"full_name": "Без Класса", "role": "student"},
            headers=as_admin,
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "class_id"
        r = await api.post(
            f"{API}/admin/people",
            json={"full_name": "Тёзка Родителя", "role": "parent", "login": "parent"},
            headers=as_admin,
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == "refused"
        assert "taken" in r.json()["error"]["message"]

    async def test_a_parent_linked_to_a_child_reads_the_diary_until_unlinked(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        made = (
            await api.post(
                f"{API}/admin/people",
                json={"full_name": "Опекунова Мария Ивановна", "role": "parent"},
                headers=as_admin,
            )
        ).json()
        child = await user_id(engine, "student")
        r = await api.post(
            f"{API}/admin/people/{made['user_id']}/children",
            json={"student_id": child, "relation": "legal representative"},
            headers=as_admin,
        )
        assert r.status_code == 201, r.text
        assert [(c["id"], c["relation"]) for c in r.json()["children"]] == [
            (child, "legal representative")
        ]
        again = await api.post(
            f"{API}/admin/people/{made['user_id']}/children",
            json={"student_id": child},
            headers=as_admin,
        )
        assert again.status_code == 422 and again.json()["error"]["code"] == "refused"
        r = await api.delete(
            f"{API}/admin/people/{made['user_id']}/children/{child}", headers=as_admin
        )
        assert r.status_code == 200 and r.json()["children"] == []

    async def test_a_child_of_another_school_cannot_be_linked(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        await other_school_admin(api, engine)
        other = await user_id(engine, OTHER_ADMIN)
        parent = await user_id(engine, "parent")
        r = await api.post(
            f"{API}/admin/people/{parent}/children", json={"student_id": other}, headers=as_admin
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "student_id"


class TestPasswords:
    async def test_a_reset_ends_the_sessions_and_the_new_password_works_once(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        mate = await classmate(engine, await user_id(engine, "student"))
        mate_login = await scalar(
            engine, sa.select(s.users.c.login).where(s.users.c.id == int(mate))
        )
        session = await login(api, mate_login)
        r = await api.post(f"{API}/admin/people/{mate}/password", headers=as_admin)
        assert r.status_code == 201, r.text
        assert r.headers["cache-control"] == "no-store"
        new = r.json()
        assert new["login"] == mate_login and new["password"] != "demo"
        assert (await api.get(f"{API}/me", headers=session)).status_code == 401
        old = await api.post(f"{API}/auth/login", json={"login": mate_login, "password": "demo"})
        assert old.status_code == 401
        first = await api.post(
            f"{API}/auth/login", json={"login": mate_login, "password": new["password"]}
        )
        assert first.status_code == 200 and first.json()["must_change_password"] is True

    async def test_the_admin_does_not_reset_their_own_password_here(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        me = await user_id(engine, "admin")
        r = await api.post(f"{API}/admin/people/{me}/password", headers=as_admin)
        assert r.status_code == 422 and r.json()["error"]["code"] == "refused"


class TestClasses:
    async def test_this_years_classes_with_their_teachers_and_sizes(
        self, api: httpx.AsyncClient, as_admin: dict[str, str]
    ) -> None:
        r = await api.get(f"{API}/admin/classes", headers=as_admin)
        assert r.status_code == 200, r.text
        found = r.json()
        assert found["year"] == 2026
        names = [c["name"] for c in found["classes"]]
        assert names[0].startswith("1") and "7А" in names
        seventh = next(c for c in found["classes"] if c["name"] == "7А")
        assert seventh["students"] == 8 and seventh["class_teacher"] is not None

    async def test_a_classes_members_are_its_students_with_their_parents(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        r = await api.get(f"{API}/admin/classes/{await class_7a(engine)}/members", headers=as_admin)
        assert r.status_code == 200, r.text
        found = r.json()
        assert found["class"]["name"] == "7А" and len(found["families"]) == 8
        student = next(f for f in found["families"] if f["student"]["login"] == "student")
        assert "parent" in {p["login"] for p in student["parents"]}

    async def test_setting_the_class_teacher_moves_the_role(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        class_id = await class_7a(engine)
        teachers = (await api.get(f"{API}/admin/teachers", headers=as_admin)).json()["teachers"]
        old = await user_id(engine, "teacher")
        new = next(t["id"] for t in teachers if t["id"] != old)
        r = await api.put(
            f"{API}/admin/classes/{class_id}/teacher", json={"teacher_id": new}, headers=as_admin
        )
        assert r.status_code == 200, r.text
        assert r.json()["class_teacher"]["id"] == new
        me = (await api.get(f"{API}/me", headers=await login(api, "teacher"))).json()
        assert "class_teacher" not in me["roles"]
        none = await api.put(
            f"{API}/admin/classes/{class_id}/teacher", json={"teacher_id": None}, headers=as_admin
        )
        assert none.json()["class_teacher"] is None

    async def test_a_parent_is_no_class_teacher(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        parent = await user_id(engine, "parent")
        r = await api.put(
            f"{API}/admin/classes/{await class_7a(engine)}/teacher",
            json={"teacher_id": parent},
            headers=as_admin,
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == "refused"

    async def test_a_classes_timetable_is_its_week(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        class_id = await class_7a(engine)
        r = await api.get(f"{API}/admin/classes/{class_id}/timetable", headers=as_admin)
        assert r.status_code == 200, r.text
        week = r.json()
        stored = await scalar(
            engine,
            sa.select(sa.func.count()).where(s.timetable.c.class_id == class_id),
        )
        assert week["class_name"] == "7А" and len(week["slots"]) == stored > 0
        first = week["slots"][0]
        assert (first["weekday"], first["number"]) == (0, 1) and first["subject"]["name"]


class TestEditingTheWeek:
    async def test_a_slot_is_set_and_cleared_and_the_lessons_follow(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        class_id = await class_7a(engine)
        url = f"{API}/admin/classes/{class_id}/timetable"
        week = (await api.get(url, headers=as_admin)).json()
        first = week["slots"][0]
        body = {
            "subject_id": first["subject"]["id"],
            "teacher_id": first["teacher"]["id"],
            "room": "Актовый зал",
        }
        r = await api.put(
            f"{url}/{first['weekday']}/{first['number']}", json=body, headers=as_admin
        )
        assert r.status_code == 200, r.text
        assert r.json()["slots"][0]["room"] == "Актовый зал"
        le = s.lessons
        moved = await scalar(
            engine,
            sa.select(sa.func.count()).where(
                le.c.class_id == class_id, le.c.date > PINNED_TODAY, le.c.room == "Актовый зал"
            ),
        )
        assert moved > 0
        last = week["slots"][-1]
        r = await api.delete(f"{url}/{last['weekday']}/{last['number']}", headers=as_admin)
        assert r.status_code == 200, r.text
        assert len(r.json()["slots"]) == len(week["slots"]) - 1
        again = await api.delete(f"{url}/{last['weekday']}/{last['number']}", headers=as_admin)
        assert again.status_code == 422 and again.json()["error"]["code"] == "refused"

    async def test_a_teacher_in_two_places_at_once_is_refused(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        """7А's first lesson given to the teacher of another class's lesson at that hour."""
        tt = s.timetable
        class_id = await class_7a(engine)
        mine = (await api.get(f"{API}/admin/classes/{class_id}/timetable", headers=as_admin)).json()
        first = mine["slots"][0]
        busy = await scalar(
            engine,
            sa.select(tt.c.teacher_id)
            .where(
                tt.c.class_id != class_id,
                tt.c.weekday == first["weekday"],
                tt.c.number == first["number"],
                tt.c.teacher_id != int(first["teacher"]["id"]),
            )
            .limit(1),
        )
        r = await api.put(
            f"{API}/admin/classes/{class_id}/timetable/{first['weekday']}/{first['number']}",
            json={"subject_id": first["subject"]["id"], "teacher_id": str(busy)},
            headers=as_admin,
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == "refused", r.text

    async def test_a_day_the_class_does_not_have_is_named(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        r = await api.delete(
            f"{API}/admin/classes/{await class_7a(engine)}/timetable/7/1", headers=as_admin
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "weekday"

    async def test_the_schools_subjects(
        self, api: httpx.AsyncClient, as_admin: dict[str, str]
    ) -> None:
        names = [
            x["name"]
            for x in (await api.get(f"{API}/admin/subjects", headers=as_admin)).json()["subjects"]
        ]
        assert names == sorted(names) and "Алгебра" in names


class TestTheDaysChanges:
    async def _first_lesson(self, engine: AsyncEngine, class_id: int) -> tuple[str, int]:
        le = s.lessons
        day = await scalar(
            engine,
            sa.select(sa.func.min(le.c.date)).where(
                le.c.class_id == class_id, le.c.date > PINNED_TODAY
            ),
        )
        number = await scalar(
            engine,
            sa.select(sa.func.min(le.c.number)).where(le.c.class_id == class_id, le.c.date == day),
        )
        return day.isoformat(), number

    async def test_a_replacement_and_a_cancelled_lesson_are_the_days_changes(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        class_id = await class_7a(engine)
        day, number = await self._first_lesson(engine, class_id)
        listed = await api.get(
            f"{API}/admin/timetable/changes", params={"date": day}, headers=as_admin
        )
        assert listed.status_code == 200 and listed.json()["changes"] == []
        teachers = (await api.get(f"{API}/admin/teachers", headers=as_admin)).json()["teachers"]
        usual = await scalar(
            engine,
            sa.select(s.lessons.c.teacher_id).where(
                s.lessons.c.class_id == class_id,
                s.lessons.c.date == dt.date.fromisoformat(day),
                s.lessons.c.number == number,
            ),
        )
        free = [t for t in teachers if t["id"] != str(usual)]
        r = None
        for stand_in in free:  # the first teacher free at that hour
            r = await api.post(
                f"{API}/admin/timetable/changes",
                json={
                    "class_id": str(class_id),
                    "date": day,
                    "number": number,
                    "kind": "replace",
                    "teacher_id": stand_in["id"],
                    "note": "болеет",
                },
                headers=as_admin,
            )
            if r.status_code == 201:
                break
        assert r is not None and r.status_code == 201, r.text
        (change,) = r.json()["changes"]
        assert (change["class_name"], change["number"], change["kind"]) == (
            "7А",
            number,
            "replaced",
        )
        assert change["teacher"] == stand_in["full_name"] and change["usual_teacher"]
        assert change["note"] == "болеет"
        listed = await api.get(
            f"{API}/admin/timetable/changes", params={"date": day}, headers=as_admin
        )
        assert listed.json()["changes"] == r.json()["changes"]
        restored = await api.post(
            f"{API}/admin/timetable/changes",
            json={"class_id": str(class_id), "date": day, "number": number, "kind": "restore"},
            headers=as_admin,
        )
        assert restored.status_code == 201, restored.text
        assert restored.json()["changes"] == []

    async def test_a_move_needs_where_to_and_says_where_from(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict[str, str]
    ) -> None:
        class_id = await class_7a(engine)
        day, number = await self._first_lesson(engine, class_id)
        body = {"class_id": str(class_id), "date": day, "number": number, "kind": "move"}
        r = await api.post(f"{API}/admin/timetable/changes", json=body, headers=as_admin)
        assert r.status_code == 422 and r.json()["error"]["code"] == "refused"
        last = await scalar(
            engine,
            sa.select(sa.func.max(s.lessons.c.number)).where(
                s.lessons.c.class_id == class_id, s.lessons.c.date == dt.date.fromisoformat(day)
            ),
        )
        assert last < 7, "the demo day has no free lesson at its end"
        body.update(to_date=day, to_number=last + 1)
        r = await api.post(f"{API}/admin/timetable/changes", json=body, headers=as_admin)
        assert r.status_code == 201, r.text
        moved = next(c for c in r.json()["changes"] if c["kind"] == "moved")
        assert (moved["number"], moved["moved_from_date"], moved["moved_from_number"]) == (
            last + 1,
            day,
            number,
        )

    async def test_without_a_date_it_is_the_schools_today(
        self, api: httpx.AsyncClient, as_admin: dict[str, str]
    ) -> None:
        r = await api.get(f"{API}/admin/timetable/changes", headers=as_admin)
        assert r.status_code == 200 and r.json()["date"] == PINNED_TODAY.isoformat()
