"""The demo school: deterministic, believable, and consistent with the domain's rules."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.domain.marks import Scored, proposed_mark, weighted_average
from ediary_tui.domain.models import Category
from ediary_tui.domain.periods import QUARTER, standard_periods, week_start
from ediary_tui.server import db
from ediary_tui.server import schema as s
from ediary_tui.server.demo import DemoError, DemoSummary, build_demo, list_logins, wipe
from ediary_tui.server.passwords import verify_password

TODAY = dt.date(2026, 11, 25)  # a Wednesday in the second quarter
SMALL = {"classes_per_grade": 1, "students_per_class": 8}
ABSENT = ("absent", "ill", "excused")


async def _engine(path: Path) -> AsyncEngine:
    engine = db.create_engine(str(path))
    await db.upgrade(engine)
    return engine


async def _rows(engine: AsyncEngine, query: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(query)).all())


async def _table(engine: AsyncEngine, table: sa.Table) -> list[tuple[Any, ...]]:
    """Every row of a table as sorted plain tuples, for comparing two builds."""
    return sorted(tuple(r) for r in await _rows(engine, sa.select(table)))


@pytest.fixture(scope="module")
async def small(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    """One small school, built once for the read-only checks of this module."""
    engine = await _engine(tmp_path_factory.mktemp("demo") / "small.db")
    await build_demo(engine, today=TODAY, **SMALL)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
async def default(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[AsyncEngine, DemoSummary]]:
    """The default layout (two parallels, 25 students), as `ediary demo` builds it."""
    engine = await _engine(tmp_path_factory.mktemp("demo") / "default.db")
    summary = await build_demo(engine, today=dt.date(2026, 11, 29))
    yield engine, summary
    await engine.dispose()


class TestDeterminism:
    async def test_same_seed_and_day_give_identical_rows(self, tmp_path: Path) -> None:
        first, second = await _engine(tmp_path / "a.db"), await _engine(tmp_path / "b.db")
        try:
            await build_demo(first, today=TODAY, **SMALL)
            await build_demo(second, today=TODAY, **SMALL)
            for table in (s.users, s.lessons, s.marks, s.attendance, s.homework, s.timetable):
                assert await _table(first, table) == await _table(second, table), table.name
        finally:
            await first.dispose()
            await second.dispose()

    async def test_another_seed_gives_another_school(
        self, tmp_path: Path, small: AsyncEngine
    ) -> None:
        other = await _engine(tmp_path / "other.db")
        try:
            await build_demo(other, today=TODAY, seed=7, **SMALL)
            assert await _table(other, s.marks) != await _table(small, s.marks)
        finally:
            await other.dispose()


class TestWellKnownLogins:
    async def test_summary_names_them(self, default: tuple[AsyncEngine, DemoSummary]) -> None:
        _, summary = default
        assert list(summary.logins) == ["admin", "teacher", "parent", "student"]
        assert summary.password == "demo"
        assert summary.schools == 1
        assert summary.classes == 22
        assert summary.rows["students"] == 22 * 25

    async def test_roles(self, default: tuple[AsyncEngine, DemoSummary]) -> None:
        engine, _ = default
        roles = {login: set(r.split(",")) for login, _, r in await list_logins(engine)}
        assert roles["admin"] == {"admin"}
        assert roles["teacher"] == {"teacher", "class_teacher"}
        assert roles["parent"] == {"parent"}
        assert roles["student"] == {"student"}

    async def test_password_is_demo(self, default: tuple[AsyncEngine, DemoSummary]) -> None:
        engine, _ = default
        u = s.users
        rows = await _rows(
            engine,
            sa.select(u.c.password_hash, u.c.must_change_password).where(u.c.login == "parent"),
        )
        assert verify_password(rows[0].password_hash, "demo")
        assert rows[0].must_change_password is False

    async def test_parent_has_two_children_in_different_classes(
        self, default: tuple[AsyncEngine, DemoSummary]
    ) -> None:
        engine, _ = default
        children = await _children(engine, "parent")
        assert len(children) == 2
        assert len({klass for _, klass, _ in children}) == 2

    async def test_student_is_the_older_child_of_parent(
        self, default: tuple[AsyncEngine, DemoSummary]
    ) -> None:
        engine, _ = default
        children = sorted(await _children(engine, "parent"), key=lambda c: c[2])
        assert children[0][0] == "student"
        assert children[0][1] == "7А"

    async def test_teacher_leads_a_class_and_teaches_several(
        self, default: tuple[AsyncEngine, DemoSummary]
    ) -> None:
        engine, _ = default
        u, c, t = s.users, s.classes, s.teaching
        led = await _rows(
            engine,
            sa.select(c.c.name)
            .select_from(c.join(u, u.c.id == c.c.class_teacher_id))
            .where(u.c.login == "teacher"),
        )
        assert [r.name for r in led] == ["7А"]
        taught = await _rows(
            engine,
            sa.select(c.c.name, t.c.subject_id)
            .select_from(t.join(u, u.c.id == t.c.teacher_id).join(c, c.c.id == t.c.class_id))
            .where(u.c.login == "teacher"),
        )
        assert len({r.name for r in taught}) >= 2
        assert "7А" in {r.name for r in taught}
        # The class teacher's `student` is in the class, so teacher and parent share a child.
        assert "student" in {login for login, _, _ in await _children(engine, "parent")}


async def _children(engine: AsyncEngine, parent: str) -> list[tuple[str, str, dt.date]]:
    """(login, class name, birth date) of a parent's children."""
    u, p, g, st, c = s.users, s.users.alias("p"), s.guardians, s.students, s.classes
    rows = await _rows(
        engine,
        sa.select(u.c.login, c.c.name, u.c.birth_date)
        .select_from(
            g.join(p, p.c.id == g.c.parent_id)
            .join(u, u.c.id == g.c.student_id)
            .join(st, st.c.user_id == u.c.id)
            .join(c, c.c.id == st.c.class_id)
        )
        .where(p.c.login == parent),
    )
    return [(r.login, r.name, r.birth_date) for r in rows]


