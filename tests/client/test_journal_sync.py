"""The journal's writes: laid over the server's copy at once, sent in order, never lost.

`JournalState` and `OutboxSender` without Textual, against the real server in
process: the demo school's maths teacher writes in the journal of their first
class, in a lesson already given. The 2nd quarter is open and the 1st is
closed, so the server refuses for good what is put in the 1st. Only what the
network does is made up: while `wire.down`, connections are refused.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.changes import ChangeFollower, about_journal
from ediary_tui.client.journal_commands import Version
from ediary_tui.client.journal_state import SAVED, JournalState
from ediary_tui.client.journal_sync import JournalSync, SendState
from ediary_tui.client.outbox import PENDING, REFUSED, Entry
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import (
    AttendanceCode,
    Change,
    Journal,
    JournalStudent,
    Mark,
    MarkIn,
    PeriodMarkIn,
)

from .conftest import Wire, journal_sync, sending

MARKS = "/api/v1/marks"


@dataclass
class Cell:
    """A student in a lesson of one of the teacher's journals, as the server has it."""

    journal: Journal
    student_id: str
    lesson_id: str

    @property
    def where(self) -> tuple[str, str]:
        return self.journal.class_id, self.journal.subject.id

    @property
    def marks(self) -> list[Mark]:
        """The marks the server has in the cell, in its order."""
        [cell] = [
            c
            for c in self.journal.cells
            if (c.student_id, c.lesson_id) == (self.student_id, self.lesson_id)
        ]
        return cell.marks

    @property
    def saved(self) -> list[int | None]:
        return [m.value for m in self.marks]

    def student(self, journal: Journal | None = None) -> JournalStudent:
        return next(s for s in (journal or self.journal).students if s.id == self.student_id)


@dataclass
class Teacher:
    """The teacher's session, their journal's sync, and the cells they write in."""

    session: DiarySession
    sync: JournalSync
    open: Cell  # in the 2nd quarter, which is going on
    closed: Cell  # in the 1st quarter, which is over and closed

    @property
    def client(self) -> DiaryClient:
        return self.session.client

    def put(self, cell: Cell, value: int) -> Entry:
        mark = MarkIn(student_id=cell.student_id, lesson_id=cell.lesson_id, value=value)
        return self.sync.put_mark(*cell.where, mark)

    async def refetch(self, cell: Cell) -> Journal:
        return await self.client.journal(*cell.where, cell.journal.period.id)


def first_marked_cell(journal: Journal) -> Cell:
    """The first cell the server lists with a mark in it: a lesson already given."""
    cell = next(c for c in journal.cells if c.marks)
    return Cell(journal, cell.student_id, cell.lesson_id)


@pytest.fixture
async def teacher(teacher_session: DiarySession) -> Teacher:
    assert teacher_session.user is not None
    first = teacher_session.user.teaching[0]
    client = teacher_session.client
    journal = await client.journal(first.class_id, first.subject_id)
    assert journal.period.name == "2nd quarter" and journal.can_write
    q1 = next(p for p in journal.periods if p.name == "1st quarter")
    closed = await client.journal(first.class_id, first.subject_id, q1.id)
    return Teacher(
        teacher_session,
        journal_sync(teacher_session),
        first_marked_cell(journal),
        first_marked_cell(closed),
    )


def since(wire: Wire, start: int) -> list[tuple[str, str]]:
    """The requests that reached the server after the first `start`: method and path."""
    return [(r.method, r.url.path) for r in wire.served[start:]]


