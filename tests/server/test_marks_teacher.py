"""Marks as the teacher means them (issue 14): a mark typed on a dot fills it, the school's
rule on a mark for a student marked absent, a mark's comment and control form changed, and
the journal saying the rule."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from ediary_tui.server.school.errors import AdminError
from tests.conftest import PINNED_TODAY
from tests.server.school_setup import apply_example, blank_engine, dispose_blank
from tests.server.test_journal import (
    API,
    as_teacher_of,
    journal_of,
    latest_change,
    lesson,
    post_mark,
    table_counts,
)
from tests.server.test_marks import _history_rows, _mark_row, _patch, _put
from tests.server.test_setup_file import edited
from tests.server.test_week import rows, user_id


async def _school_rule(engine: AsyncEngine, rule: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(s.schools.update().values(mark_on_absent=rule))


async def _absent(api: httpx.AsyncClient, engine: AsyncEngine, headers: dict) -> tuple[str, str]:
    """`student` marked absent in today's-or-latest 7А Алгебра lesson: (student, lesson)."""
    target = await lesson(engine)
    me = await user_id(engine, "student")
    r = await api.put(
        f"{API}/lessons/{target.id}/attendance/{me}", json={"code": "absent"}, headers=headers
    )
    assert r.status_code == 200, r.text
    return me, str(target.id)


async def _live_marks(engine: AsyncEngine, student: str, lesson_id: str) -> list[tuple]:
    m = s.marks
    found = await rows(
        engine,
        sa.select(m.c.id, m.c.value, m.c.is_dot).where(
            m.c.student_id == int(student),
            m.c.lesson_id == int(lesson_id),
            m.c.deleted_at.is_(None),
        ),
    )
    return [tuple(r) for r in found]


