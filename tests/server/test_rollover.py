"""A new school year: year marks, classes moved up, the 11th grade leaving, the old year
archived read-only, and last year's report card still read through the API.

The demo's year is 2026/27 and the date is pinned in its second quarter, so every
rollover here is forced (`force=True`), as `ediary admin year rollover --force` is.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sqlite3
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.cli import main
from ediary_tui.domain.marks import proposed_mark
from ediary_tui.domain.periods import HALF, QUARTER
from ediary_tui.server import db
from ediary_tui.server import schema as s
from ediary_tui.server.school.audit import Actor, entries
from ediary_tui.server.school.errors import AdminError
from ediary_tui.server.school.rollover import RolloverReport, roll_over, roll_over_school
from ediary_tui.server.school.year import open_year
from tests.conftest import PINNED_NOW, login
from tests.server.test_week import children, rows, scalar, user_id

API = "/api/v1"
ACTOR = Actor(None, "command line (test)")
OLD, NEW = 2026, 2027


async def rollover(engine: AsyncEngine, **kw: Any) -> RolloverReport:
    kw.setdefault("force", True)
    return await roll_over_school(engine, ACTOR, None, now=PINNED_NOW, **kw)


async def class_named(engine: AsyncEngine, name: str, year: int) -> int:
    c = s.classes
    found = await scalar(engine, sa.select(c.c.id).where(c.c.name == name, c.c.year == year))
    assert found is not None, (name, year)
    return found


async def class_row(engine: AsyncEngine, student_id: int) -> Any:
    st, c = s.students, s.classes
    return (
        await rows(
            engine,
            sa.select(c, st.c.left_on)
            .join(st, st.c.class_id == c.c.id)
            .where(st.c.user_id == student_id),
        )
    )[0]


async def enrollments(engine: AsyncEngine, student_id: int) -> dict[int, int]:
    e = s.enrollments
    found = await rows(
        engine, sa.select(e.c.year, e.c.class_id).where(e.c.student_id == student_id)
    )
    return dict(found)


async def table_sizes(engine: AsyncEngine) -> dict[str, int]:
    tables = (
        s.classes,
        s.students,
        s.enrollments,
        s.teaching,
        s.year_marks,
        s.periods,
        s.school_years,
        s.holidays,
        s.audit_log,
        s.changes,
    )
    sizes = {}
    for t in tables:
        sizes[t.name] = await scalar(engine, sa.select(sa.func.count()).select_from(t))
    p, st = s.periods, s.students
    sizes["closed periods"] = await scalar(
        engine, sa.select(sa.func.count()).where(p.c.closed.is_(True))
    )
    sizes["left"] = await scalar(
        engine, sa.select(sa.func.count()).where(st.c.left_on.is_not(None))
    )
    return sizes


def error(r: httpx.Response) -> dict[str, Any]:
    return r.json()["error"]


def card_url(student_id: str, year: int | None = None) -> str:
    return f"{API}/students/{student_id}/report-card" + (f"?year={year}" if year else "")


class TestPromotion:
    async def test_a_seventh_grader_is_in_the_eighth_grade_and_last_years_card_still_reads(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        parent = await login(api, "parent")
        older, _younger = await children(api, parent)
        before = (await api.get(card_url(older, OLD), headers=parent)).json()
        assert before["years"] == [OLD] and before["subjects"]
        old_class = await class_named(engine, "7А", OLD)

        report = await rollover(engine)

        now_in = await class_row(engine, int(older))
        assert (now_in.name, now_in.grade, now_in.letter, now_in.year) == ("8А", 8, "А", NEW)
        assert await enrollments(engine, int(older)) == {OLD: old_class, NEW: now_in.id}
        assert report.classes_promoted == 10 and report.graduates > 0
        assert ("7А", "8А") in report.promoted

        parent = await login(api, "parent")  # the family's account and link stay
        after = await api.get(card_url(older, OLD), headers=parent)
        assert after.status_code == 200, after.text
        card = after.json()
        assert card["years"] == [OLD, NEW]
        assert [p["kind"] for p in card["periods"]] == [QUARTER] * 4
        assert [(x["name"], x["teacher"], x["periods"]) for x in card["subjects"]] == [
            (x["name"], x["teacher"], x["periods"]) for x in before["subjects"]
        ]
        with_periods = [x for x in card["subjects"] if x["periods"][0]["mark"] is not None]
        assert with_periods and all(x["year_mark"] is not None for x in with_periods)

        this_year = (await api.get(card_url(older), headers=parent)).json()
        assert this_year["year"] == NEW and this_year["subjects"] == []
        assert this_year["years"] == [OLD, NEW]
        # The diary of last year's weeks reads last year's class (7А), with the marks.
        week = await api.get(f"{API}/students/{older}/week", headers=parent)
        assert week.status_code == 200, week.text
        lessons = [x for day in week.json()["days"] for x in day["lessons"]]
        assert lessons and any(x["marks"] for x in lessons)
        old_lesson_ids = {
            str(i)
            for (i,) in await rows(
                engine, sa.select(s.lessons.c.id).where(s.lessons.c.class_id == old_class)
            )
        }
        assert {x["id"] for x in lessons} <= old_lesson_ids
        homework = await api.get(f"{API}/students/{older}/homework", headers=parent)
        assert homework.status_code == 200 and homework.json()["homework"]
        assert {x["lesson_id"] for x in homework.json()["homework"]} <= old_lesson_ids

    async def test_last_years_progress_compares_with_last_years_class(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        parent = await login(api, "parent")
        older, _ = await children(api, parent)
        p = s.periods
        first_quarter = await scalar(
            engine,
            sa.select(p.c.id).where(p.c.year == OLD, p.c.kind == QUARTER, p.c.number == 1),
        )
        url = f"{API}/students/{older}/progress?period_id={first_quarter}"
        before = (await api.get(url, headers=parent)).json()
        await rollover(engine)
        after = await api.get(url, headers=parent)
        assert after.status_code == 200, after.text
        assert after.json() == before
        assert any(x["class_average"] is not None for x in before["subjects"])

    async def test_a_promoted_class_keeps_its_teacher_week_and_teaching(
        self, engine: AsyncEngine
    ) -> None:
        old = await class_named(engine, "7А", OLD)
        await rollover(engine)
        new = await class_named(engine, "8А", NEW)
        c, t = s.classes, s.teaching
        old_row, new_row = [
            (await rows(engine, sa.select(c).where(c.c.id == i)))[0] for i in (old, new)
        ]
        assert (new_row.class_teacher_id, new_row.days_per_week) == (
            old_row.class_teacher_id,
            old_row.days_per_week,
        )
        pairs = sa.select(t.c.teacher_id, t.c.subject_id)
        assert set(await rows(engine, pairs.where(t.c.class_id == new))) == set(
            await rows(engine, pairs.where(t.c.class_id == old))
        )
        # The old class stays as it was, with its lessons; the new one has no timetable yet.
        le = s.lessons
        assert await scalar(engine, sa.select(sa.func.count()).where(le.c.class_id == old)) > 0
        assert await scalar(engine, sa.select(sa.func.count()).where(le.c.class_id == new)) == 0
        assert await scalar(engine, sa.select(c.c.year).where(c.c.id == old)) == OLD

    async def test_the_eleventh_grade_leaves_on_the_last_day_and_keeps_its_accounts(
        self, engine: AsyncEngine
    ) -> None:
        eleven = await class_named(engine, "11А", OLD)
        st = s.students
        leaving = [
            r[0] for r in await rows(engine, sa.select(st.c.user_id).where(st.c.class_id == eleven))
        ]
        report = await rollover(engine)
        assert report.graduates == len(leaving) > 0
        last_day = await scalar(
            engine, sa.select(sa.func.max(s.periods.c.ends_on)).where(s.periods.c.year == OLD)
        )
        for student in leaving:
            row = await class_row(engine, student)
            assert (row.id, row.left_on) == (eleven, last_day)
            assert await enrollments(engine, student) == {OLD: eleven}
        assert not await rows(engine, sa.select(s.classes.c.id).where(s.classes.c.grade == 12))
        g, u = s.guardians, s.users
        assert await rows(engine, sa.select(g).where(g.c.student_id.in_(leaving)))
        assert len(await rows(engine, sa.select(u.c.id).where(u.c.id.in_(leaving)))) == len(leaving)

    async def test_a_graduate_still_reads_their_diary_and_last_report_card(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        eleven = await class_named(engine, "11А", OLD)
        st, u = s.students, s.users
        graduate, login_name = (
            await rows(
                engine,
                sa.select(u.c.id, u.c.login)
                .join(st, st.c.user_id == u.c.id)
                .where(st.c.class_id == eleven)
                .order_by(u.c.id)
                .limit(1),
            )
        )[0]
        await rollover(engine)
        me = await login(api, login_name)
        card = (await api.get(card_url(str(graduate)), headers=me)).json()
        assert (card["year"], card["years"]) == (OLD, [OLD])
        assert [p["kind"] for p in card["periods"]] == [HALF] * 2 and card["subjects"]
        week = await api.get(f"{API}/students/{graduate}/week", headers=me)
        assert week.status_code == 200 and any(d["lessons"] for d in week.json()["days"])
        marks = await api.get(f"{API}/students/{graduate}/marks", headers=me)
        assert marks.status_code == 200 and marks.json()["marks"]

    async def test_the_next_year_opens_with_its_periods_and_holidays_and_an_audit_line(
        self, engine: AsyncEngine
    ) -> None:
        await rollover(engine)
        y, p = s.school_years, s.periods
        years = {r.year: r.archived_at for r in await rows(engine, sa.select(y))}
        assert years[OLD] == PINNED_NOW and years[NEW] is None
        kinds = await rows(engine, sa.select(p.c.kind).where(p.c.year == NEW))
        assert sorted(k for (k,) in kinds) == [HALF] * 2 + [QUARTER] * 4
        assert await scalar(engine, sa.select(sa.func.count()).where(s.holidays.c.year == NEW))
        async with engine.connect() as conn:
            school_id = await scalar(engine, sa.select(s.schools.c.id))
            lines = await entries(conn, school_id=school_id, action="year.rollover")
        assert len(lines) == 1 and lines[0].target == "2026/27 -> 2027/28"
        assert lines[0].detail["classes_promoted"] == 10


class TestYearMarks:
    async def test_year_marks_come_from_period_marks_and_set_ones_are_kept(
        self, engine: AsyncEngine
    ) -> None:
        pm, p, ym, st, c = s.period_marks, s.periods, s.year_marks, s.students, s.classes
        marks = await rows(
            engine,
            sa.select(pm.c.student_id, pm.c.subject_id, pm.c.value, p.c.kind, c.c.grade)
            .join(p, p.c.id == pm.c.period_id)
            .join(st, st.c.user_id == pm.c.student_id)
            .join(c, c.c.id == st.c.class_id),
        )
        by_pair: dict[tuple[int, int], list[int]] = defaultdict(list)
        for r in marks:
            if r.kind == (HALF if r.grade >= 10 else QUARTER):
                by_pair[(r.student_id, r.subject_id)].append(r.value)
        assert by_pair, "the demo has period marks to close the year from"
        kept_pair = min(by_pair)
        teacher = int(await user_id(engine, "teacher"))
        async with engine.begin() as conn:
            await conn.execute(ym.delete())
            await conn.execute(
                ym.insert().values(
                    student_id=kept_pair[0],
                    subject_id=kept_pair[1],
                    year=OLD,
                    value=1,
                    set_by=teacher,
                    set_at=PINNED_NOW - dt.timedelta(days=1),
                )
            )
        threshold = await scalar(engine, sa.select(s.schools.c.round_threshold))

        report = await rollover(engine)

        found = {
            (r.student_id, r.subject_id): r.value
            for r in await rows(engine, sa.select(ym).where(ym.c.year == OLD))
        }
        assert found[kept_pair] == 1
        assert (report.year_marks_set, report.year_marks_kept) == (len(by_pair) - 1, 1)
        for pair, values in by_pair.items():
            if pair != kept_pair:
                assert found[pair] == proposed_mark(sum(values) / len(values), threshold, 1, 5)
        assert set(found) == set(by_pair)

    async def test_every_period_of_the_year_is_closed(self, engine: AsyncEngine) -> None:
        report = await rollover(engine)
        p = s.periods
        states = await rows(engine, sa.select(p.c.closed).where(p.c.year == OLD))
        assert states and all(closed for (closed,) in states)
        assert report.periods_closed > 0


class TestArchivedYear:
    async def test_a_teachers_mark_in_last_years_lesson_is_403_year_archived(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        old = await class_named(engine, "7А", OLD)
        le, sub = s.lessons, s.subjects
        algebra = await scalar(engine, sa.select(sub.c.id).where(sub.c.name == "Алгебра"))
        lesson = await scalar(
            engine,
            sa.select(le.c.id)
            .where(le.c.class_id == old, le.c.subject_id == algebra, le.c.date <= PINNED_NOW.date())
            .order_by(le.c.date.desc())
            .limit(1),
        )
        student = await user_id(engine, "student")
        await rollover(engine)
        teacher = await login(api, "teacher")
        r = await api.post(
            f"{API}/marks",
            json={"student_id": student, "lesson_id": str(lesson), "value": 5},
            headers={**teacher, "Idempotency-Key": "archived-1"},
        )
        assert r.status_code == 403, r.text
        assert error(r)["code"] == "year_archived"
        assert "2026/27" in error(r)["message"]
        r = await api.patch(f"{API}/lessons/{lesson}", json={"topic": "x"}, headers=teacher)
        assert (r.status_code, error(r)["code"]) == (403, "year_archived")

        journal = await api.get(
            f"{API}/journal",
            params={"class_id": str(old), "subject_id": str(algebra)},
            headers=teacher,
        )
        assert journal.status_code == 200, journal.text
        body = journal.json()
        assert body["can_write"] is False
        assert student in {x["id"] for x in body["students"]}  # last year's class, as it was

    async def test_a_period_mark_of_last_year_is_403_year_archived(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        p, sub = s.periods, s.subjects
        first_quarter = await scalar(
            engine,
            sa.select(p.c.id).where(p.c.year == OLD, p.c.kind == QUARTER, p.c.number == 1),
        )
        algebra = await scalar(engine, sa.select(sub.c.id).where(sub.c.name == "Алгебра"))
        await rollover(engine)
        teacher = await login(api, "teacher")
        r = await api.put(
            f"{API}/period-marks",
            json={
                "student_id": await user_id(engine, "student"),
                "subject_id": str(algebra),
                "period_id": str(first_quarter),
                "value": 5,
            },
            headers=teacher,
        )
        assert (r.status_code, error(r)["code"]) == (403, "year_archived"), r.text

    async def test_a_period_mark_of_a_ninth_grader_now_in_the_tenth_is_403_not_422(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        """Last year's quarter is refused as archived, not as the wrong kind for grade 10."""
        p, sub, t, u, st = s.periods, s.subjects, s.teaching, s.users, s.students
        nine = await class_named(engine, "9А", OLD)
        algebra = await scalar(engine, sa.select(sub.c.id).where(sub.c.name == "Алгебра"))
        teacher = await scalar(
            engine,
            sa.select(u.c.login)
            .join(t, t.c.teacher_id == u.c.id)
            .where(t.c.class_id == nine, t.c.subject_id == algebra),
        )
        student = await scalar(
            engine, sa.select(st.c.user_id).where(st.c.class_id == nine).order_by(st.c.user_id)
        )
        fourth = await scalar(
            engine,
            sa.select(p.c.id).where(p.c.year == OLD, p.c.kind == QUARTER, p.c.number == 4),
        )
        await rollover(engine)
        r = await api.put(
            f"{API}/period-marks",
            json={
                "student_id": str(student),
                "subject_id": str(algebra),
                "period_id": str(fourth),
                "value": 4,
            },
            headers=await login(api, teacher),
        )
        assert (r.status_code, error(r)["code"]) == (403, "year_archived"), r.text

    async def test_a_notice_for_a_day_of_last_year_is_403_year_archived(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        await rollover(engine)
        parent = await login(api, "parent")
        older, _ = await children(api, parent)
        r = await api.post(
            f"{API}/students/{older}/absence-notices",
            json={"from": "2026-11-26", "to": "2026-11-27", "reason": "illness"},
            headers={**parent, "Idempotency-Key": "archived-notice"},
        )
        assert (r.status_code, error(r)["code"]) == (403, "year_archived"), r.text

    async def test_the_staffs_class_list_shows_this_years_classes_only(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        await rollover(engine)
        admin = await login(api, "admin")
        listed = (await api.get(f"{API}/classes", headers=admin)).json()["classes"]
        c = s.classes
        new_ids = {str(i) for (i,) in await rows(engine, sa.select(c.c.id).where(c.c.year == NEW))}
        assert {k["id"] for k in listed} == new_ids
        assert "8А" in {k["name"] for k in listed} and "1А" not in {k["name"] for k in listed}

    async def test_a_teachers_classes_are_this_years_after_the_rollover(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        await rollover(engine)
        c = s.classes
        new_ids = {str(i) for (i,) in await rows(engine, sa.select(c.c.id).where(c.c.year == NEW))}
        me = (await api.get(f"{API}/me", headers=await login(api, "teacher"))).json()
        assert me["teaching"] and {x["class_id"] for x in me["teaching"]} <= new_ids
        assert me["class_teacher_of"] and set(me["class_teacher_of"]) <= new_ids


class TestRefusals:
    async def test_a_rollover_twice_is_refused(self, engine: AsyncEngine) -> None:
        await rollover(engine)
        async with engine.begin() as conn:
            school_id = (await conn.execute(sa.select(s.schools.c.id))).scalar()
            with pytest.raises(AdminError, match="2026/27 is not the current open one"):
                await roll_over(conn, ACTOR, school_id, from_year=OLD, now=PINNED_NOW, force=True)

    async def test_a_second_forced_rollover_is_refused_as_the_new_year_has_not_begun(
        self, engine: AsyncEngine
    ) -> None:
        await rollover(engine)
        before = await table_sizes(engine)
        with pytest.raises(AdminError, match=r"2027/28 has not begun yet \(it starts on 0"):
            await rollover(engine)
        assert await table_sizes(engine) == before

    async def test_a_year_not_over_is_refused_without_force(self, engine: AsyncEngine) -> None:
        before = await table_sizes(engine)
        with pytest.raises(AdminError, match=r"not over: .* ends on .*--force"):
            await rollover(engine, force=False)
        assert await table_sizes(engine) == before

    async def test_an_existing_next_year_is_refused(self, engine: AsyncEngine) -> None:
        y = s.school_years
        async with engine.begin() as conn:
            school_id = (await conn.execute(sa.select(s.schools.c.id))).scalar()
            await open_year(conn, ACTOR, school_id, NEW, now=PINNED_NOW)
            # Archived by hand, so that 2026/27 is still the year being taught.
            await conn.execute(y.update().where(y.c.year == NEW).values(archived_at=PINNED_NOW))
        before = await table_sizes(engine)
        with pytest.raises(AdminError, match="2027/28 already exists"):
            await rollover(engine)
        assert await table_sizes(engine) == before

    async def test_a_class_of_next_year_with_the_name_is_refused(self, engine: AsyncEngine) -> None:
        school_id = await scalar(engine, sa.select(s.schools.c.id))
        async with engine.begin() as conn:
            await conn.execute(
                s.classes.insert().values(
                    school_id=school_id, grade=8, letter="А", name="8А", days_per_week=5, year=NEW
                )
            )
        before = await table_sizes(engine)
        with pytest.raises(AdminError, match="8А of 2027/28 already exists, so 7А"):
            await rollover(engine)
        assert await table_sizes(engine) == before

    async def test_a_dry_run_changes_nothing(self, engine: AsyncEngine) -> None:
        before = await table_sizes(engine)
        report = await rollover(engine, dry_run=True)
        assert report.classes_promoted == 10 and report.students_promoted > 0
        assert report.lines()[-1] == "opened\t2027/28"
        assert await table_sizes(engine) == before


async def test_migration_0004_fills_years_and_enrollments_of_a_school_with_data(
    engine: AsyncEngine,
) -> None:
    """0003 -> 0004 on a populated SQLite (or PostgreSQL) database: every class gets the year
    of its school's periods, every student the enrollment of their class, the year a row."""
    students = await scalar(engine, sa.select(sa.func.count()).select_from(s.students))
    await db.downgrade(engine, "0003")
    await db.upgrade(engine)
    c, e, y = s.classes, s.enrollments, s.school_years
    assert {r[0] for r in await rows(engine, sa.select(c.c.year))} == {OLD}
    pairs = await rows(engine, sa.select(e.c.student_id, e.c.year, e.c.class_id))
    assert len(pairs) == students
    assert set(
        await rows(engine, sa.select(s.students.c.user_id, sa.literal(OLD), s.students.c.class_id))
    ) == set(pairs)
    assert [r.year for r in await rows(engine, sa.select(y))] == [OLD]


# --- the command line: ediary admin year ... -------------------------------------------------


@pytest.fixture(scope="module")
def built_school(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("year-cli") / "school.db"
    args = ["demo", "--db", str(path), "--today", PINNED_NOW.date().isoformat()]
    assert main([*args, "--classes-per-grade", "1", "--students-per-class", "3"]) == 0
    return path


@pytest.fixture
def school_file(built_school: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "school.db"
    shutil.copyfile(built_school, copy)
    return copy


def cli(capsys: pytest.CaptureFixture[str], path: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["admin", "--db", str(path), "year", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def years_of(path: Path) -> list[tuple[int, bool]]:
    with sqlite3.connect(path) as conn:
        found = conn.execute("SELECT year, archived_at IS NOT NULL FROM school_years ORDER BY year")
        return [(year, bool(archived)) for year, archived in found]


class TestYearCommands:
    def test_list_shows_the_open_year_with_its_classes(
        self, school_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = cli(capsys, school_file, "list")
        assert code == 0
        lines = [line.split("\t") for line in out.splitlines()]
        assert lines[0] == ["year", "state", "opened", "archived", "classes"]
        assert [(x[0], x[1], x[4]) for x in lines[1:]] == [("2026/27", "open", "11")]

    def test_rollover_without_a_terminal_or_yes_is_refused_and_changes_nothing(
        self, school_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = cli(capsys, school_file, "rollover", "--force")
        assert code == 2
        assert "there is no terminal to ask at" in err and "add --yes" in err
        assert years_of(school_file) == [(2026, False)]

    def test_a_year_not_over_needs_force(
        self, school_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, _, err = cli(capsys, school_file, "rollover", "--yes")
        assert code == 2 and "is not over" in err and "--force" in err
        assert years_of(school_file) == [(2026, False)]

    def test_a_dry_run_says_what_it_would_do_and_changes_nothing(
        self, school_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = cli(capsys, school_file, "rollover", "--dry-run", "--force")
        assert code == 0
        assert "warning: --force" in err
        assert out.splitlines()[0] == "dry run: nothing was changed"
        assert "class\t7А\t-> 8А" in out.splitlines()
        assert "opened\t2027/28" in out.splitlines()
        assert years_of(school_file) == [(2026, False)]

    def test_rollover_with_yes_archives_the_year_and_opens_the_next(
        self, school_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = cli(capsys, school_file, "rollover", "--force", "--yes")
        assert code == 0, out
        assert "promoted\t10 class(es)\t30 student(s)" in out.splitlines()
        assert "graduates\t3" in out.splitlines()
        assert years_of(school_file) == [(2026, True), (2027, False)]
        code, out, _ = cli(capsys, school_file, "list")
        assert [line.split("\t")[1] for line in out.splitlines()[1:]] == ["archived", "open"]
        code, _, err = cli(capsys, school_file, "open", "2027")
        assert code == 2 and "2027/28 is already open" in err

    def test_open_starts_a_school_year_with_its_periods(
        self, school_file: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with sqlite3.connect(school_file) as conn:
            conn.execute("UPDATE school_years SET archived_at = opened_at")
        code, out, _ = cli(capsys, school_file, "open", "2027")
        assert (code, out) == (0, "opened\t2027/28\n")
        assert years_of(school_file) == [(2026, True), (2027, False)]


class _Terminal(io.StringIO):
    """Standard input as a terminal, where a person types the answer."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("answer", "code", "years"),
    [("n", 1, [(2026, False)]), ("y", 0, [(2026, True), (2027, False)])],
)
def test_on_a_terminal_the_rollover_shows_what_it_will_do_and_asks(
    school_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    years: list[tuple[int, bool]],
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal(answer + "\n"))
    got, out, err = cli(capsys, school_file, "rollover", "--force")
    assert got == code
    assert "The rollover will do this" in out and "  class\t7А\t-> 8А" in out
    assert "Roll the school over into the next year? [y/N]" in err
    assert years_of(school_file) == years
