"""The teacher's journal on the client: reads with an offline copy, writes through the outbox.

A key press in the journal never waits for the network and a write is never
lost. Each write is a typed command (`journal_commands`) that becomes an
outbox entry, committed to disk before the screen
shows it; `OutboxSender` then sends this user's pending journal entries one at
a time, oldest first, each with its entry's idempotency key where the API
takes one, so a resend after a lost answer cannot give a mark twice. The
server's answer settles the entry: acknowledged (it leaves the pending list)
or refused for good (a closed period, a mark off the scale, not your class),
which stays in the outbox for the journal to show until the teacher dismisses
it. An unreachable server is neither: the entry waits, and the sender tries
again with a growing pause.

A write may depend on an earlier one that has no server id yet: deleting a
mark that was only just typed names the entry that creates it
(`create_seq`), and the sender looks up the id the server gave when that entry
was acknowledged. Entries go in order, so it always has been by then.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ediary_tui.domain.models import (
    AttendanceCode,
    ClassList,
    Journal,
    LessonOut,
    MarkHistory,
    MarkIn,
    TeacherDay,
    TeachingRef,
    User,
)

from . import reads
from .errors import (
    ClientError,
    Conflict,
    NotLoggedIn,
    PasswordChangeRequired,
    ServerUnreachable,
    Throttled,
)
from .journal_commands import (
    VERSIONED,
    DeleteMark,
    JournalCommand,
    MarkFields,
    MarkWas,
    PutMark,
    SetAttendance,
    SetHomework,
    SetPeriodMark,
    SetTopic,
    Version,
)
from .outbox import ACKNOWLEDGED, REFUSED, Entry, Outbox

if TYPE_CHECKING:
    from .session import DiarySession

FIRST_RETRY = 0.5  # seconds before the first retry after the server could not be reached
MAX_RETRY = 10.0  # the pause between retries doubles up to this


def lesson_now_or_next(day: TeacherDay, now: dt.datetime) -> LessonOut | None:
    """The lesson to open the journal on: the one going on, else the next, else the last one.

    After the day's last lesson the teacher is most likely filling in the one
    just given, so that one wins over nothing.
    """
    timed = [lesson for lesson in day.lessons if lesson.starts_at and lesson.ends_at]
    for lesson in timed:
        assert lesson.ends_at is not None
        if now < lesson.ends_at:
            return lesson  # going on now, or the next one
    if timed:
        return timed[-1]
    return day.lessons[0] if day.lessons else None


@dataclass(frozen=True)
class JournalChoice:
    """A journal (class and subject) the user may open, and whether they may write in it."""

    class_id: str
    class_name: str
    subject_id: str
    subject_name: str
    can_write: bool

    @classmethod
    def taught(cls, t: TeachingRef) -> JournalChoice:
        return cls(t.class_id, t.class_name, t.subject_id, t.subject_name, True)


def journal_choices(classes: ClassList) -> list[JournalChoice]:
    """The journals the user writes first (in class order), then the ones they only read."""
    every = [
        JournalChoice(c.id, c.name, subject.id, subject.name, subject.can_write)
        for c in classes.classes
        for subject in c.subjects
    ]
    return [j for j in every if j.can_write] + [j for j in every if not j.can_write]


@dataclass(frozen=True)
class Outcome:
    """The server's last word on an entry: acknowledged with its answer, or refused and why."""

    entry: Entry
    result: dict[str, Any] | None = None
    reason: str | None = None
    code: str | None = None  # the server's error code, when refused

    @property
    def refused(self) -> bool:
        return self.reason is not None

    @property
    def conflict(self) -> bool:
        """Refused because the value it replaces changed elsewhere: the teacher chooses."""
        return self.refused and is_conflict(self.entry)


def conflict_code(entry: Entry) -> str | None:
    """The conflict a refused versioned entry was refused for, or None."""
    command = entry.command
    if entry.state != REFUSED or not isinstance(command, VERSIONED) or not entry.result:
        return None
    return command.CONFLICT if entry.result.get("code") == command.CONFLICT else None


