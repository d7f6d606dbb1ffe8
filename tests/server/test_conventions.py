"""API.md's conventions: health, the OpenAPI document, error bodies, limits."""

from __future__ import annotations

import httpx


class TestHealthAndContract:
    async def test_healthz_needs_no_auth(self, api: httpx.AsyncClient) -> None:
        r = await api.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}

    async def test_openapi_document_lists_the_fixed_core(self, api: httpx.AsyncClient) -> None:
        doc = (await api.get("/api/v1/openapi.json")).json()
        paths = doc["paths"]
        for path in (
            "/api/v1/auth/login",
            "/api/v1/auth/password",
            "/api/v1/auth/logout",
            "/api/v1/me",
            "/api/v1/changes",
        ):
            assert path in paths, path


class TestErrorBodies:
    async def test_unknown_path_is_404_in_the_error_shape(self, api: httpx.AsyncClient) -> None:
        r = await api.get("/api/v1/no-such-thing")
        assert r.status_code == 404
        assert r.json()["error"]["code"] == "not_found"

    async def test_wrong_method_is_405_in_the_error_shape(self, api: httpx.AsyncClient) -> None:
        r = await api.delete("/api/v1/auth/login")
        assert r.status_code == 405
        assert r.json()["error"]["code"] == "method_not_allowed"

    async def test_broken_json_is_422(self, api: httpx.AsyncClient) -> None:
        r = await api.post(
            "/api/v1/auth/login", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 422
        assert r.json()["error"]["code"] == "invalid_json"


class TestLimits:
    async def test_declared_body_over_one_mib_is_413(self, api: httpx.AsyncClient) -> None:
        r = await api.post("/api/v1/auth/login", content=b"x" * (1024 * 1024 + 1))
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "too_large"

    async def test_streamed_body_over_one_mib_is_413(self, api: httpx.AsyncClient) -> None:
        async def chunks():
            for _ in range(20):
                yield b"y" * 65536

        r = await api.post("/api/v1/auth/login", content=chunks())
        assert r.status_code == 413

    async def test_body_just_under_the_limit_is_read(self, api: httpx.AsyncClient) -> None:
        payload = b'{"login": "parent", "password": "' + b"p" * 1000 + b'"}'
        r = await api.post(
            "/api/v1/auth/login", content=payload, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 401
