"""The report card: subjects by periods, with averages, period marks, absences and year marks."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import PINNED_NOW
from tests.server.test_week import (
    children,
    class_of,
    classmate,
    insert_mark,
    rows,
    scalar,
    student_of_grade,
    user_id,
)

SECOND_QUARTER = (dt.date(2026, 11, 5), dt.date(2026, 12, 28))


def _card_url(student_id: str) -> str:
    return f"/api/v1/students/{student_id}/report-card"


async def _algebra(engine: AsyncEngine) -> int:
    return await scalar(engine, sa.select(s.subjects.c.id).where(s.subjects.c.name == "Алгебра"))


async def _past_lessons(
    engine: AsyncEngine, class_id: int, subject_id: int, first: dt.date, last: dt.date
) -> list[Any]:
    le = s.lessons
    return await rows(
        engine,
        sa.select(le)
        .where(
            le.c.class_id == class_id,
            le.c.subject_id == subject_id,
            le.c.date.between(first, last),
        )
        .order_by(le.c.date, le.c.number),
    )


async def _clear(engine: AsyncEngine, student_id: str, lesson_ids: list[int]) -> None:
    """Forget the demo's marks and attendance of a student in these lessons."""
    async with engine.begin() as conn:
        for table in (s.marks, s.attendance):
            await conn.execute(
                table.delete().where(
                    table.c.student_id == int(student_id), table.c.lesson_id.in_(lesson_ids)
                )
            )


def _cell(card: dict[str, Any], subject_id: int, period_number: int) -> dict[str, Any]:
    period = next(p for p in card["periods"] if p["number"] == period_number)
    subject = next(x for x in card["subjects"] if x["id"] == str(subject_id))
    return next(c for c in subject["periods"] if c["period_id"] == period["id"])


