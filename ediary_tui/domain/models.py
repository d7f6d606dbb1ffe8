"""The records of API v1 as pydantic models.

One definition serves both sides: the server declares them as `response_model`
(so the OpenAPI document is the contract) and the client parses answers into
them. Field names follow ../shared/API.md exactly; ids are opaque strings.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)
from pydantic_core import PydanticCustomError


class Model(BaseModel):
    """Base for wire models: unknown fields from a newer server are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


# --- strict input ---------------------------------------------------------------
# What a client sends is taken as typed, never coerced: JSON `true` is not the mark 1,
# 4.0 is not 4, a date is `YYYY-MM-DD` (not a Unix timestamp). Only the models a client
# sends (`...In`, `...Patch`, requests) use these types; answers stay lax, so a client
# still reads whatever an older server stored.
#
# Ids and text are documented here and checked by the server alone (server/ids.py,
# services/common.py `check_text`): ids are opaque strings to a client (API.md), and a
# client sending text it was given must hear the server's 422 naming the field, not fail
# to build the request. An id is ASCII digits ("１２" and "١٢" are not ids); text holds
# no control character (C0, DEL, C1) nor a lone surrogate, and only multi-line text
# keeps tab and line feed.

ID_PATTERN = "^[0-9]{1,19}$"
LINE_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]*$"
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The controls' usual abbreviations, C0 (0x00-0x1F), DEL and C1 (0x80-0x9F), for messages.
_C0 = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
)
_C1 = (
    "PAD HOP BPH NBH IND NEL SSA ESA HTS HTJ VTS PLD PLU RI SS2 SS3 "
    "DCS PU1 PU2 STS CCH MW SPA EPA SOS SGCI SCI CSI ST OSC PM APC"
)
_CONTROL_NAMES = dict(
    zip([*range(0x20), 0x7F, *range(0x80, 0xA0)], [*_C0.split(), "DEL", *_C1.split()], strict=True)
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}.*", re.DOTALL)


def refused_character(value: str, *, one_line: bool) -> str | None:
    """Why `value` is not text the API takes, in words naming the character; None if it is."""
    for found in _REFUSED.finditer(value):
        char = found.group()
        code = f"U+{ord(char):04X}"
        if ord(char) in _CONTROL_NAMES:
            code += f" ({_CONTROL_NAMES[ord(char)]})"
        if char in "\t\n" and not one_line:
            continue
        if "\ud800" <= char <= "\udfff":
            return f"holds {code}, half of a surrogate pair, which is not a character"
        if char in "\t\n\r":
            return f"is one line: remove the line break or tab, {code}"
        return f"holds the control character {code}; remove it"
    return None


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) or (isinstance(value, str) and _DATE.fullmatch(value)):
        return value
    raise PydanticCustomError("date_type", "give a date as YYYY-MM-DD")


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime) or (isinstance(value, str) and _DATETIME.fullmatch(value)):
        return value
    raise PydanticCustomError("datetime_type", "give a time as ISO 8601, YYYY-MM-DDTHH:MM:SS+03:00")


Date = Annotated[dt.date, BeforeValidator(_iso_date)]
DateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime)]
Id = Annotated[str, Field(json_schema_extra={"pattern": ID_PATTERN})]
# One line of text (a login, a code, a topic, a title) and text that may span lines.
_LINE = Field(json_schema_extra={"pattern": LINE_PATTERN})
_TEXT = Field(json_schema_extra={"pattern": TEXT_PATTERN})
Line = Annotated[str, _LINE]
Text = Annotated[str, _TEXT]


class Role(StrEnum):
    STUDENT = "student"
    PARENT = "parent"
    TEACHER = "teacher"
    CLASS_TEACHER = "class_teacher"
    ADMIN = "admin"


class AttendanceCode(StrEnum):
    """Journal codes: н absent, б ill, у excused, оп late."""

    ABSENT = "absent"
    ILL = "ill"
    EXCUSED = "excused"
    LATE = "late"


class AbsenceReason(StrEnum):
    ILLNESS = "illness"
    FAMILY = "family"
    TREATMENT = "treatment"
    OTHER = "other"


