"""What the data routers share: who may call them, and how their routes are documented."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute

from ..errors import documented

# The 409 of a journal write once the lesson's period is closed or the lesson is cancelled
# (services.lessons.writable_lesson).
PERIOD_CLOSED = (
    409,
    "period_closed: the period of the lesson is closed; lesson_cancelled: the lesson is cancelled",
)


class DocumentedRoute(APIRoute):
    """A route whose OpenAPI description is its endpoint's docstring, read as one paragraph:
    the text is written once, where the code is, and wrapped only for the source's width."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if kwargs.get("description") is None and endpoint.__doc__:
            kwargs["description"] = " ".join(inspect.cleandoc(endpoint.__doc__).split())
        super().__init__(path, endpoint, **kwargs)


def data_router(tag: str, *answers: int | tuple[int, str]) -> APIRouter:
    """The router of one resource's data routes. They need a caller logged in with a password
    of their own (`deps.CurrentCaller`), so each may answer 401 and 403; `answers` are the
    further errors every route of the router gives (404 where each reads a student, a thread
    or a journal the caller may not see)."""
    return APIRouter(
        tags=[tag], responses=documented(401, 403, *answers), route_class=DocumentedRoute
    )
