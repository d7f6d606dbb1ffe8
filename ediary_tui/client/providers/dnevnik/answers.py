"""Dnevnik.ru's answers as lenient models, every field named as the service names it.

Shapes follow the public clients (alllexey123/dnevnik-partners-api and
dnevnik-mobile-api, kesha1225/DnevnikRuAPI). Ids come both as numbers and as
`*_str` twins; the twins are kept because JavaScript-sized ids lose digits.
Only what the mapping reads is declared, and almost all of it is optional:
a field the service stops sending degrades a screen instead of failing it.
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from ..base import Answer

# --- who --------------------------------------------------------------------------------


class User(Answer):
    """`v2/users/me`."""

    id: int
    id_str: str | None = None
    personId: int
    personId_str: str | None = None
    login: str | None = None
    name: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    middleName: str | None = None
    shortName: str | None = None
    roles: list[str] = []


class Subject(Answer):
    id: int
    id_str: str | None = None
    name: str = ""
    knowledgeArea: str | None = None


class EduGroup(Answer):
    """A class (`type` "Group") or a subgroup of one (`parentIds` name its class)."""

    id: int
    id_str: str | None = None
    parentIds: list[int] = []
    type: str | None = None
    name: str = ""
    parallel: int | None = None
    status: str | None = None
    studyyear: int | None = None
    subjects: list[Subject] = []


class SchoolContext(Answer):
    id: int
    name: str = ""
    type: str | None = None
    groupIds: list[int] = []


class ContextChild(Answer):
    """A parent's child in `users/me/context`: their person id, schools and classes."""

    personId: int
    personId_str: str | None = None
    userId: int | None = None
    firstName: str | None = None
    lastName: str | None = None
    middleName: str | None = None
    shortName: str | None = None
    schools: list[SchoolContext] = []
    eduGroups: list[EduGroup] = []


class UserContext(Answer):
    """`v2/users/me/context`: the user's own schools and classes, and a parent's children."""

    userId: int
    personId: int | None = None
    shortName: str | None = None
    roles: list[str] = []
    schools: list[SchoolContext] = []
    eduGroups: list[EduGroup] = []
    schoolIds: list[int] = []
    groupIds: list[int] = []
    children: list[ContextChild] = []


class Person(Answer):
    """`v2/edu-groups/{group}/teachers`: a person of the school."""

    id: int
    id_str: str | None = None
    firstName: str | None = None
    lastName: str | None = None
    middleName: str | None = None
    shortName: str | None = None


# --- the diary --------------------------------------------------------------------------


class Work(Answer):
    """A piece of work in a lesson: what a mark is for, or a homework (`type` "Homework")."""

    id: int
    id_str: str | None = None
    type: str | None = None
    workType: int | None = None
    markCount: int | None = None
    lesson: int | None = None
    lesson_str: str | None = None
    status: str | None = None
    eduGroup: int | None = None
    text: str | None = None
    periodNumber: int | None = None
    periodType: str | None = None
    subjectId: int | None = None
    isImportant: bool | None = None
    targetDate: dt.datetime | None = None
    sentDate: dt.datetime | None = None


class Lesson(Answer):
    """`v2/edu-groups/{group}/lessons/{from}/{to}`: a lesson with its works and teachers."""

    id: int
    id_str: str | None = None
    title: str | None = None  # the lesson's topic
    date: dt.datetime
    number: int
    subject: Subject
    group: int | None = None
    works: list[Work] = []
    teachers: list[int] = []
    status: str | None = None
    place: str | None = None  # the mobile API's name for the room


class TimetableItem(Answer):
    """One bell of `v2/edu-groups/{group}/timetables` (the service capitalises these)."""

    Id: int | None = None
    Start: dt.datetime | None = None
    Finish: dt.datetime | None = None
    Name: str | None = None
    Type: str | None = None
    LessonNumber: int


class Timetable(Answer):
    Name: str | None = None
    FirstLessonNumber: int | None = None
    Items: list[TimetableItem] = []


class Mark(Answer):
    """A mark: its value, the work it is for (whose type carries the weight) and the lesson."""

    id: int
    id_str: str | None = None
    type: str | None = None
    value: str | None = None
    textValue: str | None = None
    person: int | None = None
    person_str: str | None = None
    work: int | None = None
    work_str: str | None = None
    lesson: int | None = None
    lesson_str: str | None = None
    number: int | None = None
    date: dt.datetime | None = None
    workType: int | None = None
    mood: str | None = None
    use_avg_calc: bool | None = None


class WorkType(Answer):
    """`v2/work-types/{school}`: a kind of work with its weight in the weighted average."""

    id: int
    schoolId: int | None = None
    kind: str | None = None
    title: str | None = None
    abbr: str | None = None
    weight: float | None = None


class LessonLogEntry(Answer):
    """`v2/persons/{person}/lesson-log-entries`: attendance, one entry a lesson."""

    person: int | None = None
    person_str: str | None = None
    lesson: int
    lesson_str: str | None = None
    comment: str | None = None
    status: str | None = None
    createdDate: dt.datetime | None = None


class Homeworks(Answer):
    """`v2/persons/{person}/school/{school}/homeworks`: works with their lessons and subjects."""

    works: list[Work] = []
    subjects: list[Subject] = []
    lessons: list[Lesson] = []
    teachers: list[Person] = []


# --- the report card --------------------------------------------------------------------


class ReportingPeriod(Answer):
    """`v2/edu-groups/{group}/reporting-periods`: a quarter, trimester or half-year."""

    id: int
    id_str: str | None = None
    start: dt.datetime
    finish: dt.datetime
    number: int
    type: str | None = None
    name: str | None = None
    year: int | None = None


class FinalMarks(Answer):
    """`v2/persons/{person}/edu-groups/{group}/allfinalmarks`: period and year marks."""

    marks: list[Mark] = []
    works: list[Work] = []
    subjects: list[Subject] = []
    workTypes: list[WorkType] = []


class AverageMarks(Answer):
    averageMark: float | None = None
    weightedAverageMark: float | None = None


class PeriodSubject(Answer):
    id: int
    name: str = ""


class SubjectMarks(Answer):
    averageMarks: AverageMarks | None = None
    subject: PeriodSubject


class PeriodMarks(Answer):
    """Mobile `persons/{p}/groups/{g}/periods/{per}/periodMarks`: the service's averages."""

    type: str | None = None
    periodMarks: list[SubjectMarks] = []
    periodNumber: int | None = None


# --- signing in (mobile API) ------------------------------------------------------------


class Credentials(Answer):
    accessToken: str
    expiresDate: dt.datetime | None = None
    expiresIn: int | None = None
    refreshToken: str | None = None
    userId: int | None = None
    scope: str | None = None


class LoginAnswer(Answer):
    """Mobile `authorizations/bycredentials`: credentials, or a refusal with its reason."""

    type: str | None = None
    description: str | None = None
    reason: str | None = None
    credentials: Credentials | None = Field(default=None)
