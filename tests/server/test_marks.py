"""Marks in the journal: putting, changing and deleting them, and the history they keep."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from ediary_tui.server.idempotency import KEEP, sweeps
from tests.conftest import PINNED_NOW, PINNED_TODAY, FakeClock, login
from tests.server.test_journal import (
    API,
    Q1_END,
    as_teacher_of,
    class_id,
    journal_of,
    latest_change,
    lesson,
    post_mark,
    table_counts,
)
from tests.server.test_week import children, classmate, get_week, rows, scalar, user_id


async def _history_rows(engine: AsyncEngine, mark_id: str) -> list[Any]:
    h = s.mark_history
    return await rows(
        engine, sa.select(h).where(h.c.mark_id == int(mark_id)).order_by(h.c.at, h.c.id)
    )


async def _mark_row(engine: AsyncEngine, mark_id: str) -> Any:
    return (await rows(engine, sa.select(s.marks).where(s.marks.c.id == int(mark_id))))[0]


async def _put(
    api: httpx.AsyncClient, engine: AsyncEngine, headers: dict, value: int = 4, **extra: Any
) -> dict[str, Any]:
    """A mark for `student` in today's-or-latest 7А Алгебра lesson, put by `headers`."""
    target = await lesson(engine)
    body = {"student_id": await user_id(engine, "student"), "lesson_id": str(target.id)}
    body.update({"value": value} if value is not None else {})
    r = await post_mark(api, headers, **{**body, **extra})
    assert r.status_code == 201, r.text
    return r.json()


async def _patch(
    api: httpx.AsyncClient, headers: dict, mark_id: str, **body: Any
) -> httpx.Response:
    return await api.patch(f"{API}/marks/{mark_id}", json=body, headers=headers)


async def _history(api: httpx.AsyncClient, headers: dict, mark_id: str) -> httpx.Response:
    return await api.get(f"{API}/marks/{mark_id}/history", headers=headers)


# --- putting a mark -------------------------------------------------------------------------


