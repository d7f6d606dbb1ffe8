"""What every real diary's client shares: HTTP with errors in our terms, answers read
leniently, sign-in by token, and the reads such services do not have.

A provider (`mos`, `dnevnik`, `eljur`) subclasses `ProviderClient`, declares its
`info` (name, sign-in, capabilities) and answers the reads of `DiaryService`
by calling the service and mapping its answers onto our models. The session
uses it exactly as it uses our own server's `DiaryClient`.

Robust to change, by construction: answers are read into the provider's own
lenient models (`Answer`: unknown fields ignored, optional fields optional);
an answer that still cannot be read raises `UnknownAnswer` after the raw text,
personal data blanked, is kept for a bug report (`raw.keep_raw`). The screen
then says so and keeps showing its saved copy.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from zoneinfo import ZoneInfo

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from ediary_tui.client.errors import (
    ClientError,
    NotLoggedIn,
    ServerUnreachable,
    UnknownAnswer,
    Unsupported,
)
from ediary_tui.client.service import ServiceInfo
from ediary_tui.clock import Clock, local_now
from ediary_tui.domain.marks import Scored, proposed_mark, round_average, weighted_average
from ediary_tui.domain.models import (
    AbsenceNotice,
    Announcement,
    AttendanceCode,
    Category,
    ClassList,
    ControlForm,
    Journal,
    LoginResult,
    Mark,
    Progress,
    ProgressPoint,
    ProgressSubject,
    ReportCard,
    SchoolSettings,
    TeacherDay,
    TeacherRef,
    Thread,
    ThreadList,
    User,
    Week,
)

from . import raw

A = TypeVar("A", bound=BaseModel)

USER_AGENT = "ediary-tui (read-only client)"
TOKEN_DAYS = 7  # how long a pasted token is taken to last when the service does not say


class Answer(BaseModel):
    """Base of a service's answer models: fields it adds are ignored, never an error."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class ProviderClient:
    """A read-only client of one real diary service, with our server's client's shape."""

    info: ClassVar[ServiceInfo]
    default_host: ClassVar[str]

    def __init__(
        self,
        host: str | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        token: str | None = None,
        devkey: str | None = None,
        vendor: str | None = None,
        label: str | None = None,
        clock: Clock | None = None,
        raw_dir: Path | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.host = (host or self.default_host).rstrip("/")
        # The name the session keeps the token and the saved copies under.
        self.server = label or self.host
        self.token = token
        self.devkey = devkey
        self.vendor = vendor
        self.clock: Clock = clock or local_now
        self.raw_dir = raw_dir
        self._transport = transport
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None
        self._me: User | None = None
        self._me_lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.server!r}, logged_in={self.token is not None})"

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                transport=self._transport,
                timeout=httpx.Timeout(self._timeout, connect=5.0),
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                follow_redirects=False,
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        elif self._transport is not None:
            await self._transport.aclose()

    # --- the one path every call takes ------------------------------------------------

    async def call(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        signed_in: bool = True,
    ) -> httpx.Response:
        """One call; the response whatever its status, except what always means the same:

        no connection or a 5xx is `ServerUnreachable`; a 401 on a signed-in call is
        `NotLoggedIn` (the token expired). Sign-in calls (`signed_in=False`) read
        their own 4xx answers, as each service says "wrong password" its own way.
        """
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            response = await self.http.request(
                method, url, params=query, headers=dict(headers or {}), json=json_body, data=form
            )
        except httpx.TimeoutException as exc:
            raise ServerUnreachable(f"{self.host} did not answer in time", code="timeout") from exc
        except httpx.TransportError as exc:
            raise ServerUnreachable(
                f"cannot reach {self.host}: {exc or type(exc).__name__}", code="unreachable"
            ) from exc
        if response.status_code >= 500:
            raise ServerUnreachable(
                f"{self.host} answered {response.status_code}", code="server_error"
            )
        if signed_in and response.status_code in (401, 403) and self.token_refused(response):
            raise NotLoggedIn(
                "the service no longer accepts the saved sign-in; sign in again",
                code="token_expired",
                status=response.status_code,
            )
        return response

    def token_refused(self, response: httpx.Response) -> bool:
        """Whether a 401/403 means the token is no good (a service may use 403 for other things)."""
        return response.status_code == 401

    async def get_json(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        what: str,
    ) -> Any:
        """A signed-in GET's JSON; any status other than 2xx is an error named after `what`."""
        response = await self.call("GET", url, params=params, headers=headers)
        if response.status_code == 404:
            from ediary_tui.client.errors import NotFound

            raise NotFound(f"{self.info.title} has no {what} here", code="not_found", status=404)
        if not response.is_success:
            raise ClientError(
                f"{self.info.title} refused {what}: {response.status_code}",
                code="refused",
                status=response.status_code,
            )
        return self.json_of(response, what=what)

    def json_of(self, response: httpx.Response, *, what: str) -> Any:
        """The response's JSON, or `UnknownAnswer` (kept, blanked) when it is not JSON."""
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise self.unknown(what, response.text, str(response.url)) from None

    def parse(self, model: type[A], data: Any, *, what: str, url: str = "") -> A:
        """`data` read as the provider's answer model, or `UnknownAnswer` (the raw kept)."""
        try:
            return model.model_validate(data)
        except ValidationError:
            text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
            raise self.unknown(what, text, url) from None

    def unknown(self, what: str, text: str, url: str) -> UnknownAnswer:
        """The error for an answer this version cannot read, with the blanked copy kept."""
        saved = raw.keep_raw(self.info.name, what, url, text, folder=self.raw_dir)
        message = f"{self.info.title} answered {what} in a form this version does not know"
        if saved is not None:
            message += f"; the answer, personal data blanked, is kept for a report in {saved}"
        return UnknownAnswer(message, saved_to=str(saved) if saved else None)

    # --- who ---------------------------------------------------------------------------

    async def me(self) -> User:
        """Who the token belongs to, with their children: asked once, then remembered."""
        async with self._me_lock:
            if self._me is None:
                if self.token is None:
                    raise NotLoggedIn("nobody is signed in", code="not_logged_in")
                self._me = await self.who_am_i()
            return self._me

    async def who_am_i(self) -> User:
        """Ask the service who the token belongs to (each provider's own calls)."""
        raise NotImplementedError

    async def login(self, login: str, password: str) -> LoginResult:
        raise Unsupported(f"{self.info.title}: sign in with a token from the browser")

    async def submit_code(self, code: str) -> LoginResult:
        raise Unsupported(f"{self.info.title} sends no one-time code")

    async def login_with_token(self, token: str) -> LoginResult:
        """Take a token copied from the browser; it is good if the service says who it is."""
        self.token = token.strip()
        self._me = None
        try:
            user = await self.me()
        except NotLoggedIn:
            self.token = None
            raise NotLoggedIn(
                "the service does not accept this token; copy it again", code="token_refused"
            ) from None
        except BaseException:
            self.token = None
            raise
        return self.signed_in(self.token, user)

    def signed_in(
        self, token: str, user: User, expires_at: dt.datetime | None = None
    ) -> LoginResult:
        return LoginResult(
            token=token,
            expires_at=expires_at or self.clock() + dt.timedelta(days=TOKEN_DAYS),
            must_change_password=False,
            user=user,
        )

    async def logout(self) -> None:
        """Forget the token here (these services' sessions end on their own)."""
        self.token = None
        self._me = None

    # --- what such services do not have -------------------------------------------------

    def _none(self, what: str) -> Unsupported:
        return Unsupported(f"{self.info.title} has no {what}")

    async def absence_notices(self, student_id: str) -> list[AbsenceNotice]:
        raise self._none("absence notices")

    async def teachers(self, student_id: str) -> list[TeacherRef]:
        return []

    async def journal(
        self, class_id: str, subject_id: str, period_id: str | None = None
    ) -> Journal:
        raise self._none("teacher's journal in this app")

    async def teacher_day(self, day: dt.date | None = None) -> TeacherDay:
        raise self._none("teacher's day in this app")

    async def classes(self) -> ClassList:
        raise self._none("classes to teach in this app")

    async def threads(self) -> ThreadList:
        return ThreadList(threads=[], unread_total=0)

    async def thread(self, thread_id: str) -> Thread:
        raise self._none("conversations")

    async def announcements(
        self, student_id: str | None = None, *, limit: int | None = None
    ) -> list[Announcement]:
        return []

    # --- the progress chart, from the marks (these services have no such call) -------------

    async def progress(
        self, student_id: str, *, period_id: str | None = None, year: int | None = None
    ) -> Progress:
        """The child's marks over a period (or the year) with the running weighted average."""
        card = await self.report_card(student_id, year)  # type: ignore[attr-defined]
        periods = card.periods
        period = next((p for p in periods if p.id == period_id), None)
        if period is not None:
            first, last = period.starts_on, period.ends_on
        elif periods:
            first, last = periods[0].starts_on, periods[-1].ends_on
        else:
            first = dt.date(card.year, 9, 1)
            last = dt.date(card.year + 1, 6, 30)
        marks: list[Mark] = await self.marks(student_id, from_=first, to=last)  # type: ignore[attr-defined]
        return progress_from_marks(student_id, card, marks, first, last, period)


