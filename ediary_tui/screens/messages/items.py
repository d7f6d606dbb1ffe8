"""The left-hand list of the messages screen: the conversations, then the announcements.

Options are built from the models and the time of day (`Times`) by pure
functions, so that the screen only decides what is listed, and these say
how it reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ediary_tui.clock import school_time
from ediary_tui.domain.models import Announcement, Role, Thread, ThreadList, ThreadSummary, User
from ediary_tui.i18n import _, short_date
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.keys import up_down_keys

THREAD = "t:"  # option ids of the list: a conversation, an announcement
ANNOUNCEMENT = "a:"


class ItemList(OptionList):
    """The conversations and announcements; Enter opens one (and says so in the footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "news.key_open"),
        # OptionList's own arrows, said in our words in help (its other keys are not listed)
        *up_down_keys(
            "cursor_down", "cursor_up", described=("messages.key_down", "messages.key_up")
        ),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)

    def fill(self, options: list[Option | None], current: str | None) -> None:
        """List `options` (None: a divider), highlighting `current` if still there, else the first."""
        real = [o for o in options if o is not None]
        ids = [o.id for o in real]
        with self.app.batch_update():
            self.clear_options()
            self.add_options(options)
            if current is not None and current in ids:
                self.highlighted = ids.index(current)
            else:
                self.highlighted = next((i for i, o in enumerate(real) if not o.disabled), None)

    def to_announcements(self) -> None:
        """Highlight the first announcement."""
        for index in range(self.option_count):
            option_id = self.get_option_at_index(index).id
            if option_id is not None and option_id.startswith(ANNOUNCEMENT):
                self.highlighted = index
                self.focus()
                return


@dataclass(frozen=True)
class Times:
    """The day and the clock the screen tells times by (times on the school's clocks)."""

    today: dt.date
    clock: Callable[[], dt.datetime]

    def local(self, moment: dt.datetime) -> dt.datetime:
        return school_time(moment, self.clock().tzinfo)

    def when(self, moment: dt.datetime) -> str:
        """18:05 today, 23 Nov before."""
        local = self.local(moment)
        return f"{local:%H:%M}" if local.date() == self.today else short_date(local.date())


# --- the list --------------------------------------------------------------------------


def heading(text: str) -> Option:
    return Option(Content.styled(text, "bold $text-primary"), disabled=True)


def muted(text: str) -> Option:
    """A line that stands for what is not there (no conversations, not loaded yet); its
    hint after a colon on a line of its own, so that the narrow list does not cut it."""
    return Option(Content.styled(text.replace(": ", ":\n", 1), "$text-muted"), disabled=True)


def _child_label(summary: ThreadSummary, user: User) -> str:
    """The child's first name, when a parent of several needs to know which one (and a
    teacher, unless the child is whom they write to)."""
    if summary.correspondent.id == summary.student.id:
        return ""
    if len(user.children) > 1 or Role.PARENT not in user.roles:
        names = summary.student.full_name.split()
        return names[1] if len(names) > 1 else summary.student.full_name
    return ""


def thread_option(summary: ThreadSummary, user: User, times: Times) -> Option:
    unread = summary.unread
    when = times.when(
        summary.last_message.created_at if summary.last_message else summary.created_at
    )
    # The date first: where the list is narrow, the end of the line (a name) is cut, not it.
    about = " · ".join(
        p
        for p in (when, short_name(summary.correspondent.full_name), _child_label(summary, user))
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


def where(item: Announcement) -> str:
    if item.class_name:
        return _("messages.class_name", name=item.class_name)
    return _("messages.whole_school")


def announcement_option(item: Announcement, times: Times) -> Option:
    return Option(
        Content.assemble(
            "  ",
            item.title,
            "\n  ",
            (f"{where(item)} · {times.when(item.created_at)}", "$text-muted"),
        ),
        id=ANNOUNCEMENT + item.id,
    )


def list_options(
    threads: ThreadList | None,
    announcements: list[Announcement] | None,
    *,
    user: User,
    times: Times,
    not_yet: str,
    empty: str,
) -> list[Option | None]:
    """The conversations, a divider (None), the announcements; `not_yet` for a list not loaded,
    `empty` for no conversations (how to start one)."""
    options: list[Option | None] = []
    if threads is not None and threads.unread_total:
        options.append(heading(_("messages.threads_unread", count=threads.unread_total)))
    else:
        options.append(heading(_("messages.threads")))
    if threads is not None and threads.threads:
        options.extend(thread_option(t, user, times) for t in threads.threads)
    elif threads is not None:
        options.append(muted(empty))
    else:
        options.append(muted(not_yet))
    options.append(None)
    options.append(heading(_("messages.announcements")))
    if announcements:
        options.extend(announcement_option(a, times) for a in announcements)
    else:
        none = announcements is not None
        options.append(muted(_("messages.no_announcements") if none else not_yet))
    return options


def with_read(threads: ThreadList, thread: Thread) -> ThreadList:
    """The list after `thread` was read (or replied to): its line first, nothing unread in it."""
    rest = [t for t in threads.threads if t.id != thread.id]
    summary = ThreadSummary.model_validate(
        thread.model_dump(exclude={"messages", "first_unread_id"})
        | {"unread": 0, "last_message": thread.messages[-1] if thread.messages else None}
    )
    ordered = sorted(
        [summary, *rest],
        key=lambda t: t.last_message.created_at if t.last_message else t.created_at,
        reverse=True,
    )
    return ThreadList(threads=ordered, unread_total=sum(t.unread for t in ordered))