class TestPeople:
    async def test_logins_are_ascii_and_names_cyrillic(self, small: AsyncEngine) -> None:
        rows = await _rows(
            small, sa.select(s.users.c.login, s.users.c.full_name, s.users.c.last_name)
        )
        for login, full_name, last_name in rows:
            assert login.isascii() and login == login.lower()
            assert len(full_name.split()) == 3
            assert full_name.startswith(last_name + " ")

    async def test_every_student_has_a_parent(self, small: AsyncEngine) -> None:
        students = {r[0] for r in await _rows(small, sa.select(s.students.c.user_id))}
        guarded = Counter(r[0] for r in await _rows(small, sa.select(s.guardians.c.student_id)))
        assert students == set(guarded)
        assert all(1 <= n <= 2 for n in guarded.values())

    async def test_every_class_has_a_class_teacher_with_that_role(self, small: AsyncEngine) -> None:
        c, r = s.classes, s.user_roles
        leads = [row[0] for row in await _rows(small, sa.select(c.c.class_teacher_id))]
        assert None not in leads and len(set(leads)) == len(leads) == 11
        with_role = {
            row[0]
            for row in await _rows(small, sa.select(r.c.user_id).where(r.c.role == "class_teacher"))
        }
        assert set(leads) == with_role


class TestCalendar:
    async def test_no_lesson_on_sunday_in_holidays_or_past_the_week(
        self, small: AsyncEngine
    ) -> None:
        quarters = standard_periods(2026, QUARTER)
        rows = await _rows(
            small,
            sa.select(s.lessons.c.date, s.classes.c.days_per_week).select_from(
                s.lessons.join(s.classes, s.classes.c.id == s.lessons.c.class_id)
            ),
        )
        next_saturday = week_start(TODAY) + dt.timedelta(days=12)
        assert min(d for d, _ in rows) == quarters[0].starts_on
        assert max(d for d, _ in rows) == next_saturday
        for d, days in rows:
            assert d.weekday() < days
            assert any(q.starts_on <= d <= q.ends_on for q in quarters), d

    async def test_timetable_never_puts_a_teacher_in_two_places(self, small: AsyncEngine) -> None:
        t = s.timetable
        rows = await _rows(small, sa.select(t.c.teacher_id, t.c.weekday, t.c.number))
        assert len(rows) == len(set(rows))

    async def test_four_to_seven_lessons_a_day(self, small: AsyncEngine) -> None:
        t = s.timetable
        per_day = Counter((r.class_id, r.weekday) for r in await _rows(small, sa.select(t)))
        assert all(4 <= n <= 7 for n in per_day.values())

    async def test_bells_have_named_breaks(self, small: AsyncEngine) -> None:
        bells = await _rows(small, sa.select(s.bells).order_by(s.bells.c.number))
        assert len(bells) == 7 and bells[0].starts_at == "08:30" and bells[0].ends_at == "09:15"
        assert {b.break_name for b in bells} >= {"Завтрак", "Обед"}

    async def test_both_kinds_of_periods(self, small: AsyncEngine) -> None:
        kinds = Counter(r.kind for r in await _rows(small, sa.select(s.periods)))
        assert kinds == {"quarter": 4, "half": 2}


