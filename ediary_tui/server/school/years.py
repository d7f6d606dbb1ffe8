"""Which school year is the one being taught, and whether a year is archived."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from ediary_tui.domain.periods import school_year_name as year_label

from .. import schema as s
from .errors import AdminError

__all__ = ["current_year", "is_archived", "year_label"]


async def current_year(conn: AsyncConnection, school_id: int) -> int:
    """The newest school year of the school that is not archived."""
    y = s.school_years.c
    found = (
        await conn.execute(
            sa.select(sa.func.max(y.year)).where(y.school_id == school_id, y.archived_at.is_(None))
        )
    ).scalar()
    if found is None:
        raise AdminError(
            "the school has no open school year; open one with `ediary admin year open YEAR`"
        )
    return found


async def is_archived(conn: AsyncConnection, school_id: int, year: int) -> bool:
    y = s.school_years.c
    archived = (
        await conn.execute(sa.select(y.archived_at).where(y.school_id == school_id, y.year == year))
    ).first()
    return archived is not None and archived.archived_at is not None
