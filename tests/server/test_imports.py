"""Importing people and the timetable from a school's files: what is read, what is refused,
and that an import is all or nothing, idempotent, and updates in place.

Each test starts from an empty database with the example school.toml applied (no demo).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import importlib.resources
import io
import itertools
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.cli import main
from ediary_tui.server import db
from ediary_tui.server import schema as s
from ediary_tui.server.school.audit import Actor, entries
from ediary_tui.server.school.errors import AdminError
from ediary_tui.server.school.imports import ImportReport, import_file, people
from ediary_tui.server.school.setup_file import setup_school
from tests.conftest import PG_URL, PINNED_TODAY, _pg_admin, _pg_url

ACTOR = Actor.command_line()
STUDENTS = ["ID", "Фамилия", "Имя", "Отчество", "Дата рождения", "Класс"]
IVANOV = ["S-1", "Иванов", "Пётр", "Сергеевич", "14.03.2013", "7А"]
PETROVA = ["S-2", "Петрова", "Анна", "Игоревна", "2013-05-02", "7Б"]
STAFF = ["Табельный номер", "Фамилия", "Имя", "Отчество", "E-mail", "Роли", "Классное руководство"]
SMIRNOVA = ["T-1", "Смирнова", "Ольга", "Павловна", "smirnova@school.ru", "учитель", "7А"]
ORLOV = ["T-2", "Орлов", "Игорь", "Львович", "orlov@school.ru", "учитель", ""]
TIMETABLE = ["Класс", "День", "Урок", "Предмет", "Учитель", "Кабинет"]


def example(name: str) -> Path:
    return Path(str(importlib.resources.files("ediary_tui.server.school") / "examples" / name))


def write_csv(
    path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


async def blank_school(path: Path) -> AsyncEngine:
    engine = db.create_engine(f"sqlite+aiosqlite:///{path}")
    await db.upgrade(engine)
    await setup_school(engine, example("school.toml"), actor=ACTOR)
    return engine


@contextlib.asynccontextmanager
async def blank_database(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty migrated database: SQLite, or PostgreSQL when EDIARY_TEST_PG_URL is set."""
    name = f"ediary_import_{os.getpid()}_{next(_numbers)}"
    if PG_URL is None:
        url = f"sqlite+aiosqlite:///{tmp_path}/{name}.db"
    else:
        await _pg_admin(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    engine = db.create_engine(url)
    try:
        await db.upgrade(engine)
        yield engine
    finally:
        await engine.dispose()
        if PG_URL is not None:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_numbers = itertools.count()


@pytest.fixture
async def school(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """The example school.toml applied to an empty database: no people, no timetable."""
    async with blank_database(tmp_path) as engine:
        await setup_school(engine, example("school.toml"), actor=ACTOR)
        yield engine


async def run(engine: AsyncEngine, kind: str, path: Path, *, dry_run: bool = False) -> ImportReport:
    return await import_file(
        engine, kind, path, school=None, actor=ACTOR, dry_run=dry_run, today=PINNED_TODAY
    )


async def count(engine: AsyncEngine, table: sa.Table) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(sa.select(sa.func.count()).select_from(table))).scalar_one()


async def user(engine: AsyncEngine, external_id: str) -> sa.Row:
    u = s.users.c
    async with engine.connect() as conn:
        return (await conn.execute(sa.select(s.users).where(u.external_id == external_id))).one()


async def class_of(engine: AsyncEngine, external_id: str) -> str:
    u, st, c = s.users.c, s.students.c, s.classes.c
    async with engine.connect() as conn:
        return (
            await conn.execute(
                sa.select(c.name)
                .select_from(s.users.join(s.students, st.user_id == u.id).join(s.classes))
                .where(u.external_id == external_id)
            )
        ).scalar_one()


def refusals(report: ImportReport) -> list[str]:
    return [str(r) for r in report.refused]


class TestReadingFiles:
    @pytest.mark.parametrize(
        ("delimiter", "encoding"),
        [(",", "utf-8-sig"), (",", "utf-8"), (";", "utf-8"), (";", "cp1251"), ("\t", "utf-16")],
        ids=["comma-utf8-bom", "comma-utf8", "semicolon-utf8", "semicolon-cp1251", "tab-utf16"],
    )
    async def test_a_csv_as_any_spreadsheet_saves_it(
        self, school: AsyncEngine, tmp_path: Path, delimiter: str, encoding: str
    ) -> None:
        path = write_csv(
            tmp_path / "students.csv",
            [STUDENTS, IVANOV, PETROVA],
            delimiter=delimiter,
            encoding=encoding,
        )
        report = await run(school, "students", path)
        assert (report.created, report.refused) == (2, [])
        ivanov = await user(school, "S-1")
        assert (ivanov.full_name, ivanov.birth_date) == (
            "Иванов Пётр Сергеевич",
            dt.date(2013, 3, 14),
        )
        assert await class_of(school, "S-2") == "7Б"

    async def test_excels_sep_line_is_the_separator_and_not_a_line(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        path = write_csv(
            tmp_path / "s.csv", [STUDENTS, IVANOV, [*PETROVA[:5], "9Я"]], delimiter="|"
        )
        path.write_bytes(b"sep=|\r\n" + path.read_bytes())
        assert refusals(await run(school, "students", path)) == [
            'line 3, column "Класс": no class 9Я in 2026/27'
        ]

    async def test_an_xlsx_with_date_cells_and_dates_as_text(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        path = write_xlsx(
            tmp_path / "students.xlsx",
            [
                STUDENTS,
                ["S-1", "Иванов", "Пётр", "Сергеевич", dt.datetime(2013, 3, 14), "7А"],
                ["S-2", "Петрова", "Анна", None, "02.05.2013", "7 б"],
            ],
        )
        report = await run(school, "students", path)
        assert report.ok, report.lines()
        assert (await user(school, "S-1")).birth_date == dt.date(2013, 3, 14)
        assert (await user(school, "S-2")).birth_date == dt.date(2013, 5, 2)
        assert await class_of(school, "S-2") == "7Б"

    async def test_english_headings_in_any_case_and_spacing(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        headings = ["id", "SURNAME", "first_name", "Patronymic", "Birth  Date", "class", "Notes"]
        path = write_csv(tmp_path / "students.csv", [headings, [*IVANOV, "twin"]])
        report = await run(school, "students", path)
        assert report.created == 1
        assert any("columns not read: Notes" in line for line in report.lines())

    async def test_a_class_written_with_a_latin_letter_is_the_class(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        path = write_csv(tmp_path / "s.csv", [STUDENTS, [*IVANOV[:5], "7A"]])  # Latin A
        assert (await run(school, "students", path)).created == 1
        assert await class_of(school, "S-1") == "7А"


class TestMalformedFiles:
    async def test_a_file_that_is_not_a_table(self, school: AsyncEngine, tmp_path: Path) -> None:
        pdf = tmp_path / "students.pdf"
        pdf.write_bytes(b"%PDF-1.4")
        with pytest.raises(AdminError, match=r"not a \.csv or \.xlsx"):
            await run(school, "students", pdf)
        fake = tmp_path / "students.xlsx"
        fake.write_text("Фамилия,Имя\n", encoding="utf-8")
        with pytest.raises(AdminError, match="not an Excel workbook"):
            await run(school, "students", fake)
        binary = tmp_path / "students.csv"
        binary.write_bytes(b"\x00\x01\x02PK\x03\x04" * 20)
        with pytest.raises(AdminError, match="not a text table"):
            await run(school, "students", binary)

    async def test_a_missing_column_is_named(self, school: AsyncEngine, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "s.csv", [STUDENTS[:-1], IVANOV[:-1]])
        with pytest.raises(AdminError, match=r"s\.csv has no column 'Класс'"):
            await run(school, "students", path)

    async def test_utf8_with_a_broken_byte_is_not_read_as_windows_1251(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        path = write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV, PETROVA])
        path.write_bytes(path.read_bytes().replace("Пётр".encode(), b"\xd0\x9f\xff"))
        with pytest.raises(AdminError, match="broken character on line 2"):
            await run(school, "students", path)


class TestBadRows:
    async def test_an_unknown_class_names_line_column_and_year(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        path = write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV, [*PETROVA[:5], "9Я"]])
        report = await run(school, "students", path)
        assert refusals(report) == ['line 3, column "Класс": no class 9Я in 2026/27']
        assert not report.ok

    async def test_a_duplicate_student_names_both_lines(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        twice = ["", *IVANOV[1:]]
        renumbered = ["S-9", *IVANOV[1:]]
        path = write_csv(tmp_path / "s.csv", [STUDENTS, twice, PETROVA, twice, IVANOV, renumbered])
        report = await run(school, "students", path)
        assert [r.line for r in report.refused] == [4, 5, 6]
        assert refusals(report)[0] == (
            "line 4: Иванов Пётр Сергеевич: the same name and birth date as line 2; "
            "keep one of the two rows"
        )
        assert refusals(report)[2].startswith("line 6: Иванов Пётр Сергеевич (S-9): the same")

    async def test_a_student_in_the_school_under_another_id_is_refused(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await run(school, "students", write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV]))
        path = write_csv(tmp_path / "s2.csv", [STUDENTS, ["S-9", *IVANOV[1:]]])
        assert refusals(await run(school, "students", path)) == [
            'line 2, column "ID": Иванов Пётр Сергеевич, born 14.03.2013, is in the school '
            "already as S-1; give that id (or correct the name or date)"
        ]

    async def test_a_bad_date(self, school: AsyncEngine, tmp_path: Path) -> None:
        path = write_csv(
            tmp_path / "s.csv",
            [STUDENTS, [*IVANOV[:4], "31.02.2013", "7А"], [*PETROVA[:4], "весной", "7Б"]],
        )
        assert refusals(await run(school, "students", path)) == [
            'line 2, column "Дата рождения": "31.02.2013" is not a date in the calendar',
            'line 3, column "Дата рождения": "весной" is not a date like 25.11.2014 '
            "(ДД.ММ.ГГГГ) or 2014-11-25",
        ]

    async def test_a_bad_email_and_phone(self, school: AsyncEngine, tmp_path: Path) -> None:
        path = write_csv(
            tmp_path / "staff.csv",
            [
                [*STAFF, "Телефон"],
                [*SMIRNOVA, "+7 912 345-67-89"],
                [*ORLOV[:4], "orlov@", "", "", "12"],
            ],
        )
        assert refusals(await run(school, "staff", path)) == [
            'line 3, column "E-mail": "orlov@" is not an e-mail address like name@example.ru',
            'line 3, column "Телефон": "12" is not a phone number like +7 912 345-67-89',
        ]

    async def test_all_or_nothing_every_bad_row_named_nothing_written(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        users = await count(school, s.users)
        path = write_csv(
            tmp_path / "s.csv",
            [
                STUDENTS,
                IVANOV,
                [*PETROVA[:5], "9Я"],
                ["S-3", "Сидоров", "", "", "01.01.2012", "8А"],
            ],
        )
        report = await run(school, "students", path)
        assert [r.line for r in report.refused] == [3, 4]
        assert report.lines()[-1].startswith("nothing was imported")
        assert await count(school, s.users) == users
        async with school.connect() as conn:
            assert await entries(conn, action="import.students") == []


class TestDryRunAndAgain:
    async def test_a_dry_run_says_what_it_would_do_and_writes_nothing(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        path = write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV, PETROVA])
        users = await count(school, s.users)
        report = await run(school, "students", path, dry_run=True)
        assert (report.created, report.ok) == (2, True)
        assert report.lines()[0] == (
            "dry run of students from s.csv: 2 created, 0 changed, 0 unchanged"
        )
        assert "line 2\tcreate\tИванов Пётр Сергеевич (S-1)" in report.lines()
        assert await count(school, s.users) == users
        async with school.connect() as conn:
            assert await entries(conn, action="import.students") == []

    async def test_the_same_file_twice_changes_nothing(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        path = write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV, PETROVA])
        await run(school, "students", path)
        users = await count(school, s.users)
        again = await run(school, "students", path)
        assert (again.created, again.changed, again.unchanged) == (0, 0, 2)
        assert await count(school, s.users) == users
        async with school.connect() as conn:
            lines = await entries(conn, action="import.students")
        assert [(e.target, e.detail) for e in lines] == [
            ("s.csv", {"created": 0, "changed": 0, "unchanged": 2}),
            ("s.csv", {"created": 2, "changed": 0, "unchanged": 0}),
        ]

    async def test_a_corrected_file_updates_in_place_by_the_schools_id(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await run(school, "students", write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV, PETROVA]))
        before = await user(school, "S-1")
        corrected = ["S-1", "Иванов", "Пётр", "Семёнович", "14.03.2013", "7Б"]
        report = await run(
            school, "students", write_csv(tmp_path / "s2.csv", [STUDENTS, corrected, PETROVA])
        )
        assert (report.created, report.changed, report.unchanged) == (0, 1, 1)
        assert "line 2\tchange\tИванов Пётр Семёнович (S-1)\tОтчество, Класс" in report.lines()
        after = await user(school, "S-1")
        assert (after.id, after.login) == (before.id, before.login)
        assert after.full_name == "Иванов Пётр Семёнович"
        assert await class_of(school, "S-1") == "7Б"
        async with school.connect() as conn:
            enrolled = (
                (
                    await conn.execute(
                        sa.select(s.enrollments.c.class_id).where(
                            s.enrollments.c.student_id == after.id
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert len(enrolled) == 1

    async def test_without_ids_a_student_is_found_by_name_and_birth_date(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        rows = [STUDENTS[1:], IVANOV[1:], PETROVA[1:]]
        await run(school, "students", write_csv(tmp_path / "s.csv", rows))
        again = await run(school, "students", write_csv(tmp_path / "s2.csv", rows))
        assert (again.created, again.unchanged) == (0, 2)

    async def test_a_file_without_patronymics_finds_the_students_all_the_same(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await run(school, "students", write_csv(tmp_path / "s.csv", [STUDENTS[1:], IVANOV[1:]]))
        short = [[c for i, c in enumerate(row) if i != 2] for row in (STUDENTS[1:], IVANOV[1:])]
        again = await run(school, "students", write_csv(tmp_path / "s2.csv", short))
        assert (again.created, again.unchanged) == (0, 1)

    async def test_new_people_get_a_login_and_no_password_anyone_knows(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await run(school, "students", write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV]))
        ivanov = await user(school, "S-1")
        assert ivanov.login == "ivanov.ps1"
        assert ivanov.must_change_password

    async def test_a_login_taken_while_importing_imports_nothing(
        self, school: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await run(school, "students", write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV]))
        users = await count(school, s.users)

        async def none_taken(conn: object) -> set[str]:  # as if read before ivanov.ps1 was made
            return set()

        monkeypatch.setattr(people, "taken_logins", none_taken)
        twin = ["S-3", "Иванов", "Павел", "Сергеевич", "14.03.2013", "7А"]
        path = write_csv(tmp_path / "s2.csv", [STUDENTS, PETROVA, twin])
        with pytest.raises(AdminError, match=r"changed while s2\.csv was being imported"):
            await run(school, "students", path)
        assert await count(school, s.users) == users


class TestStaffAndParents:
    async def test_staff_with_roles_and_a_class_teacher(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        admin = ["T-3", "Кузнецова", "Вера", "Ивановна", "", "администратор, учитель", ""]
        path = write_csv(
            tmp_path / "staff.csv",
            [STAFF, SMIRNOVA, ORLOV, admin],
            delimiter=";",
            encoding="cp1251",
        )
        assert (await run(school, "staff", path)).created == 3
        async with school.connect() as conn:
            roles = {
                (u, r)
                for u, r in await conn.execute(
                    sa.select(s.users.c.external_id, s.user_roles.c.role).select_from(
                        s.users.join(s.user_roles)
                    )
                )
            }
            teacher_of_7a = (
                await conn.execute(
                    sa.select(s.users.c.external_id)
                    .select_from(
                        s.classes.join(s.users, s.users.c.id == s.classes.c.class_teacher_id)
                    )
                    .where(s.classes.c.name == "7А")
                )
            ).scalar_one()
        assert {("T-1", "class_teacher"), ("T-1", "teacher"), ("T-3", "admin")} <= roles
        assert ("T-2", "class_teacher") not in roles
        assert teacher_of_7a == "T-1"

    async def test_staff_without_ids_a_corrected_email_updates_in_place(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        no_ids = [row[1:] for row in (STAFF, SMIRNOVA, ORLOV)]
        await run(school, "staff", write_csv(tmp_path / "staff.csv", no_ids))
        no_ids[1][3] = "o.smirnova@school.ru"
        report = await run(school, "staff", write_csv(tmp_path / "staff2.csv", no_ids))
        assert (report.created, report.changed, report.unchanged) == (0, 1, 1)
        assert "line 2\tchange\tСмирнова Ольга Павловна\tE-mail" in report.lines()

    async def test_a_class_given_to_another_teacher_takes_the_role_from_the_first(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await run(school, "staff", write_csv(tmp_path / "staff.csv", [STAFF, SMIRNOVA, ORLOV]))
        moved = [STAFF, [*SMIRNOVA[:-1], ""], [*ORLOV[:-1], "7А"]]
        report = await run(school, "staff", write_csv(tmp_path / "staff2.csv", moved))
        assert (report.changed, report.unchanged) == (1, 1)
        async with school.connect() as conn:
            class_teachers = (
                (
                    await conn.execute(
                        sa.select(s.users.c.external_id)
                        .select_from(s.users.join(s.user_roles))
                        .where(s.user_roles.c.role == "class_teacher")
                    )
                )
                .scalars()
                .all()
            )
        assert class_teachers == ["T-2"]

    async def test_one_class_teacher_a_class_and_subjects_the_school_has(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        headings = [*STAFF, "Предметы"]
        path = write_csv(
            tmp_path / "staff.csv",
            [headings, [*SMIRNOVA, "Алгебра"], [*ORLOV[:-1], "7а", "Астрономия"]],
        )
        assert refusals(await run(school, "staff", path)) == [
            'line 3, column "Классное руководство": line 2 gives 7А its class teacher already; '
            "a class has one",
            'line 3, column "Предметы": the school has no subject "Астрономия"; '
            "add it to school.toml",
        ]

    async def test_parents_linked_to_their_children_in_one_row_or_two(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await run(school, "students", write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV, PETROVA]))
        headings = ["Фамилия", "Имя", "Отчество", "E-mail", "Телефон", "Кем приходится", "Дети"]
        path = write_xlsx(
            tmp_path / "parents.xlsx",
            [
                headings,
                ["Иванова", "Мария", "Олеговна", "ivanova@mail.ru", "", "мать", "S-1; S-2"],
                ["Иванов", "Сергей", "Петрович", "", "8 (912) 000-11-22", "отец", "S-1"],
                [
                    "Иванов",
                    "Сергей",
                    "Петрович",
                    "",
                    "+79120001122",
                    "Отец",
                    "Петрова Анна 02.05.2013",
                ],
            ],
        )
        report = await run(school, "parents", path)
        assert (report.created, report.refused) == (2, [])
        async with school.connect() as conn:
            links = (
                await conn.execute(
                    sa.select(s.users.c.phone, s.users.c.email, s.guardians.c.relation).select_from(
                        s.guardians.join(s.users, s.users.c.id == s.guardians.c.parent_id)
                    )
                )
            ).all()
        assert sorted((r.relation, r.phone or r.email) for r in links) == [
            ("father", "+79120001122"),
            ("father", "+79120001122"),
            ("mother", "ivanova@mail.ru"),
            ("mother", "ivanova@mail.ru"),
        ]
        assert (await run(school, "parents", path)).unchanged == 2

    async def test_a_corrected_parents_file_adds_a_child_and_changes_a_relation(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await run(school, "students", write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV, PETROVA]))
        headings = ["Фамилия", "Имя", "E-mail", "Кем приходится", "Ребёнок"]
        mother = ["Иванова", "Мария", "ivanova@mail.ru"]
        await run(
            school, "parents", write_csv(tmp_path / "p.csv", [headings, [*mother, "мать", "S-1"]])
        )
        corrected = [headings, [*mother, "законный представитель", "S-1, S-2"]]
        report = await run(school, "parents", write_csv(tmp_path / "p2.csv", corrected))
        assert "line 2\tchange\tИванова Мария\tРебёнок, Кем приходится" in report.lines()
        async with school.connect() as conn:
            links = (await conn.execute(sa.select(s.guardians.c.relation))).scalars().all()
        assert links == ["legal representative", "legal representative"]

    async def test_a_parent_of_no_known_child_or_without_a_key_is_refused(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await run(school, "students", write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV]))
        headings = ["Фамилия", "Имя", "E-mail", "Кем приходится", "Ребёнок"]
        path = write_csv(
            tmp_path / "p.csv",
            [
                headings,
                ["Иванова", "Мария", "ivanova@mail.ru", "тётя", "S-1"],
                ["Иванова", "Мария", "ivanova@mail.ru", "мать", "S-9"],
                ["Иванов", "Сергей", "", "отец", "S-1"],
            ],
        )
        report = await run(school, "parents", path)
        assert [(r.line, r.column) for r in report.refused] == [
            (2, "Кем приходится"),
            (3, "Ребёнок"),
            (4, "E-mail"),
        ]


class TestTimetable:
    async def staffed(self, school: AsyncEngine, tmp_path: Path) -> None:
        path = write_csv(tmp_path / "staff.csv", [STAFF, SMIRNOVA, ORLOV])
        assert (await run(school, "staff", path)).ok

    async def test_a_week_imported_makes_lessons_and_again_changes_nothing(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await self.staffed(school, tmp_path)
        rows = [
            TIMETABLE,
            ["7А", "пн", "1", "Алгебра", "T-1", "301"],
            ["7А", "Monday", "2", "История", "Орлов Игорь Львович", "302"],
            ["7Б", "пн", "1", "История", "Орлов И.Л.", "302"],
        ]
        path = write_csv(tmp_path / "t.csv", rows)
        report = await run(school, "timetable", path)
        assert (report.created, report.refused) == (3, [])
        assert await count(school, s.timetable) == 3
        lessons = await count(school, s.lessons)
        assert lessons > 0
        again = await run(school, "timetable", path)
        assert (again.created, again.changed, again.unchanged) == (0, 0, 3)
        assert await count(school, s.lessons) == lessons

    async def test_a_teacher_or_a_room_in_two_places_at_once_names_both_rows(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await self.staffed(school, tmp_path)
        path = write_csv(
            tmp_path / "t.csv",
            [
                TIMETABLE,
                ["7А", "вт", "3", "Алгебра", "T-1", "301"],
                ["7Б", "вт", "3", "Алгебра", "T-1", "303"],
                ["8А", "вт", "3", "История", "T-2", "301"],
            ],
        )
        report = await run(school, "timetable", path)
        assert refusals(report) == [
            'line 3, column "Учитель": Смирнова Ольга Павловна teaches 7А at вт lesson 3 (line 2): '
            "one teacher cannot be in two classes at once",
            'line 4, column "Кабинет": room 301 has 7А at вт lesson 3 (line 2)',
        ]
        assert await count(school, s.timetable) == 0

    async def test_unknown_subject_teacher_room_and_a_day_off(
        self, school: AsyncEngine, tmp_path: Path
    ) -> None:
        await self.staffed(school, tmp_path)
        path = write_csv(
            tmp_path / "t.csv",
            [
                TIMETABLE,
                ["7А", "сб", "1", "Астрономия", "Пушкин А.С.", "999"],
            ],
        )
        assert [r.column for r in (await run(school, "timetable", path)).refused] == [
            "День",
            "Предмет",
            "Учитель",
            "Кабинет",
        ]


class TestCommandLine:
    def test_import_prints_the_report_and_exits_1_on_a_refused_row(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        database = tmp_path / "school.db"
        asyncio.run(_blank(database))
        good = write_csv(tmp_path / "s.csv", [STUDENTS, IVANOV])
        bad = write_csv(tmp_path / "bad.csv", [STUDENTS, [*IVANOV[:5], "9Я"]])
        assert (
            main(["admin", "--db", str(database), "import", "students", str(good), "--dry-run"])
            == 0
        )
        assert "dry run of students from s.csv: 1 created" in capsys.readouterr().out
        assert main(["admin", "--db", str(database), "import", "students", str(bad)]) == 1
        out = capsys.readouterr().out
        assert 'line 2, column "Класс": no class 9Я in 2026/27' in out
        assert main(["admin", "--db", str(database), "import", "students", str(good)]) == 0
        assert "students from s.csv: 1 created" in capsys.readouterr().out

    def test_a_timetable_from_a_later_day(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        database = tmp_path / "school.db"
        asyncio.run(_blank(database))
        admin = ["admin", "--db", str(database), "import"]
        staff = write_csv(tmp_path / "staff.csv", [STAFF, SMIRNOVA])
        week = write_csv(
            tmp_path / "t.csv", [TIMETABLE, ["7А", "пн", "1", "Алгебра", "T-1", "301"]]
        )
        assert main([*admin, "staff", str(staff)]) == 0
        assert main([*admin, "staff", str(staff), "--from", "2027-01-11"]) == 2  # not a timetable
        assert main([*admin, "timetable", str(week), "--from", "2020-01-13"]) == 2
        assert "in the past" in capsys.readouterr().err
        start = dt.date.today() + dt.timedelta(days=7)  # the command checks the real today
        assert main([*admin, "timetable", str(week), "--from", start.isoformat()]) == 0
        assert f"lessons from {start:%d.%m.%Y}" in capsys.readouterr().out
        with sqlite3.connect(database) as conn:
            first = conn.execute("SELECT min(date) FROM lessons").fetchone()[0]
        assert first is None or first >= start.isoformat()  # none once 2026/27 is over

    def test_examples_copies_the_files_and_never_over_a_file(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert main(["admin", "examples", str(tmp_path / "ex")]) == 0
        names = sorted(p.name for p in (tmp_path / "ex").iterdir())
        assert names == [
            "parents.xlsx",
            "school.toml",
            "staff.csv",
            "students.csv",
            "timetable.csv",
        ]
        assert (tmp_path / "ex" / "staff.csv").read_bytes() == example("staff.csv").read_bytes()
        assert main(["admin", "examples", str(tmp_path / "ex")]) == 2
        assert "already has" in capsys.readouterr().err


async def _blank(path: Path) -> None:
    engine = await blank_school(path)
    await engine.dispose()


def test_the_import_help_names_every_column_each_kind_reads() -> None:
    """The command's help is written out (the app starts without the server's code), so a
    column added to headers.py and not to the help fails here."""
    from ediary_tui.cli.admin.imports import _HELP
    from ediary_tui.server.school.imports.headers import OPTIONAL, REQUIRED, heading_for

    blocks: dict[str, str] = {}
    kind = ""
    for line in _HELP.splitlines()[1:]:
        if not line.startswith("   "):
            kind = line.split()[0] if line.strip() else ""
        if kind in REQUIRED:
            blocks[kind] = blocks.get(kind, "") + line
    for kind, fields in REQUIRED.items():
        missing = [
            heading_for(f) for f in fields + OPTIONAL[kind] if heading_for(f) not in blocks[kind]
        ]
        assert missing == [], kind
