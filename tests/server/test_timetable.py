"""The weekly timetable of a school built from school.toml: replaced a class at a time,
refused on a clash with sentences naming class, day and lesson, lessons following it;
and one-day changes (replace, cancel, move, add, restore) the day's list shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ediary_tui.server import schema as s
from ediary_tui.server.school import audit
from ediary_tui.server.school import structure as st
from ediary_tui.server.school import timetable as tt
from ediary_tui.server.school.errors import AdminError
from ediary_tui.server.school.lesson_plan import plan_lessons
from tests.conftest import login
from tests.server.school_setup import ACTOR, add_teacher, apply_example, blank_engine, dispose_blank
from tests.server.test_journal import as_teacher_of, lesson, post_mark
from tests.server.test_week import get_week, lesson_in, user_id

MONDAY = dt.date(2026, 11, 30)
START = dt.date(2026, 11, 23)


@dataclass
class School:
    engine: AsyncEngine
    ivanova: int
    petrov: int
    sidorova: int
    c7a: int
    c7b: int
    maths: int
    physics: int


@pytest.fixture
async def school(tmp_path: Path) -> AsyncIterator[School]:
    engine = await blank_engine(tmp_path)
    await apply_example(engine)
    ivanova = await add_teacher(engine, "ivanova", "Иванова Ирина Петровна")
    petrov = await add_teacher(engine, "petrov", "Петров Олег Ильич")
    sidorova = await add_teacher(engine, "sidorova", "Сидорова Анна Павловна")
    async with engine.connect() as conn:
        ids = [
            await st.class_by_name(conn, 1, "7А"),
            await st.class_by_name(conn, 1, "7Б"),
            await st.subject_by_name(conn, 1, "Алгебра"),
            await st.subject_by_name(conn, 1, "Физика"),
        ]
    yield School(engine, ivanova, petrov, sidorova, *ids)
    await dispose_blank(engine)


async def replace(
    school: School, entries: list[tt.Entry], classes: set[int] | None = None
) -> tt.PlanResult:
    async with school.engine.begin() as conn:
        return await tt.replace_timetable(
            conn, ACTOR, 1, entries, class_ids=classes or {e.class_id for e in entries}, start=START
        )


def week_of(school: School, class_id: int, teacher: int, room: str = "214") -> list[tt.Entry]:
    """Algebra on Monday 1-2 and physics on Wednesday 3."""
    return [
        tt.Entry(class_id, 0, 1, school.maths, teacher, room),
        tt.Entry(class_id, 0, 2, school.maths, teacher, room),
        tt.Entry(class_id, 2, 3, school.physics, teacher, room),
    ]


async def lessons(engine: AsyncEngine, class_id: int, on: dt.date) -> list[tuple[int, str | None]]:
    le = s.lessons.c
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(le.number, le.change)
            .where(le.class_id == class_id, le.date == on)
            .order_by(le.number, le.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


class TestReplaceTimetable:
    async def test_lessons_follow_the_grid_from_the_start_date(self, school: School) -> None:
        result = await replace(school, week_of(school, school.c7a, school.ivanova))
        assert result.created > 0 and result.removed == 0
        assert await lessons(school.engine, school.c7a, MONDAY) == [(1, None), (2, None)]
        assert await lessons(school.engine, school.c7a, dt.date(2026, 11, 16)) == []  # before START
        async with school.engine.connect() as conn:
            grid = await tt.class_timetable(conn, school.c7a)
            taught = (
                (
                    await conn.execute(
                        sa.select(s.teaching.c.subject_id).where(
                            s.teaching.c.class_id == school.c7a
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert grid == week_of(school, school.c7a, school.ivanova)
        assert sorted(taught) == sorted({school.maths, school.physics})

    async def test_the_same_grid_again_changes_nothing(self, school: School) -> None:
        await replace(school, week_of(school, school.c7a, school.ivanova))
        again = await replace(school, week_of(school, school.c7a, school.ivanova))
        assert (again.created, again.updated, again.removed) == (0, 0, 0)

    async def test_a_teacher_in_two_places_is_refused_naming_both(self, school: School) -> None:
        await replace(school, week_of(school, school.c7a, school.ivanova, room="214"))
        with pytest.raises(AdminError) as refused:
            await replace(school, week_of(school, school.c7b, school.ivanova, room="301"))
        message = str(refused.value)
        assert "Иванова Ирина Петровна would teach 7А and 7Б at once on Monday lesson 1" in message
        async with school.engine.connect() as conn:
            assert await tt.class_timetable(conn, school.c7b) == []

    async def test_a_room_in_two_places_is_refused(self, school: School) -> None:
        await replace(school, week_of(school, school.c7a, school.ivanova, room="214"))
        with pytest.raises(
            AdminError, match="room 214 would hold 7А and 7Б at once on Wednesday lesson 3"
        ):
            await replace(school, week_of(school, school.c7b, school.petrov, room="214"))

    async def test_clashes_lists_every_sentence(self, school: School) -> None:
        entries = [
            tt.Entry(school.c7a, 1, 1, school.maths, school.ivanova, "214"),
            tt.Entry(school.c7a, 1, 1, school.physics, school.petrov, "301"),
            tt.Entry(school.c7b, 1, 1, school.maths, school.ivanova, "214"),
        ]
        async with school.engine.connect() as conn:
            found = await tt.clashes(conn, 1, 2026, entries)
        assert found == [
            "7А has two lessons on Tuesday lesson 1: Алгебра and Физика",
            "Иванова Ирина Петровна would teach 7А and 7Б at once on Tuesday lesson 1",
            "room 214 would hold 7А and 7Б at once on Tuesday lesson 1",
        ]

    async def test_replacing_both_classes_at_once_may_swap_their_teachers(
        self, school: School
    ) -> None:
        await replace(
            school,
            week_of(school, school.c7a, school.ivanova, "214")
            + week_of(school, school.c7b, school.petrov, "301"),
        )
        swapped = week_of(school, school.c7a, school.petrov, "214") + week_of(
            school, school.c7b, school.ivanova, "301"
        )
        result = await replace(school, swapped)
        assert result.updated > 0

    @pytest.mark.parametrize(
        ("entry", "message"),
        [
            (dict(weekday=5), "7А has a 5-day week: no lessons on Saturday"),
            (dict(number=9), "the bell schedule has lessons 1-7"),
            (dict(room="999"), "there is no room '999'"),
        ],
    )
    async def test_a_bad_entry_is_refused(
        self, school: School, entry: dict[str, object], message: str
    ) -> None:
        base = dict(
            class_id=school.c7a,
            weekday=0,
            number=1,
            subject_id=school.maths,
            teacher_id=school.ivanova,
            room="214",
        )
        with pytest.raises(AdminError, match=message):
            await replace(school, [tt.Entry(**{**base, **entry})])  # type: ignore[arg-type]

    async def test_a_change_is_audited_for_the_class(self, school: School) -> None:
        """The class's families learn that their week changed (a blank entry of the class)."""
        await replace(school, week_of(school, school.c7a, school.ivanova))
        async with school.engine.connect() as conn:
            feed = (
                (
                    await conn.execute(
                        sa.select(s.changes.c.class_id).where(s.changes.c.kind == "timetable")
                    )
                )
                .scalars()
                .all()
            )
        assert feed == [school.c7a]

    async def test_set_and_clear_one_slot(self, school: School) -> None:
        await replace(school, week_of(school, school.c7a, school.ivanova))
        async with school.engine.begin() as conn:
            await tt.set_slot(
                conn,
                ACTOR,
                tt.Entry(school.c7a, 0, 3, school.physics, school.petrov, "301"),
                start=START,
            )
            await tt.clear_slot(conn, ACTOR, school.c7a, 0, 1, start=START)
        assert await lessons(school.engine, school.c7a, MONDAY) == [(2, None), (3, None)]
        async with school.engine.begin() as conn:
            with pytest.raises(AdminError, match="7А has no lesson on Friday lesson 1"):
                await tt.clear_slot(conn, ACTOR, school.c7a, 4, 1, start=START)