def is_conflict(entry: Entry) -> bool:
    return conflict_code(entry) is not None


@dataclass(frozen=True)
class SendState:
    """What the journal says about sending: how many wait, and whether the server answers."""

    pending: int
    offline: bool = False
    retry_in: float | None = None
    message: str | None = None


class JournalSync:
    """Journals and the teacher's day for the session's user on one server, and their writes.

    The user is the session's at each call (else the remembered login's), so the
    app builds one for its whole life, before anyone has logged in.
    """

    def __init__(self, session: DiarySession, outbox: Outbox) -> None:
        self.session = session
        self.outbox = outbox

    @property
    def server(self) -> str:
        return self.session.server

    @property
    def _user(self) -> User | None:
        return self.session.user or self.session.cached_user()

    @property
    def user_id(self) -> str:
        """Whose entries are written and sent: there must be someone logged in."""
        user = self._user
        if user is None:
            raise NotLoggedIn("no one is logged in", code="not_logged_in")
        return user.id

    # --- reads: through the session's one cache-first seam --------------------------

    def cached_journal(
        self, class_id: str, subject_id: str, period_id: str | None = None
    ) -> Journal | None:
        """The journal as last fetched (no network), or None."""
        found = self.session.saved(reads.journal(class_id, subject_id, period_id))
        return found.value if found is not None else None

    async def fetch_journal(
        self, class_id: str, subject_id: str, period_id: str | None = None
    ) -> Journal:
        """The journal from the server, kept for the next start or a lost network.

        Asked for the default period (None), it is kept under that period's own
        key too, so choosing the period later paints at once.
        """
        read = reads.journal(class_id, subject_id, period_id)
        journal = await self.session.send(read.ask)
        own = reads.journal_key(class_id, subject_id, journal.period.id)
        self.session.keep(replace(read, also=(own,) if own != read.key else ()), journal)
        return journal

    def saved_teacher_day(self, day: dt.date) -> TeacherDay | None:
        """The teacher's lessons on `day` as last fetched (no network), or None."""
        found = self.session.saved(reads.teacher_day(day))
        return found.value if found is not None else None

    async def teacher_day(self, day: dt.date) -> TeacherDay | None:
        """The teacher's lessons on `day`: fresh, else as last fetched, else None."""
        try:
            return (await self.session.fetch(reads.teacher_day(day))).value
        except ServerUnreachable:
            return self.saved_teacher_day(day)

    async def journals(self, teaching: list[TeachingRef]) -> list[JournalChoice]:
        """Every journal the user may open: fresh, else as last fetched, else what they teach."""
        read = reads.classes()
        try:
            found = (await self.session.fetch(read)).value
        except ServerUnreachable:
            saved = self.session.saved(read)
            if saved is None:
                return [JournalChoice.taught(t) for t in teaching]
            found = saved.value
        return journal_choices(found)

    async def mark_history(self, mark_id: str) -> MarkHistory:
        return await self.session.send(lambda api: api.mark_history(mark_id))

    # --- writes: each is an outbox entry first ----------------------------------------

    def add(self, command: JournalCommand) -> Entry:
        """Queue any journal write (an undo, say); committed before this returns."""
        return self.outbox.add(self.server, self.user_id, command)

    def put_mark(self, class_id: str, subject_id: str, mark: MarkIn) -> Entry:
        """A mark or a dot, to be created with this entry's idempotency key."""
        fields = MarkFields.model_validate(mark.model_dump(mode="json", exclude_none=True))
        return self.add(PutMark(class_id=class_id, subject_id=subject_id, mark=fields))

    def delete_mark(
        self,
        class_id: str,
        subject_id: str,
        student_id: str,
        lesson_id: str,
        *,
        mark: MarkWas | Mapping[str, Any],
        mark_id: str | None = None,
        create_seq: int | None = None,
    ) -> Entry:
        """Delete a mark known by its id, or the one entry `create_seq` creates.

        `mark` keeps what the mark was (value, dot, due date, control form,
        comment), so that undoing the deletion can put it back.
        """
        if (mark_id is None) == (create_seq is None):
            raise ValueError("name the mark by its id or by the entry that creates it")
        was = mark if isinstance(mark, MarkWas) else MarkWas.model_validate(mark)
        return self.add(
            DeleteMark(
                class_id=class_id,
                subject_id=subject_id,
                student_id=student_id,
                lesson_id=lesson_id,
                mark_id=mark_id,
                create_seq=create_seq,
                mark=was,
            )
        )

    def set_attendance(
        self,
        class_id: str,
        subject_id: str,
        student_id: str,
        lesson_id: str,
        code: AttendanceCode | None,
        previous: AttendanceCode | None,
    ) -> Entry:
        """An attendance code (None: present); `previous` is what undo puts back."""
        return self.add(
            SetAttendance(
                class_id=class_id,
                subject_id=subject_id,
                student_id=student_id,
                lesson_id=lesson_id,
                code=code,
                previous=previous,
            )
        )

    def set_period_mark(
        self,
        class_id: str,
        subject_id: str,
        student_id: str,
        period_id: str,
        value: int | None,
        previous: int | None,
        *,
        version: Version | None = None,
    ) -> Entry:
        """`version`: the period mark it replaces (JournalState.period_mark_version)."""
        return self.add(
            SetPeriodMark(
                class_id=class_id,
                subject_id=subject_id,
                student_id=student_id,
                period_id=period_id,
                value=value,
                previous=previous,
                version=version,
            )
        )

    def set_topic(
        self,
        class_id: str,
        subject_id: str,
        lesson_id: str,
        topic: str,
        previous: str | None,
        *,
        version: Version | None = None,
    ) -> Entry:
        """The lesson's topic ("" clears it); `previous` is what undo puts back; `version`
        the lesson's version it replaces (JournalState.topic_version)."""
        return self.add(
            SetTopic(
                class_id=class_id,
                subject_id=subject_id,
                lesson_id=lesson_id,
                topic=topic,
                previous=previous,
                version=version,
            )
        )

    def set_homework(
        self,
        class_id: str,
        subject_id: str,
        lesson_id: str,
        *,
        text: str | None,
        required: bool = True,
        homework_id: str | None = None,
        create_seq: int | None = None,
        due: dt.date | None = None,
    ) -> Entry:
        """New homework (no id), a revision of one (its id, or the entry creating it), or its
        removal (`text` None). A new one is created with this entry's idempotency key."""
        return self.add(
            SetHomework(
                class_id=class_id,
                subject_id=subject_id,
                lesson_id=lesson_id,
                homework_id=homework_id,
                create_seq=create_seq,
                text=text,
                required=required,
                due=due,
            )
        )

    def created_homework_id(self, create_seq: int) -> str | None:
        """The server's id of the homework an acknowledged entry created; None otherwise."""
        return self.created_mark_id(create_seq)

    def pending(self) -> list[Entry]:
        """This user's journal entries still to be sent, oldest first (none before a login)."""
        user = self._user
        return self.outbox.pending(self.server, user.id) if user is not None else []

    def refused(self) -> list[Entry]:
        user = self._user
        return self.outbox.refused(self.server, user.id) if user is not None else []

    def entries_for(self, class_id: str, subject_id: str) -> list[Entry]:
        """Pending and refused entries of one journal, in the order they were made."""
        mine = [
            e for e in self.pending() + self.refused() if e.command.in_journal(class_id, subject_id)
        ]
        return sorted(mine, key=lambda e: e.id)

    def count_pending(self) -> int:
        return len(self.pending())

    def dismiss(self, entry_id: int) -> None:
        """Forget a refused entry once the teacher has seen it."""
        self.outbox.dismiss(entry_id)

    def created_mark_id(self, create_seq: int) -> str | None:
        """The server's id of the mark an acknowledged entry created; None otherwise."""
        entry = self.outbox.get(create_seq)
        if entry is None or entry.state != ACKNOWLEDGED or not entry.result:
            return None
        mark_id = entry.result.get("id")
        return str(mark_id) if mark_id is not None else None

    # --- sending ----------------------------------------------------------------------

    async def send(self, entry: Entry) -> Outcome:
        """Send one entry and settle it in the outbox.

        Raises ServerUnreachable, Throttled and NotLoggedIn (the entry stays
        pending); every other refusal settles the entry as refused.
        """
        try:
            command = self._versioned(entry)
            result = await self.session.send(
                lambda api: command.send(api, entry.idempotency_key, self.created_mark_id)
            )
        except (ServerUnreachable, Throttled, NotLoggedIn, PasswordChangeRequired):
            raise
        except ClientError as exc:
            self.outbox.refuse(entry.id, exc.message, exc.code)
            refused = _settled(entry, REFUSED, result={"code": exc.code}, reason=exc.message)
            return Outcome(refused, reason=exc.message, code=exc.code)
        self.outbox.acknowledge(entry.id, result)
        return Outcome(_settled(entry, ACKNOWLEDGED, result=result), result=result)

    def _versioned(self, entry: Entry) -> JournalCommand:
        """The command with the version it replaces filled in, when an earlier entry of this
        session wrote the same place first: the version that entry's answer gave. If that one
        was refused, this one is refused as stale too, so the teacher chooses for both."""
        command = entry.command
        if not isinstance(command, VERSIONED) or command.version is None:
            return command
        after = command.version.after
        if after is None:
            return command
        earlier = self.outbox.get(after)
        if earlier is None or earlier.state != ACKNOWLEDGED or earlier.result is None:
            raise Conflict(
                "the edit this one follows was not saved", code=command.CONFLICT, status=409
            )
        version = Version(at=earlier.result.get(command.VERSION_FIELD))
        return command.model_copy(update={"version": version})


