"""The `ediary` command line: server-side commands and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from ediary_tui.cli import main
from tests.conftest import PINNED_TODAY


@pytest.fixture(scope="module")
def school_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "school.db"
    code = main(
        [
            "demo",
            "--db",
            str(db),
            "--today",
            PINNED_TODAY.isoformat(),
            "--classes-per-grade",
            "1",
            "--students-per-class",
            "4",
        ]
    )
    assert code == 0
    return db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class TestAdminCommands:
    def test_list_users_shows_every_demo_person(
        self, school_db: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = run(capsys, "admin", "--db", str(school_db), "list-users")
        assert code == 0
        logins = [line.split("\t")[0] for line in out.splitlines()]
        assert {"admin", "teacher", "parent", "student"} <= set(logins)
        assert len(logins) > 50

    def test_list_users_by_role(self, school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = run(capsys, "admin", "--db", str(school_db), "list-users", "--role", "admin")
        assert code == 0
        assert [line.split("\t")[0] for line in out.splitlines()] == ["admin"]

    def test_create_user_with_temporary_password_then_link(
        self, school_db: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = run(
            capsys,
            "admin",
            "--db",
            str(school_db),
            "create-user",
            "--login",
            "petrova.ea",
            "--name",
            "Петрова Елена Андреевна",
            "--role",
            "parent",
        )
        assert code == 0
        assert "temporary password" in out
        code, out, _ = run(
            capsys,
            "admin",
            "--db",
            str(school_db),
            "link-parent",
            "--parent",
            "petrova.ea",
            "--student",
            "student",
        )
        assert code == 0
        code, _, err = run(
            capsys,
            "admin",
            "--db",
            str(school_db),
            "link-parent",
            "--parent",
            "petrova.ea",
            "--student",
            "student",
        )
        assert code == 2
        assert "already linked" in err

    def test_issue_credentials_prints_one_line_per_family_member(
        self, school_db: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = run(
            capsys, "admin", "--db", str(school_db), "issue-credentials", "--class", "3А"
        )
        assert code == 0
        lines = out.splitlines()[1:]
        assert len(lines) >= 4  # four students, each with at least one parent
        assert all(len(line.split("\t")[3]) == 10 for line in lines)


class TestErrorsAreOneLine:
    def test_taken_login(self, school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _out, err = run(
            capsys,
            "admin",
            "--db",
            str(school_db),
            "create-user",
            "--login",
            "parent",
            "--name",
            "X Y",
            "--role",
            "parent",
        )
        assert code == 2
        assert err.strip() == "ediary: login 'parent' is taken; choose another"
        assert "Traceback" not in err

    def test_unknown_role(self, school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(
            capsys,
            "admin",
            "--db",
            str(school_db),
            "create-user",
            "--login",
            "zz",
            "--name",
            "X Y",
            "--role",
            "wizard",
        )
        assert code == 2
        assert "roles are" in err and len(err.strip().splitlines()) == 1

    def test_unknown_class(self, school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(
            capsys, "admin", "--db", str(school_db), "issue-credentials", "--class", "12Я"
        )
        assert code == 2
        assert "no class '12Я'" in err

    def test_unreachable_postgres(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(
            capsys, "admin", "--db", "postgresql://nobody@127.0.0.1:9/none", "list-users"
        )
        assert code == 2
        assert err.startswith("ediary: cannot reach the database")

    def test_bad_date_is_an_argparse_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exc:
            main(["demo", "--today", "25.11.2026"])
        assert exc.value.code == 2
        assert "not a date like 2026-11-25" in capsys.readouterr().err
