"""Lessons in the journal: topic and control form, attendance, homework, a teacher's day."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import PINNED_NOW, PINNED_TODAY, FakeClock
from tests.server.test_journal import (
    API,
    as_teacher_of,
    cell,
    class_id,
    journal_of,
    latest_change,
    lesson,
    post_mark,
    table_counts,
)
from tests.server.test_week import children, rows, user_id


def _lesson_url(lesson_id: Any) -> str:
    return f"{API}/lessons/{lesson_id}"


def _attendance_url(lesson_id: Any, student_id: Any) -> str:
    return f"{API}/lessons/{lesson_id}/attendance/{student_id}"


async def _lesson_row(engine: AsyncEngine, lesson_id: Any) -> Any:
    return (await rows(engine, sa.select(s.lessons).where(s.lessons.c.id == int(lesson_id))))[0]


async def _student_homework(
    api: httpx.AsyncClient, headers: dict, student_id: str, day: dt.date
) -> list[dict]:
    r = await api.get(
        f"{API}/students/{student_id}/homework",
        params={"from": day.isoformat(), "to": day.isoformat()},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    return r.json()["homework"]


# --- reading and changing a lesson ------------------------------------------------------


class TestGetLesson:
    async def test_a_reader_of_the_journal_gets_the_lesson_with_its_times(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_admin: dict
    ) -> None:
        target = await lesson(engine)
        for headers in (as_teacher, as_admin):
            r = await api.get(_lesson_url(target.id), headers=headers)
            assert r.status_code == 200, r.text
            shown = r.json()
            assert shown["id"] == str(target.id) and shown["class_name"] == "7А"
            assert shown["subject"]["name"] == "Алгебра"
            assert (shown["date"], shown["number"], shown["topic"], shown["room"]) == (
                target.date.isoformat(),
                target.number,
                target.topic,
                target.room,
            )
            starts = dt.datetime.fromisoformat(shown["starts_at"])
            assert starts.date() == target.date and starts.utcoffset() == dt.timedelta(hours=3)

    async def test_who_may_not_read_a_lesson(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
    ) -> None:
        other = await lesson(engine, "9А", "Алгебра")
        assert (await api.get(_lesson_url(other.id), headers=as_teacher)).status_code == 403
        mine = await lesson(engine)
        assert (await api.get(_lesson_url(mine.id), headers=as_parent)).status_code == 403
        assert (await api.get(_lesson_url("99999999"), headers=as_teacher)).status_code == 404
        assert (await api.get(_lesson_url(mine.id))).status_code == 401


class TestPatchLesson:
    async def test_topic_form_and_room_change_and_the_journal_shows_them(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        r = await api.patch(
            _lesson_url(target.id),
            json={"topic": " Квадратные уравнения ", "control_form": "independent", "room": "215"},
            headers=as_teacher,
        )
        assert r.status_code == 200, r.text
        shown = r.json()
        assert shown["topic"] == "Квадратные уравнения"
        assert shown["control_form"]["code"] == "independent" and shown["room"] == "215"
        row = await _lesson_row(engine, target.id)
        assert (row.topic, row.room) == ("Квадратные уравнения", "215")
        journal = await journal_of(api, engine, as_teacher)
        in_journal = next(x for x in journal["lessons"] if x["id"] == str(target.id))
        assert in_journal["topic"] == "Квадратные уравнения"
        assert in_journal["control_form"]["weight"] == 2
        change = await latest_change(engine)
        assert (change.kind, change.entity_id, change.student_id) == ("lesson", target.id, None)
        assert change.class_id == target.class_id

    async def test_unsent_fields_stay_and_a_blank_topic_clears_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        r = await api.patch(_lesson_url(target.id), json={"topic": "  "}, headers=as_teacher)
        assert r.status_code == 200
        row = await _lesson_row(engine, target.id)
        assert row.topic is None
        assert (row.room, row.control_form_id) == (target.room, target.control_form_id)

    async def test_bad_fields_are_422(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        for body, field in (
            ({"control_form": "essay"}, "control_form"),
            ({"control_form": None}, "control_form"),
            ({"room": "x" * 21}, "room"),
            ({"topic": "x" * 501}, "topic"),
        ):
            r = await api.patch(_lesson_url(target.id), json=body, headers=as_teacher)
            assert r.status_code == 422, body
            assert r.json()["error"]["field"] == field

    async def test_only_the_subject_teacher_changes_a_lesson(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_admin: dict
    ) -> None:
        russian_lesson = await lesson(engine, "7А", "Русский язык")
        for headers in (as_teacher, as_admin):  # the class teacher, the admin
            r = await api.patch(
                _lesson_url(russian_lesson.id), json={"topic": "Причастие"}, headers=headers
            )
            assert r.status_code == 403
        assert (await _lesson_row(engine, russian_lesson.id)).topic == russian_lesson.topic


class TestLessonVersion:
    """Every edit sets the lesson's updated_at; a patch naming an older one is refused (409)."""

    async def test_an_edit_sets_the_version_the_journal_and_the_lesson_show(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        assert (await _lesson_row(engine, target.id)).updated_at is None
        r = await api.patch(
            _lesson_url(target.id),
            json={"topic": "Дроби", "expected_updated_at": None},
            headers=as_teacher,
        )
        assert r.status_code == 200, r.text
        assert dt.datetime.fromisoformat(r.json()["updated_at"]) == PINNED_NOW
        assert (await _lesson_row(engine, target.id)).updated_at == PINNED_NOW
        journal = await journal_of(api, engine, as_teacher)
        shown = next(x for x in journal["lessons"] if x["id"] == str(target.id))
        assert dt.datetime.fromisoformat(shown["updated_at"]) == PINNED_NOW
        change = await latest_change(engine)
        assert change.data["updated_at"] == PINNED_NOW.isoformat()
        teacher = (await api.get(f"{API}/me", headers=as_teacher)).json()["full_name"]
        assert change.data["by"] == teacher

    async def test_a_stale_topic_is_409_naming_what_is_there_and_who_set_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, clock: FakeClock
    ) -> None:
        target = await lesson(engine)
        first = await api.patch(
            _lesson_url(target.id),
            json={"topic": "Дроби", "expected_updated_at": None},
            headers=as_teacher,
        )
        version = first.json()["updated_at"]
        clock.advance(minutes=3)
        before = await table_counts(engine)
        for stale in (None, "2020-01-01T00:00:00+00:00"):
            r = await api.patch(
                _lesson_url(target.id),
                json={"topic": "Степени", "expected_updated_at": stale},
                headers=as_teacher,
            )
            assert r.status_code == 409, stale
            error = r.json()["error"]
            assert (error["code"], error["field"]) == ("lesson_changed", "expected_updated_at")
            teacher = (await api.get(f"{API}/me", headers=as_teacher)).json()["full_name"]
            assert error["message"] == (
                f"the lesson was changed since you saw it: «Дроби» now, set by {teacher}"
            )
        assert (await _lesson_row(engine, target.id)).topic == "Дроби"
        assert await table_counts(engine) == before
        # Keeping one's own: sent again with the version now on the server.
        r = await api.patch(
            _lesson_url(target.id),
            json={"topic": "Степени", "expected_updated_at": version},
            headers=as_teacher,
        )
        assert r.status_code == 200 and r.json()["topic"] == "Степени"
        row = await _lesson_row(engine, target.id)
        assert row.updated_at == PINNED_NOW + dt.timedelta(minutes=3)

    async def test_a_stale_control_form_is_409_too(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        await api.patch(_lesson_url(target.id), json={"room": "101"}, headers=as_teacher)
        r = await api.patch(
            _lesson_url(target.id),
            json={"control_form": "test", "expected_updated_at": None},
            headers=as_teacher,
        )
        assert r.status_code == 409 and r.json()["error"]["code"] == "lesson_changed"
        assert (await _lesson_row(engine, target.id)).control_form_id == target.control_form_id

    async def test_a_resend_that_changes_nothing_is_not_refused(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        body = {"topic": "Дроби", "expected_updated_at": None}
        assert (await api.patch(_lesson_url(target.id), json=body, headers=as_teacher)).is_success
        r = await api.patch(_lesson_url(target.id), json=body, headers=as_teacher)
        assert r.status_code == 200 and r.json()["topic"] == "Дроби"

    async def test_a_version_that_is_not_a_date_is_422(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        r = await api.patch(
            _lesson_url(target.id),
            json={"topic": "Дроби", "expected_updated_at": "soon"},
            headers=as_teacher,
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "expected_updated_at"

    async def test_the_wrong_person_learns_nothing_from_a_version(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
        as_student: dict,
        as_admin: dict,
    ) -> None:
        """Rights come first: someone who may not edit the lesson gets 403, never its topic."""
        target = await lesson(engine)
        await api.patch(_lesson_url(target.id), json={"topic": "Дроби"}, headers=as_teacher)
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        for headers in (russian, as_parent, as_student, as_admin):
            r = await api.patch(
                _lesson_url(target.id),
                json={"topic": "Степени", "expected_updated_at": None},
                headers=headers,
            )
            assert r.status_code == 403
            assert "Дроби" not in r.json()["error"]["message"]
        assert (await _lesson_row(engine, target.id)).topic == "Дроби"


# --- attendance -------------------------------------------------------------------------


class TestAttendance:
    async def test_a_code_is_stored_shown_in_the_journal_and_recorded(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        me = await user_id(engine, "student")
        r = await api.put(_attendance_url(target.id, me), json={"code": "late"}, headers=as_teacher)
        assert r.status_code == 200, r.text
        assert r.json() == {"lesson_id": str(target.id), "student_id": me, "code": "late"}
        att = s.attendance
        stored = await rows(
            engine,
            sa.select(att).where(att.c.lesson_id == target.id, att.c.student_id == int(me)),
        )
        assert [(x.code, x.by_id) for x in stored] == [
            ("late", int(await user_id(engine, "teacher")))
        ]
        shown = cell(await journal_of(api, engine, as_teacher), me, str(target.id))
        assert shown is not None and shown["attendance"] == "late"
        change = await latest_change(engine)
        assert (change.kind, change.student_id, change.class_id) == (
            "attendance",
            int(me),
            target.class_id,
        )
        assert change.data["code"] == "late"

    async def test_another_code_replaces_it_and_null_clears_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        me = await user_id(engine, "student")
        url = _attendance_url(target.id, me)
        for code in ("absent", "ill", None):
            r = await api.put(url, json={"code": code}, headers=as_teacher)
            assert r.status_code == 200 and r.json()["code"] == code
        att = s.attendance
        assert not await rows(
            engine,
            sa.select(att).where(att.c.lesson_id == target.id, att.c.student_id == int(me)),
        )
        shown = cell(await journal_of(api, engine, as_teacher), me, str(target.id))
        assert shown is None or shown["attendance"] is None

    async def test_a_student_with_a_mark_may_still_be_marked_absent(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        me = await user_id(engine, "student")
        r = await post_mark(api, as_teacher, student_id=me, lesson_id=str(target.id), value=4)
        assert r.status_code == 201
        url = _attendance_url(target.id, me)
        assert (await api.put(url, json={"code": "absent"}, headers=as_teacher)).status_code == 200
        shown = cell(await journal_of(api, engine, as_teacher), me, str(target.id))
        assert shown is not None and shown["attendance"] == "absent"
        assert r.json()["id"] in {m["id"] for m in shown["marks"]}

    async def test_bad_codes_and_students_are_422(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        target = await lesson(engine)
        me = await user_id(engine, "student")
        before = await table_counts(engine)
        for body in ({"code": "x"}, {"code": "н"}, {}):
            r = await api.put(_attendance_url(target.id, me), json=body, headers=as_teacher)
            assert r.status_code == 422, body
            assert r.json()["error"]["field"] == "code"
        _, younger = await children(api, as_parent)
        r = await api.put(
            _attendance_url(target.id, younger), json={"code": "absent"}, headers=as_teacher
        )
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "student_id"
        assert await table_counts(engine) == before

    async def test_only_the_subject_teacher_marks_attendance(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
        as_student: dict,
        as_admin: dict,
    ) -> None:
        me = await user_id(engine, "student")
        russian_lesson = await lesson(engine, "7А", "Русский язык")
        algebra_lesson = await lesson(engine)
        for headers, target in (
            (as_teacher, russian_lesson),
            (as_parent, algebra_lesson),
            (as_student, algebra_lesson),
            (as_admin, algebra_lesson),
        ):
            r = await api.put(
                _attendance_url(target.id, me), json={"code": "absent"}, headers=headers
            )
            assert r.status_code == 403
        r = await api.put(
            _attendance_url("99999999", me), json={"code": "absent"}, headers=as_teacher
        )
        assert r.status_code == 404


# --- homework ---------------------------------------------------------------------------


class TestHomework:
    async def test_set_homework_reaches_the_students_list_with_its_due_date(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_student: dict
    ) -> None:
        target = await lesson(engine)
        r = await api.post(
            f"{_lesson_url(target.id)}/homework",
            json={"text": "№ 245, 247", "required": False},
            headers=as_teacher,
        )
        assert r.status_code == 201, r.text
        hw = r.json()
        next_lesson = await lesson(
            engine,
            first=target.date + dt.timedelta(days=1),
            last=dt.date(2026, 12, 28),
            latest=False,
        )
        assert (hw["text"], hw["required"], hw["lesson_id"]) == (
            "№ 245, 247",
            False,
            str(target.id),
        )
        assert hw["due"] == next_lesson.date.isoformat()
        assert dt.datetime.fromisoformat(hw["created_at"]) == PINNED_NOW
        me = await user_id(engine, "student")
        listed = await _student_homework(api, as_student, me, target.date)
        assert hw["id"] in {h["id"] for h in listed}
        change = await latest_change(engine)
        assert (change.kind, change.class_id, change.student_id) == (
            "homework",
            target.class_id,
            None,
        )
        assert change.entity_id == int(hw["id"])

    async def test_the_same_idempotency_key_sets_it_once(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        headers = {**as_teacher, "Idempotency-Key": "hw-1"}
        before = await table_counts(engine)
        first = await api.post(
            f"{_lesson_url(target.id)}/homework", json={"text": "§ 12"}, headers=headers
        )
        again = await api.post(
            f"{_lesson_url(target.id)}/homework", json={"text": "§ 12"}, headers=headers
        )
        assert first.status_code == again.status_code == 201
        assert first.json()["id"] == again.json()["id"]
        assert (await table_counts(engine))["homework"] == before["homework"] + 1

    async def test_revising_homework_updates_its_updated_at(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, clock: FakeClock
    ) -> None:
        target = await lesson(engine)
        hw = (
            await api.post(
                f"{_lesson_url(target.id)}/homework", json={"text": "§ 12"}, headers=as_teacher
            )
        ).json()
        clock.advance(hours=2)
        r = await api.patch(
            f"{API}/homework/{hw['id']}", json={"text": "§ 12, 13"}, headers=as_teacher
        )
        assert r.status_code == 200, r.text
        revised = r.json()
        assert revised["text"] == "§ 12, 13" and revised["required"] is True
        assert revised["created_at"] == hw["created_at"]
        assert dt.datetime.fromisoformat(revised["updated_at"]) == PINNED_NOW + dt.timedelta(
            hours=2
        )
        assert (await latest_change(engine)).data["action"] == "revised"
        r = await api.patch(f"{API}/homework/{hw['id']}", json={"text": ""}, headers=as_teacher)
        assert r.status_code == 422 and r.json()["error"]["field"] == "text"

    async def test_removed_homework_is_gone_for_the_student(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_student: dict
    ) -> None:
        target = await lesson(engine)
        hw = (
            await api.post(
                f"{_lesson_url(target.id)}/homework", json={"text": "§ 14"}, headers=as_teacher
            )
        ).json()
        me = await user_id(engine, "student")
        done = await api.put(
            f"{API}/students/{me}/homework/{hw['id']}/done", json={"done": True}, headers=as_student
        )
        assert done.status_code == 200
        r = await api.delete(f"{API}/homework/{hw['id']}", headers=as_teacher)
        assert r.status_code == 204
        listed = await _student_homework(api, as_student, me, target.date)
        assert hw["id"] not in {h["id"] for h in listed}
        assert (
            await api.delete(f"{API}/homework/{hw['id']}", headers=as_teacher)
        ).status_code == 404
        assert (await latest_change(engine)).data["action"] == "removed"

    async def test_only_the_subject_teacher_sets_and_revises_homework(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
        as_admin: dict,
    ) -> None:
        russian_lesson = await lesson(engine, "7А", "Русский язык")
        r = await api.post(
            f"{_lesson_url(russian_lesson.id)}/homework",
            json={"text": "упр. 5"},
            headers=as_teacher,
        )
        assert r.status_code == 403
        mine = await lesson(engine)
        hw = (
            await api.post(
                f"{_lesson_url(mine.id)}/homework", json={"text": "§ 15"}, headers=as_teacher
            )
        ).json()
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        for headers in (russian, as_parent, as_admin):
            r = await api.patch(f"{API}/homework/{hw['id']}", json={"text": "-"}, headers=headers)
            assert r.status_code == 403
            assert (
                await api.delete(f"{API}/homework/{hw['id']}", headers=headers)
            ).status_code == 403
        r = await api.post(
            f"{_lesson_url(mine.id)}/homework", json={"text": "x"}, headers=as_parent
        )
        assert r.status_code == 403

    async def test_empty_text_is_422(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        for body in ({"text": ""}, {"text": "   "}, {}):
            r = await api.post(f"{_lesson_url(target.id)}/homework", json=body, headers=as_teacher)
            assert r.status_code == 422, body
            assert r.json()["error"]["field"] == "text"


# --- a teacher's day --------------------------------------------------------------------


class TestTeacherDay:
    async def test_todays_lessons_in_bell_order_with_classes_and_times(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        r = await api.get(f"{API}/timetable/teacher", headers=as_teacher)
        assert r.status_code == 200, r.text
        day = r.json()
        le = s.lessons
        expected = await rows(
            engine,
            sa.select(le)
            .where(
                le.c.teacher_id == int(await user_id(engine, "teacher")), le.c.date == PINNED_TODAY
            )
            .order_by(le.c.number),
        )
        assert day["date"] == PINNED_TODAY.isoformat()
        assert expected
        assert [(x["id"], x["number"]) for x in day["lessons"]] == [
            (str(e.id), e.number) for e in expected
        ]
        first = day["lessons"][0]
        assert first["class_name"] and first["subject"]["name"]
        assert dt.datetime.fromisoformat(first["starts_at"]) < dt.datetime.fromisoformat(
            first["ends_at"]
        )
        starts = [x["starts_at"] for x in day["lessons"]]
        assert starts == sorted(starts)

    async def test_another_day_and_a_sunday(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        monday = PINNED_TODAY - dt.timedelta(days=PINNED_TODAY.weekday())
        r = await api.get(
            f"{API}/timetable/teacher", params={"date": monday.isoformat()}, headers=as_teacher
        )
        assert r.status_code == 200
        assert r.json()["date"] == monday.isoformat()
        assert {x["date"] for x in r.json()["lessons"]} == {monday.isoformat()}
        sunday = monday + dt.timedelta(days=6)
        r = await api.get(
            f"{API}/timetable/teacher", params={"date": sunday.isoformat()}, headers=as_teacher
        )
        assert r.json()["lessons"] == []
        r = await api.get(f"{API}/timetable/teacher", params={"date": "soon"}, headers=as_teacher)
        assert r.status_code == 422 and r.json()["error"]["field"] == "date"

    async def test_families_have_no_teacher_timetable(
        self, api: httpx.AsyncClient, as_parent: dict, as_student: dict
    ) -> None:
        for headers in (as_parent, as_student):
            assert (await api.get(f"{API}/timetable/teacher", headers=headers)).status_code == 403

    async def test_the_class_of_each_lesson_is_right(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        day = (await api.get(f"{API}/timetable/teacher", headers=as_teacher)).json()
        for x in day["lessons"]:
            assert x["class_id"] == await class_id(engine, x["class_name"])
