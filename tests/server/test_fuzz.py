"""The API fuzzed by Schemathesis, in-process, as each role and without a token (issue 10).

Schemathesis reads the OpenAPI document the app publishes and, for every operation,
sends requests, valid ones and (as negative cases) invalid ones: its coverage phase's
boundary cases (each field at its limits, missing, of another JSON type) and generated
ones. It checks each answer: never a 5xx, a status code the document declares for that
operation, the declared content type and headers, a body that matches the declared
schema, and an invalid request refused with a 4xx.

Each test (one operation, one role) runs over a fresh copy of the demo school in which
every role has logged in already, so what one test writes, revokes (a logout, a
password change, new first-login passwords) or throttles never reaches another. Half
of the valid requests carry real ids of the demo school in place of generated ones
(`_aim`), so they get past 404 into the routes' own checks and writes.

The generated examples are bounded (`EXAMPLES`, `EDIARY_FUZZ_EXAMPLES` to go deeper)
and derandomized: the suite stays short (about a minute on SQLite, under two on
PostgreSQL) and a failure comes back on the next run. The summary line per role counts
the requests and their statuses.
"""

from __future__ import annotations

import os
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from ediary_tui.domain.periods import week_start
from ediary_tui.server import db
from ediary_tui.server import schema as s
from ediary_tui.server.app import create_app
from ediary_tui.server.settings import ServerContext, ServerSettings
from tests.conftest import PINNED_TODAY, FakeClock, Template

ROLES = ("student", "parent", "teacher", "admin")
EXAMPLES = int(os.environ.get("EDIARY_FUZZ_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

# The app whose document is fuzzed; each test points it at a database of its own
# (`fresh`). No query runs while the document is read: this engine never connects.
APP = create_app(create_async_engine("sqlite+aiosqlite:///never-opened.db"))
schema = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json",
    APP,
    config=schemathesis.Config.from_dict(
        {
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "deterministic": True,
                "database": "none",
                # The token is the test's (one per role): no generated Authorization. An
                # unknown query parameter is ignored, as HTTP APIs do, not an invalid one.
                "with-security-parameters": False,
                "allow-extra-parameters": False,
            },
            # Coverage: each field at its bounds, missing, of another type; fuzzing: EXAMPLES
            # generated requests. Methods an operation does not have are not tried.
            "phases": {"coverage": {"enabled": True, "unexpected-methods": []}},
        }
    ),
)

# (role, status) of every answer, for the summary lines.
ANSWERS: Counter[tuple[str, int]] = Counter()


@dataclass(frozen=True)
class LoggedIn:
    """A demo school where every role has logged in: their tokens, and real ids to aim at."""

    template: Template
    tokens: dict[str, str]
    ids: dict[str, str]


async def _first(conn: AsyncConnection, query: sa.Select[Any]) -> str:
    value = (await conn.execute(query.limit(1))).scalar()
    assert value is not None, query
    return str(value)


async def _real_ids(engine: AsyncEngine) -> dict[str, str]:
    """Ids every role can see: the well-known family's older child in 7А, whose Алгебра
    `teacher` teaches and leads the class, this week and quarter."""
    u, c, sub, le, p = s.users, s.classes, s.subjects, s.lessons, s.periods
    async with engine.connect() as conn:
        ids = {
            login + "_id": await _first(conn, sa.select(u.c.id).where(u.c.login == login))
            for login in ("student", "teacher", "parent")
        }
        ids["class_id"] = await _first(conn, sa.select(c.c.id).where(c.c.name == "7А"))
        ids["subject_id"] = await _first(conn, sa.select(sub.c.id).where(sub.c.name == "Алгебра"))
        in_journal = (
            le.c.class_id == int(ids["class_id"]),
            le.c.subject_id == int(ids["subject_id"]),
            le.c.date <= PINNED_TODAY,
        )
        ids["lesson_id"] = await _first(
            conn, sa.select(le.c.id).where(*in_journal).order_by(le.c.date.desc())
        )
        ids["period_id"] = await _first(
            conn,
            sa.select(p.c.id).where(
                p.c.kind == "quarter", p.c.starts_on <= PINNED_TODAY, p.c.ends_on >= PINNED_TODAY
            ),
        )
        ids["mark_id"] = await _first(
            conn,
            sa.select(s.marks.c.id)
            .join(le, le.c.id == s.marks.c.lesson_id)
            .where(*in_journal, s.marks.c.student_id == int(ids["student_id"]))
            .order_by(le.c.date.desc()),
        )
        ids["homework_id"] = await _first(
            conn,
            sa.select(s.homework.c.id)
            .join(le, le.c.id == s.homework.c.lesson_id)
            .where(*in_journal)
            .order_by(le.c.date.desc()),
        )
        ids["thread_id"] = await _first(
            conn, sa.select(s.threads.c.id).where(s.threads.c.parent_id == int(ids["parent_id"]))
        )
        notices = s.absence_notices
        ids["notice_id"] = await _first(
            conn,
            sa.select(notices.c.id).where(notices.c.student_id == int(ids["student_id"])),
        )
    ids["monday"] = week_start(PINNED_TODAY).isoformat()
    return ids