class TestJournalState:
    async def test_a_typed_mark_shows_at_once_unsent_and_moves_the_average(
        self, teacher: Teacher
    ) -> None:
        cell = teacher.open
        state = JournalState(cell.journal)
        before = state.summary(cell.student_id)
        server = cell.student()
        assert (before.average, before.proposed) == (server.average, server.proposed)
        entry = teacher.put(cell, 5)
        state.add(entry)
        shown = state.cell(cell.student_id, cell.lesson_id)
        assert [(m.value, m.state) for m in shown.marks] == [
            *((v, SAVED) for v in cell.saved),
            (5, PENDING),
        ]
        assert shown.pending
        moved = state.summary(cell.student_id)
        assert moved.average != before.average
        # What the journal shows before sending is what the server says once it has the mark.
        await teacher.sync.send(entry)
        after = cell.student(await teacher.refetch(cell))
        assert (moved.average, moved.proposed) == (after.average, after.proposed)

    async def test_an_acknowledged_mark_joins_the_servers_copy(self, teacher: Teacher) -> None:
        cell = teacher.open
        state = JournalState(cell.journal)
        entry = teacher.put(cell, 5)
        state.add(entry)
        outcome = await teacher.sync.send(entry)
        state.settle(outcome)
        shown = state.cell(cell.student_id, cell.lesson_id)
        assert [(m.value, m.state) for m in shown.marks] == [(v, SAVED) for v in [*cell.saved, 5]]
        assert not shown.pending and state.pending_count == 0
        again = Cell(await teacher.refetch(cell), cell.student_id, cell.lesson_id)
        assert [m.ref for m in shown.marks] == [f"m:{m.id}" for m in again.marks]

    async def test_a_journal_asked_for_before_an_acknowledgement_keeps_the_mark(
        self, teacher: Teacher
    ) -> None:
        """The refresh answered before the server had the mark; the mark was acknowledged
        while that answer was on its way: the screen keeps showing it."""
        cell = teacher.open
        state = JournalState(cell.journal)
        asked_at = state.settled_count
        stale = await teacher.refetch(cell)  # the server's copy without the new mark
        entry = teacher.put(cell, 5)
        state.add(entry)
        state.settle(await teacher.sync.send(entry))
        state.replace(stale, asked_at=asked_at)
        shown = state.cell(cell.student_id, cell.lesson_id)
        assert [m.value for m in shown.marks] == [*cell.saved, 5]
        # A journal asked for after the acknowledgement is the server's word as it is.
        state.replace(stale, asked_at=state.settled_count)
        assert [m.value for m in state.cell(cell.student_id, cell.lesson_id).marks] == cell.saved
        fresh = await teacher.refetch(cell)
        state.replace(fresh, asked_at=asked_at)  # it has the mark already: not twice
        assert [m.value for m in state.cell(cell.student_id, cell.lesson_id).marks] == [
            *cell.saved,
            5,
        ]

    async def test_deleting_a_mark_not_yet_sent_names_the_entry_that_puts_it(
        self, teacher: Teacher, wire: Wire
    ) -> None:
        cell, sync = teacher.open, teacher.sync
        state = JournalState(cell.journal, created_mark_id=sync.created_mark_id)
        created = teacher.put(cell, 5)
        state.add(created)
        deleted = sync.delete_mark(
            *cell.where, cell.student_id, cell.lesson_id, mark={"value": 5}, create_seq=created.id
        )
        state.add(deleted)
        assert [m.value for m in state.cell(cell.student_id, cell.lesson_id).marks] == cell.saved
        start = len(wire.served)
        outcomes = []
        for entry in (created, deleted):
            outcomes.append(await sync.send(entry))
            state.settle(outcomes[-1])
        assert outcomes[0].result is not None
        mark_id = outcomes[0].result["id"]
        assert since(wire, start) == [("POST", MARKS), ("DELETE", f"{MARKS}/{mark_id}")]
        put = wire.served[start]
        assert put.headers["Idempotency-Key"] == created.idempotency_key
        assert json.loads(put.content)["value"] == 5
        assert [m.value for m in state.cell(cell.student_id, cell.lesson_id).marks] == cell.saved
        assert not state.cell(cell.student_id, cell.lesson_id).pending
        again = Cell(await teacher.refetch(cell), cell.student_id, cell.lesson_id)
        assert again.saved == cell.saved

    async def test_a_refusal_stays_on_the_cell_with_its_reason(self, teacher: Teacher) -> None:
        cell, sync = teacher.closed, teacher.sync
        state = JournalState(cell.journal)
        before = state.summary(cell.student_id).average
        entry = teacher.put(cell, 5)
        state.add(entry)
        outcome = await sync.send(entry)
        assert outcome.reason == "the 1st quarter is closed; its journal can no longer change"
        state.settle(outcome)
        shown = state.cell(cell.student_id, cell.lesson_id)
        assert [(m.value, m.state) for m in shown.marks] == [
            *((v, SAVED) for v in cell.saved),
            (5, REFUSED),
        ]
        assert [r.reason for r in shown.refusals] == [outcome.reason]
        assert state.summary(cell.student_id).average == before  # a refused mark counts for nothing
        assert [e.id for e in sync.refused()] == [entry.id]  # kept, never dropped
        state.dismiss(entry.id)
        sync.dismiss(entry.id)
        assert state.cell(cell.student_id, cell.lesson_id).refusals == ()
        assert sync.refused() == []

    def test_attendance_pending_then_cleared(self, teacher: Teacher) -> None:
        cell, sync = teacher.open, teacher.sync
        state = JournalState(cell.journal)
        present = next(
            c.student_id
            for c in cell.journal.cells
            if c.lesson_id == cell.lesson_id and c.attendance is None
        )
        args = (*cell.where, present, cell.lesson_id)
        assert state.cell(present, cell.lesson_id).code is None
        state.add(sync.set_attendance(*args, AttendanceCode.ILL, None))
        assert state.cell(present, cell.lesson_id).code == AttendanceCode.ILL
        state.add(sync.set_attendance(*args, None, AttendanceCode.ILL))
        assert state.cell(present, cell.lesson_id).code is None
        assert state.cell(present, cell.lesson_id).pending

    def test_entries_of_another_journal_are_not_laid_over_this_one(self, teacher: Teacher) -> None:
        cell = teacher.open
        assert teacher.session.user is not None
        elsewhere = teacher.session.user.teaching[1]
        assert elsewhere.class_id != cell.journal.class_id
        mark = MarkIn(student_id=cell.student_id, lesson_id=cell.lesson_id, value=2)
        other = teacher.sync.put_mark(elsewhere.class_id, elsewhere.subject_id, mark)
        state = JournalState(cell.journal, [other])
        assert [m.value for m in state.cell(cell.student_id, cell.lesson_id).marks] == cell.saved


