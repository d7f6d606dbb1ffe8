"""The whole API held to its conventions, route by route, by walking the OpenAPI document.

- Every write records a change in its own transaction: the change feed and the week's
  read cache (validated by the newest change id, see server/readcache.py) rely on it.
- A write that the weekly diary shows is in the next week answer, never a cached one;
  a write with no check in SHOWN must leave the week as it was.
- Bad input is 422 naming the field, and writes nothing; nothing a client sends is a 500.
- Everything but login, health and the docs needs a token.
- A student id of someone else's child answers exactly like an id that does not exist,
  and so do the ids of marks, threads, notices and homework.

Known failures in files this module may not fix are strict xfails naming the file: they
turn red when fixed, so the marker is removed with the fix.

Each write route has one known-good request in CASES, built from the demo school through
the API. A write route without a case fails `test_every_write_route_has_a_known_good_case`,
so whoever adds a route adds it here too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.domain.periods import period_kind_for_grade, week_start
from ediary_tui.server import schema as s
from ediary_tui.server.app import create_app
from ediary_tui.server.settings import ServerSettings
from tests.conftest import PG_URL, PINNED_NOW, PINNED_TODAY, login
from tests.server.test_week import children, classmate, rows, scalar, user_id

API = "/api/v1"
WRITE_METHODS = ("post", "put", "patch", "delete")
NO_SUCH_ID = "999999999"
BAD_DATE = "2026-13-40"
# A string no lax parser turns into the expected type, per OpenAPI scalar kind.
NOT_A = {
    "integer": "five",
    "boolean": "maybe",
    "date": BAD_DATE,
    "date-time": "half past never",
    "enum": "no-such-choice",
}
# Routes anyone may call: they must not ask for a token.
OPEN_ROUTES = {("get", "/healthz"), ("post", f"{API}/auth/login")}


# --- the app, kept at hand so tests can look at its read cache ---------------------------


@pytest.fixture
def app(engine: AsyncEngine, settings: ServerSettings) -> FastAPI:
    return create_app(engine, settings)


@pytest.fixture
async def api(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """As conftest's `api`, over an app this module can inspect."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://school") as client:
        yield client


# --- requests ------------------------------------------------------------------------------


@dataclass
class Call:
    """One request to one route of the OpenAPI document, as a given person."""

    method: str
    template: str  # the path as the OpenAPI document names it
    params: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any] | None = None
    query: dict[str, str] = field(default_factory=dict)
    # What the diary should show after the write (read by the week-cache checks).
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.template

    def url(self, **override: str) -> str:
        return self.template.format(**{**self.params, **override})

    async def send(
        self,
        api: httpx.AsyncClient,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        **override: str,
    ) -> httpx.Response:
        """The request, with `override` replacing path or query values of the same name."""
        payload = self.body if body is None else body
        query = {k: override.get(k, v) for k, v in self.query.items()}
        return await api.request(
            self.method.upper(),
            self.url(**{k: v for k, v in override.items() if k in self.params}),
            params=query,
            headers=self.headers if headers is None else headers,
            json=payload,
        )


async def latest_change_id(engine: AsyncEngine) -> int:
    return await scalar(engine, sa.select(sa.func.max(s.changes.c.id))) or 0


async def openapi(api: httpx.AsyncClient) -> dict[str, Any]:
    r = await api.get(f"{API}/openapi.json")
    assert r.status_code == 200, r.text
    return r.json()


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, op)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in ("get", *WRITE_METHODS)
    ]


def write_routes(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, path)
        for method, path, _op in operations(doc)
        if method in WRITE_METHODS and not path.startswith(f"{API}/auth/")
    }


def fill_path(path: str, value: str = "1") -> str:
    """Every `{param}` of a path template replaced by one value."""
    out, _, rest = path.partition("{")
    while rest:
        _name, _, rest = rest.partition("}")
        head, _, rest = rest.partition("{")
        out += value + head
    return out


# --- the demo school, as the cases need it ------------------------------------------------