def _settled(
    entry: Entry, state: str, *, result: dict[str, Any] | None = None, reason: str | None = None
) -> Entry:
    return replace(entry, state=state, result=result, reason=reason)


class OutboxSender:
    """Sends pending journal entries in order, for as long as `run` runs.

    `wake()` says there is something new; while the server cannot be reached
    the sender waits between tries, doubling the pause up to `max_delay`,
    and `retry_now()` cuts the pause short (a person pressing "refresh").
    """

    def __init__(
        self,
        sync: JournalSync,
        *,
        first_delay: float = FIRST_RETRY,
        max_delay: float = MAX_RETRY,
    ) -> None:
        self.sync = sync
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.offline = False
        self._wake = asyncio.Event()
        self._retry = asyncio.Event()

    def wake(self) -> None:
        """A new entry: send it now unless the server is known to be away."""
        self._wake.set()

    def retry_now(self) -> None:
        self._retry.set()
        self._wake.set()

    async def _pause(self, seconds: float) -> None:
        """Wait `seconds`, or less if asked to retry now."""
        self._retry.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._retry.wait(), timeout=seconds)

    async def run(
        self,
        on_outcome: Callable[[Outcome], None],
        on_state: Callable[[SendState], None],
        on_session_ended: Callable[[ClientError], None],
    ) -> None:
        """Send until cancelled (or until the session ends: then nothing more can be sent)."""
        delay = 0.0
        while True:
            self._wake.clear()
            pending = self.sync.pending()
            if not pending:
                on_state(SendState(0))
                await self._wake.wait()
                continue
            if self.sync.session.client.token is None:  # the session is still being resumed
                await self._pause(0.2)
                continue
            try:
                outcome = await self.sync.send(pending[0])
            except (NotLoggedIn, PasswordChangeRequired) as exc:
                on_state(SendState(len(pending)))
                on_session_ended(exc)
                return
            except Throttled as exc:
                await self._pause(float(exc.retry_after))
                continue
            except ServerUnreachable as exc:
                delay = min(self.max_delay, delay * 2 if delay else self.first_delay)
                self.offline = True
                started = time.monotonic()
                on_state(SendState(len(pending), True, delay, exc.message))
                await self._pause(delay)
                if time.monotonic() - started < delay:
                    delay = 0.0  # asked to retry now: start the pauses afresh
                continue
            delay = 0.0
            self.offline = False
            on_outcome(outcome)
            on_state(SendState(len(pending) - 1))
