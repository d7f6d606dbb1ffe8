"""Notices of absence: a parent gives one, the lessons become excused, the author may withdraw it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import PINNED_NOW, PINNED_TODAY, FakeClock, login
from tests.server.test_week import (
    children,
    class_of,
    classmate,
    get_week,
    lessons_on,
    rows,
    scalar,
    user_id,
)

NEXT_MONDAY = dt.date(2026, 11, 30)
NEXT_TUESDAY = dt.date(2026, 12, 1)
FRIDAY = dt.date(2026, 11, 27)


def _url(student_id: str) -> str:
    return f"/api/v1/students/{student_id}/absence-notices"


def _notice(first: dt.date, last: dt.date, **extra: Any) -> dict[str, Any]:
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "reason": "illness",
        "comment": "Температура",
        **extra,
    }


async def _codes(
    engine: AsyncEngine, student_id: str, days: list[dt.date]
) -> dict[int, str | None]:
    """Each lesson of these days (by id) and the student's attendance code in it."""
    le, att = s.lessons, s.attendance
    found = await rows(
        engine,
        sa.select(le.c.id, att.c.code)
        .select_from(
            le.outerjoin(
                att, sa.and_(att.c.lesson_id == le.c.id, att.c.student_id == int(student_id))
            )
        )
        .where(le.c.class_id == await class_of(engine, student_id), le.c.date.in_(days))
        .order_by(le.c.date, le.c.number),
    )
    return {r.id: r.code for r in found}


async def _set_code(engine: AsyncEngine, student_id: str, lesson: Any, code: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            s.attendance.insert().values(
                lesson_id=lesson.id,
                student_id=int(student_id),
                code=code,
                by_id=lesson.teacher_id,
                updated_at=PINNED_NOW,
            )
        )


async def _other_parent(engine: AsyncEngine, student_id: str) -> str:
    """The login of the child's second parent (the well-known family has two)."""
    g, u = s.guardians, s.users
    return await scalar(
        engine,
        sa.select(u.c.login)
        .join(g, g.c.parent_id == u.c.id)
        .where(g.c.student_id == int(student_id), u.c.login != "parent"),
    )


async def _stranger_parent(engine: AsyncEngine, student_id: str) -> str:
    """The login of a parent of a classmate: no guardian of this child."""
    g, u = s.guardians, s.users
    mine = sa.select(g.c.parent_id).where(g.c.student_id == int(student_id))
    return await scalar(
        engine,
        sa.select(u.c.login)
        .join(g, g.c.parent_id == u.c.id)
        .where(g.c.student_id == int(await classmate(engine, student_id)), u.c.id.not_in(mine))
        .order_by(u.c.login)
        .limit(1),
    )