class Category(StrEnum):
    """What kind of work a control form is, for the breakdown of a period mark."""

    TEST = "test"
    INDEPENDENT = "independent"
    CLASSWORK = "classwork"
    HOMEWORK = "homework"


# --- identity -----------------------------------------------------------------


class ChildRef(Model):
    id: str
    full_name: str
    class_name: str
    school_name: str


class TeachingRef(Model):
    class_id: str
    class_name: str
    subject_id: str
    subject_name: str


class User(Model):
    id: str
    login: str
    full_name: str
    roles: list[Role]
    school_id: str | None = None
    school_name: str | None = None
    timezone: str | None = Field(
        None, description="the school's IANA time zone (Europe/Moscow): the app shows times in it"
    )
    children: list[ChildRef] = []
    teaching: list[TeachingRef] = []
    class_teacher_of: list[str] = Field(default=[], description="class ids")


class LoginRequest(Model):
    login: Line = Field(min_length=1, max_length=200)
    password: Line = Field(min_length=1, max_length=1000)


class LoginResult(Model):
    token: str
    expires_at: dt.datetime
    must_change_password: bool
    user: User


class PasswordChange(Model):
    old_password: Line = Field(min_length=1, max_length=1000)
    new_password: Line = Field(min_length=8, max_length=1000)


# --- school settings ----------------------------------------------------------


class ControlForm(Model):
    code: str
    name: str
    weight: int
    category: Category = Category.CLASSWORK


class Period(Model):
    id: str
    name: str
    kind: str = Field(description="quarter or half")
    number: int
    starts_on: dt.date
    ends_on: dt.date


class SchoolSettings(Model):
    scale_min: int = 1
    scale_max: int = 5
    round_threshold: float = Field(
        0.5,
        description="fraction above which an average rounds up: 0.5 rounds half up, 0.6 makes 4.6 a 5",
    )
    control_forms: list[ControlForm] = []
    mark_on_absent: Literal["ask", "refuse", "allow"] = Field(
        "ask",
        description="a mark for a student marked absent in that lesson: the app asks once (ask), "
        "the server refuses it (refuse, 422 mark_on_absent) or takes it (allow)",
    )


# --- the diary ----------------------------------------------------------------


class PersonRef(Model):
    id: str
    full_name: str


class SubjectRef(Model):
    id: str
    name: str


class Mark(Model):
    id: str
    value: int | None
    is_dot: bool = False
    due: dt.date | None = None
    control_form: ControlForm
    comment: str | None = None
    teacher: PersonRef
    lesson_id: str
    student_id: str
    subject_id: str
    date: dt.date
    created_at: dt.datetime
    updated_at: dt.datetime


class Homework(Model):
    id: str
    lesson_id: str
    subject: SubjectRef
    date: dt.date = Field(description="the lesson it was set in")
    due: dt.date | None = Field(
        None, description="the date the teacher chose, else the next lesson of the subject"
    )
    text: str
    required: bool = True
    done: bool = False
    created_at: dt.datetime
    updated_at: dt.datetime


class ChangeKind(StrEnum):
    """How a lesson differs from the timetable on its day (a one-day change)."""

    REPLACED = "replaced"
    CANCELLED = "cancelled"
    MOVED = "moved"
    ADDED = "added"


class LessonChange(Model):
    """A one-day change to a lesson, as the diary shows it."""

    kind: ChangeKind
    note: str | None = None
    usual_teacher: PersonRef | None = Field(
        default=None, description="who a replacement stands in for"
    )
    moved_from_date: dt.date | None = None
    moved_from_number: int | None = None
    moved_to_date: dt.date | None = Field(
        default=None, description="a cancelled lesson that was moved: where it went"
    )
    moved_to_number: int | None = None


class WeekLesson(Model):
    id: str
    number: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    subject: SubjectRef
    teacher: PersonRef
    room: str | None = None
    topic: str | None = None
    homework: list[Homework] = []
    marks: list[Mark] = []
    attendance: AttendanceCode | None = None
    change: LessonChange | None = Field(
        default=None, description="set: the lesson is not as the timetable has it on this day"
    )


