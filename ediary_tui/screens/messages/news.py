"""What's new: the marks, homework, announcements and messages that arrived, newest first.

The app follows the server's change feed (`ediary_tui.client.changes`) while
it runs; this module says in words what each change means ("New mark 5 in
Алгебра"), raises the notifications, puts the counts after the keys that open
the lists ("messages 2", "what's new 3"), and is the screen that lists the
news. The list paints from the offline cache, where the follower keeps it, so
it needs no network; Enter on a mark, an absence or homework goes back to the
diary on the week of that day, on a message or an announcement to the
messages screen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client.changes import ChangeFollower
from ediary_tui.client.session import DiarySession
from ediary_tui.clock import Clock, school_time
from ediary_tui.context import AppEvents
from ediary_tui.domain.models import Change, User
from ediary_tui.i18n import _, day_month, short_date
from ediary_tui.screens.messages.threads import MessagesScreen
from ediary_tui.widgets.keys import LocalisedKeys, key

DOT = "•"
MAX_TOASTS = 3  # more news at once than this make one notification, not a pile
# The keys that open the lists, by action, and the catalogue key of their words.
BADGED = {"messages": "news.key_messages", "whats_new": "news.key_whats_new"}
# Changes that happened on one day of the diary: Enter shows that week.
ON_A_DAY = frozenset({"mark", "mark_deleted", "attendance", "homework"})


@dataclass(frozen=True)
class DiaryDay:
    """Where Enter on a change leads in the diary: a child (when known) and a day."""

    student_id: str | None
    date: dt.date


# --- words -----------------------------------------------------------------------


def _mark_text(value: object, is_dot: object) -> str:
    return DOT if is_dot or value is None else str(value)


def describe(change: Change) -> str:
    """One line that says what changed, in the current language."""
    data = change.data
    subject = str(data.get("subject", ""))
    kind = change.kind
    if kind == "mark":
        now = _mark_text(data.get("value"), data.get("is_dot"))
        was = data.get("from")
        if was is None:
            if now == DOT:
                return _("news.dot", subject=subject)
            return _("news.mark", value=now, subject=subject)
        if was == now:
            return _("news.mark_updated", value=now, subject=subject)
        return _("news.mark_changed", subject=subject, was=was, now=now)
    if kind == "mark_deleted":
        was = data.get("from") or _mark_text(data.get("value"), data.get("is_dot"))
        return _("news.mark_deleted", was=was, subject=subject)
    if kind == "period_mark":
        period = str(data.get("period", ""))
        if data.get("value") is None:
            return _("news.period_mark_removed", period=period, subject=subject)
        return _("news.period_mark", period=period, value=data["value"], subject=subject)
    day = day_of(change)
    when = day_month(day) if day is not None else ""
    if kind == "attendance":
        what = _(f"attendance.{data.get('code')}")
        return _("news.attendance", subject=subject, date=when, what=what)
    if kind == "homework":
        action = str(data.get("action"))
        key = f"news.homework_{action}" if action in ("set", "removed") else "news.homework_revised"
        return _(key, subject=subject, date=when)
    if kind == "announcement":
        return _("news.announcement", title=data.get("title", ""))
    if kind == "message":
        return _("news.message", author=data.get("author", ""), subject=subject)
    return change.summary or kind


def day_of(change: Change) -> dt.date | None:
    """The day of the diary a change is about, when it has one."""
    raw = change.data.get("date")
    if not isinstance(raw, str):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def child_name(change: Change, user: User) -> str | None:
    """The child's first name, when a parent of several needs to know which child."""
    if len(user.children) < 2 or change.student_id is None:
        return None
    child = next((c for c in user.children if c.id == change.student_id), None)
    if child is None:
        return None
    names = child.full_name.split()
    return names[1] if len(names) > 1 else child.full_name


def describe_for(change: Change, user: User) -> str:
    """`describe`, with whose it is when the user has several children."""
    text = describe(change)
    child = child_name(change, user)
    return _("news.for_child", child=child, text=text) if child else text


def notify_news(app: App[object], news: list[Change], user: User) -> None:
    """A notification per change; one for all of them when many arrive at once."""
    if len(news) > MAX_TOASTS:
        app.notify(_("news.many", count=len(news)), title=_("news.title"))
        return
    for change in news:
        app.notify(describe_for(change, user), title=_("news.title"))


def badge(binding: Binding, *, messages: int, news: int) -> Binding:
    """The keys that open the lists, with their counts, in the footer while there are any.

    "m messages 2" and "w news 3" appear in the footer when something is
    unread or new, and leave it when nothing is: 80 columns have no room for
    them all the time (help and the command palette always list them).
    """
    words = BADGED.get(binding.action)
    if words is None:
        return binding
    count = {"messages": messages, "whats_new": news}[binding.action]
    text = _("news.badge", what=_(words), count=count) if count else _(words)
    return replace(binding, description=text, show=bool(count))


