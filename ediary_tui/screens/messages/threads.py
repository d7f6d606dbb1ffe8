"""Messages and announcements: the conversations with teachers and the school's news.

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
import uuid
from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client.changes import THREADS
from ediary_tui.client.errors import (
    ClientError,
    NotLoggedIn,
    PasswordChangeRequired,
    ServerUnreachable,
)
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import (
    Announcement,
    AnnouncementList,
    ChildRef,
    Role,
    Thread,
    ThreadList,
    ThreadSummary,
    User,
)
from ediary_tui.i18n import _, date_time, error_message, short_date
from ediary_tui.screens.events import PasswordRequired, SessionEnded
from ediary_tui.screens.messages.compose import (
    MAX_BODY,
    NewThreadModal,
    ReplyBox,
    Store,
    online,
)
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.child_switcher import ChildSwitcher, short_name
from ediary_tui.widgets.keys import LocalisedKeys, key

Clock = Callable[[], dt.datetime]

OPEN_DELAY = 0.3  # s a conversation stays highlighted before it is fetched (and so read)
THREAD = "t:"  # option ids of the list: a conversation, an announcement
ANNOUNCEMENT = "a:"


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class ItemList(OptionList):
    """The conversations and announcements; Enter opens one (and says so in the footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select", "news.key_open")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)


# --- the screen ----------------------------------------------------------------------------


class MessagesScreen(LocalisedKeys, Screen[None]):
    """Conversations with teachers and the announcements of the chosen child."""

    CSS_PATH = "messages.tcss"
    AUTO_FOCUS = "#items"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (120, "-wide")]
    # The second key of each pair is the same key on a Russian (ЙЦУКЕН) layout.
    BINDINGS: ClassVar[list[BindingType]] = [
        key("escape,q", "back", "messages.key_back"),
        key("r", "reply", "messages.key_reply"),
        key("n", "new_thread", "messages.key_new"),
        key("c", "switch_child", "messages.key_child"),
        key("a", "announcements", "messages.key_announcements", show=False),
        Binding("ctrl+r", "refresh", "messages.key_refresh", show=False),
    ]

    class Unread(Message):
        """The conversations as now known (read or replied to): the app's count follows."""

        def __init__(self, threads: ThreadList) -> None:
            super().__init__()
            self.threads = threads

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
    ) -> None:
        super().__init__()
        self.session = session
        self.user = user
        self.today = today
        self.clock: Clock = clock or _local_now
        self.store = Store(session, user)
        ids = [c.id for c in user.children]
        self.child: ChildRef | None = (
            user.children[ids.index(student_id)]
            if student_id in ids
            else (user.children[0] if user.children else None)
        )
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
        self._reply_key: tuple[tuple[str, str], str] | None = None
        self._fetched: dt.datetime | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Label(_("messages.title"), id="title")
            yield Label(id="who", markup=False)
            yield ChildSwitcher(id="children")
            yield Label(id="freshness", markup=False)
        yield Banner(id="banner")
        with Horizontal(id="panes"):
            yield ItemList(id="items")
            with Vertical(id="reader"):
                yield Static(id="heading", markup=False)
                with VerticalScroll(id="conversation"):
                    yield Static(id="text", markup=False)
                with Vertical(id="compose"):
                    yield ReplyBox(placeholder=_("messages.reply_placeholder"), id="reply")
                    yield Static(_("messages.reply_hint"), id="reply-status", markup=False)
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        switcher = self.query_one(ChildSwitcher)
        switcher.display = len(self.user.children) > 1
        await switcher.set_children(self.user.children, self.child.id if self.child else None)
        self._show_who()
        self.threads = self.store.get(ThreadList, THREADS, "")
        cached = self.store.get(AnnouncementList, "announcements", self._announcements_key())
        self.announcements = cached.announcements if cached is not None else None
        self._show_list()
        self._show_freshness(_("week.from_cache") if self.threads else _("messages.loading"))
        self._show_offline()
        self._load()

    # -- what the app tells the screen -------------------------------------------

    def news_arrived(self) -> None:
        """A message or an announcement arrived: fetch the lists (and the open conversation)."""
        self._load()

    # -- painting ----------------------------------------------------------------

    def _announcements_key(self) -> str:
        return self.child.id if self.child is not None else ""

    def _show_who(self) -> None:
        who = self.query_one("#who", Label)
        child = self.child
        who.display = child is not None and len(self.user.children) <= 1
        if child is not None:
            who.update(Content(f"{short_name(child.full_name)}, {child.class_name}"))

    def _show_freshness(self, text: str) -> None:
        self.query_one("#freshness", Label).update(Content(text))

    def _show_offline(self) -> None:
        banner = self.query_one(Banner)
        if self.session.offline:
            banner.show(_("messages.offline", server=self.session.server), "warning")
        else:
            banner.hide()

    def _local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.clock().tzinfo)

    def _when(self, moment: dt.datetime) -> str:
        """18:05 today, 23 Nov before."""
        local = self._local(moment)
        return f"{local:%H:%M}" if local.date() == self.today else short_date(local.date())

    def _child_label(self, summary: ThreadSummary) -> str:
        """The child's first name, when a parent of several needs to know which one."""
        if len(self.user.children) > 1 or Role.PARENT not in self.user.roles:
            names = summary.student.full_name.split()
            return names[1] if len(names) > 1 else summary.student.full_name
        return ""

    def _thread_option(self, summary: ThreadSummary) -> Option:
        unread = summary.unread
        when = self._when(
            summary.last_message.created_at if summary.last_message else summary.created_at
        )
        about = " · ".join(
            p
            for p in (short_name(summary.correspondent.full_name), self._child_label(summary), when)
            if p
        )
        return Option(
            Content.assemble(
                ("● " if unread else "  ", "$text-accent"),
                (summary.subject, "bold" if unread else ""),
                (f" ({unread})" if unread else "", "bold $text-accent"),
                "\n  ",
                (about, "$text-muted"),
            ),
            id=THREAD + summary.id,
        )

    def _announcement_option(self, item: Announcement) -> Option:
        where = (
            _("messages.class_name", name=item.class_name)
            if item.class_name
            else _("messages.whole_school")
        )
        return Option(
            Content.assemble(
                "  ",
                item.title,
                "\n  ",
                (f"{where} · {self._when(item.created_at)}", "$text-muted"),
            ),
            id=ANNOUNCEMENT + item.id,
        )

    @staticmethod
    def _heading(text: str) -> Option:
        return Option(Content.styled(text, "bold $text-primary"), disabled=True)

    def _show_list(self) -> None:
        """Rebuild the list, keeping the highlighted item where it still is."""
        listing = self.query_one(ItemList)
        options: list[Option | None] = []
        threads = self.threads
        if threads is not None and threads.unread_total:
            options.append(self._heading(_("messages.threads_unread", count=threads.unread_total)))
        else:
            options.append(self._heading(_("messages.threads")))
        if threads is not None and threads.threads:
            options.extend(self._thread_option(t) for t in threads.threads)
        elif threads is not None:
            empty = "messages.no_threads_parent" if self._may_start() else "messages.no_threads"
            options.append(Option(Content.styled(_(empty), "$text-muted"), disabled=True))
        else:
            options.append(Option(Content.styled(self._not_yet(), "$text-muted"), disabled=True))
        options.append(None)
        options.append(self._heading(_("messages.announcements")))
        if self.announcements:
            options.extend(self._announcement_option(a) for a in self.announcements)
        else:
            words = (
                _("messages.no_announcements")
                if self.announcements is not None
                else self._not_yet()
            )
            options.append(Option(Content.styled(words, "$text-muted"), disabled=True))
        real = [o for o in options if o is not None]  # a None is a divider, not an option
        ids = [o.id for o in real]
        with self.app.batch_update():
            listing.clear_options()
            listing.add_options(options)
            if self._current is not None and self._current in ids:
                listing.highlighted = ids.index(self._current)
            else:
                listing.highlighted = next((i for i, o in enumerate(real) if not o.disabled), None)
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
                cached = self.store.get(Thread, "thread", thread_id)
                if cached is not None:
                    self._show_thread(cached)
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
                self._show_text("", Content(_("messages.nothing_selected")), reply=False)
        self.refresh_bindings()

    def _summary(self, thread_id: str) -> ThreadSummary | None:
        if self.threads is None:
            return None
        return next((t for t in self.threads.threads if t.id == thread_id), None)

    def _show_text(self, heading: str, text: Content, *, reply: bool, end: bool = False) -> None:
        self.query_one("#heading", Static).update(Content.styled(heading, "bold"))
        self.query_one("#text", Static).update(text)
        self.query_one("#compose").display = reply
        scroll = self.query_one("#conversation", VerticalScroll)
        if end:
            scroll.call_after_refresh(scroll.scroll_end, animate=False)
        else:
            scroll.scroll_home(animate=False)

    def _about(self, summary: ThreadSummary) -> str:
        child = short_name(summary.student.full_name)
        if summary.class_name:
            child = f"{child}, {summary.class_name}"
        return _("messages.with_whom", who=summary.correspondent.full_name, child=child)

    def _show_summary(self, thread_id: str) -> None:
        """A conversation not yet fetched: what the list knows, until the worker answers."""
        self.thread = None
        summary = self._summary(thread_id)
        if summary is None:
            self._show_text("", Content(_("messages.loading")), reply=False)
            return
        parts: list[Content] = [Content.styled(self._about(summary), "$text-muted"), Content("")]
        if summary.last_message is not None:
            parts.extend(
                self._message_lines(
                    summary.last_message.author.full_name,
                    summary.last_message.mine,
                    summary.last_message.created_at,
                    summary.last_message.body,
                )
            )
        parts.append(Content.styled(_("messages.loading"), "$text-muted"))
        self._show_text(summary.subject, Content("\n").join(parts), reply=False)

    def _message_lines(self, author: str, mine: bool, at: dt.datetime, body: str) -> list[Content]:
        who = _("messages.you") if mine else author
        style = "bold $text-success" if mine else "bold $text-primary"
        return [
            Content.assemble((who, style), (f" · {date_time(self._local(at))}", "$text-muted")),
            Content(body),
            Content(""),
        ]

    def _show_thread(self, thread: Thread) -> None:
        self.thread = thread
        self.refresh_bindings()  # r replies now
        first_unread = self._first_unread.get(thread.id)
        parts: list[Content] = [Content.styled(self._about(thread), "$text-muted"), Content("")]
        for message in thread.messages:
            if message.id == first_unread:
                parts.append(
                    Content.styled(f"── {_('messages.new_divider')} ──", "bold $text-accent")
                )
            parts.extend(
                self._message_lines(
                    message.author.full_name, message.mine, message.created_at, message.body
                )
            )
        self._show_text(thread.subject, Content("\n").join(parts), reply=True, end=True)

    def _show_announcement(self, announcement_id: str) -> None:
        self.thread = None
        item = next((a for a in self.announcements or [] if a.id == announcement_id), None)
        if item is None:
            self._show_text("", Content(_("messages.nothing_selected")), reply=False)
            return
        where = (
            _("messages.class_name", name=item.class_name)
            if item.class_name
            else _("messages.whole_school")
        )
        meta = f"{item.author.full_name} · {where} · {date_time(self._local(item.created_at))}"
        text = Content("\n").join(
            [Content.styled(meta, "$text-muted"), Content(""), Content(item.body)]
        )
        self._show_text(item.title, text, reply=False)

    # -- the network -----------------------------------------------------------

    def _failed(self, exc: ClientError) -> None:
        """Say what went wrong with a read; the saved copy stays on screen."""
        if isinstance(exc, PasswordChangeRequired):
            self.post_message(PasswordRequired())
        elif isinstance(exc, NotLoggedIn):
            self.post_message(SessionEnded())
        elif isinstance(exc, ServerUnreachable):
            self._show_offline()
            saved = self._fetched is not None or self.threads is not None
            self._show_freshness(_("week.from_cache") if saved else "")
        else:
            self.notify(error_message(exc.code, exc.message), severity="error")

    @work(exclusive=True, group="load")
    async def _load(self) -> None:
        """Fetch the conversations and the child's announcements; repaint what changed."""
        client = self.session.client
        child = self.child
        try:
            threads = await online(self.session, client.threads())
            announcements = await online(
                self.session, client.announcements(child.id if child else None)
            )
        except ClientError as exc:
            self._failed(exc)
            if self.threads is None or self.announcements is None:
                self._show_list()  # "loading…" becomes "never loaded"
            return
        if child is not self.child:
            return
        self._fetched = self.clock()
        self.store.put(THREADS, "", threads)
        self.store.put(
            "announcements",
            self._announcements_key(),
            AnnouncementList(announcements=announcements),
        )
        self._show_offline()
        self._show_freshness(_("week.updated", time=f"{self._fetched:%H:%M}"))
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
            thread = await online(self.session, self.session.client.thread(thread_id))
        except ClientError as exc:
            self._failed(exc)
            shown = self._current == THREAD + thread_id and self.thread is not None
            if isinstance(exc, ServerUnreachable) and not shown:
                summary = self._summary(thread_id)
                self._show_text(
                    summary.subject if summary else "",
                    Content(_("messages.thread_not_saved")),
                    reply=False,
                )
            return
        self._show_offline()
        if thread.first_unread_id is not None:
            self._first_unread[thread.id] = thread.first_unread_id
        self.store.put("thread", thread_id, thread)
        if self._current == THREAD + thread_id and thread != self.thread:
            self._show_thread(thread)
        self._read(thread)

    def _read(self, thread: Thread) -> None:
        """The conversation is read (or replied to): its line and the count follow."""
        if self.threads is None:
            return
        rest = [t for t in self.threads.threads if t.id != thread.id]
        summary = ThreadSummary.model_validate(
            thread.model_dump(exclude={"messages", "first_unread_id"})
            | {"unread": 0, "last_message": thread.messages[-1] if thread.messages else None}
        )
        threads = sorted(
            [summary, *rest],
            key=lambda t: t.last_message.created_at if t.last_message else t.created_at,
            reverse=True,
        )
        updated = ThreadList(threads=threads, unread_total=sum(t.unread for t in threads))
        if updated == self.threads:
            return
        self.threads = updated
        self.store.put(THREADS, "", updated)
        self._show_list()
        self.post_message(self.Unread(updated))

    # -- replying ------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#reply-status", Static)
        status.update(Content(text or _("messages.reply_hint")))
        status.set_class(error, "-error")

    @on(ReplyBox.Submitted, "#reply")
    def _submit(self, event: ReplyBox.Submitted) -> None:
        event.stop()
        thread = self.thread
        if thread is None:
            return
        text = event.box.text.strip()
        if not text:
            self._say(_("messages.empty_reply"), error=True)
            return
        if len(text) > MAX_BODY:
            self._say(_("messages.too_long", max=MAX_BODY, length=len(text)), error=True)
            return
        what = (thread.id, text)
        if self._reply_key is None or self._reply_key[0] != what:  # the same text keeps its key
            self._reply_key = (what, str(uuid.uuid4()))
        self._say(_("messages.sending"))
        self._send(thread.id, text, self._reply_key[1])

    @work(exclusive=True, group="send")
    async def _send(self, thread_id: str, text: str, key: str) -> None:
        try:
            message = await online(
                self.session, self.session.client.reply(thread_id, text, idempotency_key=key)
            )
        except ServerUnreachable:
            self._show_offline()
            self._say(_("messages.offline_not_sent"), error=True)
            return
        except ClientError as exc:
            if isinstance(exc, (NotLoggedIn, PasswordChangeRequired)):
                self._failed(exc)
            reason = error_message(exc.code, exc.message).rstrip(".") + "."
            self._say(_("messages.not_sent", reason=reason), error=True)
            return
        self._reply_key = None
        self._show_offline()
        box = self.query_one("#reply", ReplyBox)
        if box.text.strip() == text:
            box.clear()
        self._say(_("messages.sent"))
        cached = self.thread if self.thread is not None and self.thread.id == thread_id else None
        cached = cached or self.store.get(Thread, "thread", thread_id)
        if cached is not None:
            thread = cached.model_copy(update={"messages": [*cached.messages, message]})
            self.store.put("thread", thread_id, thread)
            if self._current == THREAD + thread_id:
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
            self.query_one("#reply", ReplyBox).focus()
        else:
            self.query_one("#conversation").focus()

    # -- actions -----------------------------------------------------------------

    def _may_start(self) -> bool:
        """A parent writes to a teacher of the child shown; a teacher answers, from the journal."""
        return (
            Role.PARENT in self.user.roles
            and self.child is not None
            and self.child.id != self.user.id
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_child":
            return len(self.user.children) > 1
        if action == "new_thread":
            return self._may_start()
        if action == "reply":
            return self.thread is not None or None
        return True

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
        listing = self.query_one(ItemList)
        for index in range(listing.option_count):
            option_id = listing.get_option_at_index(index).id
            if option_id is not None and option_id.startswith(ANNOUNCEMENT):
                listing.highlighted = index
                listing.focus()
                return

    def action_refresh(self) -> None:
        self._show_freshness(_("week.refreshing"))
        self._load()

    def action_switch_child(self) -> None:
        children = self.user.children
        if len(children) > 1 and self.child is not None:
            ids = [c.id for c in children]
            self._select_child(children[(ids.index(self.child.id) + 1) % len(children)])

    @on(ChildSwitcher.Changed)
    def _child_clicked(self, event: ChildSwitcher.Changed) -> None:
        event.stop()
        self._select_child(event.child)

    def _select_child(self, child: ChildRef) -> None:
        """Another child: their announcements (the conversations are all shown anyway)."""
        self.child = child
        self.query_one(ChildSwitcher).select(child.id)
        self._show_who()
        cached = self.store.get(AnnouncementList, "announcements", self._announcements_key())
        self.announcements = cached.announcements if cached is not None else None
        self._show_list()
        self.refresh_bindings()
        self._load()

    def action_new_thread(self) -> None:
        child = self.child
        if child is None or not self._may_start():
            return

        def written(thread: Thread | None) -> None:
            if thread is None:
                return
            self.store.put("thread", thread.id, thread)
            self._current = THREAD + thread.id
            if self.threads is None:
                self.threads = ThreadList(threads=[], unread_total=0)
            self._read(thread)
            self._show_thread(thread)
            self._load()

        self.app.push_screen(NewThreadModal(self.session, self.user, child), written)