class TestAMarkOnADot:
    async def test_a_value_put_on_a_dot_fills_it_and_keeps_its_history(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        due = PINNED_TODAY.isoformat()
        dot = await _put(api, engine, as_teacher, None, is_dot=True, due=due, comment="долг")
        filled = await _put(api, engine, as_teacher, 4)
        assert filled["id"] == dot["id"]
        assert (filled["value"], filled["is_dot"], filled["due"]) == (4, False, None)
        assert filled["comment"] == "долг"  # the dot's, as none was sent
        me = await user_id(engine, "student")
        assert await _live_marks(engine, me, filled["lesson_id"]) == [(int(dot["id"]), 4, False)]
        history = await _history_rows(engine, dot["id"])
        assert [(h.action, h.from_value, h.to_value) for h in history] == [
            ("created", None, "•"),
            ("changed", "•", "4"),
        ]
        change = await latest_change(engine)
        assert change.kind == "mark" and change.summary == "• → 4 — Алгебра"

    async def test_a_second_value_goes_beside_the_first(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        first = await _put(api, engine, as_teacher, 5)
        second = await _put(api, engine, as_teacher, 3, comment="устно")
        assert second["id"] != first["id"]
        me = await user_id(engine, "student")
        live = await _live_marks(engine, me, first["lesson_id"])
        assert sorted(v for _id, v, _dot in live) == [3, 5]

    async def test_a_dot_put_beside_a_dot_is_another_dot(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        due = PINNED_TODAY.isoformat()
        a = await _put(api, engine, as_teacher, None, is_dot=True, due=due)
        b = await _put(api, engine, as_teacher, None, is_dot=True, due=due)
        assert a["id"] != b["id"] and b["is_dot"] is True


class TestMarkOnAbsent:
    async def test_the_journal_says_the_schools_rule(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        assert (await journal_of(api, engine, as_teacher))["settings"]["mark_on_absent"] == "ask"
        await _school_rule(engine, "refuse")
        assert (await journal_of(api, engine, as_teacher))["settings"]["mark_on_absent"] == (
            "refuse"
        )

    async def test_refuse_is_422_naming_the_student_and_nothing_is_written(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        await _school_rule(engine, "refuse")
        me, lesson_id = await _absent(api, engine, as_teacher)
        before = await table_counts(engine)
        r = await post_mark(api, as_teacher, student_id=me, lesson_id=lesson_id, value=5)
        assert r.status_code == 422
        error = r.json()["error"]
        assert (error["code"], error["field"]) == ("mark_on_absent", "student_id")
        assert "marked absent" in error["message"]
        assert await table_counts(engine) == before
        # A dot is work owed, not a mark: the school takes it.
        due = PINNED_TODAY.isoformat()
        r = await post_mark(
            api, as_teacher, student_id=me, lesson_id=lesson_id, is_dot=True, due=due
        )
        assert r.status_code == 201, r.text

    async def test_ask_and_allow_take_the_mark(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        me, lesson_id = await _absent(api, engine, as_teacher)
        for rule, value in (("ask", 4), ("allow", 5)):
            await _school_rule(engine, rule)
            r = await post_mark(api, as_teacher, student_id=me, lesson_id=lesson_id, value=value)
            assert r.status_code == 201, (rule, r.text)

    async def test_late_is_not_absent(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        await _school_rule(engine, "refuse")
        target = await lesson(engine)
        me = await user_id(engine, "student")
        await api.put(
            f"{API}/lessons/{target.id}/attendance/{me}", json={"code": "late"}, headers=as_teacher
        )
        r = await post_mark(api, as_teacher, student_id=me, lesson_id=str(target.id), value=4)
        assert r.status_code == 201, r.text

    async def test_the_wrong_person_learns_nothing_of_the_rule(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
        as_student: dict,
    ) -> None:
        """Refused for who they are (403), before the rule about the absence is looked at."""
        await _school_rule(engine, "refuse")
        me, lesson_id = await _absent(api, engine, as_teacher)
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        for headers in (russian, as_parent, as_student):
            r = await post_mark(api, headers, student_id=me, lesson_id=lesson_id, value=5)
            assert r.status_code == 403
            assert r.json()["error"]["code"] != "mark_on_absent"


class TestCommentAndForm:
    async def test_a_comment_and_a_form_change_with_history_and_a_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        mark = await _put(api, engine, as_teacher, 4)
        r = await _patch(api, as_teacher, mark["id"], comment="Хорошо", control_form="test")
        assert r.status_code == 200, r.text
        changed = r.json()
        assert changed["comment"] == "Хорошо" and changed["control_form"]["weight"] == 3
        row = await _mark_row(engine, mark["id"])
        assert row.comment == "Хорошо"
        change = await latest_change(engine)
        assert change.entity_id == int(mark["id"]) and change.data["control_form"] == "test"
        r = await _patch(api, as_teacher, mark["id"], comment="")
        assert r.json()["comment"] is None

    async def test_the_wrong_person_cannot_change_a_comment_or_form(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
        as_student: dict,
    ) -> None:
        mark = await _put(api, engine, as_teacher, 3, comment="было")
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        elsewhere = await as_teacher_of(api, engine, "3А", "Русский язык")
        for headers, status in (
            (russian, 403),  # sees 7А's marks, does not teach Алгебра
            (as_parent, 403),  # the student's own parent
            (as_student, 403),  # the student whose mark it is
            (elsewhere, 404),  # may not even see the student
        ):
            r = await _patch(api, headers, mark["id"], comment="стало", control_form="test")
            assert r.status_code == status
        row = await _mark_row(engine, mark["id"])
        assert row.comment == "было"

    async def test_an_unknown_control_form_is_422_on_control_form(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        mark = await _put(api, engine, as_teacher, 4)
        r = await _patch(api, as_teacher, mark["id"], control_form="no_such_form")
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "control_form"


class TestSchoolFile:
    """`mark_on_absent` in school.toml, like the school's other settings."""

    async def test_the_rule_is_set_from_the_file_and_said_in_the_report(
        self, tmp_path: Path
    ) -> None:
        blank = await blank_engine(tmp_path)
        try:
            await apply_example(blank)
            async with blank.connect() as conn:
                rule = (await conn.execute(sa.select(s.schools.c.mark_on_absent))).scalar()
            assert rule == "ask"
            path = edited(tmp_path, 'mark_on_absent = "ask"', 'mark_on_absent = "refuse"')
            report = await apply_example(blank, path)
            assert "school.mark_on_absent: 'ask' -> 'refuse'" in report.changes
            async with blank.connect() as conn:
                rule = (await conn.execute(sa.select(s.schools.c.mark_on_absent))).scalar()
            assert rule == "refuse"
        finally:
            await dispose_blank(blank)

    async def test_an_unknown_rule_names_the_key(self, tmp_path: Path) -> None:
        blank = await blank_engine(tmp_path)
        try:
            path = edited(tmp_path, 'mark_on_absent = "ask"', 'mark_on_absent = "sometimes"')
            with pytest.raises(
                AdminError, match=r"school\.mark_on_absent: mark_on_absent is one of"
            ):
                await apply_example(blank, path)
        finally:
            await dispose_blank(blank)
