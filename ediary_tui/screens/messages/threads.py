"""Messages and announcements: the conversations and the school's news, for every role.

A parent writes to a teacher of the child shown, a student to a teacher of
theirs (where the school allows it: the server says when not), a teacher to a
student or a parent of a student of their class (`FamilyThreadModal`).

On the left one list: the conversations, the most recently active first (an
unread one in bold with its count), then the announcements of the chosen
child's school and class. On the right whatever is highlighted: a
conversation's messages with a box to reply in, or an announcement's text.

Everything paints from the offline cache at once and is refreshed in
workers. A conversation is fetched when it is highlighted (the server marks it
read then), after a short pause, so that running down the list does not read
every conversation on the way. A reply or a new conversation that cannot be
sent stays where it was typed, with the reason under it; a retry carries the
same Idempotency-Key, so a reply the server did get is not sent twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, OptionList

from ediary_tui.client import reads
from ediary_tui.client.capabilities import Can
from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.clock import Clock, school_time
from ediary_tui.context import AppEvents
from ediary_tui.domain.models import (
    Announcement,
    Change,
    Role,
    Thread,
    ThreadList,
    ThreadSummary,
    User,
)
from ediary_tui.i18n import _, error_message
from ediary_tui.screens.diary.child_screen import ChildScreen, pick_child
from ediary_tui.screens.events import session_message
from ediary_tui.screens.messages.compose import NewThreadModal, ReplyBox
from ediary_tui.screens.messages.items import (
    ANNOUNCEMENT,
    THREAD,
    ItemList,
    Times,
    list_options,
    with_read,
)
from ediary_tui.screens.messages.reader import Reader, ReplyPane
from ediary_tui.screens.messages.to_family import FamilyThreadModal
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.keys import key

OPEN_DELAY = 0.3  # s a conversation stays highlighted before it is fetched (and so read)


# --- the screen ----------------------------------------------------------------------------


class MessagesScreen(ChildScreen):
    """Conversations and the announcements of the chosen child (a teacher's own, for staff)."""

    TITLE_KEY = "messages.title"
    OFFLINE_KEY = "messages.offline"
    CSS_PATH = "messages.tcss"
    AUTO_FOCUS = "#items"
    # Under 70 columns the top bar has no room for the time of the last update.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [
        (0, "-tight"),
        (70, "-narrow"),
        (120, "-wide"),
    ]
    # The second key of each pair is the same key on a Russian (ЙЦУКЕН) layout.
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape,q", "back", "messages.key_back"),
        key("r", "reply", "messages.key_reply"),
        key("n", "new_thread", "messages.key_new"),
        key("c", "switch_child", "messages.key_child"),
        key("a", "announcements", "messages.key_announcements", show=False),
        Binding("ctrl+r", "refresh", "messages.key_refresh", show=False),
    ]

    @dataclass
    class Unread(Message):
        """The conversations as now known (read or replied to): the app's count follows."""

        threads: ThreadList

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        student_id: str | None,
        today: dt.date,
        clock: Clock | None = None,
        thread_id: str | None = None,
        announcement_id: str | None = None,
        class_id: str | None = None,
    ) -> None:
        child = pick_child(user, student_id)
        super().__init__(session, user, today=today, clock=clock, child=child)
        self.times = Times(today, self.clock)
        self.threads: ThreadList | None = None
        self.announcements: list[Announcement] | None = None
        self.thread: Thread | None = None
        self._first_unread: dict[str, str] = {}  # thread -> first unread message when opened
        # What to show first (from what's new): a conversation or an announcement.
        self._current: str | None = None
        if thread_id:
            self._current = THREAD + thread_id
        elif announcement_id:
            self._current = ANNOUNCEMENT + announcement_id
        self._fetched: dt.datetime | None = None
        self.class_id = class_id  # a teacher's new conversation: the journal's class first

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Banner(id="banner")
        with Horizontal(id="panes"):
            yield ItemList(id="items")
            yield Reader(self.session, self.times, id="reader")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        await self.show_user()
        self.painting = True
        threads = self.session.saved(reads.threads())
        self.threads = threads.value if threads is not None else None
        self.announcements = self._saved_announcements()
        self._show_list()
        self.show_freshness(_("week.from_cache") if self.threads else _("messages.loading"))
        self.show_offline()
        self._load()
        if isinstance(self.app, AppEvents):
            self.app.news_signal.subscribe(self, self.news_arrived)

    # -- what the app tells the screen -------------------------------------------

    def news_arrived(self, news: list[Change]) -> None:
        """A message or an announcement arrived: fetch the lists (and the open conversation)."""
        self._load()

    # -- painting ----------------------------------------------------------------

    def _saved_announcements(self) -> list[Announcement] | None:
        saved = self.session.saved(reads.announcements(self._child_id()))
        return saved.value.announcements if saved is not None else None

    def _child_id(self) -> str | None:
        return self.child.id if self.child is not None else None

    def _show_list(self) -> None:
        """Rebuild the list, keeping the highlighted item where it still is."""
        listing = self.query_one(ItemList)
        options = list_options(
            self.threads,
            self.announcements,
            user=self.user,
            times=self.times,
            not_yet=self._not_yet(),
            empty=self._empty(),
        )
        listing.fill(options, self._current)
        if listing.highlighted is None:
            self._show_item(None)

    def _not_yet(self) -> str:
        """What stands for a list not loaded yet: loading, or never loaded when offline."""
        return _("messages.not_saved") if self.session.offline else _("messages.loading")

    def _show_item(self, option_id: str | None) -> None:
        """Show what is highlighted: a conversation (and fetch it) or an announcement."""
        self._current = option_id
        if option_id is not None and option_id.startswith(THREAD):
            thread_id = option_id.removeprefix(THREAD)
            if self.thread is None or self.thread.id != thread_id:  # not merely repainted
                saved = self.session.saved(reads.thread(thread_id))
                if saved is not None:
                    self._show_thread(saved.value)
                else:
                    self._show_summary(thread_id)
                self._open(thread_id, wait=True)
        else:
            # Moved on before the conversation was fetched: it stays unread.
            self.workers.cancel_group(self, "thread")
            if option_id is not None and option_id.startswith(ANNOUNCEMENT):
                self._show_announcement(option_id.removeprefix(ANNOUNCEMENT))
            else:
                self.thread = None
                self.query_one(Reader).show("", Content(_("messages.nothing_selected")))
        self.refresh_bindings()

    def _summary(self, thread_id: str) -> ThreadSummary | None:
        if self.threads is None:
            return None
        return next((t for t in self.threads.threads if t.id == thread_id), None)

    def _show_summary(self, thread_id: str) -> None:
        self.thread = None
        self.query_one(Reader).show_summary(self._summary(thread_id))

    def _show_thread(self, thread: Thread) -> None:
        self.thread = thread
        self.refresh_bindings()  # r replies now
        self.query_one(Reader).show_thread(thread, self._first_unread.get(thread.id))

    def _show_announcement(self, announcement_id: str) -> None:
        self.thread = None
        item = next((a for a in self.announcements or [] if a.id == announcement_id), None)
        self.query_one(Reader).show_announcement(item)

    # -- the network -----------------------------------------------------------

    def _failed(self, exc: ClientError) -> None:
        """Say what went wrong with a read; the saved copy stays on screen."""
        message = session_message(exc)
        if message is not None:
            self.post_message(message)
        elif isinstance(exc, ServerUnreachable):
            self.show_offline()
            saved = self._fetched is not None or self.threads is not None
            self.show_freshness(_("week.from_cache") if saved else "")
        else:
            self.notify(error_message(exc.code, exc.message), severity="error")

    @work(exclusive=True, group="load")
    async def _load(self) -> None:
        """Fetch the conversations and the child's announcements; repaint what changed."""
        child = self.child
        try:
            threads = (await self.session.fetch(reads.threads())).value
            found = await self.session.fetch(reads.announcements(self._child_id()))
        except ClientError as exc:
            self._failed(exc)
            if self.threads is None or self.announcements is None:
                self._show_list()  # "loading…" becomes "never loaded"
            return
        if child is not self.child:
            return
        announcements = found.value.announcements
        self._fetched = self.clock()
        self.show_offline()
        fetched = school_time(self._fetched, self._fetched.tzinfo)
        self.show_freshness(_("week.updated", time=f"{fetched:%H:%M}"))
        if threads != self.threads or announcements != self.announcements:
            self.threads, self.announcements = threads, announcements
            self._show_list()
        self.post_message(self.Unread(threads))
        if self.thread is not None and self._current == THREAD + self.thread.id:
            summary = self._summary(self.thread.id)
            if summary is not None and summary.unread:
                self._open(self.thread.id, wait=False)

    @work(exclusive=True, group="thread")
    async def _open(self, thread_id: str, *, wait: bool) -> None:
        """Fetch a conversation (the server marks it read) and show it if still highlighted."""
        if wait:
            await asyncio.sleep(OPEN_DELAY)  # moving on cancels this before anything is read
        try:
            thread = (await self.session.fetch(reads.thread(thread_id))).value
        except ClientError as exc:
            self._failed(exc)
            shown = self._current == THREAD + thread_id and self.thread is not None
            if isinstance(exc, ServerUnreachable) and not shown:
                summary = self._summary(thread_id)
                subject = summary.subject if summary else ""
                self.query_one(Reader).show(subject, Content(_("messages.thread_not_saved")))
            return
        self.show_offline()
        if thread.first_unread_id is not None:
            self._first_unread[thread.id] = thread.first_unread_id
        if self._current == THREAD + thread_id and thread != self.thread:
            self._show_thread(thread)
        self._read(thread)

    def _read(self, thread: Thread) -> None:
        """The conversation is read (or replied to): its line and the count follow."""
        if self.threads is None:
            return
        updated = with_read(self.threads, thread)
        if updated == self.threads:
            return
        self.threads = updated
        self.session.keep(reads.threads(), updated)
        self._show_list()
        self.post_message(self.Unread(updated))

    # -- replying ------------------------------------------------------------------

    @on(ReplyBox.Submitted, "#reply")
    def _submit(self, event: ReplyBox.Submitted) -> None:
        event.stop()
        if self.thread is not None:
            self.query_one(ReplyPane).send(self.thread.id)

    @on(ReplyPane.Answered)
    def _answered(self, event: ReplyPane.Answered) -> None:
        """The reply is in the conversation (kept with it), which counts as read."""
        said = event.said
        if said is not None or self.session.offline:
            self.show_offline()
        if said is None:
            return
        read = reads.thread(event.thread_id)
        thread = (
            self.thread if self.thread is not None and self.thread.id == event.thread_id else None
        )
        if thread is None and (saved := self.session.saved(read)) is not None:
            thread = saved.value
        if thread is not None:
            thread = thread.model_copy(update={"messages": [*thread.messages, said]})
            self.session.keep(read, thread)
            if self._current == THREAD + thread.id:
                self._show_thread(thread)
            self._read(thread)

    # -- the list ------------------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#items")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._show_item(event.option.id)

    @on(OptionList.OptionSelected, "#items")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click: a conversation is opened at once and the reply box focused."""
        event.stop()
        option_id = event.option.id
        if option_id is not None and option_id.startswith(THREAD):
            if self.thread is None or THREAD + self.thread.id != option_id:
                self._open(option_id.removeprefix(THREAD), wait=False)
            if self.session.can(Can.WRITE_MESSAGES):
                self.query_one("#reply", ReplyBox).focus()
            else:
                self.query_one("#conversation").focus()
        else:
            self.query_one("#conversation").focus()

    # -- actions -----------------------------------------------------------------

    def _writes_to_families(self) -> bool:
        """Staff who teach or lead a class start conversations with its students and families."""
        user = self.user
        staff = bool({Role.TEACHER, Role.CLASS_TEACHER} & set(user.roles))
        return staff and bool(user.teaching or user.class_teacher_of)

    def _may_start(self) -> bool:
        """A parent writes to a teacher of the child shown, a student to a teacher of theirs
        (the server refuses, saying why, where the school does not allow it), a teacher to a
        student of their class or a parent."""
        if not self.session.can(Can.WRITE_MESSAGES):
            return False
        child = self.child
        if child is not None and (
            (Role.PARENT in self.user.roles and child.id != self.user.id)
            or (Role.STUDENT in self.user.roles and child.id == self.user.id)
        ):
            return True
        return self._writes_to_families()

    def _empty(self) -> str:
        """What an empty list of conversations says: how to start one, where one can."""
        if not self._may_start():
            return _("messages.no_threads")
        if (
            self.child is not None
            and self.child.id != self.user.id
            and Role.PARENT in self.user.roles
        ):
            return _("messages.no_threads_parent")
        if self._writes_to_families():
            return _("conversations.no_threads_teacher")
        return _("messages.no_threads_parent")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new_thread":
            return self._may_start()
        if action == "reply":
            if not self.session.can(Can.WRITE_MESSAGES):
                return False
            return self.thread is not None or None
        return super().check_action(action, parameters)

    def action_back(self) -> None:
        """Out of the reply box first, then back to the diary."""
        if isinstance(self.focused, ReplyBox):
            self.query_one(ItemList).focus()
        else:
            self.dismiss(None)

    def action_reply(self) -> None:
        if self.thread is not None:
            self.query_one("#reply", ReplyBox).focus()

    def action_announcements(self) -> None:
        self.query_one(ItemList).to_announcements()

    def action_refresh(self) -> None:
        self.show_freshness(_("week.refreshing"))
        self._load()

    def show_child(self) -> None:
        """Another child: their announcements (the conversations are all shown anyway)."""
        self.announcements = self._saved_announcements()
        self._show_list()
        self.refresh_bindings()
        self._load()

    def action_new_thread(self) -> None:
        child = self.child
        if not self._may_start():
            return

        def written(thread: Thread | None) -> None:
            if thread is None:
                return
            self.session.keep(reads.thread(thread.id), thread)
            self._current = THREAD + thread.id
            if self.threads is None:
                self.threads = ThreadList(threads=[], unread_total=0)
            self._read(thread)
            self._show_thread(thread)
            self._load()

        to_teacher = child is not None and bool({Role.PARENT, Role.STUDENT} & set(self.user.roles))
        if child is not None and to_teacher and not (self.class_id and self._writes_to_families()):
            self.app.push_screen(NewThreadModal(self.session, self.user, child), written)
        else:
            modal = FamilyThreadModal(self.session, self.user, class_id=self.class_id)
            self.app.push_screen(modal, written)
