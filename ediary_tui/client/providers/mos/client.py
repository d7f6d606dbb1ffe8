"""`MosClient`: Moscow's МЭШ read through its family mobile API, with our client's shape."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from ediary_tui.client.errors import ClientError, NotFound, NotLoggedIn, UnknownAnswer
from ediary_tui.client.providers.base import ProviderClient, propose, with_settings
from ediary_tui.client.service import ServiceInfo, SignInMethod
from ediary_tui.domain.models import (
    Homework,
    LoginResult,
    Mark,
    PersonRef,
    ReportCard,
    User,
    Week,
)

from . import answers as a
from . import mapping
from .sign_in import SignIn, token_expiry

MOSCOW = "https://school.mos.ru"
MOSCOW_ACL = "https://dnevnik.mos.ru"  # Moscow's profile_info lives on the older host
DUE_WITHIN = 14  # days after it is set that homework may be due
EVENT_EXPAND = "marks,homework,absence_reason_id,health_status,nonattendance_reason_id"


class MosClient(ProviderClient):
    """Read-only МЭШ: the week from the events calendar, marks, homework, the report card."""

    info: ClassVar[ServiceInfo] = ServiceInfo(
        name="mos",
        title="МЭШ (school.mos.ru)",
        sign_in=(SignInMethod.PASSWORD, SignInMethod.TOKEN),
        capabilities=frozenset(),
        read_only=True,
        token_help="provider.mos.token_help",
    )
    default_host: ClassVar[str] = MOSCOW

    def __init__(self, host: str | None = None, **kwargs: Any) -> None:
        super().__init__(host, **kwargs)
        self._login = ""
        self._profile_id: int | None = None
        self._role = "parent"
        self._children: dict[str, a.Child] = {}
        self._sign_in: SignIn | None = None
        self._teachers: dict[str, dict[str, PersonRef]] = {}

    # --- where things are ----------------------------------------------------------------

    @property
    def mobile(self) -> str:
        """The family mobile API's root (`api.` hosts serve it without the `/api` prefix)."""
        bare = self.host.split("://", 1)[-1]
        return (
            f"{self.host}/family/mobile/v1"
            if bare.startswith("api.")
            else (f"{self.host}/api/family/mobile/v1")
        )

    @property
    def acl(self) -> str:
        return MOSCOW_ACL if self.host == MOSCOW else self.host

    def headers(self, *, profile: bool = True) -> dict[str, str]:
        """What every signed-in call carries: the token, the subsystem and the profile."""
        out = {
            "Authorization": f"Bearer {self.token or ''}",
            "x-mes-subsystem": "familymp",
            "client-type": "diary-mobile",
        }
        if profile and self._profile_id is not None:
            out["profile-id"] = str(self._profile_id)
        return out

    # --- who -----------------------------------------------------------------------------

    async def who_am_i(self) -> User:
        """The profile the token is for (`profile_info`), then its family `profile`."""
        url = f"{self.acl}/acl/api/users/profile_info"
        headers = {**self.headers(profile=False), "partner-source-id": "MOBILE"}
        data = await self.get_json(url, headers=headers, what="profile_info")
        infos = self.parse(a.ProfileInfos, data, what="profile_info", url=url).root
        if not infos:
            raise NotLoggedIn("this mos.ru account has no school diary", code="no_profile")
        info = next((i for i in infos if (i.type or "") in ("parent", "student")), infos[0])
        self._profile_id = info.id
        self._role = "parent" if info.type == "parent" else "student"
        url = f"{self.mobile}/profile"
        data = await self.get_json(url, headers=self.headers(), what="profile")
        family = self.parse(a.FamilyProfile, data, what="profile", url=url)
        self._children = {str(c.id): c for c in family.children or []}
        login = self._login or next(
            (c.sudir_login for c in family.children or [] if c.sudir_login), ""
        )
        return mapping.user_of(info, family, login or str(info.id))

    async def _child(self, student_id: str) -> a.Child:
        await self.me()
        child = self._children.get(student_id)
        if child is None:
            raise NotFound(f"no child {student_id} in this account", code="not_found")
        return child

    # --- signing in ----------------------------------------------------------------------

    async def login(self, login: str, password: str) -> LoginResult:
        """mos.ru's headless password flow; `CodeRequired` when it sends an SMS code."""
        self._login = login.strip()
        self._sign_in = SignIn(self)
        token = await self._sign_in.start(self._login, password)
        return await self._finish(token)

    async def submit_code(self, code: str) -> LoginResult:
        if self._sign_in is None:
            raise NotLoggedIn("sign in with the password first", code="not_logged_in")
        token = await self._sign_in.code(code)
        return await self._finish(token)

    async def _finish(self, token: str) -> LoginResult:
        self._sign_in = None
        self.token = token
        self._me = None
        user = await self.me()
        return self.signed_in(token, user, token_expiry(token))

    async def login_with_token(self, token: str) -> LoginResult:
        """A pasted `aupd_token` (with or without "Bearer "), good if the service says who."""
        text = token.strip()
        text = text[len("bearer ") :] if text.lower().startswith("bearer ") else text
        result = await super().login_with_token(text)
        expires = token_expiry(result.token)
        return result.model_copy(update={"expires_at": expires}) if expires else result

    # --- reads ---------------------------------------------------------------------------

    async def week(self, student_id: str, start: dt.date) -> Week:
        """Monday to Friday (and Saturday with lessons) from the events calendar."""
        child = await self._child(student_id)
        monday = start - dt.timedelta(days=start.weekday())
        if not child.contingent_guid:
            raise ClientError("mos.ru gave no person id for this child", code="refused")
        url = f"{self.host}/api/eventcalendar/v1/api/events"
        params = {
            "person_ids": child.contingent_guid,
            "begin_date": monday.isoformat(),
            "end_date": (monday + dt.timedelta(days=6)).isoformat(),
            "expand": EVENT_EXPAND,
        }
        headers = {**self.headers(), "x-mes-role": self._role}
        data = await self.get_json(url, params=params, headers=headers, what="events")
        events = self.parse(a.Events, data, what="events", url=url)
        sunday = monday + dt.timedelta(days=6)
        homework = await self._homework(student_id, monday, sunday)
        teachers = await self._teachers_of(child)
        return with_settings(mapping.week_of(events, student_id, monday, homework, teachers))

    async def marks(
        self,
        student_id: str,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        subject_id: str | None = None,
    ) -> list[Mark]:
        """Marks in date order from `family/mobile/v1/marks` (the school year when no dates)."""
        child = await self._child(student_id)
        first, last = self._span(from_, to)
        url = f"{self.mobile}/marks"
        params = {"student_id": student_id, "from": first.isoformat(), "to": last.isoformat()}
        data = await self.get_json(url, params=params, headers=self.headers(), what="marks")
        answer = self.parse(a.Marks, data, what="marks", url=url)
        found = mapping.listed_marks(answer, student_id, await self._teachers_of(child))
        return [
            m
            for m in found
            if first <= m.date <= last and (subject_id is None or m.subject_id == subject_id)
        ]

    async def homework(
        self,
        student_id: str,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        subject_id: str | None = None,
        required: bool | None = None,
    ) -> list[Homework]:
        """Homework set between the days (as our diary lists it), from `homeworks/short`."""
        await self._child(student_id)
        first, last = self._span(from_, to)
        found = await self._homework(student_id, first, last)
        return [
            h
            for h in found
            if (subject_id is None or h.subject.id == subject_id)
            and (required is None or h.required == required)
        ]

    async def _homework(self, student_id: str, first: dt.date, last: dt.date) -> list[Homework]:
        """Homework set between the days: the service filters by the day it is due, so
        the days asked run a fortnight past `last` (homework is due at a next lesson)."""
        url = f"{self.mobile}/homeworks/short"
        params = {
            "student_id": student_id,
            "from": first.isoformat(),
            "to": (last + dt.timedelta(days=DUE_WITHIN)).isoformat(),
            "sort_column": "date",
            "sort_direction": "asc",
        }
        data = await self.get_json(url, params=params, headers=self.headers(), what="homework")
        answer = self.parse(a.ShortHomeworks, data, what="homework", url=url)
        found = [h for h in map(mapping.short_homework, answer.payload) if h is not None]
        return sorted((h for h in found if first <= h.date <= last), key=lambda h: (h.date, h.id))

    async def report_card(self, student_id: str, year: int | None = None) -> ReportCard:
        """The current school year's periods and marks from `subject_marks` (no other year)."""
        child = await self._child(student_id)
        url = f"{self.mobile}/subject_marks"
        params = {"student_id": student_id}
        data = await self.get_json(url, params=params, headers=self.headers(), what="report card")
        answer = self.parse(a.SubjectsMarks, data, what="report card", url=url)
        teachers = await self._teachers_of(child)
        card = mapping.report_card_of(answer, student_id, year or self._school_year(), teachers)
        return propose(card)

    async def _teachers_of(self, child: a.Child) -> dict[str, PersonRef]:
        """Who teaches what in the child's class (`school_info`), asked once per child.

        Only names: the calendar and the marks name no teacher. Without the answer the
        diary still shows, with no teachers' names.
        """
        key = str(child.id)
        if key not in self._teachers:
            school = child.school.id if child.school else None
            if school is None or child.class_unit_id is None:
                return {}
            url = f"{self.mobile}/school_info"
            params = {"school_id": school, "class_unit_id": child.class_unit_id}
            try:
                data = await self.get_json(
                    url, params=params, headers=self.headers(), what="school info"
                )
                info = self.parse(a.SchoolInfo, data, what="school info", url=url)
            except (NotFound, UnknownAnswer):
                return {}
            except ClientError as exc:
                if exc.code != "refused":
                    raise
                return {}
            self._teachers[key] = mapping.teachers_of(info)
        return self._teachers[key]

    # --- helpers -------------------------------------------------------------------------

    def _school_year(self) -> int:
        today = self.clock().date()
        return today.year if today.month >= 8 else today.year - 1

    def _span(self, from_: dt.date | None, to: dt.date | None) -> tuple[dt.date, dt.date]:
        """The days asked for; the school year's by default (1 Sept to 31 Aug)."""
        year = self._school_year()
        return from_ or dt.date(year, 9, 1), to or dt.date(year + 1, 8, 31)