class School:
    """Ids and logins of the demo school, looked up once per test through the API and db."""

    def __init__(self, api: httpx.AsyncClient, engine: AsyncEngine) -> None:
        self.api = api
        self.engine = engine
        self._headers: dict[str, dict[str, str]] = {}

    async def as_(self, who: str) -> dict[str, str]:
        if who not in self._headers:
            self._headers[who] = await login(self.api, who)
        return self._headers[who]

    async def student(self) -> str:
        """The well-known parent's older child (the `student` login), in 7А."""
        older, _younger = await children(self.api, await self.as_("parent"))
        return older

    async def class_id(self) -> int:
        st = s.students
        return await scalar(
            self.engine, sa.select(st.c.class_id).where(st.c.user_id == int(await self.student()))
        )

    async def lesson(self) -> Any:
        """The latest lesson this week, up to today, that `teacher` writes for the student's
        class and where the student has no attendance code yet."""
        le, t, att = s.lessons, s.teaching, s.attendance
        student = int(await self.student())
        coded = sa.select(att.c.lesson_id).where(att.c.student_id == student)
        found = await rows(
            self.engine,
            sa.select(le)
            .join(t, sa.and_(t.c.class_id == le.c.class_id, t.c.subject_id == le.c.subject_id))
            .where(
                t.c.teacher_id == int(await user_id(self.engine, "teacher")),
                le.c.class_id == await self.class_id(),
                le.c.date.between(week_start(PINNED_TODAY), PINNED_TODAY),
                le.c.id.not_in(coded),
            )
            .order_by(le.c.date.desc(), le.c.number.desc())
            .limit(1),
        )
        assert found, "the demo week has no lesson of `teacher` in the student's class"
        return found[0]

    async def next_school_day(self) -> dt.date:
        """The first day after today, this week, with lessons of the student's class."""
        le = s.lessons
        day = await scalar(
            self.engine,
            sa.select(sa.func.min(le.c.date)).where(
                le.c.class_id == await self.class_id(), le.c.date > PINNED_TODAY
            ),
        )
        assert day is not None and week_start(day) == week_start(PINNED_TODAY), day
        return day

    async def mark(self, value: int = 5) -> dict[str, Any]:
        lesson = await self.lesson()
        r = await self.api.post(
            f"{API}/marks",
            json={"student_id": await self.student(), "lesson_id": str(lesson.id), "value": value},
            headers=await self.as_("teacher"),
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def homework(self) -> dict[str, Any]:
        lesson = await self.lesson()
        r = await self.api.post(
            f"{API}/lessons/{lesson.id}/homework",
            json={"text": "§12, упражнения 1-5", "required": True},
            headers=await self.as_("teacher"),
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def notice(self) -> dict[str, Any]:
        day = (await self.next_school_day()).isoformat()
        r = await self.api.post(
            f"{API}/students/{await self.student()}/absence-notices",
            json={"from": day, "to": day, "reason": "family", "comment": "Семейные обстоятельства"},
            headers=await self.as_("parent"),
        )
        assert r.status_code == 201, r.text
        return r.json()

    async def lessons_on(self, day: dt.date) -> list[str]:
        le = s.lessons
        found = await rows(
            self.engine,
            sa.select(le.c.id)
            .where(le.c.class_id == await self.class_id(), le.c.date == day)
            .order_by(le.c.number),
        )
        return [str(r.id) for r in found]


# --- one known-good request per write route ------------------------------------------------


async def _sign_week(school: School) -> Call:
    # Last week: its lessons are over, so it can be signed.
    student, monday = await school.student(), week_start(PINNED_TODAY) - dt.timedelta(days=7)
    wn = s.week_notes
    async with school.engine.begin() as conn:  # whatever the demo did, that week is unsigned
        await conn.execute(
            wn.update()
            .where(wn.c.student_id == int(student), wn.c.monday == monday)
            .values(signed_by=None, signed_at=None)
        )
    return Call(
        "post",
        f"{API}/students/{{student_id}}/week/{{monday}}/signature",
        {"student_id": student, "monday": monday.isoformat()},
        await school.as_("parent"),
        meta={
            "student_id": student,
            "start": monday,
            "parent": await user_id(school.engine, "parent"),
        },
    )


async def _homework_done(school: School) -> Call:
    hw = await school.homework()
    return Call(
        "put",
        f"{API}/students/{{student_id}}/homework/{{homework_id}}/done",
        {"student_id": await school.student(), "homework_id": hw["id"]},
        await school.as_("student"),
        {"done": True},
        meta={"student_id": await school.student(), "start": hw["date"], "homework_id": hw["id"]},
    )


async def _give_notice(school: School) -> Call:
    day = await school.next_school_day()
    return Call(
        "post",
        f"{API}/students/{{student_id}}/absence-notices",
        {"student_id": await school.student()},
        await school.as_("parent"),
        {"from": day.isoformat(), "to": day.isoformat(), "reason": "illness", "comment": "Врач"},
        meta={
            "student_id": await school.student(),
            "start": day,
            "lessons": await school.lessons_on(day),
        },
    )


async def _withdraw_notice(school: School) -> Call:
    notice = await school.notice()
    day = dt.date.fromisoformat(notice["from"])
    return Call(
        "delete",
        f"{API}/students/{{student_id}}/absence-notices/{{notice_id}}",
        {"student_id": await school.student(), "notice_id": notice["id"]},
        await school.as_("parent"),
        meta={
            "student_id": await school.student(),
            "start": day,
            "lessons": await school.lessons_on(day),
        },
    )


async def _announce(school: School) -> Call:
    return Call(
        "post",
        f"{API}/announcements",
        {},
        await school.as_("teacher"),
        {"class_id": str(await school.class_id()), "title": "Экскурсия", "body": "В пятницу."},
    )


async def _start_thread(school: School) -> Call:
    return Call(
        "post",
        f"{API}/threads",
        {},
        await school.as_("parent"),
        {
            "student_id": await school.student(),
            "teacher_id": await user_id(school.engine, "teacher"),
            "subject": "Контрольная",
            "body": "Когда можно переписать?",
        },
    )


async def _write_in_thread(school: School) -> Call:
    t = s.threads
    thread = await scalar(
        school.engine,
        sa.select(t.c.id)
        .where(t.c.parent_id == int(await user_id(school.engine, "parent")))
        .order_by(t.c.id)
        .limit(1),
    )
    assert thread is not None, "the demo parent has no thread"
    return Call(
        "post",
        f"{API}/threads/{{thread_id}}/messages",
        {"thread_id": str(thread)},
        await school.as_("parent"),
        {"body": "Спасибо, поняли."},
    )


async def _put_mark(school: School) -> Call:
    lesson = await school.lesson()
    return Call(
        "post",
        f"{API}/marks",
        {},
        await school.as_("teacher"),
        {
            "student_id": await school.student(),
            "lesson_id": str(lesson.id),
            "value": 4,
            "control_form": "board",
            "comment": "cache-check",
        },
        meta={
            "student_id": await school.student(),
            "start": lesson.date,
            "lesson_id": str(lesson.id),
        },
    )


async def _change_mark(school: School) -> Call:
    mark = await school.mark(5)
    return Call(
        "patch",
        f"{API}/marks/{{mark_id}}",
        {"mark_id": mark["id"]},
        await school.as_("teacher"),
        {"value": 3},
        meta={"student_id": mark["student_id"], "start": mark["date"], "mark_id": mark["id"]},
    )


async def _delete_mark(school: School) -> Call:
    mark = await school.mark(2)
    return Call(
        "delete",
        f"{API}/marks/{{mark_id}}",
        {"mark_id": mark["id"]},
        await school.as_("teacher"),
        meta={"student_id": mark["student_id"], "start": mark["date"], "mark_id": mark["id"]},
    )


async def _patch_lesson(school: School) -> Call:
    lesson = await school.lesson()
    return Call(
        "patch",
        f"{API}/lessons/{{lesson_id}}",
        {"lesson_id": str(lesson.id)},
        await school.as_("teacher"),
        {"topic": "Проверка кэша недели", "room": "215"},
        meta={
            "student_id": await school.student(),
            "start": lesson.date,
            "lesson_id": str(lesson.id),
        },
    )


async def _attendance(school: School) -> Call:
    lesson = await school.lesson()
    return Call(
        "put",
        f"{API}/lessons/{{lesson_id}}/attendance/{{student_id}}",
        {"lesson_id": str(lesson.id), "student_id": await school.student()},
        await school.as_("teacher"),
        {"code": "late"},
        meta={
            "student_id": await school.student(),
            "start": lesson.date,
            "lesson_id": str(lesson.id),
        },
    )


async def _set_homework(school: School) -> Call:
    lesson = await school.lesson()
    return Call(
        "post",
        f"{API}/lessons/{{lesson_id}}/homework",
        {"lesson_id": str(lesson.id)},
        await school.as_("teacher"),
        {"text": "Номера 301-305 (cache-check)", "required": False},
        meta={
            "student_id": await school.student(),
            "start": lesson.date,
            "lesson_id": str(lesson.id),
        },
    )


async def _revise_homework(school: School) -> Call:
    hw = await school.homework()
    return Call(
        "patch",
        f"{API}/homework/{{homework_id}}",
        {"homework_id": hw["id"]},
        await school.as_("teacher"),
        {"text": "§12, упражнения 1-9 (cache-check)"},
        meta={"student_id": await school.student(), "start": hw["date"], "homework_id": hw["id"]},
    )


async def _remove_homework(school: School) -> Call:
    hw = await school.homework()
    return Call(
        "delete",
        f"{API}/homework/{{homework_id}}",
        {"homework_id": hw["id"]},
        await school.as_("teacher"),
        meta={"student_id": await school.student(), "start": hw["date"], "homework_id": hw["id"]},
    )


async def _period_mark(school: School) -> Call:
    student = await school.student()
    lesson = await school.lesson()
    c, p, pm = s.classes, s.periods, s.period_marks
    grade = await scalar(school.engine, sa.select(c.c.grade).where(c.c.id == lesson.class_id))
    period = await scalar(
        school.engine,
        sa.select(p.c.id).where(
            p.c.kind == period_kind_for_grade(grade),
            p.c.starts_on <= PINNED_TODAY,
            p.c.ends_on >= PINNED_TODAY,
        ),
    )
    current = await scalar(
        school.engine,
        sa.select(pm.c.value).where(
            pm.c.student_id == int(student),
            pm.c.subject_id == lesson.subject_id,
            pm.c.period_id == period,
        ),
    )
    return Call(
        "put",
        f"{API}/period-marks",
        {},
        await school.as_("teacher"),
        {
            "student_id": student,
            "subject_id": str(lesson.subject_id),
            "period_id": str(period),
            "value": 4 if current == 5 else 5,
        },
    )


async def _year_mark(school: School) -> Call:
    """A year mark once the last quarter is under way: here it begins today."""
    student = await school.student()
    lesson = await school.lesson()
    p = s.periods
    async with school.engine.begin() as conn:
        await conn.execute(
            p.update().where(p.c.kind == "quarter", p.c.number == 4).values(starts_on=PINNED_TODAY)
        )
    return Call(
        "put",
        f"{API}/year-marks",
        {},
        await school.as_("teacher"),
        {"student_id": student, "subject_id": str(lesson.subject_id), "value": 5},
    )


async def _issue_credentials(school: School) -> Call:
    # A classmate's family: the well-known parent and student keep their sessions.
    mate = await classmate(school.engine, await school.student())
    return Call(
        "post",
        f"{API}/classes/{{class_id}}/credentials",
        {"class_id": str(await school.class_id())},
        await school.as_("teacher"),
        {"student_ids": [mate], "only_new": False},
    )


# --- the class teacher's desk: a behaviour note, parent meetings ---------------------------


async def _behaviour_note(school: School) -> Call:
    monday = week_start(PINNED_TODAY)
    return Call(
        "put",
        f"{API}/students/{{student_id}}/behaviour-note",
        {"student_id": await school.student()},
        await school.as_("teacher"),
        {"monday": monday.isoformat(), "note": "Собран, помогает классу (cache-check)"},
        meta={"student_id": await school.student(), "start": monday},
    )


_MEETING = {"starts_at": "2026-12-03T18:30:00+03:00", "place": "Каб. 214", "agenda": "Итоги"}


async def _meeting(school: School) -> dict[str, Any]:
    r = await school.api.post(
        f"{API}/classes/{await school.class_id()}/meetings",
        json=_MEETING,
        headers=await school.as_("teacher"),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _call_meeting(school: School) -> Call:
    return Call(
        "post",
        f"{API}/classes/{{class_id}}/meetings",
        {"class_id": str(await school.class_id())},
        await school.as_("teacher"),
        dict(_MEETING),
    )


async def _change_meeting(school: School) -> Call:
    made = await _meeting(school)
    return Call(
        "patch",
        f"{API}/meetings/{{meeting_id}}",
        {"meeting_id": made["id"]},
        await school.as_("teacher"),
        {"place": "Актовый зал"},
    )


async def _cancel_meeting(school: School) -> Call:
    made = await _meeting(school)
    return Call(
        "delete",
        f"{API}/meetings/{{meeting_id}}",
        {"meeting_id": made["id"]},
        await school.as_("teacher"),
    )


# --- the admin's writes: people of a classmate's family, a class not the student's -----------


async def _classmates_parent(school: School) -> tuple[str, str]:
    """A classmate of the student and one of the classmate's parents (not the well-known one)."""
    mate = await classmate(school.engine, await school.student())
    g = s.guardians
    parent = await scalar(
        school.engine,
        sa.select(g.c.parent_id)
        .where(g.c.student_id == int(mate))
        .order_by(g.c.parent_id)
        .limit(1),
    )
    assert parent is not None, "the demo classmate has no parent"
    return mate, str(parent)


async def _create_person(school: School) -> Call:
    return Call(
        "post",
        f"{API}/admin/people",
        {},
        await school.as_("admin"),
        {
            "full_name": "Новикова Алиса Петровна",
            "role": "student",
            "class_id": str(await school.class_id()),
        },
    )


async def _link_parent(school: School) -> Call:
    mate, _parent = await _classmates_parent(school)
    return Call(
        "post",
        f"{API}/admin/people/{{person_id}}/children",
        {"person_id": await user_id(school.engine, "parent")},
        await school.as_("admin"),
        {"student_id": mate, "relation": "legal representative"},
    )


async def _unlink_parent(school: School) -> Call:
    mate, parent = await _classmates_parent(school)
    return Call(
        "delete",
        f"{API}/admin/people/{{person_id}}/children/{{child_id}}",
        {"person_id": parent, "child_id": mate},
        await school.as_("admin"),
    )


async def _reset_password(school: School) -> Call:
    mate = await classmate(school.engine, await school.student())
    return Call(
        "post",
        f"{API}/admin/people/{{person_id}}/password",
        {"person_id": mate},
        await school.as_("admin"),
    )


async def _unlock(school: School) -> Call:
    mate = await classmate(school.engine, await school.student())
    return Call(
        "post",
        f"{API}/admin/people/{{person_id}}/unlock",
        {"person_id": mate},
        await school.as_("admin"),
    )


async def _class_teacher(school: School) -> Call:
    """The oldest class gets a teacher who leads no class yet."""
    c, r, u = s.classes, s.user_roles, s.users
    oldest = await scalar(
        school.engine, sa.select(c.c.id).order_by(c.c.grade.desc(), c.c.id).limit(1)
    )
    leading = sa.select(c.c.class_teacher_id).where(c.c.class_teacher_id.is_not(None))
    teacher = await scalar(
        school.engine,
        sa.select(u.c.id)
        .join(r, r.c.user_id == u.c.id)
        .where(r.c.role == "teacher", u.c.id.not_in(leading))
        .order_by(u.c.id)
        .limit(1),
    )
    return Call(
        "put",
        f"{API}/admin/classes/{{class_id}}/teacher",
        {"class_id": str(oldest)},
        await school.as_("admin"),
        {"teacher_id": str(teacher)},
    )


async def _change_lesson(school: School) -> Call:
    """Tomorrow's first lesson of the oldest class is cancelled (not the student's class)."""
    c, le = s.classes, s.lessons
    oldest = await scalar(
        school.engine, sa.select(c.c.id).order_by(c.c.grade.desc(), c.c.id).limit(1)
    )
    day = await scalar(
        school.engine,
        sa.select(sa.func.min(le.c.date)).where(le.c.class_id == oldest, le.c.date > PINNED_TODAY),
    )
    first = await scalar(
        school.engine,
        sa.select(sa.func.min(le.c.number)).where(le.c.class_id == oldest, le.c.date == day),
    )
    return Call(
        "post",
        f"{API}/admin/timetable/changes",
        {},
        await school.as_("admin"),
        {
            "class_id": str(oldest),
            "date": day.isoformat(),
            "number": first,
            "kind": "cancel",
            "note": "учитель на курсах",
        },
    )


async def _oldest_class_slot(school: School, *, last: bool) -> tuple[int, Any]:
    """The oldest class (not the student's) and its first or last slot of the week."""
    c, tt = s.classes, s.timetable
    oldest = await scalar(
        school.engine, sa.select(c.c.id).order_by(c.c.grade.desc(), c.c.id).limit(1)
    )
    order = (tt.c.weekday.desc(), tt.c.number.desc()) if last else (tt.c.weekday, tt.c.number)
    (slot,) = await rows(
        school.engine, sa.select(tt).where(tt.c.class_id == oldest).order_by(*order).limit(1)
    )
    return oldest, slot


async def _set_slot(school: School) -> Call:
    """The oldest class's first lesson of the week moves to another room."""
    oldest, slot = await _oldest_class_slot(school, last=False)
    return Call(
        "put",
        f"{API}/admin/classes/{{class_id}}/timetable/{{weekday}}/{{number}}",
        {"class_id": str(oldest), "weekday": str(slot.weekday), "number": str(slot.number)},
        await school.as_("admin"),
        {
            "subject_id": str(slot.subject_id),
            "teacher_id": str(slot.teacher_id),
            "room": "Актовый зал",
        },
    )


async def _clear_slot(school: School) -> Call:
    oldest, slot = await _oldest_class_slot(school, last=True)
    return Call(
        "delete",
        f"{API}/admin/classes/{{class_id}}/timetable/{{weekday}}/{{number}}",
        {"class_id": str(oldest), "weekday": str(slot.weekday), "number": str(slot.number)},
        await school.as_("admin"),
    )


CASES: dict[tuple[str, str], Callable[[School], Awaitable[Call]]] = {
    ("post", f"{API}/students/{{student_id}}/week/{{monday}}/signature"): _sign_week,
    ("put", f"{API}/students/{{student_id}}/homework/{{homework_id}}/done"): _homework_done,
    ("post", f"{API}/students/{{student_id}}/absence-notices"): _give_notice,
    ("delete", f"{API}/students/{{student_id}}/absence-notices/{{notice_id}}"): _withdraw_notice,
    ("post", f"{API}/announcements"): _announce,
    ("post", f"{API}/threads"): _start_thread,
    ("post", f"{API}/threads/{{thread_id}}/messages"): _write_in_thread,
    ("post", f"{API}/marks"): _put_mark,
    ("patch", f"{API}/marks/{{mark_id}}"): _change_mark,
    ("delete", f"{API}/marks/{{mark_id}}"): _delete_mark,
    ("patch", f"{API}/lessons/{{lesson_id}}"): _patch_lesson,
    ("put", f"{API}/lessons/{{lesson_id}}/attendance/{{student_id}}"): _attendance,
    ("post", f"{API}/lessons/{{lesson_id}}/homework"): _set_homework,
    ("patch", f"{API}/homework/{{homework_id}}"): _revise_homework,
    ("delete", f"{API}/homework/{{homework_id}}"): _remove_homework,
    ("put", f"{API}/period-marks"): _period_mark,
    ("put", f"{API}/year-marks"): _year_mark,
    ("post", f"{API}/classes/{{class_id}}/credentials"): _issue_credentials,
    ("put", f"{API}/students/{{student_id}}/behaviour-note"): _behaviour_note,
    ("post", f"{API}/classes/{{class_id}}/meetings"): _call_meeting,
    ("patch", f"{API}/meetings/{{meeting_id}}"): _change_meeting,
    ("delete", f"{API}/meetings/{{meeting_id}}"): _cancel_meeting,
    ("post", f"{API}/admin/people"): _create_person,
    ("post", f"{API}/admin/people/{{person_id}}/children"): _link_parent,
    ("delete", f"{API}/admin/people/{{person_id}}/children/{{child_id}}"): _unlink_parent,
    ("post", f"{API}/admin/people/{{person_id}}/password"): _reset_password,
    ("post", f"{API}/admin/people/{{person_id}}/unlock"): _unlock,
    ("put", f"{API}/admin/classes/{{class_id}}/teacher"): _class_teacher,
    ("post", f"{API}/admin/timetable/changes"): _change_lesson,
    ("put", f"{API}/admin/classes/{{class_id}}/timetable/{{weekday}}/{{number}}"): _set_slot,
    ("delete", f"{API}/admin/classes/{{class_id}}/timetable/{{weekday}}/{{number}}"): _clear_slot,
}


def _route_id(key: tuple[str, str]) -> str:
    return f"{key[0].upper()} {key[1].removeprefix(API)}"


@pytest.fixture
def school(api: httpx.AsyncClient, engine: AsyncEngine) -> School:
    return School(api, engine)


# --- 1. every write records a change -------------------------------------------------------


class TestEveryWriteRecordsAChange:
    async def test_every_write_route_has_a_known_good_case(self, api: httpx.AsyncClient) -> None:
        routes = write_routes(await openapi(api))
        missing = sorted(_route_id(k) for k in routes - CASES.keys())
        stale = sorted(_route_id(k) for k in CASES.keys() - routes)
        assert not missing, f"write routes without a case in CASES: {missing}"
        assert not stale, f"cases for routes the API no longer has: {stale}"

    @pytest.mark.parametrize("key", list(CASES), ids=_route_id)
    async def test_the_write_succeeds_and_records_a_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School, key: tuple[str, str]
    ) -> None:
        call = await CASES[key](school)
        before = await latest_change_id(engine)
        r = await call.send(api)
        assert r.is_success, r.text
        assert await latest_change_id(engine) > before, f"{_route_id(key)} recorded no change"

    async def test_opening_a_thread_marks_it_read_without_recording_a_change(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        """Opening a thread moves only the reader's own read pointer: nobody else sees it,
        the change feed is about what others did, and no cached read shows unread counts
        (`/threads` is built fresh each time). A change per opening would flood every
        follower's feed and invalidate every cached week of the school on a mere read."""
        teacher = await school.as_("teacher")
        parent = await school.as_("parent")
        thread = (await _write_in_thread(school)).params["thread_id"]
        r = await api.post(
            f"{API}/threads/{thread}/messages", json={"body": "Новое сообщение"}, headers=teacher
        )
        assert r.status_code == 201, r.text
        unread = {
            t["id"]: t["unread"]
            for t in (await api.get(f"{API}/threads", headers=parent)).json()["threads"]
        }
        assert unread[thread] >= 1
        before = await latest_change_id(engine)
        opened = await api.get(f"{API}/threads/{thread}", headers=parent)
        assert opened.status_code == 200, opened.text
        assert opened.json()["unread"] == unread[thread]
        assert await latest_change_id(engine) == before
        listed = (await api.get(f"{API}/threads", headers=parent)).json()["threads"]
        assert {t["id"]: t["unread"] for t in listed}[thread] == 0


# --- 2. the week cache is never stale ------------------------------------------------------


def _lesson(week: dict[str, Any], lesson_id: str) -> dict[str, Any]:
    for day in week["days"]:
        for lesson in day["lessons"]:
            if lesson["id"] == lesson_id:
                return lesson
    raise AssertionError(f"lesson {lesson_id} is not in the week of {week['start']}")


def _marks(week: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["id"]: m for day in week["days"] for le in day["lessons"] for m in le["marks"]}


def _homework(week: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {h["id"]: h for day in week["days"] for le in day["lessons"] for h in le["homework"]}


def _codes(week: dict[str, Any], lesson_ids: list[str]) -> list[str | None]:
    return [_lesson(week, i)["attendance"] for i in lesson_ids]


# What the diary shows once the write is done (and must not show before it).
SHOWN: dict[tuple[str, str], Callable[[Call, dict[str, Any]], bool]] = {
    ("post", f"{API}/marks"): lambda c, w: any(
        m["comment"] == "cache-check" and m["value"] == 4
        for m in _lesson(w, c.meta["lesson_id"])["marks"]
    ),
    ("patch", f"{API}/marks/{{mark_id}}"): lambda c, w: _marks(w)[c.meta["mark_id"]]["value"] == 3,
    ("delete", f"{API}/marks/{{mark_id}}"): lambda c, w: c.meta["mark_id"] not in _marks(w),
    ("put", f"{API}/lessons/{{lesson_id}}/attendance/{{student_id}}"): lambda c, w: (
        _lesson(w, c.meta["lesson_id"])["attendance"] == "late"
    ),
    ("patch", f"{API}/lessons/{{lesson_id}}"): lambda c, w: (
        (
            _lesson(w, c.meta["lesson_id"])["topic"],
            _lesson(w, c.meta["lesson_id"])["room"],
        )
        == ("Проверка кэша недели", "215")
    ),
    ("post", f"{API}/lessons/{{lesson_id}}/homework"): lambda c, w: any(
        h["text"] == "Номера 301-305 (cache-check)" and h["required"] is False
        for h in _lesson(w, c.meta["lesson_id"])["homework"]
    ),
    ("patch", f"{API}/homework/{{homework_id}}"): lambda c, w: (
        _homework(w)[c.meta["homework_id"]]["text"] == "§12, упражнения 1-9 (cache-check)"
    ),
    ("delete", f"{API}/homework/{{homework_id}}"): lambda c, w: (
        c.meta["homework_id"] not in _homework(w)
    ),
    ("put", f"{API}/students/{{student_id}}/homework/{{homework_id}}/done"): lambda c, w: (
        _homework(w)[c.meta["homework_id"]]["done"] is True
    ),
    ("post", f"{API}/students/{{student_id}}/absence-notices"): lambda c, w: (
        set(_codes(w, c.meta["lessons"])) == {"excused"}
    ),
    ("delete", f"{API}/students/{{student_id}}/absence-notices/{{notice_id}}"): lambda c, w: (
        set(_codes(w, c.meta["lessons"])) == {None}
    ),
    ("post", f"{API}/students/{{student_id}}/week/{{monday}}/signature"): lambda c, w: (
        (w["signed_by"] or {}).get("id") == c.meta["parent"]
    ),
    ("put", f"{API}/students/{{student_id}}/behaviour-note"): lambda c, w: (
        w["behaviour_note"] == "Собран, помогает классу (cache-check)"
        and w["behaviour_note_by"] is not None
    ),
}


class TestTheWeekCacheIsNeverStale:
    async def test_a_repeated_week_is_answered_from_the_cache(
        self, api: httpx.AsyncClient, app: FastAPI, school: School
    ) -> None:
        """The checks below mean something only if the week really is cached."""
        parent, student = await school.as_("parent"), await school.student()
        url = f"{API}/students/{student}/week"
        first = await api.get(url, headers=parent)
        hits = app.state.ctx.cache.hits
        again = await api.get(url, headers=parent)
        assert again.content == first.content
        # SQLite only: on PostgreSQL change ids do not order commits, so nothing is cached.
        assert app.state.ctx.cache.hits == hits + (1 if PG_URL is None else 0)

    @pytest.mark.parametrize("key", list(SHOWN), ids=_route_id)
    async def test_the_next_week_answer_shows_the_write(
        self,
        api: httpx.AsyncClient,
        app: FastAPI,
        school: School,
        key: tuple[str, str],
    ) -> None:
        call = await CASES[key](school)
        parent = await school.as_("parent")
        url = f"{API}/students/{call.meta['student_id']}/week"
        params = {"start": str(call.meta["start"])}
        cached = await api.get(url, params=params, headers=parent)
        assert cached.status_code == 200, cached.text
        hits = app.state.ctx.cache.hits
        assert (await api.get(url, params=params, headers=parent)).content == cached.content
        assert app.state.ctx.cache.hits == hits + (PG_URL is None), "the week was not cached"
        assert not SHOWN[key](call, cached.json()), "the week showed the write before it"

        r = await call.send(api)
        assert r.is_success, r.text

        fresh = await api.get(url, params=params, headers=parent)
        assert fresh.status_code == 200, fresh.text
        assert SHOWN[key](call, fresh.json()), f"a stale week after {_route_id(key)}"

    @pytest.mark.parametrize("key", [k for k in CASES if k not in SHOWN], ids=_route_id)
    async def test_a_write_with_no_week_check_leaves_the_week_as_it_was(
        self, api: httpx.AsyncClient, school: School, key: tuple[str, str]
    ) -> None:
        """So a new write that the diary shows cannot slip past SHOWN unnoticed."""
        call = await CASES[key](school)
        parent = await school.as_("parent")
        url = f"{API}/students/{await school.student()}/week"
        before = await api.get(url, headers=parent)
        r = await call.send(api)
        assert r.is_success, r.text
        after = await api.get(url, headers=parent)
        assert after.json() == before.json(), f"{_route_id(key)} changed the week: add it to SHOWN"

    @pytest.mark.skipif(PG_URL is None, reason="SQLite has one writer at a time: no overtaking")
    async def test_a_write_committed_after_a_later_one_is_not_hidden_by_the_cache(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        """Two requests at once: A takes change id N, B takes N+1 and commits first; a week
        read between the commits is built without A and cached at N+1, the newest id still
        after A commits."""
        student, lesson = await school.student(), await school.lesson()
        parent, teacher = await school.as_("parent"), await school.as_("teacher")
        url, params = f"{API}/students/{student}/week", {"start": str(lesson.date)}
        school_id = await scalar(
            engine, sa.select(s.classes.c.school_id).where(s.classes.c.id == lesson.class_id)
        )
        async with engine.connect() as slow:
            a = await slow.begin()
            await slow.execute(
                s.changes.insert().values(
                    school_id=school_id,
                    kind="attendance",
                    at=PINNED_NOW,
                    student_id=int(student),
                    summary="",
                    data={},
                )
            )
            await slow.execute(
                s.attendance.insert().values(
                    lesson_id=lesson.id,
                    student_id=int(student),
                    code="absent",
                    by_id=lesson.teacher_id,
                    updated_at=PINNED_NOW,
                )
            )
            b = await api.post(
                f"{API}/announcements",
                json={"class_id": str(lesson.class_id), "title": "Б", "body": "Б"},
                headers=teacher,
            )
            assert b.status_code == 201, b.text
            between = await api.get(url, params=params, headers=parent)
            assert _lesson(between.json(), str(lesson.id))["attendance"] is None
            await a.commit()
        after = await api.get(url, params=params, headers=parent)
        assert _lesson(after.json(), str(lesson.id))["attendance"] == "absent"


# --- 3. bad input --------------------------------------------------------------------------


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = doc["components"]["schemas"][name]
    return schema


def scalar_kind(doc: dict[str, Any], schema: dict[str, Any]) -> str | None:
    """integer, boolean, date, date-time or enum: what a stray string must not pass for."""
    for alt in [schema, *schema.get("anyOf", [])]:
        alt = _resolve(doc, alt)
        if "enum" in alt:
            return "enum"
        kind, fmt = alt.get("type"), alt.get("format")
        if kind in ("integer", "boolean"):
            return kind
        if kind == "string" and fmt in ("date", "date-time"):
            return fmt
    return None


def body_schema(doc: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    body = doc["paths"][path][method].get("requestBody")
    if body is None:
        return None
    return _resolve(doc, body["content"]["application/json"]["schema"])


def readable(message: Any, field: str | None) -> bool:
    """A sentence for a person: no Python reprs or validator internals, and it names the field."""
    if not isinstance(message, str) or not message.strip():
        return False
    internals = ("input_value", "{'", "pydantic", "Traceback", "loc=", "[type=")
    if any(x in message for x in internals):
        return False
    return field is None or field in message


async def _refused(
    api: httpx.AsyncClient,
    engine: AsyncEngine,
    call: Call,
    what: str,
    body: Any,
    field: str | None,
    problems: list[str],
) -> None:
    before = await latest_change_id(engine)
    r = await call.send(api, body=body)
    error = (
        r.json().get("error", {})
        if r.headers.get("content-type", "").startswith("application/json")
        else {}
    )
    if r.status_code != 422:
        problems.append(f"{what}: {r.status_code} {r.text[:200]}")
    elif field is not None and error.get("field") != field:
        problems.append(f"{what}: error.field {error.get('field')!r}, not {field!r}")
    elif not readable(error.get("message"), field):
        problems.append(f"{what}: unreadable message {error.get('message')!r}")
    if await latest_change_id(engine) != before:
        problems.append(f"{what}: something was written")


def text_fields(doc: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Properties that take a plain string (text, codes, ids), not a date or a choice."""
    found = []
    for name, prop in schema.get("properties", {}).items():
        alts = [_resolve(doc, a) for a in [prop, *prop.get("anyOf", [])]]
        if scalar_kind(doc, prop) is None and any(a.get("type") == "string" for a in alts):
            found.append(name)
    return found


class TestBadInputIs422NamingTheField:
    @pytest.mark.parametrize("key", list(CASES), ids=_route_id)
    async def test_a_body_of_the_wrong_shape_is_refused_and_writes_nothing(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        school: School,
        key: tuple[str, str],
    ) -> None:
        doc = await openapi(api)
        schema = body_schema(doc, *key)
        call = await CASES[key](school)
        if schema is None:  # nothing to send wrong; the case must agree with the route
            assert call.body is None, "the case sends a body the route does not take"
            return
        assert call.body is not None, "the route takes a body the case does not send"
        problems: list[str] = []
        await _refused(api, engine, call, "a list for the body", [call.body], None, problems)
        for name in schema.get("required", []):
            body = {k: v for k, v in call.body.items() if k != name}
            await _refused(api, engine, call, f"{name} missing", body, name, problems)
        for name, prop in schema.get("properties", {}).items():
            kind = scalar_kind(doc, prop)
            if kind is None:
                continue
            body = {**call.body, name: NOT_A[kind]}
            await _refused(api, engine, call, f"{name} as {NOT_A[kind]!r}", body, name, problems)
            if kind == "integer":
                body = {**call.body, name: 4.5}
                await _refused(api, engine, call, f"{name} as 4.5", body, name, problems)
        assert not problems, "\n".join(problems)

    @pytest.mark.parametrize("key", list(CASES), ids=_route_id)
    async def test_a_nul_character_in_any_text_is_422_naming_the_field(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        school: School,
        key: tuple[str, str],
    ) -> None:
        """PostgreSQL cannot store U+0000: left to the database, it is a 500 there (and
        stored on SQLite), so the server refuses it first, on either database."""
        doc = await openapi(api)
        schema = body_schema(doc, *key)
        call = await CASES[key](school)
        if schema is None or call.body is None:
            assert schema is None and call.body is None
            return
        problems: list[str] = []
        for name in text_fields(doc, schema):
            body = {**call.body, name: "до\x00после"}
            await _refused(api, engine, call, f"{name} with a NUL", body, name, problems)
        assert not problems, "\n".join(problems)

    async def test_a_nul_character_in_a_login_is_refused_not_a_500(
        self, api: httpx.AsyncClient
    ) -> None:
        r = await api.post(f"{API}/auth/login", json={"login": "par\x00ent", "password": "demo"})
        assert r.status_code in (401, 422), r.text
        assert "error" in r.json()

    async def test_a_list_for_the_body_says_an_object_is_expected(
        self, api: httpx.AsyncClient, school: School
    ) -> None:
        call = await _put_mark(school)
        r = await call.send(api, body=[call.body])
        assert r.status_code == 422
        error = r.json()["error"]
        assert "field" not in error  # the body as a whole, not one of its fields
        assert "object" in error["message"].lower() and readable(error["message"], None)

    async def test_a_missing_body_is_422_saying_a_json_body_is_needed(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        call = await _put_mark(school)
        before = await latest_change_id(engine)
        r = await api.post(call.url(), headers=call.headers)
        assert r.status_code == 422
        assert "body" in r.json()["error"]["message"].lower(), r.text
        assert await latest_change_id(engine) == before

    async def test_a_date_that_is_not_a_date_in_a_query_or_path_is_422_naming_it(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        """Every date parameter of every route: `start`, `from`, `to`, `date`, `monday`."""
        doc = await openapi(api)
        student = await school.student()
        problems: list[str] = []
        checked: set[str] = set()
        for method, path, op in operations(doc):
            for param in op.get("parameters", []):
                if (
                    param["in"] not in ("query", "path")
                    or scalar_kind(doc, param["schema"]) != "date"
                ):
                    continue
                headers = await school.as_("teacher" if "timetable" in path else "parent")
                values = {"student_id": student}
                query = {}
                if param["in"] == "path":
                    values[param["name"]] = BAD_DATE
                else:
                    query[param["name"]] = BAD_DATE
                url = path.format(**values)
                before = await latest_change_id(engine)
                r = await api.request(method.upper(), url, params=query, headers=headers)
                where = f"{method.upper()} {path} {param['name']}"
                checked.add(param["name"])
                error = r.json().get("error", {})
                if r.status_code != 422 or error.get("field") != param["name"]:
                    problems.append(f"{where}: {r.status_code} {r.text[:200]}")
                elif not readable(error.get("message"), param["name"]):
                    problems.append(f"{where}: unreadable {error.get('message')!r}")
                if await latest_change_id(engine) != before:
                    problems.append(f"{where}: something was written")
        assert not problems, "\n".join(problems)
        assert {"start", "from", "to", "monday"} <= checked, checked


# --- 4. a token everywhere but login, health and the docs ----------------------------------


class TestEveryRouteNeedsAToken:
    @pytest.mark.parametrize(
        "authorization",
        [None, "Bearer not-a-token", "Basic cGFyZW50OmRlbW8="],
        ids=["none", "unknown", "basic"],
    )
    async def test_every_route_but_login_and_health_answers_401(
        self, api: httpx.AsyncClient, engine: AsyncEngine, authorization: str | None
    ) -> None:
        doc = await openapi(api)
        headers = {} if authorization is None else {"Authorization": authorization}
        before = await latest_change_id(engine)
        problems: list[str] = []
        checked = 0
        for method, path, _op in operations(doc):
            if (method, path) in OPEN_ROUTES:
                continue
            checked += 1
            r = await api.request(method.upper(), fill_path(path), headers=headers)
            if r.status_code != 401 or r.json().get("error", {}).get("code") not in (
                "not_logged_in",
                "token_revoked",
            ):
                problems.append(f"{method.upper()} {path}: {r.status_code} {r.text[:120]}")
        assert not problems, "\n".join(problems)
        assert checked >= len(CASES) + 10
        assert await latest_change_id(engine) == before

    async def test_the_open_routes_need_no_token(self, api: httpx.AsyncClient) -> None:
        assert (await api.get("/healthz")).status_code == 200
        assert (await api.get(f"{API}/openapi.json")).status_code == 200
        assert (await api.get(f"{API}/docs")).status_code == 404  # only with `serve --docs`
        r = await api.post(f"{API}/auth/login", json={"login": "parent", "password": "demo"})
        assert r.status_code == 200


# --- 5. student ids cannot be probed -------------------------------------------------------


def _outcome(r: httpx.Response) -> tuple[int, str | None, str | None]:
    error = r.json().get("error", {}) if r.content else {}
    return r.status_code, error.get("code"), error.get("message")


class TestStudentIdsCannotBeProbed:
    async def _student_routes(
        self, api: httpx.AsyncClient, school: School
    ) -> list[tuple[str, str, Call]]:
        doc = await openapi(api)
        found = []
        for method, path, op in operations(doc):
            names = {(p["in"], p["name"]) for p in op.get("parameters", [])}
            if ("query", "student_id") in names and "{" not in path:
                call = Call(method, path, {}, {}, query={"student_id": await school.student()})
                found.append((method, path, call))
                continue
            if "{student_id}" not in path:
                continue
            if (method, path) in CASES:
                call = await CASES[(method, path)](school)
            else:
                assert path.count("{") == 1, (
                    f"{method.upper()} {path}: add a case for its other ids"
                )
                call = Call(method, path, {"student_id": await school.student()}, {})
            found.append((method, path, call))
        assert len(found) >= 10, [p for _m, p, _c in found]
        return found

    async def test_a_parent_gets_the_same_404_for_another_child_as_for_no_one(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        parent = await school.as_("parent")
        stranger = await classmate(engine, await school.student())
        routes = await self._student_routes(api, school)
        before = await latest_change_id(engine)
        problems: list[str] = []
        for method, path, call in routes:
            foreign = _outcome(await call.send(api, headers=parent, student_id=stranger))
            missing = _outcome(await call.send(api, headers=parent, student_id=NO_SUCH_ID))
            where = f"{method.upper()} {path}"
            if foreign != missing:
                problems.append(f"{where}: another child {foreign} but no one {missing}")
            elif path.startswith(f"{API}/students/") and foreign[0] != 404:
                problems.append(f"{where}: {foreign}, not 404")
        assert not problems, "\n".join(problems)
        assert await latest_change_id(engine) == before

    async def test_a_teacher_gets_the_same_answer_for_another_class_as_for_no_one(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        teacher = await school.as_("teacher")
        _older, younger = await children(
            api, await school.as_("parent")
        )  # a class `teacher` does not teach
        routes = await self._student_routes(api, school)
        before = await latest_change_id(engine)
        problems: list[str] = []
        for method, path, call in routes:
            foreign = _outcome(await call.send(api, headers=teacher, student_id=younger))
            missing = _outcome(await call.send(api, headers=teacher, student_id=NO_SUCH_ID))
            if foreign != missing:
                problems.append(
                    f"{method.upper()} {path}: another class {foreign} but no one {missing}"
                )
        assert not problems, "\n".join(problems)
        assert await latest_change_id(engine) == before


# --- other ids cannot be probed either -----------------------------------------------------


async def _a_mark_of(engine: AsyncEngine, student_id: str) -> str:
    m = s.marks
    found = await scalar(
        engine,
        sa.select(m.c.id)
        .where(m.c.student_id == int(student_id), m.c.deleted_at.is_(None))
        .order_by(m.c.id)
        .limit(1),
    )
    assert found is not None, f"the demo student {student_id} has no marks"
    return str(found)


class TestOtherIdsCannotBeProbed:
    @pytest.mark.parametrize(
        "method",
        [
            "GET history",
            "PATCH",
            "DELETE",
        ],
    )
    @pytest.mark.parametrize("who", ["parent", "student"])
    async def test_a_mark_of_someone_elses_child_answers_like_no_mark(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School, method: str, who: str
    ) -> None:
        stranger = await classmate(engine, await school.student())
        headers = await school.as_(who)
        verb, _, suffix = method.partition(" ")
        body = {"value": 3} if verb == "PATCH" else None
        before = await latest_change_id(engine)

        async def ask(mark_id: str) -> tuple[int, str | None, str | None]:
            url = f"{API}/marks/{mark_id}" + (f"/{suffix}" if suffix else "")
            return _outcome(await api.request(verb, url, json=body, headers=headers))

        assert await ask(await _a_mark_of(engine, stranger)) == await ask(NO_SUCH_ID)
        assert (await ask(NO_SUCH_ID))[0] == 404
        assert await latest_change_id(engine) == before

    async def test_a_thread_of_others_answers_like_no_thread(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        t = s.threads
        parent_id = int(await user_id(engine, "parent"))
        theirs = await scalar(
            engine,
            sa.select(t.c.id).where(t.c.parent_id != parent_id).order_by(t.c.id).limit(1),
        )
        assert theirs is not None
        parent = await school.as_("parent")
        before = await latest_change_id(engine)
        for thread in (str(theirs), NO_SUCH_ID):
            read = await api.get(f"{API}/threads/{thread}", headers=parent)
            write = await api.post(
                f"{API}/threads/{thread}/messages", json={"body": "Здравствуйте"}, headers=parent
            )
            assert _outcome(read)[:2] == _outcome(write)[:2] == (404, "thread_not_found")
        assert await latest_change_id(engine) == before

    async def test_a_notice_of_another_child_answers_like_no_notice(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        n = s.absence_notices
        mine = await school.student()
        theirs = await scalar(
            engine,
            sa.select(n.c.id).where(n.c.student_id != int(mine)).order_by(n.c.id).limit(1),
        )
        assert theirs is not None, "the demo has no notice of another child"
        parent = await school.as_("parent")
        url = f"{API}/students/{mine}/absence-notices/{{}}"
        before = await latest_change_id(engine)
        foreign = _outcome(await api.delete(url.format(theirs), headers=parent))
        missing = _outcome(await api.delete(url.format(NO_SUCH_ID), headers=parent))
        assert foreign == missing and foreign[0] == 404
        assert await latest_change_id(engine) == before

    async def test_homework_of_another_class_answers_like_no_homework(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        hw, le = s.homework, s.lessons
        elsewhere = await scalar(
            engine,
            sa.select(hw.c.id)
            .join(le, le.c.id == hw.c.lesson_id)
            .where(le.c.class_id != await school.class_id())
            .order_by(hw.c.id)
            .limit(1),
        )
        me = await school.student()
        student = await school.as_("student")
        url = f"{API}/students/{me}/homework/{{}}/done"
        before = await latest_change_id(engine)
        foreign = _outcome(
            await api.put(url.format(elsewhere), json={"done": True}, headers=student)
        )
        missing = _outcome(
            await api.put(url.format(NO_SUCH_ID), json={"done": True}, headers=student)
        )
        assert foreign == missing and foreign[0] == 404
        assert await latest_change_id(engine) == before


# --- nothing a client sends is a 500 -------------------------------------------------------

# 2**31: past PostgreSQL's INTEGER, which refuses it as a parameter outright.
NOT_OUR_IDS = ("99999999999999999999", "2147483648", "abc", "-1", "0", "1.5")


class TestNothingAClientSendsIsA500:
    async def test_ids_that_are_not_ours_in_paths_queries_and_bodies_never_cause_a_500(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        doc = await openapi(api)
        cases = {key: await make(school) for key, make in CASES.items()}
        problems: list[str] = []
        before = await latest_change_id(engine)
        for who in ("teacher", "admin", "parent"):
            headers = await school.as_(who)
            for method, path, op in operations(doc):
                if (method, path) in OPEN_ROUTES or path.startswith(f"{API}/auth/"):
                    continue
                case = cases.get((method, path))
                params = op.get("parameters", [])
                required = {p["name"]: "1" for p in params if p["in"] == "query" and p["required"]}
                for bad in NOT_OUR_IDS:
                    tries: list[tuple[str, dict[str, str], Any]] = []
                    if "{" in path:
                        tries.append((fill_path(path, bad), required, case and case.body))
                    for p in params:
                        if p["in"] == "query" and (
                            p["name"].endswith("_id") or p["name"] == "since"
                        ):
                            tries.append((fill_path(path), {**required, p["name"]: bad}, None))
                    if case is not None and case.body:
                        url = case.url()
                        for name in case.body:
                            if name.endswith("_id"):
                                tries.append((url, {}, {**case.body, name: bad}))
                    for url, query, body in tries:
                        r = await api.request(
                            method.upper(), url, params=query, json=body, headers=headers
                        )
                        failed = r.status_code >= 400 and "error" not in r.json()
                        if r.status_code >= 500 or failed:
                            problems.append(
                                f"{who} {method.upper()} {url} {query} {body}: {r.status_code}"
                            )
        assert not problems, "\n".join(problems)
        assert await latest_change_id(engine) == before

    @pytest.mark.parametrize("edge", ["0001-01-01", "9999-12-31"])
    async def test_dates_at_the_edges_of_the_calendar_are_answered_not_a_500(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School, edge: str
    ) -> None:
        """Date arithmetic near year 1 or 9999 overflows: such dates are 422 naming the field
        (or, where harmless, simply answered), never a crash."""
        doc = await openapi(api)
        student = await school.student()
        problems: list[str] = []
        before = await latest_change_id(engine)
        for method, path, op in operations(doc):
            for param in op.get("parameters", []):
                if scalar_kind(doc, param["schema"]) != "date":
                    continue
                headers = await school.as_("teacher" if "timetable" in path else "parent")
                values = {"student_id": student, "monday": week_start(PINNED_TODAY).isoformat()}
                query = {}
                if param["in"] == "path":
                    values[param["name"]] = edge
                else:
                    query[param["name"]] = edge
                r = await api.request(
                    method.upper(), path.format(**values), params=query, headers=headers
                )
                if r.status_code == 422 and r.json()["error"].get("field") == param["name"]:
                    continue
                if not r.is_success:
                    problems.append(f"{method.upper()} {path} {param['name']}: {r.status_code}")
        assert not problems, "\n".join(problems)
        assert await latest_change_id(engine) == before