class Day(Model):
    date: dt.date
    lessons: list[WeekLesson] = []


class Week(Model):
    student_id: str
    start: dt.date
    end: dt.date
    days: list[Day]
    behaviour_note: str | None = None
    behaviour_note_by: PersonRef | None = Field(None, description="the class teacher who wrote it")
    behaviour_note_at: dt.datetime | None = None
    signed_by: PersonRef | None = None
    signed_at: dt.datetime | None = None
    settings: SchoolSettings | None = None


class SubjectPeriod(Model):
    period_id: str
    average: float | None = None
    service_average: float | None = Field(
        None, description="a real diary's own average, shown beside ours when they differ"
    )
    mark: int | None = None
    proposed: int | None = None
    absences: int = 0
    ill: int = 0
    marks_count: int = 0


class ReportSubject(Model):
    id: str
    name: str
    teacher: PersonRef | None = None
    periods: list[SubjectPeriod]
    year_mark: int | None = None


class ReportCard(Model):
    student_id: str
    year: int
    periods: list[Period]
    subjects: list[ReportSubject]
    years: list[int] = Field(
        default=[], description="the school years the student has a report card of, in order"
    )


class MarksPage(Model):
    marks: list[Mark]


class HomeworkDone(Model):
    done: StrictBool


class HomeworkList(Model):
    homework: list[Homework]


class AbsenceNoticeIn(Model):
    from_: Date = Field(alias="from")
    to: Date
    reason: AbsenceReason
    comment: Text = Field("", max_length=2000)
    first_lesson: StrictInt | None = Field(None, ge=1, le=12, description="for part of one day")
    last_lesson: StrictInt | None = Field(None, ge=1, le=12)


class AbsenceNotice(Model):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, serialize_by_alias=True)

    id: str
    student_id: str
    author: PersonRef
    from_: dt.date = Field(alias="from")
    to: dt.date
    first_lesson: int | None = None
    last_lesson: int | None = None
    reason: AbsenceReason
    comment: str = ""
    created_at: dt.datetime
    state: str = Field(description="upcoming, current or past")


class AbsenceNoticeList(Model):
    notices: list[AbsenceNotice]


class Signature(Model):
    student_id: str
    monday: dt.date
    signed_by: PersonRef
    signed_at: dt.datetime


# --- the journal --------------------------------------------------------------


class JournalStudent(Model):
    id: str
    full_name: str
    average: float | None = None
    proposed: int | None = None
    period_mark: int | None = None
    period_mark_set_at: dt.datetime | None = Field(
        None, description="the period mark's version, sent back as expected_set_at"
    )
    period_mark_set_by: PersonRef | None = None
    absences: int = Field(0, description="lessons of the period missed (н, б, у) up to today")
    lessons_held: int = Field(0, description="lessons of the period up to today")
    year_mark: int | None = Field(None, description="the subject's year mark of the school year")


class JournalLesson(Model):
    id: str
    date: dt.date
    number: int
    topic: str | None = None
    control_form: ControlForm
    homework: list[Homework] = []
    updated_at: dt.datetime | None = Field(
        None, description="the version of topic and control form, sent back as expected_updated_at"
    )


class JournalCell(Model):
    student_id: str
    lesson_id: str
    marks: list[Mark] = []
    attendance: AttendanceCode | None = None


class Journal(Model):
    class_id: str
    class_name: str
    subject: SubjectRef
    period: Period
    periods: list[Period] = []
    can_write: bool = False
    students: list[JournalStudent]
    lessons: list[JournalLesson]
    cells: list[JournalCell]
    settings: SchoolSettings


class MarkIn(Model):
    student_id: Id
    lesson_id: Id
    value: StrictInt | None = None
    is_dot: StrictBool = False
    due: Date | None = None
    control_form: Line | None = Field(
        None, description="control form code; the lesson's default if absent"
    )
    comment: Text | None = Field(None, max_length=2000)


