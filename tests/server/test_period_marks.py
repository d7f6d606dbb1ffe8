"""Period marks: set by the subject's teacher, shown in the journal and the report card."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import PINNED_NOW, FakeClock
from tests.server.test_journal import (
    API,
    as_teacher_of,
    class_id,
    journal_of,
    latest_change,
    period_id,
    student_row,
    subject_id,
    table_counts,
    teacher_of,
)
from tests.server.test_week import children, rows, user_id


async def _put(api: httpx.AsyncClient, headers: dict, **body: Any) -> httpx.Response:
    return await api.put(f"{API}/period-marks", json=body, headers=headers)


async def _body(engine: AsyncEngine, value: int | None = 5, **over: Any) -> dict[str, Any]:
    """`student`'s 2nd-quarter Алгебра mark."""
    return {
        "student_id": await user_id(engine, "student"),
        "subject_id": await subject_id(engine, "Алгебра"),
        "period_id": await period_id(engine, "quarter", 2),
        "value": value,
        **over,
    }


async def _stored(engine: AsyncEngine, body: dict[str, Any]) -> list[Any]:
    pm = s.period_marks
    return await rows(
        engine,
        sa.select(pm).where(
            pm.c.student_id == int(body["student_id"]),
            pm.c.subject_id == int(body["subject_id"]),
            pm.c.period_id == int(body["period_id"]),
        ),
    )


