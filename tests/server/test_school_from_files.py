"""A school built from the example files alone, used through the real API.

No demo builder: an empty migrated database, `setup school.toml`, the staff,
students, parents and timetable imported from the files the package ships,
first-login passwords issued to a class's families, and an imported parent
logs in, chooses a password and reads the child's week, whose lessons are
the ones timetable.csv gives for that day.
"""

from __future__ import annotations

import csv
import importlib.resources
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from ediary_tui.server.app import create_app
from ediary_tui.server.school import accounts
from ediary_tui.server.school.audit import Actor
from ediary_tui.server.school.imports import import_file
from ediary_tui.server.school.imports.files import read_table
from ediary_tui.server.school.setup_file import setup_school
from ediary_tui.server.settings import ServerSettings
from tests.conftest import PINNED_NOW, PINNED_TODAY, FakeClock
from tests.server.test_imports import blank_database

ACTOR = Actor.command_line()
FILES = (
    ("staff", "staff.csv"),
    ("students", "students.csv"),
    ("parents", "parents.xlsx"),
    ("timetable", "timetable.csv"),
)
WEDNESDAY = "ср"


def example(name: str) -> Path:
    return Path(str(importlib.resources.files("ediary_tui.server.school") / "examples" / name))


@pytest.fixture
async def school(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """The example school, set up and imported into an empty database (no demo builder)."""
    async with blank_database(tmp_path) as engine:
        await setup_school(engine, example("school.toml"), actor=ACTOR)
        for kind, name in FILES:
            report = await import_file(
                engine,
                kind,
                example(name),
                school=None,
                actor=ACTOR,
                dry_run=False,
                today=PINNED_TODAY,
            )
            assert report.ok and report.created > 0, report.lines()
        yield engine


def timetable_of(class_name: str, day: str) -> list[tuple[int, str, str]]:
    """(lesson, subject, teacher's id) of a class on a day, as timetable.csv has them."""
    with example("timetable.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["Класс"] == class_name and r["День"] == day]
    return sorted((int(r["Урок"]), r["Предмет"], r["Учитель"]) for r in rows)


def staff_names() -> dict[str, str]:
    """A staff id -> the full name, from staff.csv (Windows-1251, semicolons)."""
    table = read_table(example("staff.csv"))
    return {
        r.text("id"): f"{r.text('surname')} {r.text('first_name')} {r.text('patronymic')}"
        for r in table.rows
    }


async def a_parent(engine: AsyncEngine) -> tuple[str, int, int, str]:
    """The first parent of parents.xlsx with an e-mail: their login, and a child's id, class
    id and class name."""
    first = next(r for r in read_table(example("parents.xlsx")).rows if r.text("email"))
    u, st, g, c = s.users.c, s.students.c, s.guardians.c, s.classes.c
    async with engine.connect() as conn:
        parent = (
            await conn.execute(sa.select(u.id, u.login).where(u.email == first.text("email")))
        ).one()
        child = (
            await conn.execute(
                sa.select(st.user_id, c.id.label("class_id"), c.name)
                .select_from(
                    s.guardians.join(s.students, st.user_id == g.student_id).join(
                        s.classes, c.id == st.class_id
                    )
                )
                .where(g.parent_id == parent.id)
                .order_by(st.user_id)
            )
        ).first()
    assert child is not None
    return parent.login, child.user_id, child.class_id, child.name


async def test_a_parent_of_an_imported_school_reads_the_week_the_timetable_file_gave(
    school: AsyncEngine,
) -> None:
    login, child_id, class_id, class_name = await a_parent(school)
    async with school.begin() as conn:
        issued = await accounts.issue_for_class(
            conn, ACTOR, class_id, only_new=True, now=PINNED_NOW
        )
    password = next(i.password for i in issued if i.login == login)

    app = create_app(school, ServerSettings(clock=FakeClock()))
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://school") as api:
        r = await api.post("/api/v1/auth/login", json={"login": login, "password": password})
        assert r.status_code == 200, r.text
        assert r.json()["must_change_password"] is True
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        changed = await api.post(
            "/api/v1/auth/password",
            json={"old_password": password, "new_password": "sinie-gory-2107"},
            headers=headers,
        )
        assert changed.status_code == 204, changed.text
        children = (await api.get("/api/v1/me", headers=headers)).json()["children"]
        assert str(child_id) in {child["id"] for child in children}
        week = await api.get(
            f"/api/v1/students/{child_id}/week",
            params={"start": PINNED_TODAY.isoformat()},
            headers=headers,
        )
        assert week.status_code == 200, week.text

    wednesday = next(d for d in week.json()["days"] if d["date"] == PINNED_TODAY.isoformat())
    names = staff_names()
    expected = [
        (number, subject, names[teacher])
        for number, subject, teacher in timetable_of(class_name, WEDNESDAY)
    ]
    assert expected  # the file gives the class lessons on Wednesdays
    assert [
        (lesson["number"], lesson["subject"]["name"], lesson["teacher"]["full_name"])
        for lesson in wednesday["lessons"]
    ] == expected


async def test_issuing_again_for_only_the_new_leaves_a_parent_who_logged_in(
    school: AsyncEngine,
) -> None:
    login, _, class_id, _ = await a_parent(school)
    async with school.begin() as conn:
        first = await accounts.issue_for_class(conn, ACTOR, class_id, only_new=True, now=PINNED_NOW)
        await conn.execute(
            s.users.update().where(s.users.c.login == login).values(must_change_password=False)
        )
        again = await accounts.issue_for_class(conn, ACTOR, class_id, only_new=True, now=PINNED_NOW)
    assert login in {i.login for i in first}
    assert login not in {i.login for i in again}
    assert len(again) == len(first) - 1
