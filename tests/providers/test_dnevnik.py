"""The `dnevnik` provider (Dnevnik.ru) on its recorded answers: sign-in, the week, the report card."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest

from ediary_tui.client.errors import (
    ClientError,
    NotFound,
    NotLoggedIn,
    ServerUnreachable,
    UnknownAnswer,
)
from ediary_tui.client.providers import provider_class
from ediary_tui.client.providers.base import SCHOOL_TZ
from ediary_tui.client.providers.dnevnik.client import DnevnikClient
from ediary_tui.client.providers.replay import Recording, answer_from
from ediary_tui.client.service import SignInMethod
from ediary_tui.domain.models import AttendanceCode, Category, Role

from .conftest import EXAMPLES

RECORDING = Recording.load(EXAMPLES / "dnevnik")
HOST = "https://api.dnevnik.ru"
CHILD = "1000066666002"
GROUP = "1000002222333"
PHYSICS = "1000003008"
TOKEN = "k7Qm2xZbT9vL4nR8wS1pE6yU3cA0dF5h"
MONDAY = dt.date(2026, 12, 7)
Q1, Q2 = "1000006001", "1000006002"
WEEK_LESSONS = f"{HOST}/v2/edu-groups/{GROUP}/lessons/2026-12-07/2026-12-13"
WEEK_MARKS = f"{HOST}/v2/persons/{CHILD}/schools/1000001111/marks/2026-12-07/2026-12-13"
USERS_ME = f"{HOST}/v2/users/me"


def now() -> dt.datetime:
    return dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def recorded(name: str) -> dict[str, Any]:
    """A deep copy of one recorded answer, to change in a test."""
    answer = next(a for a in RECORDING.answers if a.name == name)
    return {
        "method": answer.method,
        "url": answer.url,
        "query": dict(answer.query),
        "body_has": dict(answer.body_has),
        "status": answer.status,
        "json": copy.deepcopy(answer.json),
    }


def varied(*answers: dict[str, Any]) -> Recording:
    return RECORDING.with_answers(*(answer_from(a) for a in answers))


def client(recording: Recording = RECORDING, **kwargs: Any) -> DnevnikClient:
    kwargs.setdefault("devkey", recording.devkey)  # a registered client, as a profile gives
    return DnevnikClient(transport=recording.transport(), clock=now, **kwargs)


def signed_in(recording: Recording = RECORDING) -> DnevnikClient:
    """A client resumed with the recorded token, as after a restart."""
    return client(recording, token=TOKEN)


# --- what it is ----------------------------------------------------------------------------


def test_the_provider_is_registered_read_only_with_token_paste_first() -> None:
    assert provider_class("dnevnik") is DnevnikClient
    info = DnevnikClient.info
    assert info.name == "dnevnik"
    assert info.sign_in == (SignInMethod.TOKEN, SignInMethod.PASSWORD)
    assert info.read_only is True
    assert info.capabilities == frozenset()
    assert info.token_help == "provider.dnevnik.token_help"


def test_kundelik_is_the_same_client_on_its_own_host() -> None:
    assert DnevnikClient().host == "https://api.dnevnik.ru"
    # No registered client ships with the app: without one, the browser's token only.
    assert DnevnikClient().info.sign_in == (SignInMethod.TOKEN,)
    assert client().info.sign_in == (SignInMethod.TOKEN, SignInMethod.PASSWORD)
    assert DnevnikClient("https://api.kundelik.kz/v2/").host == "https://api.kundelik.kz"


# --- signing in ----------------------------------------------------------------------------


async def test_login_with_password_gives_the_token_and_the_family() -> None:
    result = await client().login("kravtsova.natalya", "demo")
    assert result.token == TOKEN
    assert result.expires_at == dt.datetime(2027, 1, 6, 15, 30, tzinfo=dt.UTC)
    user = result.user
    assert (user.id, user.login, user.full_name) == (
        "1000054321987",
        "kravtsova.natalya",
        "Кравцова Наталья Андреевна",
    )
    assert user.roles == [Role.PARENT]
    assert [(c.id, c.full_name, c.class_name, c.school_name) for c in user.children] == [
        (CHILD, "Кравцов Михаил Сергеевич", "7Б", "МБОУ «Средняя общеобразовательная школа № 17»")
    ]


@pytest.mark.parametrize(
    ("login", "password", "code"),
    [
        ("kravtsova.natalya", "wrong", "wrong_credentials"),
        ("somebody", "demo", "wrong_credentials"),
        ("locked", "demo", "temporarily_locked"),
        ("no-attempts", "demo", "no_attempts_left"),
    ],
)
async def test_each_refusal_has_its_code(login: str, password: str, code: str) -> None:
    dnevnik = client()
    with pytest.raises(NotLoggedIn) as caught:
        await dnevnik.login(login, password)
    assert caught.value.code == code
    assert dnevnik.token is None


async def test_a_refusal_answered_with_an_error_status_is_read_too() -> None:
    refusal = recorded("login_locked.json")
    refusal["status"] = 400
    with pytest.raises(NotLoggedIn) as caught:
        await client(varied(refusal)).login("locked", "demo")
    assert caught.value.code == "temporarily_locked"


async def test_a_pasted_token_is_taken_when_the_service_says_whose_it_is() -> None:
    dnevnik = client()
    result = await dnevnik.login_with_token(f"  {TOKEN}\n")
    assert result.token == TOKEN
    assert result.user.children[0].id == CHILD
    assert result.expires_at == now() + dt.timedelta(days=7)


async def test_a_pasted_token_the_service_refuses_is_said_so() -> None:
    refused = {
        "method": "GET",
        "url": USERS_ME,
        "status": 401,
        "json": {"type": "authorizationFailed"},
    }
    dnevnik = client(varied(refused))
    with pytest.raises(NotLoggedIn) as caught:
        await dnevnik.login_with_token("not-a-token")
    assert caught.value.code == "token_refused"
    assert dnevnik.token is None


async def test_a_student_reads_their_own_diary() -> None:
    me = recorded("users_me.json")
    me["json"].update(roles=["EduStudent"], personId=1000066666002, personId_str=CHILD)
    me["json"].update(firstName="Михаил", lastName="Кравцов", middleName="Сергеевич")
    context = recorded("users_me_context.json")
    child = context["json"].pop("children")[0]
    context["json"].update(roles=["EduStudent"], eduGroups=child["eduGroups"])
    dnevnik = signed_in(varied(me, context))
    user = await dnevnik.me()
    assert user.roles == [Role.STUDENT]
    assert [(c.id, c.full_name, c.class_name) for c in user.children] == [
        (CHILD, "Кравцов Михаил Сергеевич", "7Б")
    ]
    week = await dnevnik.week(CHILD, MONDAY)
    assert len(week.days[0].lessons) == 6


# --- the week ------------------------------------------------------------------------------


async def test_the_week_has_the_lessons_in_order_with_times_rooms_and_topics() -> None:
    week = await signed_in().week(CHILD, dt.date(2026, 12, 9))
    assert (week.student_id, week.start, week.end) == (CHILD, MONDAY, dt.date(2026, 12, 13))
    assert [d.date for d in week.days] == [MONDAY + dt.timedelta(days=i) for i in range(5)]
    assert [len(d.lessons) for d in week.days] == [6, 6, 7, 5, 6]
    first = week.days[0].lessons[0]
    assert (first.id, first.number, first.subject.name, first.room) == (
        "1200000366",
        1,
        "Алгебра",
        "214",
    )
    assert first.topic == "Разность квадратов"
    assert first.teacher.full_name == "Кузнецова Марина Алексеевна"
    assert first.teacher.id == "1000004001"
    assert first.starts_at == dt.datetime(2026, 12, 7, 8, 30, tzinfo=SCHOOL_TZ)
    assert first.ends_at == dt.datetime(2026, 12, 7, 9, 10, tzinfo=SCHOOL_TZ)
    last = week.days[2].lessons[-1]
    assert (last.number, last.subject.name) == (7, "Физическая культура")
    assert last.starts_at == dt.datetime(2026, 12, 9, 13, 45, tzinfo=SCHOOL_TZ)


async def test_the_weeks_marks_have_value_weight_and_control_form() -> None:
    week = await signed_in().week(CHILD, MONDAY)
    marks = {
        (d.date.day, lesson.subject.name): [
            (m.value, m.control_form.name, m.control_form.weight, m.control_form.category)
            for m in lesson.marks
        ]
        for d in week.days
        for lesson in d.lessons
        if lesson.marks
    }
    assert marks == {
        (7, "Алгебра"): [(5, "Работа на уроке", 1, Category.CLASSWORK)],
        (7, "Русский язык"): [(4, "Диктант", 3, Category.TEST)],
        (7, "Английский язык"): [(5, "Домашнее задание", 1, Category.HOMEWORK)],
        (8, "Геометрия"): [(4, "Самостоятельная работа", 2, Category.INDEPENDENT)],
        (8, "Физика"): [(3, "Контрольная работа", 3, Category.TEST)],
        (9, "Алгебра"): [
            (4, "Работа на уроке", 1, Category.CLASSWORK),
            (5, "Самостоятельная работа", 2, Category.INDEPENDENT),
        ],
        (9, "Литература"): [(5, "Работа на уроке", 1, Category.CLASSWORK)],
        (11, "Биология"): [(4, "Проверочная работа", 2, Category.INDEPENDENT)],
        (11, "География"): [(5, "Работа на уроке", 1, Category.CLASSWORK)],
    }
    mark = week.days[0].lessons[0].marks[0]
    assert (mark.id, mark.lesson_id, mark.student_id, mark.subject_id) == (
        "1400000142",
        "1200000366",
        CHILD,
        "1000003001",
    )
    assert mark.date == MONDAY
    assert mark.created_at == dt.datetime(2026, 12, 7, 14, 7, 12, tzinfo=SCHOOL_TZ)
    assert mark.teacher.full_name == "Кузнецова Марина Алексеевна"
    # Dnevnik.ru has no dots: no mark is one.
    assert not any(m.is_dot for d in week.days for lesson in d.lessons for m in lesson.marks)


async def test_absences_come_from_the_lesson_log() -> None:
    dnevnik = signed_in()
    week = await dnevnik.week(CHILD, MONDAY)
    absent = [
        (d.date, lesson.subject.name, lesson.attendance)
        for d in week.days
        for lesson in d.lessons
        if lesson.attendance is not None
    ]
    assert absent == [(dt.date(2026, 12, 10), "История", AttendanceCode.ABSENT)]
    before = await dnevnik.week(CHILD, dt.date(2026, 11, 30))
    late = [
        (d.date, lesson.subject.name, lesson.attendance)
        for d in before.days
        for lesson in d.lessons
        if lesson.attendance is not None
    ]
    assert late == [(dt.date(2026, 12, 1), "Физика", AttendanceCode.LATE)]


async def test_an_absence_written_as_a_mark_is_attendance_not_a_mark() -> None:
    marks = recorded("marks_week_2026-12-07.json")
    marks["json"][0].update(value="н", textValue="н")
    week = await signed_in(varied(marks)).week(CHILD, MONDAY)
    algebra = week.days[0].lessons[0]
    assert algebra.marks == []
    assert algebra.attendance is AttendanceCode.ABSENT


async def test_the_weeks_homework_is_in_the_lesson_it_was_set_in() -> None:
    week = await signed_in().week(CHILD, MONDAY)
    algebra = week.days[0].lessons[0]
    assert [(h.text, h.date, h.due, h.required) for h in algebra.homework] == [
        ("№ 311, 312 (стр. 88)", MONDAY, dt.date(2026, 12, 9), True)
    ]
    assert algebra.homework[0].created_at == dt.datetime(2026, 12, 7, 15, 6, tzinfo=SCHOOL_TZ)
    pe = week.days[0].lessons[5]
    assert (pe.subject.name, pe.homework) == ("Физическая культура", [])


# --- the report card, marks, homework, progress ----------------------------------------------


async def test_the_report_card_shows_our_average_beside_the_services() -> None:
    card = await signed_in().report_card(CHILD)
    assert card.year == 2026
    assert card.years == [2026]
    assert [(p.id, p.name, p.kind, p.number, p.starts_on, p.ends_on) for p in card.periods][:2] == [
        (Q1, "1 четверть", "quarter", 1, dt.date(2026, 9, 1), dt.date(2026, 10, 25)),
        (Q2, "2 четверть", "quarter", 2, dt.date(2026, 11, 5), dt.date(2026, 12, 28)),
    ]
    assert len(card.periods) == 4
    subjects = {s.name: s for s in card.subjects}
    assert len(subjects) == 14
    physics = subjects["Физика"]
    assert physics.teacher is not None
    assert physics.teacher.full_name == "Соколов Павел Сергеевич"
    q1, q2, q3, _ = physics.periods
    assert (q1.average, q1.service_average, q1.mark, q1.marks_count) == (4.0, 3.89, 4, 9)
    assert (q2.average, q2.service_average, q2.mark, q2.marks_count) == (3.73, 3.67, None, 6)
    assert (q3.average, q3.service_average, q3.marks_count) == (None, None, 0)
    algebra = subjects["Алгебра"].periods[1]
    assert (algebra.average, algebra.service_average) == (4.6, 4.6)
    biology = subjects["Биология"].periods[0]
    assert (biology.absences, biology.ill) == (1, 1)
    history = subjects["История"].periods[1]
    assert (history.absences, history.ill) == (1, 0)
    assert subjects["Технология"].periods[0].marks_count == 0
    assert all(s.year_mark is None for s in card.subjects)


async def test_a_year_mark_is_read_from_its_work() -> None:
    finals = recorded("allfinalmarks.json")
    work = finals["json"]["works"][0]
    work.update(periodType="Year", periodNumber=None)
    card = await signed_in(varied(finals)).report_card(CHILD)
    algebra = next(s for s in card.subjects if s.id == str(work["subjectId"]))
    assert algebra.year_mark == 4
    assert algebra.periods[0].mark is None


async def test_another_school_year_is_not_read() -> None:
    with pytest.raises(NotFound):
        await signed_in().report_card(CHILD, 2025)


async def test_a_subjects_marks_over_a_period() -> None:
    marks = await signed_in().marks(
        CHILD, from_=dt.date(2026, 11, 5), to=dt.date(2026, 12, 28), subject_id=PHYSICS
    )
    assert [(m.date, m.value, m.control_form.name, m.control_form.weight) for m in marks] == [
        (dt.date(2026, 11, 5), 5, "Работа на уроке", 1),
        (dt.date(2026, 11, 10), 3, "Работа на уроке", 1),
        (dt.date(2026, 11, 17), 5, "Контрольная работа", 3),
        (dt.date(2026, 11, 26), 3, "Работа на уроке", 1),
        (dt.date(2026, 12, 3), 3, "Самостоятельная работа", 2),
        (dt.date(2026, 12, 8), 3, "Контрольная работа", 3),
    ]
    assert {m.teacher.full_name for m in marks} == {"Соколов Павел Сергеевич"}


async def test_homework_of_a_week() -> None:
    homework = await signed_in().homework(CHILD, from_=MONDAY, to=dt.date(2026, 12, 13))
    assert len(homework) == 26
    first = homework[0]
    assert (first.id, first.lesson_id, first.subject.name, first.date, first.due) == (
        "1300000725",
        "1200000366",
        "Алгебра",
        MONDAY,
        dt.date(2026, 12, 9),
    )
    assert first.text == "№ 311, 312 (стр. 88)"
    assert first.created_at == dt.datetime(2026, 12, 7, 15, 6, tzinfo=SCHOOL_TZ)


async def test_progress_runs_the_weighted_average_over_the_period() -> None:
    progress = await signed_in().progress(CHILD, period_id=Q2)
    assert (progress.starts_on, progress.ends_on) == (dt.date(2026, 11, 5), dt.date(2026, 12, 28))
    physics = next(s for s in progress.subjects if s.subject.id == PHYSICS)
    assert [(p.value, p.weight) for p in physics.points] == [
        (5, 1),
        (3, 1),
        (5, 3),
        (3, 1),
        (3, 2),
        (3, 3),
    ]
    assert physics.points[2].average == pytest.approx(4.6)
    assert physics.average == 3.73  # 41 / 11, rounded half up as the report card rounds


# --- robust to change ----------------------------------------------------------------------


async def test_an_unknown_extra_field_is_ignored() -> None:
    lessons = recorded("lessons_week_2026-12-07.json")
    lessons["json"][0]["hasVideoLesson"] = {"url": "https://example.ru"}
    me = recorded("users_me.json")
    me["json"]["newFeature"] = [1, 2, 3]
    week = await signed_in(varied(lessons, me)).week(CHILD, MONDAY)
    assert week.days[0].lessons[0].subject.name == "Алгебра"


async def test_missing_optional_fields_degrade() -> None:
    lessons = recorded("lessons_week_2026-12-07.json")
    for lesson in lessons["json"]:
        for key in ("title", "place", "teachers", "works"):
            lesson.pop(key)
    recording = varied(lessons).without("GET", f"{HOST}/v2/edu-groups/{GROUP}/timetables")
    week = await signed_in(recording).week(CHILD, MONDAY)
    first = week.days[0].lessons[0]
    assert (first.topic, first.room, first.homework) == (None, None, [])
    assert (first.teacher.id, first.teacher.full_name) == ("", "")
    # The usual bells stand in for the timetable the service did not give.
    assert first.starts_at == dt.datetime(2026, 12, 7, 8, 30, tzinfo=SCHOOL_TZ)
    assert [m.value for m in first.marks] == [5]


async def test_missing_service_averages_leave_ours() -> None:
    recording = RECORDING.without(
        "GET", f"{HOST}/mobile/v8.5/persons/{CHILD}/groups/{GROUP}/periods/{Q2}/periodMarks"
    )
    card = await signed_in(recording).report_card(CHILD)
    physics = next(s for s in card.subjects if s.id == PHYSICS)
    assert (physics.periods[1].average, physics.periods[1].service_average) == (3.73, None)
    assert physics.periods[0].service_average == 3.89


async def test_a_changed_answer_is_unknown_and_kept_blanked(home: Path) -> None:
    marks = recorded("marks_week_2026-12-07.json")
    marks["json"][0]["lesson"] = {"moved": "elsewhere"}
    marks["json"][0]["teacherName"] = "Кузнецова Марина Алексеевна"
    with pytest.raises(UnknownAnswer) as caught:
        await signed_in(varied(marks)).week(CHILD, MONDAY)
    assert caught.value.saved_to is not None
    saved = Path(caught.value.saved_to)
    assert saved.is_relative_to(home)
    text = saved.read_text("utf-8")
    assert "1400000142" in text
    assert "Кузнецова" not in text


async def test_a_changed_context_is_unknown_not_a_crash(home: Path) -> None:
    context = recorded("users_me_context.json")
    context["json"] = ["not", "a", "context"]
    with pytest.raises(UnknownAnswer):
        await signed_in(varied(context)).me()


async def test_an_expired_token_leads_back_to_the_login() -> None:
    expired = {
        "method": "GET",
        "url": WEEK_LESSONS,
        "status": 401,
        "json": {"type": "authorizationFailed"},
    }
    with pytest.raises(NotLoggedIn) as caught:
        await signed_in(varied(expired)).week(CHILD, MONDAY)
    assert caught.value.code == "token_expired"


async def test_a_token_refusal_answered_with_a_200_is_an_expired_token_too() -> None:
    refused = {
        "method": "GET",
        "url": WEEK_MARKS,
        "json": {"type": "authorizationFailed", "description": "Access token expired"},
    }
    with pytest.raises(NotLoggedIn) as caught:
        await signed_in(varied(refused)).week(CHILD, MONDAY)
    assert caught.value.code == "token_expired"


async def test_the_service_unreachable() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    dnevnik = DnevnikClient(transport=httpx.MockTransport(down), token=TOKEN, clock=now)
    with pytest.raises(ServerUnreachable) as caught:
        await dnevnik.me()
    assert caught.value.code == "unreachable"
    busy = {"method": "GET", "url": WEEK_LESSONS, "status": 503, "json": None}
    with pytest.raises(ServerUnreachable) as caught:
        await signed_in(varied(busy)).week(CHILD, MONDAY)
    assert caught.value.code == "server_error"


async def test_an_unknown_pupil_is_not_found() -> None:
    with pytest.raises(NotFound):
        await signed_in().week("42", MONDAY)


async def test_the_address_the_oauth_sign_in_ended_on_may_be_pasted_whole() -> None:
    address = f"https://dnevnik.ru/oauth2/done#access_token={TOKEN}&state=x&user_id=1000012345678"
    result = await client().login_with_token(address)
    assert result.token == TOKEN


async def test_a_mark_that_is_not_a_number_keeps_its_text() -> None:
    marks = recorded("marks_week_2026-12-07.json")
    marks["json"][0].update(value="зч", textValue="зч")
    week = await signed_in(varied(marks)).week(CHILD, MONDAY)
    mark = week.days[0].lessons[0].marks[0]
    assert (mark.value, mark.comment, mark.is_dot) == (None, "зч", False)


async def test_a_mark_with_neither_lesson_nor_date_is_left_out() -> None:
    marks = recorded("marks_year_2026.json")
    for mark in marks["json"][:3]:
        mark.update(lesson=None, lesson_str=None, date=None)
    found = await signed_in(varied(marks)).marks(CHILD)
    assert len(found) == len(marks["json"]) - 3


async def test_a_subgroups_lessons_join_the_week_saturday_included() -> None:
    subgroup = 1000002222444
    context = recorded("users_me_context.json")
    context["json"]["children"][0]["eduGroups"].append(
        {
            "id": subgroup,
            "id_str": str(subgroup),
            "parentIds": [int(GROUP)],
            "type": "Subgroup",
            "name": "7Б, английский, 1 группа",
            "studyyear": 2026,
            "subjects": [{"id": 1000003015, "name": "Английский язык (доп.)"}],
        }
    )
    lesson = copy.deepcopy(recorded("lessons_week_2026-12-07.json")["json"][3])
    lesson.update(
        id=1299999999,
        id_str="1299999999",
        date="2026-12-12T00:00:00",
        number=2,
        group=subgroup,
        works=[],
        title="Speaking club",
    )
    lesson["subject"].update(id=1000003015, id_str="1000003015", name="Английский язык (доп.)")
    saturday = {
        "method": "GET",
        "url": f"{HOST}/v2/edu-groups/{subgroup}/lessons/2026-12-07/2026-12-13",
        "json": [lesson],
    }
    week = await signed_in(varied(context, saturday)).week(CHILD, MONDAY)
    assert [d.date for d in week.days][-1] == dt.date(2026, 12, 12)
    (club,) = week.days[5].lessons
    assert (club.id, club.subject.name, club.topic, club.teacher.full_name) == (
        "1299999999",
        "Английский язык (доп.)",
        "Speaking club",
        "Орлова Анна Дмитриевна",
    )
    assert club.starts_at == dt.datetime(2026, 12, 12, 9, 20, tzinfo=SCHOOL_TZ)
    assert [len(d.lessons) for d in week.days[:5]] == [6, 6, 7, 5, 6]


async def test_an_error_answered_in_place_of_the_data_is_a_refusal() -> None:
    failed = {
        "method": "GET",
        "url": WEEK_MARKS,
        "json": {"type": "apiServerError", "description": "Internal error"},
    }
    with pytest.raises(ClientError) as caught:
        await signed_in(varied(failed)).week(CHILD, MONDAY)
    assert type(caught.value) is ClientError
    assert caught.value.code == "refused"
    assert caught.value.message == "Дневник.ру refused the marks: Internal error"
