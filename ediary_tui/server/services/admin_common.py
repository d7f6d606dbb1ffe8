"""What every admin service shares: who may ask, and an administrative refusal as the API says it.

Only an admin of the school is let in (403 `not_admin` for anyone else, whatever
their other roles); a person or a class of another school is 404 to them, as if
it did not exist, so ids cannot be probed across schools.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ediary_tui.domain.models import Role

from ..auth import Caller
from ..errors import Invalid, NotAllowed
from ..school.audit import Actor
from ..school.errors import AdminError


def school_of(caller: Caller) -> int:
    """The school the caller administers: 403 `not_admin` unless they are its admin."""
    if not caller.has(Role.ADMIN) or caller.school_id is None:
        raise NotAllowed("only the school's administrator may do this", code="not_admin")
    return caller.school_id


def actor(caller: Caller) -> Actor:
    """The audit log's name for the admin acting through the app."""
    return Actor.user(caller.id, caller.login)


@asynccontextmanager
async def refusals() -> AsyncIterator[None]:
    """An AdminError (a taken login, a clash in the timetable) as 422 `refused`: its message
    already says what is wrong and what to do."""
    try:
        yield
    except AdminError as exc:
        raise Invalid(str(exc), code="refused") from None
