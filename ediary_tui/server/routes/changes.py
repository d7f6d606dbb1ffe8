"""The change feed that drives "what's new"."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from ediary_tui.domain.models import ChangeFeed

from .. import changes
from ..deps import Ctx, CurrentCaller
from .common import data_router

router = data_router("changes")


@router.get("/changes", response_model=ChangeFeed)
async def get_changes(
    caller: CurrentCaller,
    ctx: Ctx,
    # A cursor is a change id: past the ids' INTEGER range it is 422 (changes.py), not a 500.
    since: Annotated[str | None, Query(max_length=18)] = None,
    # Without a cursor: the changes since this moment (a first start's news), not none.
    # An ISO 8601 text, read by changes.py: pydantic would also take "0.5" as a moment.
    after: Annotated[
        str | None, Query(max_length=40, json_schema_extra={"format": "date-time"})
    ] = None,
) -> ChangeFeed:
    return await changes.feed(ctx, caller, since, changes.parse_moment(after))
