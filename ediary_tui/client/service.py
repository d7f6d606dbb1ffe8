"""What a diary service must answer for the app to read a child's diary or a journal.

Our school server (`api.DiaryClient`) answers all of it and takes writes too;
another kind of service (the real city and regional diaries, read-only) will
answer the same reads. `reads.Read` asks through this protocol only.
`ServiceInfo` says which service it is, how one signs in and what it can do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ediary_tui.domain.models import (
    AbsenceNotice,
    Announcement,
    ClassList,
    Homework,
    Journal,
    Mark,
    Progress,
    ReportCard,
    TeacherDay,
    TeacherRef,
    Thread,
    ThreadList,
    Week,
)

from .capabilities import EVERYTHING, Can


class DiaryService(Protocol):
    """The reads of a diary service, as `DiaryClient` offers them."""

    async def week(self, student_id: str, start: dt.date) -> Week: ...

    async def report_card(self, student_id: str, year: int | None = None) -> ReportCard: ...

    async def marks(
        self,
        student_id: str,
        *,
        from_: dt.date | None = None,
        to: dt.date | None = None,
        subject_id: str | None = None,
    ) -> list[Mark]: ...

    async def progress(
        self, student_id: str, *, period_id: str | None = None, year: int | None = None
    ) -> Progress: ...

    async def homework(
        self, student_id: str, *, from_: dt.date | None = None, to: dt.date | None = None
    ) -> list[Homework]: ...

    async def absence_notices(self, student_id: str) -> list[AbsenceNotice]: ...

    async def teachers(self, student_id: str) -> list[TeacherRef]: ...

    async def journal(
        self, class_id: str, subject_id: str, period_id: str | None = None
    ) -> Journal: ...

    async def teacher_day(self, day: dt.date | None = None) -> TeacherDay: ...

    async def classes(self) -> ClassList: ...

    async def threads(self) -> ThreadList: ...

    async def thread(self, thread_id: str) -> Thread: ...

    async def announcements(
        self, student_id: str | None = None, *, limit: int | None = None
    ) -> list[Announcement]: ...


class SignInMethod(StrEnum):
    """How a person proves who they are to a service."""

    PASSWORD = "password"  # login and password (then a one-time code if the service sends one)
    TOKEN = "token"  # a token copied from a browser session where the service allows no other


@dataclass(frozen=True)
class ServiceInfo:
    """Which service this is and what it can do; the app hides what it cannot."""

    name: str  # "ediary", "mos", "dnevnik", "eljur": config.toml's `provider`
    title: str  # shown on the login screen
    sign_in: tuple[SignInMethod, ...] = (SignInMethod.PASSWORD,)
    capabilities: frozenset[Can] = EVERYTHING
    read_only: bool = False
    # A message key: where the person finds a token in their browser (TOKEN sign-in only).
    token_help: str | None = None

    def can(self, what: Can) -> bool:
        return what in self.capabilities


OUR_SERVER = ServiceInfo("ediary", "ediary")
