"""Idempotency keys bound to their request: the same key replays only the same request.

A key is stored with the method, the route and a fingerprint of the body; the same key
with another route or body is a 422 `idempotency_key_reused` that creates nothing, the
replay comes only after authentication, and keys stored before they were bound replay.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import db
from ediary_tui.server import schema as s
from ediary_tui.server.idempotency import fingerprint
from tests.conftest import PINNED_NOW
from tests.server.test_classes import family_ids, issue, password_state
from tests.server.test_journal import API, class_id, lesson, table_counts
from tests.server.test_migrations import db_head
from tests.server.test_week import children, rows, user_id

MARKS = f"{API}/marks"
ANNOUNCEMENTS = f"{API}/announcements"


async def _announcement(engine: AsyncEngine) -> dict[str, str]:
    return {"class_id": await class_id(engine, "7А"), "title": "Собрание", "body": "В четверг"}


async def _mark(engine: AsyncEngine, value: int = 4) -> dict[str, Any]:
    target = await lesson(engine)
    return {
        "student_id": await user_id(engine, "student"),
        "lesson_id": str(target.id),
        "value": value,
    }


def _reused(r: httpx.Response) -> str:
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    return error["message"]


async def _stored(engine: AsyncEngine, key: str) -> Any:
    i = s.idempotency.c
    found = await rows(engine, sa.select(s.idempotency).where(i.key == key))
    assert len(found) == 1
    return found[0]


class TestAKeyIsBoundToItsRequest:
    async def test_a_key_first_used_for_an_announcement_is_refused_for_a_mark(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        headers = {**as_teacher, "Idempotency-Key": "k-announce"}
        first = await api.post(ANNOUNCEMENTS, json=await _announcement(engine), headers=headers)
        assert first.status_code == 201, first.text
        before = await table_counts(engine)
        r = await api.post(MARKS, json=await _mark(engine), headers=headers)
        message = _reused(r)
        assert "POST /api/v1/announcements" in message and "new key" in message
        assert "Idempotent-Replayed" not in r.headers
        assert await table_counts(engine) == before

    async def test_the_same_key_with_another_body_is_refused_and_creates_nothing(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        headers = {**as_teacher, "Idempotency-Key": "k-mark"}
        first = await api.post(MARKS, json=await _mark(engine, 4), headers=headers)
        assert first.status_code == 201
        before = await table_counts(engine)
        message = _reused(await api.post(MARKS, json=await _mark(engine, 5), headers=headers))
        assert "POST /api/v1/marks with another body" in message
        assert await table_counts(engine) == before
        # The first request again is still its replay.
        again = await api.post(MARKS, json=await _mark(engine, 4), headers=headers)
        assert again.status_code == 201 and again.json() == first.json()
        assert again.headers.get("Idempotent-Replayed") == "true"

    async def test_the_same_body_spelled_otherwise_is_the_same_request(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        body = await _mark(engine)
        headers = {
            **as_teacher,
            "Idempotency-Key": "k-spelling",
            "Content-Type": "application/json",
        }
        first = await api.post(MARKS, content=json.dumps(body), headers=headers)
        assert first.status_code == 201, first.text
        reordered = json.dumps(dict(reversed(list(body.items()))), indent=2)
        again = await api.post(MARKS, content=reordered, headers=headers)
        assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
        assert again.headers.get("Idempotent-Replayed") == "true"

    async def test_the_same_key_for_another_child_is_refused(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_parent: dict
    ) -> None:
        older, younger = await children(api, as_parent)
        headers = {**as_parent, "Idempotency-Key": "k-notice"}
        body = {"from": "2026-11-30", "to": "2026-11-30", "reason": "family"}
        url = f"{API}/students/{{}}/absence-notices"
        first = await api.post(url.format(older), json=body, headers=headers)
        assert first.status_code == 201, first.text
        before = await table_counts(engine)
        _reused(await api.post(url.format(younger), json=body, headers=headers))
        assert await table_counts(engine) == before
        n = s.absence_notices
        assert not await rows(
            engine,
            sa.select(n.c.id).where(
                n.c.student_id == int(younger), n.c.from_date == dt.date(2026, 11, 30)
            ),
        )

    async def test_the_key_is_stored_with_method_route_and_fingerprint(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        body = await _mark(engine)
        r = await api.post(MARKS, json=body, headers={**as_teacher, "Idempotency-Key": "k-row"})
        assert r.status_code == 201
        row = await _stored(engine, "k-row")
        assert (row.method, row.route, row.status) == ("POST", "/api/v1/marks", 201)
        assert row.fingerprint == fingerprint({}, json.dumps(body).encode())
        assert len(row.fingerprint) == 64 and int(row.fingerprint, 16) >= 0

    async def test_keys_are_per_user(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict, as_admin: dict
    ) -> None:
        body = await _announcement(engine)
        mine = await api.post(
            ANNOUNCEMENTS, json=body, headers={**as_teacher, "Idempotency-Key": "k-shared"}
        )
        theirs = await api.post(
            ANNOUNCEMENTS, json=body, headers={**as_admin, "Idempotency-Key": "k-shared"}
        )
        assert mine.status_code == theirs.status_code == 201
        assert mine.json()["id"] != theirs.json()["id"]

    async def test_one_key_with_two_bodies_at_once_creates_one_and_refuses_the_other(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        headers = {**as_teacher, "Idempotency-Key": "k-burst"}
        bodies = [await _mark(engine, 4), await _mark(engine, 5)] * 10
        before = await table_counts(engine)
        answers = await asyncio.gather(*(api.post(MARKS, json=b, headers=headers) for b in bodies))
        assert not [r.text for r in answers if r.status_code >= 500]
        won = {r.json()["value"] for r in answers if r.status_code == 201}
        assert len(won) == 1
        assert sorted(r.status_code for r in answers) == [201] * 10 + [422] * 10
        assert all(_reused(r) for r in answers if r.status_code == 422)
        after = await table_counts(engine)
        assert after["marks"] == before["marks"] + 1
        assert after["changes"] == before["changes"] + 1


class TestTheReplayComesAfterAuthentication:
    async def test_a_known_key_without_a_good_token_is_401(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        body = await _mark(engine)
        headers = {**as_teacher, "Idempotency-Key": "k-auth"}
        assert (await api.post(MARKS, json=body, headers=headers)).status_code == 201
        for auth in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eA=="}):
            r = await api.post(MARKS, json=body, headers={"Idempotency-Key": "k-auth", **auth})
            assert r.status_code == 401, auth
            assert "Idempotent-Replayed" not in r.headers and "id" not in r.json()

    async def test_every_route_that_replays_asks_for_a_token_first(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        """Every route taking an Idempotency-Key, with a key this user has stored for it."""
        doc = (await api.get(f"{API}/openapi.json")).json()
        keyed = [
            (method, path)
            for path, ops in doc["paths"].items()
            for method, op in ops.items()
            if any(p["name"] == "Idempotency-Key" for p in op.get("parameters", []))
        ]
        assert len(keyed) >= 6, keyed
        teacher = int(await user_id(engine, "teacher"))
        for method, path in keyed:
            url = path.replace("{", "").replace("}", "")  # any ids: the token comes first
            async with engine.begin() as conn:
                await conn.execute(
                    s.idempotency.insert().values(
                        user_id=teacher,
                        key=f"stored {url}",
                        status=201,
                        body={"id": "replayed"},
                        created_at=PINNED_NOW,
                    )
                )
            r = await api.request(
                method.upper(), url, json={}, headers={"Idempotency-Key": f"stored {url}"}
            )
            assert r.status_code == 401, (method, path, r.text)


class TestKeysStoredBeforeTheyWereBound:
    async def test_a_key_without_a_fingerprint_replays_as_it_did(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        teacher = int(await user_id(engine, "teacher"))
        async with engine.begin() as conn:
            await conn.execute(
                s.idempotency.insert().values(
                    user_id=teacher,
                    key="k-legacy",
                    status=201,
                    body={"id": "7"},
                    created_at=PINNED_NOW,
                )
            )
        before = await table_counts(engine)
        r = await api.post(
            MARKS, json=await _mark(engine), headers={**as_teacher, "Idempotency-Key": "k-legacy"}
        )
        assert r.status_code == 201 and r.json() == {"id": "7"}
        assert r.headers.get("Idempotent-Replayed") == "true"
        assert await table_counts(engine) == before

    async def test_the_migration_keeps_old_keys_and_binds_new_ones(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        await db.downgrade(engine, "0002")
        async with engine.begin() as conn:
            columns = {
                c["name"]
                for c in await conn.run_sync(lambda c: sa.inspect(c).get_columns("idempotency"))
            }
            assert "fingerprint" not in columns
            await conn.execute(
                sa.text(
                    "INSERT INTO idempotency (user_id, key, status, body, created_at) "
                    "VALUES (:u, 'k-before', 201, :b, :at)"
                ),
                {"u": int(await user_id(engine, "teacher")), "b": '{"id": "8"}', "at": PINNED_NOW},
            )
        await db.upgrade(engine)
        async with engine.connect() as conn:
            assert await db.current_revision(conn) == db_head()  # the newest migration
        row = await _stored(engine, "k-before")
        assert (row.method, row.route, row.fingerprint, row.body) == (None, None, None, {"id": "8"})
        r = await api.post(
            MARKS, json=await _mark(engine), headers={**as_teacher, "Idempotency-Key": "k-before"}
        )
        assert r.status_code == 201 and r.json() == {"id": "8"}


class TestSealedAnswers:
    async def test_passwords_replay_only_to_the_same_request_and_stay_sealed(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        cid = await class_id(engine, "7А")
        pupil = await user_id(engine, "student")
        first = await issue(api, as_teacher, cid, [pupil], key="k-sheet")
        assert first.status_code == 201, first.text
        state = await password_state(engine, await family_ids(engine, pupil))
        _reused(await issue(api, as_teacher, cid, None, key="k-sheet"))
        _reused(
            await api.post(
                MARKS,
                json=await _mark(engine),
                headers={**as_teacher, "Idempotency-Key": "k-sheet"},
            )
        )
        assert await password_state(engine, await family_ids(engine, pupil)) == state
        again = await issue(api, as_teacher, cid, [pupil], key="k-sheet")
        assert again.status_code == 201 and again.json() == first.json()
        i = s.idempotency.c
        stored = await rows(engine, sa.select(s.idempotency).where(i.route.like("%credentials")))
        assert len(stored) == 1 and "k-sheet" not in stored[0].key
        assert stored[0].fingerprint == fingerprint(
            {"class_id": cid}, json.dumps({"student_ids": [pupil], "only_new": False}).encode()
        )
        everything = json.dumps([list(r) for r in stored], default=str)
        for person in first.json()["credentials"]:
            assert person["password"] not in everything
        # A key first used where answers are plain is reused for a sealed one too.
        mark = await api.post(
            MARKS, json=await _mark(engine), headers={**as_teacher, "Idempotency-Key": "k-plain"}
        )
        assert mark.status_code == 201
        _reused(await issue(api, as_teacher, cid, [pupil], key="k-plain"))
        assert await password_state(engine, await family_ids(engine, pupil)) == state


async def test_a_fingerprint_ignores_spacing_and_order_but_not_values_or_ids() -> None:
    body = {"a": 1, "b": [1, 2]}
    same = fingerprint({"x": "1"}, json.dumps(body).encode())
    assert same == fingerprint({"x": "1"}, b'{ "b": [1, 2],\n "a": 1 }')
    assert same != fingerprint({"x": "2"}, json.dumps(body).encode())
    assert same != fingerprint({"x": "1"}, json.dumps({**body, "a": 2}).encode())
    assert fingerprint({}, b"") != fingerprint({}, b"null")
