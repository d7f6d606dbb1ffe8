"""Reconnecting by itself: the waits between tries, and what counts as the server back."""

from __future__ import annotations

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.session import Backoff

from .conftest import Wire, session_of


class TestBackoff:
    def test_waits_double_from_one_second_up_to_thirty(self) -> None:
        backoff = Backoff()
        assert [backoff.next_delay() for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]

    def test_an_answer_starts_again_from_one_second(self) -> None:
        backoff = Backoff()
        backoff.next_delay()
        backoff.next_delay()
        backoff.reset()
        assert backoff.next_delay() == 1


class TestLostAndBack:
    async def test_losing_the_server_is_told_once_and_an_answer_clears_offline(
        self, client: DiaryClient, wire: Wire
    ) -> None:
        session = session_of(client)
        await session.login("parent", "demo")
        lost: list[bool] = []
        session.on_lost = lambda: lost.append(True)
        wire.down = True
        assert not await session.reachable()
        assert not await session.reachable()
        assert session.offline and lost == [True]  # told when lost, not at every failed try
        wire.down = False
        assert await session.reachable()
        assert not session.offline
        wire.down = True
        assert not await session.reachable()
        assert lost == [True, True]
