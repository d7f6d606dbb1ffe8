"""A stand-in teacher's reach: the subject's journal of that class, around the lesson only.

A replacement (or an extra lesson) gives its teacher no teaching assignment:
they read and write that subject's journal of the class for STAND_IN_DAYS
either side of the lesson, and then no more, with nothing for anyone to take back.
"""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from ediary_tui.server.auth import STAND_IN_DAYS
from ediary_tui.server.school import timetable as tt
from tests.conftest import FakeClock, login
from tests.server.school_setup import ACTOR
from tests.server.test_journal import lesson, post_mark
from tests.server.test_week import user_id


async def _stand_in_for(engine: AsyncEngine, target: sa.Row) -> tuple[int, str]:
    """A teacher who does not teach the lesson's subject in its class and is free then."""
    t, le, u, r = s.teaching.c, s.lessons.c, s.users.c, s.user_roles.c
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(u.id, u.login)
                .where(
                    u.id.in_(sa.select(r.user_id).where(r.role == "teacher")),
                    u.id.not_in(
                        sa.select(t.teacher_id).where(
                            t.class_id == target.class_id, t.subject_id == target.subject_id
                        )
                    ),
                    u.id.not_in(
                        sa.select(le.teacher_id).where(
                            le.date == target.date, le.number == target.number
                        )
                    ),
                )
                .order_by(u.id)
                .limit(1)
            )
        ).one()
    return row.id, row.login


async def _mark(api: httpx.AsyncClient, engine: AsyncEngine, who: str, lesson_id: int) -> str:
    """The mark's answer: its status, and the error's code when refused."""
    r = await post_mark(
        api,
        await login(api, who),
        student_id=await user_id(engine, "student"),
        lesson_id=str(lesson_id),
        value=4,
    )
    return str(r.status_code) if r.is_success else f"{r.status_code} {r.json()['error']['code']}"


async def test_a_stand_in_marks_around_the_lesson_and_not_after(
    api: httpx.AsyncClient, engine: AsyncEngine, clock: FakeClock
) -> None:
    target = await lesson(engine)  # 7А's latest algebra lesson up to today
    stand_in, stand_in_login = await _stand_in_for(engine, target)
    assert await _mark(api, engine, stand_in_login, target.id) == "403 not_your_subject"
    async with engine.begin() as conn:
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
        )
    assert await _mark(api, engine, stand_in_login, target.id) == "201"
    async with engine.connect() as conn:
        assigned = (
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(s.teaching)
                .where(
                    s.teaching.c.teacher_id == stand_in,
                    s.teaching.c.class_id == target.class_id,
                    s.teaching.c.subject_id == target.subject_id,
                )
            )
        ).scalar_one()
    assert assigned == 0
    clock.advance(days=STAND_IN_DAYS + 1 + (clock().date() - target.date).days)
    assert await _mark(api, engine, stand_in_login, target.id) == "403 not_your_subject"
