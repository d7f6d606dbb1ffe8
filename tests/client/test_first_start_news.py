"""Where the first poll ever of the change feed starts: the last school day before today."""

from __future__ import annotations

import datetime as dt

from ediary_tui.client.changes import first_start_window

MSK = dt.timezone(dt.timedelta(hours=3))


class TestFirstStartWindow:
    def test_midweek_from_yesterdays_midnight(self) -> None:
        wednesday = dt.datetime(2026, 11, 25, 18, 0, tzinfo=MSK)
        assert first_start_window(wednesday) == dt.datetime(2026, 11, 24, tzinfo=MSK)

    def test_on_monday_from_fridays_midnight(self) -> None:
        monday = dt.datetime(2026, 11, 30, 8, 0, tzinfo=MSK)
        assert first_start_window(monday) == dt.datetime(2026, 11, 27, tzinfo=MSK)
