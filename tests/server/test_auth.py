"""Logging in, sessions, throttling, password changes: who is asking."""

from __future__ import annotations

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from ediary_tui.server.passwords import hash_password
from tests.conftest import FakeClock, login

LOGIN = "/api/v1/auth/login"


async def _first_login_user(engine: AsyncEngine, password: str = "temp-pass-1") -> str:
    """Give `student` a temporary password, as the school does for a first login."""
    async with engine.begin() as conn:
        await conn.execute(
            s.users.update()
            .where(s.users.c.login == "student")
            .values(password_hash=hash_password(password), must_change_password=True)
        )
    return password


class TestLogin:
    async def test_good_password_gives_token_and_user(self, api: httpx.AsyncClient) -> None:
        r = await api.post(LOGIN, json={"login": "parent", "password": "demo"})
        assert r.status_code == 200
        body = r.json()
        assert len(body["token"]) >= 32
        assert body["must_change_password"] is False
        assert body["user"]["login"] == "parent"
        assert body["user"]["roles"] == ["parent"]
        assert len(body["user"]["children"]) == 2
        assert body["expires_at"].endswith(("+00:00", "Z"))

    async def test_login_is_case_insensitive(self, api: httpx.AsyncClient) -> None:
        r = await api.post(LOGIN, json={"login": " Parent ", "password": "demo"})
        assert r.status_code == 200

    async def test_wrong_password_is_401_with_error_body(self, api: httpx.AsyncClient) -> None:
        r = await api.post(LOGIN, json={"login": "parent", "password": "nope"})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "wrong_credentials"

    async def test_unknown_login_answers_like_a_wrong_password(
        self, api: httpx.AsyncClient
    ) -> None:
        r = await api.post(LOGIN, json={"login": "nobody-here", "password": "demo"})
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "wrong_credentials"

    async def test_missing_field_is_422_naming_it(self, api: httpx.AsyncClient) -> None:
        r = await api.post(LOGIN, json={"login": "parent"})
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "password"

    async def test_token_is_stored_only_as_a_hash(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        token = (await api.post(LOGIN, json={"login": "parent", "password": "demo"})).json()[
            "token"
        ]
        async with engine.connect() as conn:
            stored = (await conn.execute(sa.select(s.tokens.c.token_hash))).scalars().all()
        assert token not in stored
        assert len(stored) == 1 and len(stored[0]) == 64


class TestThrottling:
    async def test_too_many_failures_for_a_login_give_429_with_retry_after(
        self, api: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        for _ in range(5):
            assert (
                await api.post(LOGIN, json={"login": "parent", "password": "x"})
            ).status_code == 401
        r = await api.post(LOGIN, json={"login": "parent", "password": "demo"})
        assert r.status_code == 429
        assert r.json()["error"]["code"] == "throttled"
        assert 1 <= int(r.headers["Retry-After"]) <= 15 * 60
        # Another login from the same address is not yet blocked.
        assert (
            await api.post(LOGIN, json={"login": "student", "password": "demo"})
        ).status_code == 200
        clock.advance(minutes=16)
        assert (
            await api.post(LOGIN, json={"login": "parent", "password": "demo"})
        ).status_code == 200

    async def test_too_many_failures_from_an_address_block_every_login(
        self, api: httpx.AsyncClient
    ) -> None:
        for i in range(30):
            await api.post(LOGIN, json={"login": f"guess{i}", "password": "x"})
        r = await api.post(LOGIN, json={"login": "student", "password": "demo"})
        assert r.status_code == 429
        assert "address" in r.json()["error"]["message"]

    async def test_success_clears_the_count_for_that_login(self, api: httpx.AsyncClient) -> None:
        for _ in range(4):
            await api.post(LOGIN, json={"login": "parent", "password": "x"})
        await login(api, "parent")
        for _ in range(4):
            await api.post(LOGIN, json={"login": "parent", "password": "x"})
        assert (
            await api.post(LOGIN, json={"login": "parent", "password": "demo"})
        ).status_code == 200


class TestSessions:
    async def test_no_token_is_401(self, api: httpx.AsyncClient) -> None:
        r = await api.get("/api/v1/me")
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "not_logged_in"

    async def test_garbage_token_is_401(self, api: httpx.AsyncClient) -> None:
        r = await api.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
        assert r.status_code == 401

    async def test_expired_token_is_401(self, api: httpx.AsyncClient, clock: FakeClock) -> None:
        headers = await login(api, "parent")
        assert (await api.get("/api/v1/me", headers=headers)).status_code == 200
        clock.advance(days=31)
        r = await api.get("/api/v1/me", headers=headers)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "token_expired"

    async def test_logout_revokes_the_token(self, api: httpx.AsyncClient) -> None:
        headers = await login(api, "parent")
        assert (await api.post("/api/v1/auth/logout", headers=headers)).status_code == 204
        r = await api.get("/api/v1/me", headers=headers)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "token_revoked"


class TestPasswordChange:
    async def test_first_login_forces_a_new_password(
        self, api: httpx.AsyncClient, engine: AsyncEngine
    ) -> None:
        temp = await _first_login_user(engine)
        r = await api.post(LOGIN, json={"login": "student", "password": temp})
        assert r.status_code == 200 and r.json()["must_change_password"] is True
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        me = (await api.get("/api/v1/me", headers=headers)).json()
        week = await api.get("/api/v1/changes?since=0", headers=headers)
        assert week.status_code == 403
        assert week.json()["error"]["code"] == "must_change_password"
        r = await api.post(
            "/api/v1/auth/password",
            json={"old_password": temp, "new_password": "a-better-one-42"},
            headers=headers,
        )
        assert r.status_code == 204
        assert (await api.get("/api/v1/changes?since=0", headers=headers)).status_code == 200
        assert me["login"] == "student"
        assert (
            await api.post(LOGIN, json={"login": "student", "password": "a-better-one-42"})
        ).status_code == 200

    async def test_change_revokes_other_sessions_but_keeps_this_one(
        self, api: httpx.AsyncClient
    ) -> None:
        other = await login(api, "parent")
        this = await login(api, "parent")
        r = await api.post(
            "/api/v1/auth/password",
            json={"old_password": "demo", "new_password": "another-secret-7"},
            headers=this,
        )
        assert r.status_code == 204
        assert (await api.get("/api/v1/me", headers=this)).status_code == 200
        assert (await api.get("/api/v1/me", headers=other)).status_code == 401

    async def test_wrong_old_password_is_422_on_that_field(self, api: httpx.AsyncClient) -> None:
        headers = await login(api, "parent")
        r = await api.post(
            "/api/v1/auth/password",
            json={"old_password": "wrong", "new_password": "another-secret-7"},
            headers=headers,
        )
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "old_password"
        assert (
            await api.post(LOGIN, json={"login": "parent", "password": "demo"})
        ).status_code == 200

    async def test_too_short_new_password_is_422(self, api: httpx.AsyncClient) -> None:
        headers = await login(api, "parent")
        r = await api.post(
            "/api/v1/auth/password",
            json={"old_password": "demo", "new_password": "short"},
            headers=headers,
        )
        assert r.status_code == 422
        assert r.json()["error"]["field"] == "new_password"


class TestMe:
    async def test_parent_sees_children_with_class_and_school(
        self, api: httpx.AsyncClient, as_parent: dict
    ) -> None:
        me = (await api.get("/api/v1/me", headers=as_parent)).json()
        classes = {c["class_name"] for c in me["children"]}
        assert len(classes) == 2
        assert all(c["school_name"] for c in me["children"])
        assert me["teaching"] == []

    async def test_teacher_sees_what_they_teach(
        self, api: httpx.AsyncClient, as_teacher: dict
    ) -> None:
        me = (await api.get("/api/v1/me", headers=as_teacher)).json()
        assert {"teacher", "class_teacher"} <= set(me["roles"])
        assert len({t["class_id"] for t in me["teaching"]}) >= 2
        assert len(me["class_teacher_of"]) == 1
        assert me["children"] == []

    async def test_student_sees_themself_as_the_child(
        self, api: httpx.AsyncClient, as_student: dict
    ) -> None:
        me = (await api.get("/api/v1/me", headers=as_student)).json()
        assert [c["id"] for c in me["children"]] == [me["id"]]