async def change(
    school: School, conn: AsyncConnection, kind: str, number: int = 1, **kw: object
) -> int:
    return await tt.change_lesson(
        conn, ACTOR, 1, class_id=school.c7a, on=MONDAY, number=number, kind=kind, **kw
    )  # type: ignore[arg-type]


async def give_mark(conn: AsyncConnection, lesson_id: int, teacher: int) -> None:
    u = s.users.c
    student = (
        await conn.execute(
            s.users.insert()
            .values(
                school_id=1,
                login="pupil",
                full_name="Ученик Один",
                last_name="Ученик",
                password_hash="-",
                created_at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
            )
            .returning(u.id)
        )
    ).scalar_one()
    form = (await conn.execute(sa.select(s.control_forms.c.id).limit(1))).scalar_one()
    at = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)
    await conn.execute(
        s.marks.insert().values(
            student_id=student,
            lesson_id=lesson_id,
            value=5,
            is_dot=False,
            control_form_id=form,
            teacher_id=teacher,
            created_at=at,
            updated_at=at,
        )
    )


class TestOneDayChanges:
    @pytest.fixture(autouse=True)
    async def grid(self, school: School) -> None:
        await replace(
            school,
            week_of(school, school.c7a, school.ivanova, "214")
            + week_of(school, school.c7b, school.petrov, "301"),
        )

    async def test_a_replacement_names_the_usual_teacher(self, school: School) -> None:
        async with school.engine.begin() as conn:
            await change(school, conn, "replace", teacher_id=school.sidorova, note="болеет")
            found = await tt.day_changes(conn, 1, MONDAY)
        assert [
            (c.class_name, c.number, c.kind, c.teacher, c.usual_teacher, c.note) for c in found
        ] == [("7А", 1, "replaced", "Сидорова Анна Павловна", "Иванова Ирина Петровна", "болеет")]

    async def test_a_replacement_teacher_busy_elsewhere_is_refused(self, school: School) -> None:
        async with school.engine.begin() as conn:
            with pytest.raises(
                AdminError, match=r"Петров Олег Ильич already teaches 7Б on 2026-11-30 lesson 1"
            ):
                await change(school, conn, "replace", teacher_id=school.petrov)

    async def test_cancel_and_restore(self, school: School) -> None:
        async with school.engine.begin() as conn:
            await change(school, conn, "cancel", note="экскурсия")
        assert await lessons(school.engine, school.c7a, MONDAY) == [(1, "cancelled"), (2, None)]
        async with school.engine.begin() as conn:
            await change(school, conn, "restore")
        assert await lessons(school.engine, school.c7a, MONDAY) == [(1, None), (2, None)]

    async def test_a_lesson_with_marks_is_not_cancelled(self, school: School) -> None:
        async with school.engine.begin() as conn:
            le = s.lessons.c
            lesson_id = (
                await conn.execute(
                    sa.select(le.id).where(
                        le.class_id == school.c7a, le.date == MONDAY, le.number == 1
                    )
                )
            ).scalar_one()
            await give_mark(conn, lesson_id, school.ivanova)
            with pytest.raises(
                AdminError, match="7А 2026-11-30 lesson 1 has 1 marks and cannot be cancelled"
            ):
                await change(school, conn, "cancel")
            assert await change(school, conn, "replace", teacher_id=school.sidorova) == lesson_id

    async def test_a_moved_lesson_leaves_its_place_cancelled_and_goes_back(
        self, school: School
    ) -> None:
        tuesday = MONDAY + dt.timedelta(days=1)
        async with school.engine.begin() as conn:
            moved = await change(school, conn, "move", number=2, to_date=tuesday, to_number=5)
            found = await tt.day_changes(conn, 1, tuesday)
        assert [(c.lesson_id, c.kind, c.moved_from) for c in found] == [
            (moved, "moved", (MONDAY, 2))
        ]
        assert await lessons(school.engine, school.c7a, MONDAY) == [(1, None), (2, "cancelled")]
        async with school.engine.begin() as conn:
            # the plan made again keeps both: no new lesson in the old place
            await plan_lessons(conn, 1, 2026, start=START)
        assert await lessons(school.engine, school.c7a, MONDAY) == [(1, None), (2, "cancelled")]
        async with school.engine.begin() as conn:
            with pytest.raises(
                AdminError, match="was moved to 2026-12-01 lesson 5; restore it there"
            ):
                await change(school, conn, "restore", number=2)
            await tt.change_lesson(
                conn, ACTOR, 1, class_id=school.c7a, on=tuesday, number=5, kind="restore"
            )
        assert await lessons(school.engine, school.c7a, MONDAY) == [(1, None), (2, None)]
        assert await lessons(school.engine, school.c7a, tuesday) == []

    async def test_moving_a_lesson_back_to_where_it_was_restores_it(self, school: School) -> None:
        tuesday = MONDAY + dt.timedelta(days=1)
        async with school.engine.begin() as conn:
            await change(school, conn, "move", number=2, to_date=tuesday, to_number=5)
            await tt.change_lesson(
                conn,
                ACTOR,
                1,
                class_id=school.c7a,
                on=tuesday,
                number=5,
                kind="move",
                to_date=MONDAY,
                to_number=2,
            )
        assert await lessons(school.engine, school.c7a, MONDAY) == [(1, None), (2, None)]

    async def test_a_move_onto_a_taken_slot_or_a_holiday_is_refused(self, school: School) -> None:
        async with school.engine.begin() as conn:
            with pytest.raises(AdminError, match="7А 2026-11-30 lesson 2 already has a lesson"):
                await change(school, conn, "move", to_date=MONDAY, to_number=2)
            with pytest.raises(AdminError, match="2026-11-04 is not a school day of 7А"):
                await change(school, conn, "move", to_date=dt.date(2026, 11, 4), to_number=5)

    async def test_an_extra_lesson_and_taking_it_back(self, school: School) -> None:
        async with school.engine.begin() as conn:
            await change(
                school,
                conn,
                "add",
                number=6,
                subject_id=school.physics,
                teacher_id=school.sidorova,
                room="214",
            )
        assert await lessons(school.engine, school.c7a, MONDAY) == [
            (1, None),
            (2, None),
            (6, "added"),
        ]
        async with school.engine.begin() as conn:
            await change(school, conn, "restore", number=6)
        assert await lessons(school.engine, school.c7a, MONDAY) == [(1, None), (2, None)]

    async def test_changes_go_to_the_class_feed_and_the_audit(self, school: School) -> None:
        async with school.engine.begin() as conn:
            last = (await conn.execute(sa.select(sa.func.max(s.changes.c.id)))).scalar() or 0
            await change(school, conn, "cancel")
            lines = await audit.entries(conn, school_id=1, action="lesson.cancel")
            feed = (
                (
                    await conn.execute(
                        sa.select(s.changes.c.class_id).where(
                            s.changes.c.id > last, s.changes.c.kind == "timetable"
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert [line.target for line in lines] == ["7А 2026-11-30 lesson 1"]
        assert feed == [school.c7a]


class TestTheDiaryAndTheJournal:
    """On the demo school, through the API: the week shows a change, a cancelled lesson
    takes no marks."""

    async def test_the_week_shows_a_replacement_with_the_usual_teacher(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        target = await lesson(engine)
        async with engine.begin() as conn:
            usual = target.teacher_id
            stand_in = (
                (
                    await conn.execute(
                        sa.select(s.teaching.c.teacher_id).where(
                            s.teaching.c.teacher_id != usual,
                            s.teaching.c.teacher_id.not_in(
                                sa.select(s.lessons.c.teacher_id).where(
                                    s.lessons.c.date == target.date,
                                    s.lessons.c.number == target.number,
                                )
                            ),
                        )
                    )
                )
                .scalars()
                .first()
            )
            school_id = (
                await conn.execute(
                    sa.select(s.classes.c.school_id).where(s.classes.c.id == target.class_id)
                )
            ).scalar_one()
            await tt.change_lesson(
                conn,
                ACTOR,
                school_id,
                class_id=target.class_id,
                on=target.date,
                number=target.number,
                kind="replace",
                teacher_id=stand_in,
                note="курсы",
            )
        parent = await login(api, "parent")
        student = await user_id(engine, "student")
        week = (await get_week(api, parent, student, target.date)).json()
        _day, shown = lesson_in(week, target.id)
        assert shown["teacher"]["id"] == str(stand_in)
        assert shown["change"]["kind"] == "replaced"
        assert shown["change"]["usual_teacher"]["id"] == str(usual)
        assert shown["change"]["note"] == "курсы"
        others = [
            les for day in week["days"] for les in day["lessons"] if les["id"] != str(target.id)
        ]
        assert all(les["change"] is None for les in others)

    async def test_a_cancelled_lesson_takes_no_mark(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        target = await lesson(engine)
        async with engine.begin() as conn:
            await conn.execute(
                s.lessons.update().where(s.lessons.c.id == target.id).values(change="cancelled")
            )
        teacher = await as_teacher_of(api, engine, "7А", "Алгебра")
        r = await post_mark(
            api,
            teacher,
            student_id=await user_id(engine, "student"),
            lesson_id=str(target.id),
            value=5,
        )
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "lesson_cancelled"
        assert "is cancelled" in r.json()["error"]["message"]

    async def test_the_week_says_where_a_moved_lesson_went_and_came_from(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        student = await user_id(engine, "student")
        thursday = dt.date(2026, 11, 26)
        le, c = s.lessons.c, s.classes.c
        async with engine.begin() as conn:
            class_id, school_id = (
                await conn.execute(
                    sa.select(s.students.c.class_id, c.school_id)
                    .join(s.classes, c.id == s.students.c.class_id)
                    .where(s.students.c.user_id == int(student))
                )
            ).one()
            moving = (
                await conn.execute(
                    sa.select(le.teacher_id, le.room).where(
                        le.class_id == class_id, le.date == thursday, le.number == 1
                    )
                )
            ).one()
            taken = {
                (r.date, r.number)
                for r in await conn.execute(
                    sa.select(le.date, le.number).where(
                        le.date.between(thursday, thursday + dt.timedelta(days=1)),
                        sa.or_(
                            le.class_id == class_id,
                            le.teacher_id == moving.teacher_id,
                            le.room == moving.room,
                        ),
                    )
                )
            }
            free = next(
                (d, n)
                for d in (thursday, thursday + dt.timedelta(days=1))
                for n in range(1, 8)
                if (d, n) not in taken
            )
            moved = await tt.change_lesson(
                conn,
                ACTOR,
                school_id,
                class_id=class_id,
                on=thursday,
                number=1,
                kind="move",
                to_date=free[0],
                to_number=free[1],
            )
        week = (await get_week(api, await login(api, "parent"), student, thursday)).json()
        lessons = [les for day in week["days"] for les in day["lessons"]]
        went = next(les for les in lessons if les["id"] == str(moved))
        assert went["change"]["kind"] == "moved"
        assert (went["change"]["moved_from_date"], went["change"]["moved_from_number"]) == (
            "2026-11-26",
            1,
        )
        left = next(
            les
            for les in week["days"][3]["lessons"]
            if les["number"] == 1 and les["id"] != str(moved)
        )
        assert left["change"]["kind"] == "cancelled"
        assert (left["change"]["moved_to_date"], left["change"]["moved_to_number"]) == (
            free[0].isoformat(),
            free[1],
        )
