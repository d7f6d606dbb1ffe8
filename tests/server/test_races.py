"""Writes that are safe to race: the same request many times at once, as a retrying client,
a double click or two tabs send it, answers as if sent once after the other, never a 500.

Each test fires a burst with `asyncio.gather` over real requests to the app, on a row that
does not exist yet (the race a read-then-insert loses), and counts rows and changes after.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import Awaitable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import FakeClock
from tests.server.test_journal import API, lesson, period_id, subject_id
from tests.server.test_week import MONDAY, children, class_of, lessons_on, rows, scalar, user_id
from tests.server.test_write_conventions import CASES, School

BURST = 20
NEXT_MONDAY = dt.date(2026, 11, 30)
NEXT_TUESDAY = dt.date(2026, 12, 1)
NEXT_WEDNESDAY = dt.date(2026, 12, 2)


async def burst(requests: list[Awaitable[httpx.Response]]) -> list[httpx.Response]:
    """All at once; a 500 anywhere fails the test with its body."""
    answers = await asyncio.gather(*requests)
    errors = [r.text for r in answers if r.status_code >= 500]
    assert not errors, errors
    return list(answers)


def statuses(answers: list[httpx.Response]) -> Counter[tuple[int, str | None]]:
    """How many answered what: (status, error code or None)."""
    return Counter(
        (r.status_code, r.json()["error"]["code"] if r.status_code >= 400 else None)
        for r in answers
    )


async def count(engine: AsyncEngine, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    return await scalar(engine, sa.select(sa.func.count()).select_from(table).where(*where))


async def changes_of(engine: AsyncEngine, kind: str, since: int) -> list[Any]:
    c = s.changes
    return await rows(engine, sa.select(c).where(c.c.kind == kind, c.c.id > since).order_by(c.c.id))


async def latest_id(engine: AsyncEngine) -> int:
    return await scalar(engine, sa.select(sa.func.max(s.changes.c.id))) or 0


async def uncoded_lesson(engine: AsyncEngine, student_id: str) -> Any:
    """A lesson of `teacher`'s Алгебра in 7А where the student has no attendance code yet."""
    att = s.attendance
    target = await lesson(engine)
    coded = await count(
        engine, att, att.c.lesson_id == target.id, att.c.student_id == int(student_id)
    )
    assert coded == 0, "the demo coded the latest Алгебра lesson; choose another"
    return target


