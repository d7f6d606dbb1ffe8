"""The audit log's trace in the change feed: enough for read caches, nothing for readers.

Parents and students read the feed of their school and class; an admin's action
(who was created, whose password was reset, who is linked to which child) must
not show there.
"""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.domain.models import Role
from ediary_tui.server.school import accounts
from ediary_tui.server.school.audit import Actor
from tests.conftest import PINNED_NOW, login

ADMIN = Actor.user(1, "admin")


async def _cursor(api: httpx.AsyncClient, who: str) -> str:
    """The feed's end as `who` sees it now (following the pages to the last)."""
    headers = await login(api, who)
    cursor = None
    while True:
        params = {"since": cursor} if cursor else {}
        r = await api.get("/api/v1/changes", headers=headers, params=params)
        assert r.status_code == 200, r.text
        if not r.json()["changes"]:
            return r.json()["cursor"]
        cursor = r.json()["cursor"]


async def _since(api: httpx.AsyncClient, who: str, cursor: str) -> list[dict]:
    headers = await login(api, who)
    r = await api.get("/api/v1/changes", headers=headers, params={"since": cursor})
    assert r.status_code == 200, r.text
    return r.json()["changes"]


async def test_admin_actions_leave_the_families_feed_blank(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    before = {who: await _cursor(api, who) for who in ("parent", "student")}
    async with engine.begin() as conn:
        teacher = await accounts.user_id_by_login(conn, "teacher")
        await accounts.reset_password(conn, ADMIN, teacher, now=PINNED_NOW)
        await accounts.create_person(
            conn, ADMIN, 1, full_name="Тайнова Вера Игоревна", roles=[Role.PARENT]
        )
    for who in ("parent", "student"):
        new = await _since(api, who, before[who])
        assert new, "the read caches' version must move"
        text = str(new)
        for secret in ("teacher", "Тайнова", "password", "reset", "user.create"):
            assert secret not in text, (who, new)


async def test_a_class_teacher_issuing_a_sheet_from_the_app_is_audited(
    api: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    from ediary_tui.server.school import audit
    from tests.server.test_classes import issue
    from tests.server.test_journal import class_id

    r = await issue(api, await login(api, "teacher"), await class_id(engine, "7А"))
    assert r.status_code == 201, r.text
    async with engine.connect() as conn:
        (entry,) = await audit.entries(conn, action="credentials.issue", limit=1)
    assert (entry.actor, entry.target, entry.at) == ("teacher", "7А", PINNED_NOW)
    assert entry.detail["only_new"] is False
    assert entry.detail["issued"] == len(r.json()["credentials"]) > 0
    assert all(c["password"] not in str(entry.detail) for c in r.json()["credentials"])
