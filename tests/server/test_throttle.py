"""Login throttling that holds under parallel requests and cannot be turned on others.

Every burst is real requests to the app at once (`asyncio.gather`); the clock is
pinned, so a wait lasts until the test moves the clock. The test client arrives
from 127.0.0.1 unless a test says otherwise, as every SSH user does.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.cli import main
from ediary_tui.server import auth
from ediary_tui.server import schema as s
from ediary_tui.server.app import create_app
from ediary_tui.server.settings import ServerSettings
from tests.conftest import FakeClock, login

LOGIN = "/api/v1/auth/login"
PASSWORD = "/api/v1/auth/password"
# An address limit for the tests that fill it one by one (each failure costs a full hash).
FEW = 8

Client = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def attempt(
    api: httpx.AsyncClient, who: str, password: str = "wrong", **kw: Any
) -> Coroutine[Any, Any, httpx.Response]:
    return api.post(LOGIN, json={"login": who, "password": password}, **kw)


def codes(answers: list[httpx.Response]) -> Counter[int]:
    return Counter(r.status_code for r in answers)


@pytest.fixture
def client_from(engine: AsyncEngine, settings: ServerSettings) -> Client:
    """Clients of one app (one set of counts), each arriving from the address it is given."""
    app = create_app(engine, settings)

    @asynccontextmanager
    async def make(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://school") as client:
            yield client

    return make


class TestParallelBursts:
    async def test_fifty_wrong_passwords_at_once_get_exactly_five_tries(
        self, api: httpx.AsyncClient
    ) -> None:
        answers = await asyncio.gather(*(attempt(api, "parent", f"guess-{i}") for i in range(50)))
        assert codes(answers) == {401: 5, 429: 45}
        refused = next(r for r in answers if r.status_code == 429)
        assert refused.json()["error"]["code"] == "throttled"
        assert refused.headers["Retry-After"] == "1"

    async def test_fifty_made_up_names_at_once_get_exactly_the_address_limit(
        self, api: httpx.AsyncClient
    ) -> None:
        answers = await asyncio.gather(*(attempt(api, f"made-up-{i}") for i in range(50)))
        assert codes(answers) == {401: 30, 429: 20}

    async def test_a_burst_of_old_passwords_gets_five_tries(self, api: httpx.AsyncClient) -> None:
        headers = await login(api, "parent")
        answers = await asyncio.gather(
            *(
                api.post(
                    PASSWORD,
                    json={"old_password": f"guess-{i}", "new_password": "sinie-gory-7"},
                    headers=headers,
                )
                for i in range(20)
            )
        )
        assert codes(answers) == {422: 5, 429: 15}


class TestNobodyLocksOutOthers:
    async def test_made_up_names_do_not_lock_out_a_teacher_known_at_the_address(
        self, api: httpx.AsyncClient, settings: ServerSettings
    ) -> None:
        settings.max_failures_per_address = FEW
        await login(api, "teacher")
        for i in range(FEW):
            assert (await attempt(api, f"made-up-{i}")).status_code == 401
        assert (await attempt(api, "made-up-last")).status_code == 429
        assert (await attempt(api, "teacher", "demo")).status_code == 200
        # A login never used from here waits for the address's window, and is told why.
        refused = await attempt(api, "student", "demo")
        assert refused.status_code == 429
        assert "address" in refused.json()["error"]["message"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60

    async def test_the_address_window_ends(
        self, api: httpx.AsyncClient, clock: FakeClock, settings: ServerSettings
    ) -> None:
        settings.max_failures_per_address = FEW
        await asyncio.gather(*(attempt(api, f"made-up-{i}") for i in range(FEW)))
        assert (await attempt(api, "student", "demo")).status_code == 429
        clock.advance(minutes=15)
        assert (await attempt(api, "student", "demo")).status_code == 200

    async def test_a_success_does_not_count_against_the_address(
        self, api: httpx.AsyncClient, settings: ServerSettings
    ) -> None:
        settings.max_failures_per_address = FEW
        for i in range(FEW - 1):
            await attempt(api, f"made-up-{i}")
        for _ in range(3):  # first logins: not known here yet, each counted, then forgiven
            await login(api, "student")
            await login(api, "parent")
        assert (await attempt(api, "made-up-one-more")).status_code == 401
        assert (await attempt(api, "made-up-too-many")).status_code == 429

    async def test_a_locked_pair_does_not_stop_the_login_from_another_address(
        self, client_from: Client
    ) -> None:
        async with client_from("127.0.0.1") as here, client_from("198.51.100.7") as there:
            for _ in range(5):
                assert (await attempt(here, "parent")).status_code == 401
            assert (await attempt(here, "parent", "demo")).status_code == 429
            assert (await attempt(there, "parent", "demo")).status_code == 200
            assert (await attempt(here, "student", "demo")).status_code == 200


class TestGrowingWait:
    async def test_the_wait_doubles_then_a_success_starts_afresh(
        self, api: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        for _ in range(5):
            assert (await attempt(api, "parent")).status_code == 401
        for wait in (1, 2, 4, 8):
            refused = await attempt(api, "parent", "demo")
            assert refused.status_code == 429
            assert refused.headers["Retry-After"] == str(wait)
            clock.advance(seconds=wait)
            assert (await attempt(api, "parent")).status_code == 401
        clock.advance(seconds=16)
        assert (await attempt(api, "parent", "demo")).status_code == 200
        for _ in range(5):
            assert (await attempt(api, "parent")).status_code == 401
        assert (await attempt(api, "parent")).headers["Retry-After"] == "1"

    async def test_the_wait_stops_growing_at_fifteen_minutes(
        self, api: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        waits: list[int] = []
        while len(waits) < 13:
            answer = await attempt(api, "parent")
            if answer.status_code == 429:
                waits.append(int(answer.headers["Retry-After"]))
                clock.advance(seconds=waits[-1])
        assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]

    async def test_a_quiet_day_starts_afresh(
        self, api: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        for _ in range(5):
            await attempt(api, "parent")
        clock.advance(days=1)
        for _ in range(5):
            assert (await attempt(api, "parent")).status_code == 401
        assert (await attempt(api, "parent")).status_code == 429


class TestOldPassword:
    async def test_wrong_old_passwords_are_throttled_per_user(
        self, client_from: Client, clock: FakeClock
    ) -> None:
        change = {"old_password": "wrong", "new_password": "sinie-gory-7"}
        async with client_from("127.0.0.1") as here, client_from("198.51.100.7") as there:
            headers = await login(here, "parent")
            for _ in range(5):
                answer = await here.post(PASSWORD, json=change, headers=headers)
                assert answer.status_code == 422
                assert answer.json()["error"]["code"] == "wrong_password"
            right = {**change, "old_password": "demo"}
            refused = await there.post(PASSWORD, json=right, headers=headers)
            assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
            # Logging in is counted apart: the person can still log in.
            assert (await attempt(there, "parent", "demo")).status_code == 200
            clock.advance(seconds=1)
            assert (await here.post(PASSWORD, json=right, headers=headers)).status_code == 204


class TestProxyHeaders:
    def test_the_address_is_the_peer_unless_the_peer_is_a_trusted_proxy(self) -> None:
        forged = ["203.0.113.9"]
        assert auth.client_address("127.0.0.1", forged, ()) == "127.0.0.1"
        assert auth.client_address("127.0.0.1", forged, ("10.0.0.1",)) == "127.0.0.1"
        assert auth.client_address("10.0.0.1", forged, ("10.0.0.1",)) == "203.0.113.9"
        assert auth.client_address("10.0.0.1", [], ("10.0.0.1",)) == "10.0.0.1"

    def test_only_the_hops_the_proxies_added_are_believed(self) -> None:
        trusted = ("10.0.0.0/8",)
        # The client wrote 6.6.6.6 itself; the proxies saw 198.51.100.7.
        chain = ["6.6.6.6, 198.51.100.7", "10.0.0.2"]
        assert auth.client_address("10.0.0.1", chain, trusted) == "198.51.100.7"
        assert auth.client_address("10.0.0.1", ["junk, 10.0.0.3"], trusted) == "10.0.0.3"
        assert auth.client_address("10.0.0.1", ["2001:DB8::1"], trusted) == "2001:db8::1"

    async def test_a_forged_forwarded_for_does_not_change_the_address(
        self, api: httpx.AsyncClient, settings: ServerSettings
    ) -> None:
        settings.max_failures_per_address = FEW
        for i in range(5):
            forged = {"X-Forwarded-For": f"203.0.113.{i}"}
            assert (await attempt(api, "parent", headers=forged)).status_code == 401
        forged = {"X-Forwarded-For": "203.0.113.200"}
        assert (await attempt(api, "parent", "demo", headers=forged)).status_code == 429
        for i in range(FEW - 5):
            await attempt(api, f"made-up-{i}", headers={"X-Forwarded-For": f"198.51.100.{i}"})
        refused = await attempt(api, "student", "demo", headers={"X-Forwarded-For": "192.0.2.1"})
        assert refused.status_code == 429

    async def test_a_trusted_proxy_is_believed(
        self, engine: AsyncEngine, settings: ServerSettings
    ) -> None:
        settings.trusted_proxies = ("10.0.0.1",)
        app = create_app(engine, settings)
        transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://school") as proxy:
            one = {"X-Forwarded-For": "203.0.113.1"}
            for _ in range(5):
                assert (await attempt(proxy, "parent", headers=one)).status_code == 401
            assert (await attempt(proxy, "parent", "demo", headers=one)).status_code == 429
            other = {"X-Forwarded-For": "203.0.113.2"}
            assert (await attempt(proxy, "parent", "demo", headers=other)).status_code == 200


class TestServeTrustsNoProxyByDefault:
    """`ediary serve` as uvicorn runs it: the forged header from loopback is not believed."""

    @staticmethod
    def _serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> dict[str, Any]:
        started: dict[str, Any] = {}
        monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(kw, app=app))
        for variable in ("EDIARY_DB", "EDIARY_DOCS", "EDIARY_TRUSTED_PROXIES"):
            monkeypatch.setenv(variable, "")
        assert main(["serve", "--db", str(tmp_path / "school.db"), *extra]) == 0
        return started

    @staticmethod
    async def _statuses(started: dict[str, Any], peer: str) -> list[int]:
        """Six wrong logins of one name from `peer`, each forwarded "for" another address."""
        options = {k: v for k, v in started.items() if k not in ("app", "workers")}
        config = uvicorn.Config(started["app"], **options)
        config.load()
        app = config.loaded_app
        transport = httpx.ASGITransport(app=app, client=(peer, 50000))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://school") as c:
                answers = [
                    await attempt(c, "nobody", headers={"X-Forwarded-For": f"203.0.113.{i}"})
                    for i in range(6)
                ]
        finally:
            while not hasattr(app, "state"):  # under whatever uvicorn wrapped it in
                app = app.app
            await app.state.ctx.engine.dispose()
        return [a.status_code for a in answers]

    def test_forwarded_for_from_loopback_is_ignored(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        started = self._serve(tmp_path, monkeypatch)
        assert started["proxy_headers"] is False
        assert asyncio.run(self._statuses(started, "127.0.0.1")) == [401] * 5 + [429]

    def test_trusted_proxies_are_given_on_the_command_line(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        started = self._serve(
            tmp_path, monkeypatch, "--trusted-proxy", "10.0.0.1,10.0.0.2", "--trusted-proxy", "::1"
        )
        assert os.environ["EDIARY_TRUSTED_PROXIES"] == "10.0.0.1,10.0.0.2,::1"
        assert asyncio.run(self._statuses(started, "10.0.0.2")) == [401] * 6
        assert asyncio.run(self._statuses(started, "10.0.0.3")) == [401] * 5 + [429]

    def test_a_proxy_that_is_not_an_address_is_refused(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with pytest.raises(SystemExit) as exited:
            main(["serve", "--trusted-proxy", "proxy.school.ru"])
        assert exited.value.code == 2
        assert "not an address" in capsys.readouterr().err


class TestTheTable:
    async def test_counts_are_kept_per_pair_and_address_not_per_request(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        await asyncio.gather(*(attempt(api, "Parent ") for _ in range(8)))
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(
                        s.login_throttle.c.scope,
                        s.login_throttle.c.login,
                        s.login_throttle.c.address,
                        s.login_throttle.c.attempts,
                    ).order_by(s.login_throttle.c.scope)
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            ("address", "", "127.0.0.1", 5),
            ("login", "parent", "127.0.0.1", 5),
        ]