class TestAttendanceBurst:
    async def test_the_same_code_at_once_is_one_row_and_one_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        me = await user_id(engine, "student")
        target = await uncoded_lesson(engine, me)
        url = f"{API}/lessons/{target.id}/attendance/{me}"
        att = s.attendance
        mine = (att.c.lesson_id == target.id, att.c.student_id == int(me))
        for code, rows_after in (("absent", 1), (None, 0)):
            since = await latest_id(engine)
            answers = await burst(
                [api.put(url, json={"code": code}, headers=as_teacher) for _ in range(BURST)]
            )
            assert statuses(answers) == {(200, None): BURST}
            assert {r.json()["code"] for r in answers} == {code}
            assert await count(engine, att, *mine) == rows_after
            changes = await changes_of(engine, "attendance", since)
            assert [(c.data["code"], c.data["from"]) for c in changes] == [
                (code, "absent" if code is None else None)
            ]

    async def test_different_codes_at_once_leave_one_row_and_the_feed_ends_on_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        me = await user_id(engine, "student")
        target = await uncoded_lesson(engine, me)
        url = f"{API}/lessons/{target.id}/attendance/{me}"
        codes = ["absent", "ill", "late", "excused"] * (BURST // 4)
        since = await latest_id(engine)
        answers = await burst(
            [api.put(url, json={"code": code}, headers=as_teacher) for code in codes]
        )
        assert statuses(answers) == {(200, None): BURST}
        att = s.attendance
        stored = await rows(
            engine,
            sa.select(att.c.code).where(att.c.lesson_id == target.id, att.c.student_id == int(me)),
        )
        assert len(stored) == 1
        changes = await changes_of(engine, "attendance", since)
        assert 1 <= len(changes) <= BURST
        assert changes[-1].data["code"] == stored[0].code


class TestPeriodMarkBurst:
    async def test_the_same_mark_at_once_is_one_row_and_one_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        body = {
            "student_id": await user_id(engine, "student"),
            "subject_id": await subject_id(engine, "Алгебра"),
            "period_id": await period_id(engine, "quarter", 2),
            "value": 5,
        }
        pm = s.period_marks
        mine = (
            pm.c.student_id == int(body["student_id"]),
            pm.c.subject_id == int(body["subject_id"]),
            pm.c.period_id == int(body["period_id"]),
        )
        assert await count(engine, pm, *mine) == 0
        teacher = {"id": await user_id(engine, "teacher")}
        for value, rows_after in ((5, 1), (None, 0)):
            since = await latest_id(engine)
            answers = await burst(
                [
                    api.put(
                        f"{API}/period-marks", json={**body, "value": value}, headers=as_teacher
                    )
                    for _ in range(BURST)
                ]
            )
            assert statuses(answers) == {(200, None): BURST}
            assert {r.json()["value"] for r in answers} == {value}
            if value is not None:  # every answer says who set it, the twins' too
                assert {r.json()["set_by"]["id"] for r in answers} == {teacher["id"]}
            assert await count(engine, pm, *mine) == rows_after
            changes = await changes_of(engine, "period_mark", since)
            assert [(c.data["value"], c.data["from"]) for c in changes] == [
                (value, 5 if value is None else None)
            ]


class TestHomeworkDoneBurst:
    async def test_the_same_tick_at_once_is_one_row_and_one_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_student: dict
    ) -> None:
        me = await user_id(engine, "student")
        hw, le, done = s.homework, s.lessons, s.homework_done
        homework_id = await scalar(
            engine,
            sa.select(hw.c.id)
            .join(le, le.c.id == hw.c.lesson_id)
            .where(
                le.c.class_id == await class_of(engine, me),
                le.c.date >= MONDAY,
                hw.c.id.not_in(sa.select(done.c.homework_id).where(done.c.student_id == int(me))),
            )
            .order_by(hw.c.id)
            .limit(1),
        )
        assert homework_id is not None
        url = f"{API}/students/{me}/homework/{homework_id}/done"
        mine = (done.c.homework_id == homework_id, done.c.student_id == int(me))
        for ticked, rows_after in ((True, 1), (False, 0)):
            since = await latest_id(engine)
            answers = await burst(
                [api.put(url, json={"done": ticked}, headers=as_student) for _ in range(BURST)]
            )
            assert statuses(answers) == {(200, None): BURST}
            assert {r.json()["done"] for r in answers} == {ticked}
            assert await count(engine, done, *mine) == rows_after
            changes = await changes_of(engine, "homework_done", since)
            assert [c.data["done"] for c in changes] == [ticked]