# --- the screen ----------------------------------------------------------------------


class NewsList(OptionList):
    """The news, one a line; Enter opens the highlighted one (and says so in the footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "news.key_open")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)


class WhatsNewScreen(LocalisedKeys, Screen[DiaryDay | None]):
    """The news kept by the change follower; opening the list makes them seen."""

    CSS_PATH = "whats_new.tcss"
    AUTO_FOCUS = "#news"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape,q", "back", "news.key_back"),
    ]

    class Seen(Message):
        """The user has looked at the news: the app's count goes to nothing."""

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        today: dt.date,
        clock: Clock | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.user = user
        self.today = today
        self.clock: Clock = clock or (lambda: dt.datetime.now().astimezone())
        self.news: list[Change] = []
        self.unseen: set[str] = set()

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Label(_("news.title"), id="title")
            yield Label(id="count", markup=False)
        yield NewsList(id="news")
        yield Static(id="empty", markup=False)
        yield Static(id="details", markup=False)
        yield Footer(compact=True)

    @property
    def follower(self) -> ChangeFollower:
        """The app's one change follower: the news it keeps and how many are unseen."""
        app = self.app
        if not isinstance(app, AppEvents):
            raise TypeError(f"{type(self).__name__} shows the news of the diary app, not {app!r}")
        return app.follower

    def on_mount(self) -> None:
        self._load()
        app = self.app
        if isinstance(app, AppEvents):
            app.news_signal.subscribe(self, self.news_arrived)

    # -- what the app tells the screen -------------------------------------------

    def news_arrived(self, news: list[Change]) -> None:
        """The follower kept new changes: list them, highlighted, and they are seen."""
        self._load()

    # -- painting ----------------------------------------------------------------

    def _load(self) -> None:
        news = self.follower.news()
        self.unseen |= {c.id for c in news[: self.follower.unseen]}
        self.follower.mark_seen()
        self.post_message(self.Seen())
        self.news = news
        listing = self.query_one(NewsList)
        highlighted = listing.highlighted
        kept = listing.get_option_at_index(highlighted).id if highlighted is not None else None
        width = max((len(self._when(c.at)) for c in news), default=0)
        listing.clear_options()
        listing.add_options(self._option(change, width) for change in news)
        ids = [c.id for c in news]
        if ids:
            listing.highlighted = ids.index(kept) if kept in ids else 0
        listing.display = bool(news)
        empty = self.query_one("#empty", Static)
        empty.display = not news
        empty.update(Content(_("news.empty")))
        count = len(self.unseen)
        self.query_one("#count", Label).update(
            Content(_("news.unseen", count=count) if count else _("news.none_new"))
        )
        self._show_details()

    def _when(self, moment: dt.datetime) -> str:
        local = school_time(moment, self.clock().tzinfo)
        if local.date() == self.today:
            return f"{local:%H:%M}"
        return f"{short_date(local.date())} {local:%H:%M}"

    def _option(self, change: Change, width: int) -> Option:
        new = change.id in self.unseen
        return Option(
            Content.assemble(
                (" ● " if new else "   ", "$text-accent"),
                (f"{self._when(change.at):>{width}}  ", "$text-muted"),
                (describe_for(change, self.user), "bold" if new else ""),
            ),
            id=change.id,
        )

    def _selected(self) -> Change | None:
        index = self.query_one(NewsList).highlighted
        return self.news[index] if index is not None and index < len(self.news) else None

    def _show_details(self) -> None:
        change = self._selected()
        details = self.query_one("#details", Static)
        details.display = change is not None
        if change is None:
            return
        hint = self._hint(change)
        details.update(Content(" · ".join(p for p in (describe_for(change, self.user), hint) if p)))

    def _hint(self, change: Change) -> str:
        day = day_of(change)
        if change.kind in ON_A_DAY and day is not None:
            return _("news.open_week", date=day_month(day))
        if change.kind == "message":
            return _("news.open_message")
        if change.kind == "announcement":
            return _("news.open_announcement")
        return ""

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_details()

    # -- actions -----------------------------------------------------------------

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        change = self._selected()
        if change is None:
            return
        day = day_of(change)
        if change.kind in ON_A_DAY and day is not None:
            self.dismiss(DiaryDay(change.student_id, day))
        elif change.kind in ("message", "announcement"):
            student = change.student_id
            if student is None and self.user.children:
                student = self.user.children[0].id
            self.app.push_screen(
                MessagesScreen(
                    self.session,
                    self.user,
                    student_id=student,
                    today=self.today,
                    clock=self.clock,
                    thread_id=str(change.data.get("thread_id"))
                    if change.kind == "message"
                    else None,
                    announcement_id=change.entity_id if change.kind == "announcement" else None,
                )
            )

    def action_back(self) -> None:
        self.dismiss(None)