class TestSending:
    async def test_a_delete_that_finds_the_mark_gone_is_done(
        self, teacher: Teacher, wire: Wire
    ) -> None:
        cell = teacher.open
        [mark] = cell.marks
        await teacher.client.delete_mark(mark.id)  # deleted already; the answer was lost
        entry = teacher.sync.delete_mark(
            *cell.where,
            cell.student_id,
            cell.lesson_id,
            mark={"value": mark.value},
            mark_id=mark.id,
        )
        start = len(wire.served)
        outcome = await teacher.sync.send(entry)
        assert since(wire, start) == [("DELETE", f"{MARKS}/{mark.id}")]
        assert not outcome.refused and outcome.result == {"mark_id": mark.id}

    async def test_deleting_what_the_server_refused_to_put_sends_nothing(
        self, teacher: Teacher, wire: Wire
    ) -> None:
        cell, sync = teacher.closed, teacher.sync
        created = teacher.put(cell, 5)
        assert (await sync.send(created)).refused
        deleted = sync.delete_mark(
            *cell.where, cell.student_id, cell.lesson_id, mark={"value": 5}, create_seq=created.id
        )
        start = len(wire.served)
        outcome = await sync.send(deleted)
        assert outcome.result == {"mark_id": None} and since(wire, start) == []

    async def test_the_sender_goes_in_order_waits_out_an_outage_and_resumes(
        self, teacher: Teacher, wire: Wire
    ) -> None:
        cell, sync = teacher.open, teacher.sync
        wire.down = True
        start = len(wire.served)
        entries = [teacher.put(cell, v) for v in (5, 4, 3)]
        async with sending(sync, first_delay=0.01, max_delay=0.04) as sent:
            await sent.until(lambda: sum(s.offline for s in sent.states) == 4)
            offline = [s for s in sent.states if s.offline]
            assert [s.retry_in for s in offline] == [0.01, 0.02, 0.04, 0.04]  # doubling, capped
            assert [s.pending for s in offline] == [3] * 4 and sent.outcomes == []
            wire.down = False
            await sent.until(lambda: len(sent.outcomes) == 3)
            assert [o.entry.id for o in sent.outcomes] == [e.id for e in entries]
            posts = wire.served[start:]
            assert [(r.method, r.url.path) for r in posts] == [("POST", MARKS)] * 3
            assert [json.loads(r.content)["value"] for r in posts] == [5, 4, 3]
            assert [r.headers["Idempotency-Key"] for r in posts] == [
                e.idempotency_key for e in entries
            ]
            assert sync.pending() == [] and sent.states[-1] == SendState(0)
            looked = len(sent.states)
            sent.sender.wake()  # nothing new: the sender looks, finds nothing, and waits
            await sent.until(lambda: len(sent.states) > looked)
            assert sent.states[looked:] == [SendState(0)]
            assert len(wire.served) == start + 3

    async def test_retry_now_cuts_the_pause_short(self, teacher: Teacher, wire: Wire) -> None:
        wire.down = True
        teacher.put(teacher.open, 5)
        async with sending(teacher.sync, first_delay=30, max_delay=30) as sent:
            await sent.until(lambda: any(s.offline for s in sent.states))
            wire.down = False
            sent.sender.retry_now()
            await sent.until(lambda: len(sent.outcomes) == 1, timeout=1)
        assert [o.refused for o in sent.outcomes] == [False]


