"""What every screen about one child shares: the top bar with the child switcher,
the offline banner, how fresh the answer shown is, and the worker's answer as a message.

The diary's week and the read-only screens (report card, progress, homework,
notices) each show the session's answer about one child. The child is a
reactive: `c`, a click on the switcher or the app changing the user set it,
and `watch_child` repaints the bars and asks the screen for that child's
answer (`show_child`). A worker fetches through the session and posts what
came (`Fetched`) or what went wrong (`FetchFailed`), naming what it asked
about, so the screen paints only what is still on show.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Hashable
from typing import Any, ClassVar, NotRequired, TypedDict, TypeVar

from pydantic import BaseModel
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.reactive import var
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label, Static

from ediary_tui.client.errors import ClientError
from ediary_tui.client.reads import Cached, Read
from ediary_tui.client.session import DiarySession
from ediary_tui.clock import Clock, local_now, school_time
from ediary_tui.domain.models import ChildRef, User
from ediary_tui.i18n import _
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.child_switcher import ChildSwitcher, short_name
from ediary_tui.widgets.keys import LocalisedKeys

M = TypeVar("M", bound=BaseModel)


class Where(TypedDict):
    """Whose screen it is, on what day and clock: what every `StudentScreen` is given."""

    student_id: str
    today: dt.date
    clock: NotRequired[Clock | None]


def pick_child(user: User, student_id: str | None) -> ChildRef | None:
    """The user's child `student_id`, else their first (None: a user with no children)."""
    found = next((c for c in user.children if c.id == student_id), None)
    return found or (user.children[0] if user.children else None)


