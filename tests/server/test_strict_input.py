"""Strict input (issue 10): what a client sends is taken as typed, or refused naming the field.

- Integers and booleans are JSON numbers and booleans: `true` is not the mark 1, 4.0 is
  not 4, "4" is not 4; a date is "YYYY-MM-DD", never a Unix timestamp.
- Ids are ASCII digits: "５７" (full-width) or "٥٧" (Arabic-Indic) is not the id 57, in a
  path (404, as for any id that is not ours), a query or a body (422 naming it).
- Text holds no control character (C0, DEL, C1) and no lone surrogate; text that may
  span lines keeps tab and line feed. 422 `invalid_text` naming the field, on SQLite as
  on PostgreSQL (which cannot store a NUL at all).
- A body that is not UTF-8 JSON is 422 `invalid_json` with the API's error body.
- A closed period refuses every write of its journal with 409 `period_closed`, after the
  caller's rights are checked (others still get their 403).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from ediary_tui.server import schema as s
from tests.conftest import PINNED_TODAY
from tests.server.test_journal import (
    API,
    Q1_END,
    as_teacher_of,
    class_id,
    lesson,
    subject_id,
    table_counts,
)
from tests.server.test_week import rows, scalar, user_id
from tests.server.test_write_conventions import (
    CASES,
    Call,
    School,
    _put_mark,
    _route_id,
    body_schema,
    latest_change_id,
    openapi,
    readable,
    scalar_kind,
    text_fields,
)

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")


def lookalikes(real_id: str) -> list[str]:
    """A real id as `int()` would still read it: other digits, blanks, a sign, underscores."""
    return [
        real_id.translate(FULL_WIDTH),
        real_id.translate(ARABIC_INDIC),
        real_id.translate(DEVANAGARI),
        f" {real_id}",
        f"+{real_id}",
        f"{real_id[0]}_{real_id[1:]}" if len(real_id) > 1 else f"0_{real_id}",
    ]


@pytest.fixture
def school(api: httpx.AsyncClient, engine: AsyncEngine) -> School:
    return School(api, engine)


def error_of(r: httpx.Response) -> tuple[int, str | None, str | None]:
    error = r.json()["error"]
    return r.status_code, error.get("code"), error.get("field")


# --- every write route, one wrong field at a time ----------------------------------------

NOT_AN_INTEGER = (True, False, 4.0, 4.5, "4", [4], {"value": 4})
NOT_A_BOOLEAN = (1, 0, "true", "false", "yes", [True])
NOT_A_DATE = (0, 86400, 1764028800, "86400", "2026-11-25T00:00:00", "25.11.2026", True)

# U+0000 NUL is tested route by route in test_write_conventions; these are the others.
CONTROLS = {
    "ESC": "\x1b",
    "BEL": "\x07",
    "CR": "\r",
    "DEL": "\x7f",
    "NEL (C1)": "\x85",
    "CSI (C1)": "\x9b",
    "lone surrogate": "\ud800",
}
# Fields that hold one line: a tab or a line break is refused there too.
ONE_LINE = {"login", "password", "topic", "room", "control_form", "title", "subject"}
ONE_LINE_BREAKS = {"tab": "\t", "line feed": "\n"}


async def _send_escaped(api: httpx.AsyncClient, call: Call, body: Any) -> httpx.Response:
    """The request with its body as ASCII JSON: httpx cannot encode a lone surrogate, and a
    client that escapes it (`"\\ud800"`) sends one all the same."""
    return await api.request(
        call.method.upper(),
        call.url(),
        params=call.query,
        headers={**call.headers, "Content-Type": "application/json"},
        content=json.dumps(body).encode(),
    )


async def _refused_escaped(
    api: httpx.AsyncClient,
    engine: AsyncEngine,
    call: Call,
    what: str,
    body: Any,
    field: str,
    problems: list[str],
) -> None:
    """422 naming `field` with a readable message, and nothing written."""
    before = await latest_change_id(engine)
    r = await _send_escaped(api, call, body)
    error = r.json().get("error", {}) if r.status_code >= 400 else {}
    if r.status_code != 422 or error.get("field") != field:
        problems.append(f"{what}: {r.status_code} {r.text[:200]}")
    elif not readable(error.get("message"), field):
        problems.append(f"{what}: unreadable {error.get('message')!r}")
    if await latest_change_id(engine) != before:
        problems.append(f"{what}: something was written")


class TestEveryWriteRouteReadsItsBodyStrictly:
    @pytest.mark.parametrize("key", list(CASES), ids=_route_id)
    async def test_numbers_booleans_dates_ids_and_text_are_taken_only_as_typed(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        school: School,
        key: tuple[str, str],
    ) -> None:
        """From each route's known-good body, one field at a time made wrong: an integer,
        boolean or date as other JSON; a real id in other digits; a control character in
        text (and a tab or line break in one-line text)."""
        doc = await openapi(api)
        schema = body_schema(doc, *key)
        call = await CASES[key](school)
        if schema is None or call.body is None:
            return
        wrong = {"integer": NOT_AN_INTEGER, "boolean": NOT_A_BOOLEAN, "date": NOT_A_DATE}
        tries: list[tuple[str, Any]] = []
        for name, prop in schema.get("properties", {}).items():
            tries += [(name, value) for value in wrong.get(scalar_kind(doc, prop) or "", ())]
        for name, value in call.body.items():
            if name.endswith("_id") and isinstance(value, str):
                tries += [(name, fake) for fake in lookalikes(value)]
        for name in text_fields(doc, schema):
            chars = CONTROLS | (ONE_LINE_BREAKS if name in ONE_LINE else {})
            tries += [(name, f"до{char}после") for char in chars.values()]
        problems: list[str] = []
        for name, value in tries:
            body = {**call.body, name: value}
            await _refused_escaped(api, engine, call, f"{name} as {value!r}", body, name, problems)
        assert not problems, "\n".join(problems)


# --- integers, booleans and dates are what they say ---------------------------------------


class TestIntegersBooleansAndDatesAreStrict:
    async def test_true_is_not_a_mark_of_1(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        call = await _put_mark(school)
        before = await table_counts(engine)
        r = await call.send(api, body={**call.body, "value": True})
        assert error_of(r) == (422, "invalid_field", "value")
        assert "true" in r.json()["error"]["message"]
        assert await table_counts(engine) == before
        mark = await school.mark(3)
        r = await api.patch(
            f"{API}/marks/{mark['id']}", json={"value": True}, headers=await school.as_("teacher")
        )
        assert error_of(r) == (422, "invalid_field", "value")
        assert (
            await scalar(engine, sa.select(s.marks.c.value).where(s.marks.c.id == int(mark["id"])))
            == 3
        )

    async def test_a_json_number_and_boolean_are_still_taken(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        call = await _put_mark(school)
        r = await call.send(api, body={**call.body, "value": 5, "is_dot": False})
        assert r.status_code == 201, r.text
        assert r.json()["value"] == 5

    @pytest.mark.parametrize(
        ("path", "params", "field"),
        [
            ("/students/{student}/report-card", {"year": "+2026"}, "year"),
            ("/students/{student}/report-card", {"year": "2026.0"}, "year"),
            ("/students/{student}/report-card", {"year": "2_026"}, "year"),
            ("/students/{student}/report-card", {"year": "２０２６"}, "year"),
            ("/students/{student}/progress", {"year": " 2026"}, "year"),
            ("/announcements", {"limit": "5_0"}, "limit"),
            ("/students/{student}/homework", {"required": "yes"}, "required"),
            ("/students/{student}/homework", {"required": "1"}, "required"),
            ("/students/{student}/week", {"start": "1764028800"}, "start"),
            ("/students/{student}/marks", {"from": "86400"}, "from"),
        ],
    )
    async def test_query_numbers_booleans_and_dates_are_strict_too(
        self,
        api: httpx.AsyncClient,
        school: School,
        path: str,
        params: dict[str, str],
        field: str,
    ) -> None:
        url = API + path.format(student=await school.student())
        r = await api.get(url, params=params, headers=await school.as_("parent"))
        assert error_of(r) == (422, "invalid_field", field), r.text
        assert readable(r.json()["error"]["message"], field)

    async def test_query_values_in_their_plain_form_are_taken(
        self, api: httpx.AsyncClient, school: School
    ) -> None:
        student, headers = await school.student(), await school.as_("parent")
        for path, params in (
            (f"/students/{student}/report-card", {"year": "2026"}),
            (f"/students/{student}/homework", {"required": "true"}),
            (f"/students/{student}/homework", {"required": "false"}),
            (f"/students/{student}/week", {"start": PINNED_TODAY.isoformat()}),
            ("/announcements", {"limit": "5"}),
        ):
            r = await api.get(API + path, params=params, headers=headers)
            assert r.status_code == 200, (path, params, r.text)


# --- ids are ASCII digits ----------------------------------------------------------------


class TestIdsAreAsciiDigits:
    async def test_a_real_id_in_other_digits_is_not_found_in_a_path(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        student = await school.student()
        mark = await school.mark(4)
        homework = await school.homework()
        teacher, parent = await school.as_("teacher"), await school.as_("parent")
        reads = [
            (parent, "/students/{}/week", student),
            (parent, "/students/{}/report-card", student),
            (parent, "/students/{}/absence-notices", student),
            (teacher, "/marks/{}/history", mark["id"]),
            (teacher, "/lessons/{}", mark["lesson_id"]),
        ]
        for headers, template, real in reads:
            assert (await api.get(API + template.format(real), headers=headers)).status_code == 200
            for fake in lookalikes(real):
                r = await api.get(API + template.format(fake), headers=headers)
                assert r.status_code == 404, (template, fake, r.text)
                assert r.json()["error"]["code"].endswith("not_found")
        before = await table_counts(engine)
        for fake in lookalikes(mark["id"]):
            r = await api.patch(f"{API}/marks/{fake}", json={"value": 2}, headers=teacher)
            assert r.status_code == 404, (fake, r.text)
        for fake in lookalikes(homework["id"]):
            r = await api.delete(f"{API}/homework/{fake}", headers=teacher)
            assert r.status_code == 404, (fake, r.text)
        assert await table_counts(engine) == before

    async def test_a_real_id_in_other_digits_is_refused_in_a_query(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        teacher, parent = await school.as_("teacher"), await school.as_("parent")
        cls, algebra = await class_id(engine, "7А"), await subject_id(engine, "Алгебра")
        student = await school.student()
        for fake in lookalikes(cls):
            r = await api.get(
                f"{API}/journal", params={"class_id": fake, "subject_id": algebra}, headers=teacher
            )
            assert error_of(r) == (422, "invalid_field", "class_id"), (fake, r.text)
        for fake in lookalikes(algebra):
            r = await api.get(
                f"{API}/students/{student}/marks", params={"subject_id": fake}, headers=parent
            )
            assert error_of(r)[0] == 422 and error_of(r)[2] == "subject_id", (fake, r.text)
        for fake in lookalikes(student):
            r = await api.get(f"{API}/teachers", params={"student_id": fake}, headers=parent)
            assert r.status_code == 404, (fake, r.text)

    async def test_a_cursor_is_ascii_digits(self, api: httpx.AsyncClient, school: School) -> None:
        parent = await school.as_("parent")
        cursor = (await api.get(f"{API}/changes", headers=parent)).json()["cursor"]
        for fake in [*lookalikes(cursor), "-1"]:
            r = await api.get(f"{API}/changes", params={"since": fake}, headers=parent)
            assert error_of(r) == (422, "invalid_cursor", "since"), (fake, r.text)

    async def test_a_list_of_ids_names_the_list(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        cls = await class_id(engine, "7А")
        student = await school.student()
        before = await table_counts(engine)
        for fake in lookalikes(student):
            r = await api.post(
                f"{API}/classes/{cls}/credentials",
                json={"student_ids": [fake], "only_new": False},
                headers=await school.as_("teacher"),
            )
            assert error_of(r)[0] == 422 and error_of(r)[2] == "student_ids", (fake, r.text)
        assert await table_counts(engine) == before


# --- no control characters in text -------------------------------------------------------


class TestNoControlCharactersInText:
    async def test_the_refusal_says_which_character_and_is_invalid_text(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        target = await school.lesson()
        teacher = await school.as_("teacher")
        r = await api.patch(
            f"{API}/lessons/{target.id}", json={"topic": "Дроби\x1b[2J"}, headers=teacher
        )
        assert error_of(r) == (422, "invalid_text", "topic")
        assert "U+001B" in r.json()["error"]["message"]
        r = await api.patch(
            f"{API}/lessons/{target.id}", json={"topic": "Дроби\nи проценты"}, headers=teacher
        )
        assert error_of(r) == (422, "invalid_text", "topic")
        assert "one line" in r.json()["error"]["message"]
        r = await api.post(
            f"{API}/lessons/{target.id}/homework",
            content=b'{"text": "a\\ud800"}',
            headers={**teacher, "Content-Type": "application/json"},
        )
        assert error_of(r) == (422, "invalid_text", "text")
        assert "surrogate" in r.json()["error"]["message"]

    async def test_text_that_spans_lines_keeps_tabs_and_line_feeds(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        target = await school.lesson()
        teacher = await school.as_("teacher")
        text = "§12:\n\t1) номера 301-305\n\t2) читать"
        r = await api.post(
            f"{API}/lessons/{target.id}/homework", json={"text": text}, headers=teacher
        )
        assert r.status_code == 201, r.text
        assert r.json()["text"] == text
        call = await _put_mark(school)
        r = await call.send(api, body={**call.body, "comment": "устно:\tхорошо\nписьменно: 4"})
        assert r.status_code == 201, r.text
        assert r.json()["comment"] == "устно:\tхорошо\nписьменно: 4"

    async def test_a_control_character_in_a_login_is_refused_before_any_lookup(
        self, api: httpx.AsyncClient
    ) -> None:
        for login in ("par\x00ent", "parent\x1b", "parent\n"):
            r = await api.post(f"{API}/auth/login", json={"login": login, "password": "demo"})
            assert error_of(r) == (422, "invalid_text", "login"), (login, r.text)


# --- a body that is not UTF-8 JSON ---------------------------------------------------------

NOT_JSON = {
    "a UTF-16 byte order mark": b"\xff\xfe",
    "invalid UTF-8 in a string": b'{"text": "\xff\xfe", "required": true}',
    "a lone continuation byte": b'{"text": "\x80"}',
    "UTF-16 text": '{"text": "Номера 1-5"}'.encode("utf-16-le"),
    "UTF-16 with its mark": '{"text": "Номера 1-5"}'.encode("utf-16"),
    "UTF-32 text": '{"text": "Номера 1-5"}'.encode("utf-32"),
    "a NUL byte": b'{"text": "a"}\x00',
    "truncated": '{"text": "Номера'.encode(),
    "single quotes": b"{'text': 'a'}",
    "a trailing comma": b'{"text": "a",}',
    "nothing but blanks": b"   ",
    "a number too long for Python": b'{"text": "a", "required": ' + b"1" * 5000 + b"}",
    "nesting deeper than the parser goes": b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
}


class TestABodyThatIsNotUtf8JsonIsInvalidJson:
    async def test_it_is_422_invalid_json_and_writes_nothing(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        target = await school.lesson()
        headers = {**await school.as_("teacher"), "Content-Type": "application/json"}
        before = await table_counts(engine)
        for what, body in NOT_JSON.items():
            r = await api.post(f"{API}/lessons/{target.id}/homework", content=body, headers=headers)
            assert r.status_code == 422, (what, r.text)
            assert r.headers["content-type"].startswith("application/json")
            error = r.json()["error"]
            assert error["code"] == "invalid_json" and "field" not in error, (what, r.text)
            assert readable(error["message"], None)
        assert await table_counts(engine) == before

    async def test_json_sent_as_another_type_is_422_invalid_json(
        self, api: httpx.AsyncClient, engine: AsyncEngine, school: School
    ) -> None:
        target = await school.lesson()
        teacher = await school.as_("teacher")
        before = await table_counts(engine)
        for content_type in (None, "text/plain", "application/x-www-form-urlencoded"):
            headers = teacher if content_type is None else {**teacher, "Content-Type": content_type}
            r = await api.post(
                f"{API}/lessons/{target.id}/homework",
                content=json.dumps({"text": "Номера 1-5"}).encode(),
                headers=headers,
            )
            assert error_of(r)[:2] == (422, "invalid_json"), (content_type, r.text)
            assert "application/json" in r.json()["error"]["message"]
        assert await table_counts(engine) == before

    async def test_utf8_json_with_its_charset_is_taken(
        self, api: httpx.AsyncClient, school: School
    ) -> None:
        target = await school.lesson()
        headers = {
            **await school.as_("teacher"),
            "Content-Type": "application/json; charset=utf-8",
        }
        r = await api.post(
            f"{API}/lessons/{target.id}/homework",
            content='{"text": "Номера 1-5"}'.encode(),
            headers=headers,
        )
        assert r.status_code == 201, r.text

    async def test_the_login_says_the_same(self, api: httpx.AsyncClient) -> None:
        r = await api.post(
            f"{API}/auth/login",
            content=b'{"login": "parent", "password": "demo"',
            headers={"Content-Type": "application/json"},
        )
        assert error_of(r)[:2] == (422, "invalid_json"), r.text


# --- a closed period is closed to every write of its journal ------------------------------


async def _closed_lesson(engine: AsyncEngine) -> Any:
    """A 7А Алгебра lesson of the first quarter, which the demo school has closed."""
    p = s.periods
    closed = await scalar(
        engine, sa.select(p.c.closed).where(p.c.kind == "quarter", p.c.number == 1)
    )
    assert closed, "the demo's first quarter is closed"
    return await lesson(engine, first=dt.date(2026, 9, 1), last=Q1_END)


async def _lesson_row(engine: AsyncEngine, lesson_id: int) -> Any:
    return (await rows(engine, sa.select(s.lessons).where(s.lessons.c.id == lesson_id)))[0]


async def _homework_of(engine: AsyncEngine, lesson_id: int, teacher: str) -> str:
    """Homework in the lesson, set straight in the database (the API would refuse it now)."""
    hw = s.homework
    existing = await scalar(
        engine, sa.select(hw.c.id).where(hw.c.lesson_id == lesson_id).order_by(hw.c.id).limit(1)
    )
    if existing is not None:
        return str(existing)
    now = dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC)
    async with engine.begin() as conn:
        inserted = await conn.execute(
            hw.insert().values(
                lesson_id=lesson_id,
                text="§3",
                required=True,
                author_id=int(teacher),
                created_at=now,
                updated_at=now,
            )
        )
    return str(inserted.inserted_primary_key[0])


def _closed_writes(lesson_id: int, student: str, homework: str) -> list[tuple[str, str, Any]]:
    return [
        ("put", f"/lessons/{lesson_id}/attendance/{student}", {"code": "absent"}),
        ("put", f"/lessons/{lesson_id}/attendance/{student}", {"code": None}),
        ("patch", f"/lessons/{lesson_id}", {"topic": "Новая тема"}),
        ("patch", f"/lessons/{lesson_id}", {"topic": ""}),
        ("patch", f"/lessons/{lesson_id}", {"control_form": "board"}),
        ("patch", f"/lessons/{lesson_id}", {"room": "101"}),
        ("post", f"/lessons/{lesson_id}/homework", {"text": "§4", "required": True}),
        ("patch", f"/homework/{homework}", {"text": "§5"}),
        ("patch", f"/homework/{homework}", {"required": False}),
        ("delete", f"/homework/{homework}", None),
    ]


class TestAClosedPeriodRefusesEveryJournalWrite:
    async def test_attendance_topic_control_form_room_and_homework_are_409_period_closed(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        old = await _closed_lesson(engine)
        teacher = await user_id(engine, "teacher")
        student = await user_id(engine, "student")
        homework = await _homework_of(engine, old.id, teacher)
        before, lesson_before = await table_counts(engine), await _lesson_row(engine, old.id)
        for method, path, body in _closed_writes(old.id, student, homework):
            r = await api.request(method.upper(), API + path, json=body, headers=as_teacher)
            assert error_of(r)[:2] == (409, "period_closed"), (method, path, body, r.text)
            assert readable(r.json()["error"]["message"], None)
        assert await table_counts(engine) == before
        assert await _lesson_row(engine, old.id) == lesson_before

    async def test_the_same_writes_in_the_open_period_go_through(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        """The control: only the period differs."""
        current = await lesson(engine)
        teacher = await user_id(engine, "teacher")
        student = await user_id(engine, "student")
        homework = await _homework_of(engine, current.id, teacher)
        for method, path, body in _closed_writes(current.id, student, homework):
            r = await api.request(method.upper(), API + path, json=body, headers=as_teacher)
            assert r.is_success, (method, path, body, r.text)

    async def test_the_wrong_person_still_gets_their_403_not_the_period(
        self,
        api: httpx.AsyncClient,
        engine: AsyncEngine,
        as_parent: dict,
        as_student: dict,
        as_admin: dict,
    ) -> None:
        old = await _closed_lesson(engine)
        teacher = await user_id(engine, "teacher")
        student = await user_id(engine, "student")
        homework = await _homework_of(engine, old.id, teacher)
        russian = await as_teacher_of(api, engine, "7А", "Русский язык")
        before = await table_counts(engine)
        for headers in (russian, as_parent, as_student, as_admin):
            for method, path, body in _closed_writes(old.id, student, homework):
                r = await api.request(method.upper(), API + path, json=body, headers=headers)
                assert r.status_code == 403, (method, path, r.text)
        assert await table_counts(engine) == before

    async def test_marks_and_period_marks_keep_the_same_rule(
        self, api: httpx.AsyncClient, engine: AsyncEngine, as_teacher: dict
    ) -> None:
        old = await _closed_lesson(engine)
        student = await user_id(engine, "student")
        before_change = await latest_change_id(engine)
        r = await api.post(
            f"{API}/marks",
            json={"student_id": student, "lesson_id": str(old.id), "value": 5},
            headers=as_teacher,
        )
        assert error_of(r)[:2] == (409, "period_closed")
        p = s.periods
        q1 = await scalar(engine, sa.select(p.c.id).where(p.c.kind == "quarter", p.c.number == 1))
        r = await api.put(
            f"{API}/period-marks",
            json={
                "student_id": student,
                "subject_id": str(old.subject_id),
                "period_id": str(q1),
                "value": 5,
            },
            headers=as_teacher,
        )
        assert error_of(r)[:2] == (409, "period_closed")
        assert await latest_change_id(engine) == before_change
