"""What the server refuses reaches the screen in the person's language, worded by its code."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ediary_tui.app import EdiaryApp

from .conftest import in_diary, log_in, new_app, new_session, settled, until
from .journal_fixtures import told

SIZE = (100, 30)


class BusyMe(httpx.AsyncBaseTransport):
    """The school, but a throttled answer to "who am I" (the resume of a remembered login)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/me"):
            body = {"error": {"code": "throttled", "message": "slow down; try again in 894 s"}}
            return httpx.Response(429, json=body, headers={"Retry-After": "894"})
        return await self.inner.handle_async_request(request)


class TestRefusalsInRussian:
    async def test_a_refused_resume_is_said_in_russian_with_the_wait_in_minutes(
        self, school: Callable[[], httpx.ASGITransport]
    ) -> None:
        first: EdiaryApp = new_app(new_session(school()), lang="ru")
        async with first.run_test(size=SIZE) as pilot:
            await log_in(pilot, "parent", "demo")
            await settled(pilot)
            assert in_diary(first)
        second = new_app(new_session(BusyMe(school())), lang="ru")
        async with second.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: bool(told(second)))
            assert told(second) == ["Слишком много попыток. Попробуйте снова через 15 минут."]