@pytest.fixture(scope="module")
async def logged_in(demo_template: Template) -> AsyncIterator[LoggedIn]:
    url = await demo_template.clone()
    engine = db.create_engine(url)
    app = create_app(engine, ServerSettings(clock=FakeClock()))
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    tokens = {}
    async with httpx.AsyncClient(transport=transport, base_url="http://school") as client:
        for role in ROLES:
            r = await client.post("/api/v1/auth/login", json={"login": role, "password": "demo"})
            assert r.status_code == 200, r.text
            tokens[role] = r.json()["token"]
    ids = await _real_ids(engine)
    await engine.dispose()  # a PostgreSQL template takes no copies while connected
    yield LoggedIn(Template(url, demo_template.tmp, demo_template.counter), tokens, ids)
    await demo_template.drop(url)


def _engine(url: str) -> AsyncEngine:
    """An engine for the app's own event loop (Schemathesis runs the app in a thread of
    its own): no pool, so no connection outlives the loop that opened it."""
    if make_url(db.normalise_url(url)).get_backend_name() == "sqlite":
        return db.create_engine(url, nullpool=True)
    return create_async_engine(db.normalise_url(url), poolclass=NullPool)


@pytest.fixture
async def fresh(logged_in: LoggedIn) -> AsyncIterator[LoggedIn]:
    """The app over a fresh copy of the logged-in school."""
    url = await logged_in.template.clone()
    APP.state.ctx = ServerContext(engine=_engine(url), settings=ServerSettings(clock=FakeClock()))
    yield logged_in
    await logged_in.template.drop(url)


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    """A line per role: how many requests were sent, and how they were answered."""
    yield
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is None or capture is None or not ANSWERS:
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        for role in [*ROLES, "anonymous"]:
            statuses = sorted((code, n) for (who, code), n in ANSWERS.items() if who == role)
            total = sum(n for _code, n in statuses)
            spread = ", ".join(f"{code}: {n}" for code, n in statuses)
            reporter.write_line(f"schemathesis as {role}: {total} requests ({spread})")


def _aim(case: schemathesis.Case, ids: dict[str, str]) -> None:
    """In half of the valid requests (chosen by the generated value, so a run repeats),
    ids become real ones: a random id is nearly always a 404, real ones reach the checks
    and the writes behind it. Invalid requests stay as generated, invalid."""
    if case.meta is not None and case.meta.generation.mode.is_negative:
        return
    for values in (case.path_parameters, case.query, case.body):
        if not isinstance(values, dict):
            continue
        for name, value in values.items():
            if name in ids and zlib.crc32(repr(value).encode()) % 2:
                values[name] = ids[name]


@schema.parametrize()
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_api(case: schemathesis.Case, role: str, fresh: LoggedIn) -> None:
    """One request as `role` (a token from the logged-in school, none when anonymous)."""
    token = fresh.tokens.get(role)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    _aim(case, fresh.ids)
    response = case.call_and_validate(headers=headers, checks=CHECKS)
    ANSWERS[(role, response.status_code)] += 1


def test_the_document_declares_each_routes_own_errors() -> None:
    """What the fuzz holds the answers to: every route lists the errors it gives, and no
    more (healthz is never 401, only login and the password change are throttled)."""
    paths = APP.openapi()["paths"]

    def codes(method: str, path: str) -> set[str]:
        return set(paths[f"/api/v1{path}" if path != "/healthz" else path][method]["responses"])

    assert codes("get", "/healthz") == {"200", "413", "422"}
    assert codes("post", "/auth/login") == {"200", "401", "413", "422", "429"}
    assert codes("post", "/auth/password") == {"204", "401", "413", "422", "429"}
    assert codes("get", "/me") == {"200", "401", "413", "422"}
    attendance = codes("put", "/lessons/{lesson_id}/attendance/{student_id}")
    assert attendance == {"200", "401", "403", "404", "409", "413", "422"}
    assert codes("get", "/classes") == {"200", "401", "403", "413", "422"}
    login_429 = paths["/api/v1/auth/login"]["post"]["responses"]["429"]
    assert "Retry-After" in login_429["headers"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)
