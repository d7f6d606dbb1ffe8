"""Reads several services share: a school's settings, bells, and marks as the API shows them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.models import (
    Category,
    ControlForm,
    Mark,
    PersonRef,
    SchoolSettings,
    refused_character,
)

from .. import schema as s
from ..errors import Invalid

M = TypeVar("M", bound=BaseModel)

# A diary holds no dates outside these years; near the edges of the calendar, date
# arithmetic (a week's end, a school year's bounds) would overflow into a 500.
MIN_YEAR, MAX_YEAR = 1900, 2200


def _wire(name: str, value: Any) -> Any:
    """Ids are integers in the database and text on the wire (ids.py)."""
    is_id = name == "id" or name.endswith("_id")
    return str(value) if is_id and type(value) is int else value


def from_columns(model: type[M], columns: Mapping[str, Any], **fields: Any) -> M:
    """`model` from a row whose columns are named as the model's fields, ids as text;
    `fields` are the ones the API shows otherwise (nested references, derived values).
    Other columns are left out, as the answer models ignore unknown fields."""
    return model.model_validate({**{k: _wire(k, v) for k, v in columns.items()}, **fields})


def check_date(value: dt.date | None, field: str) -> None:
    """A date the caller sent must lie in the years a diary can hold (422 naming it)."""
    if value is not None and not MIN_YEAR <= value.year <= MAX_YEAR:
        raise Invalid(
            f"{field}: give a date between {MIN_YEAR} and {MAX_YEAR}",
            code="invalid_date",
            field=field,
        )


def check_text(value: str | None, field: str, *, one_line: bool = False) -> None:
    """Text a client sent holds no control character, nor a lone surrogate: 422
    `invalid_text` naming the field. Multi-line text keeps tab and line feed; one line
    (a login, a code, a topic, a title) keeps neither. Checked before the text reaches a
    query: PostgreSQL cannot even compare a NUL (a 500), SQLite would store it."""
    reason = None if value is None else refused_character(value, one_line=one_line)
    if reason:
        raise Invalid(f"{field}: {reason}", code="invalid_text", field=field)


def check_line(value: str | None, field: str) -> None:
    check_text(value, field, one_line=True)


def blank_is_none(text: str | None) -> str | None:
    """Blank means none: an emptied topic, room or comment is cleared, not stored as ''."""
    if text is None:
        return None
    text = text.strip()
    return text or None


# The columns `control_form` reads: a query of lessons or marks selects them with its own.
CONTROL_FORM_COLUMNS = s.control_forms.c["code", "name", "weight", "category"]


def control_form(row: Any) -> ControlForm:
    return ControlForm(
        code=row.code, name=row.name, weight=row.weight, category=Category(row.category)
    )


async def control_forms_by_id(conn: AsyncConnection, school_id: int) -> dict[int, ControlForm]:
    cf = s.control_forms
    rows = await conn.execute(
        sa.select(cf).where(cf.c.school_id == school_id).order_by(cf.c.weight.desc(), cf.c.id)
    )
    return {r.id: control_form(r) for r in rows}


async def control_form_id(conn: AsyncConnection, school_id: int, code: str) -> int:
    """The id of the school's control form `code`: 422 on `control_form` if it has none."""
    cf = s.control_forms
    found = await conn.scalar(
        sa.select(cf.c.id).where(cf.c.school_id == school_id, cf.c.code == code)
    )
    if found is None:
        raise Invalid(
            f"the school has no control form {code!r}",
            code="invalid_control_form",
            field="control_form",
        )
    return found


async def patched_control_form(
    conn: AsyncConnection, school_id: int, code: str | None, *, refusal: str
) -> int:
    """The control form a patch sends: it may change, not be cleared (422 saying `refusal`)."""
    if code is None:
        raise Invalid(refusal, code="invalid_control_form", field="control_form")
    return await control_form_id(conn, school_id, code)


async def school_settings(conn: AsyncConnection, school_id: int) -> SchoolSettings:
    row = (await conn.execute(sa.select(s.schools).where(s.schools.c.id == school_id))).one()
    forms = await control_forms_by_id(conn, school_id)
    return SchoolSettings(
        scale_min=row.scale_min,
        scale_max=row.scale_max,
        round_threshold=row.round_threshold,
        control_forms=list(forms.values()),
    )


async def school_timezone(conn: AsyncConnection, school_id: int) -> ZoneInfo:
    tz = (
        await conn.execute(sa.select(s.schools.c.timezone).where(s.schools.c.id == school_id))
    ).scalar()
    return ZoneInfo(tz or "Europe/Moscow")


async def bells(conn: AsyncConnection, school_id: int) -> dict[int, tuple[dt.time, dt.time]]:
    rows = await conn.execute(sa.select(s.bells).where(s.bells.c.school_id == school_id))
    return {
        r.number: (dt.time.fromisoformat(r.starts_at), dt.time.fromisoformat(r.ends_at))
        for r in rows
    }


def lesson_span(
    date: dt.date, number: int, bell: dict[int, tuple[dt.time, dt.time]], tz: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """When lesson `number` on `date` starts and ends, with the school's offset."""
    start, end = bell.get(number, (dt.time(8, 0), dt.time(8, 45)))
    return dt.datetime.combine(date, start, tz), dt.datetime.combine(date, end, tz)


_teacher = s.users.alias("mark_teacher")


def _mark_select() -> sa.Select[Any]:
    m, le, cf = s.marks, s.lessons, s.control_forms
    return (
        sa.select(
            *m.c["id", "student_id", "lesson_id", "value", "is_dot", "due", "comment"],
            *m.c["teacher_id", "created_at", "updated_at"],
            *le.c["date", "number", "subject_id"],
            _teacher.c.full_name.label("teacher_name"),
            *CONTROL_FORM_COLUMNS,
        )
        .select_from(
            m.join(le, le.c.id == m.c.lesson_id)
            .join(cf, cf.c.id == m.c.control_form_id)
            .join(_teacher, _teacher.c.id == m.c.teacher_id)
        )
        .where(m.c.deleted_at.is_(None))
        .order_by(le.c.date, le.c.number, m.c.created_at, m.c.id)
    )


def row_to_mark(r: Any) -> Mark:
    return from_columns(
        Mark,
        r._mapping,
        control_form=control_form(r),
        teacher=PersonRef(id=str(r.teacher_id), full_name=r.teacher_name),
    )


async def load_marks(conn: AsyncConnection, *where: sa.ColumnElement[bool]) -> list[Mark]:
    """Marks (not deleted) matching `where`, in lesson order; columns of marks and lessons may be used."""
    rows = await conn.execute(_mark_select().where(*where))
    return [row_to_mark(r) for r in rows]
