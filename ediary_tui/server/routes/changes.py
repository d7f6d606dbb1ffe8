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
    caller: CurrentCaller, ctx: Ctx, since: Annotated[str | None, Query(max_length=20)] = None
) -> ChangeFeed:
    return await changes.feed(ctx, caller, since)