class TestMarks:
    async def test_no_mark_after_today(self, small: AsyncEngine) -> None:
        m, lesson = s.marks, s.lessons
        latest = await _rows(
            small,
            sa.select(sa.func.max(lesson.c.date)).select_from(
                m.join(lesson, lesson.c.id == m.c.lesson_id)
            ),
        )
        assert latest[0][0] <= TODAY

    async def test_no_mark_where_the_student_was_absent(self, small: AsyncEngine) -> None:
        m, a = s.marks, s.attendance
        rows = await _rows(
            small,
            sa.select(m.c.id)
            .select_from(
                m.join(a, sa.and_(a.c.lesson_id == m.c.lesson_id, a.c.student_id == m.c.student_id))
            )
            .where(a.c.code.in_(ABSENT)),
        )
        assert rows == []

    async def test_dots_have_a_due_date_and_no_value(self, small: AsyncEngine) -> None:
        m, lesson = s.marks, s.lessons
        rows = await _rows(
            small,
            sa.select(m.c.value, m.c.due, lesson.c.date)
            .select_from(m.join(lesson, lesson.c.id == m.c.lesson_id))
            .where(m.c.is_dot),
        )
        assert rows, "some dots are still open"
        for value, due, day in rows:
            assert value is None
            assert day <= due <= day + dt.timedelta(days=14)
            assert due >= TODAY  # a dot past its due date has been filled

    async def test_values_are_on_the_scale_and_mostly_good(self, small: AsyncEngine) -> None:
        m = s.marks
        values = Counter(r[0] for r in await _rows(small, sa.select(m.c.value).where(~m.c.is_dot)))
        assert set(values) <= {1, 2, 3, 4, 5}
        total = sum(values.values())
        assert (values[3] + values[4] + values[5]) / total > 0.8
        assert values[1] < values[2] < values[4]

    async def test_control_forms_belong_to_the_school(self, small: AsyncEngine) -> None:
        m, cf, lesson, c = s.marks, s.control_forms, s.lessons, s.classes
        rows = await _rows(
            small,
            sa.select(cf.c.school_id, c.c.school_id.label("class_school")).select_from(
                m.join(cf, cf.c.id == m.c.control_form_id)
                .join(lesson, lesson.c.id == m.c.lesson_id)
                .join(c, c.c.id == lesson.c.class_id)
            ),
        )
        assert all(a == b for a, b in rows)
        codes = {r.code: (r.weight, r.category) for r in await _rows(small, sa.select(cf))}
        assert codes["test"] == (3, "test")
        assert codes["independent"] == (2, "independent")
        assert codes["homework"] == (1, "homework")

    async def test_a_test_lesson_marks_everyone_present_with_the_test_form(
        self, small: AsyncEngine
    ) -> None:
        m, lesson, cf, st, a = s.marks, s.lessons, s.control_forms, s.students, s.attendance
        test_id = (await _rows(small, sa.select(cf.c.id).where(cf.c.code == "test")))[0][0]
        tests = await _rows(
            small,
            sa.select(lesson.c.id, lesson.c.class_id).where(
                lesson.c.control_form_id == test_id, lesson.c.date <= TODAY
            ),
        )
        assert tests
        roster: dict[int, set[int]] = defaultdict(set)
        for user_id, class_id in await _rows(small, sa.select(st.c.user_id, st.c.class_id)):
            roster[class_id].add(user_id)
        marked: dict[int, set[int]] = defaultdict(set)
        for lesson_id, student_id, form in await _rows(
            small, sa.select(m.c.lesson_id, m.c.student_id, m.c.control_form_id)
        ):
            if form == test_id:
                marked[lesson_id].add(student_id)
        away: dict[int, set[int]] = defaultdict(set)
        for lesson_id, student_id in await _rows(
            small, sa.select(a.c.lesson_id, a.c.student_id).where(a.c.code.in_(ABSENT))
        ):
            away[lesson_id].add(student_id)
        for lesson_id, class_id in tests:
            assert marked[lesson_id] == roster[class_id] - away[lesson_id]

    async def test_history_records_every_mark_and_its_changes(self, small: AsyncEngine) -> None:
        m, h = s.marks, s.mark_history
        marks = {r.id: r for r in await _rows(small, sa.select(m))}
        history: dict[int, list[Any]] = defaultdict(list)
        for row in await _rows(small, sa.select(h).order_by(h.c.id)):
            history[row.mark_id].append(row)
        assert set(history) == set(marks)
        changed = 0
        for mark_id, rows in history.items():
            mark = marks[mark_id]
            assert rows[0].action == "created" and rows[0].from_value is None
            assert rows[0].at == mark.created_at
            assert rows[-1].at == mark.updated_at
            assert rows[-1].to_value == ("•" if mark.is_dot else str(mark.value))
            assert all(r.by_id == mark.teacher_id for r in rows)
            changed += len(rows) > 1
        assert changed > 0


