"""The outbox: writes not yet acknowledged survive anything short of losing the disk."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ediary_tui.client import locations
from ediary_tui.client.journal_commands import MarkFields, PutMark
from ediary_tui.client.outbox import Outbox

from .conftest import SERVER


def a_mark(value: int) -> PutMark:
    fields = MarkFields(student_id="7", lesson_id="12", value=value, control_form="test")
    return PutMark(class_id="3", subject_id="4", mark=fields)


MARK = a_mark(5)


@pytest.fixture
def outbox() -> Outbox:
    return Outbox(locations.outbox_db_path())


class TestQueue:
    def test_an_entry_gets_a_fresh_idempotency_key_and_the_next_number(
        self, outbox: Outbox
    ) -> None:
        first = outbox.add(SERVER, "1", MARK)
        second = outbox.add(SERVER, "1", a_mark(4))
        assert uuid.UUID(first.idempotency_key).version == 4
        assert first.idempotency_key != second.idempotency_key
        assert second.id > first.id
        assert first.command == MARK and first.state == "pending"

    def test_pending_comes_in_the_order_written(self, outbox: Outbox) -> None:
        added = [outbox.add(SERVER, "1", a_mark(v)) for v in (5, 3, 4)]
        assert outbox.pending(SERVER, "1") == added
        assert outbox.count_pending(SERVER, "1") == 3

    def test_servers_and_users_are_kept_apart(self, outbox: Outbox) -> None:
        outbox.add(SERVER, "1", MARK)
        outbox.add(SERVER, "2", MARK)
        outbox.add("http://other", "1", MARK)
        assert outbox.count_pending(SERVER, "1") == 1
        assert outbox.count_pending("http://nowhere", "1") == 0

    def test_an_acknowledged_entry_leaves_the_pending_list_with_its_result(
        self, outbox: Outbox
    ) -> None:
        entry = outbox.add(SERVER, "1", MARK)
        outbox.acknowledge(entry.id, {"id": "m-99"})
        assert outbox.pending(SERVER, "1") == []
        settled = outbox.get(entry.id)
        assert settled is not None
        assert (settled.state, settled.result) == ("acknowledged", {"id": "m-99"})

    def test_a_refused_entry_is_kept_with_its_reason(self, outbox: Outbox) -> None:
        kept = outbox.add(SERVER, "1", MARK)
        refused = outbox.add(SERVER, "1", a_mark(9))
        outbox.refuse(refused.id, "9 is outside the scale 1..5")
        assert [e.id for e in outbox.pending(SERVER, "1")] == [kept.id]
        [shown] = outbox.refused(SERVER, "1")
        assert (shown.id, shown.reason) == (refused.id, "9 is outside the scale 1..5")
        outbox.dismiss(refused.id)
        assert outbox.refused(SERVER, "1") == []

    def test_a_late_answer_does_not_overturn_the_first(self, outbox: Outbox) -> None:
        entry = outbox.add(SERVER, "1", MARK)
        outbox.refuse(entry.id, "no")
        outbox.acknowledge(entry.id, {"id": "m-1"})
        settled = outbox.get(entry.id)
        assert settled is not None and settled.state == "refused"

    def test_dismiss_never_drops_a_pending_write(self, outbox: Outbox) -> None:
        entry = outbox.add(SERVER, "1", MARK)
        outbox.dismiss(entry.id)
        assert outbox.count_pending(SERVER, "1") == 1


class TestDurability:
    def test_entries_survive_reopening(self, outbox: Outbox) -> None:
        entry = outbox.add(SERVER, "1", MARK)
        outbox.close()
        again = Outbox(locations.outbox_db_path())
        assert again.pending(SERVER, "1") == [entry]
        assert again.add(SERVER, "1", MARK).id > entry.id

    def test_an_entry_survives_the_process_being_killed(self, home: Path) -> None:
        code = (
            "import os, signal\n"
            "from ediary_tui.client.outbox import Outbox\n"
            "from ediary_tui.client.locations import outbox_db_path\n"
            "from ediary_tui.client.journal_commands import COMMANDS\n"
            f"command = COMMANDS.validate_json({MARK.model_dump_json()!r})\n"
            f"Outbox(outbox_db_path()).add({SERVER!r}, '1', command)\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n"
        )
        env = {**os.environ, "EDIARY_HOME": str(home)}
        done = subprocess.run([sys.executable, "-c", code], env=env, check=False)
        assert done.returncode != 0
        [entry] = Outbox(locations.outbox_db_path()).pending(SERVER, "1")
        assert entry.command == MARK

    def test_a_damaged_file_is_kept_aside_not_deleted(self) -> None:
        path = locations.outbox_db_path()
        path.parent.mkdir(parents=True)
        path.write_bytes(b"garbage" * 1000)
        outbox = Outbox(path)
        assert outbox.count_pending(SERVER, "1") == 0
        [aside] = path.parent.glob("outbox.db.damaged-*")
        assert aside.read_bytes() == b"garbage" * 1000