class TestSignatureBurst:
    async def test_signing_a_week_at_once_keeps_one_signature(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        _, younger = await children(api, as_parent)
        monday = dt.date(2026, 10, 26)
        wn = s.week_notes
        mine = (wn.c.student_id == int(younger), wn.c.monday == monday)
        async with engine.begin() as conn:  # no row at all: the insert is what races
            await conn.execute(wn.delete().where(*mine))
        since = await latest_id(engine)
        url = f"{API}/students/{younger}/week/{monday.isoformat()}/signature"
        answers = await burst([api.post(url, headers=as_parent) for _ in range(BURST)])
        assert statuses(answers) == {(201, None): 1, (200, None): BURST - 1}
        assert len({(r.json()["signed_by"]["id"], r.json()["signed_at"]) for r in answers}) == 1
        assert await count(engine, wn, *mine) == 1
        assert len(await changes_of(engine, "week_signed", since)) == 1


class TestReadPointerBurst:
    async def test_opening_a_thread_at_once_keeps_one_read_pointer(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        t, r = s.threads, s.message_reads
        parent = int(await user_id(engine, "parent"))
        thread_id = await scalar(
            engine, sa.select(t.c.id).where(t.c.parent_id == parent).order_by(t.c.id).limit(1)
        )
        mine = (r.c.thread_id == thread_id, r.c.user_id == parent)
        async with engine.begin() as conn:
            await conn.execute(r.delete().where(*mine))
        answers = await burst(
            [api.get(f"{API}/threads/{thread_id}", headers=as_parent) for _ in range(BURST)]
        )
        assert statuses(answers) == {(200, None): BURST}
        last = answers[0].json()["messages"][-1]["id"]
        pointers = await rows(engine, sa.select(r.c.last_read_id).where(*mine))
        assert [str(p.last_read_id) for p in pointers] == [last]


class TestNoticeBurst:
    @staticmethod
    def _notice(first: dt.date, last: dt.date) -> dict[str, str]:
        return {"from": first.isoformat(), "to": last.isoformat(), "reason": "illness"}

    @staticmethod
    async def _notices(engine: AsyncEngine, student_id: str) -> list[Any]:
        n = s.absence_notices
        return await rows(
            engine,
            sa.select(n).where(
                n.c.student_id == int(student_id),
                n.c.withdrawn_at.is_(None),
                n.c.to_date >= NEXT_MONDAY,
            ),
        )

    async def test_the_same_notice_at_once_is_given_once_and_the_rest_say_it_overlaps(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        url = f"{API}/students/{older}/absence-notices"
        body = self._notice(NEXT_MONDAY, NEXT_TUESDAY)
        since = await latest_id(engine)
        answers = await burst([api.post(url, json=body, headers=as_parent) for _ in range(BURST)])
        assert statuses(answers) == {(201, None): 1, (409, "notice_overlaps"): BURST - 1}
        refused = next(r for r in answers if r.status_code == 409).json()["error"]["message"]
        assert "30.11.2026–01.12.2026" in refused  # which notice: its dates
        assert len(await self._notices(engine, older)) == 1
        assert len(await changes_of(engine, "notice", since)) == 1
        att = s.attendance
        days = [x.id for x in await lessons_on(engine, await class_of(engine, older), NEXT_MONDAY)]
        excused = await rows(
            engine,
            sa.select(att.c.code).where(att.c.student_id == int(older), att.c.lesson_id.in_(days)),
        )
        assert [x.code for x in excused] == ["excused"] * len(days)

    async def test_the_same_notice_at_once_with_one_key_is_given_once_and_replayed(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        url = f"{API}/students/{older}/absence-notices"
        headers = {**as_parent, "Idempotency-Key": "notice-burst"}
        body = self._notice(NEXT_MONDAY, NEXT_TUESDAY)
        answers = await burst([api.post(url, json=body, headers=headers) for _ in range(BURST)])
        assert statuses(answers) == {(201, None): BURST}
        assert len({r.json()["id"] for r in answers}) == 1
        replayed = [r for r in answers if r.headers.get("Idempotent-Replayed") == "true"]
        assert len(replayed) == BURST - 1
        assert len(await self._notices(engine, older)) == 1

    async def test_two_overlapping_notices_at_once_give_one(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        url = f"{API}/students/{older}/absence-notices"
        for _ in range(3):  # a few rounds, so either may be the first
            bodies = [
                self._notice(NEXT_MONDAY, NEXT_TUESDAY),
                self._notice(NEXT_TUESDAY, NEXT_WEDNESDAY),
            ] * (BURST // 2)
            answers = await burst([api.post(url, json=b, headers=as_parent) for b in bodies])
            assert statuses(answers) == {(201, None): 1, (409, "notice_overlaps"): BURST - 1}
            given = await self._notices(engine, older)
            assert len(given) == 1
            withdrawn = await api.delete(f"{url}/{given[0].id}", headers=as_parent)
            assert withdrawn.status_code == 204

    async def test_a_notice_and_the_teachers_codes_at_once_never_make_two_rows(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_teacher: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        target = await lesson(engine, first=NEXT_MONDAY, last=NEXT_WEDNESDAY, latest=False)
        url = f"{API}/students/{older}/absence-notices"
        body = self._notice(target.date, target.date)
        code_url = f"{API}/lessons/{target.id}/attendance/{older}"
        requests = [api.post(url, json=body, headers=as_parent)]
        requests += [
            api.put(code_url, json={"code": "absent"}, headers=as_teacher) for _ in range(BURST)
        ]
        answers = await burst(requests)
        assert answers[0].status_code == 201
        assert statuses(answers[1:]) == {(200, None): BURST}
        att = s.attendance
        stored = await rows(
            engine,
            sa.select(att.c.code).where(
                att.c.lesson_id == target.id, att.c.student_id == int(older)
            ),
        )
        # The notice excuses an `absent` put before it; one put after it stands.
        assert len(stored) == 1 and stored[0].code in ("absent", "excused")

    async def test_withdrawing_at_once_withdraws_once(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        url = f"{API}/students/{older}/absence-notices"
        given = await api.post(url, json=self._notice(NEXT_MONDAY, NEXT_MONDAY), headers=as_parent)
        assert given.status_code == 201
        since = await latest_id(engine)
        answers = await burst(
            [api.delete(f"{url}/{given.json()['id']}", headers=as_parent) for _ in range(BURST)]
        )
        assert statuses(answers) == {(204, None): 1, (404, "notice_not_found"): BURST - 1}
        assert len(await changes_of(engine, "notice_withdrawn", since)) == 1


class TestCreateBurstWithOneKey:
    async def test_the_same_mark_at_once_with_one_key_is_put_once(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        me = await user_id(engine, "student")
        target = await lesson(engine)
        body = {"student_id": me, "lesson_id": str(target.id), "value": 4}
        headers = {**as_teacher, "Idempotency-Key": "mark-burst"}
        m = s.marks
        before = await count(engine, m, m.c.lesson_id == target.id)
        since = await latest_id(engine)
        answers = await burst(
            [api.post(f"{API}/marks", json=body, headers=headers) for _ in range(BURST)]
        )
        assert statuses(answers) == {(201, None): BURST}
        assert len({r.json()["id"] for r in answers}) == 1
        assert await count(engine, m, m.c.lesson_id == target.id) == before + 1
        assert len(await changes_of(engine, "mark", since)) == 1


class TestChangeBurst:
    """Writes to a row that exists: the first changes it, its twins see the change."""

    @staticmethod
    async def _mark(api: httpx.AsyncClient, engine: AsyncEngine, headers: dict) -> dict:
        target = await lesson(engine)
        body = {"student_id": await user_id(engine, "student"), "lesson_id": str(target.id)}
        r = await api.post(f"{API}/marks", json={**body, "value": 3}, headers=headers)
        assert r.status_code == 201, r.text
        return r.json()

    @staticmethod
    async def _history(engine: AsyncEngine, mark_id: str) -> list[str]:
        h = s.mark_history
        found = await rows(
            engine, sa.select(h.c.action).where(h.c.mark_id == int(mark_id)).order_by(h.c.id)
        )
        return [x.action for x in found]

    async def test_the_same_change_of_a_seen_mark_at_once_is_made_once_and_the_rest_are_stale(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, clock: FakeClock
    ) -> None:
        mark = await self._mark(api, engine, as_teacher)
        clock.advance(minutes=1)  # the change is newer than what the teacher saw
        url = f"{API}/marks/{mark['id']}"
        body = {"value": 5, "expected_updated_at": mark["updated_at"]}
        answers = await burst([api.patch(url, json=body, headers=as_teacher) for _ in range(BURST)])
        assert statuses(answers) == {(200, None): 1, (409, "mark_changed"): BURST - 1}
        assert await self._history(engine, mark["id"]) == ["created", "changed"]

    async def test_the_same_change_without_a_version_at_once_is_made_once(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        mark = await self._mark(api, engine, as_teacher)
        since = await latest_id(engine)
        url = f"{API}/marks/{mark['id']}"
        answers = await burst(
            [api.patch(url, json={"value": 5}, headers=as_teacher) for _ in range(BURST)]
        )
        assert statuses(answers) == {(200, None): BURST}
        assert {r.json()["value"] for r in answers} == {5}
        assert await self._history(engine, mark["id"]) == ["created", "changed"]
        assert len(await changes_of(engine, "mark", since)) == 1

    async def test_deleting_a_mark_at_once_deletes_it_once(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        mark = await self._mark(api, engine, as_teacher)
        since = await latest_id(engine)
        url = f"{API}/marks/{mark['id']}"
        answers = await burst([api.delete(url, headers=as_teacher) for _ in range(BURST)])
        assert statuses(answers) == {(204, None): 1, (404, "mark_not_found"): BURST - 1}
        assert await self._history(engine, mark["id"]) == ["created", "deleted"]
        assert len(await changes_of(engine, "mark_deleted", since)) == 1

    async def test_the_same_topic_at_once_is_one_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        since = await latest_id(engine)
        answers = await burst(
            [
                api.patch(f"{API}/lessons/{target.id}", json={"topic": "Дроби"}, headers=as_teacher)
                for _ in range(BURST)
            ]
        )
        assert statuses(answers) == {(200, None): BURST}
        assert len(await changes_of(engine, "lesson", since)) == 1

    async def test_homework_revised_or_removed_at_once_is_one_change_each(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        target = await lesson(engine)
        given = await api.post(
            f"{API}/lessons/{target.id}/homework", json={"text": "№ 1"}, headers=as_teacher
        )
        assert given.status_code == 201, given.text
        url = f"{API}/homework/{given.json()['id']}"
        since = await latest_id(engine)
        revised = await burst(
            [api.patch(url, json={"text": "№ 2"}, headers=as_teacher) for _ in range(BURST)]
        )
        assert statuses(revised) == {(200, None): BURST}
        removed = await burst([api.delete(url, headers=as_teacher) for _ in range(BURST)])
        assert statuses(removed) == {(204, None): 1, (404, "homework_not_found"): BURST - 1}
        actions = [c.data["action"] for c in await changes_of(engine, "homework", since)]
        assert actions == ["revised", "removed"]


ROUTES = list(CASES)
CREATING = [(m, p) for m, p in ROUTES if m == "post" and not p.endswith("/signature")]


def _route_id(route: tuple[str, str]) -> str:
    return f"{route[0].upper()} {route[1].removeprefix(API)}"


def _times(path: str) -> int:
    return 3 if path.endswith("/credentials") else 8  # each issue hashes passwords


class TestEveryWriteRoute:
    """The known-good request of every write route (test_write_conventions.CASES), at once."""

    @pytest.mark.parametrize("route", ROUTES, ids=_route_id)
    async def test_its_known_good_request_at_once_is_never_a_500(
        self, api: httpx.AsyncClient, engine: AsyncEngine, route: tuple[str, str]
    ) -> None:
        call = await CASES[route](School(api, engine))
        answers = await burst([call.send(api) for _ in range(_times(route[1]))])
        assert any(r.is_success for r in answers), statuses(answers)

    @pytest.mark.parametrize("route", CREATING, ids=_route_id)
    async def test_its_creating_request_at_once_with_one_key_is_one_answer(
        self, api: httpx.AsyncClient, engine: AsyncEngine, route: tuple[str, str]
    ) -> None:
        call = await CASES[route](School(api, engine))
        headers = {**call.headers, "Idempotency-Key": f"burst {route[1]}"}
        answers = await burst([call.send(api, headers=headers) for _ in range(_times(route[1]))])
        assert statuses(answers) == {(201, None): len(answers)}
        assert len({r.text for r in answers}) == 1
