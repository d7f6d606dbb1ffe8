"""The `ediary` command line: server-side commands and their errors."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
            capsys, "admin", "--db", str(school_db), "issue-credentials", "--class", "3А", "--yes"
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


# --- accounts at scale, the audit log, backups ----------------------------------------------


@pytest.fixture
def fresh_db(school_db: Path, tmp_path: Path) -> Path:
    """A copy of the demo school of its own, for a test that changes passwords, where
    everyone has chosen their own password, "demo" (whatever other tests did before)."""
    copy = tmp_path / "copy.db"
    with sqlite3.connect(school_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        target.execute(
            "UPDATE users SET must_change_password = 0,"
            " password_hash = (SELECT password_hash FROM users WHERE login = 'admin')"
        )
        target.execute("DELETE FROM login_throttle")
    return copy


class Terminal(io.StringIO):
    """stdin as a person at a terminal, who types `answer`."""

    def isatty(self) -> bool:
        return True


def _hashes(db: Path) -> dict[str, str]:
    return dict(query(db, "SELECT login, password_hash FROM users"))  # type: ignore[arg-type]


def _token_status(db: Path, login: str, password: str, reset: Callable[[], None]) -> list[int]:
    """Log in, run `reset`, then use the token from before: the statuses of both reads."""

    async def go() -> list[int]:
        engine = create_engine(str(db))
        transport = httpx.ASGITransport(app=create_app(engine), client=("127.0.0.1", 5000))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://s") as api:
                r = await api.post(
                    "/api/v1/auth/login", json={"login": login, "password": password}
                )
                headers = {"Authorization": f"Bearer {r.json()['token']}"}
                before = (await api.get("/api/v1/me", headers=headers)).status_code
                await asyncio.to_thread(reset)
                after = (await api.get("/api/v1/me", headers=headers)).status_code
                return [before, after]
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _login_status(db: Path, login: str, password: str) -> tuple[int, bool | None]:
    async def go() -> tuple[int, bool | None]:
        engine = create_engine(str(db))
        transport = httpx.ASGITransport(app=create_app(engine), client=("127.0.0.1", 5000))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://s") as api:
                r = await api.post(
                    "/api/v1/auth/login", json={"login": login, "password": password}
                )
                return r.status_code, r.json().get("must_change_password")
        finally:
            await engine.dispose()

    return asyncio.run(go())


class TestIssueCredentialsAsksFirst:
    def _family_of_3a(self, db: Path) -> int:
        (n,) = query(
            db,
            "SELECT count(*) FROM users WHERE id IN (SELECT st.user_id FROM students st"
            " JOIN classes c ON c.id = st.class_id WHERE c.name = '3А') OR id IN"
            " (SELECT parent_id FROM guardians WHERE student_id IN (SELECT st.user_id"
            " FROM students st JOIN classes c ON c.id = st.class_id WHERE c.name = '3А'))",
        )[0]
        return int(n)  # type: ignore[call-overload]

    def test_on_a_terminal_it_asks_and_no_changes_nothing(
        self, fresh_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        people = self._family_of_3a(fresh_db)
        before = _hashes(fresh_db)
        monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
        code, out, err = run(
            capsys, "admin", "--db", str(fresh_db), "issue-credentials", "--class", "3А"
        )
        assert (code, out) == (1, "")
        assert err == (
            f"Issue new one-time passwords to {people} people of 3А? {people} of them have"
            " chosen their own password and would be logged out (--only-new leaves them alone)."
            " [y/N] nothing issued\n"
        )
        assert _hashes(fresh_db) == before
        monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
        code, out, _ = run(
            capsys, "admin", "--db", str(fresh_db), "issue-credentials", "--class", "3А"
        )
        assert code == 0 and len(out.splitlines()) == 1 + people
        assert _hashes(fresh_db) != before

    def test_only_new_leaves_those_who_chose_their_own(
        self, fresh_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        people = self._family_of_3a(fresh_db)
        code, out, _ = run(
            capsys, "admin", "--db", str(fresh_db), "issue-credentials", "--class", "3А", "--yes"
        )
        assert code == 0
        first = {line.split("\t")[0] for line in out.splitlines()[1:]}
        chosen = sorted(first)[0]
        with sqlite3.connect(fresh_db) as conn:  # as if they had logged in and chosen their own
            conn.execute("UPDATE users SET must_change_password = 0 WHERE login = ?", (chosen,))
        kept = _hashes(fresh_db)[chosen]
        monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
        code, out, err = run(
            capsys,
            "admin",
            "--db",
            str(fresh_db),
            "issue-credentials",
            "--class",
            "3А",
            "--only-new",
        )
        assert code == 0
        assert err == f"Issue new one-time passwords to {people - 1} people of 3А? [y/N] "
        assert {line.split("\t")[0] for line in out.splitlines()[1:]} == first - {chosen}
        assert _hashes(fresh_db)[chosen] == kept

    def test_only_new_when_everyone_is_in_issues_nothing_and_asks_nothing(
        self, fresh_db: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        before = _hashes(fresh_db)
        code, out, err = run(
            capsys,
            "admin",
            "--db",
            str(fresh_db),
            "issue-credentials",
            "--class",
            "3А",
            "--only-new",
        )
        assert (code, out) == (0, "")
        assert err == "everyone of 3А has chosen their own password; nothing to issue\n"
        assert _hashes(fresh_db) == before

    def test_without_a_terminal_it_refuses_unless_yes(
        self, fresh_db: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        before = _hashes(fresh_db)
        code, out, err = run(
            capsys, "admin", "--db", str(fresh_db), "issue-credentials", "--class", "3А"
        )
        assert (code, out) == (2, "")
        assert err == (
            "ediary: there is no terminal to ask at;"
            " to issue the passwords without asking, add --yes\n"
        )
        assert _hashes(fresh_db) == before


class TestResetAndUnlink:
    def test_reset_password_ends_the_old_sessions(
        self, fresh_db: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        printed: list[str] = []

        def reset() -> None:
            code, out, _ = run(capsys, "admin", "--db", str(fresh_db), "reset-password", "parent")
            assert code == 0
            printed.append(out)

        assert _token_status(fresh_db, "parent", "demo", reset) == [200, 401]
        login, said, note = printed[0].rstrip("\n").split("\t")
        assert login == "parent" and note.startswith("(must be changed at login")
        secret = said.removeprefix("temporary password: ")
        assert _login_status(fresh_db, "parent", "demo") == (401, None)
        assert _login_status(fresh_db, "parent", secret) == (200, True)

    def test_unlink_parent(self, fresh_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        args = ["admin", "--db", str(fresh_db), "unlink-parent", "--parent", "parent"]
        code, out, _ = run(capsys, *args, "--student", "student")
        assert (code, out) == (0, "parent no longer sees the diary of student\n")
        code, _, err = run(capsys, *args, "--student", "student")
        assert (code, err) == (2, "ediary: 'parent' is not linked to 'student'\n")


class TestAuditLog:
    def test_every_action_is_listed_newest_first_with_who_and_when(
        self, fresh_db: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        db = ["admin", "--db", str(fresh_db)]
        assert run(capsys, *db, "reset-password", "teacher")[0] == 0
        assert run(capsys, *db, "unlock", "teacher")[0] == 0
        assert (
            run(capsys, *db, "unlink-parent", "--parent", "parent", "--student", "student")[0] == 0
        )
        assert run(capsys, *db, "link-parent", "--parent", "parent", "--student", "student")[0] == 0
        assert run(capsys, *db, "issue-credentials", "--class", "3А", "--yes")[0] == 0
        code, out, _ = run(capsys, *db, "audit")
        assert code == 0
        header, *lines = out.splitlines()
        assert header == "at (UTC)\tactor\taction\ttarget\tdetail"
        rows = [line.split("\t") for line in lines]
        assert [r[2] for r in rows[:5]] == [
            "credentials.issue",
            "parent.link",
            "parent.unlink",
            "user.unlock",
            "password.reset",
        ]
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r[0]) for r in rows)
        assert all(r[1].startswith("command line (") for r in rows[:5])
        assert rows[1][3:] == ["parent -> student", '{"relation": "parent"}']
        assert rows[4][3] == "teacher" and re.fullmatch(r'\{"sessions_ended": \d+\}', rows[4][4])
        assert rows[0][3] == "3А" and '"only_new": false' in rows[0][4]
        code, out, _ = run(capsys, *db, "audit", "--action", "parent.link", "--limit", "1")
        assert [line.split("\t")[2] for line in out.splitlines()[1:]] == ["parent.link"]
        code, out, _ = run(capsys, *db, "audit", "--since", "2999-01-01")
        assert out.splitlines() == [header]
        code, out, _ = run(capsys, *db, "audit", "--actor", rows[0][1], "--limit", "2")
        assert len(out.splitlines()) == 3


class TestBackupCommands:
    def test_backup_then_restore(
        self, fresh_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        db = ["admin", "--db", str(fresh_db)]
        target = tmp_path / "backup.db"
        code, out, _ = run(capsys, *db, "backup", str(target))
        assert code == 0 and out.startswith(f"{target}\t1 school(s), ")
        code, _, err = run(capsys, *db, "backup", str(target))
        assert (code, err) == (
            2,
            f"ediary: '{target}' exists; give another file name, or --force to overwrite it\n",
        )
        assert run(capsys, *db, "backup", str(target), "--force")[0] == 0
        with sqlite3.connect(fresh_db) as conn:
            conn.execute("DELETE FROM guardians")
        code, _, err = run(capsys, *db, "restore", str(target))
        assert code == 2 and "add --yes" in err
        code, out, _ = run(capsys, *db, "restore", str(target), "--yes")
        assert code == 0, out
        assert query(fresh_db, "SELECT count(*) FROM guardians")[0][0] > 0
        kept = Path(out.splitlines()[1].split("\t")[0])
        assert kept.name.startswith("copy.db.before-restore-")
        assert query(kept, "SELECT count(*) FROM guardians") == [(0,)]

    def test_restore_refuses_what_is_not_an_ediary_database(
        self, fresh_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        other = tmp_path / "other.db"
        with sqlite3.connect(other) as conn:
            conn.execute("CREATE TABLE notes (x)")
        text = tmp_path / "notes.txt"
        text.write_text("not a database at all " * 100)
        code, _, err = run(capsys, "admin", "--db", str(fresh_db), "restore", str(other), "--yes")
        assert (code, err) == (
            2,
            f"ediary: '{other}' is not an ediary database (it has no alembic_version, schools"
            " and users tables); give a file `ediary admin backup` made\n",
        )
        code, _, err = run(capsys, "admin", "--db", str(fresh_db), "restore", str(text), "--yes")
        assert code == 2 and err.startswith(f"ediary: '{text}' is not a SQLite database")

    def test_postgresql_is_backed_up_with_pg_dump(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from ediary_tui.cli import common

        async def no_migration(url: str, work: Callable[[Any], Any], **kw: Any) -> Any:
            engine = create_engine(url)
            try:
                return await work(engine)
            finally:
                await engine.dispose()

        monkeypatch.setattr(common, "_with_engine", no_migration)
        monkeypatch.setattr("ediary_tui.cli.admin._with_engine", no_migration)
        code, _, err = run(
            capsys, "admin", "--db", "postgresql://nobody@127.0.0.1:9/none", "backup", "x.db"
        )
        assert (code, err) == (
            2,
            "ediary: a PostgreSQL database is backed up with its own tools: `pg_dump -Fc` to"
            " back up and `pg_restore` to restore (see 'Backups' in the README)\n",
        )
