"""Which journal the journal screen opens on, and what its workers tell it.

A teacher's start opens the lesson going on now or next (their day's
timetable), else the first class they teach, else (a school's admin) the
first journal they may read. Offline, only the saved timetable is asked; a
journal chosen without it is a stand-in until the server answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from textual.message import Message

from ediary_tui.client.errors import ClientError
from ediary_tui.client.journal_sync import JournalSync, lesson_now_or_next
from ediary_tui.domain.models import Change, Journal, User

Wanted = tuple[str, str, str | None]  # class id, subject id, period id (None: the current one)


@dataclass(frozen=True)
class Choice:
    """The journal to open, who chose it, and the lesson to put the cursor on."""

    wanted: Wanted
    chosen_by: str  # "timetable", "teaching", or "stand-in" (offline, until the server says)
    target_lesson: str | None = None


async def choose(
    sync: JournalSync, user: User, today: dt.date, now: dt.datetime, *, network: bool
) -> Choice | None:
    """The journal of the lesson now or next, else the first taught or readable; None: none."""
    day = None
    if network:
        try:
            day = await sync.teacher_day(today)
        except ClientError:
            day = None
    else:
        day = sync.saved_teacher_day(today)
    lesson = lesson_now_or_next(day, now) if day is not None else None
    if lesson is not None:
        return Choice((lesson.class_id, lesson.subject.id, None), "timetable", lesson.id)
    if user.teaching:
        first = user.teaching[0]
        return Choice(
            (first.class_id, first.subject_id, None), "teaching" if network else "stand-in"
        )
    # Teaching nothing (a school's admin): the first journal they may read.
    choices = await sync.journals([]) if network else []
    if choices:
        return Choice((choices[0].class_id, choices[0].subject_id, None), "teaching")
    return None


def answers(asked: Wanted, journal: Journal) -> bool:
    """Whether `journal` is the one asked for (the current period: whichever it is)."""
    class_id, subject_id, period_id = asked
    return (journal.class_id, journal.subject.id) == (class_id, subject_id) and (
        period_id in (None, journal.period.id)
    )


@dataclass
class JournalLoaded(Message):
    """A journal to paint: the saved copy (`fresh` False) or the server's answer."""

    journal: Journal
    fresh: bool = field(kw_only=True)
    # The journal state shown when it was asked for, and how many entries the server had
    # acknowledged then: those acknowledged since are laid on it again (JournalState.replace).
    asked_at: tuple[object, int] | None = field(default=None, kw_only=True)


@dataclass
class JournalFailed(Message):
    """Asking the server for the `asked` journal failed with `error`."""

    asked: Wanted
    error: ClientError


@dataclass
class FeedArrived(Message):
    """The change feed brought these changes (whoever made them), oldest first."""

    changes: list[Change]
