"""The journal of a class in a subject: who may read it, and what it shows.

The demo school's well-known `teacher` teaches maths (Алгебра, Геометрия, ...)
in 5А-8А and is the class teacher of 7А, where `student` is. The pinned day
(2026-11-25) is in the 2nd quarter; the 1st quarter is over and closed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.domain.marks import Scored, proposed_mark, round_average, weighted_average
from ediary_tui.domain.models import Category
from ediary_tui.server import schema as s
from tests.conftest import PINNED_NOW, PINNED_TODAY, login
from tests.server.test_week import rows, scalar, user_id

API = "/api/v1"
Q1_END = dt.date(2026, 10, 26)
Q2_START, Q2_END = dt.date(2026, 11, 5), dt.date(2026, 12, 28)


# --- helpers the journal's tests share ----------------------------------------------------


async def class_id(engine: AsyncEngine, name: str) -> str:
    return str(await scalar(engine, sa.select(s.classes.c.id).where(s.classes.c.name == name)))


async def subject_id(engine: AsyncEngine, name: str) -> str:
    return str(await scalar(engine, sa.select(s.subjects.c.id).where(s.subjects.c.name == name)))


async def period_id(engine: AsyncEngine, kind: str, number: int) -> str:
    p = s.periods
    return str(
        await scalar(engine, sa.select(p.c.id).where(p.c.kind == kind, p.c.number == number))
    )


async def teacher_of(engine: AsyncEngine, class_name: str, subject_name: str) -> str:
    """The login of whoever teaches the subject in the class."""
    t, u = s.teaching, s.users
    return await scalar(
        engine,
        sa.select(u.c.login)
        .join(t, t.c.teacher_id == u.c.id)
        .where(
            t.c.class_id == int(await class_id(engine, class_name)),
            t.c.subject_id == int(await subject_id(engine, subject_name)),
        )
        .order_by(u.c.id)
        .limit(1),
    )


async def as_teacher_of(
    api: httpx.AsyncClient, engine: AsyncEngine, class_name: str, subject_name: str
) -> dict[str, str]:
    return await login(api, await teacher_of(engine, class_name, subject_name))


async def lesson(
    engine: AsyncEngine,
    class_name: str = "7А",
    subject_name: str = "Алгебра",
    *,
    first: dt.date = Q2_START,
    last: dt.date = PINNED_TODAY,
    latest: bool = True,
) -> Any:
    """The latest (or earliest) lesson of a subject in a class between two dates."""
    le = s.lessons
    order = (le.c.date.desc(), le.c.number.desc()) if latest else (le.c.date, le.c.number)
    found = await rows(
        engine,
        sa.select(le)
        .where(
            le.c.class_id == int(await class_id(engine, class_name)),
            le.c.subject_id == int(await subject_id(engine, subject_name)),
            le.c.date.between(first, last),
        )
        .order_by(*order)
        .limit(1),
    )
    assert found, (class_name, subject_name, first, last)
    return found[0]


async def students_of(engine: AsyncEngine, class_name: str) -> list[Any]:
    st, u = s.students, s.users
    return await rows(
        engine,
        sa.select(u.c.id, u.c.full_name)
        .join(st, st.c.user_id == u.c.id)
        .where(st.c.class_id == int(await class_id(engine, class_name)))
        .order_by(u.c.full_name, u.c.id),
    )


async def get_journal(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    class_: str,
    subject: str,
    period: str | None = None,
) -> httpx.Response:
    params = {"class_id": class_, "subject_id": subject}
    if period is not None:
        params["period_id"] = period
    return await api.get(f"{API}/journal", params=params, headers=headers)


async def journal_of(
    api: httpx.AsyncClient,
    engine: AsyncEngine,
    headers: dict[str, str],
    class_name: str = "7А",
    subject_name: str = "Алгебра",
    period: str | None = None,
) -> dict[str, Any]:
    r = await get_journal(
        api,
        headers,
        await class_id(engine, class_name),
        await subject_id(engine, subject_name),
        period,
    )
    assert r.status_code == 200, r.text
    return r.json()


async def post_mark(api: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await api.post(f"{API}/marks", json=body, headers=headers)


async def table_counts(engine: AsyncEngine) -> dict[str, int]:
    """Rows of the tables a journal write touches: a refused write changes none of them."""
    tables = (
        s.marks,
        s.mark_history,
        s.changes,
        s.attendance,
        s.homework,
        s.period_marks,
        s.idempotency,
    )
    return {t.name: await scalar(engine, sa.select(sa.func.count()).select_from(t)) for t in tables}


async def latest_change(engine: AsyncEngine) -> Any:
    c = s.changes
    return (await rows(engine, sa.select(c).order_by(c.c.id.desc()).limit(1)))[0]


def cell(journal: dict[str, Any], student: str, lesson_id: str) -> dict[str, Any] | None:
    return next(
        (c for c in journal["cells"] if c["student_id"] == student and c["lesson_id"] == lesson_id),
        None,
    )


def student_row(journal: dict[str, Any], student: str) -> dict[str, Any]:
    return next(st for st in journal["students"] if st["id"] == student)


def expected_average(journal: dict[str, Any], student: str) -> tuple[float | None, int | None]:
    """The student's average and proposal from the journal's own cells, by the domain rules."""
    scored = [
        Scored(
            m["value"],
            m["control_form"]["weight"],
            Category(m["control_form"]["category"]),
            m["is_dot"],
        )
        for c in journal["cells"]
        if c["student_id"] == student
        for m in c["marks"]
    ]
    average = weighted_average(scored)
    settings = journal["settings"]
    return round_average(average), proposed_mark(
        average, settings["round_threshold"], settings["scale_min"], settings["scale_max"]
    )


@contextmanager
def counting_queries(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)


# --- who may read a journal ------------------------------------------------------------------


class TestJournalAccess:
    async def test_the_subject_teacher_reads_and_may_write(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        journal = await journal_of(api, engine, as_teacher, "7А", "Алгебра")
        assert journal["can_write"] is True
        assert journal["class_name"] == "7А"
        assert journal["subject"]["name"] == "Алгебра"

    async def test_the_class_teacher_reads_another_teachers_subject_but_may_not_write(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        assert await teacher_of(engine, "7А", "Русский язык") != "teacher"
        journal = await journal_of(api, engine, as_teacher, "7А", "Русский язык")
        assert journal["can_write"] is False
        assert journal["lessons"] and journal["cells"]

    async def test_the_admin_reads_any_class_but_may_not_write(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        for class_name, subject_name in (("7А", "Алгебра"), ("3А", "Русский язык")):
            journal = await journal_of(api, engine, as_admin, class_name, subject_name)
            assert journal["can_write"] is False

    async def test_a_teacher_of_other_classes_is_403_not_your_subject(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        r = await get_journal(
            api, as_teacher, await class_id(engine, "9А"), await subject_id(engine, "Алгебра")
        )
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "not_your_subject"

    async def test_a_teacher_of_another_subject_in_the_class_is_403(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        r = await get_journal(
            api, russian, await class_id(engine, "7А"), await subject_id(engine, "Алгебра")
        )
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "not_your_subject"

    async def test_parents_and_students_are_403(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_student: dict
    ) -> None:
        args = (await class_id(engine, "7А"), await subject_id(engine, "Алгебра"))
        for headers in (as_parent, as_student):
            r = await get_journal(api, headers, *args)
            assert r.status_code == 403
        assert (await get_journal(api, {}, *args)).status_code == 401

    async def test_unknown_class_or_subject_not_taught_there_is_404(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        algebra = await subject_id(engine, "Алгебра")
        r = await get_journal(api, as_admin, "999999", algebra)
        assert r.status_code == 404 and r.json()["error"]["code"] == "class_not_found"
        # Математика is taught in grades 5-6 only.
        r = await get_journal(
            api, as_admin, await class_id(engine, "7А"), await subject_id(engine, "Математика")
        )
        assert r.status_code == 404 and r.json()["error"]["code"] == "subject_not_found"

    async def test_bad_ids_are_422_naming_the_field(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        class_7a, algebra = await class_id(engine, "7А"), await subject_id(engine, "Алгебра")
        for params, field in (
            ({"class_id": "abc", "subject_id": algebra}, "class_id"),
            ({"class_id": class_7a, "subject_id": "-1"}, "subject_id"),
            ({"class_id": class_7a}, "subject_id"),
            ({"class_id": class_7a, "subject_id": algebra, "period_id": "x"}, "period_id"),
        ):
            r = await api.get(f"{API}/journal", params=params, headers=as_teacher)
            assert r.status_code == 422, params
            assert r.json()["error"]["field"] == field


# --- what a journal shows ---------------------------------------------------------------


class TestJournalPeriods:
    async def test_the_period_containing_today_by_default_with_the_years_quarters(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        journal = await journal_of(api, engine, as_teacher)
        assert journal["period"]["id"] == await period_id(engine, "quarter", 2)
        assert journal["period"]["starts_on"] == Q2_START.isoformat()
        assert [p["number"] for p in journal["periods"]] == [1, 2, 3, 4]
        assert {p["kind"] for p in journal["periods"]} == {"quarter"}

    async def test_a_senior_class_is_marked_by_half_years(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_admin: dict
    ) -> None:
        journal = await journal_of(api, engine, as_admin, "10А", "Алгебра")
        assert journal["period"]["id"] == await period_id(engine, "half", 1)
        assert [p["kind"] for p in journal["periods"]] == ["half", "half"]

    async def test_a_period_of_the_wrong_kind_is_422(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        r = await get_journal(
            api,
            as_teacher,
            await class_id(engine, "7А"),
            await subject_id(engine, "Алгебра"),
            await period_id(engine, "half", 1),
        )
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "period_id"

    async def test_in_the_holidays_the_nearest_period_is_shown(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        clock: Any,
    ) -> None:
        clock.current = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)  # autumn holidays
        journal = await journal_of(api, engine, as_teacher)
        assert journal["period"]["id"] == await period_id(engine, "quarter", 1)

    async def test_a_past_period_shows_its_lessons_and_period_marks(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        q1 = await period_id(engine, "quarter", 1)
        journal = await journal_of(api, engine, as_teacher, period=q1)
        assert journal["period"]["id"] == q1
        assert all(le["date"] <= Q1_END.isoformat() for le in journal["lessons"])
        pm = s.period_marks
        stored = {
            str(r.student_id): r.value
            for r in await rows(
                engine,
                sa.select(pm).where(
                    pm.c.period_id == int(q1),
                    pm.c.subject_id == int(await subject_id(engine, "Алгебра")),
                    pm.c.student_id.in_([r.id for r in await students_of(engine, "7А")]),
                ),
            )
        }
        shown = {st["id"]: st["period_mark"] for st in journal["students"]}
        assert stored and shown == stored


class TestJournalContent:
    async def test_students_are_the_class_by_full_name(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        journal = await journal_of(api, engine, as_teacher)
        expected = await students_of(engine, "7А")
        assert [(st["id"], st["full_name"]) for st in journal["students"]] == [
            (str(r.id), r.full_name) for r in expected
        ]
        assert await user_id(engine, "student") in {st["id"] for st in journal["students"]}

    async def test_lessons_are_the_periods_lessons_in_order_with_their_control_form(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        journal = await journal_of(api, engine, as_teacher)
        le, cf = s.lessons, s.control_forms
        expected = await rows(
            engine,
            sa.select(le.c.id, le.c.date, le.c.number, le.c.topic, cf.c.code)
            .join(cf, cf.c.id == le.c.control_form_id)
            .where(
                le.c.class_id == int(await class_id(engine, "7А")),
                le.c.subject_id == int(await subject_id(engine, "Алгебра")),
                le.c.date.between(Q2_START, Q2_END),
            )
            .order_by(le.c.date, le.c.number),
        )
        assert len(expected) > 5
        assert [
            (le["id"], le["date"], le["number"], le["topic"], le["control_form"]["code"])
            for le in journal["lessons"]
        ] == [(str(r.id), r.date.isoformat(), r.number, r.topic, r.code) for r in expected]
        assert {le["control_form"]["code"] for le in journal["lessons"]} >= {"test", "classwork"}

    async def test_lessons_carry_their_homework(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        journal = await journal_of(api, engine, as_teacher)
        hw, le = s.homework, s.lessons
        lesson_ids = [int(x["id"]) for x in journal["lessons"]]
        stored = await rows(engine, sa.select(hw).where(hw.c.lesson_id.in_(lesson_ids)))
        shown = {h["id"]: (x["id"], h) for x in journal["lessons"] for h in x["homework"]}
        assert stored and set(shown) == {str(r.id) for r in stored}
        for r in stored:
            lesson_id, h = shown[str(r.id)]
            assert lesson_id == str(r.lesson_id) and h["text"] == r.text
            lesson_date = await scalar(engine, sa.select(le.c.date).where(le.c.id == r.lesson_id))
            assert h["due"] is None or h["due"] > lesson_date.isoformat()

    async def test_cells_hold_exactly_the_marks_and_attendance_of_the_database(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        journal = await journal_of(api, engine, as_teacher)
        lesson_ids = [int(x["id"]) for x in journal["lessons"]]
        m, att = s.marks, s.attendance
        marks = await rows(
            engine,
            sa.select(m.c.id, m.c.student_id, m.c.lesson_id, m.c.value).where(
                m.c.lesson_id.in_(lesson_ids), m.c.deleted_at.is_(None)
            ),
        )
        codes = await rows(
            engine,
            sa.select(att.c.student_id, att.c.lesson_id, att.c.code).where(
                att.c.lesson_id.in_(lesson_ids)
            ),
        )
        assert marks and codes
        expected_marks: dict[tuple[str, str], set[str]] = defaultdict(set)
        for r in marks:
            expected_marks[(str(r.student_id), str(r.lesson_id))].add(str(r.id))
        expected_codes = {(str(r.student_id), str(r.lesson_id)): r.code for r in codes}
        shown_marks = {
            (c["student_id"], c["lesson_id"]): {x["id"] for x in c["marks"]}
            for c in journal["cells"]
            if c["marks"]
        }
        shown_codes = {
            (c["student_id"], c["lesson_id"]): c["attendance"]
            for c in journal["cells"]
            if c["attendance"]
        }
        assert shown_marks == expected_marks
        assert shown_codes == expected_codes
        assert all(c["marks"] or c["attendance"] for c in journal["cells"])
        assert len(journal["cells"]) == len(set(expected_marks) | set(expected_codes))

    async def test_each_students_average_and_proposal_follow_the_domain_rules(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        journal = await journal_of(api, engine, as_teacher)
        with_marks = 0
        for st in journal["students"]:
            average, proposed = expected_average(journal, st["id"])
            assert (st["average"], st["proposed"]) == (average, proposed), st
            with_marks += average is not None
        assert with_marks >= len(journal["students"]) // 2

    async def test_the_school_threshold_decides_the_proposal(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        async with engine.begin() as conn:
            await conn.execute(s.schools.update().values(round_threshold=0.9))
        journal = await journal_of(api, engine, as_teacher)
        assert journal["settings"]["round_threshold"] == 0.9
        for st in journal["students"]:
            assert st["proposed"] == expected_average(journal, st["id"])[1]

    async def test_a_mark_posted_through_the_api_shows_and_moves_the_average(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        me = await user_id(engine, "student")
        before = await journal_of(api, engine, as_teacher)
        old = student_row(before, me)
        target = await lesson(engine)
        r = await post_mark(
            api,
            as_teacher,
            student_id=me,
            lesson_id=str(target.id),
            value=2,
            control_form="test",
        )
        assert r.status_code == 201, r.text
        after = await journal_of(api, engine, as_teacher)
        shown = cell(after, me, str(target.id))
        assert shown is not None and r.json()["id"] in {m["id"] for m in shown["marks"]}
        # By the rule: sum(value * weight) / sum(weight), the new 2 weighing 3.
        scored = [
            Scored(m["value"], m["control_form"]["weight"], is_dot=m["is_dot"])
            for c in before["cells"]
            if c["student_id"] == me
            for m in c["marks"]
        ]
        expected = weighted_average([*scored, Scored(2, 3)])
        new = student_row(after, me)
        assert new["average"] == round_average(expected)
        assert old["average"] is not None and new["average"] < old["average"]
        assert new["proposed"] == proposed_mark(expected)

    async def test_an_open_dot_shows_but_does_not_count(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        me = await user_id(engine, "student")
        before = student_row(await journal_of(api, engine, as_teacher), me)
        target = await lesson(engine)
        r = await post_mark(
            api,
            as_teacher,
            student_id=me,
            lesson_id=str(target.id),
            is_dot=True,
            due=(PINNED_TODAY + dt.timedelta(days=7)).isoformat(),
        )
        assert r.status_code == 201, r.text
        journal = await journal_of(api, engine, as_teacher)
        shown = cell(journal, me, str(target.id))
        assert shown is not None
        dot = next(m for m in shown["marks"] if m["id"] == r.json()["id"])
        assert dot["is_dot"] is True and dot["value"] is None
        after = student_row(journal, me)
        assert (after["average"], after["proposed"]) == (before["average"], before["proposed"])

    async def test_an_unfilled_dot_of_a_period_that_is_over_is_gone(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        me = await user_id(engine, "student")
        old = await lesson(engine, first=dt.date(2026, 9, 1), last=Q1_END)
        cf = s.control_forms
        async with engine.begin() as conn:
            form = (await conn.execute(sa.select(cf.c.id).where(cf.c.code == "test"))).scalar()
            dot_id = (
                await conn.execute(
                    s.marks.insert().values(
                        student_id=int(me),
                        lesson_id=old.id,
                        value=None,
                        is_dot=True,
                        due=Q1_END,
                        control_form_id=form,
                        teacher_id=old.teacher_id,
                        created_at=PINNED_NOW,
                        updated_at=PINNED_NOW,
                    )
                )
            ).inserted_primary_key[0]
        journal = await journal_of(
            api, engine, as_teacher, period=await period_id(engine, "quarter", 1)
        )
        shown = {m["id"] for c in journal["cells"] for m in c["marks"]}
        assert shown and str(dot_id) not in shown


class TestJournalSpeed:
    async def test_a_full_class_with_many_lessons_takes_the_same_few_queries(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        with counting_queries(engine) as small:
            await journal_of(api, engine, as_teacher)
        await _grow_7a(engine, students=35, lessons=64)
        with counting_queries(engine) as big:
            journal = await journal_of(api, engine, as_teacher)
        assert len(journal["students"]) == 35
        assert len(journal["lessons"]) >= 64
        assert sum(len(c["marks"]) for c in journal["cells"]) >= 35 * 50
        assert len(big) == len(small) <= 20, big


async def _grow_7a(engine: AsyncEngine, *, students: int, lessons: int) -> None:
    """Fill 7А up to `students` and its 2nd-quarter Алгебра up to `lessons`, a mark each."""
    class_7a = int(await class_id(engine, "7А"))
    algebra = int(await subject_id(engine, "Алгебра"))
    teacher = int(await user_id(engine, "teacher"))
    le, st, cf = s.lessons, s.students, s.control_forms
    school = await scalar(
        engine, sa.select(s.classes.c.school_id).where(s.classes.c.id == class_7a)
    )
    async with engine.begin() as conn:
        form = (await conn.execute(sa.select(cf.c.id).where(cf.c.code == "classwork"))).scalar()
        have = (
            await conn.execute(
                sa.select(sa.func.count()).select_from(st).where(st.c.class_id == class_7a)
            )
        ).scalar_one()
        for n in range(students - have):
            uid = (
                await conn.execute(
                    s.users.insert().values(
                        school_id=school,
                        login=f"extra{n}",
                        full_name=f"Яковлев Extra {n:02d}",
                        last_name="Яковлев",
                        password_hash="x",
                        created_at=PINNED_NOW,
                    )
                )
            ).inserted_primary_key[0]
            await conn.execute(st.insert().values(user_id=uid, class_id=class_7a))
        in_q2 = (
            le.c.class_id == class_7a,
            le.c.subject_id == algebra,
            le.c.date.between(Q2_START, Q2_END),
        )
        count = (
            await conn.execute(sa.select(sa.func.count()).select_from(le).where(*in_q2))
        ).scalar_one()
        if count < lessons:
            await conn.execute(
                le.insert(),
                [
                    {
                        "class_id": class_7a,
                        "subject_id": algebra,
                        "teacher_id": teacher,
                        "date": Q2_START + dt.timedelta(days=i % 40),
                        "number": 8,
                        "control_form_id": form,
                    }
                    for i in range(lessons - count)
                ],
            )
        lesson_ids = [r[0] for r in await conn.execute(sa.select(le.c.id).where(*in_q2))]
        student_ids = [
            r[0]
            for r in await conn.execute(sa.select(st.c.user_id).where(st.c.class_id == class_7a))
        ]
        await conn.execute(
            s.marks.insert(),
            [
                {
                    "student_id": sid,
                    "lesson_id": lid,
                    "value": 3 + (sid + lid) % 3,
                    "is_dot": False,
                    "control_form_id": form,
                    "teacher_id": teacher,
                    "created_at": PINNED_NOW,
                    "updated_at": PINNED_NOW,
                }
                for sid in student_ids
                for lid in lesson_ids
            ],
        )


class TestJournalPeriodEnd:
    """Issue 14: lessons missed of lessons so far, and the year mark, per student."""

    async def test_absences_count_missed_lessons_up_to_today(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        journal = await journal_of(api, engine, as_teacher)
        held = [
            le for le in journal["lessons"] if dt.date.fromisoformat(le["date"]) <= PINNED_TODAY
        ]
        me = await user_id(engine, "student")
        att, le = s.attendance, s.lessons
        await _write(engine, att.delete().where(att.c.student_id == int(me)))
        first, second, third = held[0]["id"], held[1]["id"], held[2]["id"]
        for lesson_id, code in ((first, "absent"), (second, "ill"), (third, "late")):
            r = await api.put(
                f"{API}/lessons/{lesson_id}/attendance/{me}",
                json={"code": code},
                headers=as_teacher,
            )
            assert r.status_code == 200, r.text
        future = [x for x in journal["lessons"] if dt.date.fromisoformat(x["date"]) > PINNED_TODAY]
        if future:  # an excused absence noted ahead is not a lesson missed yet
            await _write(
                engine,
                att.insert().values(
                    lesson_id=int(future[0]["id"]),
                    student_id=int(me),
                    code="excused",
                    updated_at=PINNED_NOW,
                ),
            )
        row = student_row(await journal_of(api, engine, as_teacher), me)
        assert (row["absences"], row["lessons_held"]) == (2, len(held))
        count = await scalar(
            engine,
            sa.select(sa.func.count())
            .select_from(le)
            .where(
                le.c.class_id == int(await class_id(engine, "7А")),
                le.c.subject_id == int(await subject_id(engine, "Алгебра")),
                le.c.date.between(Q2_START, PINNED_TODAY),
            ),
        )
        assert row["lessons_held"] == count
        assert row["year_mark"] is None


async def _write(engine: AsyncEngine, statement: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(statement)
