"""What the read-only screens about one child share: the cache-first read, the top bar,
the child switcher, the offline banner and the way back to the diary.

The report card, a subject's marks and the progress chart each show one
answer of the server about one child. Each answer is painted from the offline
cache at once and fetched again in a worker (`CachedReader`); the top bar says
whether what is shown is fresh or a saved copy, and a banner stays while the
server cannot be reached. A parent switches children with `c` or a click, as
in the diary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import ClassVar, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Label

from ediary_tui.client.errors import (
    ClientError,
    NotLoggedIn,
    PasswordChangeRequired,
    ServerUnreachable,
)
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import ChildRef, SchoolSettings, User, Week
from ediary_tui.i18n import _, error_message
from ediary_tui.screens.events import PasswordRequired, SessionEnded
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.child_switcher import ChildSwitcher, short_name
from ediary_tui.widgets.keys import LocalisedKeys, key

M = TypeVar("M", bound=BaseModel)
Clock = Callable[[], dt.datetime]


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class CachedReader(Generic[M]):
    """One kind of answer (a report card, a progress chart) kept in the offline cache.

    `cached` is what to paint at once; `fetch` asks the server, keeps the
    answer and tells the session whether the server answered, so that every
    screen agrees on "offline".
    """

    def __init__(
        self, session: DiarySession, kind: str, model: type[M], clock: Clock | None = None
    ) -> None:
        self.session = session
        self.kind = kind
        self.model = model
        self.clock: Clock = clock or _local_now
        self._fetched: dict[str, dt.datetime] = {}  # by this reader, on the app's clock

    def _user_id(self) -> str | None:
        user = self.session.user or self.session.cached_user()
        return user.id if user is not None else None

    def cached(self, key: str) -> M | None:
        user_id = self._user_id()
        if user_id is None:
            return None
        row = self.session.cache.get_raw(self.session.server, user_id, self.kind, key)
        if row is None:
            return None
        try:
            return self.model.model_validate_json(row[0])
        except ValidationError:  # kept by an older version of the app
            return None

    def fetched_at(self, key: str, tz: dt.tzinfo | None) -> dt.datetime | None:
        """When the copy came from the server: in this screen, or as the cache says."""
        if key in self._fetched:
            return self._fetched[key]
        user_id = self._user_id()
        if user_id is None:
            return None
        row = self.session.cache.get_raw(self.session.server, user_id, self.kind, key)
        if row is None:
            return None
        return dt.datetime.fromtimestamp(row[1], dt.UTC).astimezone(tz)

    async def fetch(self, key: str, call: Awaitable[M]) -> M:
        """The answer from the server, kept for the next start or a lost network."""
        session = self.session
        try:
            answer = await call
        except ClientError as exc:
            session.offline = isinstance(exc, ServerUnreachable)  # it answered, if only to say no
            raise
        session.offline = False
        self._fetched[key] = self.clock()
        user_id = self._user_id()
        if user_id is not None:
            session.cache.put_raw(session.server, user_id, self.kind, key, answer.model_dump_json())
        return answer


async def current_week(session: DiarySession, student_id: str, today: dt.date) -> Week | None:
    """This week's diary of the child: the cached copy, else the server's, else None."""
    week = session.cached_week(student_id, today)
    if week is None or week.settings is None:
        try:
            week = await session.fetch_week(student_id, today)
        except ClientError:
            return week
    return week


async def school_settings(
    session: DiarySession, student_id: str, today: dt.date
) -> SchoolSettings | None:
    """The school's scale, rounding threshold and control forms, as this week's diary says.

    The week carries the settings of the child's school (a parent's children
    may be in different schools); the cached week is used when there is one.
    """
    week = await current_week(session, student_id, today)
    return week.settings if week is not None else None


def school_year_name(year: int) -> str:
    """'2026/27'."""
    return f"{year}/{(year + 1) % 100:02d}"


class StudentScreen(LocalisedKeys, Screen[None]):
    """A read-only screen about one child: top bar, banner, child switcher, back with Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape,q", "back", "student_view.key_back"),
        key("c", "switch_child", "keys.switch_child"),
        key("r", "refresh", "keys.refresh", show=False),
    ]
    TITLE_KEY = "app.title"
    # A subject's marks belong to one child: that screen names the child and does not switch.
    SWITCHES_CHILD = True

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        student_id: str,
        today: dt.date,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.user = user
        self.today = today
        self.clock: Clock = clock or _local_now
        children = user.children
        self.child: ChildRef | None = next(
            (c for c in children if c.id == student_id), children[0] if children else None
        )

    def compose_top(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Label(_(self.TITLE_KEY), id="title")
            yield Label(id="who", markup=False)
            yield ChildSwitcher(id="children")
            yield Label(id="freshness", markup=False)
        yield Banner(id="banner")

    async def on_mount(self) -> None:
        switcher = self.query_one(ChildSwitcher)
        children = self.user.children
        switcher.display = self._switches()
        await switcher.set_children(children, self.child.id if self.child else None)
        self._show_who()
        self._show_offline()
        self.show_child()

    # -- what subclasses do ------------------------------------------------------

    def show_child(self) -> None:
        """Paint what the screen shows of `self.child` from the cache, and fetch it."""
        raise NotImplementedError

    # -- the bars ----------------------------------------------------------------

    def _show_who(self) -> None:
        who = self.query_one("#who", Label)
        child = self.child
        who.display = child is not None and not self._switches()
        if child is not None:
            who.update(Content(f"{short_name(child.full_name)}, {child.class_name}"))

    def show_freshness(self, text: str) -> None:
        self.query_one("#freshness", Label).update(Content(text))

    def show_fetched(self, reader: CachedReader[M], key: str, *, fresh: bool) -> None:
        """'updated 18:00' for a fresh answer, 'saved copy, updated 17:40' for a cached one."""
        when = reader.fetched_at(key, self.clock().tzinfo)
        if fresh and when is not None:
            self.show_freshness(_("week.updated", time=f"{when:%H:%M}"))
        elif when is None:
            self.show_freshness(_("week.from_cache"))
        else:
            self.show_freshness(_("week.from_cache_at", time=f"{when:%H:%M}"))

    def _show_offline(self) -> None:
        banner = self.query_one(Banner)
        if self.session.offline:
            banner.show(_("banner.offline", server=self.session.server), "warning")
        else:
            banner.hide()

    def fetch_failed(self, exc: ClientError, *, have_copy: bool, missing: str) -> str | None:
        """Say what went wrong; the text to show in place of the data when there is none."""
        self._show_offline()
        # The app handles these as it does for the diary: a password first, or the login.
        if isinstance(exc, PasswordChangeRequired):
            self.post_message(PasswordRequired())
            return None
        if isinstance(exc, NotLoggedIn):
            self.post_message(SessionEnded())
            return None
        if self.session.offline:
            return None if have_copy else missing
        text = error_message(exc.code, exc.message)
        if have_copy:
            self.notify(text, severity="error")
            return None
        return text

    # -- children ----------------------------------------------------------------

    def _switches(self) -> bool:
        return self.SWITCHES_CHILD and len(self.user.children) > 1

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_child":
            return self._switches()
        return True

    def action_switch_child(self) -> None:
        children = self.user.children
        if self._switches() and self.child is not None:
            ids = [c.id for c in children]
            self._select_child(children[(ids.index(self.child.id) + 1) % len(children)])

    @on(ChildSwitcher.Changed)
    def _child_clicked(self, event: ChildSwitcher.Changed) -> None:
        event.stop()
        self._select_child(event.child)

    def _select_child(self, child: ChildRef) -> None:
        self.child = child
        self.query_one(ChildSwitcher).select(child.id)
        self._show_who()
        self.show_child()

    def action_back(self) -> None:
        self.dismiss()
