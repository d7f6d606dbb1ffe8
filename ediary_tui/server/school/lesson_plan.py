"""Lessons of a school year, generated from the weekly timetable.

A lesson is a row the journal writes into; the timetable is the plan it is made
from. `plan_lessons` makes the rows match the plan on every school day from a
date on: days inside the class's periods (quarters or half-years), on the
class's 5 or 6 days, and not in a holiday. Run again after the timetable
changed, it keeps what a teacher has already given a lesson (marks, attendance,
homework, a topic) and any one-day change (a replacement, a cancelled or moved
lesson): those lessons stay as they are, and only empty planned lessons are
moved, retaught or removed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.periods import QUARTER, period_kind_for_grade

from .. import schema as s
from .errors import AdminError

CHUNK = 2000


@dataclass
class PlanResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0  # lessons off the plan now, kept because they hold a teacher's work

    def __str__(self) -> str:
        text = f"{self.created} lessons created, {self.updated} updated, {self.removed} removed"
        if self.kept:
            text += f", {self.kept} kept off the timetable (they have marks, attendance, homework or a topic)"
        return text


@dataclass(frozen=True)
class _Slot:
    subject_id: int
    teacher_id: int
    room: str | None


async def default_form(conn: AsyncConnection, school_id: int) -> int:
    """The control form a new lesson starts with: classwork, else the lightest one."""
    cf = s.control_forms.c
    rows = (
        await conn.execute(
            sa.select(cf.id, cf.code, cf.weight)
            .where(cf.school_id == school_id)
            .order_by(cf.weight, cf.id)
        )
    ).all()
    if not rows:
        raise AdminError("the school has no control forms; add one with `ediary admin form add`")
    return next((r.id for r in rows if r.code == "classwork"), rows[0].id)


async def school_days(
    conn: AsyncConnection, school_id: int, year: int, kind: str, days_per_week: int
) -> list[dt.date]:
    """Days of `year` inside a period of `kind`, on the first `days_per_week` weekdays,
    outside every holiday.

    The breaks between quarters are every grade's holidays: a half-year (grades
    10-11) runs across the autumn and spring breaks without lessons in them.
    """
    p, h = s.periods.c, s.holidays.c
    rows = (
        await conn.execute(
            sa.select(p.kind, p.starts_on, p.ends_on).where(
                p.school_id == school_id, p.year == year
            )
        )
    ).all()
    own = [(r.starts_on, r.ends_on) for r in rows if r.kind == kind]
    terms = [(r.starts_on, r.ends_on) for r in rows if r.kind == QUARTER] or own
    off = (
        await conn.execute(
            sa.select(h.starts_on, h.ends_on).where(h.school_id == school_id, h.year == year)
        )
    ).all()
    holiday = {d for start, end in off for d in _days(start, end)}
    in_term = {d for start, end in terms for d in _days(start, end)}
    return sorted(
        d
        for start, end in own
        for d in _days(start, end)
        if d in in_term and d.weekday() < min(days_per_week, 6) and d not in holiday
    )


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


async def _busy_lessons(conn: AsyncConnection, lesson_ids: list[int]) -> set[int]:
    """Of these lessons, those a teacher has written into."""
    busy: set[int] = set()
    for start in range(0, len(lesson_ids), CHUNK):
        chunk = lesson_ids[start : start + CHUNK]
        for table in (s.marks, s.attendance, s.homework):
            rows = await conn.execute(
                sa.select(table.c.lesson_id).where(table.c.lesson_id.in_(chunk)).distinct()
            )
            busy.update(r.lesson_id for r in rows)
    return busy


async def plan_lessons(
    conn: AsyncConnection,
    school_id: int,
    year: int,
    *,
    start: dt.date | None = None,
    class_ids: Collection[int] | None = None,
) -> PlanResult:
    """Make the lessons of `year` (from `start`, else the whole year) match the timetable."""
    c = s.classes.c
    query = sa.select(c.id, c.grade, c.days_per_week).where(
        c.school_id == school_id, c.year == year
    )
    if class_ids is not None:
        query = query.where(c.id.in_(list(class_ids)))
    classes = (await conn.execute(query.order_by(c.id))).all()
    form_id = await default_form(conn, school_id) if classes else 0
    result = PlanResult()
    days_cache: dict[tuple[str, int], list[dt.date]] = {}
    t, le = s.timetable.c, s.lessons.c
    for klass in classes:
        kind = period_kind_for_grade(klass.grade)
        key = (kind, klass.days_per_week)
        if key not in days_cache:
            days_cache[key] = await school_days(conn, school_id, year, kind, klass.days_per_week)
        days = [d for d in days_cache[key] if start is None or d >= start]
        grid = {
            (r.weekday, r.number): _Slot(r.subject_id, r.teacher_id, r.room)
            for r in await conn.execute(
                sa.select(t.weekday, t.number, t.subject_id, t.teacher_id, t.room).where(
                    t.class_id == klass.id
                )
            )
        }
        wanted: dict[tuple[dt.date, int], _Slot] = {}
        for d in days:
            for (weekday, number), slot in grid.items():
                if weekday == d.weekday():
                    wanted[(d, number)] = slot
        first, last = dt.date(year, 9, 1), dt.date(year + 1, 8, 31)
        if start is not None:
            first = max(first, start)
        existing = (
            await conn.execute(
                sa.select(
                    le.id,
                    le.date,
                    le.number,
                    le.subject_id,
                    le.teacher_id,
                    le.room,
                    le.topic,
                    le.change,
                ).where(le.class_id == klass.id, le.date.between(first, last))
            )
        ).all()
        busy = await _busy_lessons(conn, [r.id for r in existing])
        by_slot: dict[tuple[dt.date, int], list[sa.Row]] = defaultdict(list)
        for r in existing:
            by_slot[(r.date, r.number)].append(r)
        remove: list[int] = []
        updates: list[tuple[int, _Slot]] = []
        create: list[dict[str, object]] = []
        for slot_key, rows in by_slot.items():
            plan = wanted.get(slot_key)
            matched = False
            for r in rows:
                held = r.id in busy or bool(r.topic) or r.change is not None
                if plan is not None and not matched and r.subject_id == plan.subject_id:
                    matched = True
                    if r.change is None and (r.teacher_id, r.room) != (plan.teacher_id, plan.room):
                        updates.append((r.id, plan))
                elif held:
                    result.kept += 1
                    matched = matched or (plan is not None and r.change is None)
                else:
                    remove.append(r.id)
            if plan is not None and not matched:
                create.append(_row(klass.id, slot_key, plan, form_id))
        for slot_key, plan in wanted.items():
            if slot_key not in by_slot:
                create.append(_row(klass.id, slot_key, plan, form_id))
        for start_at in range(0, len(remove), CHUNK):
            await conn.execute(
                s.lessons.delete().where(le.id.in_(remove[start_at : start_at + CHUNK]))
            )
        for lesson_id, plan in updates:
            await conn.execute(
                s.lessons.update()
                .where(le.id == lesson_id)
                .values(teacher_id=plan.teacher_id, room=plan.room)
            )
        for start_at in range(0, len(create), CHUNK):
            await conn.execute(s.lessons.insert(), create[start_at : start_at + CHUNK])
        result.created += len(create)
        result.updated += len(updates)
        result.removed += len(remove)
    return result


def _row(
    class_id: int, slot_key: tuple[dt.date, int], plan: _Slot, form_id: int
) -> dict[str, object]:
    d, number = slot_key
    return {
        "class_id": class_id,
        "subject_id": plan.subject_id,
        "teacher_id": plan.teacher_id,
        "date": d,
        "number": number,
        "room": plan.room,
        "topic": None,
        "control_form_id": form_id,
    }
