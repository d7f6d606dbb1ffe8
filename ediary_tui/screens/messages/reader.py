"""The right-hand pane of the messages screen: what is highlighted, and the reply box.

`Reader` shows a conversation, an announcement or a word in place of them;
under a conversation, `ReplyPane` sends what is typed on Enter and keeps
what could not be sent, with the reason under it. A retry of the same text carries the same Idempotency-Key, so a reply the
server did get is not sent twice. The pane says how it went under the box
and tells the screen (`Answered`), which shows the conversation with the
reply in it and whether the server can be reached.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ediary_tui.client.capabilities import Can
from ediary_tui.client.errors import ClientError, ServerUnreachable
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import Announcement, Thread, ThreadSummary
from ediary_tui.domain.models import Message as Said
from ediary_tui.i18n import _, date_time, error_message
from ediary_tui.screens.events import session_message
from ediary_tui.screens.messages.compose import MAX_BODY, ReplyBox
from ediary_tui.screens.messages.items import Times, where
from ediary_tui.widgets.child_switcher import short_name


class ReplyPane(Vertical):
    """The reply box of the conversation shown, and a line that says how sending went."""

    @dataclass
    class Answered(Message):
        """A reply was tried: `said` is the message as the server keeps it, None if not sent."""

        thread_id: str
        said: Said | None

    def __init__(self, session: DiarySession, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self._key: tuple[tuple[str, str], str] | None = None  # (thread, text) and its key

    def compose(self) -> ComposeResult:
        writable = self.session.can(Can.WRITE_MESSAGES)
        box = ReplyBox(placeholder=_("messages.reply_placeholder"), id="reply")
        box.display = writable  # a real diary's messages are read here, answered there
        yield box
        hint = _("messages.reply_hint") if writable else self._read_only()
        yield Static(hint, id="reply-status", markup=False)

    def _read_only(self) -> str:
        return _("messages.read_only", service=self.session.info.title)

    def say(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#reply-status", Static)
        default = (
            _("messages.reply_hint") if self.session.can(Can.WRITE_MESSAGES) else self._read_only()
        )
        status.update(Content(text or default))
        status.set_class(error, "-error")

    def send(self, thread_id: str) -> None:
        """Send what is typed to `thread_id`, unless it is empty or too long (then say so)."""
        text = self.query_one(ReplyBox).text.strip()
        if not text:
            self.say(_("messages.empty_reply"), error=True)
            return
        if len(text) > MAX_BODY:
            self.say(_("messages.too_long", max=MAX_BODY, length=len(text)), error=True)
            return
        what = (thread_id, text)
        if self._key is None or self._key[0] != what:  # the same text keeps its key
            self._key = (what, str(uuid.uuid4()))
        self.say(_("messages.sending"))
        self._send(thread_id, text, self._key[1])

    @work(exclusive=True, group="send")
    async def _send(self, thread_id: str, text: str, key: str) -> None:
        try:
            said = await self.session.send(
                lambda api: api.reply(thread_id, text, idempotency_key=key)
            )
        except ServerUnreachable:
            self.say(_("messages.offline_not_sent"), error=True)
            self.post_message(self.Answered(thread_id, None))
            return
        except ClientError as exc:
            if (message := session_message(exc)) is not None:
                self.post_message(message)
            reason = error_message(exc.code, exc.message).rstrip(".") + "."
            self.say(_("messages.not_sent", reason=reason), error=True)
            self.post_message(self.Answered(thread_id, None))
            return
        self._key = None
        box = self.query_one(ReplyBox)
        if box.text.strip() == text:
            box.clear()
        self.say(_("messages.sent"))
        self.post_message(self.Answered(thread_id, said))


class Reader(Vertical):
    """A heading, the text under it (scrolled), and the reply box when it is a conversation."""

    def __init__(self, session: DiarySession, times: Times, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.times = times

    def compose(self) -> ComposeResult:
        yield Static(id="heading", markup=False)
        with VerticalScroll(id="conversation"):
            yield Static(id="text", markup=False)
        yield ReplyPane(self.session, id="compose")

    def show(self, heading: str, text: Content, *, reply: bool = False, end: bool = False) -> None:
        """Show `text` from its top, or (`end`) its last lines: a conversation's newest."""
        self.query_one("#heading", Static).update(Content.styled(heading, "bold"))
        self.query_one("#text", Static).update(text)
        self.query_one(ReplyPane).display = reply
        scroll = self.query_one("#conversation", VerticalScroll)
        if end:
            scroll.call_after_refresh(scroll.scroll_end, animate=False)
        else:
            scroll.scroll_home(animate=False)

    def show_summary(self, summary: ThreadSummary | None) -> None:
        """A conversation not yet fetched: what the list knows, until the worker answers."""
        if summary is None:
            self.show("", Content(_("messages.loading")))
        else:
            self.show(summary.subject, summary_text(summary, self.times))

    def show_thread(self, thread: Thread, first_unread: str | None) -> None:
        self.show(
            thread.subject, thread_text(thread, first_unread, self.times), reply=True, end=True
        )

    def show_announcement(self, item: Announcement | None) -> None:
        if item is None:
            self.show("", Content(_("messages.nothing_selected")))
        else:
            self.show(item.title, announcement_text(item, self.times))


# --- the reader ------------------------------------------------------------------------


def about(summary: ThreadSummary) -> str:
    """With whom, about which child."""
    child = short_name(summary.student.full_name)
    if summary.class_name:
        child = f"{child}, {summary.class_name}"
    return _("messages.with_whom", who=summary.correspondent.full_name, child=child)


def message_lines(
    author: str, mine: bool, at: dt.datetime, body: str, times: Times
) -> list[Content]:
    who = _("messages.you") if mine else author
    style = "bold $text-success" if mine else "bold $text-primary"
    return [
        Content.assemble((who, style), (f" · {date_time(times.local(at))}", "$text-muted")),
        Content(body),
        Content(""),
    ]


def summary_text(summary: ThreadSummary, times: Times) -> Content:
    """A conversation not fetched yet: what the list knows of it, and "loading"."""
    parts: list[Content] = [Content.styled(about(summary), "$text-muted"), Content("")]
    last = summary.last_message
    if last is not None:
        parts.extend(
            message_lines(last.author.full_name, last.mine, last.created_at, last.body, times)
        )
    parts.append(Content.styled(_("messages.loading"), "$text-muted"))
    return Content("\n").join(parts)


def thread_text(thread: Thread, first_unread: str | None, times: Times) -> Content:
    """A conversation's messages, with a divider before the first one that was unread."""
    parts: list[Content] = [Content.styled(about(thread), "$text-muted"), Content("")]
    for message in thread.messages:
        if message.id == first_unread:
            parts.append(Content.styled(f"── {_('messages.new_divider')} ──", "bold $text-accent"))
        parts.extend(
            message_lines(
                message.author.full_name, message.mine, message.created_at, message.body, times
            )
        )
    return Content("\n").join(parts)


def announcement_text(item: Announcement, times: Times) -> Content:
    meta = f"{item.author.full_name} · {where(item)} · {date_time(times.local(item.created_at))}"
    return Content("\n").join(
        [Content.styled(meta, "$text-muted"), Content(""), Content(item.body)]
    )
