"""The `ediary` command line: server-side commands and their errors."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ediary_tui.cli import main
from ediary_tui.server.app import create_app
from ediary_tui.server.db import create_engine
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


def query(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """What the school's database holds, read past the command line."""
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


class TestAdminCommands:
    def test_list_users_shows_every_demo_person(
        self, school_db: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, _ = run(capsys, "admin", "--db", str(school_db), "list-users")
        assert code == 0
        logins = [line.split("\t")[0] for line in out.splitlines()]
        assert {"admin", "teacher", "parent", "student"} <= set(logins)
        # Everyone in the database, once each, by school and then login.
        everyone = query(school_db, "SELECT login FROM users ORDER BY school_id, login")
        assert logins == [login for (login,) in everyone]

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
        header, *lines = out.splitlines()
        assert header == "login\tfull name\tfor student\ttemporary password"
        students = query(
            school_db,
            "SELECT st.user_id FROM students st JOIN classes c ON c.id = st.class_id"
            " WHERE c.name = ?",
            "3А",
        )
        assert len(students) == 4  # --students-per-class 4
        ids = ",".join(str(i) for (i,) in students)
        family = query(
            school_db,
            f"SELECT login FROM users WHERE id IN ({ids}) OR id IN"
            f" (SELECT parent_id FROM guardians WHERE student_id IN ({ids}))",
        )
        # Each student and each of their parents, once.
        logins = [line.split("\t")[0] for line in lines]
        assert sorted(logins) == sorted(login for (login,) in family)
        assert [len(line.split("\t")[3]) for line in lines] == [10] * len(lines)


class TestUnlock:
    @staticmethod
    def _logins(db: Path, who: str, passwords: list[str], address: str = "127.0.0.1") -> list[int]:
        """Log in over HTTP to the server on `db`, from `address`, on the real clock."""

        async def go() -> list[int]:
            engine = create_engine(str(db))
            transport = httpx.ASGITransport(app=create_app(engine), client=(address, 5000))
            try:
                async with httpx.AsyncClient(transport=transport, base_url="http://s") as api:
                    return [
                        (
                            await api.post("/api/v1/auth/login", json={"login": who, "password": p})
                        ).status_code
                        for p in passwords
                    ]
            finally:
                await engine.dispose()

        return asyncio.run(go())

    def test_unlock_lifts_every_lock_of_a_login_and_says_what(
        self, school_db: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert self._logins(school_db, "teacher", ["wrong"] * 5 + ["demo"]) == [401] * 5 + [429]
        code, out, _ = run(capsys, "admin", "--db", str(school_db), "unlock", "Teacher")
        assert code == 0
        waiting = r"waiting until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"
        assert re.fullmatch(rf"lifted: teacher from 127\.0\.0\.1 \(5 attempts, {waiting}\)\n", out)
        assert self._logins(school_db, "teacher", ["demo"]) == [200]
        code, out, _ = run(capsys, "admin", "--db", str(school_db), "unlock", "teacher")
        assert (code, out) == (0, "teacher had no failed attempts to lift\n")

    def test_unlock_an_address(self, school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        # An address of its own, so that other tests' failures do not count here.
        assert self._logins(school_db, "made-up", ["wrong"] * 2, "10.9.8.7") == [401, 401]
        code, out, _ = run(
            capsys, "admin", "--db", str(school_db), "unlock", "--address", "10.9.8.7"
        )
        assert (code, out) == (0, "lifted: address 10.9.8.7 (2 failed logins)\n")
        code, out, _ = run(
            capsys, "admin", "--db", str(school_db), "unlock", "--address", "10.9.8.7"
        )
        assert (code, out) == (0, "address 10.9.8.7 had no failed logins to lift\n")

    def test_an_unknown_login_is_a_one_line_error(
        self, school_db: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        code, out, err = run(capsys, "admin", "--db", str(school_db), "unlock", "nobody-here")
        assert (code, out) == (2, "")
        assert err == "ediary: no user with login 'nobody-here'; see `ediary admin list-users`\n"
        code, _, err = run(capsys, "admin", "--db", str(school_db), "unlock")
        assert (code, err) == (2, "ediary: say what to unlock: a LOGIN, or --address ADDRESS\n")


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
        assert err == (
            "ediary: 'wizard' is not a valid Role;"
            " roles are student, parent, teacher, class_teacher, admin\n"
        )

    def test_unknown_class(self, school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(
            capsys, "admin", "--db", str(school_db), "issue-credentials", "--class", "12Я"
        )
        assert (code, err) == (
            2,
            "ediary: school 1 has no class '12Я' in 2026/27; create it with `ediary admin class add`\n",
        )

    def test_unreachable_postgres(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, _, err = run(
            capsys, "admin", "--db", "postgresql://nobody@127.0.0.1:9/none", "list-users"
        )
        assert code == 2
        # The rest is the driver's reason, which differs between systems; one line of it.
        assert err.startswith(
            "ediary: cannot reach the database 'postgresql://nobody@127.0.0.1:9/none': "
        )
        assert err.count("\n") == 1

    def test_bad_date_is_an_argparse_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        with pytest.raises(SystemExit) as exc:
            main(["demo", "--today", "25.11.2026"])
        assert exc.value.code == 2
        assert "not a date like 2026-11-25" in capsys.readouterr().err


NO_TERMINAL = "ediary: the app needs a terminal on stdin and stdout (the server's side: ediary serve, admin)\n"


class TestWithoutATerminal:
    """Under an sshd ForceCommand, `ssh host cmd`, sftp and scp start `ediary` with no terminal."""

    @staticmethod
    def ediary(
        home: Path, *argv: str, stdin: int = subprocess.DEVNULL, **env: str
    ) -> subprocess.CompletedProcess[str]:
        environment = {k: v for k, v in os.environ.items() if k != "SSH_ORIGINAL_COMMAND"}
        environment.update(EDIARY_HOME=str(home), **env)
        return subprocess.run(
            [sys.executable, "-m", "ediary_tui.cli", *argv],
            cwd=home,  # `-m` puts the working directory first on sys.path: not the checkout
            stdin=stdin,
            capture_output=True,
            text=True,
            env=environment,
            timeout=60,  # an app that started would wait here for keys that never come
        )

    def test_the_app_says_so_in_one_line_and_exits_2(self, tmp_path: Path) -> None:
        done = self.ediary(tmp_path, "--lang", "en")
        assert done.returncode == 2
        assert (done.stdout, done.stderr) == ("", NO_TERMINAL)
        assert not tmp_path.exists() or not any(tmp_path.iterdir())  # no outbox held, no cache

    def test_under_a_force_command_it_says_to_connect_with_plain_ssh(self, tmp_path: Path) -> None:
        done = self.ediary(tmp_path, SSH_ORIGINAL_COMMAND="internal-sftp")
        assert done.returncode == 2
        assert done.stderr == (
            "ediary: this account opens the diary in a terminal only: connect with plain ssh\n"
        )

    def test_a_terminal_on_stdin_alone_is_not_enough(self, tmp_path: Path) -> None:
        import pty

        parent, child = pty.openpty()
        try:
            done = self.ediary(tmp_path, stdin=child)
        finally:
            os.close(parent)
            os.close(child)
        assert (done.returncode, done.stderr) == (2, NO_TERMINAL)

    def test_the_server_commands_need_none(self, school_db: Path, tmp_path: Path) -> None:
        done = self.ediary(tmp_path, "admin", "--db", str(school_db), "list-schools")
        assert done.returncode == 0, done.stderr
        schools = query(school_db, "SELECT id, name FROM schools ORDER BY id")
        assert len(schools) == 1
        assert done.stdout == "".join(f"{i}\t{name}\n" for i, name in schools)