def progress_from_marks(
    student_id: str,
    card: ReportCard,
    marks: list[Mark],
    first: dt.date,
    last: dt.date,
    period: Any,
) -> Progress:
    """The progress chart of `marks`: per subject, each mark with the average after it."""
    names = {s.id: s.name for s in card.subjects}
    by_subject: dict[str, list[Mark]] = {}
    for mark in sorted(marks, key=lambda m: (m.date, m.created_at, m.id)):
        if mark.value is not None and not mark.is_dot:
            by_subject.setdefault(mark.subject_id, []).append(mark)
    subjects: list[ProgressSubject] = []
    from ediary_tui.domain.models import SubjectRef

    for subject_id, found in by_subject.items():
        scored: list[Scored] = []
        points: list[ProgressPoint] = []
        for mark in found:
            assert mark.value is not None
            scored.append(Scored(mark.value, mark.control_form.weight, mark.control_form.category))
            points.append(
                ProgressPoint(
                    mark_id=mark.id,
                    date=mark.date,
                    value=mark.value,
                    weight=mark.control_form.weight,
                    control_form=mark.control_form.code,
                    average=round_average(weighted_average(scored)),
                )
            )
        subjects.append(
            ProgressSubject(
                subject=SubjectRef(id=subject_id, name=names.get(subject_id, subject_id)),
                points=points,
                average=round_average(weighted_average(scored)),
                class_average=None,
            )
        )
    subjects.sort(key=lambda s: s.subject.name)
    return Progress(
        student_id=student_id,
        starts_on=first,
        ends_on=last,
        period=period,
        year=card.year,
        subjects=subjects,
    )