class ChildScreen(LocalisedKeys, Screen[None]):
    """A screen about one of the user's children (or the student themself)."""

    TITLE_KEY = "app.title"
    # A subject's marks belong to one child: that screen names the child and does not switch.
    SWITCHES_CHILD: ClassVar[bool] = True
    BODY: ClassVar[str] = ""  # the widget showing the answer, hidden when there is none
    OFFLINE_KEY: ClassVar[str] = "banner.offline"  # what the banner says offline

    child: var[ChildRef | None] = var(None, init=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Keys act first on the answer shown: a screen that names its body focuses it.
        if "BODY" in vars(cls) and "AUTO_FOCUS" not in vars(cls):
            cls.AUTO_FOCUS = cls.BODY

    @dataclasses.dataclass
    class Fetched(Message):
        """A worker's answer about `about` (what the screen asked, e.g. the child and week)."""

        about: Hashable
        found: Cached[Any]

    @dataclasses.dataclass
    class FetchFailed(Message):
        """A worker could not get the answer about `about`."""

        about: Hashable
        error: ClientError

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        today: dt.date,
        clock: Clock | None,
        child: ChildRef | None,
    ) -> None:
        super().__init__()
        self.session = session
        self.user = user
        self.today = today
        self.clock: Clock = clock or local_now
        self.painting = False  # the widgets are there: on_mount sets it (is_mounted comes after)
        self.set_reactive(ChildScreen.child, child)

    def where(self, child: ChildRef) -> Where:
        """What a screen about `child` opened from this one is given: the same day and clock."""
        return Where(student_id=child.id, today=self.today, clock=self.clock)

    def compose_top(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Label(_(self.TITLE_KEY), id="title")
            yield Label(id="who", markup=False)
            yield ChildSwitcher(id="children")
            yield Label(id="freshness", markup=False)

    def compose_bar(self, bar: str, left: str, right: str) -> ComposeResult:
        """The line under the top bar: what is shown (the range) on the left, a word on it right."""
        with Horizontal(id=bar):
            yield Label(id=left, markup=False)
            yield Label(id=right, markup=False)

    def compose_bottom(self) -> ComposeResult:
        """Where "nothing to show" is said, the details line and the keys."""
        yield Static(id="empty", markup=False)
        yield Static(id="details", markup=False)
        yield Footer(compact=True)

    # -- what subclasses do ------------------------------------------------------

    def show_child(self) -> None:
        """Paint what the screen shows of `self.child` from the saved copy, and fetch it."""
        raise NotImplementedError

    # -- the child ---------------------------------------------------------------

    def switches_child(self) -> bool:
        return self.SWITCHES_CHILD and len(self.user.children) > 1

    async def show_user(self) -> None:
        """The switcher offers the user's children (hidden for one child: the bar names them)."""
        switcher = self.query_one(ChildSwitcher)
        switcher.display = self.switches_child()
        await switcher.set_children(self.user.children, self.child.id if self.child else None)
        self._show_who()

    def _show_who(self) -> None:
        who = self.query_one("#who", Label)
        child = self.child
        who.display = child is not None and not self.switches_child()
        if child is not None:
            who.update(Content(f"{short_name(child.full_name)}, {child.class_name}"))

    def watch_child(self, child: ChildRef | None) -> None:
        if not self.painting:  # on_mount paints what was set before
            return
        if child is not None:
            self.query_one(ChildSwitcher).select(child.id)
        self._show_who()
        self.show_child()

    def action_switch_child(self) -> None:
        children = self.user.children
        if self.switches_child() and self.child is not None:
            ids = [c.id for c in children]
            self.child = children[(ids.index(self.child.id) + 1) % len(children)]

    @on(ChildSwitcher.Changed)
    def _child_clicked(self, event: ChildSwitcher.Changed) -> None:
        event.stop()
        self.child = event.child

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_child":
            return self.switches_child()
        return True

    # -- the bars and the empty place ------------------------------------------

    def show_freshness(self, text: str) -> None:
        self.query_one("#freshness", Label).update(Content(text))

    def fetched_label(self, found: Cached[Any], *, saved: bool | None = None) -> str:
        """'updated 18:00' for a fresh answer, 'saved copy, updated 17:40' for a kept one.

        `saved` says the answer shown is a kept copy even though it was fetched
        (fetching it again failed); by default, as `found` says.
        """
        when = school_time(found.fetched_at, self.clock().tzinfo)
        if not (found.saved if saved is None else saved):
            return _("week.updated", time=f"{when:%H:%M}")
        return _("week.from_cache_at", time=f"{when:%H:%M}")

    def show_fetched(self, found: Cached[Any] | None, *, saved: bool | None = None) -> None:
        self.show_freshness(
            _("week.from_cache") if found is None else self.fetched_label(found, saved=saved)
        )

    def show_offline(self) -> None:
        """The banner says so while the server cannot be reached."""
        text = _(self.OFFLINE_KEY, server=self.session.server)
        self.query_one(Banner).warn_while(self.session.offline, text)

    def show_loading(self) -> None:
        """Nothing saved to show yet: the body waits for the worker."""
        body: Widget = self.query_one(self.BODY)
        self.query_one("#empty").display = False
        body.display = True
        body.loading = True
        self.query_one("#details", Static).update("")
        self.show_freshness(_("week.loading"))

    def show_unavailable(self, text: str, *, keep_freshness: bool = False) -> None:
        """Nothing to show: the body goes, `text` says why."""
        body: Widget = self.query_one(self.BODY)
        body.loading = False
        body.display = False
        empty = self.query_one("#empty", Static)
        empty.update(Content(text))
        empty.display = True
        self.query_one("#details", Static).update("")
        if not keep_freshness:
            self.show_freshness("")

    # -- the network -----------------------------------------------------------

    async def fetch_into(self, about: Hashable, read: Read[M]) -> Cached[M] | None:
        """Fetch in a worker and post the answer (or the failure) about `about`.

        The answer is returned too, for a worker that goes on from it.
        """
        try:
            found = await self.session.fetch(read)
        except ClientError as exc:
            self.post_message(self.FetchFailed(about, exc))
            return None
        self.post_message(self.Fetched(about, found))
        return found
