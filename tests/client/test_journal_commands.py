"""The journal's writes as typed commands: kept, read back and sent the same after an upgrade.

Against the real server in-process: an outbox written by the version before
the commands were typed (a `kind` and an untyped `payload` per row) still
drains, and an entry resent after the upgrade is the same request with the
same key, so the server replays its first answer instead of refusing the key.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.client import locations
from ediary_tui.client.journal_commands import (
    COMMANDS,
    DeleteMark,
    JournalCommand,
    MarkFields,
    MarkWas,
    PutMark,
    SetAttendance,
    SetHomework,
    SetPeriodMark,
    SetTopic,
)
from ediary_tui.client.outbox import ACKNOWLEDGED, Outbox
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import AttendanceCode
from tests.server.test_journal import class_id, lesson, subject_id
from tests.server.test_week import user_id

from .conftest import SERVER, journal_sync, sending

# The outbox as the version before typed commands wrote it: kept here, not imported,
# so that this test goes on describing the file a teacher upgrading from it has.
PREVIOUS_SCHEMA = """
CREATE TABLE entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    server TEXT NOT NULL,
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    result TEXT,
    reason TEXT
);
CREATE INDEX entries_by_owner ON entries (server, user_id, state, seq);
PRAGMA user_version = 1;
"""

EVERY_COMMAND: list[JournalCommand] = [
    PutMark(
        class_id="3",
        subject_id="4",
        mark=MarkFields(student_id="7", lesson_id="12", value=5, control_form="test"),
    ),
    DeleteMark(
        class_id="3",
        subject_id="4",
        student_id="7",
        lesson_id="12",
        create_seq=1,
        mark=MarkWas(value=5, is_dot=False, control_form="test"),
    ),
    SetAttendance(
        class_id="3", subject_id="4", student_id="7", lesson_id="12", code=AttendanceCode.ILL
    ),
    SetPeriodMark(class_id="3", subject_id="4", student_id="7", period_id="2", value=5),
    SetTopic(class_id="3", subject_id="4", lesson_id="12", topic="Дроби", previous=None),
    SetHomework(class_id="3", subject_id="4", lesson_id="12", text="№ 5", create_seq=9),
]


def write_previous_outbox(teacher_id: str, rows: list[tuple[str, dict[str, Any]]]) -> None:
    """Rows as the previous version's `Outbox.add` committed them."""
    path = locations.outbox_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(PREVIOUS_SCHEMA)
    for kind, payload in rows:
        db.execute(
            "INSERT INTO entries (server, user_id, kind, payload, idempotency_key, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                SERVER,
                teacher_id,
                kind,
                json.dumps(payload, ensure_ascii=False),
                str(uuid.uuid4()),
                time.time(),
            ),
        )
    db.close()


class TestCommandsInTheOutbox:
    @pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.kind)
    def test_a_command_reads_back_as_it_was_put(self, command: JournalCommand) -> None:
        outbox = Outbox(locations.outbox_db_path())
        entry = outbox.add(SERVER, "1", command)
        outbox.close()
        [again] = Outbox(locations.outbox_db_path()).pending(SERVER, "1")
        assert (again.command, again.kind, again.id) == (command, command.kind, entry.id)

    @pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: c.kind)
    def test_its_json_is_the_same_after_a_round_trip(self, command: JournalCommand) -> None:
        text = command.model_dump_json()
        assert COMMANDS.validate_json(text).model_dump_json() == text

    def test_a_row_no_command_describes_is_kept_but_not_listed(self) -> None:
        write_previous_outbox("1", [("journal.nonsense", {"class_id": "3"})])
        outbox = Outbox(locations.outbox_db_path())
        assert outbox.pending(SERVER, "1") == []
        assert outbox.count_pending(SERVER, "1") == 1


class TestAnOutboxFromThePreviousVersion:
    async def test_its_unsent_writes_drain_after_the_upgrade(
        self, teacher_session: DiarySession, engine: AsyncEngine
    ) -> None:
        client, teacher = teacher_session.client, teacher_session.user
        assert teacher is not None
        cls, subject = await class_id(engine, "7А"), await subject_id(engine, "Алгебра")
        target = await lesson(engine)
        student, lesson_id = await user_id(engine, "student"), str(target.id)
        journal = await client.journal(cls, subject)
        where = {"class_id": cls, "subject_id": subject}
        cell = {**where, "student_id": student, "lesson_id": lesson_id}
        write_previous_outbox(
            teacher.id,
            [
                ("journal.mark", {**where, "mark": {**cell, "value": 5}}),
                ("journal.mark", {**where, "mark": {**cell, "value": 2, "control_form": "test"}}),
                (
                    "journal.delete_mark",
                    {**cell, "mark_id": None, "create_seq": 2, "mark": {"value": 2}},
                ),
                ("journal.attendance", {**cell, "code": "late", "previous": None}),
                (
                    "journal.period_mark",
                    {
                        **where,
                        "student_id": student,
                        "period_id": journal.period.id,
                        "value": 4,
                        "previous": None,
                    },
                ),
                ("journal.topic", {**where, "lesson_id": lesson_id, "topic": "Дроби"}),
                (
                    "journal.homework",
                    {
                        **where,
                        "lesson_id": lesson_id,
                        "homework_id": None,
                        "create_seq": None,
                        "text": "№ 512",
                        "required": True,
                    },
                ),
            ],
        )
        sync = journal_sync(teacher_session)
        assert [e.kind for e in sync.pending()] == [
            "journal.mark",
            "journal.mark",
            "journal.delete_mark",
            "journal.attendance",
            "journal.period_mark",
            "journal.topic",
            "journal.homework",
        ]
        async with sending(sync) as sent:
            await sent.until(lambda: len(sent.outcomes) == 7, timeout=20)
        outcomes = sent.outcomes
        assert [o.refused for o in outcomes] == [False] * 7 and sync.count_pending() == 0

        after = await client.journal(cls, subject)
        [shown] = [c for c in after.cells if (c.student_id, c.lesson_id) == (student, lesson_id)]
        assert outcomes[0].result is not None and outcomes[1].result is not None
        new = [m for m in shown.marks if m.id == outcomes[0].result["id"]]
        assert [m.value for m in new] == [5]
        assert outcomes[1].result["id"] not in {m.id for m in shown.marks}  # put, then deleted
        assert shown.attendance == AttendanceCode.LATE
        assert next(s for s in after.students if s.id == student).period_mark == 4
        [taught] = [le for le in after.lessons if le.id == lesson_id]
        assert taught.topic == "Дроби"
        assert [h.text for h in taught.homework if h.text == "№ 512"] == ["№ 512"]

        # Resent after the upgrade (its answer lost): the same key with the same body.
        first = sync.outbox.get(outcomes[0].entry.id)
        assert first is not None and first.state == ACKNOWLEDGED
        sync.outbox._db.execute("UPDATE entries SET state = 'pending' WHERE seq = ?", (first.id,))
        again = await sync.send(first)
        assert again.reason is None
        assert again.result is not None and again.result["id"] == outcomes[0].result["id"]
