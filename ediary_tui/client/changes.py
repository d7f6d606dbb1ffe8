"""Following the change feed: what is new for this person since the app last asked.

The server's feed (`GET /changes?since=`) lists every change the caller may
see, which for a teacher is every mark of every class they teach, their own
included. `ChangeFollower` follows for whoever the session's user is (one
follower for the app's life, across logins); it keeps the cursor in the
offline cache, per server and user, so a start picks up what happened while the app was closed; it
keeps the news (the changes worth telling this person, see `is_news`) with a
count of those not yet looked at, so the what's-new list paints from the cache
at once; and it keeps the count of unread messages, asked of the server only
when a message arrives (or on the first poll).

The first poll ever asks for the changes since the start of the last school day
before today (`first_start_window`), not the school's whole history and not
nothing: a first start shows today's (and yesterday's) news.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from ediary_tui.domain.models import Change, Role, ThreadList, User

from . import reads
from .errors import NotLoggedIn

if TYPE_CHECKING:
    from .session import DiarySession

KIND = "changes"  # the cache entry of the follower: cursor, news and unseen count
KEEP = 100  # news kept for the list; older ones drop off
MAX_PAGES = 20  # a feed page is hundreds of changes: this many is a long holiday

# Kinds about one student: news to that student and their family.
ABOUT_STUDENT = frozenset({"mark", "mark_deleted", "period_mark", "attendance"})

_NEWS = TypeAdapter(list[Change])


def students_of(user: User) -> set[str]:
    """Whose diary `user` reads: their children, and themselves if they are a student."""
    found = {child.id for child in user.children}
    if Role.STUDENT in user.roles:
        found.add(user.id)
    return found


def is_news(change: Change, user: User) -> bool:
    """Whether a change is worth telling `user` about.

    Marks, absences and period marks of the user's own students; homework in
    their classes; announcements (but not their own) and messages to them.
    What the user did themselves (a signature, a notice, a ticked homework)
    and the journal chores of teachers are left out.
    """
    if change.kind == "message":
        return True  # the feed has them only for the recipient
    if change.kind == "announcement":
        return change.data.get("author") != user.full_name
    if change.kind in ABOUT_STUDENT:
        if change.kind == "attendance" and change.data.get("code") is None:
            return False  # "present again": a correction, not news
        return change.student_id in students_of(user)
    if change.kind == "homework":
        # Homework is per class; the feed gives only the classes the user may see. A
        # teacher's own classes are their work, not news, so only families are told.
        return bool(students_of(user))
    return False


# Kinds the teacher's journal shows: a change of one of these in its class and subject
# repaints an open journal (`about_journal`), whoever made it.
JOURNAL_KINDS = frozenset(
    {"mark", "mark_deleted", "attendance", "period_mark", "lesson", "homework"}
)


def about_journal(change: Change, class_id: str, subject_id: str) -> bool:
    """Whether a change is of the journal of this class in this subject."""
    return (
        change.kind in JOURNAL_KINDS
        and change.class_id == class_id
        and change.data.get("subject_id") == subject_id
    )


def first_start_window(now: dt.datetime) -> dt.datetime:
    """Where the first poll ever starts: midnight before the last school day (Monday to
    Friday) before today, in the user's clock, so Monday's first start shows Friday's."""
    day = now.date() - dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), now.tzinfo)


class ChangeFollower:
    """What is new for the session's user; `await poll()` every now and then."""

    def __init__(self, session: DiarySession, *, keep: int = KEEP) -> None:
        self.session = session
        self.keep = keep
        self._unread: tuple[str, int] | None = None  # (whose, how many), after a poll
        self._listeners: list[Callable[[list[Change]], None]] = []
        self.polling = False  # a poll is on its way (a screen asking more often waits for it)

    def listen(self, listener: Callable[[list[Change]], None]) -> Callable[[], None]:
        """Hear every change a poll brings, news or not (an open journal repaints what
        others wrote), oldest first; the call returned stops it."""
        self._listeners.append(listener)

        def stop() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return stop

    @property
    def user(self) -> User | None:
        return self.session.user

    @property
    def server(self) -> str:
        return self.session.server

    @property
    def unread_messages(self) -> int | None:
        """The user's unread messages; None until the first poll for this user."""
        user = self.user
        if user is None or self._unread is None or self._unread[0] != user.id:
            return None
        return self._unread[1]

    # --- what is kept -------------------------------------------------------------

    def _load(self, user: User | None = None) -> dict[str, Any]:
        user = user or self.user
        if user is None:
            return {}
        found = self.session.cache.get(self.server, user.id, KIND, "")
        return found[0] if found is not None and isinstance(found[0], dict) else {}

    def _save(self, user: User, state: dict[str, Any]) -> None:
        self.session.cache.put(self.server, user.id, KIND, "", state)

    @property
    def cursor(self) -> str | None:
        """Where the next poll starts; None before the first poll ever."""
        cursor = self._load().get("cursor")
        return cursor if isinstance(cursor, str) else None

    def news(self) -> list[Change]:
        """The news kept, newest first."""
        try:
            return _NEWS.validate_python(self._load().get("news", []))
        except ValidationError:  # kept by an older version of the app
            return []

    @property
    def unseen(self) -> int:
        """How many of the news arrived since the list was last looked at."""
        unseen = self._load().get("unseen", 0)
        return unseen if isinstance(unseen, int) else 0

    def mark_seen(self) -> None:
        """The user has looked at the list: nothing in it is new any more."""
        state = self._load()
        user = self.user
        if state.get("unseen") and user is not None:
            state["unseen"] = 0
            self._save(user, state)

    def set_unread_messages(self, threads: ThreadList) -> None:
        """A fresh thread list (from the messages screen): keep it and its unread count."""
        user = self.user
        if user is not None:
            self._unread = (user.id, threads.unread_total)
            self.session.keep(reads.threads(), threads)

    # --- asking the server ----------------------------------------------------------

    async def poll(self) -> list[Change]:
        """Ask the feed what changed; the news among it, oldest first.

        Raises the client's errors (ServerUnreachable when offline): the cursor
        moves only when an answer arrived, so nothing is lost by a failed poll;
        NotLoggedIn when nobody is.
        """
        user = self.user
        if user is None:
            raise NotLoggedIn("nobody is logged in")
        self.polling = True
        try:
            return await self._poll(user)
        finally:
            self.polling = False

    async def _poll(self, user: User) -> list[Change]:
        client = self.session.client
        first = self.unread_messages is None
        cursor = self._load(user).get("cursor")
        cursor = cursor if isinstance(cursor, str) else None
        after = first_start_window(self.session.clock()) if cursor is None else None
        arrived: list[Change] = []
        for _page in range(MAX_PAGES):
            feed = await client.changes(cursor, after=after)
            done = not feed.changes or feed.cursor != feed.changes[-1].id
            cursor, after = feed.cursor, None
            arrived.extend(feed.changes)
            if done:  # a full page ends on its last change: only then is there more
                break
        news = [c for c in arrived if is_news(c, user)]
        state = self._load(user)
        kept = state.get("news") if isinstance(state.get("news"), list) else []
        fresh = [json.loads(c.model_dump_json()) for c in reversed(news)]
        unseen = state.get("unseen") if isinstance(state.get("unseen"), int) else 0
        self._save(
            user,
            {
                "cursor": cursor,
                "news": (fresh + (kept or []))[: self.keep],
                "unseen": min(self.keep, unseen + len(news)),
            },
        )
        for listener in list(self._listeners) if arrived else ():
            listener(arrived)
        if first or any(c.kind == "message" for c in news):
            self.set_unread_messages(await client.threads())
        return news
