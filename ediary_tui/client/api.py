"""DiaryClient: API v1 of the school server as typed async methods.

One object owns one `httpx.AsyncClient`. Answers are parsed into the domain's
pydantic models, failures into the few exceptions of `errors`, so no screen
ever sees a status code. The transport is injectable: the embedded school and
the tests run the real server in-process through `httpx.ASGITransport`.

Retries are bounded and only where repeating cannot do harm: GET, PUT and
DELETE, and a POST that carries an Idempotency-Key (the server answers a
repeated key with the first result; a retry sends the very same body, as the
key is bound to it: another body with the key is `KeyReused`). They happen on a lost connection, a
timeout, and 502/503/504, which is what a proxy in front of a restarting
server says.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import random
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from ediary_tui.client.service import OUR_SERVER
from ediary_tui.domain.models import (
    AbsenceNotice,
    AbsenceNoticeIn,
    AbsenceNoticeList,
    AdminClass,
    AdminClassList,
    Announcement,
    AnnouncementIn,
    AnnouncementList,
    AttendanceCode,
    AttendanceOut,
    BehaviourNote,
    BehaviourNoteIn,
    ChangeFeed,
    ClassDesk,
    ClassFamilies,
    ClassList,
    ClassMembers,
    ClassTeacherIn,
    ClassTimetable,
    CredentialsIn,
    DayChanges,
    ErrorBody,
    Health,
    Homework,
    HomeworkIn,
    HomeworkList,
    HomeworkPatch,
    IssuedCredentials,
    Journal,
    LessonChanged,
    LessonChangeIn,
    LessonOut,
    LessonPatch,
    LinkIn,
    LoginResult,
    Mark,
    MarkHistory,
    MarkIn,
    MarkPatch,
    MarksPage,
    MeetingList,
    Message,
    OneTimePassword,
    ParentMeeting,
    ParentMeetingIn,
    ParentMeetingPatch,
    PeopleFound,
    PeriodMarkIn,
    PeriodMarkOut,
    PersonCard,
    PersonIn,
    Progress,
    ReportCard,
    Signature,
    SlotIn,
    StaffList,
    SubjectList,
    TeacherDay,
    TeacherList,
    TeacherRef,
    TeacherWeek,
    Thread,
    ThreadIn,
    ThreadList,
    Unlocked,
    User,
    Week,
    YearMarkIn,
    YearMarkOut,
)

from .errors import (
    ClientError,
    Conflict,
    Invalid,
    KeyReused,
    NotAllowed,
    NotFound,
    NotLoggedIn,
    PasswordChangeRequired,
    ServerUnreachable,
    Throttled,
    Unsupported,
)

API = "/api/v1"
USER_AGENT = "ediary-tui/0.1"
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({502, 503, 504})
# The server may be slow, never silent: connecting to it should not take long.
CONNECT_TIMEOUT = 5.0
# Issuing a class's passwords hashes each one (argon2, a fifth of a second or so):
# a class with its parents takes longer than an ordinary call may.
ISSUE_TIMEOUT = 120.0

M = TypeVar("M", bound=BaseModel)
Params = Mapping[str, str | int | bool | None]


def _seg(value: str) -> str:
    """An id as one path segment: ids are opaque, so nothing in them may split the path."""
    return quote(value, safe="")


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _retry_after(response: httpx.Response) -> int:
    """Seconds from Retry-After, which may be a number or an HTTP date; at least 1."""
    raw = response.headers.get("Retry-After", "").strip()
    if raw.isdigit():
        return max(1, int(raw))
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return 1
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(1, int((when - dt.datetime.now(dt.UTC)).total_seconds() + 0.999))


class DiaryClient:
    """The school server's API v1; use as `async with DiaryClient(url) as client:`."""

    info = OUR_SERVER  # our own server: every sign-in step and capability is ours

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        token: str | None = None,
        timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.2,
    ) -> None:
        self.server = base_url.rstrip("/")
        self.token = token
        self.retries = max(0, retries)
        self.backoff = backoff
        self._transport = transport
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT))
        self._http: httpx.AsyncClient | None = None

    def __repr__(self) -> str:
        return f"DiaryClient({self.server!r}, logged_in={self.token is not None})"

    @property
    def http(self) -> httpx.AsyncClient:
        """The httpx client, made on first use: building TLS contexts costs start-up time."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self.server,
                transport=self._transport,
                timeout=self._timeout,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            )
        return self._http

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections (and the injected transport with them)."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        elif self._transport is not None:
            await self._transport.aclose()

    # --- the one path every call takes ----------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one call (with bounded retries where safe); a 2xx response or an exception."""
        method = method.upper()
        headers: dict[str, str] = {}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        query = {k: v for k, v in (params or {}).items() if v is not None}
        wait = (
            self._timeout
            if timeout is None
            else httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT))
        )
        safe_to_repeat = method in IDEMPOTENT_METHODS or idempotency_key is not None
        attempts = 1 + (self.retries if safe_to_repeat else 0)
        for attempt in range(attempts):
            if attempt:
                # Exponential backoff with jitter, so clients that lost the same server
                # do not all come back in the same millisecond.
                await asyncio.sleep(self.backoff * 2 ** (attempt - 1) * random.uniform(0.5, 1.0))
            last = attempt == attempts - 1
            try:
                response = await self.http.request(
                    method, path, params=query, json=json, headers=headers, timeout=wait
                )
            except httpx.TimeoutException as exc:
                if last:
                    raise ServerUnreachable(
                        f"{self.server} did not answer in time", code="timeout"
                    ) from exc
                continue
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                if last:
                    raise ServerUnreachable(
                        f"cannot reach {self.server}: {exc or type(exc).__name__}",
                        code="unreachable",
                    ) from exc
                continue
            except httpx.TransportError as exc:  # a bad scheme, a proxy refusing: no use repeating
                raise ServerUnreachable(
                    f"cannot reach {self.server}: {exc or type(exc).__name__}", code="unreachable"
                ) from exc
            if response.is_success:
                return response
            if response.status_code in RETRY_STATUSES and not last:
                continue
            raise self._error(response)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _error(self, response: httpx.Response) -> ClientError:
        """The exception for a non-2xx answer, carrying the server's message and field."""
        status = response.status_code
        code: str | None = None
        field: str | None = None
        message = f"{self.server} answered {status} {response.reason_phrase}".rstrip()
        try:
            detail = ErrorBody.model_validate_json(response.content).error
        except ValidationError:
            pass
        else:
            code, message, field = detail.code, detail.message, detail.field
        if status == 401:
            return NotLoggedIn(message, code=code or "not_logged_in", status=status)
        if status == 403:
            if code == "must_change_password":
                return PasswordChangeRequired(message, code=code, status=status)
            return NotAllowed(message, code=code, status=status)
        if status == 404:
            return NotFound(message, code=code, status=status)
        if status == 409:
            return Conflict(message, code=code, status=status, field=field)
        if status == 429:
            return Throttled(message, retry_after=_retry_after(response), code=code or "throttled")
        if status >= 500:
            return ServerUnreachable(message, code=code or "server_error", status=status)
        if status == 422 and code == "idempotency_key_reused":
            return KeyReused(message, code=code, status=status, field=field)
        if status in (400, 413, 422):
            return Invalid(message, code=code, status=status, field=field)
        return ClientError(message, code=code, status=status)

    def _parse(self, model: type[M], response: httpx.Response) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ClientError(
                f"{self.server} sent an answer this version cannot read: "
                f"{exc.error_count()} problem(s) in {model.__name__}",
                code="bad_response",
                status=response.status_code,
            ) from None

    async def _get(self, model: type[M], path: str, params: Params | None = None) -> M:
        return self._parse(model, await self.request("GET", API + path, params=params))

    async def _send(
        self,
        method: str,
        model: type[M],
        path: str,
        json: Any,
        *,
        idempotency_key: str | None = None,
        timeout: float | None = None,
    ) -> M:
        """`method` with a JSON body to the API's `path`; the answer read as `model`."""
        response = await self.request(
            method, API + path, json=json, idempotency_key=idempotency_key, timeout=timeout
        )
        return self._parse(model, response)

    async def _create(
        self,
        model: type[M],
        path: str,
        json: Any,
        idempotency_key: str | None,
        *,
        timeout: float | None = None,
    ) -> M:
        """POST something new; without a key one is made, so a retry cannot make it twice."""
        key = idempotency_key or str(uuid.uuid4())
        return await self._send("POST", model, path, json, idempotency_key=key, timeout=timeout)

    async def _patch(self, model: type[M], path: str, patch: BaseModel) -> M:
        """Change the fields set in `patch` (fields left unset stay as they are)."""
        body = patch.model_dump(mode="json", exclude_unset=True)
        return await self._send("PATCH", model, path, body)

    # --- auth and identity --------------------------------------------------------------

    async def health(self) -> bool:
        """Whether the server answers its health check (False when it cannot be reached)."""
        try:
            response = await self.request("GET", "/healthz")
        except ServerUnreachable:
            return False
        return self._parse(Health, response).status == "ok"

    async def login(self, login: str, password: str) -> LoginResult:
        """Log in; the token is kept on this client for the calls that follow."""
        response = await self.request(
            "POST", f"{API}/auth/login", json={"login": login, "password": password}
        )
        result = self._parse(LoginResult, response)
        self.token = result.token
        return result

    async def submit_code(self, code: str) -> LoginResult:
        raise Unsupported("the school server sends no one-time code")

    async def login_with_token(self, token: str) -> LoginResult:
        raise Unsupported("the school server signs in with a login and password")

    async def logout(self) -> None:
        """Revoke the token on the server; an already dead token is no error."""
        try:
            if self.token is not None:
                await self.request("POST", f"{API}/auth/logout")
        except NotLoggedIn:
            pass
        finally:
            self.token = None

    async def change_password(self, old: str, new: str) -> None:
        """Replace the password; the server revokes the user's other tokens."""
        await self.request(
            "POST", f"{API}/auth/password", json={"old_password": old, "new_password": new}
        )

    async def me(self) -> User:
        return await self._get(User, "/me")

    # --- the diary ----------------------------------------------------------------------

    async def week(self, student_id: str, start: dt.date) -> Week:
        """The whole weekly diary in one call; `start` may be any day of the week."""
        return await self._get(Week, f"/students/{_seg(student_id)}/week", {"start": _day(start)})

    async def sign_week(self, student_id: str, monday: dt.date) -> Signature:
        """A parent signs a week (signing again returns the first signature)."""
        path = f"{API}/students/{_seg(student_id)}/week/{monday.isoformat()}/signature"
        return self._parse(Signature, await self.request("POST", path))

    async def report_card(self, student_id: str, year: int | None = None) -> ReportCard:
        return await self._get(
            ReportCard, f"/students/{_seg(student_id)}/report-card", {"year": year}
        )

    async def marks(
        self,
        student_id: str,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        subject_id: str | None = None,
    ) -> list[Mark]:
        """Marks in date order, for charts."""
        params = {"from": _day(from_), "to": _day(to), "subject_id": subject_id}
        page = await self._get(MarksPage, f"/students/{_seg(student_id)}/marks", params)
        return page.marks

    async def progress(
        self, student_id: str, *, period_id: str | None = None, year: int | None = None
    ) -> Progress:
        """Marks and the running average per subject, with the class average from the server.

        Over one period, one school year (the calendar year it starts in), or by
        default the current period; not both.
        """
        params = {"period_id": period_id, "year": year}
        return await self._get(Progress, f"/students/{_seg(student_id)}/progress", params)

    async def homework(
        self,
        student_id: str,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        subject_id: str | None = None,
        required: bool | None = None,
    ) -> list[Homework]:
        params: dict[str, str | None] = {
            "from": _day(from_),
            "to": _day(to),
            "subject_id": subject_id,
            "required": None if required is None else str(required).lower(),
        }
        found = await self._get(HomeworkList, f"/students/{_seg(student_id)}/homework", params)
        return found.homework

    async def set_homework_done(self, student_id: str, homework_id: str, done: bool) -> Homework:
        path = f"/students/{_seg(student_id)}/homework/{_seg(homework_id)}/done"
        return await self._send("PUT", Homework, path, {"done": done})

    async def absence_notices(self, student_id: str) -> list[AbsenceNotice]:
        found = await self._get(AbsenceNoticeList, f"/students/{_seg(student_id)}/absence-notices")
        return found.notices

    async def create_absence_notice(
        self, student_id: str, notice: AbsenceNoticeIn, *, idempotency_key: str | None = None
    ) -> AbsenceNotice:
        """Give a notice; without a key one is made, so a retry cannot give it twice."""
        path = f"/students/{_seg(student_id)}/absence-notices"
        body = notice.model_dump(mode="json", by_alias=True, exclude_none=True)
        return await self._create(AbsenceNotice, path, body, idempotency_key)

    async def withdraw_absence_notice(self, student_id: str, notice_id: str) -> None:
        path = f"{API}/students/{_seg(student_id)}/absence-notices/{_seg(notice_id)}"
        await self.request("DELETE", path)

    # --- the journal --------------------------------------------------------------------

    async def journal(
        self, class_id: str, subject_id: str, period_id: str | None = None
    ) -> Journal:
        params = {"class_id": class_id, "subject_id": subject_id, "period_id": period_id}
        return await self._get(Journal, "/journal", params)

    async def teacher_day(self, day: dt.date | None = None) -> TeacherDay:
        """The caller's lessons on `day` (the server's today by default), in bell order."""
        return await self._get(TeacherDay, "/timetable/teacher", {"date": _day(day)})

    async def create_mark(self, mark: MarkIn, *, idempotency_key: str | None = None) -> Mark:
        """Put a mark; without a key one is made, so a retry cannot put it twice."""
        body = mark.model_dump(mode="json", exclude_none=True)
        return await self._create(Mark, "/marks", body, idempotency_key)

    async def update_mark(self, mark_id: str, patch: MarkPatch) -> Mark:
        """Change the fields set in `patch` (fields left unset stay as they are)."""
        return await self._patch(Mark, f"/marks/{_seg(mark_id)}", patch)

    async def delete_mark(self, mark_id: str) -> None:
        await self.request("DELETE", f"{API}/marks/{_seg(mark_id)}")

    async def mark_history(self, mark_id: str) -> MarkHistory:
        return await self._get(MarkHistory, f"/marks/{_seg(mark_id)}/history")

    async def set_attendance(
        self, lesson_id: str, student_id: str, code: AttendanceCode | None
    ) -> AttendanceOut:
        path = f"/lessons/{_seg(lesson_id)}/attendance/{_seg(student_id)}"
        code_value = None if code is None else AttendanceCode(code).value
        return await self._send("PUT", AttendanceOut, path, {"code": code_value})

    async def update_lesson(self, lesson_id: str, patch: LessonPatch) -> LessonOut:
        return await self._patch(LessonOut, f"/lessons/{_seg(lesson_id)}", patch)

    async def add_homework(
        self, lesson_id: str, hw: HomeworkIn, *, idempotency_key: str | None = None
    ) -> Homework:
        """Set homework; repeated only when the caller gave an Idempotency-Key."""
        path, body = f"/lessons/{_seg(lesson_id)}/homework", hw.model_dump(mode="json")
        return await self._send("POST", Homework, path, body, idempotency_key=idempotency_key)

    async def update_homework(self, homework_id: str, patch: HomeworkPatch) -> Homework:
        return await self._patch(Homework, f"/homework/{_seg(homework_id)}", patch)

    async def delete_homework(self, homework_id: str) -> None:
        await self.request("DELETE", f"{API}/homework/{_seg(homework_id)}")

    async def set_period_mark(self, pm: PeriodMarkIn) -> PeriodMarkOut:
        """Set a period mark; `expected_set_at` goes only when set (None: "I saw no mark")."""
        body = pm.model_dump(mode="json", exclude_unset=True)
        return await self._send("PUT", PeriodMarkOut, "/period-marks", body)

    async def set_year_mark(self, ym: YearMarkIn) -> YearMarkOut:
        """Set (or, with a null value, remove) a year mark: the year's last period only."""
        return await self._send("PUT", YearMarkOut, "/year-marks", ym.model_dump(mode="json"))

    # --- changes ------------------------------------------------------------------------

    async def changes(self, since: str | None, *, after: dt.datetime | None = None) -> ChangeFeed:
        """What changed since the cursor, oldest first; without one, since `after` (or
        nothing, only the cursor to start from)."""
        params = {"since": since, "after": after.isoformat() if after is not None else None}
        return await self._get(ChangeFeed, "/changes", params)

    # --- announcements and messages -------------------------------------------------------

    async def announcements(
        self, student_id: str | None = None, *, limit: int | None = None
    ) -> list[Announcement]:
        """The school's and the class's announcements, newest first (one child's with an id)."""
        found = await self._get(
            AnnouncementList, "/announcements", {"student_id": student_id, "limit": limit}
        )
        return found.announcements

    async def create_announcement(
        self, body: AnnouncementIn, *, idempotency_key: str | None = None
    ) -> Announcement:
        """Announce to a class (or, for the admin, the school); a key as for `reply`."""
        json = body.model_dump(mode="json")
        return await self._create(Announcement, "/announcements", json, idempotency_key)

    async def threads(self) -> ThreadList:
        """The caller's conversations, most recently active first, with unread counts."""
        return await self._get(ThreadList, "/threads")

    async def thread(self, thread_id: str) -> Thread:
        """One conversation with its messages; reading it marks it read on the server."""
        return await self._get(Thread, f"/threads/{_seg(thread_id)}")

    async def reply(
        self, thread_id: str, body: str, *, idempotency_key: str | None = None
    ) -> Message:
        """Write in a conversation; without a key one is made, so a retry cannot send it twice."""
        path = f"/threads/{_seg(thread_id)}/messages"
        return await self._create(Message, path, {"body": body}, idempotency_key)

    async def start_thread(self, thread: ThreadIn, *, idempotency_key: str | None = None) -> Thread:
        """Start a conversation about a child with its first message (a key as for `reply`)."""
        body = thread.model_dump(mode="json", exclude_none=True)
        return await self._create(Thread, "/threads", body, idempotency_key)

    async def teachers(self, student_id: str) -> list[TeacherRef]:
        """Whom a family may write to about the child: its class's teachers, with subjects."""
        found = await self._get(TeacherList, "/teachers", {"student_id": student_id})
        return found.teachers

    # --- classes, families and first-login credentials (staff) -----------------------------

    async def classes(self) -> ClassList:
        """The classes whose journal the caller may open, each with the subjects they may."""
        return await self._get(ClassList, "/classes")

    async def families(self, class_id: str) -> ClassFamilies:
        """A class's students with their parents; logins only for who hands them out."""
        return await self._get(ClassFamilies, f"/classes/{_seg(class_id)}/families")

    async def issue_credentials(
        self, class_id: str, body: CredentialsIn, *, idempotency_key: str | None = None
    ) -> IssuedCredentials:
        """New one-time passwords for a class's families; a key (made if not given) makes a
        retry return the same passwords instead of resetting everyone again."""
        path, json = f"/classes/{_seg(class_id)}/credentials", body.model_dump(mode="json")
        timeout = max(ISSUE_TIMEOUT, self._timeout.read or 0.0)
        return await self._create(IssuedCredentials, path, json, idempotency_key, timeout=timeout)

    # --- the class teacher's desk, parent meetings, the teacher's week ------------------------

    async def desk(self, class_id: str | None = None, start: dt.date | None = None) -> ClassDesk:
        """A class teacher's week of their class (the first they lead without `class_id`)."""
        return await self._get(ClassDesk, "/desk", {"class_id": class_id, "start": _day(start)})

    async def set_behaviour_note(
        self, student_id: str, monday: dt.date, note: str | None
    ) -> BehaviourNote:
        """The class teacher's note on a student's week; None or blank clears it."""
        path = f"/students/{_seg(student_id)}/behaviour-note"
        body = BehaviourNoteIn(monday=monday, note=note).model_dump(mode="json")
        return await self._send("PUT", BehaviourNote, path, body)

    async def meetings(self, student_id: str) -> MeetingList:
        """The upcoming parent meetings of the child's class."""
        return await self._get(MeetingList, f"/students/{_seg(student_id)}/meetings")

    async def create_meeting(
        self, class_id: str, meeting: ParentMeetingIn, *, idempotency_key: str | None = None
    ) -> ParentMeeting:
        """Call a parent meeting; a key (made if not given) makes a retry call it once."""
        path, body = f"/classes/{_seg(class_id)}/meetings", meeting.model_dump(mode="json")
        return await self._create(ParentMeeting, path, body, idempotency_key)

    async def update_meeting(self, meeting_id: str, patch: ParentMeetingPatch) -> ParentMeeting:
        return await self._patch(ParentMeeting, f"/meetings/{_seg(meeting_id)}", patch)

    async def cancel_meeting(self, meeting_id: str) -> None:
        await self.request("DELETE", f"{API}/meetings/{_seg(meeting_id)}")

    async def teacher_week(self, start: dt.date | None = None) -> TeacherWeek:
        """The caller's lessons in the week of `start`, with the day's changes and the bells."""
        return await self._get(TeacherWeek, "/timetable/teacher/week", {"start": _day(start)})

    # --- the school's administration (its admin only) -------------------------------------

    async def search_people(self, query: str, *, limit: int | None = None) -> PeopleFound:
        """People of the school whose login starts with, or whose name holds, `query`."""
        return await self._get(PeopleFound, "/admin/people", {"q": query, "limit": limit})

    async def person(self, person_id: str) -> PersonCard:
        return await self._get(PersonCard, f"/admin/people/{_seg(person_id)}")

    async def create_person(
        self, person: PersonIn, *, idempotency_key: str | None = None
    ) -> OneTimePassword:
        """A student, parent or teacher; a key (made if not given) makes a retry return the
        same person and password rather than a second person."""
        body = person.model_dump(mode="json", exclude_none=True)
        return await self._create(OneTimePassword, "/admin/people", body, idempotency_key)

    async def link_child(
        self, person_id: str, link: LinkIn, *, idempotency_key: str | None = None
    ) -> PersonCard:
        path = f"/admin/people/{_seg(person_id)}/children"
        return await self._create(PersonCard, path, link.model_dump(mode="json"), idempotency_key)

    async def unlink_child(self, person_id: str, child_id: str) -> PersonCard:
        path = f"/admin/people/{_seg(person_id)}/children/{_seg(child_id)}"
        return self._parse(PersonCard, await self.request("DELETE", API + path))

    async def reset_password(
        self, person_id: str, *, idempotency_key: str | None = None
    ) -> OneTimePassword:
        """A new one-time password (argon2 on the server: the issue timeout)."""
        path = f"/admin/people/{_seg(person_id)}/password"
        timeout = max(ISSUE_TIMEOUT, self._timeout.read or 0.0)
        return await self._create(OneTimePassword, path, None, idempotency_key, timeout=timeout)

    async def unlock(self, person_id: str, *, idempotency_key: str | None = None) -> Unlocked:
        path = f"/admin/people/{_seg(person_id)}/unlock"
        return await self._create(Unlocked, path, None, idempotency_key)

    async def admin_classes(self) -> AdminClassList:
        return await self._get(AdminClassList, "/admin/classes")

    async def class_members(self, class_id: str) -> ClassMembers:
        return await self._get(ClassMembers, f"/admin/classes/{_seg(class_id)}/members")

    async def set_class_teacher(self, class_id: str, teacher_id: str | None) -> AdminClass:
        body = ClassTeacherIn(teacher_id=teacher_id).model_dump(mode="json")
        return await self._send("PUT", AdminClass, f"/admin/classes/{_seg(class_id)}/teacher", body)

    async def class_timetable(self, class_id: str) -> ClassTimetable:
        return await self._get(ClassTimetable, f"/admin/classes/{_seg(class_id)}/timetable")

    async def set_slot(
        self, class_id: str, weekday: int, number: int, slot: SlotIn
    ) -> ClassTimetable:
        """Put a lesson in one slot of a class's week (its lessons follow from today)."""
        path = f"/admin/classes/{_seg(class_id)}/timetable/{weekday}/{number}"
        return await self._send("PUT", ClassTimetable, path, slot.model_dump(mode="json"))

    async def clear_slot(self, class_id: str, weekday: int, number: int) -> ClassTimetable:
        path = f"/admin/classes/{_seg(class_id)}/timetable/{weekday}/{number}"
        return self._parse(ClassTimetable, await self.request("DELETE", API + path))

    async def admin_subjects(self) -> SubjectList:
        return await self._get(SubjectList, "/admin/subjects")

    async def admin_teachers(self) -> StaffList:
        return await self._get(StaffList, "/admin/teachers")

    async def day_changes(self, day: dt.date | None = None) -> DayChanges:
        return await self._get(DayChanges, "/admin/timetable/changes", {"date": _day(day)})

    async def change_lesson(
        self, change: LessonChangeIn, *, idempotency_key: str | None = None
    ) -> LessonChanged:
        body = change.model_dump(mode="json", exclude_none=True)
        return await self._create(LessonChanged, "/admin/timetable/changes", body, idempotency_key)
