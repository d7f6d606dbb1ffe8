"""The change feed that drives "what's new"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ediary_tui.domain.models import ChangeFeed

from .. import changes
from ..deps import Ctx, CurrentCaller
from ..errors import documented

router = APIRouter(tags=["changes"], responses=documented(401, 403))


@router.get("/changes", response_model=ChangeFeed)
async def get_changes(
    caller: CurrentCaller,
    ctx: Ctx,
    # A cursor is a change id: past the ids' INTEGER range it is 422 (changes.py), not a 500.
    since: Annotated[str | None, Query(max_length=18)] = None,
) -> ChangeFeed:
    return await changes.feed(ctx, caller, since)
