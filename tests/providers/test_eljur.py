"""ElJur's provider on its recording (examples/eljur): sign-in, the reads, and change."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from ediary_tui.client.capabilities import Can
from ediary_tui.client.errors import (
    ClientError,
    NotFound,
    NotLoggedIn,
    ServerUnreachable,
    UnknownAnswer,
    Unsupported,
)
from ediary_tui.client.providers.base import SCHOOL_TZ
from ediary_tui.client.providers.eljur.client import EljurClient
from ediary_tui.client.providers.replay import Recording, answer_from
from ediary_tui.domain.models import AttendanceCode, Category, Role

from .conftest import EXAMPLES

FOLDER = EXAMPLES / "eljur"
API = "https://api.eljur.ru/apiv3/"
CHILD = "48213"
NOON = dt.datetime(2026, 12, 7, 12, 0, tzinfo=SCHOOL_TZ)
MONDAY = dt.date(2026, 12, 7)


def recording() -> Recording:
    return Recording.load(FOLDER)


def client(
    rec: Recording | None = None,
    *,
    token: str | None = "t0ken",
    transport: httpx.AsyncBaseTransport | None = None,
) -> EljurClient:
    return EljurClient(
        transport=transport or (rec or recording()).transport(),
        token=token,
        devkey="k3y-secret",
        vendor="school12",
        clock=lambda: NOON,
    )


def recorded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FOLDER / name).read_text("utf-8"))
    return data


def changed(name: str, change: Any) -> Recording:
    """The recording with one answer changed by `change(result)`."""
    data = copy.deepcopy(recorded(name))
    change(data["json"]["response"]["result"])
    return recording().with_answers(answer_from(data, name=name))


def child_of(result: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = result["students"][CHILD]
    return found


# --- the recording and the service --------------------------------------------------------


def test_the_recording_is_eljurs() -> None:
    rec = recording()
    assert (rec.provider, rec.today, rec.login) == ("eljur", MONDAY, "sokolova")
    info = EljurClient.info
    assert info.name == "eljur" and info.read_only
    assert info.capabilities == frozenset({Can.MESSAGES, Can.ANNOUNCEMENTS})
    assert EljurClient.default_host == "https://api.eljur.ru"


async def test_every_call_carries_devkey_vendor_and_the_token() -> None:
    seen: list[httpx.Request] = []
    rec = recording()

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return rec.handle(request)

    c = EljurClient(
        "https://lyceum.eljur.ru/",
        transport=httpx.MockTransport(handle),
        token="t0ken",
        devkey="devkey",
        vendor="lyceum",
        clock=lambda: NOON,
    )
    with pytest.raises(NotFound):  # the recording is of api.eljur.ru
        await c.me()
    params = dict(seen[0].url.params)
    assert str(seen[0].url).startswith("https://lyceum.eljur.ru/apiv3/getrules?")
    assert params == {
        "devkey": "devkey",
        "vendor": "lyceum",
        "out_format": "json",
        "auth_token": "t0ken",
    }


# --- signing in -----------------------------------------------------------------------------


async def test_sign_in_gives_the_token_its_end_and_the_parent_with_the_child() -> None:
    c = client(token=None)
    result = await c.login("sokolova", "demo")
    assert result.token == "9f3c2b7e5a1d4c8b6e0f2a9d7c5b3e1f"
    assert result.expires_at == dt.datetime(2026, 12, 21, 18, 40, tzinfo=SCHOOL_TZ)
    user = result.user
    assert (user.id, user.login, user.full_name) == (
        "48190",
        "sokolova",
        "Соколова Ольга Викторовна",
    )
    assert user.roles == [Role.PARENT]
    assert [(k.id, k.full_name, k.class_name, k.school_name) for k in user.children] == [
        ("48213", "Соколов Артём", "7Б", "МБОУ СОШ № 12")
    ]
    assert c.token == result.token


@pytest.mark.parametrize(
    ("login", "password", "code", "message"),
    [
        ("sokolova", "wrong", "wrong_credentials", "Неверный логин или пароль"),
        ("nobody", "demo", "wrong_credentials", "Неверный логин или пароль"),
        (
            "locked",
            "demo",
            "temporarily_locked",
            "Слишком много неудачных попыток входа. Вход временно заблокирован на 15 минут",
        ),
        (
            "noattempts",
            "demo",
            "no_attempts_left",
            "Попыток входа не осталось. Восстановите пароль через администратора школы",
        ),
    ],
)
async def test_each_refusal_of_sign_in_has_its_code(
    login: str, password: str, code: str, message: str
) -> None:
    c = client(token=None)
    with pytest.raises(NotLoggedIn) as caught:
        await c.login(login, password)
    assert (caught.value.code, caught.value.message, caught.value.status) == (code, message, 400)
    assert c.token is None


async def test_eljur_sends_no_code() -> None:
    with pytest.raises(Unsupported):
        await client(token=None).submit_code("123456")


async def test_a_pasted_token_is_taken_when_eljur_says_whose_it_is() -> None:
    c = client(token=None)
    result = await c.login_with_token("  pasted-token \n")
    assert result.token == "pasted-token"
    assert result.user.id == "48190"
    assert result.expires_at == NOON + dt.timedelta(days=7)


async def test_a_pasted_token_eljur_refuses_is_refused() -> None:
    c = client(token=None)
    with pytest.raises(NotLoggedIn) as caught:
        await c.login_with_token("expired")
    assert caught.value.code == "token_refused"
    assert c.token is None


async def test_an_expired_token_leads_back_to_sign_in() -> None:
    with pytest.raises(NotLoggedIn) as caught:
        await client(token="expired").week(CHILD, MONDAY)
    assert (caught.value.code, caught.value.status) == ("token_expired", 403)


async def test_a_401_on_a_read_is_an_expired_token() -> None:
    rec = recording().with_answers(
        answer_from(
            {
                "url": API + "getdiary",
                "query": {"student": CHILD, "days": "20261207-20261213", "rings": "yes"},
                "status": 401,
                "json": {"response": {}},
            }
        )
    )
    with pytest.raises(NotLoggedIn) as caught:
        await client(rec).week(CHILD, MONDAY)
    assert caught.value.code == "token_expired"


async def test_a_student_is_their_own_child() -> None:
    def student(result: dict[str, Any]) -> None:
        result.update(
            id="48213",
            name="48213",
            title="Соколов Артём Андреевич",
            roles=["student"],
            relations={
                "students": [],
                "groups": {"7Б": {"name": "7Б", "rel": "homeclass", "parallel": 7}},
                "schools": [{"title": "МБОУ СОШ № 12"}],
            },
        )

    user = await client(changed("getrules.json", student)).me()
    assert (user.id, user.roles) == ("48213", [Role.STUDENT])
    assert [(k.id, k.full_name, k.class_name) for k in user.children] == [
        ("48213", "Соколов Артём Андреевич", "7Б")
    ]


# --- the week -------------------------------------------------------------------------------


async def test_the_week_has_its_lessons_with_times_rooms_topics_and_teachers() -> None:
    week = await client().week(CHILD, dt.date(2026, 12, 9))
    assert (week.student_id, week.start, week.end) == (CHILD, MONDAY, dt.date(2026, 12, 11))
    assert [len(d.lessons) for d in week.days] == [6, 7, 5, 6, 6]
    first = week.days[0].lessons[0]
    assert (first.id, first.number, first.subject.name, first.room) == (
        "2026120701",
        1,
        "Алгебра",
        "21",
    )
    assert first.starts_at == dt.datetime(2026, 12, 7, 8, 30, tzinfo=SCHOOL_TZ)
    assert first.ends_at == dt.datetime(2026, 12, 7, 9, 10, tzinfo=SCHOOL_TZ)
    assert first.topic == "Линейная функция и её график"
    assert (first.teacher.id, first.teacher.full_name) == (
        "Кузнецова Марина Петровна",
        "Кузнецова Марина Петровна",
    )
    sport = week.days[0].lessons[5]
    assert (sport.subject.name, sport.room, sport.number) == ("Физическая культура", "сп/з", 6)
    assert sport.starts_at.time() == dt.time(13, 0)


async def test_the_weeks_marks_have_value_weight_and_control_form() -> None:
    week = await client().week(CHILD, MONDAY)
    monday = week.days[0].lessons
    russian = monday[1].marks
    assert [(m.id, m.value, m.is_dot, m.comment) for m in russian] == [
        ("20261207-2026120702-1", 5, False, "Молодец!")
    ]
    form = russian[0].control_form
    assert (form.name, form.weight, form.category) == (
        "Проверочная работа",
        2,
        Category.INDEPENDENT,
    )
    mark = russian[0]
    assert (mark.lesson_id, mark.student_id, mark.subject_id, mark.date) == (
        "2026120702",
        CHILD,
        "Русский язык",
        MONDAY,
    )
    assert mark.created_at == dt.datetime(2026, 12, 7, 9, 20, tzinfo=SCHOOL_TZ)
    assert mark.teacher.full_name == "Белова Татьяна Николаевна"


async def test_late_is_attendance_not_a_mark() -> None:
    algebra = (await client().week(CHILD, MONDAY)).days[0].lessons[0]
    assert algebra.attendance is AttendanceCode.LATE
    assert [(m.id, m.value) for m in algebra.marks] == [("20261207-2026120701-2", 4)]


async def test_an_absence_and_a_two_part_mark_in_the_week_before() -> None:
    week = await client().week(CHILD, dt.date(2026, 11, 30))
    social = week.days[3].lessons[2]
    assert (social.subject.name, social.attendance, social.marks) == (
        "Обществознание",
        AttendanceCode.ABSENT,
        [],
    )
    algebra = week.days[2].lessons[1]
    assert [(m.id, m.value, m.control_form.weight) for m in algebra.marks] == [
        ("20261202-2026120202-1-1", 3, 2),
        ("20261202-2026120202-1-2", 5, 2),
    ]
    assert algebra.marks[0].control_form.category is Category.TEST
    days_with_marks = [d.date.day for d in week.days if any(lesson.marks for lesson in d.lessons)]
    assert days_with_marks == [30, 1, 2, 3, 4]


async def test_eljur_has_no_dots() -> None:
    week = await client().week(CHILD, dt.date(2026, 11, 30))
    marks = [m for d in week.days for lesson in d.lessons for m in lesson.marks]
    assert len(marks) == 10
    assert not any(m.is_dot for m in marks)


async def test_the_weeks_homework() -> None:
    week = await client().week(CHILD, MONDAY)
    algebra = week.days[0].lessons[0]
    assert [(h.id, h.text, h.required, h.date, h.lesson_id) for h in algebra.homework] == [
        ("77108", "№ 430, 432, 435", True, MONDAY, "2026120701")
    ]
    assert algebra.homework[0].created_at == dt.datetime(2026, 12, 7, 8, 30, tzinfo=SCHOOL_TZ)
    informatics = week.days[1].lessons[5]
    assert [h.text for h in informatics.homework] == [
        "(индивидуально) Презентация о системах счисления (по желанию)"
    ]


# --- the report card, marks, homework, progress ----------------------------------------


async def test_the_report_card_has_the_quarters_both_averages_and_the_quarter_mark() -> None:
    card = await client().report_card(CHILD)
    assert (card.year, card.years) == (2026, [2026])
    assert [(p.id, p.name, p.kind, p.number, p.starts_on, p.ends_on) for p in card.periods] == [
        ("I", "I четверть", "quarter", 1, dt.date(2026, 9, 1), dt.date(2026, 10, 25)),
        ("II", "II четверть", "quarter", 2, dt.date(2026, 11, 5), dt.date(2026, 12, 29)),
        ("III", "III четверть", "quarter", 3, dt.date(2027, 1, 12), dt.date(2027, 3, 22)),
        ("IV", "IV четверть", "quarter", 4, dt.date(2027, 4, 1), dt.date(2027, 5, 31)),
    ]
    algebra = next(s for s in card.subjects if s.id == "Алгебра")
    first, second, third, _ = algebra.periods
    assert (first.average, first.service_average, first.mark, first.marks_count) == (
        4.09,
        4.09,
        4,
        9,
    )
    # "3/5" is two marks to us, one 4 to ElJur: the averages differ.
    assert (second.average, second.service_average, second.mark, second.marks_count) == (
        4.45,
        4.56,
        None,
        7,
    )
    assert (third.average, third.service_average, third.marks_count) == (None, None, 0)
    social = next(s for s in card.subjects if s.id == "Обществознание")
    assert (social.periods[1].absences, social.periods[1].average) == (1, 4.6)
    assert algebra.year_mark is None


async def test_a_subjects_marks() -> None:
    marks = await client().marks(
        CHILD, from_=dt.date(2026, 11, 5), to=dt.date(2026, 12, 29), subject_id="Алгебра"
    )
    assert [(m.id, m.value, m.control_form.weight, m.control_form.name) for m in marks] == [
        ("20261106-2026110601-1", 4, 1, "Ответ на уроке"),
        ("20261118-2026111802-1", 5, 2, "Контрольная работа"),
        ("20261127-2026112701-1", 5, 2, "Контрольная работа"),
        ("20261130-2026113001-1", 5, 1, "Ответ на уроке"),
        ("20261202-2026120202-1-1", 3, 2, "Контрольная работа"),
        ("20261202-2026120202-1-2", 5, 2, "Контрольная работа"),
        ("20261207-2026120701-2", 4, 1, "Ответ на уроке"),
    ]
    assert {m.subject_id for m in marks} == {"Алгебра"}


async def test_the_marks_of_some_days_only() -> None:
    marks = await client().marks(CHILD, from_=MONDAY, to=MONDAY)
    assert [(m.subject_id, m.value) for m in marks] == [
        ("Алгебра", 4),
        ("История", 4),
        ("Русский язык", 5),
        ("Физика", 3),
    ]


async def test_homework_of_the_week() -> None:
    found = await client().homework(CHILD, from_=MONDAY, to=dt.date(2026, 12, 13))
    assert len(found) == 9
    assert [(h.date, h.subject.name, h.text) for h in found[:2]] == [
        (MONDAY, "Алгебра", "№ 430, 432, 435"),
        (MONDAY, "История", "§ 10, пересказ"),
    ]
    assert found[0].created_at == dt.datetime(2026, 12, 7, 8, 0, tzinfo=SCHOOL_TZ)
    assert all(h.required for h in found)


async def test_progress_from_the_years_marks() -> None:
    progress = await client().progress(CHILD, period_id="II")
    assert (progress.starts_on, progress.ends_on) == (dt.date(2026, 11, 5), dt.date(2026, 12, 29))
    algebra = next(s for s in progress.subjects if s.subject.id == "Алгебра")
    assert [p.value for p in algebra.points] == [4, 5, 5, 5, 3, 5, 4]
    assert algebra.average == 4.45  # 49 / 11, rounded half up as the report card rounds
    assert algebra.points[-1].average == 4.45


# --- mail and the board ---------------------------------------------------------------------


async def test_the_letters_are_conversations_of_one_message() -> None:
    c = client()
    found = await c.threads()
    assert found.unread_total == 1
    assert [(t.id, t.subject, t.unread, t.correspondent.full_name) for t in found.threads] == [
        ("902341", "Родительское собрание 10 декабря", 1, "Белова Татьяна Николаевна"),
        ("902118", "Контрольная по алгебре", 0, "Кузнецова Марина Петровна"),
        ("901877", "Экскурсия в музей", 0, "Белова Татьяна Николаевна"),
    ]
    assert found.threads[0].student.full_name == "Соколов Артём"
    letter = await c.thread("902118")
    assert [(m.id, m.mine, m.author.id) for m in letter.messages] == [("902118", False, "31002")]
    assert letter.messages[0].body.startswith("Артём написал контрольную на 3/5")
    assert letter.created_at == dt.datetime(2026, 12, 2, 15, 40, tzinfo=SCHOOL_TZ)


async def test_the_board() -> None:
    found = await client().announcements()
    assert [(n.id, n.title, n.author.full_name, n.created_at.date()) for n in found] == [
        ("5521", "Новогодний концерт", "Павлова Наталья Сергеевна", dt.date(2026, 12, 4)),
        ("5498", "Зимние каникулы", "Павлова Наталья Сергеевна", dt.date(2026, 11, 25)),
    ]
    assert found[0].school_id == "school12"


async def test_what_eljur_has_no_call_for() -> None:
    c = client()
    with pytest.raises(Unsupported):
        await c.absence_notices(CHILD)
    with pytest.raises(Unsupported):
        await c.journal("7Б", "Алгебра")


# --- change ---------------------------------------------------------------------------------


async def test_an_unknown_field_is_ignored() -> None:
    def extra(result: dict[str, Any]) -> None:
        lesson = child_of(result)["days"]["20261207"]["items"]["1"]
        lesson["new_in_2027"] = {"anything": [1, 2]}
        lesson["assessments"][1]["mood"] = "😊"
        result["unknown_top"] = True

    before = await client().week(CHILD, MONDAY)
    after = await client(changed("getdiary_20261207.json", extra)).week(CHILD, MONDAY)
    assert after == before


async def test_a_missing_optional_field_degrades() -> None:
    def strip(result: dict[str, Any]) -> None:
        lesson = child_of(result)["days"]["20261207"]["items"]["1"]
        for key in ("room", "teacher", "topic", "starttime", "endtime", "homework"):
            del lesson[key]
        del lesson["assessments"][1]["weight"]
        del lesson["assessments"][1]["weight_float"]

    week = await client(changed("getdiary_20261207.json", strip)).week(CHILD, MONDAY)
    algebra = week.days[0].lessons[0]
    assert (algebra.room, algebra.topic, algebra.homework) == (None, None, [])
    assert (algebra.teacher.id, algebra.teacher.full_name) == ("", "")
    assert algebra.starts_at == dt.datetime(2026, 12, 7, 8, 0, tzinfo=SCHOOL_TZ)
    assert algebra.ends_at == dt.datetime(2026, 12, 7, 8, 40, tzinfo=SCHOOL_TZ)
    assert [(m.value, m.control_form.weight) for m in algebra.marks] == [(4, 1)]


async def test_a_missing_average_leaves_elJurs_number_out() -> None:
    def strip(result: dict[str, Any]) -> None:
        for subject in child_of(result)["lessons"]:
            del subject["average"]

    card = await client(changed("getmarks_q2.json", strip)).report_card(CHILD)
    algebra = next(s for s in card.subjects if s.id == "Алгебра")
    assert (algebra.periods[1].average, algebra.periods[1].service_average) == (4.45, None)


async def test_empty_answers_are_empty_screens() -> None:
    def empty(name: str, method: str, query: dict[str, str]) -> Any:
        return answer_from(
            {
                "url": API + method,
                "query": query,
                "json": {"response": {"state": 200, "error": None, "result": []}},
            },
            name=name,
        )

    rec = recording().with_answers(
        empty("inbox", "getmessages", {"folder": "inbox"}),
        empty("board", "getboardnotices", {}),
        empty("periods", "getperiods", {"student": CHILD}),
    )
    c = client(rec)
    assert (await c.threads()).threads == []
    assert await c.announcements() == []
    card = await c.report_card(CHILD)
    assert (card.year, card.periods, card.subjects) == (2026, [], [])


async def test_a_changed_answer_is_unknown_and_kept_blanked(home: Path) -> None:
    def rename(result: dict[str, Any]) -> None:
        for item in child_of(result)["days"]["20261207"]["items"].values():
            item["subject"] = item.pop("name")

    with pytest.raises(UnknownAnswer) as caught:
        await client(changed("getdiary_20261207.json", rename)).week(CHILD, MONDAY)
    saved = Path(str(caught.value.saved_to))
    assert caught.value.message == (
        "ЭлЖур answered the diary in a form this version does not know; the answer, "
        f"personal data blanked, is kept for a report in {saved}"
    )
    assert saved.is_relative_to(home)
    text = saved.read_text("utf-8")
    assert "Линейная функция" in text  # the shape and the values a fix needs stay
    for name in ("Соколов", "Кузнецова", "Белова", "t0ken", "k3y-secret"):
        assert name not in text


async def test_an_answer_that_is_not_json_is_unknown() -> None:
    rec = recording().with_answers(
        answer_from(
            {
                "url": API + "getperiods",
                "query": {"student": CHILD},
                "text": "<html>Технические работы</html>",
            }
        )
    )
    with pytest.raises(UnknownAnswer):
        await client(rec).report_card(CHILD)


async def test_another_refusal_is_a_client_error_not_a_crash() -> None:
    rec = recording().with_answers(
        answer_from(
            {
                "url": API + "gethomework",
                "query": {"student": CHILD},
                "status": 400,
                "json": {"response": {"state": 400, "error": "Неверный период", "result": {}}},
            }
        )
    )
    with pytest.raises(ClientError) as caught:
        await client(rec).homework(CHILD, from_=MONDAY, to=MONDAY)
    assert (caught.value.code, caught.value.status) == ("refused", 400)


async def test_the_service_unreachable() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    with pytest.raises(ServerUnreachable) as caught:
        await client(transport=httpx.MockTransport(down)).week(CHILD, MONDAY)
    assert caught.value.code == "unreachable"


async def test_a_server_error_is_unreachable() -> None:
    rec = recording().with_answers(answer_from({"url": API + "getrules", "status": 502}))
    with pytest.raises(ServerUnreachable) as caught:
        await client(rec).week(CHILD, MONDAY)
    assert caught.value.code == "server_error"
