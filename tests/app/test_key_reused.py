"""A form edited after a try that did reach the school: the key is bound to the first version.

The server refuses the edited version under the first one's key (`idempotency_key_reused`);
the forms say what the school has, instead of an error a person cannot act on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.screens.classes.announcement import AnnouncementModal
from ediary_tui.server import schema as s
from tests.server.test_journal import class_id
from tests.server.test_week import rows

from .conftest import new_app, new_session, settled
from .test_absence import LostAnswer as LostNotice
from .test_absence import error, open_form, open_notices, type_in
from .test_homework import notifications
from .test_journal_class import (
    SIZE,
    Host,
    LostAnswer,
    logged_in,
    opened,
    text_of,
    write_announcement,
)

DECEMBER_7 = dt.date(2026, 12, 7)


async def test_an_announcement_edited_after_it_was_posted_says_it_went_as_first_written(
    school: Callable[[], httpx.ASGITransport], engine: AsyncEngine
) -> None:
    seven_a = await class_id(engine, "7А")
    cable = LostAnswer(school())
    cable.lose = lambda request: request.url.path.endswith("/announcements")
    session = await logged_in(cable)
    app = Host(lambda: AnnouncementModal(session, seven_a, "7А"))
    async with app.run_test(size=SIZE) as pilot:
        modal = await opened(pilot, AnnouncementModal)
        await write_announcement(modal, "Museum trip", "Bring 300 roubles.")
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert "Not sent" in text_of(modal, "#status")
        await write_announcement(modal, "Museum trip", "Bring 350 roubles.")
        await pilot.press("ctrl+s")
        await settled(pilot)
        said = notifications(app)
    assert app.answers == [None]
    assert any("before your last edit" in n for n in said), said
    assert len(cable.keys) == 2 and cable.keys[0] == cable.keys[1]
    a = s.announcements
    posted = await rows(engine, sa.select(a.c.body).where(a.c.title == "Museum trip"))
    assert [x.body for x in posted] == ["Bring 300 roubles."]


async def test_a_notice_edited_after_it_was_given_says_so_and_may_go_as_a_new_one(
    school: Callable[[], httpx.ASGITransport], engine: AsyncEngine
) -> None:
    transport = LostNotice(school())
    app = new_app(new_session(transport))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_notices(app, pilot, "parent")
        form = await open_form(app, pilot)
        await type_in(pilot, form, **{"from": "2026-12-07", "to": "2026-12-08"})
        transport.lose_next_post = True
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert error(form, "form").startswith("Not sent: no connection")
        await type_in(pilot, form, **{"to": "2026-12-09"})
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert "before your last edit" in error(form, "form")
        assert transport.keys[0] == transport.keys[1]
        # Sent again, the edited notice has a key of its own: the school says it overlaps.
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert error(form, "dates")
        assert len(set(transport.keys)) == 2
    n = s.absence_notices
    given = await rows(
        engine, sa.select(n.c.from_date, n.c.to_date).where(n.c.to_date >= DECEMBER_7)
    )
    assert [(x.from_date.isoformat(), x.to_date.isoformat()) for x in given] == [
        ("2026-12-07", "2026-12-08")  # the first version, once
    ]