class MarkPatch(Model):
    value: StrictInt | None = None
    is_dot: StrictBool | None = None
    due: Date | None = None
    control_form: Line | None = None
    comment: Text | None = Field(None, max_length=2000)
    expected_updated_at: DateTime | None = Field(
        None,
        description="the mark's updated_at as the client last saw it; 409 mark_changed if it has changed since",
    )


class MarkChange(Model):
    at: dt.datetime
    by: PersonRef
    action: str = Field(description="created, changed or deleted")
    from_: str | None = Field(None, alias="from")
    to: str | None = None

    model_config = ConfigDict(extra="ignore", populate_by_name=True, serialize_by_alias=True)


class MarkHistory(Model):
    mark_id: str
    changes: list[MarkChange]


class AttendanceIn(Model):
    code: AttendanceCode | None


class AttendanceOut(Model):
    lesson_id: str
    student_id: str
    code: AttendanceCode | None


class LessonPatch(Model):
    topic: Line | None = Field(None, max_length=500)
    control_form: Line | None = None
    room: Line | None = Field(None, max_length=50)
    expected_updated_at: DateTime | None = Field(
        None,
        description="the lesson's updated_at the client replaces (null: never edited); "
        "409 lesson_changed if it differs now; leave it out to replace whatever is there",
    )


class LessonOut(Model):
    id: str
    class_id: str
    subject: SubjectRef
    teacher: PersonRef
    date: dt.date
    number: int
    topic: str | None
    room: str | None
    control_form: ControlForm
    class_name: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    updated_at: dt.datetime | None = Field(
        None, description="the version of its topic and control form (null: never edited)"
    )


class TeacherDay(Model):
    """A teacher's lessons on one day, in bell order: where the journal opens."""

    date: dt.date
    lessons: list[LessonOut]


class HomeworkIn(Model):
    text: Text = Field(min_length=1, max_length=5000)
    required: StrictBool = True
    due: Date | None = Field(None, description="when it is due; absent: the next lesson")


class HomeworkPatch(Model):
    """Revising homework: the fields sent change, the others stay."""

    text: Text | None = Field(None, min_length=1, max_length=5000)
    required: StrictBool | None = None
    due: Date | None = Field(None, description="when it is due; null: the next lesson")


class PeriodMarkIn(Model):
    student_id: Id
    subject_id: Id
    period_id: Id
    value: StrictInt | None
    expected_set_at: DateTime | None = Field(
        None,
        description="the set_at of the period mark the client replaces (null: it saw none); "
        "409 period_mark_changed if it differs now; leave it out to replace whatever is there",
    )


class PeriodMarkOut(Model):
    student_id: str
    subject_id: str
    period_id: str
    value: int | None
    set_by: PersonRef | None = None
    set_at: dt.datetime | None = None


# --- changes ------------------------------------------------------------------


class Change(Model):
    id: str
    kind: str = Field(
        description="mark, mark_deleted, homework, attendance, notice, announcement, message, ..."
    )
    at: dt.datetime
    student_id: str | None = None
    class_id: str | None = None
    entity_id: str | None = None
    summary: str = ""
    data: dict[str, object] = {}


class ChangeFeed(Model):
    cursor: str
    changes: list[Change]


# --- errors -------------------------------------------------------------------


class ErrorDetail(Model):
    code: str
    message: str
    field: str | None = None


class ErrorBody(Model):
    error: ErrorDetail


class Health(Model):
    status: str = "ok"


# --- announcements, messages, progress ------------------------------------------

# Text a person typed: surrounding blanks dropped, so "   " is as empty as "".
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _LINE
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000), _TEXT
]


class AnnouncementIn(Model):
    class_id: Id | None = Field(None, description="a class; null for the whole school (admin)")
    title: ShortText
    body: LongText


class Announcement(Model):
    id: str
    school_id: str
    class_id: str | None = Field(None, description="null: the whole school")
    class_name: str | None = None
    author: PersonRef
    title: str
    body: str
    created_at: dt.datetime


class AnnouncementList(Model):
    announcements: list[Announcement]


class Message(Model):
    id: str
    thread_id: str
    author: PersonRef
    mine: bool = Field(description="written by the caller")
    body: str
    created_at: dt.datetime