class TestNoticeList:
    async def test_newest_first_without_withdrawn_ones(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        n = s.absence_notices
        stored = await rows(
            engine,
            sa.select(n.c.id, n.c.from_date, n.c.to_date)
            .where(n.c.student_id == int(older))
            .order_by(n.c.created_at.desc()),
        )
        assert len(stored) >= 2
        withdrawn = stored[-1].id
        async with engine.begin() as conn:
            await conn.execute(
                n.update().where(n.c.id == withdrawn).values(withdrawn_at=PINNED_NOW)
            )
        r = await api.get(_url(older), headers=as_parent)
        assert r.status_code == 200
        shown = r.json()["notices"]
        assert [x["id"] for x in shown] == [str(x.id) for x in stored if x.id != withdrawn]
        for x, row in zip(shown, stored, strict=False):
            expected = (
                "upcoming"
                if row.from_date > PINNED_TODAY
                else "current"
                if row.to_date >= PINNED_TODAY
                else "past"
            )
            assert x["state"] == expected
            assert x["from"] == row.from_date.isoformat()

    async def test_states_upcoming_current_past(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, clock: FakeClock
    ) -> None:
        older, _ = await children(api, as_parent)
        r = await api.post(_url(older), json=_notice(NEXT_MONDAY, NEXT_TUESDAY), headers=as_parent)
        notice_id = r.json()["id"]
        assert r.json()["state"] == "upcoming"

        async def state() -> str:
            notices = (await api.get(_url(older), headers=as_parent)).json()["notices"]
            return next(x["state"] for x in notices if x["id"] == notice_id)

        clock.advance(days=6)  # Tuesday 1 December
        assert await state() == "current"
        clock.advance(days=1)
        assert await state() == "past"

    async def test_who_may_read_the_notices(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_parent: dict,
        as_student: dict,
        as_teacher: dict,
    ) -> None:
        older, younger = await children(api, as_parent)
        mate = await classmate(engine, older)
        for headers, student, status in (
            (as_parent, younger, 200),
            (as_parent, mate, 404),
            (as_student, older, 200),
            (as_student, mate, 404),
            (as_teacher, mate, 200),
            (as_teacher, younger, 404),
            ({}, older, 401),
        ):
            r = await api.get(_url(student), headers=headers)
            assert r.status_code == status, (student, status)


class TestGivingANotice:
    async def test_end_to_end_lessons_excused_then_withdrawn(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        days = [NEXT_MONDAY, NEXT_TUESDAY]
        assert set((await _codes(engine, older, days)).values()) == {None}
        r = await api.post(_url(older), json=_notice(*days), headers=as_parent)
        assert r.status_code == 201, r.text
        notice = r.json()
        assert (notice["from"], notice["to"], notice["reason"]) == (
            "2026-11-30",
            "2026-12-01",
            "illness",
        )
        assert notice["author"]["id"] == await user_id(engine, "parent")
        assert notice["state"] == "upcoming"

        week = (await get_week(api, as_parent, older, NEXT_MONDAY)).json()
        by_day = {d["date"]: [le["attendance"] for le in d["lessons"]] for d in week["days"]}
        assert by_day["2026-11-30"] and set(by_day["2026-11-30"]) == {"excused"}
        assert set(by_day["2026-12-01"]) == {"excused"}
        assert set(by_day["2026-12-02"]) == {None}

        r = await api.delete(f"{_url(older)}/{notice['id']}", headers=as_parent)
        assert r.status_code == 204
        assert set((await _codes(engine, older, days)).values()) == {None}
        listed = (await api.get(_url(older), headers=as_parent)).json()["notices"]
        assert notice["id"] not in [x["id"] for x in listed]
        withdrawn = await scalar(
            engine,
            sa.select(s.absence_notices.c.withdrawn_at).where(
                s.absence_notices.c.id == int(notice["id"])
            ),
        )
        assert withdrawn == PINNED_NOW

    async def test_ill_stays_ill_and_a_teachers_excused_outlives_the_withdrawal(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        lessons = await lessons_on(engine, await class_of(engine, older), NEXT_MONDAY)
        await _set_code(engine, older, lessons[0], "ill")
        await _set_code(engine, older, lessons[1], "excused")
        r = await api.post(_url(older), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=as_parent)
        codes = await _codes(engine, older, [NEXT_MONDAY])
        assert codes[lessons[0].id] == "ill"
        assert set(codes.values()) == {"ill", "excused"}
        await api.delete(f"{_url(older)}/{r.json()['id']}", headers=as_parent)
        codes = await _codes(engine, older, [NEXT_MONDAY])
        assert codes[lessons[0].id] == "ill"
        assert codes[lessons[1].id] == "excused"  # the teacher's, not the notice's
        assert {codes[le.id] for le in lessons[2:]} == {None}

    async def test_part_of_one_day_excuses_only_those_lessons(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        body = _notice(FRIDAY, FRIDAY, first_lesson=2, last_lesson=3, reason="other")
        r = await api.post(_url(older), json=body, headers=as_parent)
        assert r.status_code == 201, r.text
        assert (r.json()["first_lesson"], r.json()["last_lesson"]) == (2, 3)
        lessons = await lessons_on(engine, await class_of(engine, older), FRIDAY)
        codes = await _codes(engine, older, [FRIDAY])
        assert {le.number: codes[le.id] for le in lessons} == {
            le.number: "excused" if 2 <= le.number <= 3 else None for le in lessons
        }

    async def test_teachers_of_the_class_see_the_notice_in_their_feed(
        self, api: httpx.AsyncClient, as_parent: dict, as_teacher: dict
    ) -> None:
        older, younger = await children(api, as_parent)
        cursor = (await api.get("/api/v1/changes", headers=as_teacher)).json()["cursor"]
        r = await api.post(_url(older), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=as_parent)
        await api.post(_url(younger), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=as_parent)
        feed = (
            await api.get("/api/v1/changes", params={"since": cursor}, headers=as_teacher)
        ).json()
        notices = [c for c in feed["changes"] if c["kind"] == "notice"]
        # The younger child's class is not the teacher's: only the older one's notice shows.
        assert [(c["student_id"], c["entity_id"]) for c in notices] == [(older, r.json()["id"])]

    async def test_a_retry_with_the_same_key_creates_one_notice(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        headers = {**as_parent, "Idempotency-Key": "notice-2026-11-30"}
        first = await api.post(_url(older), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=headers)
        again = await api.post(_url(older), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=headers)
        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        n = s.absence_notices
        count = await scalar(
            engine,
            sa.select(sa.func.count())
            .select_from(n)
            .where(n.c.student_id == int(older), n.c.from_date == NEXT_MONDAY),
        )
        assert count == 1

    async def test_an_overlapping_notice_is_refused(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        r = await api.post(_url(older), json=_notice(NEXT_MONDAY, NEXT_TUESDAY), headers=as_parent)
        assert r.status_code == 201
        r = await api.post(
            _url(older),
            json=_notice(NEXT_TUESDAY, NEXT_TUESDAY + dt.timedelta(days=2)),
            headers=as_parent,
        )
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "notice_overlaps"
        # One day is one date, not a range from a day to itself.
        r = await api.post(_url(older), json=_notice(PINNED_TODAY, PINNED_TODAY), headers=as_parent)
        assert r.status_code == 409
        assert r.json()["error"]["message"].startswith("there is already a notice for 25.11.2026;")

    async def test_parts_of_a_day_overlap_only_when_their_lessons_do(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)

        async def give(first: int, last: int) -> int:
            body = _notice(FRIDAY, FRIDAY, first_lesson=first, last_lesson=last)
            return (await api.post(_url(older), json=body, headers=as_parent)).status_code

        assert await give(1, 2) == 201
        assert await give(3, 4) == 201
        assert await give(2, 3) == 409
        assert (
            await api.post(_url(older), json=_notice(FRIDAY, FRIDAY), headers=as_parent)
        ).status_code == 409

    async def test_a_withdrawn_notice_no_longer_blocks_its_dates(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        r = await api.post(_url(older), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=as_parent)
        await api.delete(f"{_url(older)}/{r.json()['id']}", headers=as_parent)
        again = await api.post(
            _url(older), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=as_parent
        )
        assert again.status_code == 201


class TestNoticeValidation:
    async def test_invalid_notices_are_422_naming_the_field(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        cases: list[tuple[dict[str, Any], str, str | None]] = [
            (_notice(NEXT_TUESDAY, NEXT_MONDAY), "to", "range_reversed"),
            (_notice(FRIDAY, FRIDAY + dt.timedelta(days=60)), "to", "range_too_long"),
            (_notice(dt.date(2026, 8, 28), dt.date(2026, 9, 2)), "from", "outside_school_year"),
            (_notice(dt.date(2027, 8, 28), dt.date(2027, 9, 2)), "to", "outside_school_year"),
            (
                _notice(NEXT_MONDAY, NEXT_TUESDAY, first_lesson=2),
                "first_lesson",
                "lessons_need_one_day",
            ),
            (
                _notice(NEXT_MONDAY, NEXT_TUESDAY, last_lesson=2),
                "last_lesson",
                "lessons_need_one_day",
            ),
            (
                _notice(FRIDAY, FRIDAY, first_lesson=4, last_lesson=2),
                "last_lesson",
                "lessons_reversed",
            ),
            (_notice(FRIDAY, FRIDAY, first_lesson=0), "first_lesson", None),
            (_notice(FRIDAY, FRIDAY, reason="holiday"), "reason", None),
            ({"to": "2026-11-30", "reason": "illness"}, "from", None),
            (_notice(FRIDAY, FRIDAY, comment="x" * 2001), "comment", None),
        ]
        for body, field, code in cases:
            r = await api.post(_url(older), json=body, headers=as_parent)
            assert r.status_code == 422, (body, r.text)
            assert r.json()["error"]["field"] == field, body
            if code:
                assert r.json()["error"]["code"] == code

    async def test_days_without_lessons_are_refused_with_a_reason(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        holiday, sunday = dt.date(2026, 11, 4), dt.date(2026, 11, 22)  # National Unity Day
        for first, last in ((holiday, holiday), (sunday, sunday)):
            r = await api.post(_url(older), json=_notice(first, last), headers=as_parent)
            assert r.status_code == 422, r.text
            assert r.json()["error"]["code"] == "no_lessons"
            assert r.json()["error"]["field"] == "from"
        late = _notice(FRIDAY, FRIDAY, first_lesson=11, last_lesson=12)  # after the last bell
        r = await api.post(_url(older), json=late, headers=as_parent)
        assert r.json()["error"]["code"] == "no_lessons"
        # A weekend with the Monday after it has lessons: given.
        r = await api.post(
            _url(older),
            json=_notice(sunday - dt.timedelta(days=1), sunday + dt.timedelta(days=1)),
            headers=as_parent,
        )
        assert r.status_code == 201, r.text

    async def test_sixty_days_is_the_longest_notice(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        body = _notice(dt.date(2027, 1, 11), dt.date(2027, 1, 11) + dt.timedelta(days=59))
        r = await api.post(_url(older), json=body, headers=as_parent)
        assert r.status_code == 201, r.text


class TestNoticePermissions:
    async def test_only_a_parent_gives_a_notice(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_student: dict,
        as_teacher: dict,
        as_admin: dict,
    ) -> None:
        me = await user_id(engine, "student")
        for headers in (as_student, as_teacher, as_admin):
            r = await api.post(_url(me), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=headers)
            assert r.status_code == 403
            assert r.json()["error"]["code"] == "not_parent"

    async def test_a_parent_of_another_child_gets_404(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        me = await user_id(engine, "student")
        stranger = await login(api, await _stranger_parent(engine, me))
        r = await api.post(_url(me), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=stranger)
        assert r.status_code == 404
        assert (await api.get(_url(me), headers=stranger)).status_code == 404

    async def test_the_other_parent_may_give_one_but_not_withdraw_this_one(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict, as_student: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        r = await api.post(_url(older), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=as_parent)
        url = f"{_url(older)}/{r.json()['id']}"
        other = await login(api, await _other_parent(engine, older))
        refused = await api.delete(url, headers=other)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "not_notice_author"
        assert (await api.delete(url, headers=as_student)).status_code == 403
        stranger = await login(api, await _stranger_parent(engine, older))
        assert (await api.delete(url, headers=stranger)).status_code == 404
        own = await api.post(_url(older), json=_notice(NEXT_TUESDAY, NEXT_TUESDAY), headers=other)
        assert own.status_code == 201
        assert (await api.delete(url, headers=as_parent)).status_code == 204

    async def test_a_notice_that_has_started_cannot_be_withdrawn(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, _ = await children(api, as_parent)
        n = s.absence_notices
        current = await scalar(
            engine,
            sa.select(n.c.id).where(
                n.c.student_id == int(older),
                n.c.from_date <= PINNED_TODAY,
                n.c.author_id == int(await user_id(engine, "parent")),
            ),
        )
        r = await api.delete(f"{_url(older)}/{current}", headers=as_parent)
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "notice_started"
        assert "already started" in r.json()["error"]["message"]

    async def test_until_the_first_bell_of_its_day_it_can_be_withdrawn(
        self, api: httpx.AsyncClient, as_parent: dict, clock: FakeClock
    ) -> None:
        older, _ = await children(api, as_parent)
        tomorrow = PINNED_TODAY + dt.timedelta(days=1)
        made = []
        for first in (1, 3):
            body = _notice(tomorrow, tomorrow, first_lesson=first, last_lesson=first)
            made.append((await api.post(_url(older), json=body, headers=as_parent)).json()["id"])
        # Thursday 8:40 in Moscow: lesson 1 (8:30) has begun, lesson 3 (10:30) has not.
        clock.current = dt.datetime(2026, 11, 26, 5, 40, tzinfo=dt.UTC)
        first_lesson = await api.delete(f"{_url(older)}/{made[0]}", headers=as_parent)
        third_lesson = await api.delete(f"{_url(older)}/{made[1]}", headers=as_parent)
        assert (first_lesson.status_code, third_lesson.status_code) == (409, 204)

    async def test_unknown_or_withdrawn_notices_are_404(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        older, younger = await children(api, as_parent)
        r = await api.post(_url(older), json=_notice(NEXT_MONDAY, NEXT_MONDAY), headers=as_parent)
        notice_id = r.json()["id"]
        # Through the other child's path, the notice does not exist.
        assert (
            await api.delete(f"{_url(younger)}/{notice_id}", headers=as_parent)
        ).status_code == 404
        assert (
            await api.delete(f"{_url(older)}/{notice_id}", headers=as_parent)
        ).status_code == 204
        assert (
            await api.delete(f"{_url(older)}/{notice_id}", headers=as_parent)
        ).status_code == 404
        assert (await api.delete(f"{_url(older)}/nope", headers=as_parent)).status_code == 404
