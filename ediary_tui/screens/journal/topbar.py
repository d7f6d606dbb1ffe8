"""The journal's top bar: which journal and period is shown, and what the server has not got.

The count on the right is what a teacher glances at before closing the
laptop: unsent entries (and whether the server is away), refused ones, or
"all saved". Its width is fixed, so a changing count never lays the screen out.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Label

from ediary_tui.domain.models import Journal, Period
from ediary_tui.i18n import _, has, short_date
from ediary_tui.screens.messages.unread import UnreadCount


def period_name(period: Period) -> str:
    """ "2nd quarter" / "2-я четверть": ours when we know the kind, else the server's name."""
    key = f"journal.{period.kind}_{period.number}"
    return _(key) if has(key) else period.name


def journal_title(journal: Journal) -> str:
    """'7А · Алгебра · 2nd quarter (05.11 – 28.12)', and whether it is read-only."""
    dates = f"{short_date(journal.period.starts_on)} – {short_date(journal.period.ends_on)}"
    text = (
        f"{journal.class_name} · {journal.subject.name} · {period_name(journal.period)} ({dates})"
    )
    if not journal.can_write:
        text = f"{text} · {_('journal.read_only_short')}"
    return text


def sending_line(pending: int, refused: int, *, offline: bool) -> Content:
    """'3 unsent (offline) · 1 refused', or 'all saved'."""
    parts: list[Content] = []
    if offline and pending:
        parts.append(
            Content.styled(_("journal.offline_unsent", count=pending), "bold $text-warning")
        )
    elif pending:
        parts.append(Content.styled(_("journal.unsent", count=pending), "$text-warning"))
    else:
        parts.append(Content.styled(_("journal.all_saved"), "$text-success"))
    if refused:
        parts.append(Content.styled(_("journal.refused_count", count=refused), "bold $text-error"))
    return Content(" · ").join(parts)


class JournalTopBar(Horizontal):
    """The title, the journal shown, and the sending count."""

    def compose(self) -> ComposeResult:
        yield Label(_("journal.title"), id="title")
        yield Label(id="what", markup=False)
        yield UnreadCount(id="unread")  # unread messages: M opens them
        yield Label(id="sync", markup=False)

    def show_journal(self, journal: Journal | None) -> None:
        self.query_one("#what", Label).update(Content(journal_title(journal)) if journal else "")

    def show_sending(self, pending: int, refused: int, *, offline: bool) -> None:
        line = sending_line(pending, refused, offline=offline)
        self.query_one("#sync", Label).update(line, layout=False)  # fixed width: no layout
