"""What the read-only screens about one child share: one answer loaded, and the way back.

The report card, a subject's marks, the progress chart, homework and the
notices of absence each show one answer of the service about one child. It
is painted from the copy the session keeps at once (`session.saved`) and
fetched again in a worker (`ChildScreen.fetch_into`); the answer on show is
the reactive `loaded`, whose watcher paints it. The top bar says whether it is
fresh or a saved copy, and a banner stays while the server cannot be reached.
A parent switches children with `c` or a click, as in the diary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.reactive import var

from ediary_tui.client import reads
from ediary_tui.client.errors import ClientError
from ediary_tui.client.reads import Cached
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import SchoolSettings, User, Week
from ediary_tui.domain.periods import school_year_name
from ediary_tui.i18n import _, error_message
from ediary_tui.screens.diary.child_screen import ChildScreen, Clock, Where
from ediary_tui.screens.events import session_message
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.keys import key

__all__ = ["StudentScreen", "Where", "current_week", "school_settings", "school_year_name"]


async def current_week(session: DiarySession, student_id: str, today: dt.date) -> Week | None:
    """This week's diary of the child: the saved copy, else the server's, else None."""
    read = reads.week(student_id, today)
    found = session.saved(read)
    week = found.value if found is not None else None
    if week is None or week.settings is None:
        try:
            week = (await session.fetch(read)).value
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


class StudentScreen(ChildScreen):
    """A read-only screen about one child: top bar, banner, child switcher, back with Escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape,q", "back", "student_view.key_back"),
        key("c", "switch_child", "keys.switch_child"),
        key("r", "refresh", "keys.refresh", show=False),
    ]
    MISSING: ClassVar[str] = ""  # what to say offline when there is no saved copy (a text key)
    # The screen's area names its texts and its look: "<area>.title" and "<area>.not_saved" in
    # the catalogue, "<area>.tcss" beside the code (after the look every such screen shares).
    AREA: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if area := vars(cls).get("AREA"):
            cls.TITLE_KEY = f"{area}.title"
            cls.MISSING = f"{area}.not_saved"
            cls.CSS_PATH = ["student_view.tcss", f"{area}.tcss"]

    # The answer on show (None while it loads); its watcher paints it.
    loaded: var[Cached[Any] | None] = var(None, init=False, always_update=True)

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        student_id: str,
        today: dt.date,
        clock: Clock | None = None,
    ) -> None:
        children = user.children
        child = next((c for c in children if c.id == student_id), children[0] if children else None)
        super().__init__(session, user, today=today, clock=clock, child=child)

    def compose_top(self) -> ComposeResult:
        yield from super().compose_top()
        yield Banner(id="banner")

    async def on_mount(self) -> None:
        self.painting = True
        await self.show_user()
        self.show_offline()
        self.show_child()

    # -- what subclasses do ------------------------------------------------------

    def about(self) -> Hashable:
        """What is on show (the child, the year...): an answer about anything else is late."""
        return self.child.id if self.child is not None else None

    def paint(self, loaded: Cached[Any]) -> None:
        """Show the answer."""
        raise NotImplementedError

    def watch_loaded(self, loaded: Cached[Any] | None) -> None:
        if not self.painting:
            return
        if loaded is None:
            self.show_loading()
        else:
            self.paint(loaded)

    # -- what the workers post ---------------------------------------------------

    @on(ChildScreen.Fetched)
    def _fetched(self, event: ChildScreen.Fetched) -> None:
        event.stop()
        self.show_offline()
        if event.about == self.about():
            self.fetched(event.found)

    def fetched(self, found: Cached[Any]) -> None:
        """The worker's answer about what is on show."""
        self.loaded = found

    @on(ChildScreen.FetchFailed)
    def _fetch_failed(self, event: ChildScreen.FetchFailed) -> None:
        event.stop()
        if event.about == self.about():
            self.failed(event.error)

    def failed(self, exc: ClientError) -> None:
        """The answer about what is on show could not be had: the saved copy stays, or a reason."""
        self.query_one(self.BODY).loading = False
        text = self.fetch_failed(exc, have_copy=self.loaded is not None, missing=_(self.MISSING))
        if text is not None:
            self.show_unavailable(text)
        elif self.loaded is not None:
            self.show_fetched(self.loaded, saved=True)
        self.refresh_bindings()

    def fetch_failed(self, exc: ClientError, *, have_copy: bool, missing: str) -> str | None:
        """Say what went wrong; the text to show in place of the data when there is none."""
        self.show_offline()
        # The app handles these as it does for the diary: a password first, or the login.
        if (message := session_message(exc)) is not None:
            self.post_message(message)
            return None
        if self.session.offline:
            return None if have_copy else missing
        text = error_message(exc.code, exc.message)
        if have_copy:
            self.notify(text, severity="error")
            return None
        return text

    def action_back(self) -> None:
        self.dismiss()