class MessageIn(Model):
    body: LongText


class ThreadIn(Model):
    """A new conversation about one child: the family member (a parent, or the child where
    the school lets students write) names the teacher, a teacher names the family member."""

    student_id: Id
    teacher_id: Id | None = Field(None, description="when a parent or the student writes")
    parent_id: Id | None = Field(
        None,
        description="when a teacher writes: the family member, a parent of the child or the child",
    )
    subject: ShortText
    body: LongText


class ThreadSummary(Model):
    id: str
    subject: str
    student: PersonRef = Field(description="the child the conversation is about")
    class_name: str | None = None
    teacher: PersonRef
    parent: PersonRef = Field(
        description="the family member: a parent of the child, or the child themself"
    )
    correspondent: PersonRef = Field(description="the other party, seen from the caller")
    created_at: dt.datetime
    last_message: Message | None = None
    unread: int = Field(0, description="messages of the other party the caller has not opened")


class ThreadList(Model):
    threads: list[ThreadSummary] = Field(description="newest activity first")
    unread_total: int = 0


class Thread(ThreadSummary):
    messages: list[Message] = Field(description="oldest first")
    first_unread_id: str | None = Field(
        None, description="the first message that was new to the caller when they opened it"
    )


class TeacherRef(Model):
    id: str
    full_name: str
    subjects: list[SubjectRef] = []
    class_teacher: bool = False


class TeacherList(Model):
    student_id: str
    teachers: list[TeacherRef]


class ProgressPoint(Model):
    mark_id: str
    date: dt.date
    value: int
    weight: int
    control_form: str = Field(description="control form code")
    average: float | None = Field(description="the running weighted average after this mark")


class ProgressSubject(Model):
    subject: SubjectRef
    points: list[ProgressPoint] = Field(description="in date order")
    average: float | None = None
    class_average: float | None = Field(
        None,
        description="mean of the weighted averages of the class's students with marks; "
        "null when fewer than three have any",
    )


class Progress(Model):
    student_id: str
    starts_on: dt.date
    ends_on: dt.date
    period: Period | None = None
    year: int
    scale_min: int = 1
    scale_max: int = 5
    subjects: list[ProgressSubject]


# -- classes, families and first-login credentials (the journal's class-teacher side) ----


class ClassSubject(Model):
    """A subject taught in a class, and whether the caller may write its journal."""

    id: str
    name: str
    teachers: list[PersonRef] = []
    can_write: bool = Field(False, description="the caller teaches it in this class")


class StaffClass(Model):
    """A class whose journal the caller may open, with the subjects they may open in it."""

    id: str
    name: str
    grade: int
    class_teacher: PersonRef | None = None
    led_by_me: bool = Field(False, description="the caller is its class teacher")
    subjects: list[ClassSubject] = []


class ClassList(Model):
    classes: list[StaffClass]


class FamilyMember(Model):
    id: str
    full_name: str
    login: str | None = Field(
        None, description="only for those who hand out credentials (class teacher, admin)"
    )
    activated: bool = Field(description="has logged in and chosen their own password")
    on_staff: bool = Field(
        False, description="a parent on the school's staff: keeps their password, never issued one"
    )


class Family(Model):
    """A student of the class and the parents linked to them."""

    student: FamilyMember
    parents: list[FamilyMember] = []


class ClassFamilies(Model):
    class_id: str
    class_name: str
    can_issue: bool = Field(False, description="the caller may issue first-login credentials")
    families: list[Family]


class CredentialsIn(Model):
    student_ids: list[str] | None = Field(
        None, description="the families (by student id) to issue for; null: the whole class"
    )
    only_new: StrictBool = Field(
        True, description="skip people who have already chosen their own password"
    )


class IssuedCredential(Model):
    """A one-time password: shown once, changed by its owner at the first login."""

    user_id: str
    login: str
    full_name: str
    role: Role = Field(description="student or parent")
    student_name: str = Field(description="whose family")
    password: str


class IssuedCredentials(Model):
    class_id: str
    class_name: str
    issued_at: dt.datetime
    credentials: list[IssuedCredential]


