"""What the app reads, each with where its last answer is kept: the client's one seam.

A `Read` names one question about the diary (a child's week, a report card,
a journal) and how to ask it of a `DiaryService`. The session answers it
cache-first: `saved()` is the copy kept from last time, at once and without
the network; `fetch()` asks the service, keeps the answer and says whether
the service could be reached (`session.offline`, the one online/offline rule).
Screens name what they want here and never see the cache, the HTTP client or
a URL, so another kind of service (a city's diary, read-only) can answer the
same reads later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, NoReturn, TypeVar

from pydantic import BaseModel, RootModel, ValidationError

from ediary_tui.domain.models import (
    AbsenceNoticeList,
    AnnouncementList,
    ClassList,
    HomeworkList,
    Journal,
    MarksPage,
    Progress,
    ReportCard,
    TeacherDay,
    TeacherList,
    Thread,
    ThreadList,
    Week,
)

if TYPE_CHECKING:
    from .service import DiaryService

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Cached(Generic[M]):
    """An answer and when it came from the service; `saved` when it is the kept copy."""

    value: M
    fetched_at: dt.datetime
    saved: bool = False


@dataclass(frozen=True)
class Read(Generic[M]):
    """One question whose answer is worth keeping for a start or a lost network."""

    kind: str  # the shelf in the offline cache
    key: str  # the place on it
    model: type[M]
    ask: Callable[[DiaryService], Awaitable[M]]
    also: tuple[str, ...] = ()  # more keys the same answer is kept under

    def parse(self, text: str) -> M | None:
        """The kept JSON as the model, or None when an older version of the app kept it."""
        try:
            return self.model.model_validate_json(text)
        except ValidationError:
            return None


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week(student_id: str, day: dt.date) -> Read[Week]:
    """The child's week that holds `day`."""
    monday = _monday(day)
    return Read(
        "week", f"{student_id}/{monday.isoformat()}", Week, lambda s: s.week(student_id, monday)
    )


def report_card(student_id: str, year: int) -> Read[ReportCard]:
    return Read(
        "report_card",
        f"{student_id}/{year}",
        ReportCard,
        lambda s: s.report_card(student_id, year),
    )


def marks(
    student_id: str, first: dt.date, last: dt.date, subject_id: str | None = None
) -> Read[MarksPage]:
    """The child's marks from `first` to `last`, of one subject or (None) of all."""

    async def ask(service: DiaryService) -> MarksPage:
        found = await service.marks(student_id, from_=first, to=last, subject_id=subject_id)
        return MarksPage(marks=found)

    key = f"{student_id}/{subject_id or '*'}/{first.isoformat()}/{last.isoformat()}"
    return Read("marks", key, MarksPage, ask)


def progress(student_id: str, year: int, period_id: str | None, range_name: str) -> Read[Progress]:
    """The progress chart over a period, or the whole year when `period_id` is None."""
    return Read(
        "progress",
        f"{student_id}/{year}/{range_name}",
        Progress,
        # The service takes a period or a year, not both.
        lambda s: s.progress(student_id, period_id=period_id, year=None if period_id else year),
    )


def homework(student_id: str, first: dt.date, last: dt.date) -> Read[HomeworkList]:
    async def ask(service: DiaryService) -> HomeworkList:
        return HomeworkList(homework=await service.homework(student_id, from_=first, to=last))

    return Read(
        "homework", f"{student_id}/{first.isoformat()}/{last.isoformat()}", HomeworkList, ask
    )


def absence_notices(student_id: str) -> Read[AbsenceNoticeList]:
    async def ask(service: DiaryService) -> AbsenceNoticeList:
        return AbsenceNoticeList(notices=await service.absence_notices(student_id))

    return Read("absence_notices", student_id, AbsenceNoticeList, ask)


def teachers(student_id: str) -> Read[TeacherList]:
    async def ask(service: DiaryService) -> TeacherList:
        return TeacherList(student_id=student_id, teachers=await service.teachers(student_id))

    return Read("teachers", student_id, TeacherList, ask)


def journal_key(class_id: str, subject_id: str, period_id: str | None) -> str:
    """Where a journal is kept; the default period has its own key."""
    return f"{class_id}/{subject_id}/{period_id or ''}"


def journal(class_id: str, subject_id: str, period_id: str | None = None) -> Read[Journal]:
    return Read(
        "journal",
        journal_key(class_id, subject_id, period_id),
        Journal,
        lambda s: s.journal(class_id, subject_id, period_id),
    )


def teacher_day(day: dt.date) -> Read[TeacherDay]:
    return Read("teacher_day", day.isoformat(), TeacherDay, lambda s: s.teacher_day(day))


def classes() -> Read[ClassList]:
    return Read("classes", "", ClassList, lambda s: s.classes())


# --- kept on this computer only: what the family has already looked at ------------------


class SeenSince(BaseModel):
    """When "new since you last looked" starts for a child: the newest thing at the first look."""

    at: dt.datetime


class SeenKeys(RootModel[list[str]]):
    """The marks and absences of a child already looked at (`week_grid.mark_key` and kin)."""


async def _not_asked(service: DiaryService) -> NoReturn:
    raise LookupError("kept on this computer only: the service is never asked")


def seen_since(student_id: str) -> Read[SeenSince]:
    """Where the highlighting of new marks starts for the child (`session.saved`/`keep` only)."""
    return Read("seen_since", student_id, SeenSince, _not_asked)


def seen_marks(student_id: str) -> Read[SeenKeys]:
    """The child's marks and absences already seen (`session.saved`/`keep` only)."""
    return Read("seen_marks", student_id, SeenKeys, _not_asked)


# --- messages and announcements (only our school server has them so far) ---------------------


def threads() -> Read[ThreadList]:
    """The caller's conversations (the change follower keeps them too, for the unread count)."""
    return Read("threads", "", ThreadList, lambda s: s.threads())


def thread(thread_id: str) -> Read[Thread]:
    """One conversation; asking marks it read on the server."""
    return Read("thread", thread_id, Thread, lambda s: s.thread(thread_id))


def announcements(student_id: str | None) -> Read[AnnouncementList]:
    """The school's and the class's announcements for a child (None: the caller's own)."""

    async def ask(service: DiaryService) -> AnnouncementList:
        found = await service.announcements(student_id)
        return AnnouncementList(announcements=found)

    return Read("announcements", student_id or "", AnnouncementList, ask)
