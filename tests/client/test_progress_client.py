"""DiaryClient.progress against the real server: the chart's data, typed, and its errors."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.errors import Invalid, NotFound
from ediary_tui.domain.models import Progress
from tests.conftest import PINNED_TODAY

from .conftest import Wire
from .test_api import other_student


class TestProgress:
    async def test_the_current_period_by_default(self, client: DiaryClient) -> None:
        user = (await client.login("student", "demo")).user
        progress = await client.progress(user.id)
        assert isinstance(progress, Progress)
        assert progress.student_id == user.id
        assert progress.period is not None
        assert progress.starts_on <= PINNED_TODAY <= progress.ends_on
        assert progress.subjects

    async def test_points_are_in_date_order_with_the_running_average(
        self, client: DiaryClient
    ) -> None:
        user = (await client.login("student", "demo")).user
        progress = await client.progress(user.id)
        charted = [s for s in progress.subjects if s.points]
        assert charted
        for subject in charted:
            dates = [p.date for p in subject.points]
            assert dates == sorted(dates)
            assert subject.points[-1].average == subject.average
            assert all(progress.scale_min <= p.value <= progress.scale_max for p in subject.points)

    async def test_the_class_average_comes_from_the_server(self, client: DiaryClient) -> None:
        user = (await client.login("student", "demo")).user
        progress = await client.progress(user.id)
        assert any(s.class_average is not None for s in progress.subjects)

    async def test_one_period_or_a_whole_year(self, client: DiaryClient) -> None:
        user = (await client.login("parent", "demo")).user
        child = user.children[0].id
        card = await client.report_card(child)
        first = card.periods[0]
        period = await client.progress(child, period_id=first.id)
        assert period.period is not None and period.period.id == first.id
        assert (period.starts_on, period.ends_on) == (first.starts_on, first.ends_on)
        year = await client.progress(child, year=card.year)
        assert year.period is None and year.year == card.year
        assert year.starts_on <= first.starts_on and year.ends_on >= card.periods[-1].ends_on
        # The period's points are the year's that fall in it.
        in_year = {s.subject.id: [(p.date, p.value) for p in s.points] for s in year.subjects}
        assert any(s.points for s in period.subjects)
        for subject in period.subjects:
            assert [(p.date, p.value) for p in subject.points] == [
                (day, value)
                for day, value in in_year[subject.subject.id]
                if first.starts_on <= day <= first.ends_on
            ]

    async def test_period_and_year_together_are_refused_on_year(self, client: DiaryClient) -> None:
        user = (await client.login("student", "demo")).user
        card = await client.report_card(user.id)
        with pytest.raises(Invalid) as caught:
            await client.progress(user.id, period_id=card.periods[0].id, year=card.year)
        assert caught.value.field == "year"

    async def test_another_students_progress_is_not_found(
        self, client: DiaryClient, engine: AsyncEngine
    ) -> None:
        user = (await client.login("parent", "demo")).user
        stranger = await other_student(engine, {c.id for c in user.children})
        with pytest.raises(NotFound):
            await client.progress(stranger)

    async def test_the_query_carries_only_what_was_given(
        self, client: DiaryClient, wire: Wire
    ) -> None:
        user = (await client.login("student", "demo")).user
        start = len(wire.served)
        await client.progress(user.id, year=PINNED_TODAY.year)
        await client.progress(user.id)
        a_year, current = wire.served[start:]
        assert a_year.url.path == f"/api/v1/students/{user.id}/progress"
        assert dict(a_year.url.params) == {"year": str(PINNED_TODAY.year)}
        assert dict(current.url.params) == {}