# --- what every provider's mapping needs ------------------------------------------------


def with_settings(week: Week) -> Week:
    """The week with the scale and the kinds of work its marks show (these services publish
    no school settings): what "what do I need" weighs marks with."""
    if week.settings is not None:
        return week
    forms: dict[str, ControlForm] = {}
    for day in week.days:
        for lesson in day.lessons:
            for mark in lesson.marks:
                forms.setdefault(mark.control_form.code, mark.control_form)
    settings = SchoolSettings(control_forms=sorted(forms.values(), key=lambda f: f.weight))
    return week.model_copy(update={"settings": settings})


def propose(card: ReportCard) -> ReportCard:
    """The period mark our arithmetic proposes from our average, as our server gives it
    (the "what do I need" panel and the report card's (4) read it)."""
    subjects = [
        subject.model_copy(
            update={
                "periods": [
                    p.model_copy(update={"proposed": proposed_mark(p.average)})
                    if p.proposed is None
                    else p
                    for p in subject.periods
                ]
            }
        )
        for subject in card.subjects
    ]
    return card.model_copy(update={"subjects": subjects})


_CATEGORY_WORDS: tuple[tuple[Category, tuple[str, ...]], ...] = (
    (Category.TEST, ("контрольн", "итогов", "экзамен", "зачёт", "зачет", "диктант", "test")),
    (Category.INDEPENDENT, ("самостоятельн", "проверочн", "тест", "independent")),
    (Category.HOMEWORK, ("домашн", "homework")),
)


def category_of(control_form: str | None) -> Category:
    """The kind of work a service's control form name says (classwork when it says nothing)."""
    name = (control_form or "").lower()
    for category, words in _CATEGORY_WORDS:
        if any(word in name for word in words):
            return category
    return Category.CLASSWORK


def control_form(name: str | None, weight: float | int | None) -> ControlForm:
    """Our control form for a service's name and weight (weight 1 when it gives none).

    Our weights are whole numbers; a service's 1.5 becomes 2 (half up), said in the README.
    """
    text = (name or "").strip() or "Работа на уроке"
    whole = 1 if weight is None else int(Decimal(str(weight)).to_integral_value(ROUND_HALF_UP))
    return ControlForm(
        code=text.lower(), name=text, weight=max(0, whole), category=category_of(text)
    )


# Absence letters as the services write them.
_ABSENCE_LETTERS: dict[str, AttendanceCode] = {
    "н": AttendanceCode.ABSENT,
    "нп": AttendanceCode.ABSENT,
    "б": AttendanceCode.ILL,
    "бол": AttendanceCode.ILL,
    "у": AttendanceCode.EXCUSED,
    "уп": AttendanceCode.EXCUSED,
    "п": AttendanceCode.EXCUSED,
    "оп": AttendanceCode.LATE,
    "о": AttendanceCode.LATE,
}


def attendance_of(letter: str | None) -> AttendanceCode | None:
    """Our attendance code for a service's letter (н, б, у, оп...); None when it is not one."""
    return _ABSENCE_LETTERS.get((letter or "").strip().lower().rstrip("."))


def week_days(monday: dt.date, lessons_on: set[dt.date]) -> list[dt.date]:
    """Monday to Friday, and Saturday when the child has lessons on it."""
    days = [monday + dt.timedelta(days=i) for i in range(5)]
    saturday = monday + dt.timedelta(days=5)
    return [*days, saturday] if saturday in lessons_on else days


def at_time(day: dt.date, text: str | None, tz: dt.tzinfo, default: dt.time) -> dt.datetime:
    """`day` at a service's "08:30" (or "08:30:00"), in the school's time zone."""
    try:
        clock = dt.time.fromisoformat((text or "").strip()[:8]) if text else default
    except ValueError:
        clock = default
    return dt.datetime.combine(day, clock, tz)


SCHOOL_TZ = ZoneInfo("Europe/Moscow")  # all three services answer in Moscow time