class TestSetPeriodMark:
    async def test_a_mark_is_stored_shown_in_the_journal_and_recorded(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_student: dict,
    ) -> None:
        body = await _body(engine, 4)
        r = await _put(api, as_teacher, **body)
        assert r.status_code == 200, r.text
        out = r.json()
        assert {k: out[k] for k in body} == body
        assert out["set_by"]["id"] == await user_id(engine, "teacher")
        assert dt.datetime.fromisoformat(out["set_at"]) == PINNED_NOW
        assert [x.value for x in await _stored(engine, body)] == [4]

        journal = await journal_of(api, engine, as_teacher)
        assert student_row(journal, body["student_id"])["period_mark"] == 4
        card = (
            await api.get(f"{API}/students/{body['student_id']}/report-card", headers=as_student)
        ).json()
        algebra = next(x for x in card["subjects"] if x["name"] == "Алгебра")
        q2 = next(p for p in algebra["periods"] if p["period_id"] == body["period_id"])
        assert q2["mark"] == 4

        change = await latest_change(engine)
        assert (change.kind, change.student_id, change.class_id) == (
            "period_mark",
            int(body["student_id"]),
            int(await class_id(engine, "7А")),
        )
        assert change.summary == "2nd quarter: 4 — Алгебра"

    async def test_a_new_value_replaces_it_and_null_removes_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, clock: FakeClock
    ) -> None:
        assert (await _put(api, as_teacher, **await _body(engine, 3))).status_code == 200
        clock.advance(hours=1)
        r = await _put(api, as_teacher, **await _body(engine, 5))
        assert r.json()["value"] == 5
        assert dt.datetime.fromisoformat(r.json()["set_at"]) == PINNED_NOW + dt.timedelta(hours=1)
        stored = await _stored(engine, await _body(engine))
        assert [x.value for x in stored] == [5]
        r = await _put(api, as_teacher, **await _body(engine, None))
        assert r.status_code == 200
        assert r.json()["value"] is None and r.json()["set_by"] is None
        assert await _stored(engine, await _body(engine)) == []
        journal = await journal_of(api, engine, as_teacher)
        assert student_row(journal, await user_id(engine, "student"))["period_mark"] is None

    async def test_setting_the_same_value_again_records_nothing(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        body = await _body(engine, 4)
        await _put(api, as_teacher, **body)
        before = await table_counts(engine)
        r = await _put(api, as_teacher, **body)
        assert r.status_code == 200 and r.json()["value"] == 4
        assert await table_counts(engine) == before

    async def test_bad_fields_are_422_naming_them(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        before = await table_counts(engine)
        for over, field in (
            ({"value": 6}, "value"),
            ({"value": 0}, "value"),
            ({"period_id": await period_id(engine, "half", 1)}, "period_id"),
            ({"period_id": "99999999"}, "period_id"),
            ({"period_id": "abc"}, "period_id"),
            ({"subject_id": "99999999"}, "subject_id"),
            ({"student_id": "99999999"}, "student_id"),
            ({"student_id": await user_id(engine, "teacher")}, "student_id"),
        ):
            r = await _put(api, as_teacher, **await _body(engine, **over))
            assert r.status_code == 422, over
            assert r.json()["error"]["field"] == field, over
        r = await api.put(
            f"{API}/period-marks",
            json={k: v for k, v in (await _body(engine)).items() if k != "value"},
            headers=as_teacher,
        )
        assert r.status_code == 422 and r.json()["error"]["field"] == "value"
        assert await table_counts(engine) == before

    async def test_a_half_year_is_right_for_a_senior_class(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        st = s.students
        senior = (
            await rows(
                engine,
                sa.select(st.c.user_id)
                .where(st.c.class_id == int(await class_id(engine, "10А")))
                .order_by(st.c.user_id)
                .limit(1),
            )
        )[0][0]
        headers = await as_teacher_of(api, engine, "10А", "Алгебра")
        body = await _body(
            engine, 5, student_id=str(senior), period_id=await period_id(engine, "half", 1)
        )
        assert (await _put(api, headers, **body)).status_code == 200
        body["period_id"] = await period_id(engine, "quarter", 2)
        r = await _put(api, headers, **body)
        assert r.status_code == 422 and r.json()["error"]["field"] == "period_id"

    async def test_a_closed_period_is_409(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        body = await _body(engine, 5, period_id=await period_id(engine, "quarter", 1))
        stored = await _stored(engine, body)
        r = await _put(api, as_teacher, **body)
        assert r.status_code == 409 and r.json()["error"]["code"] == "period_closed"
        assert await _stored(engine, body) == stored


class TestPeriodMarkRights:
    async def test_only_the_subject_teacher_of_the_students_class_sets_it(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
        as_student: dict,
        as_admin: dict,
    ) -> None:
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        before = await table_counts(engine)
        for headers, over in (
            (russian, {}),  # teaches 7А, not Алгебра
            (as_teacher, {"subject_id": await subject_id(engine, "Русский язык")}),  # class teacher
            (as_parent, {}),
            (as_student, {}),
            (as_admin, {}),
        ):
            r = await _put(api, headers, **await _body(engine, 5, **over))
            assert r.status_code == 403, over
        # A student of a class the teacher does not teach.
        _, younger = await children(api, as_parent)
        r = await _put(api, as_teacher, **await _body(engine, 5, student_id=younger))
        assert r.status_code == 403
        # Алгебра, but in another class: 9А's is not the well-known teacher.
        assert await teacher_of(engine, "9А", "Алгебра") != "teacher"
        r = await _put(
            api, await as_teacher_of(api, engine, "9А", "Алгебра"), **await _body(engine, 5)
        )
        assert r.status_code == 403
        assert await table_counts(engine) == before
        assert (await _put(api, {}, **await _body(engine, 5))).status_code == 401


class TestPeriodMarkVersion:
    """A write naming the version it replaces is refused (409) when the mark changed since."""

    async def test_a_stale_version_is_409_and_nothing_changes(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, clock: FakeClock
    ) -> None:
        # Another session set 5 while this one's dialog still showed no mark.
        first = await _put(api, as_teacher, **await _body(engine, 5, expected_set_at=None))
        assert first.status_code == 200, first.text
        set_at = first.json()["set_at"]
        clock.advance(minutes=5)
        before = await table_counts(engine)
        r = await _put(api, as_teacher, **await _body(engine, 3, expected_set_at=None))
        assert r.status_code == 409
        error = r.json()["error"]
        assert (error["code"], error["field"]) == ("period_mark_changed", "expected_set_at")
        teacher = (await api.get(f"{API}/me", headers=as_teacher)).json()["full_name"]
        assert error["message"] == (
            f"the period mark was changed since you saw it: it is 5 now, set by {teacher}"
        )
        assert [x.value for x in await _stored(engine, await _body(engine))] == [5]
        assert await table_counts(engine) == before
        # Choosing to keep one's own: resent with the version now on the server.
        r = await _put(api, as_teacher, **await _body(engine, 3, expected_set_at=set_at))
        assert r.status_code == 200 and r.json()["value"] == 3
        assert dt.datetime.fromisoformat(r.json()["set_at"]) == PINNED_NOW + dt.timedelta(minutes=5)

    async def test_the_journal_carries_the_version_and_who_set_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        body = await _body(engine, 4)
        await _put(api, as_teacher, **body)
        row = student_row(await journal_of(api, engine, as_teacher), body["student_id"])
        assert dt.datetime.fromisoformat(row["period_mark_set_at"]) == PINNED_NOW
        assert row["period_mark_set_by"]["id"] == await user_id(engine, "teacher")
        change = await latest_change(engine)
        assert change.data["set_at"] == PINNED_NOW.isoformat()

    async def test_a_removed_mark_is_a_version_too(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, clock: FakeClock
    ) -> None:
        set_at = (await _put(api, as_teacher, **await _body(engine, 4))).json()["set_at"]
        clock.advance(minutes=1)
        assert (await _put(api, as_teacher, **await _body(engine, None))).status_code == 200
        r = await _put(api, as_teacher, **await _body(engine, 2, expected_set_at=set_at))
        assert r.status_code == 409
        assert r.json()["error"]["message"].endswith("it has been removed")
        r = await _put(api, as_teacher, **await _body(engine, 2, expected_set_at=None))
        assert r.status_code == 200 and r.json()["value"] == 2

    async def test_a_resend_of_what_is_stored_is_not_refused(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        """The answer to a write was lost and the outbox sends it again with the old version."""
        assert (await _put(api, as_teacher, **await _body(engine, 4))).status_code == 200
        r = await _put(api, as_teacher, **await _body(engine, 4, expected_set_at=None))
        assert r.status_code == 200 and r.json()["value"] == 4

    async def test_without_a_version_the_write_replaces_whatever_is_there(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        assert (await _put(api, as_teacher, **await _body(engine, 4))).status_code == 200
        r = await _put(api, as_teacher, **await _body(engine, 2))
        assert r.status_code == 200 and r.json()["value"] == 2

    async def test_a_version_that_is_not_a_date_is_422(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        r = await _put(api, as_teacher, **await _body(engine, 4, expected_set_at="yesterday"))
        assert r.status_code == 422 and r.json()["error"]["field"] == "expected_set_at"

    async def test_the_wrong_person_learns_nothing_from_a_version(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
        as_student: dict,
    ) -> None:
        """Rights come first: a stale version from someone who may not write is 403, not 409."""
        assert (await _put(api, as_teacher, **await _body(engine, 5))).status_code == 200
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        for headers in (russian, as_parent, as_student):
            r = await _put(api, headers, **await _body(engine, 2, expected_set_at=None))
            assert r.status_code == 403
            assert "5" not in r.json()["error"]["message"]
        assert [x.value for x in await _stored(engine, await _body(engine))] == [5]