class TestPeriodMarks:
    async def test_ended_periods_get_the_proposed_mark(self, small: AsyncEngine) -> None:
        pm, p, m, lesson, cf = s.period_marks, s.periods, s.marks, s.lessons, s.control_forms
        periods = {r.id: r for r in await _rows(small, sa.select(p))}
        set_marks = await _rows(small, sa.select(pm))
        assert set_marks
        assert all(periods[r.period_id].ends_on < TODAY for r in set_marks)
        rows = await _rows(
            small,
            sa.select(m.c.student_id, lesson.c.subject_id, lesson.c.date, m.c.value, cf.c.weight)
            .select_from(
                m.join(lesson, lesson.c.id == m.c.lesson_id).join(
                    cf, cf.c.id == m.c.control_form_id
                )
            )
            .where(~m.c.is_dot),
        )
        for r in set_marks[:50]:
            span = periods[r.period_id]
            scored = [
                Scored(v, w, Category.CLASSWORK)
                for st, sub, d, v, w in rows
                if st == r.student_id
                and sub == r.subject_id
                and span.starts_on <= d <= span.ends_on
            ]
            assert r.value == proposed_mark(weighted_average(scored))


class TestAttendance:
    async def test_a_few_percent_absent(self, small: AsyncEngine) -> None:
        codes = Counter(r[0] for r in await _rows(small, sa.select(s.attendance.c.code)))
        assert set(codes) <= {"absent", "ill", "excused", "late"}
        assert codes["excused"] and codes["ill"]

    async def test_notices_excuse_their_lessons(self, small: AsyncEngine) -> None:
        n, a, lesson = s.absence_notices, s.attendance, s.lessons
        notices = await _rows(small, sa.select(n))
        assert notices
        assert {r.reason for r in notices} <= {"illness", "family", "treatment", "other"}
        for notice in notices:
            rows = await _rows(
                small,
                sa.select(a.c.code)
                .select_from(a.join(lesson, lesson.c.id == a.c.lesson_id))
                .where(
                    a.c.student_id == notice.student_id,
                    lesson.c.date.between(notice.from_date, notice.to_date),
                    lesson.c.number.between(notice.first_lesson or 1, notice.last_lesson or 7),
                ),
            )
            assert rows and all(code == "excused" for (code,) in rows)

    async def test_notices_are_written_by_a_parent_of_the_child(self, small: AsyncEngine) -> None:
        n, g = s.absence_notices, s.guardians
        pairs = {tuple(r) for r in await _rows(small, sa.select(g.c.parent_id, g.c.student_id))}
        for author, student in await _rows(small, sa.select(n.c.author_id, n.c.student_id)):
            assert (author, student) in pairs


