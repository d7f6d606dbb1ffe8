"""The access log of `ediary serve`: a line a request, and no token or password in it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.cli import build_parser
from ediary_tui.server.access_log import safe_target
from ediary_tui.server.app import create_app
from ediary_tui.server.settings import ServerSettings
from tests.conftest import FakeClock

NEW_PASSWORD = "a-secret-nobody-guesses-7"


async def _client(
    engine: AsyncEngine, settings: ServerSettings, peer: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(engine, settings), client=(peer, 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://school") as client:
        yield client


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    return tmp_path / "access.log"


@pytest.fixture
async def logged_api(
    engine: AsyncEngine, clock: FakeClock, log_file: Path
) -> AsyncIterator[httpx.AsyncClient]:
    settings = ServerSettings(clock=clock, access_log=str(log_file))
    async for client in _client(engine, settings):
        yield client


class TestAccessLog:
    async def test_lines_without_the_password_or_the_token(
        self, logged_api: httpx.AsyncClient, log_file: Path
    ) -> None:
        r = await logged_api.post(
            "/api/v1/auth/login", json={"login": "parent", "password": "demo"}
        )
        token = r.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        r = await logged_api.post(
            "/api/v1/auth/password",
            json={"old_password": "demo", "new_password": NEW_PASSWORD},
            headers=headers,
        )
        assert r.status_code == 204
        # A secret in a query string (a client's mistake) is not written either.
        await logged_api.get(
            f"/api/v1/me?token={token}&password={NEW_PASSWORD}&api_key=k1&lang=ru", headers=headers
        )
        text = log_file.read_text(encoding="utf-8")
        lines = [line.split("\t") for line in text.splitlines()]
        assert [(x[1], x[2], x[3], x[4]) for x in lines] == [
            ("127.0.0.1", "POST", "/api/v1/auth/login", "200"),
            ("127.0.0.1", "POST", "/api/v1/auth/password", "204"),
            ("127.0.0.1", "GET", "/api/v1/me?token=***&password=***&api_key=***&lang=ru", "200"),
        ]
        assert all(x[0] == "2026-11-25T15:00:00Z" and x[5].endswith("ms") for x in lines)
        assert all(float(x[5].removesuffix("ms")) >= 0 for x in lines)
        for secret in (token, NEW_PASSWORD, "demo", "Bearer", "k1"):
            assert secret not in text

    async def test_the_client_behind_a_trusted_proxy(
        self, engine: AsyncEngine, clock: FakeClock, log_file: Path
    ) -> None:
        forwarded = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
        trusting = ServerSettings(
            clock=clock, access_log=str(log_file), trusted_proxies=("10.0.0.0/8",)
        )
        async for api in _client(engine, trusting, peer="10.0.0.2"):
            assert (await api.get("/healthz", headers=forwarded)).status_code == 200
        # From anyone else, the header is the client's own word and is not believed.
        async for api in _client(engine, trusting, peer="192.0.2.4"):
            await api.get("/healthz", headers=forwarded)
        assert [line.split("\t")[1] for line in log_file.read_text().splitlines()] == [
            "203.0.113.9",
            "192.0.2.4",
        ]

    async def test_refused_and_unknown_requests_are_logged_too(
        self, logged_api: httpx.AsyncClient, log_file: Path
    ) -> None:
        await logged_api.get("/api/v1/me")
        await logged_api.get("/nowhere")
        statuses = [line.split("\t")[4] for line in log_file.read_text().splitlines()]
        assert statuses == ["401", "404"]

    async def test_off_unless_asked(
        self, engine: AsyncEngine, clock: FakeClock, tmp_path: Path
    ) -> None:
        async for api in _client(engine, ServerSettings(clock=clock)):
            await api.get("/healthz")
        assert list(tmp_path.iterdir()) == []


def test_secret_looking_parameters_keep_their_name_only() -> None:
    assert safe_target("/api/v1/changes", b"since=5&access_token=abc") == (
        "/api/v1/changes?since=5&access_token=***"
    )
    assert safe_target("/api/v1/me", b"") == "/api/v1/me"
    assert safe_target("/a b", b"q=x%20y&Key=z") == "/a%20b?q=x%20y&Key=***"


def test_serve_flags() -> None:
    parser = build_parser()
    assert parser.parse_args(["serve"]).access_log == "-"
    args = parser.parse_args(["serve", "--access-log", "/var/log/ediary/access.log"])
    assert (args.access_log, args.no_access_log) == ("/var/log/ediary/access.log", False)
    assert parser.parse_args(["serve", "--no-access-log"]).no_access_log is True
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--no-access-log", "--access-log", "x.log"])


def test_a_log_file_that_cannot_be_written_is_refused_before_serving(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ediary_tui.cli import main

    where = tmp_path / "missing-dir" / "access.log"
    code = main(["serve", "--db", str(tmp_path / "s.db"), "--access-log", str(where)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"ediary: cannot write the access log '{where}': No such file or directory\n"
    )
    assert not (tmp_path / "s.db").exists()  # refused before the database was touched


async def test_serve_turns_uvicorns_log_off_and_gives_the_workers_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `ediary serve` hands uvicorn and its workers (run here without a socket)."""
    import uvicorn

    from ediary_tui.cli import main
    from ediary_tui.server.asgi import app_from_env

    for name in ("EDIARY_DB", "EDIARY_DOCS", "EDIARY_TRUSTED_PROXIES", "EDIARY_ACCESS_LOG"):
        monkeypatch.setenv(name, "")
    given: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: given.update(app=app, **kw))
    log = tmp_path / "logs" / ".." / "access.log"
    db = tmp_path / "s.db"
    code = await asyncio.to_thread(
        main, ["serve", "--db", str(db), "--access-log", str(log), "--trusted-proxy", "10.0.0.1"]
    )
    assert code == 0
    assert given["access_log"] is False and given["proxy_headers"] is False
    assert os.environ["EDIARY_ACCESS_LOG"] == str(tmp_path / "access.log")
    app = app_from_env()  # what each worker builds
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://s") as client:
        await client.get("/healthz?key=abc", headers={"X-Forwarded-For": "192.0.2.8"})
    await app.state.ctx.engine.dispose()
    (line,) = (tmp_path / "access.log").read_text().splitlines()
    assert line.split("\t")[1:5] == ["192.0.2.8", "GET", "/healthz?key=***", "200"]
    monkeypatch.setenv("EDIARY_ACCESS_LOG", "")
    capsys.readouterr()
