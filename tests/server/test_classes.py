"""Classes for the staff: the journals they open, the families, first-login credentials.

The demo school's `teacher` teaches maths in 5А-8А and leads 7А, where `student`
is; 7А's Russian teacher leads 6А and teaches no maths. Every demo person has
chosen their own password (`demo`), so all of them count as activated.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.domain.models import Role
from ediary_tui.server import admin
from ediary_tui.server import schema as s
from tests.conftest import login
from tests.server.test_journal import class_id, counting_queries, students_of, teacher_of
from tests.server.test_week import rows, scalar, user_id

API = "/api/v1"
CLASSES = f"{API}/classes"
NO_SUCH_CLASS = "999999"


# --- what the database says ---------------------------------------------------------------


async def taught_by(engine: AsyncEngine, login_name: str) -> dict[str, set[str]]:
    """class id -> names of the subjects `login_name` teaches there."""
    t, sub = s.teaching, s.subjects
    found = await rows(
        engine,
        sa.select(t.c.class_id, sub.c.name)
        .join(sub, sub.c.id == t.c.subject_id)
        .where(t.c.teacher_id == int(await user_id(engine, login_name))),
    )
    out: dict[str, set[str]] = defaultdict(set)
    for r in found:
        out[str(r.class_id)].add(r.name)
    return out


async def subjects_taught_in(engine: AsyncEngine, cid: str) -> dict[str, set[str]]:
    """subject name -> full names of its teachers in the class."""
    t, sub, u = s.teaching, s.subjects, s.users
    found = await rows(
        engine,
        sa.select(sub.c.name, u.c.full_name)
        .select_from(t.join(sub, sub.c.id == t.c.subject_id).join(u, u.c.id == t.c.teacher_id))
        .where(t.c.class_id == int(cid)),
    )
    out: dict[str, set[str]] = defaultdict(set)
    for r in found:
        out[r.name].add(r.full_name)
    return out


async def classes_in_order(engine: AsyncEngine, ids: set[str] | None = None) -> list[str]:
    c = s.classes
    found = await rows(engine, sa.select(c.c.id).order_by(c.c.grade, c.c.name))
    return [str(r.id) for r in found if ids is None or str(r.id) in ids]


async def led_by(engine: AsyncEngine, login_name: str) -> str:
    c = s.classes
    uid = int(await user_id(engine, login_name))
    return str(await scalar(engine, sa.select(c.c.id).where(c.c.class_teacher_id == uid)))


async def parents_of(engine: AsyncEngine, student_id: str) -> list[Any]:
    g, u = s.guardians, s.users
    return await rows(
        engine,
        sa.select(u.c.id, u.c.login, u.c.full_name)
        .join(g, g.c.parent_id == u.c.id)
        .where(g.c.student_id == int(student_id))
        .order_by(u.c.full_name, u.c.id),
    )


async def family_ids(engine: AsyncEngine, student_id: str) -> set[str]:
    return {student_id} | {str(p.id) for p in await parents_of(engine, student_id)}


async def password_state(engine: AsyncEngine, ids: set[str]) -> dict[str, tuple[str, bool]]:
    """user id -> (password hash, must change it): what issuing changes."""
    u = s.users
    found = await rows(
        engine,
        sa.select(u.c.id, u.c.password_hash, u.c.must_change_password).where(
            u.c.id.in_([int(i) for i in ids])
        ),
    )
    return {str(r.id): (r.password_hash, r.must_change_password) for r in found}


async def login_of(engine: AsyncEngine, uid: str) -> str:
    return await scalar(engine, sa.select(s.users.c.login).where(s.users.c.id == int(uid)))


async def as_russian_teacher_of_7a(api: httpx.AsyncClient, engine: AsyncEngine) -> dict[str, str]:
    """A subject teacher of 7А who does not lead it."""
    who = await teacher_of(engine, "7А", "Русский язык")
    assert who != "teacher" and await led_by(engine, who) != await class_id(engine, "7А")
    return await login(api, who)


async def second_school(engine: AsyncEngine) -> tuple[str, dict[str, str]]:
    """Another school on the same server: (its class's id, its admin's login and password)."""
    school = await admin.create_school(engine, "Гимназия №2", "Гимназия №2")
    await admin.create_user(
        engine,
        login="admin2",
        full_name="Соколова Ирина Павловна",
        roles=[Role.ADMIN],
        school=school,
        password="second-school",
    )
    async with engine.begin() as conn:
        cid = (
            await conn.execute(
                s.classes.insert().values(
                    school_id=school, grade=7, letter="Б", name="7Б", days_per_week=5, year=2026
                )
            )
        ).inserted_primary_key[0]
    return str(cid), {"login": "admin2", "password": "second-school"}


async def families(api: httpx.AsyncClient, headers: dict[str, str], cid: str) -> httpx.Response:
    return await api.get(f"{CLASSES}/{cid}/families", headers=headers)


async def issue(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    cid: str,
    student_ids: list[str] | None = None,
    *,
    only_new: bool = False,
    key: str | None = None,
) -> httpx.Response:
    extra = {"Idempotency-Key": key} if key else {}
    return await api.post(
        f"{CLASSES}/{cid}/credentials",
        json={"student_ids": student_ids, "only_new": only_new},
        headers={**headers, **extra},
    )


def error(r: httpx.Response) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


# --- the classes a member of staff opens -------------------------------------------------


class TestClassList:
    async def test_a_teacher_gets_the_classes_they_teach_with_exactly_their_subjects(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        r = await api.get(CLASSES, headers=as_teacher)
        assert r.status_code == 200, r.text
        got = r.json()["classes"]
        mine = await taught_by(engine, "teacher")
        led = await led_by(engine, "teacher")
        assert [c["id"] for c in got] == await classes_in_order(engine, set(mine) | {led})
        for klass in got:
            if klass["id"] == led:
                continue
            assert klass["led_by_me"] is False
            assert {x["name"] for x in klass["subjects"]} == mine[klass["id"]]
            assert all(x["can_write"] for x in klass["subjects"])
            taught = await subjects_taught_in(engine, klass["id"])
            for subject in klass["subjects"]:
                assert {t["full_name"] for t in subject["teachers"]} == taught[subject["name"]]

    async def test_the_led_class_lists_every_subject_writable_only_where_the_teacher_teaches(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        got = (await api.get(CLASSES, headers=as_teacher)).json()["classes"]
        led = await led_by(engine, "teacher")
        klass = next(c for c in got if c["id"] == led)
        assert klass["name"] == "7А" and klass["led_by_me"] is True
        assert klass["class_teacher"]["id"] == await user_id(engine, "teacher")
        taught = await subjects_taught_in(engine, led)
        mine = (await taught_by(engine, "teacher"))[led]
        assert [x["name"] for x in klass["subjects"]] == sorted(taught)
        for subject in klass["subjects"]:
            assert subject["can_write"] is (subject["name"] in mine), subject["name"]
            assert {t["full_name"] for t in subject["teachers"]} == taught[subject["name"]]
        assert any(not x["can_write"] for x in klass["subjects"])

    async def test_the_admin_gets_every_class_of_the_school_with_every_subject_read_only(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        r = await api.get(CLASSES, headers=as_admin)
        assert r.status_code == 200, r.text
        got = r.json()["classes"]
        assert [c["id"] for c in got] == await classes_in_order(engine)
        assert [c["grade"] for c in got] == sorted(c["grade"] for c in got)
        for klass in got:
            taught = await subjects_taught_in(engine, klass["id"])
            assert [x["name"] for x in klass["subjects"]] == sorted(taught)
            assert not any(x["can_write"] for x in klass["subjects"])
            assert klass["led_by_me"] is False and klass["class_teacher"] is not None

    async def test_an_admin_who_also_teaches_may_write_only_their_own_subject(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        cid = await class_id(engine, "9А")
        physics = await scalar(
            engine, sa.select(s.subjects.c.id).where(s.subjects.c.name == "Физика")
        )
        me = int(await user_id(engine, "admin"))
        async with engine.begin() as conn:
            await conn.execute(s.user_roles.insert().values(user_id=me, role=Role.TEACHER.value))
            await conn.execute(
                s.teaching.insert().values(teacher_id=me, class_id=int(cid), subject_id=physics)
            )
        got = (await api.get(CLASSES, headers=await login(api, "admin"))).json()["classes"]
        assert [c["id"] for c in got] == await classes_in_order(engine)
        writable = [(c["name"], x["name"]) for c in got for x in c["subjects"] if x["can_write"]]
        assert writable == [("9А", "Физика")]

    async def test_an_admin_of_another_school_sees_none_of_this_one(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        their_class, their_admin = await second_school(engine)
        headers = await login(api, their_admin["login"], their_admin["password"])
        got = (await api.get(CLASSES, headers=headers)).json()["classes"]
        assert [(c["id"], c["name"], c["subjects"]) for c in got] == [(their_class, "7Б", [])]

    async def test_students_and_parents_are_403_not_staff(
        self, api: httpx.AsyncClient, as_parent: dict, as_student: dict
    ) -> None:
        for headers in (as_parent, as_student):
            assert error(await api.get(CLASSES, headers=headers)) == (403, "not_staff")
        assert (await api.get(CLASSES)).status_code == 401

    async def test_the_whole_school_takes_as_few_queries_as_four_classes(
        self, api: httpx.AsyncClient, as_teacher: dict, as_admin: dict, engine: AsyncEngine
    ) -> None:
        with counting_queries(engine) as teacher:
            assert len((await api.get(CLASSES, headers=as_teacher)).json()["classes"]) == 4
        with counting_queries(engine) as whole_school:
            assert len((await api.get(CLASSES, headers=as_admin)).json()["classes"]) == 11
        # two to know the caller, two for the answer
        assert len(whole_school) == len(teacher) <= 4, whole_school


# --- the families of a class ------------------------------------------------------------


class TestFamilies:
    async def test_a_subject_teacher_reads_the_families_without_logins(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        cid = await class_id(engine, "7А")
        r = await families(api, await as_russian_teacher_of_7a(api, engine), cid)
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["class_id"], body["class_name"], body["can_issue"]) == (cid, "7А", False)
        pupils = await students_of(engine, "7А")
        assert [f["student"]["id"] for f in body["families"]] == [str(p.id) for p in pupils]
        for family, pupil in zip(body["families"], pupils, strict=True):
            assert family["student"]["full_name"] == pupil.full_name
            expected = [str(p.id) for p in await parents_of(engine, str(pupil.id))]
            assert [p["id"] for p in family["parents"]] == expected
            for person in (family["student"], *family["parents"]):
                assert person["login"] is None and person["activated"] is True

    async def test_a_parent_on_the_staff_is_marked_so(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        """They are never issued a password, so the app must not count them in."""
        cid = await class_id(engine, "7А")
        colleague = await teacher_of(engine, "7А", "Физика")
        pupil = await user_id(engine, "student")
        async with engine.begin() as conn:
            await conn.execute(
                s.guardians.insert().values(
                    parent_id=int(await user_id(engine, colleague)),
                    student_id=int(pupil),
                    relation="parent",
                )
            )
        body = (await families(api, as_teacher, cid)).json()
        flags = {
            p["login"]: p["on_staff"]
            for f in body["families"]
            for p in (f["student"], *f["parents"])
        }
        assert flags.pop(colleague) is True
        assert flags and not any(flags.values())

    async def test_the_class_teacher_and_the_admin_see_logins_and_may_issue(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_admin: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        for headers in (as_teacher, as_admin):
            body = (await families(api, headers, cid)).json()
            assert body["can_issue"] is True
            first = body["families"][0]
            assert first["student"]["login"] == await login_of(engine, first["student"]["id"])
            assert [p["login"] for p in first["parents"]] == [
                p.login for p in await parents_of(engine, first["student"]["id"])
            ]
            assert any(f["student"]["login"] == "student" for f in body["families"])

    async def test_activated_says_whether_the_person_chose_their_own_password(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        async with engine.begin() as conn:
            await conn.execute(
                s.users.update()
                .where(s.users.c.login == "parent")
                .values(must_change_password=True)
            )
        body = (await families(api, as_teacher, await class_id(engine, "7А"))).json()
        family = next(f for f in body["families"] if f["student"]["login"] == "student")
        state = {p["login"]: p["activated"] for p in family["parents"]}
        assert state.pop("parent") is False and all(state.values())
        assert family["student"]["activated"] is True

    async def test_a_teacher_of_other_classes_is_403_not_your_class(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        r = await families(api, as_teacher, await class_id(engine, "9А"))
        assert error(r) == (403, "not_your_class")

    async def test_students_and_parents_are_403_not_staff(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_student: dict
    ) -> None:
        cid = await class_id(engine, "7А")  # the class of the student and of the parent's child
        for headers in (as_parent, as_student):
            assert error(await families(api, headers, cid)) == (403, "not_staff")

    async def test_an_unknown_class_and_one_of_another_school_are_the_same_404(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_admin: dict
    ) -> None:
        their_class, their_admin = await second_school(engine)
        for headers in (as_teacher, as_admin):
            for cid in (their_class, NO_SUCH_CLASS, "abc"):
                assert error(await families(api, headers, cid)) == (404, "class_not_found")
        theirs = await login(api, their_admin["login"], their_admin["password"])
        r = await families(api, theirs, await class_id(engine, "7А"))
        assert error(r) == (404, "class_not_found")
        r = await families(api, theirs, their_class)
        assert r.status_code == 200 and r.json()["families"] == []


# --- first-login credentials ---------------------------------------------------------------


class TestIssuingCredentials:
    async def test_the_class_teacher_issues_one_family_new_working_one_time_passwords(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        pupil = await user_id(engine, "student")
        classmate = next(str(p.id) for p in await students_of(engine, "7А") if str(p.id) != pupil)
        family = await family_ids(engine, pupil)
        old_sessions = {uid: await login(api, await login_of(engine, uid)) for uid in family}

        r = await issue(api, as_teacher, cid, [pupil])
        assert r.status_code == 201, r.text
        assert r.headers["Cache-Control"] == "no-store"
        body = r.json()
        assert (body["class_id"], body["class_name"]) == (cid, "7А")
        issued = body["credentials"]
        assert {c["user_id"] for c in issued} == family and len(issued) == len(family)
        assert issued[0]["user_id"] == pupil and issued[0]["role"] == "student"
        assert {c["role"] for c in issued[1:]} == {"parent"}
        name = await scalar(
            engine, sa.select(s.users.c.full_name).where(s.users.c.login == "student")
        )
        assert {c["student_name"] for c in issued} == {name}
        for c in issued:
            assert c["login"] == await login_of(engine, c["user_id"])
            assert len(c["password"]) == 10
            r = await api.post(
                f"{API}/auth/login", json={"login": c["login"], "password": c["password"]}
            )
            assert r.status_code == 200, r.text
            assert r.json()["must_change_password"] is True
            stale = await api.get(f"{API}/me", headers=old_sessions[c["user_id"]])
            assert error(stale) == (401, "token_revoked")
            wrong = await api.post(
                f"{API}/auth/login", json={"login": c["login"], "password": "demo"}
            )
            assert wrong.status_code == 401
        # Another family is left alone.
        await login(api, await login_of(engine, classmate))

    async def test_only_new_skips_those_who_chose_their_own_password(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        pupil = await user_id(engine, "student")
        # The demo school is all activated: nobody is new.
        r = await issue(api, as_teacher, cid, None, only_new=True)
        assert r.status_code == 201 and r.json()["credentials"] == []
        first = {
            c["login"]: c
            for c in (await issue(api, as_teacher, cid, [pupil])).json()["credentials"]
        }
        # The student logs in and chooses a password; the parents have not yet.
        headers = await login(api, "student", first["student"]["password"])
        changed = await api.post(
            f"{API}/auth/password",
            json={"old_password": first["student"]["password"], "new_password": "my-own-secret"},
            headers=headers,
        )
        assert changed.status_code == 204, changed.text
        before = await password_state(engine, {pupil})
        r = await issue(api, as_teacher, cid, [pupil], only_new=True)
        assert r.status_code == 201, r.text
        again = r.json()["credentials"]
        assert {c["login"] for c in again} == set(first) - {"student"}
        assert await password_state(engine, {pupil}) == before
        await login(api, "student", "my-own-secret")
        body = (await families(api, as_teacher, cid)).json()
        family = next(f for f in body["families"] if f["student"]["id"] == pupil)
        assert family["student"]["activated"] is True
        assert not any(p["activated"] for p in family["parents"])

    async def test_the_whole_class_and_the_admin_too(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        cid = await class_id(engine, "3А")
        everyone: set[str] = set()
        for p in await students_of(engine, "3А"):
            everyone |= await family_ids(engine, str(p.id))
        r = await issue(api, as_admin, cid)
        assert r.status_code == 201, r.text
        issued = r.json()["credentials"]
        assert sorted(c["user_id"] for c in issued) == sorted(everyone)
        assert all(must for _hash, must in (await password_state(engine, everyone)).values())
        first = issued[0]
        await login(api, first["login"], first["password"])

    async def test_a_parent_of_two_children_in_the_class_gets_one_password(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        pupils = [str(p.id) for p in await students_of(engine, "7А")]
        mine = await user_id(engine, "student")
        twin = next(p for p in pupils if p != mine)
        async with engine.begin() as conn:
            await conn.execute(
                s.guardians.insert().values(
                    parent_id=int(await user_id(engine, "parent")),
                    student_id=int(twin),
                    relation="parent",
                )
            )
        issued = (await issue(api, as_teacher, cid)).json()["credentials"]
        theirs = [c for c in issued if c["login"] == "parent"]
        assert len(theirs) == 1
        await login(api, "parent", theirs[0]["password"])

    async def test_a_parent_who_is_on_the_staff_keeps_their_password(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        """Else a class teacher could take over a colleague's account through their child."""
        cid = await class_id(engine, "7А")
        colleague = await teacher_of(engine, "7А", "Физика")
        async with engine.begin() as conn:
            await conn.execute(
                s.guardians.insert().values(
                    parent_id=int(await user_id(engine, colleague)),
                    student_id=int(await user_id(engine, "student")),
                    relation="parent",
                )
            )
        issued = (await issue(api, as_teacher, cid)).json()["credentials"]
        assert issued and colleague not in {c["login"] for c in issued}
        await login(api, colleague)

    async def test_the_same_idempotency_key_returns_the_same_passwords_and_resets_nothing(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        pupil = await user_id(engine, "student")
        first = await issue(api, as_teacher, cid, [pupil], key="sheet-7a-1")
        assert first.status_code == 201, first.text
        password = next(c for c in first.json()["credentials"] if c["login"] == "student")
        session = await login(api, "student", password["password"])
        state = await password_state(engine, await family_ids(engine, pupil))

        again = await issue(api, as_teacher, cid, [pupil], key="sheet-7a-1")
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["Cache-Control"] == "no-store"
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert await password_state(engine, await family_ids(engine, pupil)) == state
        assert (await api.get(f"{API}/me", headers=session)).status_code == 200

        other = await issue(api, as_teacher, cid, [pupil], key="sheet-7a-2")
        assert other.json()["credentials"] != first.json()["credentials"]

    async def test_the_stored_answer_holds_neither_the_passwords_nor_the_key(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        """A copy of the database must not let anyone log in as a family."""
        cid = await class_id(engine, "7А")
        r = await issue(api, as_teacher, cid, None, key="sheet-7a-sealed")
        assert r.status_code == 201, r.text
        passwords = [c["password"] for c in r.json()["credentials"]]
        assert passwords
        stored = await rows(engine, sa.select(s.idempotency.c.key, s.idempotency.c.body))
        assert stored
        everything = " ".join(f"{row.key} {row.body}" for row in stored)
        assert "sheet-7a-sealed" not in everything
        for password in passwords:
            assert password not in everything
        replay = await issue(api, as_teacher, cid, None, key="sheet-7a-sealed")
        assert replay.json() == r.json()

    async def test_it_leaves_a_change_for_the_issuer_alone_without_passwords(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        cursors = {}
        russian = await as_russian_teacher_of_7a(api, engine)
        for who, headers in (("teacher", as_teacher), ("russian", russian)):
            cursors[who] = (await api.get(f"{API}/changes", headers=headers)).json()["cursor"]
        r = await issue(api, as_teacher, await class_id(engine, "7А"), None)
        assert r.status_code == 201
        feed = await api.get(
            f"{API}/changes", params={"since": cursors["teacher"]}, headers=as_teacher
        )
        change = next(c for c in feed.json()["changes"] if c["kind"] == "credentials")
        for c in r.json()["credentials"]:
            assert c["password"] not in str(change)
        feed = await api.get(
            f"{API}/changes", params={"since": cursors["russian"]}, headers=russian
        )
        assert not any(c["kind"] == "credentials" for c in feed.json()["changes"])


class TestWhoMayIssue:
    async def _unchanged(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        headers: dict[str, str],
        cid: str,
        class_name: str = "7А",
    ) -> tuple[int, str]:
        """Ask to issue for the whole class; the answer, once sure nothing was reset."""
        pupils = [str(p.id) for p in await students_of(engine, class_name)]
        people: set[str] = set()
        for p in pupils:
            people |= await family_ids(engine, p)
        changes = await scalar(engine, sa.select(sa.func.count()).select_from(s.changes))
        before = await password_state(engine, people)
        r = await issue(api, headers, cid)
        assert await password_state(engine, people) == before
        assert await scalar(engine, sa.select(sa.func.count()).select_from(s.changes)) == changes
        return error(r)

    async def test_a_subject_teacher_of_the_class_is_403_not_class_teacher(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        headers = await as_russian_teacher_of_7a(api, engine)
        cid = await class_id(engine, "7А")
        assert await self._unchanged(api, engine, headers, cid) == (403, "not_class_teacher")

    async def test_a_teacher_of_other_classes_is_403_not_your_class(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        cid = await class_id(engine, "9А")
        assert "9А" not in {
            c["name"] for c in (await api.get(CLASSES, headers=as_teacher)).json()["classes"]
        }
        r = await self._unchanged(api, engine, as_teacher, cid, "9А")
        assert r == (403, "not_your_class")

    async def test_parents_and_students_are_403_not_staff(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_student: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        for headers in (as_parent, as_student):
            assert await self._unchanged(api, engine, headers, cid) == (403, "not_staff")

    async def test_the_admin_of_another_school_gets_404_as_for_no_class(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        _their_class, their_admin = await second_school(engine)
        theirs = await login(api, their_admin["login"], their_admin["password"])
        cid = await class_id(engine, "7А")
        assert await self._unchanged(api, engine, theirs, cid) == (404, "class_not_found")
        assert await self._unchanged(api, engine, theirs, NO_SUCH_CLASS) == (
            404,
            "class_not_found",
        )

    async def test_a_student_not_in_the_class_is_422_naming_student_ids(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        mine = await user_id(engine, "student")
        elsewhere = str((await students_of(engine, "3А"))[0].id)
        before = await password_state(engine, await family_ids(engine, mine))
        too_many = [mine] * 201
        parent = await user_id(engine, "parent")
        for ids in ([mine, elsewhere], ["abc"], ["999999"], [parent], [], too_many):
            r = await issue(api, as_teacher, cid, ids)
            assert r.status_code == 422, (ids, r.text)
            assert r.json()["error"]["field"] == "student_ids"
        assert await password_state(engine, await family_ids(engine, mine)) == before
        r = await api.post(
            f"{CLASSES}/{cid}/credentials", json={"student_ids": "all"}, headers=as_teacher
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "student_ids"
