"""The `mos` provider (МЭШ) on its recorded answers: sign-in, the week, marks, the report card."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest

from ediary_tui.client.errors import (
    CodeRequired,
    NotLoggedIn,
    ServerUnreachable,
    UnknownAnswer,
)
from ediary_tui.client.providers.base import SCHOOL_TZ
from ediary_tui.client.providers.mos.client import MosClient
from ediary_tui.client.providers.mos.mapping import teacher_id
from ediary_tui.client.providers.mos.sign_in import solve_stamp, token_expiry
from ediary_tui.client.providers.replay import Recording, answer_from
from ediary_tui.domain.models import AttendanceCode, Category, Role

from .conftest import EXAMPLES

RECORDING = Recording.load(EXAMPLES / "mos")
CHILD = "31234567"
EVENTS = "https://school.mos.ru/api/eventcalendar/v1/api/events"
PROFILE = "https://school.mos.ru/api/family/mobile/v1/profile"
PROFILE_INFO = "https://dnevnik.mos.ru/acl/api/users/profile_info"
SCHOOL_INFO = "https://school.mos.ru/api/family/mobile/v1/school_info"
PASSWORD = "https://login.mos.ru/sps/login/methods/headless/password"
SMS = "https://login.mos.ru/sps/login/methods/headless/sms/bind"
EXPIRES = dt.datetime(2027, 6, 30, 21, 0, tzinfo=dt.UTC)


def recorded(name: str) -> dict[str, Any]:
    """A deep copy of one recorded answer, to change in a test."""
    answer = next(a for a in RECORDING.answers if a.name == name)
    return {
        "method": answer.method,
        "url": answer.url,
        "query": dict(answer.query),
        "body_has": dict(answer.body_has),
        "status": answer.status,
        "headers": dict(answer.headers),
        "json": copy.deepcopy(answer.json),
    }


def token() -> str:
    callback = next(a for a in RECORDING.answers if a.name == "auth-09-callback.json")
    return callback.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]


def client(recording: Recording = RECORDING, **kwargs: Any) -> MosClient:
    return MosClient(transport=recording.transport(), **kwargs)


async def signed_in(recording: Recording = RECORDING) -> MosClient:
    """A client resumed with the recorded token, as after a restart."""
    return client(recording, token=token())


# --- signing in ----------------------------------------------------------------------------


async def test_login_with_password_gives_the_token_and_the_family() -> None:
    mos = client()
    result = await mos.login("smirnova.olga", "demo")
    assert result.token == token()
    assert result.expires_at == EXPIRES
    user = result.user
    assert user.id == "17234567"
    assert user.login == "smirnova.olga"
    assert user.full_name == "Смирнова Ольга Викторовна"
    assert user.roles == [Role.PARENT]
    assert [(c.id, c.full_name, c.class_name, c.school_name) for c in user.children] == [
        ("31234567", "Смирнов Артём Дмитриевич", "7-Б", "ГБОУ Школа № 1234")
    ]
    assert mos.token == token()
    await mos.aclose()


@pytest.mark.parametrize(
    ("login", "password", "code"),
    [
        ("smirnova.olga", "wrong", "wrong_credentials"),
        ("nobody", "demo", "wrong_credentials"),
        ("locked", "demo", "temporarily_locked"),
    ],
)
async def test_login_refusals_have_our_codes(login: str, password: str, code: str) -> None:
    mos = client()
    with pytest.raises(NotLoggedIn) as caught:
        await mos.login(login, password)
    assert caught.value.code == code
    assert mos.token is None


async def test_the_sms_step_asks_for_the_code_and_maps_its_refusals() -> None:
    mos = client()
    with pytest.raises(CodeRequired) as asked:
        await mos.login("sms.parent", "demo")
    assert asked.value.message == "+7 *** ***-**-12"
    with pytest.raises(NotLoggedIn) as wrong:
        await mos.submit_code("111111")
    assert wrong.value.code == "code_wrong"
    with pytest.raises(NotLoggedIn) as spent:
        await mos.submit_code("000000")
    assert spent.value.code == "no_attempts_left"
    result = await mos.submit_code(" 123456 ")
    assert result.token == token()
    assert result.user.full_name == "Смирнова Ольга Викторовна"


async def test_ask_to_send_sms_sends_it_then_asks_for_the_code() -> None:
    ask = answer_from(
        {
            "method": "POST",
            "url": PASSWORD,
            "body_has": {"login": "sms.parent", "password": "demo"},
            "json": {"items": [{"inquire": "ask_to_send_sms"}]},
        }
    )
    sent = answer_from(
        {
            "method": "POST",
            "url": SMS,
            "json": {"inquire": "enter_sms_code", "contact": "+7 *** ***-**-34", "ttl": 300},
        }
    )
    with pytest.raises(CodeRequired) as asked:
        await client(RECORDING.with_answers(ask, sent)).login("sms.parent", "demo")
    assert asked.value.message == "+7 *** ***-**-34"


async def test_a_code_before_the_password_is_refused() -> None:
    with pytest.raises(NotLoggedIn) as caught:
        await client().submit_code("123456")
    assert caught.value.code == "not_logged_in"


async def test_token_paste_with_or_without_bearer() -> None:
    result = await client().login_with_token(f"Bearer {token()}\n")
    assert result.token == token()
    assert result.expires_at == EXPIRES
    assert result.user.id == "17234567"


async def test_a_refused_token_paste() -> None:
    refused = answer_from({"url": PROFILE_INFO, "status": 401, "json": {"code": 401}})
    mos = client(RECORDING.with_answers(refused))
    with pytest.raises(NotLoggedIn) as caught:
        await mos.login_with_token("not-a-token")
    assert caught.value.code == "token_refused"
    assert mos.token is None


def test_the_proof_of_work_stamp_and_the_token_expiry() -> None:
    import hashlib

    header = "1:12:261207083000:dnevnik.mos.ru::c2FsdA==:"
    stamp = solve_stamp(header)
    assert stamp.startswith(header)
    assert hashlib.sha1(stamp.encode()).digest()[:1] == b"\0"
    assert hashlib.sha1(stamp.encode()).digest()[1] < 16
    assert token_expiry(token()) == EXPIRES
    assert token_expiry("opaque") is None
    with pytest.raises(NotLoggedIn) as caught:
        solve_stamp("1:64:nope")
    assert caught.value.code == "flow_changed"


# --- the week ------------------------------------------------------------------------------


async def test_the_week_lessons_times_marks_and_homework() -> None:
    mos = await signed_in()
    week = await mos.week(CHILD, dt.date(2026, 12, 9))
    assert (week.start, week.end) == (dt.date(2026, 12, 7), dt.date(2026, 12, 13))
    assert [d.date.day for d in week.days] == [7, 8, 9, 10, 11]
    assert [len(d.lessons) for d in week.days] == [6, 5, 7, 6, 5]
    first = week.days[0].lessons[0]
    assert first.id == "18120701"
    assert first.number == 1
    assert first.starts_at == dt.datetime(2026, 12, 7, 8, 30, tzinfo=SCHOOL_TZ)
    assert first.ends_at == dt.datetime(2026, 12, 7, 9, 15, tzinfo=SCHOOL_TZ)
    assert (first.subject.id, first.subject.name) == ("33623581", "Алгебра")
    assert (first.room, first.topic) == ("214", "Системы линейных уравнений")
    assert first.teacher.full_name == "Белова Наталья Сергеевна"
    geometry = week.days[1].lessons[0]
    assert geometry.subject.name == "Геометрия"
    assert geometry.teacher == first.teacher  # one teacher, one id, from school_info
    assert first.teacher.id == teacher_id("Белова Наталья Сергеевна")
    assert week.days[0].lessons[1].teacher.full_name == "Орлова Марина Александровна"
    [mark] = first.marks
    assert (mark.id, mark.value, mark.is_dot, mark.comment) == ("2001101", 5, False, "Молодец!")
    assert (mark.control_form.name, mark.control_form.weight) == ("Работа на уроке", 1)
    assert (mark.lesson_id, mark.student_id, mark.subject_id) == ("18120701", CHILD, "33623581")
    assert mark.teacher == first.teacher
    assert mark.created_at == dt.datetime(2026, 12, 7, 9, 15, tzinfo=SCHOOL_TZ)
    # Homework sits under the lesson it was set in, due at the subject's next lesson.
    [homework] = first.homework
    assert (homework.id, homework.lesson_id) == ("3501028", "18120701")
    assert homework.text == "№ 430, 433; повторить п. 11"
    assert (homework.date, homework.due) == (dt.date(2026, 12, 7), dt.date(2026, 12, 8))
    # The service gives the day only: noon in Moscow, the same day wherever it is read.
    assert homework.created_at == dt.datetime(2026, 12, 7, 12, tzinfo=SCHOOL_TZ)
    assert (homework.required, homework.done) == (True, False)
    friday = [(h.id, h.due) for lesson in week.days[4].lessons for h in lesson.homework]
    assert friday[0] == ("3501050", dt.date(2026, 12, 14))
    assert week.days[0].lessons[5].homework == []
    dictation = week.days[0].lessons[1].marks[0]
    assert (dictation.value, dictation.control_form.weight) == (4, 3)
    assert dictation.control_form.category == Category.TEST
    last = week.days[4].lessons[0].marks[0]
    assert (last.value, last.control_form.name, last.control_form.weight) == (
        4,
        "Контрольная работа",
        3,
    )
    physics = week.days[2].lessons[5]
    assert [(m.value, m.control_form.name) for m in physics.marks] == [
        (4, "Работа на уроке"),
        (5, "Домашняя работа"),
    ]


async def test_a_point_is_a_dot_with_its_due_date() -> None:
    week = await (await signed_in()).week(CHILD, dt.date(2026, 12, 7))
    [dot] = week.days[1].lessons[0].marks
    assert (dot.id, dot.value, dot.is_dot, dot.due) == ("2001103", 3, True, dt.date(2026, 12, 14))
    assert dot.control_form.category == Category.INDEPENDENT


async def test_a_missed_lesson_is_an_absence() -> None:
    week = await (await signed_in()).week(CHILD, dt.date(2026, 12, 7))
    history = week.days[3].lessons[2]
    assert history.subject.name == "История"
    assert history.attendance == AttendanceCode.ABSENT
    assert history.marks == []
    present = [
        lesson.attendance for d in week.days for lesson in d.lessons if lesson is not history
    ]
    assert set(present) == {None}


async def test_the_previous_week_and_a_club_left_out() -> None:
    week = await (await signed_in()).week(CHILD, dt.date(2026, 11, 30))
    assert [len(d.lessons) for d in week.days] == [6, 5, 7, 6, 5]
    assert [[m.value for lesson in d.lessons for m in lesson.marks] for d in week.days] == [
        [4],
        [5],
        [3],
        [5],
        [4],
    ]
    names = {lesson.subject.name for d in week.days for lesson in d.lessons}
    assert "Шахматный клуб" not in names


# --- marks, homework, report card, progress ----------------------------------------------------


async def test_marks_of_a_subject() -> None:
    mos = await signed_in()
    marks = await mos.marks(CHILD, subject_id="33623582")
    assert {m.teacher.full_name for m in marks} == {"Белова Наталья Сергеевна"}
    assert [(m.id, m.date, m.value, m.control_form.weight, m.is_dot) for m in marks] == [
        ("1900008", dt.date(2026, 9, 3), 5, 3, False),
        ("1900009", dt.date(2026, 9, 8), 4, 3, False),
        ("1900010", dt.date(2026, 9, 15), 5, 2, False),
        ("1900011", dt.date(2026, 9, 24), 5, 1, False),
        ("1900012", dt.date(2026, 10, 6), 5, 3, False),
        ("1900013", dt.date(2026, 11, 12), 4, 1, False),
        ("1900014", dt.date(2026, 11, 17), 4, 1, False),
        ("2001103", dt.date(2026, 12, 8), 3, 2, True),
    ]
    december = await mos.marks(
        CHILD, from_=dt.date(2026, 12, 7), to=dt.date(2026, 12, 7), subject_id=None
    )
    assert [(m.id, m.subject_id, m.value) for m in december] == [
        ("2001101", "33623581", 5),
        ("2001102", "33623583", 4),
    ]


async def test_homework_set_between_days() -> None:
    found = await (await signed_in()).homework(
        CHILD, from_=dt.date(2026, 12, 8), to=dt.date(2026, 12, 8)
    )
    assert [(h.id, h.subject.name, h.date, h.due, h.done) for h in found] == [
        ("3501033", "Геометрия", dt.date(2026, 12, 8), dt.date(2026, 12, 10), False),
        ("3501034", "Литература", dt.date(2026, 12, 8), dt.date(2026, 12, 10), False),
        ("3501035", "Биология", dt.date(2026, 12, 8), dt.date(2026, 12, 10), False),
        ("3501036", "Алгебра", dt.date(2026, 12, 8), dt.date(2026, 12, 9), False),
        ("3501037", "Русский язык", dt.date(2026, 12, 8), dt.date(2026, 12, 9), False),
    ]
    assert found[0].text == "П. 18, задачи 116, 118"
    earlier = await (await signed_in()).homework(
        CHILD, from_=dt.date(2026, 11, 30), to=dt.date(2026, 11, 30), subject_id="33623581"
    )
    assert [(h.id, h.text, h.done) for h in earlier] == [("3501001", "№ 398, 401 (в, г)", True)]


async def test_the_report_card_has_both_averages() -> None:
    card = await (await signed_in()).report_card(CHILD)
    assert card.year == 2026
    assert card.years == [2026]
    assert [(p.id, p.name, p.kind, p.starts_on, p.ends_on) for p in card.periods] == [
        ("1", "1 четверть", "quarter", dt.date(2026, 9, 1), dt.date(2026, 10, 25)),
        ("2", "2 четверть", "quarter", dt.date(2026, 11, 5), dt.date(2026, 12, 27)),
        ("3", "3 четверть", "quarter", dt.date(2027, 1, 11), dt.date(2027, 3, 21)),
        ("4", "4 четверть", "quarter", dt.date(2027, 3, 30), dt.date(2027, 5, 26)),
    ]
    assert len(card.subjects) == 11
    geometry = next(s for s in card.subjects if s.name == "Геометрия")
    assert geometry.teacher is not None
    assert geometry.teacher.full_name == "Белова Наталья Сергеевна"
    first, second = geometry.periods[:2]
    assert (first.average, first.service_average, first.mark, first.marks_count) == (
        4.75,
        4.75,
        5,
        5,
    )
    # The service counts the point (3, weight 2); ours waits until it is lifted.
    assert (second.average, second.service_average, second.mark, second.marks_count) == (
        4.0,
        3.5,
        None,
        3,
    )
    assert (geometry.periods[2].average, geometry.periods[2].service_average) == (None, None)


async def test_progress_from_the_marks() -> None:
    progress = await (await signed_in()).progress(CHILD, period_id="2")
    assert (progress.starts_on, progress.ends_on) == (dt.date(2026, 11, 5), dt.date(2026, 12, 27))
    geometry = next(s for s in progress.subjects if s.subject.name == "Геометрия")
    assert [(p.mark_id, p.value, p.average) for p in geometry.points] == [
        ("1900013", 4, 4.0),
        ("1900014", 4, 4.0),
    ]
    algebra = next(s for s in progress.subjects if s.subject.name == "Алгебра")
    assert [p.mark_id for p in algebra.points][-2:] == ["2001101", "2001108"]


# --- robust to change ---------------------------------------------------------------------------


def week_answer(change: Any) -> Recording:
    """The recording with the week of 7 Dec changed by `change(json)`."""
    data = recorded("week-2026-12-07.json")
    change(data["json"])
    return RECORDING.with_answers(answer_from(data))


async def test_unknown_fields_are_ignored() -> None:
    def add(data: dict[str, Any]) -> None:
        data["next_cursor"] = "abc"
        data["response"][0]["hologram"] = {"depth": 3}
        data["response"][0]["marks"][0]["rubric"] = [1, 2]

    week = await (await signed_in(week_answer(add))).week(CHILD, dt.date(2026, 12, 7))
    assert week.days[0].lessons[0].marks[0].value == 5


async def test_missing_optional_fields_degrade() -> None:
    def drop(data: dict[str, Any]) -> None:
        del data["total_count"]
        lesson = data["response"][0]
        for key in ("room_number", "room_name", "lesson_theme", "is_missed_lesson"):
            del lesson[key]
        mark = lesson["marks"][0]
        for key in ("weight", "control_form_name", "comment", "created_at", "is_point"):
            del mark[key]

    week = await (await signed_in(week_answer(drop))).week(CHILD, dt.date(2026, 12, 7))
    first = week.days[0].lessons[0]
    assert (first.room, first.topic, first.attendance) == (None, None, None)
    [mark] = first.marks
    assert (mark.value, mark.control_form.name, mark.control_form.weight) == (
        5,
        "Работа на уроке",
        1,
    )
    assert (mark.comment, mark.is_dot) == (None, False)
    assert mark.created_at == first.starts_at


async def test_a_changed_answer_is_unknown_and_kept_blanked(home: Path) -> None:
    data = recorded("who-02-profile.json")
    data["json"]["children"] = {"changed": data["json"]["children"]}
    mos = client(RECORDING.with_answers(answer_from(data)))
    with pytest.raises(UnknownAnswer) as caught:
        await mos.login("smirnova.olga", "demo")
    saved = caught.value.saved_to
    assert saved is not None
    assert Path(saved).is_relative_to(home)
    text = Path(saved).read_text("utf-8")
    assert "mos: profile" in text
    for personal in ("Смирнова", "Ольга", "Артём", "olga.smirnova@example.ru", "79001234512"):
        assert personal not in text


async def test_without_school_info_the_week_has_no_teachers() -> None:
    mos = await signed_in(RECORDING.without("GET", SCHOOL_INFO))
    week = await mos.week(CHILD, dt.date(2026, 12, 7))
    first = week.days[0].lessons[0]
    assert (first.teacher.id, first.teacher.full_name) == ("", "")
    assert first.marks[0].value == 5
    card = await mos.report_card(CHILD)
    assert {s.teacher for s in card.subjects} == {None}


async def test_homework_missing_its_set_day_is_set_on_its_due_day() -> None:
    data = recorded("homework.json")
    row = data["json"]["payload"][0]
    del row["date_assigned_on"], row["subject_name"], row["description"]
    found = await (await signed_in(RECORDING.with_answers(answer_from(data)))).homework(
        CHILD, from_=dt.date(2026, 12, 1), to=dt.date(2026, 12, 1), subject_id="33623581"
    )
    assert [(h.id, h.date, h.due, h.text, h.subject.name) for h in found] == [
        ("3501001", dt.date(2026, 12, 1), dt.date(2026, 12, 1), "", ""),
        ("3501009", dt.date(2026, 12, 1), dt.date(2026, 12, 2), "№ 405, 407", "Алгебра"),
    ]


async def test_a_changed_week_is_unknown() -> None:
    def change(data: dict[str, Any]) -> None:
        data["response"] = {"items": data["response"]}

    with pytest.raises(UnknownAnswer):
        await (await signed_in(week_answer(change))).week(CHILD, dt.date(2026, 12, 7))


async def test_an_expired_token() -> None:
    expired = answer_from({"url": PROFILE_INFO, "status": 401, "json": {"code": 401}})
    mos = await signed_in(RECORDING.with_answers(expired))
    with pytest.raises(NotLoggedIn) as caught:
        await mos.week(CHILD, dt.date(2026, 12, 7))
    assert caught.value.code == "token_expired"


async def test_an_expired_token_on_a_read() -> None:
    query = {"person_ids": "7f3c2a10-5b1e-4d2a-9c7e-1a2b3c4d5e6f", "begin_date": "2026-12-07"}
    expired = answer_from({"url": EVENTS, "query": query, "status": 401, "json": {"code": 401}})
    mos = await signed_in(RECORDING.with_answers(expired))
    assert (await mos.me()).id == "17234567"
    with pytest.raises(NotLoggedIn) as caught:
        await mos.week(CHILD, dt.date(2026, 12, 7))
    assert caught.value.code == "token_expired"


async def test_the_service_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    mos = MosClient(transport=httpx.MockTransport(refuse), token=token())
    with pytest.raises(ServerUnreachable) as caught:
        await mos.week(CHILD, dt.date(2026, 12, 7))
    assert caught.value.code == "unreachable"
    with pytest.raises(ServerUnreachable):
        await MosClient(transport=httpx.MockTransport(refuse)).login("smirnova.olga", "demo")


async def test_the_moscow_region_host() -> None:
    region = MosClient("https://api.myschool.mosreg.ru/")
    assert region.mobile == "https://api.myschool.mosreg.ru/family/mobile/v1"
    assert region.acl == "https://api.myschool.mosreg.ru"
    assert MosClient().mobile == "https://school.mos.ru/api/family/mobile/v1"
