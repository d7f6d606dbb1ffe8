"""Passwords: hashes off the event loop, the same work for every account, strong new ones."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.domain.models import Role
from ediary_tui.server import admin, passwords
from ediary_tui.server import schema as s
from ediary_tui.server.passwords import (
    CHECKED_COSTS,
    Cost,
    cost_of,
    hash_one_time_password,
    hash_password,
    needs_rehash,
    temporary_password,
    verify_password,
)
from tests.conftest import login
from tests.server.test_classes import issue
from tests.server.test_journal import class_id
from tests.server.test_week import user_id

LOGIN = "/api/v1/auth/login"


def test_a_one_time_hash_verifies_and_asks_to_be_replaced() -> None:
    password = temporary_password()
    one_time = hash_one_time_password(password)
    assert verify_password(one_time, password)
    assert not verify_password(one_time, password + "x")
    assert needs_rehash(one_time)  # the login that uses it stores the standard hash
    assert not needs_rehash(hash_password(password))


def test_one_time_passwords_are_long_random_and_unambiguous() -> None:
    seen = {temporary_password() for _ in range(500)}
    assert len(seen) == 500
    assert all(len(p) == 10 and not set(p) & set("il1o0") for p in seen)


# --- through the server ------------------------------------------------------------


@dataclass
class Work:
    """Every argon2 verification and hash the server does, as it happens."""

    verified: list[tuple[Cost | None, bool]] = field(default_factory=list)  # cost, on the loop
    hashed_on_loop: list[bool] = field(default_factory=list)
    in_progress: int = 0

    def costs(self) -> list[Cost | None]:
        return sorted((c for c, _ in self.verified), key=str)


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Work:
    seen = Work()
    verify = passwords._verify

    def verifying(password_hash: str, password: str) -> bool:
        seen.verified.append((passwords.cost_of(password_hash), _on_loop()))
        seen.in_progress += 1
        try:
            return verify(password_hash, password)
        finally:
            seen.in_progress -= 1

    def hashing(real: Callable[[str], str]) -> Callable[[str], str]:
        def wrapped(password: str) -> str:
            seen.hashed_on_loop.append(_on_loop())
            return real(password)

        return wrapped

    monkeypatch.setattr(passwords, "_verify", verifying)
    monkeypatch.setattr(passwords, "hash_password", hashing(passwords.hash_password))
    monkeypatch.setattr(
        passwords, "hash_one_time_password", hashing(passwords.hash_one_time_password)
    )
    return seen


async def _set_hash(engine: AsyncEngine, login_name: str, password_hash: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            s.users.update()
            .where(s.users.c.login == login_name)
            .values(password_hash=password_hash)
        )


def _login(api: httpx.AsyncClient, who: str, password: str) -> Awaitable[httpx.Response]:
    return api.post(LOGIN, json={"login": who, "password": password})


class TestEqualWork:
    async def test_a_wrong_password_costs_the_same_for_unknown_first_login_and_ordinary(
        self, api: httpx.AsyncClient, engine: AsyncEngine, work: Work
    ) -> None:
        await _set_hash(engine, "student", hash_one_time_password("k7rp2qa9xz"))
        costs = {}
        for who in ("nobody-at-all", "student", "parent"):
            work.verified.clear()
            assert (await _login(api, who, "wrong-guess")).status_code == 401
            costs[who] = work.costs()
        assert costs["nobody-at-all"] == costs["student"] == costs["parent"]
        assert costs["parent"] == sorted(CHECKED_COSTS, key=str)
        full, one_time = cost_of(hash_password("x")), cost_of(hash_one_time_password("x"))
        assert set(costs["parent"]) == {full, one_time} and full != one_time

    async def test_a_right_password_costs_the_same_check(
        self, api: httpx.AsyncClient, engine: AsyncEngine, work: Work
    ) -> None:
        await _set_hash(engine, "student", hash_one_time_password("k7rp2qa9xz"))
        assert (await _login(api, "student", "k7rp2qa9xz")).status_code == 200
        first_login = work.costs()
        work.verified.clear()
        assert (await _login(api, "parent", "demo")).status_code == 200
        assert first_login == work.costs() == sorted(CHECKED_COSTS, key=str)


class TestOffTheLoop:
    async def test_every_hash_and_check_runs_in_a_worker_thread(
        self, api: httpx.AsyncClient, engine: AsyncEngine, work: Work
    ) -> None:
        teacher = await login(api, "teacher")
        issued = await issue(
            api, teacher, await class_id(engine, "7А"), [await user_id(engine, "student")]
        )
        assert issued.status_code == 201, issued.text
        one_time = next(c for c in issued.json()["credentials"] if c["login"] == "student")
        headers = await login(api, "student", one_time["password"])  # and the hash replaced
        changed = await api.post(
            "/api/v1/auth/password",
            json={"old_password": one_time["password"], "new_password": "sinie-gory-7"},
            headers=headers,
        )
        assert changed.status_code == 204, changed.text
        assert (await _login(api, "nobody-at-all", "wrong")).status_code == 401
        assert len(work.hashed_on_loop) >= 4 and not any(work.hashed_on_loop)
        assert len(work.verified) >= 8 and not any(on_loop for _, on_loop in work.verified)

    async def test_healthz_answers_while_sixteen_logins_are_being_checked(
        self, api: httpx.AsyncClient, work: Work
    ) -> None:
        logins = asyncio.ensure_future(
            asyncio.gather(*(_login(api, f"made-up-{i}", "wrong") for i in range(16)))
        )
        during_a_check = 0
        while not logins.done():
            await asyncio.sleep(0.005)  # a client polling; in-process, the answer never waits
            assert (await api.get("/healthz")).status_code == 200
            # Had a check run on the loop, the loop could not be here while it ran.
            during_a_check += work.in_progress > 0
        assert {r.status_code for r in await logins} == {401}
        assert during_a_check > 0


# --- the new password ---------------------------------------------------------------


class TestWeakPasswords:
    @pytest.fixture
    async def petrova(self, engine: AsyncEngine, api: httpx.AsyncClient) -> dict[str, str]:
        await admin.create_user(
            engine,
            login="petrova.ea",
            full_name="Петрова Елена Андреевна",
            roles=[Role.PARENT],
            password="k7rp2qa9xz-old",
        )
        return await login(api, "petrova.ea", "k7rp2qa9xz-old")

    @pytest.mark.parametrize(
        ("new", "why"),
        [
            ("11111111", "common"),
            ("aaaaaaaa", "repeated"),
            ("qwerty12", "common"),
            (" " * 8, "repeated"),
            ("petrova.ea", "your login or name"),
            ("Petrova2015", "your login or name"),
            ("elena-petrova", "your login or name"),
            ("abcdefgh", "sequences"),
        ],
    )
    async def test_is_refused_saying_why_and_what_would_pass(
        self, api: httpx.AsyncClient, petrova: dict[str, str], new: str, why: str
    ) -> None:
        r = await api.post(
            "/api/v1/auth/password",
            json={"old_password": "k7rp2qa9xz-old", "new_password": new},
            headers=petrova,
        )
        assert r.status_code == 422, r.text
        body = r.json()["error"]
        assert (body["code"], body["field"]) == ("weak_password", "new_password")
        assert why in body["message"].lower() and "what would pass" in body["message"]

    async def test_weak_new_passwords_do_not_use_up_the_old_password_tries(
        self, api: httpx.AsyncClient, petrova: dict[str, str]
    ) -> None:
        for _ in range(8):
            r = await api.post(
                "/api/v1/auth/password",
                json={"old_password": "k7rp2qa9xz-old", "new_password": "qwerty12"},
                headers=petrova,
            )
            assert r.json()["error"]["code"] == "weak_password"
        r = await api.post(
            "/api/v1/auth/password",
            json={"old_password": "k7rp2qa9xz-old", "new_password": "sinie gory i reki"},
            headers=petrova,
        )
        assert r.status_code == 204, r.text
