"""One-day changes in the weekly diary: a replaced lesson names who stands in and for whom,
a cancelled one stays in its place, struck through and said to be cancelled, a moved one
says where it came from; in English and Russian."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.app import EdiaryApp
from ediary_tui.domain.models import ChangeKind, LessonChange, PersonRef, SubjectRef, WeekLesson
from ediary_tui.i18n import set_language
from ediary_tui.server import schema as s
from ediary_tui.server.school import timetable as tt
from ediary_tui.server.school.audit import Actor
from ediary_tui.widgets.lesson_text import change_text, describe_lesson
from ediary_tui.widgets.week_day import lesson_line

from .test_week import MONDAY, open_diary, settled, view

THURSDAY = MONDAY + dt.timedelta(days=3)  # after the pinned today: no marks yet
ACTOR = Actor.command_line()


async def class_of(engine: AsyncEngine, login: str) -> tuple[int, int]:
    u, st = s.users.c, s.students.c
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(st.class_id, u.school_id)
                .select_from(s.students.join(s.users, u.id == st.user_id))
                .where(u.login == login)
            )
        ).one()
    return row.class_id, row.school_id


async def free_teacher(engine: AsyncEngine, school_id: int, on: dt.date, number: int) -> int:
    """A teacher of the school with no lesson at that time."""
    le, r, u = s.lessons.c, s.user_roles.c, s.users.c
    async with engine.connect() as conn:
        busy = set(
            (
                await conn.execute(
                    sa.select(le.teacher_id).where(le.date == on, le.number == number)
                )
            ).scalars()
        )
        teachers = (
            await conn.execute(
                sa.select(u.id)
                .join(s.user_roles, r.user_id == u.id)
                .where(u.school_id == school_id, r.role == "teacher")
                .order_by(u.id)
            )
        ).scalars()
    return next(t for t in teachers if t not in busy)


@pytest.fixture
async def changed(engine: AsyncEngine) -> tuple[str, str, str]:
    """The student's Thursday: lesson 1 replaced, lesson 2 cancelled. Returns the subjects
    of the two and the stand-in's name."""
    class_id, school_id = await class_of(engine, "student")
    stand_in = await free_teacher(engine, school_id, THURSDAY, 1)
    async with engine.begin() as conn:
        await tt.change_lesson(
            conn,
            ACTOR,
            school_id,
            class_id=class_id,
            on=THURSDAY,
            number=1,
            kind="replace",
            teacher_id=stand_in,
        )
        await tt.change_lesson(
            conn,
            ACTOR,
            school_id,
            class_id=class_id,
            on=THURSDAY,
            number=2,
            kind="cancel",
            note="экскурсия",
        )
        found = {c.number: c for c in await tt.day_changes(conn, school_id, THURSDAY)}
    return found[1].subject, found[2].subject, found[1].teacher


class TestChangesInTheWeek:
    async def test_a_replaced_and_a_cancelled_lesson_read_as_such(
        self, start: Callable[..., EdiaryApp], changed: tuple[str, str, str]
    ) -> None:
        replaced_subject, cancelled_subject, stand_in = changed
        surname = stand_in.split()[0]
        app = start()
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await open_diary(app, pilot, "student")
            week = await settled(pilot, screen, MONDAY)
            thursday = next(d for d in week.days if d.date == THURSDAY)
            kinds = {
                lesson.number: lesson.change and lesson.change.kind for lesson in thursday.lessons
            }
            assert kinds[1] is ChangeKind.REPLACED and kinds[2] is ChangeKind.CANCELLED
            text = "\n".join(view(screen).plain_lines())
            assert f"replacement: {surname} " in text and " for " in text
            assert "lesson cancelled (экскурсия)" in text
            # The cancelled lesson keeps its place in the day, its subject struck through.
            cancelled = next(lesson for lesson in thursday.lessons if lesson.number == 2)
            line, _hits = lesson_line(view(screen), cancelled, 60, 0)
            assert cancelled.subject.name == cancelled_subject
            assert any("strike" in str(span.style) for span in line.content.spans)
            replaced = next(lesson for lesson in thursday.lessons if lesson.number == 1)
            assert replaced.subject.name == replaced_subject
            assert replaced.teacher.full_name == stand_in


class TestChangeText:
    def lesson(self, change: LessonChange) -> WeekLesson:
        at = dt.datetime(2026, 11, 26, 8, 30, tzinfo=dt.UTC)
        return WeekLesson(
            id="1",
            number=3,
            starts_at=at,
            ends_at=at,
            subject=SubjectRef(id="1", name="Алгебра"),
            teacher=PersonRef(id="2", full_name="Сидорова Анна Павловна"),
            change=change,
        )

    @pytest.mark.parametrize(
        ("lang", "change", "text"),
        [
            (
                "ru",
                LessonChange(
                    kind=ChangeKind.REPLACED,
                    usual_teacher=PersonRef(id="3", full_name="Иванова Ирина Петровна"),
                ),
                "замена: Сидорова А. П. вместо Иванова И. П.",
            ),
            ("ru", LessonChange(kind=ChangeKind.CANCELLED), "урок отменён"),
            (
                "ru",
                LessonChange(
                    kind=ChangeKind.MOVED,
                    moved_from_date=dt.date(2026, 11, 24),
                    moved_from_number=2,
                ),
                "перенесён с 24.11, 2-го урока",
            ),
            (
                "en",
                LessonChange(kind=ChangeKind.ADDED, note="olympiad practice"),
                "extra lesson (olympiad practice)",
            ),
            ("en", LessonChange(kind=ChangeKind.CANCELLED), "lesson cancelled"),
            (
                "ru",
                LessonChange(
                    kind=ChangeKind.CANCELLED,
                    moved_to_date=dt.date(2026, 11, 27),
                    moved_to_number=5,
                ),
                "перенесён на 27.11, 5-й урок",
            ),
        ],
    )
    def test_in_both_languages(self, lang: str, change: LessonChange, text: str) -> None:
        set_language(lang)
        try:
            assert change_text(self.lesson(change)) == text
        finally:
            set_language("en")

    def test_the_details_line_says_it_too(self) -> None:
        lesson = self.lesson(LessonChange(kind=ChangeKind.CANCELLED, note="экскурсия"))
        assert describe_lesson(lesson)[3] == "lesson cancelled (экскурсия)"