# --- admin: people, classes and the day's timetable changes (the admin's screens) ----------


class PersonHit(Model):
    """One person a search found: enough to tell namesakes apart."""

    id: str
    login: str
    full_name: str
    roles: list[Role]
    class_name: str | None = Field(None, description="a student's class this year")


class PeopleFound(Model):
    people: list[PersonHit]
    more: bool = Field(False, description="more people match than were sent: type more")


class Relative(Model):
    """A parent of a student, or a child of a parent, on a person's card."""

    id: str
    login: str
    full_name: str
    class_name: str | None = None
    relation: str = "parent"


class PersonCard(Model):
    """Everything the admin's card of a person shows."""

    id: str
    login: str
    full_name: str
    roles: list[Role]
    class_id: str | None = None
    class_name: str | None = None
    leads: list[str] = Field(default=[], description="the classes they are class teacher of")
    teaches: list[str] = Field(
        default=[], description='a teacher\'s classes and subjects this year, as "7А Алгебра"'
    )
    email: str | None = None
    phone: str | None = None
    birth_date: dt.date | None = None
    external_id: str | None = None
    activated: bool = Field(description="has logged in and chosen their own password")
    locked_until: dt.datetime | None = Field(
        None, description="set: logins are refused until then (failed tries); unlock lifts it"
    )
    children: list[Relative] = []
    parents: list[Relative] = []


class NewPersonRole(StrEnum):
    """Who the admin's screen creates: the school's families and its teachers."""

    STUDENT = "student"
    PARENT = "parent"
    TEACHER = "teacher"


class PersonIn(Model):
    full_name: Line = Field(min_length=1, max_length=200, description="Surname First Patronymic")
    role: NewPersonRole
    class_id: Id | None = Field(None, description="a student's class (required for a student)")
    login: Line | None = Field(None, max_length=64, description="made from the name if absent")
    email: Line | None = Field(None, max_length=200)
    phone: Line | None = Field(None, max_length=40)
    birth_date: Date | None = None


class OneTimePassword(Model):
    """A password shown once: its owner must change it at the first login."""

    user_id: str
    login: str
    full_name: str
    password: str


class LinkIn(Model):
    student_id: Id
    relation: Line = Field("parent", min_length=1, max_length=40)


class Unlocked(Model):
    user_id: str
    login: str
    lifted: list[str] = Field(description="the waits that were lifted, as sentences")


class AdminClass(Model):
    id: str
    name: str
    grade: int
    days_per_week: int
    class_teacher: PersonRef | None = None
    students: int


class AdminClassList(Model):
    year: int
    classes: list[AdminClass]


class ClassMembers(Model):
    """A class's students, each with their parents, and its class teacher."""

    klass: AdminClass = Field(alias="class")
    families: list[Family]


class ClassTeacherIn(Model):
    teacher_id: Id | None = Field(description="null: the class has no class teacher")


class TimetableSlot(Model):
    weekday: int = Field(description="0 Monday .. 5 Saturday")
    number: int
    subject: SubjectRef
    teacher: PersonRef
    room: str | None = None


class ClassTimetable(Model):
    class_id: str
    class_name: str
    days_per_week: int
    slots: list[TimetableSlot]


class StaffList(Model):
    teachers: list[PersonRef]


class LessonChangeKind(StrEnum):
    """What the admin does to one lesson of one day."""

    REPLACE = "replace"
    CANCEL = "cancel"
    MOVE = "move"
    ADD = "add"
    RESTORE = "restore"


class DayChange(Model):
    """One lesson of the day that is not as the timetable has it."""

    lesson_id: str
    class_name: str
    number: int
    subject: str
    teacher: str | None = None
    usual_teacher: str | None = None
    kind: str = Field(description="replaced, cancelled, moved or added")
    note: str = ""
    moved_from_date: dt.date | None = Field(None, description="a moved lesson: where it was")
    moved_from_number: int | None = None


class DayChanges(Model):
    date: dt.date
    changes: list[DayChange]


