"""The class teacher's desk and the teacher's week, each with the wrong person asking.

The demo school's `teacher` leads 7А (where `student`, the older child of `parent`, is)
and teaches maths there; 7А's Russian teacher teaches it without leading it. Another
class's teacher leads a class and teaches nothing in 7А; another class's parent has
no child in 7А.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.domain.periods import week_start
from ediary_tui.server import schema as s
from tests.conftest import PINNED_NOW, PINNED_TODAY, login
from tests.server.test_classes import as_russian_teacher_of_7a, second_school
from tests.server.test_journal import class_id, students_of
from tests.server.test_week import children, rows, scalar, user_id

API = "/api/v1"
MONDAY = week_start(PINNED_TODAY)
MSK = dt.timezone(dt.timedelta(hours=3))
SOON = dt.datetime(2026, 12, 3, 18, 30, tzinfo=MSK)


async def other_class_teacher(api: httpx.AsyncClient, engine: AsyncEngine) -> dict[str, str]:
    """A class teacher of another class who teaches nothing in 7А."""
    c, t, u = s.classes, s.teaching, s.users
    c7a = int(await class_id(engine, "7А"))
    who = await scalar(
        engine,
        sa.select(u.c.login)
        .join(c, c.c.class_teacher_id == u.c.id)
        .where(
            c.c.id != c7a,
            u.c.id.not_in(sa.select(t.c.teacher_id).where(t.c.class_id == c7a)),
        )
        .order_by(u.c.id)
        .limit(1),
    )
    assert who is not None
    return await login(api, who)


async def other_class_parent(api: httpx.AsyncClient, engine: AsyncEngine) -> dict[str, str]:
    """A parent whose children are all in other classes than 7А."""
    g, st, u = s.guardians, s.students, s.users
    c7a = int(await class_id(engine, "7А"))
    in_7a = sa.select(g.c.parent_id).join(st, st.c.user_id == g.c.student_id)
    who = await scalar(
        engine,
        sa.select(u.c.login)
        .join(g, g.c.parent_id == u.c.id)
        .where(u.c.id.not_in(in_7a.where(st.c.class_id == c7a)))
        .order_by(u.c.id)
        .limit(1),
    )
    assert who is not None
    return await login(api, who)


async def wrong_people(api: httpx.AsyncClient, engine: AsyncEngine) -> dict[str, dict[str, str]]:
    return {
        "subject teacher": await as_russian_teacher_of_7a(api, engine),
        "other class teacher": await other_class_teacher(api, engine),
        "other class parent": await other_class_parent(api, engine),
        "parent": await login(api, "parent"),
        "student": await login(api, "student"),
    }


def error(r: httpx.Response) -> tuple[int, str]:
    return r.status_code, r.json()["error"]["code"]


async def newest_change(engine: AsyncEngine) -> Any:
    c = s.changes
    return (await rows(engine, sa.select(c).order_by(c.c.id.desc()).limit(1)))[0]


async def change_count(engine: AsyncEngine) -> int:
    return await scalar(engine, sa.select(sa.func.count()).select_from(s.changes))


async def meeting(
    api: httpx.AsyncClient, headers: dict[str, str], cid: str, **body: Any
) -> httpx.Response:
    payload = {"starts_at": SOON.isoformat(), "place": "Кабинет 214", "agenda": "Итоги четверти"}
    return await api.post(
        f"{API}/classes/{cid}/meetings", json={**payload, **body}, headers=headers
    )


# --- the desk --------------------------------------------------------------------------------


class TestDesk:
    async def test_the_class_teacher_sees_signatures_notes_and_notices_of_the_week(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        older, _younger = await children(api, as_parent)
        wn = s.week_notes
        # This week: unsigned, then signed by `parent` (written here: a week is signed once
        # its lessons are over, and the pinned Wednesday is before that).
        async with engine.begin() as conn:
            await conn.execute(wn.delete().where(wn.c.monday == MONDAY))
            await conn.execute(
                wn.insert().values(
                    student_id=int(older),
                    monday=MONDAY,
                    signed_by=int(await user_id(engine, "parent")),
                    signed_at=PINNED_NOW,
                )
            )
        day = (MONDAY + dt.timedelta(days=3)).isoformat()
        notice = await api.post(
            f"{API}/students/{older}/absence-notices",
            json={"from": day, "to": day, "reason": "family", "comment": "Поездка"},
            headers=as_parent,
        )
        assert notice.status_code == 201, notice.text

        r = await api.get(f"{API}/desk", headers=as_teacher)
        assert r.status_code == 200, r.text
        desk = r.json()
        assert (desk["class_name"], desk["start"], desk["can_write"]) == ("7А", "2026-11-23", True)
        assert [x["student"]["id"] for x in desk["students"]] == [
            str(p.id) for p in await students_of(engine, "7А")
        ]
        by_id = {x["student"]["id"]: x for x in desk["students"]}
        assert by_id[older]["signed_by"]["id"] == await user_id(engine, "parent")
        assert by_id[older]["signed_at"] == "2026-11-25T15:00:00Z"
        assert sum(x["signed_by"] is not None for x in desk["students"]) == 1
        mine = [n for n in desk["notices"] if n["id"] == notice.json()["id"]]
        assert len(mine) == 1
        assert (mine[0]["student_id"], mine[0]["from"], mine[0]["reason"]) == (older, day, "family")
        assert mine[0]["student_name"] == by_id[older]["student"]["full_name"]
        assert mine[0]["state"] == "upcoming"

    async def test_a_bad_week_is_422_naming_start(
        self, api: httpx.AsyncClient, as_teacher: dict
    ) -> None:
        r = await api.get(f"{API}/desk", params={"start": "0001-01-01"}, headers=as_teacher)
        assert (r.status_code, r.json()["error"]["field"]) == (422, "start")

    @pytest.mark.parametrize(
        ("who", "expected"),
        [
            ("subject teacher", (403, "not_class_teacher")),
            ("other class teacher", (403, "not_class_teacher")),
            ("other class parent", (403, "not_staff")),
            ("parent", (403, "not_staff")),
            ("student", (403, "not_staff")),
        ],
    )
    async def test_only_the_class_teacher_reads_the_desk(
        self, api: httpx.AsyncClient, engine: AsyncEngine, who: str, expected: tuple[int, str]
    ) -> None:
        headers = (await wrong_people(api, engine))[who]
        cid = await class_id(engine, "7А")
        r = await api.get(f"{API}/desk", params={"class_id": cid}, headers=headers)
        assert error(r) == expected

    async def test_the_admin_reads_it_read_only_and_another_school_gets_404(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        r = await api.get(f"{API}/desk", params={"class_id": cid}, headers=as_admin)
        assert r.status_code == 200 and r.json()["can_write"] is False
        _other, admin2 = await second_school(engine)
        headers = await login(api, admin2["login"], admin2["password"])
        r = await api.get(f"{API}/desk", params={"class_id": cid}, headers=headers)
        assert error(r) == (404, "class_not_found")


# --- the behaviour note ----------------------------------------------------------------------


class TestBehaviourNote:
    async def test_the_family_week_shows_the_note_with_its_author_and_date(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        older, _younger = await children(api, as_parent)
        r = await api.put(
            f"{API}/students/{older}/behaviour-note",
            json={"monday": MONDAY.isoformat(), "note": "Активен на уроках, забыл форму."},
            headers=as_teacher,
        )
        assert r.status_code == 200, r.text
        teacher = {
            "id": await user_id(engine, "teacher"),
            "full_name": r.json()["note_by"]["full_name"],
        }
        assert r.json()["note_by"] == teacher
        week = (await api.get(f"{API}/students/{older}/week", headers=as_parent)).json()
        assert week["behaviour_note"] == "Активен на уроках, забыл форму."
        assert week["behaviour_note_by"] == teacher
        assert week["behaviour_note_at"] == "2026-11-25T15:00:00Z"
        change = await newest_change(engine)
        assert (change.kind, change.student_id) == ("behaviour_note", int(older))
        desk = (await api.get(f"{API}/desk", headers=as_teacher)).json()
        row = next(x for x in desk["students"] if x["student"]["id"] == older)
        assert (row["behaviour_note"], row["note_by"], row["note_at"]) == (
            "Активен на уроках, забыл форму.",
            teacher,
            "2026-11-25T15:00:00Z",
        )

    async def test_a_blank_note_clears_it_and_its_author(
        self, api: httpx.AsyncClient, as_teacher: dict, as_parent: dict
    ) -> None:
        older, _younger = await children(api, as_parent)
        url = f"{API}/students/{older}/behaviour-note"
        await api.put(url, json={"monday": str(MONDAY), "note": "Опоздал"}, headers=as_teacher)
        r = await api.put(url, json={"monday": str(MONDAY), "note": "  "}, headers=as_teacher)
        assert r.json()["behaviour_note"] is None and r.json()["note_by"] is None
        week = (await api.get(f"{API}/students/{older}/week", headers=as_parent)).json()
        assert (week["behaviour_note"], week["behaviour_note_by"]) == (None, None)

    async def test_a_day_that_is_not_a_monday_is_422_naming_monday(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        older, _younger = await children(api, as_parent)
        before = await change_count(engine)
        r = await api.put(
            f"{API}/students/{older}/behaviour-note",
            json={"monday": PINNED_TODAY.isoformat(), "note": "Хорошо"},
            headers=as_teacher,
        )
        assert (r.status_code, r.json()["error"]["field"]) == (422, "monday")
        assert await change_count(engine) == before

    @pytest.mark.parametrize(
        ("who", "expected"),
        [
            ("subject teacher", (403, "not_class_teacher")),
            ("other class teacher", (404, "student_not_found")),
            ("other class parent", (404, "student_not_found")),
            ("parent", (403, "not_class_teacher")),
            ("student", (403, "not_class_teacher")),
        ],
    )
    async def test_only_the_class_teacher_writes_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, who: str, expected: tuple[int, str]
    ) -> None:
        headers = (await wrong_people(api, engine))[who]
        older, _younger = await children(api, await login(api, "parent"))
        before = await change_count(engine)
        r = await api.put(
            f"{API}/students/{older}/behaviour-note",
            json={"monday": MONDAY.isoformat(), "note": "Чужая запись"},
            headers=headers,
        )
        assert error(r) == expected
        assert await change_count(engine) == before
        wn = s.week_notes
        note = await scalar(
            engine,
            sa.select(wn.c.behaviour_note).where(
                wn.c.student_id == int(older), wn.c.monday == MONDAY
            ),
        )
        assert note != "Чужая запись"


# --- parent meetings -----------------------------------------------------------------------


class TestMeetings:
    async def test_a_meeting_is_seen_by_the_class_families_and_not_by_others(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        r = await meeting(api, as_teacher, cid)
        assert r.status_code == 201, r.text
        made = r.json()
        assert (made["class_name"], made["place"], made["agenda"]) == (
            "7А",
            "Кабинет 214",
            "Итоги четверти",
        )
        assert dt.datetime.fromisoformat(made["starts_at"]) == SOON
        change = await newest_change(engine)
        assert (change.kind, change.class_id, change.student_id) == ("meeting", int(cid), None)

        older, younger = await children(api, as_parent)
        seen = (await api.get(f"{API}/students/{older}/meetings", headers=as_parent)).json()
        assert [m["id"] for m in seen["meetings"]] == [made["id"]]
        student = await login(api, "student")
        seen = (await api.get(f"{API}/students/{older}/meetings", headers=student)).json()
        assert [m["id"] for m in seen["meetings"]] == [made["id"]]
        other = (await api.get(f"{API}/students/{younger}/meetings", headers=as_parent)).json()
        assert other["meetings"] == []
        stranger = await other_class_parent(api, engine)
        assert error(await api.get(f"{API}/students/{older}/meetings", headers=stranger)) == (
            404,
            "student_not_found",
        )
        desk = (await api.get(f"{API}/desk", headers=as_teacher)).json()
        assert [m["id"] for m in desk["meetings"]] == [made["id"]]

    @pytest.mark.parametrize("who", ["other class teacher", "other class parent"])
    async def test_the_meetings_of_a_child_are_not_read_by_strangers(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, who: str
    ) -> None:
        assert (await meeting(api, as_teacher, await class_id(engine, "7А"))).status_code == 201
        older, _younger = await children(api, await login(api, "parent"))
        headers = (await wrong_people(api, engine))[who]
        r = await api.get(f"{API}/students/{older}/meetings", headers=headers)
        assert error(r) == (404, "student_not_found")

    async def test_a_student_of_another_class_does_not_read_them(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        assert (await meeting(api, as_teacher, await class_id(engine, "7А"))).status_code == 201
        older, _younger = await children(api, await login(api, "parent"))
        st, u = s.students, s.users
        stranger = await scalar(
            engine,
            sa.select(u.c.login)
            .join(st, st.c.user_id == u.c.id)
            .where(st.c.class_id != int(await class_id(engine, "7А")))
            .order_by(u.c.id)
            .limit(1),
        )
        r = await api.get(f"{API}/students/{older}/meetings", headers=await login(api, stranger))
        assert error(r) == (404, "student_not_found")

    async def test_an_idempotency_key_makes_one_meeting(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        headers = {**as_teacher, "Idempotency-Key": "meeting-1"}
        first, again = await meeting(api, headers, cid), await meeting(api, headers, cid)
        assert first.json() == again.json()
        assert await scalar(engine, sa.select(sa.func.count()).select_from(s.parent_meetings)) == 1

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"starts_at": "2026-11-20T18:00:00+03:00"}, "starts_at"),
            ({"starts_at": "2026-12-03T18:00:00"}, "starts_at"),
            ({"place": "   "}, "place"),
            ({"agenda": ""}, "agenda"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field_and_makes_nothing(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        body: dict[str, str],
        field: str,
    ) -> None:
        r = await meeting(api, as_teacher, await class_id(engine, "7А"), **body)
        assert r.status_code == 422, r.text
        assert field in (r.json()["error"].get("field") or "")
        assert await scalar(engine, sa.select(sa.func.count()).select_from(s.parent_meetings)) == 0

    async def test_the_class_teacher_changes_and_cancels_it_and_the_families_hear(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        made = (await meeting(api, as_teacher, await class_id(engine, "7А"))).json()
        r = await api.patch(
            f"{API}/meetings/{made['id']}", json={"place": "Актовый зал"}, headers=as_teacher
        )
        assert r.status_code == 200, r.text
        assert (r.json()["place"], r.json()["agenda"]) == ("Актовый зал", "Итоги четверти")
        older, _younger = await children(api, as_parent)
        seen = (await api.get(f"{API}/students/{older}/meetings", headers=as_parent)).json()
        assert seen["meetings"][0]["place"] == "Актовый зал"
        r = await api.delete(f"{API}/meetings/{made['id']}", headers=as_teacher)
        assert r.status_code == 204
        assert (await newest_change(engine)).kind == "meeting_cancelled"
        seen = (await api.get(f"{API}/students/{older}/meetings", headers=as_parent)).json()
        assert seen["meetings"] == []

    @pytest.mark.parametrize(
        ("who", "expected"),
        [
            ("subject teacher", (403, "not_class_teacher")),
            ("other class teacher", (403, "not_class_teacher")),
            ("other class parent", (403, "not_staff")),
            ("parent", (403, "not_staff")),
            ("student", (403, "not_staff")),
        ],
    )
    async def test_only_the_class_teacher_calls_changes_or_cancels_one(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        who: str,
        expected: tuple[int, str],
    ) -> None:
        cid = await class_id(engine, "7А")
        made = (await meeting(api, as_teacher, cid)).json()
        headers = (await wrong_people(api, engine))[who]
        before = await change_count(engine)
        assert error(await meeting(api, headers, cid, place="Чужое")) == expected
        url = f"{API}/meetings/{made['id']}"
        assert error(await api.patch(url, json={"place": "Чужое"}, headers=headers)) == expected
        assert error(await api.delete(url, headers=headers)) == expected
        assert await change_count(engine) == before
        places = await rows(engine, sa.select(s.parent_meetings.c.place))
        assert [p.place for p in places] == ["Кабинет 214"]


# --- the teacher's week ------------------------------------------------------------------------


class TestTeacherWeek:
    async def test_the_week_lists_the_teachers_lessons_with_periods_and_the_bells(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        r = await api.get(f"{API}/timetable/teacher/week", headers=as_teacher)
        assert r.status_code == 200, r.text
        week = r.json()
        assert (week["start"], week["end"], week["today"]) == (
            "2026-11-23",
            "2026-11-28",
            "2026-11-25",
        )
        le, p = s.lessons, s.periods
        teacher = int(await user_id(engine, "teacher"))
        expected = await rows(
            engine,
            sa.select(le.c.id)
            .where(le.c.teacher_id == teacher, le.c.date.between(MONDAY, MONDAY + dt.timedelta(5)))
            .order_by(le.c.date, le.c.number, le.c.id),
        )
        got = [le_["id"] for d in week["days"] for le_ in d["lessons"]]
        assert got == [str(x.id) for x in expected] and got
        quarter = await scalar(
            engine,
            sa.select(p.c.id).where(
                p.c.kind == "quarter", p.c.starts_on <= PINNED_TODAY, p.c.ends_on >= PINNED_TODAY
            ),
        )
        assert {le_["period_id"] for d in week["days"] for le_ in d["lessons"]} == {str(quarter)}
        bells = await rows(engine, sa.select(s.bells).order_by(s.bells.c.number))
        assert [(b["number"], b["starts_at"], b["ends_at"]) for b in week["bells"]] == [
            (b.number, b.starts_at, b.ends_at) for b in bells
        ]

    async def test_a_replaced_lesson_shows_for_both_teachers(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        le = s.lessons
        teacher = int(await user_id(engine, "teacher"))
        russian = await as_russian_teacher_of_7a(api, engine)
        me = (await api.get(f"{API}/me", headers=russian)).json()
        target = (
            await rows(
                engine,
                sa.select(le)
                .where(le.c.teacher_id == teacher, le.c.date == PINNED_TODAY)
                .order_by(le.c.number)
                .limit(1),
            )
        )[0]
        async with engine.begin() as conn:
            await conn.execute(
                le.update()
                .where(le.c.id == target.id)
                .values(
                    teacher_id=int(me["id"]),
                    usual_teacher_id=teacher,
                    change="replaced",
                    change_note="курсы",
                )
            )

        def found(week: dict[str, Any]) -> dict[str, Any]:
            day = next(d for d in week["days"] if d["date"] == PINNED_TODAY.isoformat())
            return next(x for x in day["lessons"] if x["id"] == str(target.id))

        mine = found((await api.get(f"{API}/timetable/teacher/week", headers=as_teacher)).json())
        assert (mine["mine"], mine["teacher"]["id"]) == (False, me["id"])
        assert (mine["change"]["kind"], mine["change"]["note"]) == ("replaced", "курсы")
        theirs = found((await api.get(f"{API}/timetable/teacher/week", headers=russian)).json())
        assert theirs["mine"] is True
        assert theirs["change"]["usual_teacher"]["id"] == str(teacher)

    @pytest.mark.parametrize("who", ["parent", "student"])
    async def test_families_have_no_teachers_week(self, api: httpx.AsyncClient, who: str) -> None:
        r = await api.get(f"{API}/timetable/teacher/week", headers=await login(api, who))
        assert error(r) == (403, "not_staff")

    async def test_a_bad_start_is_422_naming_it(
        self, api: httpx.AsyncClient, as_teacher: dict
    ) -> None:
        r = await api.get(
            f"{API}/timetable/teacher/week", params={"start": "9999-12-31"}, headers=as_teacher
        )
        assert (r.status_code, r.json()["error"]["field"]) == (422, "start")