class TestReportCardAccess:
    async def test_parent_reads_each_childs_card(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        for child in await children(api, as_parent):
            r = await api.get(_card_url(child), headers=as_parent)
            assert r.status_code == 200, r.text
            assert r.json()["student_id"] == child

    async def test_parent_gets_404_for_another_child(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        r = await api.get(_card_url(await classmate(engine, older)), headers=as_parent)
        assert r.status_code == 404

    async def test_student_reads_own_card_not_a_classmates(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        assert (await api.get(_card_url(me), headers=as_student)).status_code == 200
        mate = await classmate(engine, me)
        assert (await api.get(_card_url(mate), headers=as_student)).status_code == 404

    async def test_teacher_reads_their_class_not_another(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        me = await user_id(engine, "student")
        assert (await api.get(_card_url(me), headers=as_teacher)).status_code == 200
        _, younger = await children(api, as_parent)
        assert (await api.get(_card_url(younger), headers=as_teacher)).status_code == 404

    async def test_admin_reads_any_student_and_strangers_are_401(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        student = await student_of_grade(engine, 2)
        assert (await api.get(_card_url(student), headers=as_admin)).status_code == 200
        assert (await api.get(_card_url(student))).status_code == 401


class TestReportCardPeriods:
    async def test_grades_up_to_nine_have_quarters(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        card = (
            await api.get(_card_url(await user_id(engine, "student")), headers=as_student)
        ).json()
        assert card["year"] == 2026  # the current school year by default
        assert [(p["kind"], p["number"]) for p in card["periods"]] == [
            ("quarter", 1),
            ("quarter", 2),
            ("quarter", 3),
            ("quarter", 4),
        ]
        assert card["periods"][1]["starts_on"] == SECOND_QUARTER[0].isoformat()

    async def test_grades_ten_and_eleven_have_half_years(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        senior = await student_of_grade(engine, 10)
        card = (await api.get(_card_url(senior), headers=as_admin)).json()
        assert [(p["kind"], p["number"]) for p in card["periods"]] == [("half", 1), ("half", 2)]
        assert all(len(x["periods"]) == 2 for x in card["subjects"])

    async def test_a_year_without_periods_is_empty(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        r = await api.get(_card_url(me), params={"year": 2024}, headers=as_student)
        assert r.status_code == 200
        assert r.json()["periods"] == [] and r.json()["subjects"] == []

    async def test_a_bad_year_is_422(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        for bad in ("twenty", "1066"):
            r = await api.get(_card_url(me), params={"year": bad}, headers=as_student)
            assert r.status_code == 422, bad
            assert r.json()["error"]["field"] == "year"


class TestReportCardSubjects:
    async def test_subjects_are_those_the_class_has_lessons_in_by_name(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        le, sub = s.lessons, s.subjects
        expected = await rows(
            engine,
            sa.select(sub.c.id, sub.c.name)
            .where(
                sub.c.id.in_(
                    sa.select(le.c.subject_id).where(le.c.class_id == await class_of(engine, me))
                )
            )
            .order_by(sub.c.name),
        )
        card = (await api.get(_card_url(me), headers=as_student)).json()
        assert [(x["id"], x["name"]) for x in card["subjects"]] == [
            (str(r.id), r.name) for r in expected
        ]
        assert len(expected) > 5

    async def test_each_subject_names_its_teacher(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        card = (
            await api.get(_card_url(await user_id(engine, "student")), headers=as_student)
        ).json()
        algebra = next(x for x in card["subjects"] if x["name"] == "Алгебра")
        assert algebra["teacher"]["id"] == await user_id(engine, "teacher")


class TestReportCardNumbers:
    async def test_average_proposed_count_period_and_year_marks(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        algebra = await _algebra(engine)
        lessons = await _past_lessons(
            engine, await class_of(engine, older), algebra, SECOND_QUARTER[0], dt.date(2026, 11, 25)
        )
        await _clear(engine, older, [le.id for le in lessons])
        await insert_mark(engine, older, lessons[0], 5, form="test")  # weight 3
        await insert_mark(engine, older, lessons[1], 3, form="classwork")  # weight 1
        await insert_mark(engine, older, lessons[2], None, form="independent", due=None)  # a dot
        card = (await api.get(_card_url(older), headers=as_parent)).json()
        cell = _cell(card, algebra, 2)
        assert cell["average"] == 4.5  # (5*3 + 3*1) / 4
        assert cell["proposed"] == 5  # half rounds up by default
        assert cell["marks_count"] == 2  # the dot is not a mark yet
        assert cell["mark"] is None

        teacher = int(await user_id(engine, "teacher"))
        period_id = int(next(p["id"] for p in card["periods"] if p["number"] == 2))
        async with engine.begin() as conn:
            await conn.execute(s.schools.update().values(round_threshold=0.6))
            await conn.execute(
                s.period_marks.insert().values(
                    student_id=int(older),
                    subject_id=algebra,
                    period_id=period_id,
                    value=4,
                    set_by=teacher,
                    set_at=PINNED_NOW,
                )
            )
            await conn.execute(
                s.year_marks.delete().where(
                    s.year_marks.c.student_id == int(older),
                    s.year_marks.c.subject_id == algebra,
                )
            )
            await conn.execute(
                s.year_marks.insert().values(
                    student_id=int(older),
                    subject_id=algebra,
                    year=2026,
                    value=5,
                    set_by=teacher,
                    set_at=PINNED_NOW,
                )
            )
        card = (await api.get(_card_url(older), headers=as_parent)).json()
        cell = _cell(card, algebra, 2)
        assert cell["proposed"] == 4  # 4.5 is short of the school's 4.6
        assert cell["mark"] == 4
        subject = next(x for x in card["subjects"] if x["id"] == str(algebra))
        assert subject["year_mark"] == 5

    async def test_absences_count_missed_lessons_and_illness_apart(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        algebra = await _algebra(engine)
        lessons = await _past_lessons(
            engine, await class_of(engine, me), algebra, SECOND_QUARTER[0], dt.date(2026, 11, 25)
        )
        await _clear(engine, me, [le.id for le in lessons])
        async with engine.begin() as conn:
            for lesson, code in zip(lessons, ("ill", "absent", "excused", "late"), strict=False):
                await conn.execute(
                    s.attendance.insert().values(
                        lesson_id=lesson.id,
                        student_id=int(me),
                        code=code,
                        by_id=lesson.teacher_id,
                        updated_at=PINNED_NOW,
                    )
                )
        card = (await api.get(_card_url(me), headers=as_student)).json()
        cell = _cell(card, algebra, 2)
        assert (cell["absences"], cell["ill"]) == (3, 1)  # late is not missing the lesson

    async def test_first_quarter_matches_the_demos_period_marks(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        pm = s.period_marks
        stored = {
            str(r.subject_id): r.value
            for r in await rows(
                engine,
                sa.select(pm.c.subject_id, pm.c.value).where(
                    pm.c.student_id == int(me), pm.c.period_id == 1
                ),
            )
        }
        card = (await api.get(_card_url(me), headers=as_student)).json()
        shown = {
            x["id"]: x["periods"][0]["mark"] for x in card["subjects"] if x["periods"][0]["mark"]
        }
        assert shown == stored and stored
        # The demo sets each period mark as proposed from the average: they agree.
        for x in card["subjects"]:
            first = x["periods"][0]
            if first["mark"] is not None:
                assert first["proposed"] == first["mark"], x["name"]
