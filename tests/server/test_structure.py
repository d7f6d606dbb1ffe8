"""The school's structure at the connection level: each write checked, audited once,
idempotent where it says so, and nothing removed that is still used."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from ediary_tui.server.school import audit
from ediary_tui.server.school import structure as st
from ediary_tui.server.school import timetable as tt
from ediary_tui.server.school.errors import AdminError
from tests.server.school_setup import (
    ACTOR,
    add_teacher,
    apply_example,
    blank_engine,
    count,
    dispose_blank,
)


@pytest.fixture
async def school(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = await blank_engine(tmp_path)
    await apply_example(engine)
    await add_teacher(engine, "ivanova", "Иванова Ирина Петровна")
    yield engine
    await dispose_blank(engine)


class TestChecks:
    @pytest.mark.parametrize("name", ["12А", "0Б", "7", "7AB", "", "7Z"])
    def test_class_names(self, name: str) -> None:
        with pytest.raises(AdminError, match="is not a class name like 7А"):
            st.parse_class_name(name)

    def test_a_class_name_is_normalised(self) -> None:
        assert st.parse_class_name(" 10 б ") == (10, "Б", "10Б")
        assert st.parse_class_name("1-а") == (1, "А", "1А")

    @pytest.mark.parametrize(
        ("bells", "message"),
        [
            ([], "needs at least one lesson"),
            ([st.Bell(2, "08:30", "09:15")], "numbered from 1"),
            ([st.Bell(1, "08:30", "09:15"), st.Bell(3, "09:25", "10:10")], "lesson 2 is missing"),
            ([st.Bell(1, "8:30", "09:15")], "'8:30' is not a time like 08:30"),
            ([st.Bell(1, "09:15", "08:30")], "lesson 1 ends \\(08:30\\) before it starts"),
        ],
    )
    def test_bells(self, bells: list[st.Bell], message: str) -> None:
        with pytest.raises(AdminError, match=message):
            st.check_bells(bells)

    def test_a_zero_lesson_may_start_the_day(self) -> None:
        assert [
            b.number
            for b in st.check_bells([st.Bell(1, "08:30", "09:15"), st.Bell(0, "07:40", "08:20")])
        ] == [0, 1]

    @pytest.mark.parametrize(
        ("form", "message"),
        [
            (("Test", "Контрольная", 3, "test"), "lowercase latin"),
            (("test", "", 3, "test"), "needs a name"),
            (("test", "Контрольная", 0, "test"), "weight is a whole number 1-10"),
            (("test", "Контрольная", 11, "test"), "weight is a whole number 1-10"),
            (("test", "Контрольная", 3, "exam"), "category is one of"),
        ],
    )
    def test_forms(self, form: tuple[str, str, int, str], message: str) -> None:
        with pytest.raises(AdminError, match=message):
            st.check_form(*form)

    def test_scale_and_threshold(self) -> None:
        st.check_scale(1, 10, 0.5)
        with pytest.raises(AdminError, match="mark scale 5-1"):
            st.check_scale(5, 1, 0.5)
        with pytest.raises(AdminError, match="between 0 and 1"):
            st.check_scale(1, 5, 0)


class TestSchool:
    async def test_school_of_without_a_school(self, tmp_path: Path) -> None:
        engine = await blank_engine(tmp_path)
        try:
            async with engine.connect() as conn:
                with pytest.raises(AdminError, match=r"has no school yet.*ediary admin setup"):
                    await st.school_of(conn, None)
                with pytest.raises(AdminError, match="no school with id 5"):
                    await st.school_of(conn, 5)
        finally:
            await dispose_blank(engine)

    async def test_update_writes_one_line_and_none_when_unchanged(
        self, school: AsyncEngine
    ) -> None:
        async with school.begin() as conn:
            before = len(await audit.entries(conn, school_id=1, action="school.update"))
            await st.update_school(conn, ACTOR, 1, timezone="Asia/Yekaterinburg", scale_max=10)
            await st.update_school(conn, ACTOR, 1, timezone="Asia/Yekaterinburg")
            lines = await audit.entries(conn, school_id=1, action="school.update")
        assert [line.detail for line in lines[: len(lines) - before]] == [
            {"timezone": "Asia/Yekaterinburg", "scale_max": 10}
        ]


class TestClasses:
    async def test_add_uses_the_schools_week_and_refuses_a_twin(self, school: AsyncEngine) -> None:
        async with school.begin() as conn:
            await st.update_school(conn, ACTOR, 1, days_per_week=6)
            class_id = await st.add_class(conn, ACTOR, 1, "8б")
            assert await st.class_by_name(conn, 1, "8Б") == class_id
            days = (
                await conn.execute(
                    sa.select(s.classes.c.days_per_week).where(s.classes.c.id == class_id)
                )
            ).scalar()
            assert days == 6
            with pytest.raises(AdminError, match="the class 8Б already exists in 2026/27"):
                await st.add_class(conn, ACTOR, 1, "8Б")
            with pytest.raises(AdminError, match="there is no class '9Я' in 2026/27"):
                await st.class_by_name(conn, 1, "9Я")

    async def test_an_archived_year_does_not_change(self, school: AsyncEngine) -> None:
        async with school.begin() as conn:
            await conn.execute(
                s.school_years.update().values(archived_at=dt.datetime(2027, 6, 1, tzinfo=dt.UTC))
            )
            class_id = (await conn.execute(sa.select(s.classes.c.id).limit(1))).scalar_one()
            with pytest.raises(AdminError, match="archived"):
                await st.edit_class(conn, ACTOR, class_id, days_per_week=6)
            with pytest.raises(AdminError, match="archived and cannot change"):
                await st.add_class(conn, ACTOR, 1, "8Б", year=2026)

    async def test_the_class_teacher_role_follows_the_class(self, school: AsyncEngine) -> None:
        async with school.begin() as conn:
            teacher = await st.user_by_login(conn, 1, "ivanova")
            a, b = await st.class_by_name(conn, 1, "7А"), await st.class_by_name(conn, 1, "7Б")
            await st.set_class_teacher(conn, ACTOR, a, teacher)
            await st.set_class_teacher(conn, ACTOR, b, teacher)
            await st.set_class_teacher(conn, ACTOR, a, None)
            roles = set(
                (
                    await conn.execute(
                        sa.select(s.user_roles.c.role).where(s.user_roles.c.user_id == teacher)
                    )
                ).scalars()
            )
            assert "class_teacher" in roles  # still leads 7Б
            await st.set_class_teacher(conn, ACTOR, b, None)
            roles = set(
                (
                    await conn.execute(
                        sa.select(s.user_roles.c.role).where(s.user_roles.c.user_id == teacher)
                    )
                ).scalars()
            )
            assert roles == {"teacher"}

    async def test_a_parent_is_not_made_class_teacher(self, school: AsyncEngine) -> None:
        parent = await add_teacher(school, "mama", "Мамина Анна Олеговна")
        async with school.begin() as conn:
            await conn.execute(
                s.user_roles.update().where(s.user_roles.c.user_id == parent).values(role="parent")
            )
            with pytest.raises(AdminError, match="mama is not a teacher"):
                await st.set_class_teacher(
                    conn, ACTOR, await st.class_by_name(conn, 1, "7А"), parent
                )

    async def test_a_class_in_use_is_not_removed(self, school: AsyncEngine) -> None:
        async with school.begin() as conn:
            class_id = await st.class_by_name(conn, 1, "7А")
            teacher = await st.user_by_login(conn, 1, "ivanova")
            await st.assign_teaching(
                conn, ACTOR, teacher, class_id, await st.subject_by_name(conn, 1, "Физика")
            )
            with pytest.raises(
                AdminError,
                match="the class 7А cannot be removed: 1 teaching assignments still refer to it",
            ):
                await st.remove_class(conn, ACTOR, class_id)
            await st.remove_class(conn, ACTOR, await st.class_by_name(conn, 1, "7Б"))
            with pytest.raises(AdminError):
                await st.class_by_name(conn, 1, "7Б")

    async def test_a_new_week_regenerates_the_lessons(self, school: AsyncEngine) -> None:
        async with school.begin() as conn:
            class_id = await st.class_by_name(conn, 1, "7А")
            teacher = await st.user_by_login(conn, 1, "ivanova")
            physics = await st.subject_by_name(conn, 1, "Физика")
            await tt.replace_timetable(
                conn,
                ACTOR,
                1,
                [tt.Entry(class_id, 4, 1, physics, teacher, None)],
                class_ids={class_id},
                start=None,
            )
            plan = await st.edit_class(conn, ACTOR, class_id, days_per_week=6)
            assert plan is not None and plan.created == 0  # the grid has no Saturday yet
            with pytest.raises(AdminError, match="5 or 6 days"):
                await st.edit_class(conn, ACTOR, class_id, days_per_week=7)


class TestThingsInUse:
    async def test_subject_room_form(self, school: AsyncEngine) -> None:
        async with school.begin() as conn:
            class_id = await st.class_by_name(conn, 1, "7А")
            teacher = await st.user_by_login(conn, 1, "ivanova")
            physics = await st.subject_by_name(conn, 1, "физика")
            await tt.replace_timetable(
                conn,
                ACTOR,
                1,
                [tt.Entry(class_id, 0, 1, physics, teacher, "214")],
                class_ids={class_id},
                start=dt.date(2026, 11, 23),
            )
            with pytest.raises(
                AdminError,
                match=r"the subject 'Физика' cannot be removed: \d+ lessons, 1 timetable slots, 1 teaching assignments",
            ):
                await st.remove_subject(conn, ACTOR, 1, "Физика")
            with pytest.raises(
                AdminError, match="the room '214' cannot be removed: 1 timetable slots"
            ):
                await st.remove_room(conn, ACTOR, 1, "214")
            with pytest.raises(
                AdminError, match=r"the control form 'classwork' cannot be removed: \d+ lessons"
            ):
                await st.remove_form(conn, ACTOR, 1, "classwork")
            with pytest.raises(
                AdminError, match="the teaching assignment cannot be removed: 1 timetable slots"
            ):
                await st.unassign_teaching(conn, ACTOR, teacher, class_id, physics)
            with pytest.raises(AdminError, match="the timetable has lesson 7"):
                await tt.set_slot(conn, ACTOR, tt.Entry(class_id, 0, 7, physics, teacher, None))
                await st.set_bells(conn, ACTOR, 1, [st.Bell(1, "08:30", "09:15")])
            await st.remove_subject(conn, ACTOR, 1, "ИЗО")
            await st.remove_room(conn, ACTOR, 1, "101")
            await st.remove_form(conn, ACTOR, 1, "project")

    async def test_adding_twice_is_refused(self, school: AsyncEngine) -> None:
        async with school.begin() as conn:
            with pytest.raises(AdminError, match="the subject 'Физика' already exists"):
                await st.add_subject(conn, ACTOR, 1, "Физика")
            with pytest.raises(AdminError, match="the room '214' already exists"):
                await st.add_room(conn, ACTOR, 1, "214")
            with pytest.raises(AdminError, match="the control form 'test' already exists"):
                await st.add_form(conn, ACTOR, 1, "test", "К/р", 3, "test")

    async def test_teaching_is_idempotent(self, school: AsyncEngine) -> None:
        async with school.begin() as conn:
            args = (
                await st.user_by_login(conn, 1, "ivanova"),
                await st.class_by_name(conn, 1, "7А"),
                await st.subject_by_name(conn, 1, "Физика"),
            )
            await st.assign_teaching(conn, ACTOR, *args)
            await st.assign_teaching(conn, ACTOR, *args)
            assert len(await audit.entries(conn, school_id=1, action="teaching.assign")) == 1
        assert await count(school, s.teaching) == 1


class TestCalendar:
    async def test_holidays(self, school: AsyncEngine) -> None:
        async with school.begin() as conn:
            await st.add_holiday(
                conn, ACTOR, 1, "Карантин", dt.date(2027, 2, 1), dt.date(2027, 2, 5)
            )
            with pytest.raises(AdminError, match="already exists"):
                await st.add_holiday(conn, ACTOR, 1, "Карантин", dt.date(2027, 2, 8))
            with pytest.raises(AdminError, match="outside the school year 2026/27"):
                await st.add_holiday(
                    conn, ACTOR, 1, "Лето", dt.date(2027, 8, 30), dt.date(2027, 9, 3)
                )
            await st.remove_holiday(conn, ACTOR, 1, "Карантин")
            with pytest.raises(AdminError, match="there is no holiday 'Карантин'"):
                await st.remove_holiday(conn, ACTOR, 1, "Карантин")

    async def test_periods(self, school: AsyncEngine) -> None:
        async with school.begin() as conn:
            assert await st.set_period(conn, ACTOR, 1, "quarter", 3, starts_on=dt.date(2027, 1, 12))
            assert not await st.set_period(
                conn, ACTOR, 1, "quarter", 3, starts_on=dt.date(2027, 1, 12)
            )
            with pytest.raises(AdminError, match="3rd quarter overlaps 2nd quarter"):
                await st.set_period(conn, ACTOR, 1, "quarter", 3, starts_on=dt.date(2026, 12, 20))
            with pytest.raises(AdminError, match="has no quarter number 5"):
                await st.set_period(conn, ACTOR, 1, "quarter", 5, starts_on=dt.date(2027, 6, 1))
            await conn.execute(
                s.periods.update().where(s.periods.c.number == 1).values(closed=True)
            )
            with pytest.raises(AdminError, match="is closed"):
                await st.set_period(conn, ACTOR, 1, "quarter", 1, ends_on=dt.date(2026, 10, 25))
