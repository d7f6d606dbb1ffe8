"""The journal's writes: laid over the server's copy at once, sent in order, never lost.

`JournalState` and `OutboxSender` without Textual and without a server: a
fake client answers (or fails) the way `DiaryClient` would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest

from ediary_tui.client import locations
from ediary_tui.client.errors import Conflict, NotFound, ServerUnreachable
from ediary_tui.client.journal_state import SAVED, JournalState
from ediary_tui.client.journal_sync import JournalSync, OutboxSender, Outcome, SendState
from ediary_tui.client.outbox import PENDING, REFUSED, Outbox
from ediary_tui.domain.models import AttendanceCode, Journal, MarkIn

from .conftest import SERVER

CLASSWORK = {"code": "classwork", "name": "Работа на уроке", "weight": 1, "category": "classwork"}
TEST = {"code": "test", "name": "Контрольная работа", "weight": 3, "category": "test"}
NOW = "2026-11-25T15:00:00Z"


def a_mark(mark_id: str, value: int, form: dict[str, Any] = CLASSWORK) -> dict[str, Any]:
    return {
        "id": mark_id,
        "value": value,
        "control_form": form,
        "teacher": {"id": "2", "full_name": "Акимов Иван Егорович"},
        "lesson_id": "L1",
        "student_id": "S1",
        "subject_id": "4",
        "date": "2026-11-25",
        "created_at": NOW,
        "updated_at": NOW,
    }


JOURNAL = Journal.model_validate(
    {
        "class_id": "9",
        "class_name": "5А",
        "subject": {"id": "4", "name": "Математика"},
        "period": {
            "id": "2",
            "name": "2nd quarter",
            "kind": "quarter",
            "number": 2,
            "starts_on": "2026-11-05",
            "ends_on": "2026-12-28",
        },
        "can_write": True,
        "students": [
            {"id": "S1", "full_name": "Афанасьева Мария Михайловна"},
            {"id": "S2", "full_name": "Белых Ксения Ивановна"},
        ],
        "lessons": [
            {"id": "L1", "date": "2026-11-25", "number": 4, "control_form": TEST},
        ],
        "cells": [{"student_id": "S1", "lesson_id": "L1", "marks": [a_mark("100", 3, TEST)]}],
        "settings": {"control_forms": [TEST, CLASSWORK]},
    }
)


class FakeClient:
    """Answers like DiaryClient; `down` makes every call unreachable, `refuse` a 409."""

    def __init__(self) -> None:
        self.token: str | None = "t"
        self.down = False
        self.refuse: str | None = None
        self.calls: list[tuple[str, Any]] = []
        self.deleted: set[str] = set()
        self._next = 200

    def _check(self) -> None:
        if self.down:
            raise ServerUnreachable("cannot reach the school", code="unreachable")
        if self.refuse:
            raise Conflict(self.refuse, code="period_closed", status=409)

    async def create_mark(self, mark: MarkIn, *, idempotency_key: str | None = None) -> Any:
        self._check()
        self.calls.append(("create", (mark.value, idempotency_key)))
        self._next += 1
        body = {**a_mark(str(self._next), mark.value or 0), "student_id": mark.student_id}
        return SimpleNamespace(model_dump=lambda mode="json": body)

    async def delete_mark(self, mark_id: str) -> None:
        self._check()
        self.calls.append(("delete", mark_id))
        if mark_id in self.deleted:
            raise NotFound("no such mark", code="mark_not_found", status=404)
        self.deleted.add(mark_id)

    async def set_attendance(self, lesson_id: str, student_id: str, code: Any) -> Any:
        self._check()
        self.calls.append(("attendance", code))
        body = {"lesson_id": lesson_id, "student_id": student_id, "code": code and code.value}
        return SimpleNamespace(model_dump=lambda mode="json": body)


@pytest.fixture
def client() -> FakeClient:
    return FakeClient()


@pytest.fixture
def sync(client: FakeClient) -> JournalSync:
    session = SimpleNamespace(client=client, server=SERVER, offline=False)
    return JournalSync(session, "2", Outbox(locations.outbox_db_path()))  # type: ignore[arg-type]


def put(sync: JournalSync, value: int, student: str = "S1") -> Any:
    return sync.put_mark("9", "4", MarkIn(student_id=student, lesson_id="L1", value=value))


class TestJournalState:
    def test_a_typed_mark_shows_at_once_unsent_and_moves_the_average(
        self, sync: JournalSync
    ) -> None:
        state = JournalState(JOURNAL)
        assert state.summary("S1").average == 3.0
        state.add(put(sync, 5))
        cell = state.cell("S1", "L1")
        assert [(m.value, m.state) for m in cell.marks] == [(3, SAVED), (5, PENDING)]
        assert cell.pending
        # The lesson's form is a test (weight 3): (3*3 + 5*3) / 6 = 4.
        assert state.summary("S1").average == 4.0 and state.summary("S1").proposed == 4

    async def test_an_acknowledged_mark_joins_the_servers_copy(self, sync: JournalSync) -> None:
        state = JournalState(JOURNAL)
        entry = put(sync, 5)
        state.add(entry)
        outcome = await sync.send(entry)
        state.settle(outcome)
        cell = state.cell("S1", "L1")
        assert [(m.value, m.state) for m in cell.marks] == [(3, SAVED), (5, SAVED)]
        assert not cell.pending and state.pending_count == 0

    async def test_deleting_a_mark_not_yet_sent_names_the_entry_that_puts_it(
        self, sync: JournalSync, client: FakeClient
    ) -> None:
        state = JournalState(JOURNAL, created_mark_id=sync.created_mark_id)
        created = put(sync, 5)
        state.add(created)
        deleted = sync.delete_mark("9", "4", "S1", "L1", mark={"value": 5}, create_seq=created.id)
        state.add(deleted)
        assert [m.value for m in state.cell("S1", "L1").marks] == [3]  # gone at once
        for entry in (created, deleted):
            state.settle(await sync.send(entry))
        assert client.calls == [("create", (5, created.idempotency_key)), ("delete", "201")]
        assert [m.value for m in state.cell("S1", "L1").marks] == [3]
        assert not state.cell("S1", "L1").pending

    async def test_a_refusal_stays_on_the_cell_with_its_reason(
        self, sync: JournalSync, client: FakeClient
    ) -> None:
        state = JournalState(JOURNAL)
        entry = put(sync, 5)
        state.add(entry)
        client.refuse = "the 2nd quarter is closed"
        outcome = await sync.send(entry)
        assert outcome.refused
        state.settle(outcome)
        cell = state.cell("S1", "L1")
        assert [(m.value, m.state) for m in cell.marks] == [(3, SAVED), (5, REFUSED)]
        assert [r.reason for r in cell.refusals] == ["the 2nd quarter is closed"]
        assert state.summary("S1").average == 3.0  # a refused mark counts for nothing
        assert [e.id for e in sync.refused()] == [entry.id]  # kept, never dropped
        state.dismiss(entry.id)
        sync.dismiss(entry.id)
        assert state.cell("S1", "L1").refusals == () and sync.refused() == []

    def test_attendance_pending_then_cleared(self, sync: JournalSync) -> None:
        state = JournalState(JOURNAL)
        state.add(sync.set_attendance("9", "4", "S2", "L1", AttendanceCode.ILL, None))
        assert state.cell("S2", "L1").code == AttendanceCode.ILL
        state.add(sync.set_attendance("9", "4", "S2", "L1", None, AttendanceCode.ILL))
        assert state.cell("S2", "L1").code is None and state.cell("S2", "L1").pending

    def test_entries_of_another_journal_are_not_laid_over_this_one(self, sync: JournalSync) -> None:
        other = sync.put_mark("11", "4", MarkIn(student_id="S1", lesson_id="L1", value=2))
        state = JournalState(JOURNAL, [other])
        assert [m.value for m in state.cell("S1", "L1").marks] == [3]


class TestSending:
    async def test_a_delete_that_finds_the_mark_gone_is_done(
        self, sync: JournalSync, client: FakeClient
    ) -> None:
        client.deleted.add("100")  # deleted already; the answer was lost
        entry = sync.delete_mark("9", "4", "S1", "L1", mark={"value": 3}, mark_id="100")
        outcome = await sync.send(entry)
        assert not outcome.refused and outcome.result == {"mark_id": "100"}

    async def test_deleting_what_the_server_refused_to_put_sends_nothing(
        self, sync: JournalSync, client: FakeClient
    ) -> None:
        created = put(sync, 5)
        client.refuse = "closed"
        await sync.send(created)
        client.refuse = None
        deleted = sync.delete_mark("9", "4", "S1", "L1", mark={"value": 5}, create_seq=created.id)
        outcome = await sync.send(deleted)
        assert outcome.result == {"mark_id": None} and client.calls == []

    async def test_the_sender_goes_in_order_waits_out_an_outage_and_resumes(
        self, sync: JournalSync, client: FakeClient
    ) -> None:
        sender = OutboxSender(sync, first_delay=0.01, max_delay=0.04)
        outcomes: list[Outcome] = []
        states: list[SendState] = []
        client.down = True
        entries = [put(sync, v) for v in (5, 4, 3)]
        task = asyncio.create_task(sender.run(outcomes.append, states.append, pytest.fail))
        try:
            await _until(lambda: sum(s.offline for s in states) >= 4)
            delays = [s.retry_in for s in states if s.offline]
            assert delays[:4] == [0.01, 0.02, 0.04, 0.04]  # doubling, up to the cap
            assert all(s.pending == 3 for s in states if s.offline) and not outcomes
            client.down = False
            await _until(lambda: len(outcomes) == 3)
            assert [o.entry.id for o in outcomes] == [e.id for e in entries]
            assert [c[1][0] for c in client.calls] == [5, 4, 3]
            assert sync.pending() == [] and states[-1] == SendState(0)
            sender.wake()  # nothing new: the sender just waits
            await asyncio.sleep(0.02)
            assert len(client.calls) == 3
        finally:
            task.cancel()

    async def test_retry_now_cuts_the_pause_short(
        self, sync: JournalSync, client: FakeClient
    ) -> None:
        sender = OutboxSender(sync, first_delay=30, max_delay=30)
        outcomes: list[Outcome] = []
        states: list[SendState] = []
        client.down = True
        put(sync, 5)
        task = asyncio.create_task(sender.run(outcomes.append, states.append, pytest.fail))
        try:
            await _until(lambda: any(s.offline for s in states))
            client.down = False
            sender.retry_now()
            await _until(lambda: len(outcomes) == 1, timeout=1)
        finally:
            task.cancel()


async def _until(condition: Any, timeout: float = 5) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("never happened")
        await asyncio.sleep(0.005)


def test_dates_in_payloads_are_iso(sync: JournalSync) -> None:
    entry = sync.put_mark(
        "9",
        "4",
        MarkIn(student_id="S1", lesson_id="L1", is_dot=True, due=dt.date(2026, 12, 2)),
    )
    [(payload,)] = sync.outbox._db.execute(
        "SELECT payload FROM entries WHERE seq = ?", (entry.id,)
    ).fetchall()
    assert json.loads(payload)["mark"]["due"] == "2026-12-02"
    assert sync.pending()[0].command.mark.due == dt.date(2026, 12, 2)  # type: ignore[union-attr]
