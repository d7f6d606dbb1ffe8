"""`ediary admin setup school.toml`: a school's structure from one file, idempotent,
all or nothing, with errors that name the file's key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from ediary_tui.server.school import audit
from ediary_tui.server.school.errors import AdminError
from tests.server.school_setup import (
    apply_example,
    blank_engine,
    count,
    dispose_blank,
    example_file,
)


@pytest.fixture
async def blank(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = await blank_engine(tmp_path)
    yield engine
    await dispose_blank(engine)


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = example_file().read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "school.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


async def names(engine: AsyncEngine, column: sa.Column) -> list[str]:
    async with engine.connect() as conn:
        return sorted((await conn.execute(sa.select(column))).scalars())


class TestExampleFile:
    async def test_builds_the_school_in_an_empty_database(self, blank: AsyncEngine) -> None:
        report = await apply_example(blank)
        assert report.school_id == 1 and report.changes
        async with blank.connect() as conn:
            school = (await conn.execute(sa.select(s.schools))).one()
        assert (school.name, school.timezone, school.round_threshold) == (
            "ГБОУ «Школа № 2107»",
            "Europe/Moscow",
            0.6,
        )
        classes = await names(blank, s.classes.c.name)
        assert classes == sorted([f"{g}А" for g in range(1, 12)] + ["7Б"])
        assert len(await names(blank, s.subjects.c.name)) == 18
        assert await count(blank, s.periods) == 6
        assert await count(blank, s.bells) == 7
        async with blank.connect() as conn:
            breaks = (
                (
                    await conn.execute(
                        sa.select(s.bells.c.break_name).where(s.bells.c.break_name.is_not(None))
                    )
                )
                .scalars()
                .all()
            )
            weeks = dict(
                (await conn.execute(sa.select(s.classes.c.name, s.classes.c.days_per_week))).all()
            )
            project = (
                await conn.execute(
                    sa.select(s.control_forms.c.weight).where(s.control_forms.c.code == "project")
                )
            ).scalar()
        assert sorted(breaks) == ["Завтрак", "Обед"]
        assert weeks["7А"] == 5 and weeks["11А"] == 6
        assert project == 2

    async def test_the_same_file_twice_changes_nothing(self, blank: AsyncEngine) -> None:
        await apply_example(blank)
        lines = await count(blank, s.audit_log)
        again = await apply_example(blank)
        assert again.changes == []
        assert "nothing to change" in again.lines()[0]
        assert await count(blank, s.audit_log) == lines

    async def test_a_dry_run_writes_nothing(self, blank: AsyncEngine) -> None:
        report = await apply_example(blank, dry_run=True)
        assert report.changes and "dry run" in report.lines()[-1]
        assert await count(blank, s.schools) == 0
        assert await count(blank, s.audit_log) == 0

    async def test_every_change_is_audited(self, blank: AsyncEngine) -> None:
        await apply_example(blank)
        async with blank.connect() as conn:
            actions = {e.action for e in await audit.entries(conn, school_id=1, limit=1000)}
        assert {
            "school.create",
            "year.open",
            "class.add",
            "subject.add",
            "bells.set",
            "room.add",
        } <= actions


class TestChangedFile:
    async def test_updates_in_place_matched_by_name(
        self, blank: AsyncEngine, tmp_path: Path
    ) -> None:
        await apply_example(blank)
        async with blank.connect() as conn:
            before = dict((await conn.execute(sa.select(s.classes.c.name, s.classes.c.id))).all())
        path = edited(
            tmp_path, '{ name = "10А", days_per_week = 6 }', '{ name = "10А", days_per_week = 5 }'
        )
        report = await apply_example(blank, path)
        assert report.changes == ["class 10А: 5-day week"]
        async with blank.connect() as conn:
            after = dict((await conn.execute(sa.select(s.classes.c.name, s.classes.c.id))).all())
            week = (
                await conn.execute(
                    sa.select(s.classes.c.days_per_week).where(s.classes.c.name == "10А")
                )
            ).scalar()
        assert after == before and week == 5

    async def test_a_holiday_taken_out_of_the_file_is_removed(
        self, blank: AsyncEngine, tmp_path: Path
    ) -> None:
        await apply_example(blank)
        path = edited(tmp_path, 'name = "Международный женский день"', 'name = "8 Марта"')
        report = await apply_example(blank, path)
        assert "holiday Международный женский день removed" in report.changes
        assert "8 Марта" in await names(blank, s.holidays.c.name)

    async def test_periods_shift_together(self, blank: AsyncEngine, tmp_path: Path) -> None:
        await apply_example(blank)
        path = edited(tmp_path, "ends_on = 2026-10-26", "ends_on = 2026-11-06")
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "starts_on = 2026-11-05", "starts_on = 2026-11-09", 1
            ),
            encoding="utf-8",
        )
        report = await apply_example(blank, path)
        assert report.changes == ["periods of 2026/27 changed"]


class TestErrorsNameTheKey:
    @pytest.mark.parametrize(
        ("old", "new", "message"),
        [
            ('"7А", "7Б"', '"7А", "12Я"', "classes[8].name: '12Я' is not a class name like 7А"),
            (
                'timezone = "Europe/Moscow"',
                'timezone = "Moscow/Kremlin"',
                "school.timezone: 'Moscow/Kremlin' is not a time zone",
            ),
            (
                "days_per_week = 5               #",
                "days_per_week = 7               #",
                "school.days_per_week: a school week has 5 or 6 days, not 7",
            ),
            (
                'starts = "09:25"',
                'starts = "09:05"',
                "bells: lesson 2 starts (09:05) before lesson 1 ends (09:15)",
            ),
            (
                'starts = "10:30"',
                'starts = "10:3"',
                "bells: lesson 3's start '10:3' is not a time like 08:30",
            ),
            (
                "weight = 3",
                "weight = 30",
                "control_forms[1]: a control form's weight is a whole number 1-10, not 30",
            ),
            (
                "ends_on = 2026-10-26",
                "ends_on = 2026-11-06",
                "year.periods: 2nd quarter overlaps 1st quarter",
            ),
            (
                "round_threshold = 0.6",
                "round_threshold = 1.6",
                "school: the rounding threshold 1.6 must be between 0 and 1",
            ),
            ('"Физика",', '"Физика", "физика",', "subjects[12]: 'физика' is listed twice"),
            (
                "starts_on = 2027-05-09",
                "starts_on = 2027-05-19",
                "year.holidays[5]: the holiday 'День Победы' ends (2027-05-10) before it starts",
            ),
            ("[school]", "[school]\nmotto = 1", "school.motto: unknown key"),
        ],
    )
    async def test_bad_value(
        self, blank: AsyncEngine, tmp_path: Path, old: str, new: str, message: str
    ) -> None:
        with pytest.raises(
            AdminError,
            match=message.replace("(", r"\(")
            .replace(")", r"\)")
            .replace("[", r"\[")
            .replace("]", r"\]")
            .replace(".", r"\."),
        ):
            await apply_example(blank, edited(tmp_path, old, new))
        assert await count(blank, s.schools) == 0

    async def test_not_toml(self, blank: AsyncEngine, tmp_path: Path) -> None:
        path = tmp_path / "bad.toml"
        path.write_text("[school\nname = 1", encoding="utf-8")
        with pytest.raises(AdminError, match="is not valid TOML"):
            await apply_example(blank, path)

    async def test_an_unknown_class_teacher_writes_nothing(
        self, blank: AsyncEngine, tmp_path: Path
    ) -> None:
        await apply_example(blank)
        lines = await count(blank, s.audit_log)
        path = edited(tmp_path, '"6А",', '{ name = "6А", class_teacher = "nobody" },\n    "6Б",')
        with pytest.raises(
            AdminError, match=r"classes\[6\]\.class_teacher: there is no user 'nobody'"
        ):
            await apply_example(blank, path)
        assert await count(blank, s.audit_log) == lines
        assert "6Б" not in await names(blank, s.classes.c.name)
