"""The offline cache: what the user saw comes back at once, and a broken file is rebuilt."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from ediary_tui.client import locations
from ediary_tui.client.api import DiaryClient
from ediary_tui.client.cache import OfflineCache
from ediary_tui.domain.models import Day, User, Week
from tests.conftest import PINNED_TODAY

from .conftest import SERVER

MONDAY = PINNED_TODAY - dt.timedelta(days=PINNED_TODAY.weekday())


def small_week(student_id: str = "7", monday: dt.date = MONDAY) -> Week:
    days = [Day(date=monday + dt.timedelta(days=i)) for i in range(6)]
    return Week(student_id=student_id, start=monday, end=days[-1].date, days=days)


@pytest.fixture
def cache() -> OfflineCache:
    return OfflineCache()


class TestRoundTrip:
    def test_a_value_comes_back_with_when_it_was_fetched(self, cache: OfflineCache) -> None:
        before = dt.datetime.now(dt.UTC)
        cache.put(SERVER, "1", "report_card", "2026", {"subjects": ["maths"], "n": 1})
        value, fetched_at = cache.get(SERVER, "1", "report_card", "2026") or ({}, before)
        assert value == {"subjects": ["maths"], "n": 1}
        assert before - dt.timedelta(seconds=1) <= fetched_at <= dt.datetime.now(dt.UTC)
        assert cache.get(SERVER, "1", "report_card", "2025") is None

    def test_it_lives_in_the_cache_directory_and_survives_reopening(
        self, cache: OfflineCache
    ) -> None:
        cache.put(SERVER, "1", "k", "x", [1, 2])
        cache.close()
        assert cache.path == locations.cache_db_path()
        assert OfflineCache().get(SERVER, "1", "k", "x") is not None

    def test_a_week_is_found_by_any_day_of_it(self, cache: OfflineCache) -> None:
        week = small_week()
        cache.put_week(SERVER, "1", week)
        assert cache.get_week(SERVER, "1", "7", MONDAY + dt.timedelta(days=3)) == week
        assert cache.get_week(SERVER, "1", "7", MONDAY + dt.timedelta(days=7)) is None

    def test_servers_users_and_students_are_kept_apart(self, cache: OfflineCache) -> None:
        cache.put_week(SERVER, "1", small_week("7"))
        assert cache.get_week(SERVER, "2", "7", MONDAY) is None
        assert cache.get_week("http://other", "1", "7", MONDAY) is None
        assert cache.get_week(SERVER, "1", "8", MONDAY) is None

    def test_the_last_user_seen_on_a_server(self, cache: OfflineCache) -> None:
        user = User(id="5", login="parent", full_name="Ivanova A. B.", roles=["parent"])
        cache.put_me(SERVER, user)
        assert cache.get_me(SERVER) == user
        assert cache.get_me("http://other") is None
        cache.forget_me(SERVER)
        assert cache.get_me(SERVER) is None

    def test_seen_marks_accumulate(self, cache: OfflineCache) -> None:
        assert cache.seen_marks(SERVER, "1", "7") == set()
        cache.mark_seen(SERVER, "1", "7", ["a", "b"])
        cache.mark_seen(SERVER, "1", "7", ["b", "c"])
        cache.mark_seen(SERVER, "1", "7", [])
        assert cache.seen_marks(SERVER, "1", "7") == {"a", "b", "c"}
        assert cache.seen_marks(SERVER, "2", "7") == set()

    async def test_a_real_week_reads_back_equal_after_reopening(
        self, cache: OfflineCache, client: DiaryClient
    ) -> None:
        """Speed is measured in bench/startup.py; here, that what was kept comes back whole."""
        user = (await client.login("parent", "demo")).user
        week = await client.week(user.children[0].id, PINNED_TODAY)
        cache.put_week(SERVER, user.id, week)
        cache.close()
        reopened = OfflineCache()
        assert reopened.get_week(SERVER, user.id, week.student_id, MONDAY) == week
        assert reopened.get_week(SERVER, user.id, week.student_id, MONDAY + dt.timedelta(7)) is None


class TestRecovery:
    """A cache is only a copy: whatever is wrong with the file, it is rebuilt, never a crash."""

    def test_garbage_bytes_are_discarded(self) -> None:
        path = locations.cache_db_path()
        path.parent.mkdir(parents=True)
        path.write_bytes(b"this is not a database\x00" * 200)
        cache = OfflineCache()
        assert cache.get(SERVER, "1", "k", "x") is None
        cache.put(SERVER, "1", "k", "x", {"ok": True})
        assert cache.get(SERVER, "1", "k", "x") is not None

    def test_another_schema_version_is_discarded(self) -> None:
        cache = OfflineCache()
        cache.put(SERVER, "1", "k", "x", {"ok": True})
        cache.close()
        with sqlite3.connect(locations.cache_db_path()) as db:
            db.execute("PRAGMA user_version = 99")
        cache = OfflineCache()
        assert cache.get(SERVER, "1", "k", "x") is None
        cache.put(SERVER, "1", "k", "x", {"ok": True})
        assert cache.get(SERVER, "1", "k", "x") is not None

    def test_somebody_elses_database_is_discarded(self, tmp_path: Path) -> None:
        path = tmp_path / "cache.db"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE entries (a)")
        cache = OfflineCache(path)
        cache.put(SERVER, "1", "k", "x", [1])
        assert cache.get(SERVER, "1", "k", "x") is not None

    def test_a_file_damaged_while_open_is_a_miss_then_rebuilt(self) -> None:
        cache = OfflineCache()
        cache.put_week(SERVER, "1", small_week())
        cache.close()
        cache = OfflineCache()
        locations.cache_db_path().write_bytes(b"\xff" * 8192)
        assert cache.get_week(SERVER, "1", "7", MONDAY) is None
        cache.put_week(SERVER, "1", small_week())
        assert cache.get_week(SERVER, "1", "7", MONDAY) == small_week()

    def test_a_week_an_older_app_kept_is_a_miss(self, cache: OfflineCache) -> None:
        cache.put(SERVER, "1", "week", f"7/{MONDAY.isoformat()}", {"student_id": "7"})
        assert cache.get_week(SERVER, "1", "7", MONDAY) is None

    def test_a_place_it_cannot_write_is_an_empty_cache(self, tmp_path: Path) -> None:
        blocker = tmp_path / "a-file"
        blocker.write_text("")
        cache = OfflineCache(blocker / "cache.db")
        cache.put(SERVER, "1", "k", "x", [1])
        assert cache.get(SERVER, "1", "k", "x") is None
        cache.close()
