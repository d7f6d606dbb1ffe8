"""ElJur's client: `apiv3` reads of a child's diary, marks, mail and the school's board.

Every call carries the application's `devkey`, the school's `vendor`,
`out_format=json` and (once signed in) `auth_token`; every answer is wrapped in
`{"response": {"state", "error", "result"}}`, so refusals are read from the
wrapper, not only from the HTTP status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, TypeVar

import httpx

from ediary_tui.client.capabilities import Can
from ediary_tui.client.errors import ClientError, NotFound, NotLoggedIn
from ediary_tui.client.service import ServiceInfo, SignInMethod
from ediary_tui.domain.models import (
    Announcement,
    Homework,
    LoginResult,
    Mark,
    Period,
    ReportCard,
    Thread,
    ThreadList,
    User,
    Week,
)

from ..base import Answer, ProviderClient, propose, with_settings
from . import answers as a
from . import mapping
from .sign_in import expires_at, refusal

R = TypeVar("R", bound=Answer)

_TOKEN_WORDS = ("токен", "token", "авториз", "сесси")
MAIL_LIMIT = 50  # letters of the inbox read at once


def _about_token(error: str | None) -> bool:
    low = (error or "").lower()
    return any(word in low for word in _TOKEN_WORDS)


class EljurClient(ProviderClient):
    """ElJur, read only: the diary, marks, homework, final marks, mail and the board."""

    info: ClassVar[ServiceInfo] = ServiceInfo(
        name="eljur",
        title="ЭлЖур",
        sign_in=(SignInMethod.PASSWORD, SignInMethod.TOKEN),
        capabilities=frozenset({Can.MESSAGES, Can.ANNOUNCEMENTS}),
        read_only=True,
        token_help="provider.eljur.token_help",
    )
    default_host: ClassVar[str] = "https://api.eljur.ru"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._login = ""
        self._rules: a.Rules | None = None

    # --- the calls ------------------------------------------------------------------

    def url(self, method: str) -> str:
        return f"{self.host}/apiv3/{method}"

    def params(self, **extra: Any) -> dict[str, Any]:
        """What every call carries, and the call's own parameters."""
        return {
            "devkey": self.devkey,
            "vendor": self.vendor,
            "out_format": "json",
            "auth_token": self.token,
            **extra,
        }

    def token_refused(self, response: httpx.Response) -> bool:
        """A 401, or a 403 whose wrapper says the token is the matter."""
        if response.status_code == 401:
            return True
        try:
            error = (response.json().get("response") or {}).get("error")
        except (ValueError, AttributeError):
            return False
        return _about_token(error)

    def envelope(self, response: httpx.Response, what: str) -> a.Envelope.Response:
        data = self.json_of(response, what=what)
        return self.parse(a.Envelope, data, what=what, url=str(response.url)).response

    async def result(self, method: str, model: type[R], what: str, **params: Any) -> R:
        """A signed-in read's `result`, as `model`; refusals in our terms."""
        response = await self.call("GET", self.url(method), params=self.params(**params))
        if response.status_code == 404:
            raise NotFound(f"{self.info.title} has no {what} here", code="not_found", status=404)
        wrapped = self.envelope(response, what)
        if wrapped.state == 401 or (wrapped.state != 200 and _about_token(wrapped.error)):
            raise NotLoggedIn(
                "the service no longer accepts the saved sign-in; sign in again",
                code="token_expired",
                status=wrapped.state,
            )
        if not response.is_success or wrapped.state != 200 or wrapped.error:
            raise ClientError(
                f"{self.info.title} refused {what}: {wrapped.error or wrapped.state}",
                code="refused",
                status=wrapped.state,
            )
        # ElJur (PHP) writes an empty record as `[]`.
        data = {} if wrapped.result in ([], None) else wrapped.result
        return self.parse(model, data, what=what, url=str(response.url))

    async def by_student(
        self, method: str, model: type[R], what: str, student_id: str, **params: Any
    ) -> R | None:
        """A per-student read: the asked student's part of `students`."""
        wrapper: type[a.ByStudents[R]] = a.ByStudents[model]  # type: ignore[valid-type]
        found = await self.result(method, wrapper, what, student=student_id, **params)
        part: R | None = found.of(student_id)
        return part

    # --- signing in -----------------------------------------------------------------

    async def login(self, login: str, password: str) -> LoginResult:
        """`auth` with the login and password; the token it gives, and whose it is."""
        response = await self.call(
            "POST",
            self.url("auth"),
            params=self.params(auth_token=None),
            form={"login": login, "password": password},
            signed_in=False,
        )
        wrapped = self.envelope(response, "sign-in")
        if not response.is_success or wrapped.state != 200 or wrapped.error:
            raise refusal(
                wrapped.state if wrapped.state != 200 else response.status_code, wrapped.error
            )
        auth = self.parse(a.AuthResult, wrapped.result, what="sign-in", url=str(response.url))
        self.token = auth.token
        self._login = login
        self._me = None
        try:
            user = await self.me()
        except BaseException:
            self.token = None
            raise
        return self.signed_in(auth.token, user, expires_at(auth.expires))

    async def who_am_i(self) -> User:
        self._rules = await self.result("getrules", a.Rules, "who you are")
        return mapping.user_of(self._rules, self._login)

    async def logout(self) -> None:
        await super().logout()
        self._rules = None

    # --- reads ----------------------------------------------------------------------

    def today(self) -> dt.date:
        return self.clock().date()

    async def week(self, student_id: str, start: dt.date) -> Week:
        await self.me()
        monday = start - dt.timedelta(days=start.weekday())
        days = mapping.days_param(monday, monday + dt.timedelta(days=6))
        record = await self.by_student(
            "getdiary", a.DiaryRecord, "the diary", student_id, days=days, rings="yes"
        )
        return with_settings(mapping.week_of(record, student_id, monday))

    async def periods(self, student_id: str) -> list[Period]:
        record = await self.by_student("getperiods", a.PeriodsRecord, "the periods", student_id)
        return mapping.periods_of(record)

    async def _span(
        self, student_id: str, first: dt.date | None, last: dt.date | None
    ) -> tuple[dt.date, dt.date]:
        """The asked days, the school year's where a bound is not given."""
        if first is not None and last is not None:
            return first, last
        periods = await self.periods(student_id)
        year = self.today().year if self.today().month >= 9 else self.today().year - 1
        start = periods[0].starts_on if periods else dt.date(year, 9, 1)
        end = periods[-1].ends_on if periods else dt.date(year + 1, 6, 30)
        return first or start, last or end

    async def marks(
        self,
        student_id: str,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        subject_id: str | None = None,
    ) -> list[Mark]:
        await self.me()
        first, last = await self._span(student_id, from_, to)
        record = await self.by_student(
            "getmarks",
            a.MarksRecord,
            "the marks",
            student_id,
            days=mapping.days_param(first, last),
        )
        return [
            m
            for m in mapping.subject_marks(record, student_id)
            if first <= m.date <= last and (subject_id is None or m.subject_id == subject_id)
        ]

    async def homework(
        self, student_id: str, *, from_: dt.date | None = None, to: dt.date | None = None
    ) -> list[Homework]:
        await self.me()
        first, last = await self._span(student_id, from_, to)
        record = await self.by_student(
            "gethomework",
            a.HomeworkRecord,
            "the homework",
            student_id,
            days=mapping.days_param(first, last),
        )
        return mapping.homework_list(record, first, last)

    async def report_card(self, student_id: str, year: int | None = None) -> ReportCard:
        """Periods, ElJur's and our averages per period so far, and the final marks."""
        await self.me()
        periods = await self.periods(student_id)
        card_year = periods[0].starts_on.year if periods else self.today().year
        if year is not None and year != card_year:
            # getperiods answers the current school year only.
            return ReportCard(student_id=student_id, year=year, periods=[], subjects=[])
        today = self.today()
        by_period: dict[str, a.MarksRecord | None] = {}
        for period in periods:
            if period.starts_on <= today:
                by_period[period.id] = await self.by_student(
                    "getmarks",
                    a.MarksRecord,
                    "the marks",
                    student_id,
                    days=mapping.days_param(period.starts_on, period.ends_on),
                )
        finals = None
        if periods:
            finals = await self.by_student(
                "getfinalassessments",
                a.FinalAssessmentsRecord,
                "the final marks",
                student_id,
                days=mapping.days_param(periods[0].starts_on, periods[-1].ends_on),
            )
        card = mapping.report_card(student_id, card_year, periods, by_period, finals)
        return propose(card.model_copy(update={"years": [card_year]}))

    # --- mail and the board ---------------------------------------------------------

    async def threads(self) -> ThreadList:
        me = await self.me()
        record = await self.result(
            "getmessages",
            a.MessagesRecord,
            "the letters",
            folder="inbox",
            unreadonly="no",
            limit=MAIL_LIMIT,
            page=1,
        )
        return mapping.thread_list(record, me)

    async def thread(self, thread_id: str) -> Thread:
        me = await self.me()
        record = await self.result(
            "getmessageinfo", a.MessageInfoRecord, "the letter", id=thread_id
        )
        return mapping.thread_of(record, me)

    async def announcements(
        self, student_id: str | None = None, *, limit: int | None = None
    ) -> list[Announcement]:
        await self.me()
        record = await self.result(
            "getboardnotices", a.NoticesRecord, "the notices", limit=limit, page=1
        )
        return mapping.announcements(record, self.vendor or self.host)
