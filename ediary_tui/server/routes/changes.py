"""The change feed that drives "what's new"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ediary_tui.domain.models import ChangeFeed

from .. import changes
from ..deps import Ctx, CurrentCaller

router = APIRouter(tags=["changes"])


@router.get("/changes", response_model=ChangeFeed)
async def get_changes(
    caller: CurrentCaller,
    ctx: Ctx,
    # 18 digits: every cursor fits a 64-bit id, so a longer number is 422, not a 500 from the db.
    since: Annotated[str | None, Query(max_length=18)] = None,
) -> ChangeFeed:
    return await changes.feed(ctx, caller, since)
