"""The progress chart: own marks and running average per subject, the class average, who may look."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import PINNED_NOW, PINNED_TODAY
from tests.server.test_week import (
    children,
    class_of,
    classmate,
    insert_mark,
    lessons_on,
    rows,
)

SECOND_QUARTER = (dt.date(2026, 11, 5), dt.date(2026, 12, 28))
# Two-place rounding of the answer against exact arithmetic here.
ROUNDING = 0.005 + 1e-9


def _url(student_id: str) -> str:
    return f"/api/v1/students/{student_id}/progress"


async def _get(
    api: httpx.AsyncClient, headers: dict[str, str], student_id: str, **params: Any
) -> dict[str, Any]:
    r = await api.get(_url(student_id), params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _counted_marks(*where: Any) -> Any:
    """Marks that enter an average (not deleted, with a value, not a dot, weighted), in date order."""
    m, le, cf = s.marks, s.lessons, s.control_forms
    return (
        sa.select(m.c.id, m.c.student_id, m.c.value, cf.c.weight, le.c.subject_id, le.c.date)
        .select_from(m.join(le, le.c.id == m.c.lesson_id).join(cf, cf.c.id == m.c.control_form_id))
        .where(
            m.c.deleted_at.is_(None),
            m.c.value.is_not(None),
            m.c.is_dot.is_(False),
            cf.c.weight > 0,
            *where,
        )
        .order_by(le.c.date, le.c.number, m.c.created_at, m.c.id)
    )


def _weighted(marks: list[Any]) -> float:
    return sum(x.value * x.weight for x in marks) / sum(x.weight for x in marks)


async def _class_average_by_hand(
    engine: AsyncEngine, student_id: str, first: dt.date, last: dt.date
) -> dict[str, float]:
    """Per subject: the mean over the class's students of each one's weighted average."""
    class_id = await class_of(engine, student_id)
    roster = sa.select(s.students.c.user_id).where(s.students.c.class_id == class_id)
    found = await rows(
        engine,
        _counted_marks(
            s.lessons.c.class_id == class_id,
            s.lessons.c.date.between(first, last),
            s.marks.c.student_id.in_(roster),
        ),
    )
    per: dict[int, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for x in found:
        per[x.subject_id][x.student_id].append(x)
    return {
        str(subject): sum(_weighted(marks) for marks in by_student.values()) / len(by_student)
        for subject, by_student in per.items()
        if len(by_student) >= 3
    }


class TestProgressAccess:
    async def test_the_student_their_parent_teacher_and_admin_may_read_it(
        self,
        api: httpx.AsyncClient,
        as_parent: dict,
        as_student: dict,
        as_teacher: dict,
        as_admin: dict,
    ) -> None:
        older, _ = await children(api, as_parent)
        for headers in (as_parent, as_student, as_teacher, as_admin):
            assert (await api.get(_url(older), headers=headers)).status_code == 200

    async def test_a_stranger_gets_404(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_student: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        other = await classmate(engine, older)
        for headers in (as_parent, as_student):
            r = await api.get(_url(other), headers=headers)
            assert r.status_code == 404
            assert r.json()["error"]["code"] == "student_not_found"

    async def test_a_teacher_of_other_classes_gets_404(
        self, api: httpx.AsyncClient, as_parent: dict, as_teacher: dict
    ) -> None:
        _, younger = await children(api, as_parent)
        assert (await api.get(_url(younger), headers=as_teacher)).status_code == 404


class TestProgressChart:
    async def test_the_current_period_by_default(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        got = await _get(api, as_parent, older)
        assert (got["starts_on"], got["ends_on"]) == tuple(d.isoformat() for d in SECOND_QUARTER)
        assert got["period"]["kind"] == "quarter" and got["period"]["number"] == 2
        assert got["year"] == 2026
        assert (got["scale_min"], got["scale_max"]) == (1, 5)

    async def test_own_marks_in_date_order_with_the_running_average(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        got = await _get(api, as_parent, older)
        own = await rows(
            engine,
            _counted_marks(
                s.marks.c.student_id == int(older), s.lessons.c.date.between(*SECOND_QUARTER)
            ),
        )
        assert own, "the demo child has marks this quarter"
        by_subject: dict[str, list[Any]] = defaultdict(list)
        for x in own:
            by_subject[str(x.subject_id)].append(x)
        answered = {sub["subject"]["id"]: sub for sub in got["subjects"]}
        assert set(by_subject) <= set(answered)
        for subject_id, marks in by_subject.items():
            points = answered[subject_id]["points"]
            assert [p["mark_id"] for p in points] == [str(x.id) for x in marks]
            assert [(p["value"], p["weight"]) for p in points] == [
                (x.value, x.weight) for x in marks
            ]
            for n, point in enumerate(points, start=1):
                assert point["average"] == pytest.approx(_weighted(marks[:n]), abs=ROUNDING)
            assert answered[subject_id]["average"] == pytest.approx(_weighted(marks), abs=ROUNDING)
        for subject_id in set(answered) - set(by_subject):
            assert answered[subject_id]["points"] == []
            assert answered[subject_id]["average"] is None

    async def test_the_class_average_is_the_mean_of_the_students_averages(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        got = await _get(api, as_parent, older)
        expected = await _class_average_by_hand(engine, older, *SECOND_QUARTER)
        assert expected, "the demo class has marks this quarter"
        answered = {sub["subject"]["id"]: sub["class_average"] for sub in got["subjects"]}
        for subject_id, average in expected.items():
            assert answered[subject_id] == pytest.approx(average, abs=ROUNDING), subject_id
        assert all(answered[k] is None for k in set(answered) - set(expected))

    async def test_each_child_counts_once_not_each_mark(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        """Pooling every mark of the class gives another number somewhere: the choice shows."""
        older, _ = await children(api, as_parent)
        got = await _get(api, as_parent, older)
        class_id = await class_of(engine, older)
        pooled = await rows(
            engine,
            _counted_marks(
                s.lessons.c.class_id == class_id, s.lessons.c.date.between(*SECOND_QUARTER)
            ),
        )
        by_subject: dict[str, list[Any]] = defaultdict(list)
        for x in pooled:
            by_subject[str(x.subject_id)].append(x)
        differs = [
            sub["subject"]["name"]
            for sub in got["subjects"]
            if sub["class_average"] is not None
            and abs(sub["class_average"] - _weighted(by_subject[sub["subject"]["id"]])) > ROUNDING
        ]
        assert differs

    async def test_no_other_students_data_is_in_the_answer(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        got = await _get(api, as_parent, older, year=2026)
        mark_ids: list[int] = []
        student_ids: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "mark_id":
                        mark_ids.append(int(value))
                    elif key == "student_id":
                        student_ids.add(value)
                    walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(got)
        assert student_ids == {older}
        assert mark_ids
        owners = await rows(
            engine, sa.select(s.marks.c.student_id).where(s.marks.c.id.in_(mark_ids)).distinct()
        )
        assert [r.student_id for r in owners] == [int(older)]

    async def test_a_whole_year(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        got = await _get(api, as_parent, older, year=2026)
        assert (got["starts_on"], got["ends_on"], got["period"]) == (
            "2026-09-01",
            "2027-08-31",
            None,
        )
        dates = [p["date"] for sub in got["subjects"] for p in sub["points"]]
        assert min(dates) < SECOND_QUARTER[0].isoformat()
        year_average = await _class_average_by_hand(
            engine, older, dt.date(2026, 9, 1), dt.date(2027, 8, 31)
        )
        answered = {sub["subject"]["id"]: sub["class_average"] for sub in got["subjects"]}
        for subject_id, average in year_average.items():
            assert answered[subject_id] == pytest.approx(average, abs=ROUNDING)

    async def test_one_named_period(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        p = s.periods
        first = await rows(
            engine, sa.select(p).where(p.c.kind == "quarter", p.c.number == 1, p.c.year == 2026)
        )
        got = await _get(api, as_parent, older, period_id=str(first[0].id))
        assert got["period"]["id"] == str(first[0].id)
        dates = {p["date"] for sub in got["subjects"] for p in sub["points"]}
        assert dates and all(
            first[0].starts_on.isoformat() <= d <= first[0].ends_on.isoformat() for d in dates
        )

    async def test_a_dot_is_not_a_point(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        before = await _get(api, as_parent, older)
        lesson = (await lessons_on(engine, await class_of(engine, older), PINNED_TODAY))[0]
        dot = await insert_mark(engine, older, lesson, None, due=PINNED_TODAY)
        after = await _get(api, as_parent, older)
        assert str(dot) not in {p["mark_id"] for sub in after["subjects"] for p in sub["points"]}
        assert after["subjects"] == before["subjects"]

    async def test_no_class_average_when_fewer_than_three_students_have_marks(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        got = await _get(api, as_parent, older)
        subject = next(sub for sub in got["subjects"] if sub["points"])
        other = await classmate(engine, older)
        m, le = s.marks, s.lessons
        in_subject = sa.select(le.c.id).where(
            le.c.class_id == await class_of(engine, older),
            le.c.subject_id == int(subject["subject"]["id"]),
        )
        async with engine.begin() as conn:
            await conn.execute(
                m.update()
                .where(
                    m.c.lesson_id.in_(in_subject), m.c.student_id.not_in([int(older), int(other)])
                )
                .values(deleted_at=PINNED_NOW)
            )
        again = await _get(api, as_parent, older)
        same = next(sub for sub in again["subjects"] if sub["subject"] == subject["subject"])
        assert same["class_average"] is None
        assert same["average"] == subject["average"]


class TestProgressInput:
    async def test_period_and_year_together_are_422_on_year(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        r = await api.get(_url(older), params={"period_id": "1", "year": 2026}, headers=as_parent)
        assert r.status_code == 422 and r.json()["error"]["field"] == "year"

    async def test_a_bad_or_unknown_period_is_422_on_period_id(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        for bad in ("x", "999999"):
            r = await api.get(_url(older), params={"period_id": bad}, headers=as_parent)
            assert r.status_code == 422, bad
            assert r.json()["error"]["field"] == "period_id"

    async def test_a_year_out_of_range_is_422(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        r = await api.get(_url(older), params={"year": 1800}, headers=as_parent)
        assert r.status_code == 422 and r.json()["error"]["field"] == "year"

    async def test_needs_a_login(self, api: httpx.AsyncClient, as_parent: dict) -> None:
        older, _ = await children(api, as_parent)
        assert (await api.get(_url(older))).status_code == 401