class TestWeeks:
    async def test_this_week_is_noted_but_not_signed(self, small: AsyncEngine) -> None:
        w = s.week_notes
        rows = await _rows(small, sa.select(w))
        this_week = [r for r in rows if r.monday == week_start(TODAY)]
        assert this_week and all(r.signed_by is None for r in this_week)
        past = [r for r in rows if r.monday < week_start(TODAY)]
        assert sum(r.signed_by is not None for r in past) > len(past) / 2
        assert all(r.behaviour_note and r.note_by for r in rows)

    async def test_nothing_happens_after_the_demo_now(self, small: AsyncEngine) -> None:
        now = dt.datetime.combine(TODAY, dt.time(16, 0))  # Moscow; stored as UTC wall time
        moments = [
            (s.marks, s.marks.c.updated_at),
            (s.homework, s.homework.c.updated_at),
            (s.homework_done, s.homework_done.c.done_at),
            (s.week_notes, s.week_notes.c.signed_at),
            (s.messages, s.messages.c.created_at),
            (s.absence_notices, s.absence_notices.c.created_at),
        ]
        for table, column in moments:
            latest = (await _rows(small, sa.select(sa.func.max(column)).select_from(table)))[0][0]
            assert latest is not None, table.name
            assert latest.replace(tzinfo=None) <= now - dt.timedelta(hours=3), table.name


class TestMorning:
    """Built at 08:13 at the school on a school day: nothing is dated after that moment."""

    NOW = dt.datetime.combine(TODAY, dt.time(5, 13), tzinfo=dt.UTC)  # 08:13 in Moscow

    @pytest.fixture(scope="class")
    async def morning(self, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
        engine = await _engine(tmp_path_factory.mktemp("demo") / "morning.db")
        await build_demo(engine, today=TODAY, now=self.NOW, **SMALL)
        yield engine
        await engine.dispose()

    async def test_no_moment_of_any_table_is_after_now(self, morning: AsyncEngine) -> None:
        late: list[str] = []
        for table in s.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, sa.DateTime | s.UTCDateTime):
                    continue
                latest = (await _rows(morning, sa.select(sa.func.max(column))))[0][0]
                if latest is not None and latest.replace(tzinfo=dt.UTC) > self.NOW:
                    late.append(f"{table.name}.{column.name} {latest:%d.%m %H:%M}")
        assert late == []

    async def test_no_mark_nor_teachers_attendance_on_a_lesson_not_over(
        self, morning: AsyncEngine
    ) -> None:
        le, m, a = s.lessons, s.marks, s.attendance
        today = await _rows(morning, sa.select(le.c.id).where(le.c.date == TODAY))
        assert today  # a school day: its lessons are all ahead at 08:13 (the first ends at 09:15)
        ids = [r.id for r in today]
        assert await _rows(morning, sa.select(m.c.id).where(m.c.lesson_id.in_(ids))) == []
        by_teacher = sa.select(a.c.code).where(a.c.lesson_id.in_(ids), a.c.by_id.is_not(None))
        assert await _rows(morning, by_teacher) == []
        yesterday = await _rows(
            morning,
            sa.select(m.c.id).join(le, le.c.id == m.c.lesson_id).where(le.c.date < TODAY),
        )
        assert yesterday  # the days before still have their marks

    async def test_homework_set_ahead_is_dated_before_now(self, morning: AsyncEngine) -> None:
        h, le = s.homework, s.lessons
        ahead = await _rows(
            morning,
            sa.select(h.c.created_at).join(le, le.c.id == h.c.lesson_id).where(le.c.date >= TODAY),
        )
        assert ahead and all(r.created_at.replace(tzinfo=dt.UTC) <= self.NOW for r in ahead)


