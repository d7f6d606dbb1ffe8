"""The journal's top bar: which journal and period is shown, and what the server has not got.

The count on the right is what a teacher glances at before closing the
laptop: unsent entries (and whether the server is away), refused ones, or
"all saved". Its width is fixed, so a changing count never lays the screen out.
"""

from __future__ import annotations

from rich.cells import cell_len
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


def journal_what(journal: Journal) -> str:
    """'7А · Алгебра': the part of the title that gives way when the line is short."""
    return f"{journal.class_name} · {journal.subject.name}"


def journal_period(journal: Journal) -> str:
    """'2nd quarter (05.11 – 28.12)' (and 'read only'): never cut, so the dates always show."""
    dates = f"{short_date(journal.period.starts_on)} – {short_date(journal.period.ends_on)}"
    text = f"{period_name(journal.period)} ({dates})"
    if not journal.can_write:
        text = f"{text} · {_('journal.read_only_short')}"
    return text


def sending_line(pending: int, refused: int, *, offline: bool) -> Content:
    """'3 unsent (offline) · 1 refused', 'offline, nothing waiting', or 'all saved'."""
    parts: list[Content] = []
    if offline and pending:
        parts.append(
            Content.styled(_("journal.offline_unsent", count=pending), "bold $text-warning")
        )
    elif offline:  # nothing waiting, but "all saved" would say the server has it all now
        parts.append(Content.styled(_("journal.offline_nothing"), "$text-warning"))
    elif pending:
        parts.append(Content.styled(_("journal.unsent", count=pending), "$text-warning"))
    else:
        parts.append(Content.styled(_("journal.all_saved"), "$text-success"))
    if refused:
        parts.append(Content.styled(_("journal.refused_count", count=refused), "bold $text-error"))
    return Content(" · ").join(parts)


NARROW = 70  # narrower than this, the bar has no room for the word "Journal"
MIN_WHAT = 12  # cells the class and subject keep before the unread count shortens


class JournalTopBar(Horizontal):
    """The title, the journal shown (its class and subject cut first, the period and its
    dates kept whole), and the sending count."""

    _period = ""

    def compose(self) -> ComposeResult:
        yield Label(_("journal.title"), id="title")
        yield Label(id="what", markup=False)
        yield Label(id="period", markup=False)
        yield Label(id="spacer")
        yield UnreadCount(id="unread")  # unread messages: M opens them
        yield Label(id="sync", markup=False)

    def show_journal(self, journal: Journal | None) -> None:
        what = journal_what(journal) if journal else ""
        period = f" · {journal_period(journal)}" if journal else ""
        self.query_one("#what", Label).update(Content(what))
        self._period = period
        self.query_one("#period", Label).update(Content(period))
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        self._fit()

    def on_unread_count_changed(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """The class and subject take what the rest of the bar leaves, cut with "…"; on a
        narrow terminal the word "Journal" gives its room to them, and where the unread
        count would leave them too little it shortens to "2 unread". Widths are measured from
        the texts: the laid-out ones may still be the last journal's."""
        title = self.query_one("#title", Label)
        unread = self.query_one(UnreadCount)
        room = (
            self.size.width
            - cell_len(self._period)
            - self.query_one("#sync", Label).outer_size.width
            - 1  # the spacer keeps a cell between, at least
        )
        long, short = unread.needs(short=False), unread.needs(short=True)
        named = cell_len(_("journal.title")) + 1
        # Give up, in turn, the long count, then the word "Journal", while the class and
        # subject would have fewer than MIN_WHAT cells.
        wide = self.size.width >= NARROW and room - named - short >= MIN_WHAT
        if wide:
            room -= named
        unread.set_short(room - long < MIN_WHAT)
        title.display = wide
        what = self.query_one("#what", Label)
        what.styles.max_width = max(room - unread.needs(short=unread.short), 0)

    def show_sending(self, pending: int, refused: int, *, offline: bool) -> None:
        line = sending_line(pending, refused, offline=offline)
        self.query_one("#sync", Label).update(line, layout=False)  # fixed width: no layout
