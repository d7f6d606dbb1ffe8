"""Lessons made from the timetable (lesson_plan.plan_lessons) on a school built from
school.toml: school days only (no weekends, holidays or breaks between periods), each
class's 5- or 6-day week, and made again after a change without losing a teacher's work."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ediary_tui.server import schema as s
from ediary_tui.server.school import structure as st
from ediary_tui.server.school import timetable as tt
from ediary_tui.server.school.lesson_plan import plan_lessons
from tests.server.school_setup import ACTOR, add_teacher, apply_example, blank_engine, dispose_blank

AT = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)


@dataclass
class School:
    engine: AsyncEngine
    teacher: int
    other: int
    c7a: int
    c10a: int
    maths: int
    physics: int


@pytest.fixture
async def school(tmp_path: Path) -> AsyncIterator[School]:
    """7А (5 days, quarters): algebra Monday 1 and Friday 2; 10А (6 days, halves): physics
    Saturday 1 and Monday 2; the lessons made for the whole year."""
    engine = await blank_engine(tmp_path)
    await apply_example(engine)
    teacher = await add_teacher(engine, "ivanova", "Иванова Ирина Петровна")
    other = await add_teacher(engine, "petrov", "Петров Олег Ильич")
    async with engine.begin() as conn:
        c7a, c10a = await st.class_by_name(conn, 1, "7А"), await st.class_by_name(conn, 1, "10А")
        maths, physics = (
            await st.subject_by_name(conn, 1, "Алгебра"),
            await st.subject_by_name(conn, 1, "Физика"),
        )
        await tt.replace_timetable(
            conn,
            ACTOR,
            1,
            [
                tt.Entry(c7a, 0, 1, maths, teacher, "214"),
                tt.Entry(c7a, 4, 2, maths, teacher, "214"),
                tt.Entry(c10a, 5, 1, physics, teacher, "301"),
                tt.Entry(c10a, 0, 2, physics, teacher, "301"),
            ],
            class_ids={c7a, c10a},
            start=dt.date(2026, 9, 1),
        )
    yield School(engine, teacher, other, c7a, c10a, maths, physics)
    await dispose_blank(engine)


async def dates(engine: AsyncEngine, class_id: int) -> list[dt.date]:
    le = s.lessons.c
    async with engine.connect() as conn:
        return list(
            (
                await conn.execute(
                    sa.select(le.date).where(le.class_id == class_id).order_by(le.date)
                )
            ).scalars()
        )


async def lesson_at(engine: AsyncEngine, class_id: int, on: dt.date, number: int) -> sa.Row:
    le = s.lessons.c
    async with engine.connect() as conn:
        return (
            await conn.execute(
                sa.select(s.lessons).where(
                    le.class_id == class_id, le.date == on, le.number == number
                )
            )
        ).one()


class TestGeneration:
    async def test_school_days_only(self, school: School) -> None:
        days = await dates(school.engine, school.c7a)
        assert days[0] == dt.date(2026, 9, 4)  # the first Friday (1 September is a Tuesday)
        assert {d.weekday() for d in days} == {0, 4}
        assert dt.date(2026, 11, 2) not in days  # the autumn break, between the quarters
        assert not [d for d in days if dt.date(2026, 10, 27) <= d <= dt.date(2026, 11, 4)]
        assert dt.date(2027, 2, 22) not in days  # a holiday of the file (Monday)
        assert days[-1] <= dt.date(2027, 5, 26)
        # 4 quarters of Mondays and Fridays, less the holidays: a count a school can check
        assert len(days) == len(set(days))

    async def test_a_six_day_class_on_halves_has_saturdays_and_the_breaks(
        self, school: School
    ) -> None:
        days = await dates(school.engine, school.c10a)
        assert dt.date(2026, 9, 5) in days and {d.weekday() for d in days} == {0, 5}
        assert not [d for d in days if dt.date(2026, 10, 27) <= d <= dt.date(2026, 11, 4)]
        assert not [d for d in days if dt.date(2026, 12, 29) <= d <= dt.date(2027, 1, 10)]

    async def test_a_five_day_class_on_a_saturday_grid_gets_none(self, school: School) -> None:
        async with school.engine.begin() as conn:
            await st.edit_class(conn, ACTOR, school.c10a, days_per_week=5)
            await conn.execute(s.timetable.delete().where(s.timetable.c.weekday == 5))
            await plan_lessons(conn, 1, 2026, start=dt.date(2026, 9, 1), class_ids=[school.c10a])
        assert {d.weekday() for d in await dates(school.engine, school.c10a)} == {0}

    async def test_planning_again_changes_nothing(self, school: School) -> None:
        async with school.engine.begin() as conn:
            again = await plan_lessons(conn, 1, 2026)
        assert (again.created, again.updated, again.removed, again.kept) == (0, 0, 0, 0)


class TestRegeneration:
    async def test_a_new_teacher_updates_the_lessons_from_the_start_date(
        self, school: School
    ) -> None:
        start = dt.date(2026, 11, 23)
        async with school.engine.begin() as conn:
            await tt.set_slot(
                conn,
                ACTOR,
                tt.Entry(school.c7a, 0, 1, school.maths, school.other, "214"),
                start=start,
            )
        assert (
            await lesson_at(school.engine, school.c7a, dt.date(2026, 11, 16), 1)
        ).teacher_id == school.teacher
        assert (
            await lesson_at(school.engine, school.c7a, dt.date(2026, 11, 23), 1)
        ).teacher_id == school.other

    async def test_lessons_with_a_teachers_work_or_a_change_are_kept(self, school: School) -> None:
        monday = dt.date(2026, 11, 30)
        marked = await lesson_at(school.engine, school.c7a, monday, 1)
        topical = await lesson_at(school.engine, school.c7a, monday + dt.timedelta(days=7), 1)
        attended = await lesson_at(school.engine, school.c7a, monday + dt.timedelta(days=14), 1)
        async with school.engine.begin() as conn:
            pupil = await add_pupil(conn, school.c7a)
            form = (await conn.execute(sa.select(s.control_forms.c.id).limit(1))).scalar_one()
            await conn.execute(
                s.marks.insert().values(
                    student_id=pupil,
                    lesson_id=marked.id,
                    value=4,
                    is_dot=False,
                    control_form_id=form,
                    teacher_id=school.teacher,
                    created_at=AT,
                    updated_at=AT,
                )
            )
            await conn.execute(
                s.lessons.update()
                .where(s.lessons.c.id == topical.id)
                .values(topic="Квадратные уравнения")
            )
            await conn.execute(
                s.attendance.insert().values(
                    lesson_id=attended.id, student_id=pupil, code="absent", updated_at=AT
                )
            )
            await tt.change_lesson(
                conn,
                ACTOR,
                1,
                class_id=school.c7a,
                on=monday + dt.timedelta(days=21),
                number=1,
                kind="cancel",
            )
            # Monday's first lesson becomes physics: the four lessons above stay as they are
            result = await tt.replace_timetable(
                conn,
                ACTOR,
                1,
                [
                    tt.Entry(school.c7a, 0, 1, school.physics, school.other, "214"),
                    tt.Entry(school.c7a, 4, 2, school.maths, school.teacher, "214"),
                ],
                class_ids={school.c7a},
                start=monday,
            )
        assert result.kept == 4
        for lesson in (marked, topical, attended):  # still algebra, and the slot is theirs
            assert await subjects_at(school, lesson.date) == [(lesson.id, school.maths)]
        cancelled_day = monday + dt.timedelta(days=21)
        kept, made = await subjects_at(school, cancelled_day)
        assert kept[1] == school.maths and made[1] == school.physics  # beside the cancelled one
        empty = await lesson_at(school.engine, school.c7a, monday + dt.timedelta(days=28), 1)
        assert empty.subject_id == school.physics and empty.teacher_id == school.other
        async with school.engine.begin() as conn:
            again = await plan_lessons(conn, 1, 2026, start=monday)
        assert (again.created, again.updated, again.removed) == (0, 0, 0)

    async def test_a_holiday_added_takes_its_lessons_away(self, school: School) -> None:
        async with school.engine.begin() as conn:
            await st.add_holiday(
                conn, ACTOR, 1, "Карантин", dt.date(2027, 2, 1), dt.date(2027, 2, 5)
            )
        days = await dates(school.engine, school.c7a)
        assert dt.date(2027, 2, 1) not in days and dt.date(2027, 2, 5) not in days
        async with school.engine.begin() as conn:
            await st.remove_holiday(conn, ACTOR, 1, "Карантин")
        assert dt.date(2027, 2, 1) in await dates(school.engine, school.c7a)


async def subjects_at(school: School, on: dt.date) -> list[tuple[int, int]]:
    le = s.lessons.c
    async with school.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(le.id, le.subject_id)
            .where(le.class_id == school.c7a, le.date == on, le.number == 1)
            .order_by(le.id)
        )
        return [(r.id, r.subject_id) for r in rows]


async def add_pupil(conn: AsyncConnection, class_id: int) -> int:
    pupil = (
        await conn.execute(
            s.users.insert()
            .values(
                school_id=1,
                login="pupil",
                full_name="Ученик Один",
                last_name="Ученик",
                password_hash="-",
                created_at=AT,
            )
            .returning(s.users.c.id)
        )
    ).scalar_one()
    await conn.execute(s.students.insert().values(user_id=pupil, class_id=class_id))
    return pupil
