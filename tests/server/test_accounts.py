"""People's accounts: create, link and unlink, reset, unlock, first-login passwords, audited."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.domain.models import Role
from ediary_tui.server import schema as s
from ediary_tui.server.school import accounts, audit
from ediary_tui.server.school.audit import Actor
from ediary_tui.server.school.errors import AdminError
from tests.conftest import PINNED_NOW, login

ADMIN = Actor.user(1, "admin")


async def _id(engine: AsyncEngine, login_name: str) -> int:
    async with engine.connect() as conn:
        return await accounts.user_id_by_login(conn, login_name)


async def _class_of(engine: AsyncEngine, student: str) -> int:
    async with engine.connect() as conn:
        uid = await accounts.user_id_by_login(conn, student)
        return (
            await conn.execute(sa.select(s.students.c.class_id).where(s.students.c.user_id == uid))
        ).scalar_one()


async def _last(engine: AsyncEngine, action: str) -> audit.AuditEntry:
    async with engine.connect() as conn:
        (entry,) = await audit.entries(conn, action=action, limit=1)
    return entry


class TestResetPassword:
    async def test_ends_every_session_and_the_new_password_must_be_changed(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        old = await login(api, "parent")
        assert (await api.get("/api/v1/me", headers=old)).status_code == 200
        async with engine.begin() as conn:
            secret = await accounts.reset_password(
                conn, ADMIN, await accounts.user_id_by_login(conn, "parent"), now=PINNED_NOW
            )
        assert (await api.get("/api/v1/me", headers=old)).status_code == 401
        r = await api.post("/api/v1/auth/login", json={"login": "parent", "password": "demo"})
        assert r.status_code == 401
        r = await api.post("/api/v1/auth/login", json={"login": "parent", "password": secret})
        assert r.status_code == 200 and r.json()["must_change_password"] is True
        entry = await _last(engine, "password.reset")
        assert (entry.actor, entry.target, entry.at) == ("admin", "parent", PINNED_NOW)
        assert secret not in str(entry.detail)
        assert entry.detail == {"sessions_ended": 1}

    async def test_an_unknown_user(self, engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            with pytest.raises(AdminError, match="no user with id 99999"):
                await accounts.reset_password(conn, ADMIN, 99999, now=PINNED_NOW)


class TestParents:
    async def test_unlink_takes_the_childs_diary_away(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        parent, student = await _id(engine, "parent"), await _id(engine, "student")
        headers = await login(api, "parent")
        week = f"/api/v1/students/{student}/week"
        assert (await api.get(week, headers=headers)).status_code == 200
        async with engine.begin() as conn:
            await accounts.unlink_parent(conn, ADMIN, parent, student)
        assert (await api.get(week, headers=headers)).status_code in (403, 404)
        entry = await _last(engine, "parent.unlink")
        assert (entry.actor, entry.target) == ("admin", "parent -> student")
        async with engine.begin() as conn:
            with pytest.raises(AdminError, match="'parent' is not linked to 'student'"):
                await accounts.unlink_parent(conn, ADMIN, parent, student)
            await accounts.link_parent(conn, ADMIN, parent, student, "mother")
        assert (await api.get(week, headers=headers)).status_code == 200
        entry = await _last(engine, "parent.link")
        assert entry.target == "parent -> student" and entry.detail == {"relation": "mother"}

    async def test_only_a_student_has_parents(self, engine: AsyncEngine) -> None:
        parent, teacher = await _id(engine, "parent"), await _id(engine, "teacher")
        async with engine.begin() as conn:
            with pytest.raises(AdminError, match="'teacher' is not a student"):
                await accounts.link_parent(conn, ADMIN, parent, teacher)


class TestCreatePerson:
    async def test_a_student_in_a_class_with_a_login_from_the_name(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        class_id = await _class_of(engine, "student")
        async with engine.begin() as conn:
            school_id = (
                await conn.execute(
                    sa.select(s.classes.c.school_id).where(s.classes.c.id == class_id)
                )
            ).scalar_one()
            uid, made, secret = await accounts.create_person(
                conn,
                ADMIN,
                school_id,
                full_name="Ёлкина  Дарья Юрьевна",
                roles=[Role.STUDENT],
                class_id=class_id,
                birth_date=dt.date(2013, 5, 1),
                external_id="S-1",
            )
            with pytest.raises(AdminError, match="'S-1' is already"):
                await accounts.create_person(
                    conn, ADMIN, school_id, full_name="Другой Ученик", roles=[Role.STUDENT],
                    class_id=class_id, external_id="S-1",
                )  # fmt: skip
        assert made == "elkina.dy1"
        async with engine.connect() as conn:
            row = (await conn.execute(sa.select(s.users).where(s.users.c.id == uid))).one()
        assert (row.last_name, row.first_name, row.patronymic) == ("Ёлкина", "Дарья", "Юрьевна")
        assert row.full_name == "Ёлкина Дарья Юрьевна" and row.must_change_password
        r = await api.post("/api/v1/auth/login", json={"login": made, "password": secret})
        assert r.status_code == 200
        entry = await _last(engine, "user.create")
        assert entry.target == "elkina.dy1 (Ёлкина Дарья Юрьевна)"
        assert entry.detail["roles"] == ["student"] and secret not in str(entry.detail)

    async def test_a_student_needs_a_class_and_a_login_is_unique(self, engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            with pytest.raises(AdminError, match="a student needs a class"):
                await accounts.create_person(conn, ADMIN, 1, full_name="А Б", roles=[Role.STUDENT])
            with pytest.raises(AdminError, match="login 'parent' is taken"):
                await accounts.create_person(
                    conn, ADMIN, 1, full_name="А Б", roles=[Role.PARENT], login="Parent"
                )


class TestIssueForClass:
    async def test_only_new_skips_those_who_chose_their_own(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        class_id = await _class_of(engine, "student")
        async with engine.begin() as conn:
            everyone = await accounts.plan_for_class(conn, class_id, only_new=False)
            first = await accounts.issue_for_class(
                conn, ADMIN, class_id, only_new=False, now=PINNED_NOW
            )
        assert everyone.people == len(first) and everyone.activated == len(first)
        # The student logs in with the paper's password and chooses their own.
        paper = next(c for c in first if c.login == "student")
        r = await api.post(
            "/api/v1/auth/login", json={"login": "student", "password": paper.password}
        )
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        r = await api.post(
            "/api/v1/auth/password",
            json={"old_password": paper.password, "new_password": "my own secret 42"},
            headers=headers,
        )
        assert r.status_code == 204
        async with engine.begin() as conn:
            plan = await accounts.plan_for_class(conn, class_id, only_new=True)
            again = await accounts.issue_for_class(
                conn, ADMIN, class_id, only_new=True, now=PINNED_NOW
            )
        assert plan.people == len(first) - 1 and plan.activated == 0
        assert sorted(c.login for c in again) == sorted(
            c.login for c in first if c.login != "student"
        )
        r = await api.post(
            "/api/v1/auth/login", json={"login": "student", "password": "my own secret 42"}
        )
        assert r.status_code == 200
        entry = await _last(engine, "credentials.issue")
        assert entry.actor == "admin" and entry.at == PINNED_NOW
        assert entry.detail == {"class_id": class_id, "issued": len(again), "only_new": True}
        assert not any(c.password in str(entry.detail) for c in again)


class TestUnlock:
    async def test_unlock_is_audited(self, engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            lines = await accounts.unlock_user(
                conn, ADMIN, await accounts.user_id_by_login(conn, "teacher"), now=PINNED_NOW
            )
            more = await accounts.unlock_address(conn, ADMIN, "10.1.2.3", now=PINNED_NOW)
        assert lines == ["teacher had no failed attempts to lift"]
        assert more == ["address 10.1.2.3 had no failed logins to lift"]
        entry = await _last(engine, "user.unlock")
        assert (entry.actor, entry.target, entry.at) == ("admin", "teacher", PINNED_NOW)
        assert (await _last(engine, "address.unlock")).target == "10.1.2.3"

    async def test_a_failed_action_leaves_no_line(self, engine: AsyncEngine) -> None:
        with pytest.raises(AdminError):
            async with engine.begin() as conn:
                await accounts.link_parent(conn, ADMIN, await _id(engine, "parent"), 99999)
        async with engine.connect() as conn:
            assert await audit.entries(conn, action="parent.link") == []


class TestCreateSchool:
    async def test_a_school_with_the_standard_forms_audited(self, engine: AsyncEngine) -> None:
        async with engine.begin() as conn:
            school_id = await accounts.create_school(conn, ADMIN, " Гимназия № 2 ", "Гимназия")
            forms = (
                await conn.execute(
                    sa.select(sa.func.count())
                    .select_from(s.control_forms)
                    .where(s.control_forms.c.school_id == school_id)
                )
            ).scalar_one()
            with pytest.raises(AdminError, match="give the school's name"):
                await accounts.create_school(conn, ADMIN, "  ")
        assert forms > 0
        entry = await _last(engine, "school.create")
        assert (entry.actor, entry.target, entry.school_id) == ("admin", "Гимназия № 2", school_id)
