"""The client and keys bound to their request: a resend is the same request, an edit is not.

A journal entry is sent with its own key; a resend after a lost answer builds the same
body from the same payload and gets the first answer back. The same key with another
body (a form edited after a try that did reach the school) is `KeyReused`.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.errors import Invalid, KeyReused
from ediary_tui.client.outbox import ACKNOWLEDGED
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import AbsenceNoticeIn, AbsenceReason, MarkIn
from ediary_tui.server import schema as s
from tests.conftest import PINNED_TODAY
from tests.server.test_journal import class_id, lesson, subject_id
from tests.server.test_week import scalar, user_id

from .conftest import journal_sync


async def test_an_outbox_entry_sent_again_gets_its_first_mark_back(
    teacher_session: DiarySession, engine: AsyncEngine
) -> None:
    target = await lesson(engine)
    sync = journal_sync(teacher_session)
    mark = MarkIn(student_id=await user_id(engine, "student"), lesson_id=str(target.id), value=4)
    entry = sync.put_mark(await class_id(engine, "7А"), await subject_id(engine, "Алгебра"), mark)
    m = s.marks
    on_lesson = sa.select(sa.func.count()).select_from(m).where(m.c.lesson_id == target.id)
    before = await scalar(engine, on_lesson)
    first = await sync.send(entry)
    again = await sync.send(entry)  # as after an answer lost on the way back
    assert first.entry.state == again.entry.state == ACKNOWLEDGED
    assert first.result is not None and again.result is not None
    assert again.result["id"] == first.result["id"]
    assert await scalar(engine, on_lesson) == before + 1


async def test_the_same_key_with_another_notice_is_key_reused(client: DiaryClient) -> None:
    child = (await client.login("parent", "demo")).user.children[0]
    notice = AbsenceNoticeIn(
        from_=PINNED_TODAY + dt.timedelta(days=5),
        to=PINNED_TODAY + dt.timedelta(days=5),
        reason=AbsenceReason.ILLNESS,
    )
    given = await client.create_absence_notice(child.id, notice, idempotency_key="draft-1")
    edited = notice.model_copy(update={"reason": AbsenceReason.FAMILY})
    with pytest.raises(KeyReused) as caught:
        await client.create_absence_notice(child.id, edited, idempotency_key="draft-1")
    assert isinstance(caught.value, Invalid)
    assert (caught.value.status, caught.value.code) == (422, "idempotency_key_reused")
    assert "new key" in caught.value.message
    assert [n.id for n in await client.absence_notices(child.id) if n.from_ == notice.from_] == [
        given.id
    ]
