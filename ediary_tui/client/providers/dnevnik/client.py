"""Dnevnik.ru's client: our server's client's reads, answered by the partners' API.

Who is who: `users/me` (the person id), `users/me/context` (schools, classes and
a parent's children). The week is the class's lessons (with their works, the
homework among them), the child's marks (each on a work whose type weighs it)
and the attendance log. The report card is the class's reporting periods, the
final marks, our averages over the marks and the mobile API's own averages.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel

from ediary_tui.client.errors import ClientError, NotFound, NotLoggedIn, Unsupported
from ediary_tui.client.service import ServiceInfo, SignInMethod
from ediary_tui.domain.models import (
    AttendanceCode,
    ChildRef,
    Homework,
    LoginResult,
    Mark,
    PersonRef,
    ReportCard,
    Role,
    User,
    Week,
)

from ..base import ProviderClient, propose, with_settings
from . import answers as a
from . import mapping, sign_in

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
V2 = "/v2"
# What the service answers, with a 200 or not, when the token is not (or no longer) good.
_FRAGMENT_TOKEN = re.compile(r"access_token=([^&#\s]+)")
# Errors the service answers in place of the data (the public clients check for these).
_ERROR_TYPES = {"apiservererror", "apiunknownerror", "parameterinvalid", "invalidrequest", "error"}
_TOKEN_TYPES = {"authorizationfailed", "tokenrequired", "invalidtoken"}


@dataclass(frozen=True)
class Kid:
    """A child the user may read, with the ids every read needs."""

    person_id: str
    full_name: str
    school_id: str
    school_name: str
    group_id: str
    group_name: str
    subjects: tuple[a.Subject, ...] = ()
    # The class and the child's subgroups of it (a language, a workshop): each has lessons.
    lesson_groups: tuple[str, ...] = ()


def _school_year(day: dt.date) -> int:
    """The calendar year a school year starts in (September)."""
    return day.year if day.month >= 8 else day.year - 1


class DnevnikClient(ProviderClient):
    """Dnevnik.ru (or Kundelik, given its host) read through its partners' and mobile APIs."""

    info = ServiceInfo(
        name="dnevnik",
        title="Дневник.ру",
        sign_in=(SignInMethod.TOKEN, SignInMethod.PASSWORD),
        capabilities=frozenset(),
        read_only=True,
        token_help="provider.dnevnik.token_help",
    )
    default_host = "https://api.dnevnik.ru"

    def __init__(self, host: str | None = None, **kwargs: Any) -> None:
        # A host given as the API's base ("https://api.kundelik.kz/v2/") is the host itself.
        if host is not None:
            host = host.rstrip("/").removesuffix(V2)
        super().__init__(host, **kwargs)
        if sign_in.registered_client(self.devkey) is None:
            # No registered client to sign in with a password: the browser's token only.
            self.info = dataclasses.replace(type(self).info, sign_in=(SignInMethod.TOKEN,))
        self._kids: dict[str, Kid] = {}
        self._work_types: dict[str, dict[int, a.WorkType]] = {}
        self._bells: dict[str, dict[int, tuple[dt.time, dt.time]]] = {}
        self._teachers: dict[str, dict[int, PersonRef]] = {}
        self._periods: dict[str, list[a.ReportingPeriod]] = {}

    # --- calls ---------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {"Access-Token": self.token or ""}

    def token_refused(self, response: httpx.Response) -> bool:
        """A 401, or a 403 whose answer says the token (not a right) is missing."""
        if response.status_code == 401:
            return True
        return self._error_type(response) in _TOKEN_TYPES

    @staticmethod
    def _error_type(response: httpx.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            return ""
        return str(data.get("type") or "").lower() if isinstance(data, dict) else ""

    async def _get(self, path: str, what: str, params: dict[str, Any] | None = None) -> Any:
        """A signed-in GET's JSON; an error answered with a 200 is still an error."""
        url = f"{self.host}{path}"
        data = await self.get_json(url, params=params, headers=self._headers(), what=what)
        if isinstance(data, dict) and str(data.get("type") or "").lower() in _TOKEN_TYPES:
            raise NotLoggedIn(
                "the service no longer accepts the saved sign-in; sign in again",
                code="token_expired",
            )
        if isinstance(data, dict) and str(data.get("type") or "").lower() in _ERROR_TYPES:
            said = data.get("description") or data.get("type")
            raise ClientError(f"{self.info.title} refused {what}: {said}", code="refused")
        return data

    async def _read(self, model: type[M], path: str, what: str, **params: Any) -> M:
        """A GET read as `model`; `UnknownAnswer` (the raw kept, blanked) when it is not."""
        data = await self._get(path, what, params or None)
        return self.parse(model, data, what=what, url=f"{self.host}{path}")

    async def _list(self, model: type[M], path: str, what: str, **params: Any) -> list[M]:
        """A GET whose answer is a list of `model`."""
        data = await self._get(path, what, params or None)
        url = f"{self.host}{path}"
        return self.parse(_Items[model], {"items": data}, what=what, url=url).items  # type: ignore[valid-type]

    # --- who -----------------------------------------------------------------------------

    async def who_am_i(self) -> User:
        me, context = await asyncio.gather(
            self._read(a.User, f"{V2}/users/me", "who you are"),
            self._read(a.UserContext, f"{V2}/users/me/context", "your schools and classes"),
        )
        name = mapping.full_name(me.lastName, me.firstName, me.middleName, me.shortName or me.name)
        roles = {r.lower() for r in [*me.roles, *context.roles]}
        kids: list[Kid] = []
        if context.children:
            for child in context.children:
                kids.append(
                    _kid(
                        child.personId_str or str(child.personId),
                        mapping.full_name(
                            child.lastName, child.firstName, child.middleName, child.shortName
                        ),
                        child.schools,
                        child.eduGroups,
                    )
                )
        elif context.schools or context.eduGroups:
            person = me.personId_str or str(me.personId)
            kids.append(_kid(person, name, context.schools, context.eduGroups))
        self._kids = {kid.person_id: kid for kid in kids}
        parent = bool(context.children) or "eduparent" in roles
        first = kids[0] if kids else None
        return User(
            id=me.personId_str or str(me.personId),
            login=me.login or "",
            full_name=name,
            roles=[Role.PARENT] if parent else [Role.STUDENT],
            school_id=first.school_id if first else None,
            school_name=first.school_name if first else None,
            children=[
                ChildRef(
                    id=kid.person_id,
                    full_name=kid.full_name,
                    class_name=kid.group_name,
                    school_name=kid.school_name,
                )
                for kid in kids
            ],
        )

    async def _kid(self, student_id: str) -> Kid:
        await self.me()
        kid = self._kids.get(student_id)
        if kid is None:
            raise NotFound(f"{self.info.title} shows you no pupil {student_id}", code="not_found")
        return kid

    # --- signing in ----------------------------------------------------------------------

    async def login(self, login: str, password: str) -> LoginResult:
        """Sign in as the mobile app does; the refusal said in our codes."""
        client = sign_in.registered_client(self.devkey)
        if client is None:
            raise Unsupported(
                f"{self.info.title}: a password sign-in needs a registered client "
                '(devkey = "id:secret" in the profile); paste a token from the browser instead'
            )
        response = await self.call(
            "POST",
            f"{self.host}{sign_in.LOGIN_PATH}",
            json_body=sign_in.login_body(login, password, client),
            signed_in=False,
        )
        what = "the sign-in"
        data = self.json_of(response, what=what)
        answer = self.parse(a.LoginAnswer, data, what=what, url=str(response.url))
        credentials = answer.credentials
        if credentials is None or (answer.type or "success").lower() != "success":
            if response.status_code >= 400 or answer.type or answer.reason:
                raise sign_in.refusal(answer)
            raise self.unknown(what, response.text, str(response.url))
        self.token = credentials.accessToken
        self._me = None
        try:
            user = await self.me()
        except BaseException:
            self.token = None
            raise
        expires = credentials.expiresDate
        if expires is None and credentials.expiresIn is not None:
            expires = self.clock() + dt.timedelta(seconds=credentials.expiresIn)
        if expires is not None and expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
        return self.signed_in(credentials.accessToken, user, expires)

    async def login_with_token(self, token: str) -> LoginResult:
        """A token pasted alone, or the whole address the OAuth sign-in ended on.

        The browser flow (`login.dnevnik.ru/oauth2`, `response_type=token`) ends on
        an address whose fragment holds `access_token=...`; people paste all of it.
        """
        found = _FRAGMENT_TOKEN.search(token)
        return await super().login_with_token(found.group(1) if found else token)

    async def logout(self) -> None:
        await super().logout()
        self._kids = {}
        self._periods = {}

    # --- what a read needs besides the read ----------------------------------------------

    async def _diary(self, kid: Kid) -> mapping.Diary:
        """The school's work types, the class's bells and teachers (asked once a session)."""
        if kid.school_id not in self._work_types:
            found = await self._list(
                a.WorkType, f"{V2}/work-types/{kid.school_id}", "the kinds of work"
            )
            self._work_types[kid.school_id] = {t.id: t for t in found}
        if kid.group_id not in self._bells:
            timetables = await self._optional_list(
                a.Timetable, f"{V2}/edu-groups/{kid.group_id}/timetables", "the bells"
            )
            self._bells[kid.group_id] = mapping.bells(timetables)
        if kid.group_id not in self._teachers:
            found = await asyncio.gather(
                *(
                    self._optional_list(a.Person, f"{V2}/edu-groups/{g}/teachers", "the teachers")
                    for g in kid.lesson_groups or (kid.group_id,)
                )
            )
            self._teachers[kid.group_id] = {
                p.id: mapping.person_ref(p) for part in found for p in part
            }
        return mapping.Diary(
            student_id=kid.person_id,
            work_types=self._work_types[kid.school_id],
            teachers=self._teachers[kid.group_id],
            bells=self._bells[kid.group_id],
        )

    async def _optional(self, model: type[M], path: str, what: str) -> M | None:
        """A read the screens can do without (the service's averages): None when refused."""
        try:
            return await self._read(model, path, what)
        except ClientError as exc:
            if isinstance(exc, NotFound) or exc.code == "refused":
                return None
            raise

    async def _optional_list(self, model: type[M], path: str, what: str) -> list[M]:
        """A list the screens can do without (bells, teachers' names): empty when refused."""
        try:
            return await self._list(model, path, what)
        except ClientError as exc:
            if isinstance(exc, NotFound) or exc.code == "refused":
                return []
            raise

    async def _lessons(self, kid: Kid, first: dt.date, last: dt.date) -> list[a.Lesson]:
        """The lessons of the class and of the child's subgroups (a lesson listed once)."""
        days = f"{first.isoformat()}/{last.isoformat()}"
        found = await asyncio.gather(
            *(
                self._list(a.Lesson, f"{V2}/edu-groups/{group}/lessons/{days}", "the lessons")
                for group in kid.lesson_groups or (kid.group_id,)
            )
        )
        return list({lesson.id: lesson for part in found for lesson in part}.values())

    async def _marks(self, kid: Kid, first: dt.date, last: dt.date) -> list[a.Mark]:
        path = (
            f"{V2}/persons/{kid.person_id}/schools/{kid.school_id}"
            f"/marks/{first.isoformat()}/{last.isoformat()}"
        )
        return await self._list(a.Mark, path, "the marks")

    async def _log(self, kid: Kid, first: dt.date, last: dt.date) -> list[a.LessonLogEntry]:
        return await self._list(
            a.LessonLogEntry,
            f"{V2}/persons/{kid.person_id}/lesson-log-entries",
            "the attendance",
            startDate=first.isoformat(),
            endDate=last.isoformat(),
        )

    # --- reads ---------------------------------------------------------------------------

    async def week(self, student_id: str, start: dt.date) -> Week:
        """The week of `start` (any day of it): lessons, homework, marks and absences."""
        kid = await self._kid(student_id)
        monday = start - dt.timedelta(days=start.weekday())
        sunday = monday + dt.timedelta(days=6)
        diary = await self._diary(kid)
        lessons, marks, log = await asyncio.gather(
            self._lessons(kid, monday, sunday),
            self._marks(kid, monday, sunday),
            self._log(kid, monday, sunday),
        )
        return with_settings(mapping.week(student_id, monday, lessons, marks, log, diary))

    async def _marks_between(
        self, kid: Kid, first: dt.date, last: dt.date
    ) -> tuple[list[a.Mark], mapping.Diary]:
        """The marks and the lessons they were given in (for subject, teacher and day)."""
        diary = await self._diary(kid)
        lessons, marks = await asyncio.gather(
            self._lessons(kid, first, last), self._marks(kid, first, last)
        )
        diary.lessons.update({lesson.id: lesson for lesson in lessons})
        for lesson in lessons:
            diary.works.update({work.id: work for work in lesson.works})
        return marks, diary

    async def _reporting_periods(self, kid: Kid) -> list[a.ReportingPeriod]:
        """The class's periods in order (asked once a session: they do not move)."""
        if kid.group_id not in self._periods:
            found = await self._list(
                a.ReportingPeriod,
                f"{V2}/edu-groups/{kid.group_id}/reporting-periods",
                "the reporting periods",
            )
            self._periods[kid.group_id] = sorted(found, key=lambda p: p.start)
        return self._periods[kid.group_id]

    async def _school_year_range(self, kid: Kid) -> tuple[dt.date, dt.date]:
        """The current school year's first and last day: of its periods, else Sep to Aug."""
        periods = await self._reporting_periods(kid)
        if periods:
            return periods[0].start.date(), periods[-1].finish.date()
        year = _school_year(self.clock().date())
        return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)

    async def marks(
        self,
        student_id: str,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        subject_id: str | None = None,
    ) -> list[Mark]:
        """Marks in date order (the school year by default), of one subject if asked.

        The school year's marks are asked in one call and cut to the days, so a
        period, the year and a subject's page read the same answer.
        """
        kid = await self._kid(student_id)
        first, last = await self._school_year_range(kid)
        found, diary = await self._marks_between(kid, first, last)
        marks = mapping.marks_of(found, diary, subject_id)
        return [m for m in marks if (from_ or first) <= m.date <= (to or last)]

    async def homework(
        self, student_id: str, *, from_: dt.date | None = None, to: dt.date | None = None
    ) -> list[Homework]:
        """Homework set between the days (this week and the next by default)."""
        kid = await self._kid(student_id)
        today = self.clock().date()
        first = from_ or today - dt.timedelta(days=today.weekday())
        last = to or first + dt.timedelta(days=13)
        found = await self._read(
            a.Homeworks,
            f"{V2}/persons/{kid.person_id}/school/{kid.school_id}/homeworks",
            "the homework",
            startDate=first.isoformat(),
            endDate=last.isoformat(),
        )
        diary = await self._diary(kid)
        lessons = {lesson.id: lesson for lesson in found.lessons}
        subjects = {s.id: s for s in found.subjects}
        result = []
        for work in found.works:
            lesson = lessons.get(work.lesson) if work.lesson is not None else None
            item = mapping.homework_of(work, lesson, diary)
            if item is None:
                continue
            if lesson is None and work.subjectId in subjects:
                item = item.model_copy(
                    update={"subject": mapping.subject_ref(subjects[work.subjectId])}
                )
            result.append(item)
        return sorted(result, key=lambda h: (h.date, h.subject.name, h.id))

    async def report_card(self, student_id: str, year: int | None = None) -> ReportCard:
        """The current school year's periods, marks and averages (ours and the service's)."""
        kid = await self._kid(student_id)
        current = _school_year(self.clock().date())
        if year is not None and year != current:
            raise NotFound(
                f"{self.info.title}: only the current school year is read", code="not_found"
            )
        periods = await self._reporting_periods(kid)
        first, last = await self._school_year_range(kid)
        (raw_marks, diary), log, finals = await asyncio.gather(
            self._marks_between(kid, first, last),
            self._log(kid, first, last),
            self._read(
                a.FinalMarks,
                f"{V2}/persons/{kid.person_id}/edu-groups/{kid.group_id}/allfinalmarks",
                "the period marks",
            ),
        )
        today = self.clock().date()
        started = [p for p in periods if p.start.date() <= today]
        averages = await asyncio.gather(*(self._averages(kid, p) for p in started))
        marks = mapping.marks_of(raw_marks, diary)
        attendance: list[tuple[str, dt.date, AttendanceCode]] = []
        for entry in log:
            code = mapping.attendance_from_status(entry.status)
            lesson = diary.lessons.get(entry.lesson)
            if code is not None and lesson is not None:
                attendance.append(
                    (mapping.subject_ref(lesson.subject).id, lesson.date.date(), code)
                )
        for raw in raw_marks:
            code = mapping.absence_of(raw)
            lesson = diary.lessons.get(raw.lesson) if raw.lesson is not None else None
            if code is not None and lesson is not None:
                attendance.append(
                    (mapping.subject_ref(lesson.subject).id, lesson.date.date(), code)
                )
        teachers: dict[str, PersonRef] = {}
        for lesson in sorted(diary.lessons.values(), key=lambda x: x.date, reverse=True):
            teachers.setdefault(mapping.subject_ref(lesson.subject).id, diary.teacher_of(lesson))
        parts = mapping.CardParts(
            student_id=student_id,
            year=current,
            periods=periods,
            subjects=list(kid.subjects),
            marks=marks,
            attendance=attendance,
            finals=finals,
            averages={
                p.id_str or str(p.id): found for p, found in zip(started, averages, strict=True)
            },
            teachers={k: v for k, v in teachers.items() if v.full_name},
        )
        return propose(mapping.report_card(parts))

    async def _averages(self, kid: Kid, period: a.ReportingPeriod) -> dict[str, float | None]:
        """The service's own averages in a period, by subject (none when it will not say)."""
        path = (
            f"{sign_in.MOBILE}/persons/{kid.person_id}/groups/{kid.group_id}"
            f"/periods/{period.id_str or period.id}/periodMarks"
        )
        found = await self._optional(a.PeriodMarks, path, "the service's averages")
        if found is None:
            return {}
        return {
            str(row.subject.id): mapping.service_average(row.averageMarks)
            for row in found.periodMarks
        }


class _Items(BaseModel, Generic[M]):
    """A JSON list read as a model, so `parse` (and its kept copy) serves lists too."""

    items: list[M]


def _kid(
    person_id: str, name: str, schools: list[a.SchoolContext], groups: list[a.EduGroup]
) -> Kid:
    """A child's ids: their school, their class (the group of type "Group") and its subgroups."""
    classes = [g for g in groups if (g.type or "group").lower() == "group"] or groups
    group = max(classes, key=lambda g: g.studyyear or 0) if classes else None
    school = next((s for s in schools if group is not None and group.id in s.groupIds), None)
    school = school or (schools[0] if schools else None)
    mine = [g for g in groups if group is not None and (g is group or group.id in g.parentIds)]
    return Kid(
        person_id=person_id,
        full_name=name,
        school_id=str(school.id) if school else "",
        school_name=school.name if school else "",
        group_id=(group.id_str or str(group.id)) if group else "",
        group_name=group.name if group else "",
        subjects=tuple(s for g in mine for s in g.subjects),
        lesson_groups=tuple(g.id_str or str(g.id) for g in mine),
    )
