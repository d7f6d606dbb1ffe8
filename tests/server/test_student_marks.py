"""A student's marks over time: the data of the progress chart."""

from __future__ import annotations

import datetime as dt

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.server.test_week import (
    assert_diary_readers,
    children,
    class_of,
    insert_mark,
    lessons_on,
    rows,
    scalar,
    user_id,
)


def _url(student_id: str) -> str:
    return f"/api/v1/students/{student_id}/marks"


async def _marks(
    api: httpx.AsyncClient, headers: dict[str, str], student_id: str, **params: str
) -> list[dict]:
    r = await api.get(_url(student_id), params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["marks"]


class TestStudentMarksAccess:
    async def test_family_reads_and_others_get_404(
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


class TestStudentMarks:
    async def test_all_the_years_marks_in_date_order(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        m, le = s.marks, s.lessons
        expected = await scalar(
            engine,
            sa.select(sa.func.count())
            .select_from(m.join(le, le.c.id == m.c.lesson_id))
            .where(
                m.c.student_id == int(me),
                m.c.deleted_at.is_(None),
                le.c.date >= dt.date(2026, 9, 1),
            ),
        )
        marks = await _marks(api, as_student, me)
        assert len(marks) == expected > 50
        dates = [x["date"] for x in marks]
        assert dates == sorted(dates)
        assert all(x["student_id"] == me for x in marks)

    async def test_a_range_and_a_subject_narrow_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        algebra = await scalar(
            engine, sa.select(s.subjects.c.id).where(s.subjects.c.name == "Алгебра")
        )
        marks = await _marks(
            api,
            as_student,
            me,
            **{"from": "2026-10-01", "to": "2026-10-31", "subject_id": str(algebra)},
        )
        assert marks
        assert {x["subject_id"] for x in marks} == {str(algebra)}
        assert all("2026-10-01" <= x["date"] <= "2026-10-31" for x in marks)
        m, le = s.marks, s.lessons
        ids = await rows(
            engine,
            sa.select(m.c.id)
            .join(le, le.c.id == m.c.lesson_id)
            .where(
                m.c.student_id == int(me),
                le.c.subject_id == algebra,
                le.c.date.between(dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
                m.c.deleted_at.is_(None),
            ),
        )
        assert sorted(x["id"] for x in marks) == sorted(str(r.id) for r in ids)

    async def test_a_new_mark_appears_on_its_date(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        day = dt.date(2026, 11, 24)
        lesson = (await lessons_on(engine, await class_of(engine, older), day))[0]
        mark_id = await insert_mark(engine, older, lesson, 3, form="board")
        marks = await _marks(
            api, as_parent, older, **{"from": day.isoformat(), "to": day.isoformat()}
        )
        mine = next(x for x in marks if x["id"] == str(mark_id))
        assert (mine["value"], mine["date"], mine["control_form"]["code"]) == (
            3,
            day.isoformat(),
            "board",
        )

    async def test_dots_vanish_after_their_period_but_open_ones_show(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        class_id = await class_of(engine, me)
        old = (await lessons_on(engine, class_id, dt.date(2026, 10, 20)))[0]
        new = (await lessons_on(engine, class_id, dt.date(2026, 11, 24)))[0]
        gone = await insert_mark(engine, me, old, None, due=dt.date(2026, 10, 26))
        open_ = await insert_mark(engine, me, new, None, due=dt.date(2026, 12, 1))
        ids = [x["id"] for x in await _marks(api, as_student, me)]
        assert str(gone) not in ids
        assert str(open_) in ids

    async def test_to_before_from_is_422_on_to(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        r = await api.get(
            _url(me), params={"from": "2026-11-20", "to": "2026-11-01"}, headers=as_student
        )
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "to"
        assert r.json()["error"]["code"] == "range_reversed"

    async def test_bad_dates_and_ids_are_422_naming_the_field(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        for params, field in (
            ({"from": "1.11.2026"}, "from"),
            ({"to": "2026-02-30"}, "to"),
            ({"subject_id": "maths"}, "subject_id"),
        ):
            r = await api.get(_url(me), params=params, headers=as_student)
            assert r.status_code == 422, params
            assert r.json()["error"]["field"] == field

    async def test_an_unknown_subject_has_no_marks(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        assert await _marks(api, as_student, me, subject_id="987654") == []
