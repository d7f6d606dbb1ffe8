"""The МЭШ answers we read, field for field as the public clients name them.

Everything is optional where a public client has it optional or the service
may leave it out; unknown fields are ignored (`Answer`). Names follow OctoDiary
(types/mobile/*.py) and OctoDiary-kt (models/*): `profile_info`, the family
`profile`, `marks`, `homeworks/short`, `subject_marks`, the events calendar.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, RootModel

from ediary_tui.client.providers.base import Answer

# --- sign-in (login.mos.ru headless flow) ---------------------------------------------


class AuthItem(Answer):
    """One of the ways to go on that `sps/oauth/ae` or a headless step offers."""

    inquire: str | None = None
    # A hashcash header ("1:bits:stamp:resource::rand:") the password must be sent with.
    proof_of_work: str | None = Field(None, alias="proofOfWork")


class AuthError(Answer):
    code: str | None = None
    description: str | None = None


class AuthAnswer(Answer):
    """What `sps/oauth/ae`, `headless/password` and `headless/sms/bind` answer."""

    items: list[AuthItem] = []
    errors: list[AuthError] = []
    inquire: str | None = None
    contact: str | None = None
    ttl: int | None = None
    remain_attempts: int | None = None
    redirect_url: str | None = None


# --- who -------------------------------------------------------------------------------


class ProfileInfo(Answer):
    """One entry of `acl/api/users/profile_info`: a profile of the signed-in person."""

    id: int
    type: str | None = None


class ProfileInfos(RootModel[list[ProfileInfo]]):
    """The whole `profile_info` answer: a bare list (a root model, as a list has no extras)."""


class School(Answer):
    id: int | None = None
    name: str | None = None
    short_name: str | None = None


class Group(Answer):
    id: int | None = None
    name: str | None = None
    subject_id: int | None = None
    is_fake: bool | None = None


class Person(Answer):
    """The fields a profile and a child share."""

    id: int | None = None
    user_id: int | None = None
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    type: str | None = None
    contract_id: int | None = None


class Child(Person):
    id: int
    school: School | None = None
    class_level_id: int | None = None
    class_name: str | None = None
    class_unit_id: int | None = None
    groups: list[Group] | None = None
    contingent_guid: str | None = None
    sudir_login: str | None = None


class FamilyProfile(Answer):
    """`family/mobile/v1/profile`: the signed-in person and their children."""

    profile: Person
    children: list[Child] | None = None
    hash: str | None = None


class SchoolTeacher(Answer):
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    subject_names: list[str] | None = None


class SchoolInfo(Answer):
    """`family/mobile/v1/school_info?school_id&class_unit_id`: who teaches what in the class."""

    id: int | None = None
    name: str | None = None
    teachers: list[SchoolTeacher] | None = None


# --- marks -----------------------------------------------------------------------------


class Grade(Answer):
    origin: str | None = None
    five: float | None = None
    hundred: float | None = None


class MarkValue(Answer):
    name: str | None = None
    grade: Grade | None = None
    grade_system_type: str | None = None


class Mark(Answer):
    """A mark as `marks`, `subject_marks` and the calendar's `expand=marks` give it."""

    id: int
    value: str | None = None
    values: list[MarkValue] | None = None
    comment: str | None = None
    weight: int | None = None
    point_date: str | None = None
    control_form_name: str | None = None
    comment_exists: bool | None = None
    created_at: str | None = None
    updated_at: str | None = None
    date: str | None = None
    subject_name: str | None = None
    subject_id: int | None = None
    is_exam: bool | None = None
    is_point: bool | None = None
    original_grade_system_type: str | None = None


class Marks(Answer):
    """`family/mobile/v1/marks?student_id&from&to`."""

    payload: list[Mark]


# --- homework --------------------------------------------------------------------------


class ShortHomework(Answer):
    description: str | None = None
    subject_id: int | None = None
    subject_name: str | None = None
    date: str
    date_assigned_on: str | None = None
    homework_entry_student_id: int
    is_done: bool | None = None
    type: str | None = None


class ShortHomeworks(Answer):
    """`family/mobile/v1/homeworks/short?student_id&from&to`."""

    payload: list[ShortHomework]


# --- the report card -------------------------------------------------------------------


class SubjectPeriod(Answer):
    """One period of one subject in `subject_marks`: the service's average is `value`."""

    start: str | None = None
    end: str | None = None
    start_iso: str | None = None
    end_iso: str | None = None
    title: str | None = None
    dynamic: str | None = None
    value: str | None = None
    marks: list[Mark] | None = None
    count: int | None = None
    fixed_value: str | None = None


class SubjectMarks(Answer):
    average: str | None = None
    dynamic: str | None = None
    periods: list[SubjectPeriod] | None = None
    subject_name: str | None = None
    subject_id: int
    average_by_all: str | None = None
    year_mark: Any = None


class SubjectsMarks(Answer):
    """`family/mobile/v1/subject_marks?student_id`: every subject's periods and averages."""

    payload: list[SubjectMarks]


# --- the week (events calendar) --------------------------------------------------------


class HomeworkEntry(Answer):
    homework_entry_id: int | None = None
    date_assigned_on: str | None = None
    date_prepared_for: str | None = None
    description: str | None = None


class EventHomework(Answer):
    presence_status_id: int | None = None
    total_count: int | None = None
    descriptions: list[str] | None = None
    entries: list[HomeworkEntry] | None = None


class Event(Answer):
    """One item of `eventcalendar/v1/api/events`; lessons have `source` "PLAN"."""

    id: int
    source: str | None = None
    start_at: str
    finish_at: str
    subject_id: int | None = None
    subject_name: str | None = None
    title: str | None = None
    room_name: str | None = None
    room_number: str | None = None
    lesson_theme: str | None = None
    lesson_name: str | None = None
    group_id: int | None = None
    group_name: str | None = None
    cancelled: bool | None = None
    replaced: bool | None = None
    is_missed_lesson: bool | None = None
    absence_reason_id: int | None = None
    nonattendance_reason_id: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    homework: EventHomework | None = None
    marks: list[Mark] | None = None


class Events(Answer):
    total_count: int | None = None
    response: list[Event]
    errors: Any = None
