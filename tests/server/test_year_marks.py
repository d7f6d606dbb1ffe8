"""Year marks: set by the subject's teacher once the year's last period is under way."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import PINNED_NOW, FakeClock, login
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
)
from tests.server.test_week import rows, user_id


async def _put(api: httpx.AsyncClient, headers: dict, **body: Any) -> httpx.Response:
    return await api.put(f"{API}/year-marks", json=body, headers=headers)


async def _body(engine: AsyncEngine, value: int | None = 5, **over: Any) -> dict[str, Any]:
    """`student`'s Алгебра year mark."""
    return {
        "student_id": await user_id(engine, "student"),
        "subject_id": await subject_id(engine, "Алгебра"),
        "value": value,
        **over,
    }


async def _stored(engine: AsyncEngine) -> list[tuple[int, int]]:
    ym = s.year_marks
    found = await rows(
        engine,
        sa.select(ym.c.year, ym.c.value).where(
            ym.c.student_id == int(await user_id(engine, "student")),
            ym.c.subject_id == int(await subject_id(engine, "Алгебра")),
        ),
    )
    return [(r.year, r.value) for r in found]


async def _fourth_quarter(engine: AsyncEngine) -> dt.date:
    p = s.periods
    found = await rows(
        engine, sa.select(p.c.starts_on).where(p.c.id == int(await period_id(engine, "quarter", 4)))
    )
    return found[0].starts_on


async def _in_fourth_quarter(
    api: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
) -> dict[str, str]:
    """The clock on the fourth quarter's first day, 10:00 UTC; the teacher logged in again."""
    starts = await _fourth_quarter(engine)
    clock.current = dt.datetime.combine(starts, dt.time(10), tzinfo=dt.UTC)
    return await login(api, "teacher")


class TestSetYearMark:
    async def test_before_the_last_period_begins_it_is_422_and_nothing_is_written(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, clock: FakeClock
    ) -> None:
        assert clock() == PINNED_NOW  # the second quarter
        before = await table_counts(engine)
        r = await _put(api, as_teacher, **await _body(engine))
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert (error["code"], error["field"]) == ("year_not_over", "value")
        assert await _stored(engine) == []
        assert await table_counts(engine) == before
        # The day before the fourth quarter is still too early.
        starts = await _fourth_quarter(engine)
        clock.current = dt.datetime.combine(starts, dt.time(10), tzinfo=dt.UTC) - dt.timedelta(
            days=1
        )
        headers = await login(api, "teacher")
        assert (await _put(api, headers, **await _body(engine))).status_code == 422

    async def test_in_the_last_period_it_is_stored_shown_and_heard_by_the_family(
        self, api: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
    ) -> None:
        headers = await _in_fourth_quarter(api, engine, clock)
        parent = await login(api, "parent")
        cursor = (await api.get(f"{API}/changes", headers=parent)).json()["cursor"]
        body = await _body(engine, 4)
        r = await _put(api, headers, **body)
        assert r.status_code == 200, r.text
        out = r.json()
        assert (out["student_id"], out["subject_id"], out["value"]) == (
            body["student_id"],
            body["subject_id"],
            4,
        )
        assert out["year"] == 2026
        assert out["set_by"]["id"] == await user_id(engine, "teacher")
        assert await _stored(engine) == [(2026, 4)]

        change = await latest_change(engine)
        assert (change.kind, change.student_id, change.class_id) == (
            "year_mark",
            int(body["student_id"]),
            int(await class_id(engine, "7А")),
        )
        assert change.summary == "year mark: 4 — Алгебра"
        feed = (await api.get(f"{API}/changes", params={"since": cursor}, headers=parent)).json()
        assert [(c["kind"], c["summary"]) for c in feed["changes"]] == [
            ("year_mark", "year mark: 4 — Алгебра")
        ]
        card = (
            await api.get(f"{API}/students/{body['student_id']}/report-card", headers=parent)
        ).json()
        algebra = next(x for x in card["subjects"] if x["name"] == "Алгебра")
        assert algebra["year_mark"] == 4

        q4 = await period_id(engine, "quarter", 4)
        journal = await journal_of(api, engine, headers, period=q4)
        assert student_row(journal, body["student_id"])["year_mark"] == 4

    async def test_null_removes_it_and_the_same_value_records_nothing(
        self, api: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
    ) -> None:
        headers = await _in_fourth_quarter(api, engine, clock)
        assert (await _put(api, headers, **await _body(engine, 5))).status_code == 200
        before = await table_counts(engine)
        again = await _put(api, headers, **await _body(engine, 5))
        assert again.status_code == 200 and again.json()["value"] == 5
        assert await table_counts(engine) == before
        r = await _put(api, headers, **await _body(engine, None))
        assert r.status_code == 200 and r.json()["value"] is None
        assert await _stored(engine) == []
        assert (await latest_change(engine)).summary == "year mark: removed — Алгебра"

    async def test_bad_fields_are_422_naming_them(
        self, api: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
    ) -> None:
        headers = await _in_fourth_quarter(api, engine, clock)
        before = await table_counts(engine)
        for over, field in (
            ({"value": 6}, "value"),
            ({"value": 0}, "value"),
            ({"subject_id": "99999999"}, "subject_id"),
            ({"student_id": "99999999"}, "student_id"),
            ({"student_id": "abc"}, "student_id"),
        ):
            r = await _put(api, headers, **await _body(engine, **over))
            assert r.status_code == 422, over
            assert r.json()["error"]["field"] == field, over
        assert await _stored(engine) == []
        assert await table_counts(engine) == before


class TestYearMarkRights:
    async def test_only_the_subject_teacher_of_the_students_class_sets_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
    ) -> None:
        await _in_fourth_quarter(api, engine, clock)
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        parent, student = await login(api, "parent"), await login(api, "student")
        admin, teacher = await login(api, "admin"), await login(api, "teacher")
        for headers, over in (
            (russian, {}),  # teaches 7А, not Алгебра
            (teacher, {"subject_id": await subject_id(engine, "Русский язык")}),
            (parent, {}),
            (student, {}),
            (admin, {}),
        ):
            r = await _put(api, headers, **await _body(engine, 5, **over))
            assert r.status_code == 403, over
        assert await _stored(engine) == []