class TestDistrict:
    async def test_several_schools_get_prefixed_logins(self, tmp_path: Path) -> None:
        engine = await _engine(tmp_path / "district.db")
        try:
            summary = await build_demo(
                engine, today=TODAY, schools=3, classes_per_grade=1, students_per_class=10
            )
            assert summary.schools == 3 and summary.classes == 33
            assert {"admin", "s2.admin", "s3.teacher", "s3.parent", "s2.student"} <= set(
                summary.logins
            )
            logins = [login for login, _, _ in await list_logins(engine)]
            assert len(logins) == len(set(logins)) == summary.users
            schools = {
                r.login: r.school_id
                for r in await _rows(
                    engine,
                    sa.select(s.users.c.login, s.users.c.school_id).where(
                        s.users.c.login.in_(["admin", "s2.admin", "s3.admin"])
                    ),
                )
            }
            assert len(set(schools.values())) == 3
            forms = await _rows(engine, sa.select(s.control_forms.c.school_id))
            assert Counter(r[0] for r in forms) == dict.fromkeys(schools.values(), 6)
        finally:
            await engine.dispose()


class TestRebuild:
    async def test_refuses_a_database_that_holds_a_school(self, small: AsyncEngine) -> None:
        with pytest.raises(DemoError):
            await build_demo(small, today=TODAY, **SMALL)

    async def test_wipe_then_build_again(self, tmp_path: Path) -> None:
        engine = await _engine(tmp_path / "again.db")
        try:
            first = await build_demo(engine, today=TODAY, **SMALL)
            await wipe(engine)
            for table in s.metadata.sorted_tables:
                assert (await _rows(engine, sa.select(sa.func.count()).select_from(table)))[0][
                    0
                ] == 0
            second = await build_demo(engine, today=TODAY, **SMALL)
            assert second == first
        finally:
            await engine.dispose()

    async def test_list_logins_by_role(self, small: AsyncEngine) -> None:
        admins = await list_logins(small, "admin")
        assert [login for login, _, _ in admins] == ["admin"]
        teachers = await list_logins(small, "class_teacher")
        assert len(teachers) == 11
        assert all("teacher" in roles.split(",") for _, _, roles in teachers)


class TestNews:
    """The demo's change feed holds the last week's marks, so a first start has news."""

    NOW = dt.datetime.combine(TODAY, dt.time(13, 0), tzinfo=dt.UTC)  # 16:00 in Moscow

    async def test_the_last_weeks_marks_are_in_the_feed_in_the_order_given(
        self, small: AsyncEngine
    ) -> None:
        c, m = s.changes, s.marks
        changes = await _rows(small, sa.select(c).order_by(c.c.id))
        week_ago = self.NOW - dt.timedelta(days=7)
        recent = await _rows(
            small,
            sa.select(m.c.id, m.c.value, m.c.student_id).where(m.c.updated_at > week_ago),
        )
        assert recent  # the small school gave marks in the last week
        assert {(r.entity_id, r.student_id) for r in changes} == {
            (r.id, r.student_id) for r in recent
        }
        assert {r.kind for r in changes} == {"mark"}
        moments = [r.at for r in changes]
        assert moments == sorted(moments)  # the cursor (id) follows time
        assert all(week_ago < at.replace(tzinfo=dt.UTC) <= self.NOW for at in moments)
        value_of = {r.id: r.value for r in recent}
        assert all(r.data["value"] == value_of[r.entity_id] for r in changes)

    async def test_built_without_news_the_feed_starts_empty(
        self, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        engine = await _engine(tmp_path_factory.mktemp("demo") / "quiet.db")
        try:
            await build_demo(engine, today=TODAY, news=False, **SMALL)
            assert await _rows(engine, sa.select(s.changes.c.id)) == []
        finally:
            await engine.dispose()