def test_dates_in_payloads_are_iso(teacher: Teacher) -> None:
    cell = teacher.open
    entry = teacher.sync.put_mark(
        *cell.where,
        MarkIn(
            student_id=cell.student_id,
            lesson_id=cell.lesson_id,
            is_dot=True,
            due=dt.date(2026, 12, 2),
        ),
    )
    [(payload,)] = teacher.sync.outbox._db.execute(
        "SELECT payload FROM entries WHERE seq = ?", (entry.id,)
    ).fetchall()
    assert json.loads(payload)["mark"]["due"] == "2026-12-02"
    assert teacher.sync.pending()[0].command.mark.due == dt.date(2026, 12, 2)  # type: ignore[union-attr]


class TestVersions:
    """Writes that replace a value carry the version they replace; what changed elsewhere."""

    def period_mark(self, teacher: Teacher, state: JournalState, value: int | None) -> Entry:
        cell = teacher.open
        student = cell.student_id
        entry = teacher.sync.set_period_mark(
            *cell.where,
            student,
            cell.journal.period.id,
            value,
            state.summary(student).period_mark,
            version=state.period_mark_version(student),
        )
        state.add(entry)
        return entry

    async def test_a_second_edit_follows_the_first_and_sends_the_version_it_left(
        self, teacher: Teacher, wire: Wire
    ) -> None:
        cell = teacher.open
        state = JournalState(cell.journal)
        assert state.period_mark_version(cell.student_id) == Version(at=None)
        first = self.period_mark(teacher, state, 4)
        second = self.period_mark(teacher, state, 5)  # typed before the first was sent
        assert second.command.version == Version(after=first.id)  # type: ignore[union-attr]
        start = len(wire.served)
        answered = await teacher.sync.send(first)
        state.settle(answered)
        assert not (await teacher.sync.send(second)).refused
        bodies = [json.loads(r.content) for r in wire.served[start:]]
        assert [b["expected_set_at"] for b in bodies] == [None, answered.result["set_at"]]
        assert cell.student(await teacher.refetch(cell)).period_mark == 5

    async def test_a_stale_write_is_refused_as_a_conflict_and_the_next_one_too(
        self, teacher: Teacher
    ) -> None:
        cell = teacher.open
        state = JournalState(cell.journal)
        first = self.period_mark(teacher, state, 4)
        second = self.period_mark(teacher, state, 3)
        j = cell.journal
        await teacher.client.set_period_mark(  # another session, a moment before
            PeriodMarkIn(
                student_id=cell.student_id, subject_id=j.subject.id, period_id=j.period.id, value=2
            )
        )
        refused = await teacher.sync.send(first)
        assert refused.conflict and refused.code == "period_mark_changed"
        state.settle(refused)
        chained = await teacher.sync.send(second)  # follows a refused one: refused as well
        assert chained.conflict and chained.code == "period_mark_changed"
        state.settle(chained)
        assert [e.id for e in state.conflicts()] == [first.id, second.id]
        assert [e.id for e in teacher.sync.refused()] == [first.id, second.id]
        assert cell.student(await teacher.refetch(cell)).period_mark == 2

    async def test_an_entry_of_an_earlier_version_is_sent_unchecked(
        self, teacher: Teacher, wire: Wire
    ) -> None:
        cell = teacher.open
        entry = teacher.sync.set_period_mark(
            *cell.where, cell.student_id, cell.journal.period.id, 4, None
        )
        start = len(wire.served)
        assert not (await teacher.sync.send(entry)).refused
        assert "expected_set_at" not in json.loads(wire.served[start].content)

    async def test_what_this_session_wrote_is_shown_already_and_others_writes_are_not(
        self, teacher: Teacher
    ) -> None:
        cell = teacher.open
        state = JournalState(cell.journal)
        follower = ChangeFollower(teacher.session)
        heard: list[Change] = []
        stop = follower.listen(heard.extend)
        await follower.poll()  # the first poll only takes the cursor
        mine = teacher.put(cell, 5)
        state.add(mine)
        state.settle(await teacher.sync.send(mine))
        theirs = await teacher.client.create_mark(  # another session
            MarkIn(student_id=cell.student_id, lesson_id=cell.lesson_id, value=2)
        )
        news = await follower.poll()
        assert news == []  # a teacher's marks are not news; the journal hears them all the same
        assert [(c.kind, c.data["value"]) for c in heard] == [("mark", 5), ("mark", 2)]
        assert heard[1].entity_id == theirs.id
        assert [about_journal(c, *cell.where) for c in heard] == [True, True]
        assert not about_journal(heard[0], cell.journal.class_id, "0")
        assert [state.shows(c) for c in heard] == [True, False]
        stop()
        await teacher.client.create_mark(
            MarkIn(student_id=cell.student_id, lesson_id=cell.lesson_id, value=3)
        )
        await follower.poll()
        assert len(heard) == 2  # stopped: heard no more
