"""Answer headers, the bearer scheme in the OpenAPI document, and the docs served from the package."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server.app import create_app
from ediary_tui.server.settings import ServerSettings
from tests.conftest import login
from tests.server.test_write_conventions import OPEN_ROUTES, fill_path, openapi, operations

API = "/api/v1"


def assert_always(r: httpx.Response) -> None:
    where = f"{r.request.method} {r.request.url.path}: {r.status_code}"
    assert r.headers.get("X-Content-Type-Options") == "nosniff", where
    assert r.headers.get("Referrer-Policy") == "no-referrer", where


def assert_private(r: httpx.Response) -> None:
    assert_always(r)
    where = f"{r.request.method} {r.request.url.path}: {r.status_code}"
    assert r.headers.get_list("Cache-Control") == ["no-store"], where


class TestAnswerHeaders:
    async def test_every_read_of_the_api_as_a_parent_is_no_store(
        self, api: httpx.AsyncClient, as_parent: dict[str, str]
    ) -> None:
        doc = await openapi(api)
        reads = [
            path
            for method, path, _op in operations(doc)
            if method == "get" and ("get", path) not in OPEN_ROUTES
        ]
        assert len(reads) >= 10
        statuses = set()
        for path in reads:
            r = await api.get(fill_path(path), headers=as_parent)
            statuses.add(r.status_code)
            assert_private(r)
        assert 200 in statuses and statuses - {200}  # answers and refusals alike

    async def test_the_login_answer_with_its_token_is_no_store(
        self, api: httpx.AsyncClient
    ) -> None:
        r = await api.post(f"{API}/auth/login", json={"login": "parent", "password": "demo"})
        assert r.status_code == 200 and "token" in r.json()
        assert_private(r)

    async def test_errors_carry_them_too(self, api: httpx.AsyncClient) -> None:
        answers = [
            await api.get(f"{API}/me"),  # 401 in the API's error body
            await api.get(f"{API}/me", headers={"Authorization": "Bearer nope"}),
            await api.get(f"{API}/no-such-thing"),  # 404 from the router
            await api.delete(f"{API}/auth/login"),  # 405
            await api.post(f"{API}/auth/login", content=b"{"),  # 422
            await api.post(f"{API}/auth/login", content=b"x" * (1024 * 1024 + 1)),  # 413
        ]
        assert [r.status_code for r in answers] == [401, 401, 404, 405, 422, 413]
        assert answers[0].json()["error"]["code"] == "not_logged_in"
        for r in answers:
            assert_private(r)

    async def test_an_unexpected_failure_carries_them_too(
        self, engine: AsyncEngine, settings: ServerSettings
    ) -> None:
        app = create_app(engine, settings)

        @app.get(f"{API}/boom")
        async def boom() -> None:
            raise RuntimeError("a bug")

        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://school") as client:
            r = await client.get(f"{API}/boom")
        assert r.status_code == 500
        assert_private(r)

    async def test_the_public_documents_may_be_cached(self, api: httpx.AsyncClient) -> None:
        r = await api.get(f"{API}/openapi.json")
        assert r.status_code == 200
        assert_always(r)
        assert "Cache-Control" not in r.headers


class TestBearerScheme:
    async def test_the_document_declares_the_bearer_scheme(self, api: httpx.AsyncClient) -> None:
        doc = await openapi(api)
        assert doc["components"]["securitySchemes"]["bearer"] == {
            "type": "http",
            "scheme": "bearer",
            "description": "the token from POST /api/v1/auth/login",
        }

    async def test_every_route_but_the_open_ones_asks_for_it(self, api: httpx.AsyncClient) -> None:
        doc = await openapi(api)
        for method, path, op in operations(doc):
            if (method, path) in OPEN_ROUTES:
                assert "security" not in op, (method, path)
            else:
                assert op.get("security") == [{"bearer": []}], (method, path)

    async def test_no_route_lists_authorization_as_a_plain_header(
        self, api: httpx.AsyncClient
    ) -> None:
        doc = await openapi(api)
        for method, path, op in operations(doc):
            names = {p["name"].lower() for p in op.get("parameters", []) if p["in"] == "header"}
            assert "authorization" not in names, (method, path)

    async def test_the_token_works_in_any_case_of_bearer(self, api: httpx.AsyncClient) -> None:
        token = (await login(api, "parent"))["Authorization"].removeprefix("Bearer ")
        for scheme in ("Bearer", "bearer", "BEARER"):
            r = await api.get(f"{API}/me", headers={"Authorization": f"{scheme} {token}"})
            assert r.status_code == 200, scheme


@pytest.fixture
async def docs_api(
    engine: AsyncEngine, settings: ServerSettings
) -> AsyncIterator[httpx.AsyncClient]:
    """The server as `ediary serve --docs` runs it."""
    settings.docs = True
    transport = httpx.ASGITransport(app=create_app(engine, settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://school") as client:
        yield client


class TestDocs:
    async def test_off_unless_asked_for(self, api: httpx.AsyncClient) -> None:
        assert (await api.get(f"{API}/docs")).status_code == 404
        assert (await api.get(f"{API}/docs/static/swagger-ui-bundle.js")).status_code == 404
        assert (await api.get(f"{API}/openapi.json")).status_code == 200

    async def test_with_docs_the_page_loads_nothing_from_another_host(
        self, docs_api: httpx.AsyncClient
    ) -> None:
        r = await docs_api.get(f"{API}/docs")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert_always(r)
        page = r.text
        assert "cdn" not in page and "http" not in page
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            assert f'"{API}/docs/static/{asset}"' in page
        assert f"url: '{API}/openapi.json'" in page
        csp = r.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self' 'unsafe-inline'" in csp

    async def test_with_docs_the_assets_come_from_the_package(
        self, docs_api: httpx.AsyncClient
    ) -> None:
        js = await docs_api.get(f"{API}/docs/static/swagger-ui-bundle.js")
        assert js.status_code == 200 and "javascript" in js.headers["content-type"]
        assert b"SwaggerUIBundle" in js.content
        assert_always(js)
        css = await docs_api.get(f"{API}/docs/static/swagger-ui.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")

    async def test_the_docs_are_not_in_the_document(self, docs_api: httpx.AsyncClient) -> None:
        doc = await openapi(docs_api)
        assert not [p for p in doc["paths"] if p.startswith(f"{API}/docs")]


class TestServeDocs:
    def test_serve_docs_reaches_every_worker_through_the_environment(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from ediary_tui.cli import build_parser
        from ediary_tui.server.asgi import DOCS_VARIABLE, app_from_env

        assert build_parser().parse_args(["serve", "--docs"]).docs is True
        assert build_parser().parse_args(["serve"]).docs is False
        monkeypatch.setenv("EDIARY_DB", str(tmp_path / "school.db"))
        for value, served in (("1", True), ("0", False)):
            monkeypatch.setenv(DOCS_VARIABLE, value)
            paths = {getattr(route, "path", None) for route in app_from_env().routes}
            assert (f"{API}/docs" in paths) is served
