"""What every real diary's client shares: errors in our terms, lenient answers, the raw
answer kept blanked, recorded answers served, and the mapping helpers."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

from ediary_tui.client import locations
from ediary_tui.client.cache import OfflineCache
from ediary_tui.client.capabilities import Can
from ediary_tui.client.credentials import CredentialStore
from ediary_tui.client.errors import NotLoggedIn, ServerUnreachable, UnknownAnswer, Unsupported
from ediary_tui.client.providers import PROVIDERS, provider_class
from ediary_tui.client.providers.base import (
    Answer,
    ProviderClient,
    attendance_of,
    category_of,
    control_form,
)
from ediary_tui.client.providers.raw import BLANK, blank, keep_raw
from ediary_tui.client.providers.replay import Recording, ReplayError, answer_from
from ediary_tui.client.service import OUR_SERVER, ServiceInfo, SignInMethod
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import AttendanceCode, Category, Role, User

HOST = "https://diary.example"


class Profile(Answer):
    id: int
    name: str
    grade: int | None = None


class TinyClient(ProviderClient):
    """A provider of one call, to try what the base does with the answers it gets."""

    info: ClassVar[ServiceInfo] = ServiceInfo(
        "tiny", "Tiny", sign_in=(SignInMethod.TOKEN,), capabilities=frozenset(), read_only=True
    )
    default_host = HOST

    async def who_am_i(self) -> User:
        data = await self.get_json(f"{self.host}/me", what="who you are")
        me = self.parse(Profile, data, what="who you are")
        return User(id=str(me.id), login=str(me.id), full_name=me.name, roles=[Role.STUDENT])


def tiny(handler: httpx.MockTransport | None = None, **answers: object) -> TinyClient:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/me":
            return httpx.Response(200, json=answers.get("me", {"id": 7, "name": "Ирина Котова"}))
        return httpx.Response(404)

    return TinyClient(transport=handler or httpx.MockTransport(answer), token="t0k")


class TestAnswers:
    async def test_a_field_the_service_added_is_ignored(self) -> None:
        client = tiny(me={"id": 7, "name": "Ирина Котова", "new_field": {"x": 1}})
        user = await client.me()
        assert (user.id, user.full_name) == ("7", "Ирина Котова")

    async def test_an_answer_of_a_shape_this_version_does_not_know_is_kept_blanked(
        self, home: Path
    ) -> None:
        client = tiny(me={"person": {"id": 7, "name": "Ирина Котова", "phone": "+7 916 123-45-67"}})
        with pytest.raises(UnknownAnswer) as caught:
            await client.me()
        saved = Path(caught.value.saved_to or "")
        assert str(caught.value) == (
            "Tiny answered who you are in a form this version does not know; the answer, "
            f"personal data blanked, is kept for a report in {saved}"
        )
        assert saved.parent == locations.reports_dir()
        text = saved.read_text("utf-8")
        assert "Котова" not in text and "916" not in text
        assert '"name": "***"' in text and '"id": 7' in text
        assert stat.S_IMODE(saved.stat().st_mode) == 0o600

    async def test_an_answer_that_is_not_json_is_an_unknown_answer(self) -> None:
        def html(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, text="<html>Технические работы</html>")

        with pytest.raises(UnknownAnswer):
            await tiny(httpx.MockTransport(html)).me()


class TestErrors:
    @pytest.mark.parametrize("status", [500, 502, 503])
    async def test_a_server_error_is_the_service_unreachable(self, status: int) -> None:
        client = tiny(httpx.MockTransport(lambda r: httpx.Response(status)))
        with pytest.raises(ServerUnreachable):
            await client.me()

    async def test_no_connection_is_the_service_unreachable(self) -> None:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

        with pytest.raises(ServerUnreachable) as caught:
            await tiny(httpx.MockTransport(refuse)).me()
        assert caught.value.code == "unreachable"

    async def test_a_401_is_an_expired_sign_in(self) -> None:
        client = tiny(httpx.MockTransport(lambda r: httpx.Response(401, json={})))
        with pytest.raises(NotLoggedIn) as caught:
            await client.me()
        assert caught.value.code == "token_expired"

    async def test_a_token_the_service_refuses_is_said_so_and_not_kept(self) -> None:
        client = tiny(httpx.MockTransport(lambda r: httpx.Response(401, json={})))
        with pytest.raises(NotLoggedIn) as caught:
            await client.login_with_token("pasted")
        assert caught.value.code == "token_refused"
        assert client.token is None

    async def test_what_the_service_has_no_call_for_is_unsupported(self) -> None:
        client = tiny()
        with pytest.raises(Unsupported):
            await client.absence_notices("7")
        assert (await client.threads()).threads == []
        assert await client.announcements("7") == []


class TestSession:
    @pytest.fixture
    def session(self) -> DiarySession:
        return DiarySession(tiny(), CredentialStore(), OfflineCache())

    async def test_a_pasted_token_is_kept_and_the_user_known(self, session: DiarySession) -> None:
        result = await session.login_token("  pasted-token\n")
        assert result.token == "pasted-token"
        assert session.user is not None and session.user.full_name == "Ирина Котова"
        assert CredentialStore().load(HOST) == ("7", "pasted-token")

    async def test_a_write_to_a_read_only_service_is_refused_before_any_call(
        self, session: DiarySession
    ) -> None:
        with pytest.raises(Unsupported) as caught:
            await session.send(lambda api: api.sign_week("7", None))  # type: ignore[arg-type]
        assert str(caught.value) == "Tiny is read only in this app"

    def test_the_session_says_what_the_service_can_do(self, session: DiarySession) -> None:
        assert not session.can(Can.SIGN_WEEK)
        assert session.info.read_only
        assert OUR_SERVER.can(Can.SIGN_WEEK) and not OUR_SERVER.read_only


class TestBlanking:
    def test_people_and_secrets_are_blanked_the_shape_kept(self) -> None:
        data = {
            "last_name": "Котова",
            "marks": [{"value": "5", "weight": 2, "comment": "молодец", "subject_name": "Алгебра"}],
            "teacher": {"id": 3, "first_name": "Анна"},
            "note": "пишите на anna@school.ru или +7 (916) 123-45-67",
            "auth_token": "secret",
            "is_point": True,
        }
        assert blank(data) == {
            "last_name": BLANK,
            "marks": [{"value": "5", "weight": 2, "comment": BLANK, "subject_name": "Алгебра"}],
            "teacher": {"id": BLANK, "first_name": BLANK},
            "note": f"пишите на {BLANK} или {BLANK}",
            "auth_token": BLANK,
            "is_point": True,
        }

    def test_the_address_loses_its_secrets(self, tmp_path: Path) -> None:
        path = keep_raw(
            "eljur",
            "the diary",
            "https://x.eljur.ru/apiv3/getdiary?devkey=abc&auth_token=zzz&student=12",
            "not json",
            folder=tmp_path,
        )
        assert path is not None
        first_lines = path.read_text("utf-8").splitlines()[:2]
        assert first_lines == [
            "eljur: the diary",
            f"https://x.eljur.ru/apiv3/getdiary?devkey={BLANK}&auth_token={BLANK}&student=12",
        ]


class TestReplay:
    def recording(self, tmp_path: Path) -> Path:
        (tmp_path / "replay.toml").write_text(
            'provider = "tiny"\ntoday = 2026-12-07\nlogin = "kotova"\n', "utf-8"
        )
        answers = [
            {"url": f"{HOST}/me", "json": {"id": 1, "name": "any"}},
            {"url": f"{HOST}/me", "query": {"who": "2"}, "json": {"id": 2, "name": "two"}},
            {
                "method": "POST",
                "url": f"{HOST}/login",
                "body_has": {"login": "locked"},
                "status": 423,
                "json": {"error": "locked"},
            },
        ]
        for i, answer in enumerate(answers):
            (tmp_path / f"{i}.json").write_text(json.dumps(answer), "utf-8")
        return tmp_path

    async def test_the_most_specific_recording_answers(self, tmp_path: Path) -> None:
        recording = Recording.load(self.recording(tmp_path))
        assert (recording.provider, recording.login, str(recording.today)) == (
            "tiny",
            "kotova",
            "2026-12-07",
        )
        async with httpx.AsyncClient(transport=recording.transport()) as http:
            assert (await http.get(f"{HOST}/me")).json()["id"] == 1
            assert (await http.get(f"{HOST}/me", params={"who": "2", "x": "y"})).json()["id"] == 2
            locked = await http.post(f"{HOST}/login", data={"login": "locked", "password": "p"})
            assert locked.status_code == 423
            other = await http.post(f"{HOST}/login", data={"login": "kotova"})
            assert other.status_code == 404
            assert "no recorded answer for POST" in other.json()["replay"]

    async def test_an_answer_given_in_a_test_comes_first(self, tmp_path: Path) -> None:
        recording = Recording.load(self.recording(tmp_path)).with_answers(
            answer_from({"url": f"{HOST}/me", "json": {"id": 9, "name": "nine"}})
        )
        async with httpx.AsyncClient(transport=recording.transport()) as http:
            assert (await http.get(f"{HOST}/me")).json()["id"] == 9

    def test_a_folder_that_is_no_recording_says_what_is_missing(self, tmp_path: Path) -> None:
        with pytest.raises(ReplayError) as caught:
            Recording.load(tmp_path)
        assert str(caught.value) == f"{tmp_path} is not a recording: it has no replay.toml"


class TestMapping:
    def test_a_service_weight_is_rounded_half_up_to_our_whole_weights(self) -> None:
        assert control_form("Контрольная работа", 1.5).weight == 2
        assert control_form("Ответ на уроке", None).weight == 1
        assert control_form(None, 2).name == "Работа на уроке"

    @pytest.mark.parametrize(
        ("name", "category"),
        [
            ("Контрольная работа", Category.TEST),
            ("Самостоятельная работа", Category.INDEPENDENT),
            ("Домашняя работа", Category.HOMEWORK),
            ("Ответ на уроке", Category.CLASSWORK),
        ],
    )
    def test_the_kind_of_work_comes_from_its_name(self, name: str, category: Category) -> None:
        assert category_of(name) == category

    def test_absence_letters(self) -> None:
        assert attendance_of("Н") == AttendanceCode.ABSENT
        assert attendance_of("б") == AttendanceCode.ILL
        assert attendance_of("ОП") == AttendanceCode.LATE
        assert attendance_of("5") is None


class TestRegistry:
    def test_every_provider_is_a_read_only_client_with_its_name(self) -> None:
        for name in PROVIDERS:
            cls = provider_class(name)
            assert cls.info.name == name
            assert cls.info.read_only
            assert not cls.info.can(Can.SIGN_WEEK)
            assert not cls.info.can(Can.JOURNAL)
            assert cls.info.sign_in
