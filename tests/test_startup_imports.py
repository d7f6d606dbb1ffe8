"""The server stack stays off the path that paints the cached week at start-up.

Importing FastAPI and SQLAlchemy's asyncio layer alone costs about 0.5 s, more
than twice a bare Textual app's whole first frame; the embedded school loads
them on its first request, so a start with a remembered login must paint the
cached week without them. Each check runs in a fresh interpreter, as `sys.modules`
of the test process is full of everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PINNED_TODAY, build_school

SERVER_STACK = (
    "fastapi",
    "starlette",
    "sqlalchemy",
    "uvicorn",
    "alembic",
    "aiosqlite",
    "ediary_tui.server",
)

# `ediary` exactly as cli.cmd_app wires it (embedded demo school, client, session,
# credentials, cache, the app), with App.run stubbed out: everything up to running.
# The test has no terminal, which the app would refuse: the check is stubbed too.
BUILD_THE_APP = """
import json, sys
from ediary_tui import app, cli
app.EdiaryApp.run = lambda self, *args, **kwargs: None
cli.has_terminal = lambda: True
from ediary_tui.cli import main
assert main(["--lang", "en"]) == 0
print(json.dumps(sorted(set(sys.modules) & set(json.loads(sys.argv[1])))))
"""

# The app headless on a remembered login: which of the server stack is loaded when
# the first frame that shows the cached week is rendered.
FIRST_FRAME = """
import asyncio, datetime as dt, json, sys
from ediary_tui.client import locations
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.cache import OfflineCache
from ediary_tui.client.credentials import CredentialStore
from ediary_tui.client.session import DiarySession
from ediary_tui.embedded import DEMO_ACCOUNTS, EMBEDDED_URL, EmbeddedTransport
from ediary_tui.app import EdiaryApp
from ediary_tui.context import AppContext

stack = set(json.loads(sys.argv[1]))
transport = EmbeddedTransport(locations.demo_db_path())
credentials = CredentialStore()
session = DiarySession(DiaryClient(EMBEDDED_URL, transport=transport), credentials, OfflineCache())
app = EdiaryApp(
    AppContext.build(session, today=dt.date.fromisoformat(sys.argv[2])),
    lang="en",
    demo_accounts=DEMO_ACCOUNTS,
    notice=credentials.fallback_notice,
)
loaded = None
display = app._display

def first_frame(screen, renderable):
    global loaded
    if loaded is None and renderable is not None and getattr(screen, "week", None) is not None:
        loaded = sorted(set(sys.modules) & stack)
    display(screen, renderable)

app._display = first_frame

async def run():
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(500):
            if loaded is not None:
                break
            await pilot.pause(0.01)
    await transport.aclose()

asyncio.run(run())
print(json.dumps(loaded))
"""


def _run(code: str, home: Path, *args: str) -> object:
    env = {**os.environ, "EDIARY_HOME": str(home)}
    env.pop("PYTHONSTARTUP", None)
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(SERVER_STACK), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
async def remembered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with the demo school, `parent` logged in once and the week cached."""
    from ediary_tui.client import locations, reads
    from ediary_tui.client.api import DiaryClient
    from ediary_tui.client.cache import OfflineCache
    from ediary_tui.client.credentials import CredentialStore
    from ediary_tui.client.session import DiarySession
    from ediary_tui.embedded import EMBEDDED_URL, EmbeddedTransport

    home = tmp_path / "home"
    monkeypatch.setenv("EDIARY_HOME", str(home))
    db_path = locations.demo_db_path()
    db_path.parent.mkdir(parents=True)
    await build_school(str(db_path))
    transport = EmbeddedTransport(db_path, today=PINNED_TODAY)
    cache = OfflineCache()
    session = DiarySession(DiaryClient(EMBEDDED_URL, transport=transport), CredentialStore(), cache)
    try:
        result = await session.login("parent", "demo")
        await session.fetch(reads.week(result.user.children[0].id, PINNED_TODAY))
    finally:
        cache.close()
        await transport.aclose()
    return home


def test_building_the_app_as_cli_does_imports_no_server_stack(tmp_path: Path) -> None:
    assert _run(BUILD_THE_APP, tmp_path / "home") == []


def test_first_frame_of_the_cached_week_needs_no_server_stack(remembered: Path) -> None:
    assert _run(FIRST_FRAME, remembered, PINNED_TODAY.isoformat()) == []