class LessonChangeIn(Model):
    class_id: Id
    date: Date
    number: StrictInt = Field(ge=1, le=12)
    kind: LessonChangeKind
    teacher_id: Id | None = Field(None, description="replace, add: who teaches it")
    subject_id: Id | None = Field(None, description="add: the subject")
    room: Line | None = Field(None, max_length=20)
    to_date: Date | None = Field(None, description="move: the day it moves to")
    to_number: StrictInt | None = Field(None, ge=1, le=12, description="move: its new number")
    note: Line = Field("", max_length=200)


class LessonChanged(Model):
    lesson_id: str
    date: dt.date
    changes: list[DayChange] = Field(description="the day's changes after this one")


# --- admin: a class's weekly timetable, one slot at a time ---------------------------------


class SlotIn(Model):
    subject_id: Id
    teacher_id: Id
    room: Line | None = Field(None, max_length=20)


class SubjectList(Model):
    subjects: list[SubjectRef]


# --- period end: year marks (issue 14) ---------------------------------------------------


class YearMarkIn(Model):
    """A year mark of a student in a subject, for the school year of the student's class."""

    student_id: Id
    subject_id: Id
    value: StrictInt | None


class YearMarkOut(Model):
    student_id: str
    subject_id: str
    year: int
    value: int | None
    set_by: PersonRef | None = None
    set_at: dt.datetime | None = None


# --- the class teacher's desk and the teacher's day (issue 14) ---------------------------


class BehaviourNoteIn(Model):
    """The class teacher's note on a student's week; null or blank clears it."""

    monday: Date = Field(description="the week's Monday")
    note: Text | None = Field(None, max_length=2000)


class BehaviourNote(Model):
    student_id: str
    monday: dt.date
    behaviour_note: str | None = None
    note_by: PersonRef | None = None
    note_at: dt.datetime | None = None


class DeskStudent(Model):
    """A student of the class in the desk's week: the parents' signature and the note."""

    student: PersonRef
    signed_by: PersonRef | None = None
    signed_at: dt.datetime | None = None
    behaviour_note: str | None = None
    note_by: PersonRef | None = None
    note_at: dt.datetime | None = None


class ClassNotice(AbsenceNotice):
    """A notice of absence as the class teacher lists it: whose child it is about."""

    student_name: str


class ParentMeetingIn(Model):
    starts_at: DateTime = Field(description="with the offset; not in the past")
    place: ShortText
    agenda: LongText


class ParentMeetingPatch(Model):
    starts_at: DateTime | None = None
    place: ShortText | None = None
    agenda: LongText | None = None


class ParentMeeting(Model):
    id: str
    class_id: str
    class_name: str
    starts_at: dt.datetime
    place: str
    agenda: str
    author: PersonRef
    created_at: dt.datetime
    updated_at: dt.datetime


class MeetingList(Model):
    meetings: list[ParentMeeting]


class ClassDesk(Model):
    """A class teacher's week of their class: signatures, notes, notices, meetings."""

    class_id: str
    class_name: str
    start: dt.date
    end: dt.date
    can_write: bool = Field(False, description="the caller leads the class")
    students: list[DeskStudent]
    notices: list[ClassNotice] = Field(description="in force and touching the week or later")
    meetings: list[ParentMeeting] = Field(description="from the week's Monday on")


class Bell(Model):
    number: int
    starts_at: str = Field(description="HH:MM, the school's local time")
    ends_at: str
    break_name: str | None = Field(None, description="the named break after this lesson")


class TeacherLesson(Model):
    """A lesson in a teacher's week: theirs, or theirs given by a stand-in (`mine` false)."""

    id: str
    class_id: str
    class_name: str
    subject: SubjectRef
    teacher: PersonRef
    number: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str | None = None
    topic: str | None = None
    period_id: str | None = Field(None, description="the period whose journal holds it")
    change: LessonChange | None = None
    mine: bool = Field(True, description="false: the caller's lesson, given by a stand-in")


class TeacherDayPlan(Model):
    date: dt.date
    lessons: list[TeacherLesson] = []


class TeacherWeek(Model):
    start: dt.date
    end: dt.date
    today: dt.date
    days: list[TeacherDayPlan]
    bells: list[Bell]
