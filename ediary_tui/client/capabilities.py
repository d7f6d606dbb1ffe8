"""What a diary service can do beyond reading a child's week, report card and marks.

Our school server does everything; the city and regional diaries are read
through their unofficial APIs and have no call for many things (a parent's
signature under the week, an absence notice, a journal to write in). Screens
ask `session.can(...)` and hide, or explain, what the service cannot do,
instead of showing an error after the person tried.
"""

from __future__ import annotations

from enum import StrEnum


class Can(StrEnum):
    """One thing a service may or may not offer."""

    SIGN_WEEK = "sign_week"  # a parent signs the week
    ABSENCE_NOTICES = "absence_notices"  # a parent tells the school of an absence
    HOMEWORK_DONE = "homework_done"  # the "done" tick is kept by the service
    MESSAGES = "messages"  # conversations can be read
    WRITE_MESSAGES = "write_messages"  # ...and written
    ANNOUNCEMENTS = "announcements"  # the school's and the class's announcements
    TEACHERS = "teachers"  # the child's teachers, to write to
    CHANGE_FEED = "change_feed"  # what is new since last time, pushed by the service
    CLASS_AVERAGE = "class_average"  # the class's average beside the child's
    JOURNAL = "journal"  # a teacher's journal, read and written
    CHANGE_PASSWORD = "change_password"  # the password is changed in this app
    ADMIN = "admin"  # running the school


EVERYTHING: frozenset[Can] = frozenset(Can)
