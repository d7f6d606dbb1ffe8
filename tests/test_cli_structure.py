"""`ediary admin` for the school's structure, on a school built from school.toml alone:
setup, the school's settings, periods and holidays, bells, subjects, forms, rooms, classes,
teaching, the timetable and the day's changes; errors as one line and exit 2."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ediary_tui.cli import main
from tests.server.school_setup import example_file

FROM = "2026-11-23"  # lessons follow the timetable from this Monday on


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["admin", "--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> list[list[str]]:
    code, out, err = run(capsys, db, *argv)
    assert code == 0, err
    return [line.split("\t") for line in out.splitlines()]


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The example school with two teachers."""
    path = tmp_path / "school.db"
    ok(capsys, path, "setup", str(example_file()))
    for login, name in (("ivanova", "Иванова Ирина Петровна"), ("petrov", "Петров Олег Ильич")):
        ok(
            capsys,
            path,
            "create-user",
            "--login",
            login,
            "--name",
            name,
            "--role",
            "teacher",
            "--password",
            "long enough secret 1",
        )
    return path


class TestSetup:
    def test_dry_run_then_setup_then_nothing_to_change(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        path = tmp_path / "school.db"
        code, out, _ = run(capsys, path, "setup", str(example_file()), "--dry-run")
        assert code == 0 and "would change: class 7Б added" in out and "dry run" in out
        assert query(path, "SELECT count(*) FROM schools") == [(0,)]
        code, out, _ = run(capsys, path, "setup", str(example_file()))
        assert code == 0 and "changed: school 'ГБОУ «Школа № 2107»' created" in out
        code, out, _ = run(capsys, path, "setup", str(example_file()))
        assert out.strip() == "school 1: nothing to change; the database matches the file"

    def test_a_bad_file_is_one_line_and_exit_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = tmp_path / "school.toml"
        bad.write_text(
            example_file().read_text(encoding="utf-8").replace('"7Б"', '"12Я"'), encoding="utf-8"
        )
        code, out, err = run(capsys, tmp_path / "s.db", "setup", str(bad))
        assert code == 2 and out == ""
        assert (
            err.strip()
            == "ediary: classes[8].name: '12Я' is not a class name like 7А (a grade 1-11 and a letter)"
        )


class TestSettings:
    def test_school_set_and_show(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        rows = ok(
            capsys, db, "school", "set", "--scale", "1-10", "--threshold", "0.5", "--days", "6"
        )
        assert ["mark scale", "1-10"] in rows and ["days a week", "6"] in rows
        code, _, err = run(capsys, db, "school", "set", "--timezone", "Mars/Olympus")
        assert code == 2 and "'Mars/Olympus' is not a time zone" in err

    def test_periods_and_holidays(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        rows = ok(capsys, db, "period", "show")
        assert rows[0] == ["year", "2026/27", "open"]
        assert ["period", "quarter", "2", "2nd quarter", "2026-11-05", "2026-12-28"] in rows
        ok(capsys, db, "period", "set", "quarter", "2", "--to", "2026-12-27")
        ok(capsys, db, "holiday", "add", "Карантин", "--from", "2027-02-01", "--to", "2027-02-05")
        rows = ok(capsys, db, "holiday", "list")
        assert ["holiday", "Карантин", "2027-02-01", "2027-02-05"] in rows
        assert ["period", "quarter", "2", "2nd quarter", "2026-11-05", "2026-12-27"] in rows
        ok(capsys, db, "holiday", "remove", "Карантин")
        assert query(db, "SELECT count(*) FROM holidays WHERE name = 'Карантин'") == [(0,)]

    def test_bells(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        rows = ok(capsys, db, "bells", "set", "08:00-08:45", "08:55-09:40/Завтрак", "10:00-10:45")
        assert rows == [
            ["1", "08:00", "08:45", ""],
            ["2", "08:55", "09:40", "Завтрак"],
            ["3", "10:00", "10:45", ""],
        ]
        code, _, err = run(capsys, db, "bells", "set", "08:00-08:45", "08:30-09:15")
        assert code == 2 and "lesson 2 starts (08:30) before lesson 1 ends (08:45)" in err

    def test_subjects_forms_rooms(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        ok(capsys, db, "subject", "add", "Астрономия")
        assert any(row[1] == "Астрономия" for row in ok(capsys, db, "subject", "list"))
        ok(capsys, db, "subject", "rename", "Астрономия", "Астрономия и космос")
        ok(capsys, db, "subject", "remove", "Астрономия и космос")
        rows = ok(capsys, db, "form", "set", "test", "--weight", "4")
        assert rows[0] == ["test", "Контрольная работа", "4", "test"]
        ok(
            capsys,
            db,
            "form",
            "add",
            "essay",
            "--name",
            "Сочинение",
            "--weight",
            "3",
            "--category",
            "test",
        )
        ok(capsys, db, "room", "add", "401", "--capacity", "28")
        assert ["401", "28"] in ok(capsys, db, "room", "list")
        ok(capsys, db, "room", "remove", "401")


class TestClassesAndTimetable:
    def test_classes(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        rows = ok(capsys, db, "class", "add", "7в", "--teacher", "ivanova", "--days", "6")
        assert ["7В", "6 days", "0", "ivanova", "Иванова Ирина Петровна"] in rows
        assert query(
            db,
            "SELECT role FROM user_roles JOIN users ON users.id = user_id WHERE login = 'ivanova' ORDER BY role",
        ) == [("class_teacher",), ("teacher",)]
        rows = ok(capsys, db, "class", "set", "7В", "--name", "7Г", "--no-teacher")
        assert ["7Г", "6 days", "0", "", ""] in rows
        assert query(
            db,
            "SELECT role FROM user_roles JOIN users ON users.id = user_id WHERE login = 'ivanova'",
        ) == [("teacher",)]
        code, _, err = run(capsys, db, "class", "add", "7А")
        assert code == 2 and "the class 7А already exists in 2026/27" in err
        ok(capsys, db, "class", "remove", "7Г")

    def test_timetable_and_changes(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        rows = ok(
            capsys,
            db,
            "timetable",
            "set",
            "--class",
            "7А",
            "--day",
            "tue",
            "--lesson",
            "3",
            "--subject",
            "алгебра",
            "--teacher",
            "ivanova",
            "--room",
            "214",
            "--from",
            FROM,
        )
        assert rows[0][:4] == ["7А", "tue", "3", "алгебра"] and "lessons created" in rows[0][4]
        assert ok(capsys, db, "timetable", "show", "--class", "7А") == [
            ["tue", "3", "Алгебра", "ivanova", "Иванова Ирина Петровна", "214"]
        ]
        code, _, err = run(
            capsys,
            db,
            "timetable",
            "set",
            "--class",
            "7Б",
            "--day",
            "tue",
            "--lesson",
            "3",
            "--subject",
            "Физика",
            "--teacher",
            "ivanova",
            "--room",
            "301",
            "--from",
            FROM,
        )
        assert (
            code == 2
            and "Иванова Ирина Петровна would teach 7А and 7Б at once on Tuesday lesson 3" in err
        )
        ok(
            capsys,
            db,
            "change",
            "--date",
            "2026-12-08",
            "--class",
            "7А",
            "--lesson",
            "3",
            "--replace",
            "petrov",
            "--note",
            "курсы",
        )
        rows = ok(capsys, db, "changes", "--date", "2026-12-08")
        assert rows == [
            [
                "7А",
                "3",
                "replaced",
                "Алгебра",
                "Петров Олег Ильич",
                "Иванова Ирина Петровна",
                "",
                "курсы",
            ]
        ]
        ok(
            capsys,
            db,
            "change",
            "--date",
            "2026-12-08",
            "--class",
            "7А",
            "--lesson",
            "3",
            "--restore",
        )
        ok(
            capsys,
            db,
            "change",
            "--date",
            "2026-12-08",
            "--class",
            "7А",
            "--lesson",
            "3",
            "--move-to",
            "2026-12-09:5",
        )
        rows = ok(capsys, db, "changes", "--date", "2026-12-09")
        assert rows == [
            [
                "7А",
                "5",
                "moved",
                "Алгебра",
                "Иванова Ирина Петровна",
                "",
                "from 2026-12-08 lesson 3",
                "",
            ]
        ]
        code, _, err = run(
            capsys,
            db,
            "change",
            "--date",
            "2026-12-10",
            "--class",
            "7А",
            "--lesson",
            "3",
            "--cancel",
        )
        assert code == 2 and "7А 2026-12-10 lesson 3: there is no lesson" in err
        ok(
            capsys,
            db,
            "timetable",
            "clear",
            "--class",
            "7А",
            "--day",
            "tue",
            "--lesson",
            "3",
            "--from",
            FROM,
        )
        assert ok(capsys, db, "timetable", "show", "--class", "7А") == []
        assert "0 lessons created" in ok(capsys, db, "lessons", "generate", "--from", FROM)[0][0]

    def test_teach(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert ok(
            capsys, db, "teach", "--teacher", "petrov", "--class", "7Б", "--subject", "Физика"
        ) == [["petrov", "7Б", "Физика", "teaches"]]
        ok(
            capsys,
            db,
            "teach",
            "--teacher",
            "petrov",
            "--class",
            "7Б",
            "--subject",
            "Физика",
            "--remove",
        )
        assert query(db, "SELECT count(*) FROM teaching") == [(0,)]
        code, _, err = run(
            capsys, db, "teach", "--teacher", "nobody", "--class", "7Б", "--subject", "Физика"
        )
        assert code == 2 and "there is no user 'nobody'" in err

    def test_every_write_is_audited(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        ok(capsys, db, "room", "add", "402")
        assert query(db, "SELECT action, target FROM audit_log ORDER BY id DESC LIMIT 1") == [
            ("room.add", "402")
        ]