class TestPutMark:
    async def test_a_mark_is_stored_with_its_lessons_control_form_history_and_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        me = await user_id(engine, "student")
        r = await post_mark(
            api, as_teacher, student_id=me, lesson_id=str(target.id), value=5, comment=" Молодец "
        )
        assert r.status_code == 201, r.text
        mark = r.json()
        default_form = await scalar(
            engine,
            sa.select(s.control_forms.c.code).where(s.control_forms.c.id == target.control_form_id),
        )
        assert mark["value"] == 5 and mark["is_dot"] is False and mark["due"] is None
        assert mark["control_form"]["code"] == default_form
        assert mark["comment"] == "Молодец"
        assert mark["teacher"]["id"] == await user_id(engine, "teacher")
        assert (mark["student_id"], mark["lesson_id"]) == (me, str(target.id))
        assert mark["date"] == target.date.isoformat()
        assert dt.datetime.fromisoformat(mark["created_at"]) == PINNED_NOW

        row = await _mark_row(engine, mark["id"])
        assert (row.value, row.student_id, row.deleted_at) == (5, int(me), None)
        history = await _history_rows(engine, mark["id"])
        assert [(h.action, h.from_value, h.to_value) for h in history] == [("created", None, "5")]
        change = await latest_change(engine)
        assert change.kind == "mark" and change.entity_id == int(mark["id"])
        assert change.student_id == int(me)
        assert change.class_id == int(await class_id(engine, "7А"))
        assert change.summary == "5 — Алгебра"
        assert change.data["subject"] == "Алгебра" and change.data["value"] == 5
        assert change.data["control_form"] == default_form

    async def test_a_control_form_code_overrides_the_lessons(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        mark = await _put(api, engine, as_teacher, 3, control_form="board")
        assert mark["control_form"] == {
            "code": "board",
            "name": "Ответ у доски",
            "weight": 1,
            "category": "classwork",
        }

    async def test_a_dot_has_no_value_and_a_due_date(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        due = (PINNED_TODAY + dt.timedelta(days=5)).isoformat()
        dot = await _put(api, engine, as_teacher, None, is_dot=True, due=due)
        assert (dot["value"], dot["is_dot"], dot["due"]) == (None, True, due)
        history = await _history_rows(engine, dot["id"])
        assert [(h.action, h.from_value, h.to_value) for h in history] == [("created", None, "•")]
        assert (await latest_change(engine)).summary == "• — Алгебра"

    async def test_the_same_idempotency_key_twice_gives_one_mark(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        body = {"student_id": await user_id(engine, "student"), "lesson_id": str(target.id)}
        headers = {**as_teacher, "Idempotency-Key": "mark-once-1"}
        before = await table_counts(engine)
        first = await api.post(f"{API}/marks", json={**body, "value": 4}, headers=headers)
        again = await api.post(f"{API}/marks", json={**body, "value": 4}, headers=headers)
        assert first.status_code == again.status_code == 201
        assert first.json()["id"] == again.json()["id"]
        after = await table_counts(engine)
        assert after["marks"] == before["marks"] + 1
        assert after["mark_history"] == before["mark_history"] + 1
        assert after["changes"] == before["changes"] + 1

    async def test_keys_older_than_kept_are_forgotten_by_a_sweeping_write(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        teacher = int(await user_id(engine, "teacher"))
        other = int(await user_id(engine, "parent"))
        old = PINNED_NOW - KEEP - dt.timedelta(days=1)
        recent = PINNED_NOW - KEEP + dt.timedelta(days=1)
        async with engine.begin() as conn:
            for uid, key, at in (
                (teacher, "old", old),
                (teacher, "recent", recent),
                (other, "someone else's old", old),
            ):
                await conn.execute(
                    s.idempotency.insert().values(
                        user_id=uid, key=key, status=201, body={}, created_at=at
                    )
                )
        quiet = next(f"mark-{n}" for n in range(1000) if not sweeps(f"mark-{n}"))
        sweeping = next(f"mark-{n}" for n in range(1000) if sweeps(f"mark-{n}"))
        target = await lesson(engine)
        me = await user_id(engine, "student")
        kept = sa.select(s.idempotency.c.key).where(s.idempotency.c.key.not_like("mark-%"))
        for key, left in (
            (quiet, {"old", "recent", "someone else's old"}),
            (sweeping, {"recent", "someone else's old"}),
        ):
            r = await api.post(
                f"{API}/marks",
                json={"student_id": me, "lesson_id": str(target.id), "value": 4},
                headers={**as_teacher, "Idempotency-Key": key},
            )
            assert r.status_code == 201, r.text
            assert {row.key for row in await rows(engine, kept)} == left
        stored = sa.select(s.idempotency.c.key).where(s.idempotency.c.user_id == teacher)
        assert {quiet, sweeping} <= {row.key for row in await rows(engine, stored)}

    async def test_a_value_off_the_scale_is_422_naming_the_scale(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        me = await user_id(engine, "student")
        for value in (6, 0, -1):
            r = await post_mark(
                api, as_teacher, student_id=me, lesson_id=str(target.id), value=value
            )
            assert r.status_code == 422, value
            error = r.json()["error"]
            assert error["field"] == "value" and "1 to 5" in error["message"]

    async def test_a_ten_point_school_takes_a_9(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        async with engine.begin() as conn:
            await conn.execute(s.schools.update().values(scale_max=10))
        assert (await _put(api, engine, as_teacher, 9))["value"] == 9

    async def test_dot_rules_are_422_naming_the_field(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        base = {"student_id": await user_id(engine, "student"), "lesson_id": str(target.id)}
        day_before = (target.date - dt.timedelta(days=1)).isoformat()
        later = (target.date + dt.timedelta(days=7)).isoformat()
        for body, field, code in (
            ({"is_dot": True}, "due", "due_required"),
            ({"is_dot": True, "due": day_before}, "due", "due_before_lesson"),
            ({"is_dot": True, "due": later, "value": 3}, "value", "dot_with_value"),
            ({}, "value", "value_required"),
            ({"value": 4, "due": later}, "due", "due_without_dot"),
            ({"value": 4, "control_form": "essay"}, "control_form", "invalid_control_form"),
            ({"value": "five"}, "value", None),
            ({"value": 4.5}, "value", None),
        ):
            r = await post_mark(api, as_teacher, **base, **body)
            assert r.status_code == 422, body
            assert r.json()["error"]["field"] == field, body
            if code:
                assert r.json()["error"]["code"] == code

    async def test_an_unknown_lesson_is_422_on_lesson_id(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        me = await user_id(engine, "student")
        for lesson_id in ("99999999", "abc", "0"):
            r = await post_mark(api, as_teacher, student_id=me, lesson_id=lesson_id, value=4)
            assert r.status_code == 422, lesson_id
            assert r.json()["error"]["field"] == "lesson_id"

    async def test_a_student_of_another_class_is_422_on_student_id(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_parent: dict
    ) -> None:
        target = await lesson(engine)
        _, younger = await children(api, as_parent)  # grade 3
        teacher = await user_id(engine, "teacher")
        for student in (younger, teacher, "99999999"):
            r = await post_mark(
                api, as_teacher, student_id=student, lesson_id=str(target.id), value=4
            )
            assert r.status_code == 422, student
            assert r.json()["error"] == {
                "code": "student_not_in_lesson",
                "message": "the student is not in 7А, whose lesson this is",
                "field": "student_id",
            }

    async def test_a_lesson_still_to_come_is_422(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        future = await lesson(
            engine,
            first=PINNED_TODAY + dt.timedelta(days=1),
            last=dt.date(2026, 12, 28),
            latest=False,
        )
        r = await post_mark(
            api,
            as_teacher,
            student_id=await user_id(engine, "student"),
            lesson_id=str(future.id),
            value=5,
        )
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "lesson_in_future"

    async def test_a_closed_period_is_409(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        old = await lesson(engine, first=dt.date(2026, 9, 1), last=Q1_END)
        r = await post_mark(
            api,
            as_teacher,
            student_id=await user_id(engine, "student"),
            lesson_id=str(old.id),
            value=5,
        )
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "period_closed"

    async def test_a_refused_mark_leaves_nothing_behind(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        me = await user_id(engine, "student")
        before = await table_counts(engine)
        headers = {**as_teacher, "Idempotency-Key": "refused-1"}
        for body in (
            {"value": 6},
            {"is_dot": True},
            {"value": 4, "control_form": "essay"},
        ):
            r = await api.post(
                f"{API}/marks",
                json={"student_id": me, "lesson_id": str(target.id), **body},
                headers=headers,
            )
            assert r.status_code == 422
        assert await table_counts(engine) == before
        # The key was not spent on a refusal: a good mark with it goes through.
        r = await api.post(
            f"{API}/marks",
            json={"student_id": me, "lesson_id": str(target.id), "value": 4},
            headers=headers,
        )
        assert r.status_code == 201


class TestMarkRights:
    async def test_a_subject_or_class_the_teacher_does_not_teach_is_403(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        before = await table_counts(engine)
        for class_name, subject_name in (("7А", "Русский язык"), ("9А", "Алгебра")):
            target = await lesson(engine, class_name, subject_name)
            student = (
                await rows(
                    engine,
                    sa.select(s.students.c.user_id)
                    .where(s.students.c.class_id == target.class_id)
                    .order_by(s.students.c.user_id)
                    .limit(1),
                )
            )[0][0]
            r = await post_mark(
                api, as_teacher, student_id=str(student), lesson_id=str(target.id), value=5
            )
            assert r.status_code == 403, class_name
            assert r.json()["error"]["code"] == "not_your_subject"
        assert await table_counts(engine) == before

    async def test_another_teacher_of_the_class_may_not_mark_algebra(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        target = await lesson(engine)
        r = await post_mark(
            api,
            russian,
            student_id=await user_id(engine, "student"),
            lesson_id=str(target.id),
            value=5,
        )
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "not_your_subject"

    async def test_parents_students_and_the_admin_may_not_put_marks(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_parent: dict,
        as_student: dict,
        as_admin: dict,
    ) -> None:
        target = await lesson(engine)
        me = await user_id(engine, "student")
        for headers in (as_parent, as_student, as_admin):
            r = await post_mark(api, headers, student_id=me, lesson_id=str(target.id), value=5)
            assert r.status_code == 403
        assert (
            await post_mark(api, {}, student_id=me, lesson_id=str(target.id), value=5)
        ).status_code == 401


# --- changing a mark ---------------------------------------------------------------------


class TestChangeMark:
    async def test_a_new_value_is_stored_with_history_and_a_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, clock: FakeClock
    ) -> None:
        mark = await _put(api, engine, as_teacher, 3)
        clock.advance(minutes=10)
        r = await _patch(api, as_teacher, mark["id"], value=4, comment="пересдал")
        assert r.status_code == 200, r.text
        changed = r.json()
        assert (changed["value"], changed["comment"]) == (4, "пересдал")
        assert dt.datetime.fromisoformat(changed["updated_at"]) == PINNED_NOW + dt.timedelta(
            minutes=10
        )
        assert changed["created_at"] == mark["created_at"]
        history = await _history_rows(engine, mark["id"])
        assert [(h.action, h.from_value, h.to_value) for h in history] == [
            ("created", None, "3"),
            ("changed", "3", "4"),
        ]
        change = await latest_change(engine)
        assert (change.kind, change.summary, change.entity_id) == (
            "mark",
            "3 → 4 — Алгебра",
            int(mark["id"]),
        )

    async def test_unsent_fields_stay_and_an_empty_patch_changes_nothing(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        mark = await _put(api, engine, as_teacher, 4, control_form="oral", comment="ok")
        before = await table_counts(engine)
        r = await _patch(api, as_teacher, mark["id"])
        assert r.status_code == 200 and r.json() == mark
        assert await table_counts(engine) == before
        r = await _patch(api, as_teacher, mark["id"], control_form="test")
        assert r.json()["value"] == 4 and r.json()["comment"] == "ok"
        assert r.json()["control_form"]["code"] == "test"
        r = await _patch(api, as_teacher, mark["id"], comment=None)
        assert r.json()["comment"] is None and r.json()["control_form"]["code"] == "test"

    async def test_filling_a_dot_makes_it_a_mark(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        due = (PINNED_TODAY + dt.timedelta(days=3)).isoformat()
        dot = await _put(api, engine, as_teacher, None, is_dot=True, due=due)
        r = await _patch(api, as_teacher, dot["id"], value=5)
        assert r.status_code == 200, r.text
        assert (r.json()["value"], r.json()["is_dot"]) == (5, False)
        history = await _history_rows(engine, dot["id"])
        assert [(h.from_value, h.to_value) for h in history[1:]] == [("•", "5")]

    async def test_a_mark_turns_back_into_a_dot_with_a_due_date(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        mark = await _put(api, engine, as_teacher, 2)
        r = await _patch(api, as_teacher, mark["id"], is_dot=True)
        assert r.status_code == 422 and r.json()["error"]["field"] == "due"
        due = (PINNED_TODAY + dt.timedelta(days=4)).isoformat()
        r = await _patch(api, as_teacher, mark["id"], is_dot=True, due=due)
        assert r.status_code == 200, r.text
        assert (r.json()["value"], r.json()["is_dot"], r.json()["due"]) == (None, True, due)

    async def test_bad_changes_are_422_naming_the_field(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        mark = await _put(api, engine, as_teacher, 4)
        for body, field in (
            ({"value": 6}, "value"),
            ({"value": None}, "value"),
            ({"is_dot": False, "value": None}, "value"),
            ({"control_form": "essay"}, "control_form"),
            ({"due": "2026-12-01"}, "due"),
            ({"comment": "x" * 2001}, "comment"),
        ):
            r = await _patch(api, as_teacher, mark["id"], **body)
            assert r.status_code == 422, body
            assert r.json()["error"]["field"] == field, body
        assert len(await _history_rows(engine, mark["id"])) == 1

    async def test_a_stale_expected_updated_at_is_409_mark_changed(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, clock: FakeClock
    ) -> None:
        mark = await _put(api, engine, as_teacher, 3)
        seen = mark["updated_at"]
        clock.advance(minutes=1)
        first = await _patch(api, as_teacher, mark["id"], value=4, expected_updated_at=seen)
        assert first.status_code == 200
        clock.advance(minutes=1)
        late = await _patch(api, as_teacher, mark["id"], value=5, expected_updated_at=seen)
        assert late.status_code == 409
        assert late.json()["error"]["code"] == "mark_changed"
        assert (await _mark_row(engine, mark["id"])).value == 4
        fresh = await _patch(
            api, as_teacher, mark["id"], value=5, expected_updated_at=first.json()["updated_at"]
        )
        assert fresh.status_code == 200 and fresh.json()["value"] == 5

    async def test_if_unmodified_since_guards_too(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, clock: FakeClock
    ) -> None:
        mark = await _put(api, engine, as_teacher, 3)
        clock.advance(minutes=5)
        assert (await _patch(api, as_teacher, mark["id"], value=4)).status_code == 200
        stale = {**as_teacher, "If-Unmodified-Since": format_datetime(PINNED_NOW, usegmt=True)}
        r = await api.patch(f"{API}/marks/{mark['id']}", json={"value": 5}, headers=stale)
        assert r.status_code == 409 and r.json()["error"]["code"] == "mark_changed"
        now = {**as_teacher, "If-Unmodified-Since": format_datetime(clock(), usegmt=True)}
        r = await api.patch(f"{API}/marks/{mark['id']}", json={"value": 5}, headers=now)
        assert r.status_code == 200

    async def test_only_a_teacher_of_the_subject_changes_a_mark(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
        as_admin: dict,
    ) -> None:
        mark = await _put(api, engine, as_teacher, 3)
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        elsewhere = await as_teacher_of(api, engine, "3А", "Русский язык")
        for headers, status in (
            (russian, 403),  # teaches 7А, so sees the mark, but not Алгебра
            (as_admin, 403),
            (as_parent, 403),  # the student's own parent
            (elsewhere, 404),  # may not even see the student
        ):
            r = await _patch(api, headers, mark["id"], value=5)
            assert r.status_code == status
            assert (
                await api.delete(f"{API}/marks/{mark['id']}", headers=headers)
            ).status_code == status
        assert (await _mark_row(engine, mark["id"])).value == 3
        assert (await _mark_row(engine, mark["id"])).deleted_at is None

    async def test_a_mark_of_a_closed_period_cannot_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        m, le = s.marks, s.lessons
        old = (
            await rows(
                engine,
                sa.select(m.c.id)
                .join(le, le.c.id == m.c.lesson_id)
                .where(
                    le.c.teacher_id == int(await user_id(engine, "teacher")),
                    le.c.date <= Q1_END,
                    m.c.value.is_not(None),
                )
                .order_by(m.c.id)
                .limit(1),
            )
        )[0]
        r = await _patch(api, as_teacher, str(old.id), value=5)
        assert r.status_code == 409 and r.json()["error"]["code"] == "period_closed"
        r = await api.delete(f"{API}/marks/{old.id}", headers=as_teacher)
        assert r.status_code == 409

    async def test_unknown_marks_are_404(self, api: httpx.AsyncClient, as_teacher: dict) -> None:
        for bad in ("99999999", "abc"):
            assert (await _patch(api, as_teacher, bad, value=4)).status_code == 404
            assert (await api.delete(f"{API}/marks/{bad}", headers=as_teacher)).status_code == 404
            assert (await _history(api, as_teacher, bad)).status_code == 404


# --- deleting and the history ---------------------------------------------------------------


class TestDeleteMark:
    async def test_a_deleted_mark_leaves_the_journal_and_diary_but_keeps_its_history(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
        as_student: dict,
        clock: FakeClock,
    ) -> None:
        mark = await _put(api, engine, as_teacher, 2)
        clock.advance(minutes=3)
        assert (await _patch(api, as_teacher, mark["id"], value=3)).status_code == 200
        clock.advance(minutes=3)
        r = await api.delete(f"{API}/marks/{mark['id']}", headers=as_teacher)
        assert r.status_code == 204 and r.content == b""

        assert (await _mark_row(engine, mark["id"])).deleted_at is not None
        change = await latest_change(engine)
        assert (change.kind, change.entity_id) == ("mark_deleted", int(mark["id"]))
        assert change.student_id == int(mark["student_id"])
        journal = await journal_of(api, engine, as_teacher)
        assert mark["id"] not in {m["id"] for c in journal["cells"] for m in c["marks"]}
        week = (await get_week(api, as_student, mark["student_id"])).json()
        assert mark["id"] not in {
            m["id"] for d in week["days"] for le in d["lessons"] for m in le["marks"]
        }
        assert (await _patch(api, as_teacher, mark["id"], value=4)).status_code == 404
        assert (
            await api.delete(f"{API}/marks/{mark['id']}", headers=as_teacher)
        ).status_code == 404

        r = await _history(api, as_parent, mark["id"])
        assert r.status_code == 200, r.text
        trail = r.json()
        assert trail["mark_id"] == mark["id"]
        assert [(c["action"], c["from"], c["to"]) for c in trail["changes"]] == [
            ("created", None, "2"),
            ("changed", "2", "3"),
            ("deleted", "3", None),
        ]
        ats = [dt.datetime.fromisoformat(c["at"]) for c in trail["changes"]]
        assert ats == [PINNED_NOW + dt.timedelta(minutes=k) for k in (0, 3, 6)]
        assert all(c["by"]["id"] == mark["teacher"]["id"] for c in trail["changes"])


class TestMarkHistory:
    async def test_a_demo_marks_history_is_the_database_oldest_first(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        h, m = s.mark_history, s.marks
        me = int(await user_id(engine, "student"))
        mark_id = await scalar(
            engine,
            sa.select(h.c.mark_id)
            .join(m, m.c.id == h.c.mark_id)
            .where(m.c.student_id == me)
            .group_by(h.c.mark_id)
            .order_by(sa.func.count().desc(), h.c.mark_id)
            .limit(1),
        )
        stored = await _history_rows(engine, str(mark_id))
        r = await _history(api, as_student, str(mark_id))
        assert r.status_code == 200
        shown = r.json()["changes"]
        assert len(shown) == len(stored) >= 2
        assert [(c["action"], c["from"], c["to"], c["by"]["id"]) for c in shown] == [
            (x.action, x.from_value, x.to_value, str(x.by_id)) for x in stored
        ]
        ats = [c["at"] for c in shown]
        assert ats == sorted(ats)

    async def test_who_may_read_a_marks_history(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_teacher: dict,
        as_parent: dict,
        as_admin: dict,
    ) -> None:
        mark = await _put(api, engine, as_teacher, 4)
        other_student = await login(
            api,
            await scalar(
                engine,
                sa.select(s.users.c.login).where(
                    s.users.c.id == int(await classmate(engine, mark["student_id"]))
                ),
            ),
        )
        elsewhere = await as_teacher_of(api, engine, "3А", "Русский язык")
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        for headers, status in (
            (as_parent, 200),
            (as_admin, 200),
            (russian, 200),  # teaches the student's class
            (other_student, 404),
            (elsewhere, 404),
            ({}, 401),
        ):
            assert (await _history(api, headers, mark["id"])).status_code == status
