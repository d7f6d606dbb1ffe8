"""The journal's keys: one key per write, so a column of thirty marks is thirty presses.

The writing keys come first in the footer, as they belong to the sheet (the
focused grid's parent) and the others to the screen. The digits, the dot and
the attendance letters are in the footer; the rest
(period marks, the class's windows, periods) are in help and the command
palette, as 80 columns are few. `key()` adds each key's twin on a Russian
(ЙЦУКЕН) layout; the attendance letters list both layouts themselves.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from ediary_tui.domain.attendance import KEYS
from ediary_tui.domain.models import AttendanceCode
from ediary_tui.widgets.keys import key

_PERIOD = Binding.Group("journal.key_period")


def _attendance_bindings() -> list[BindingType]:
    """One binding per code, with every key `code_from_key` reads it from (н/n, б/b, у/u, о/l)."""
    bindings: list[BindingType] = []
    for code in AttendanceCode:
        keys = [k for k, c in KEYS.items() if c == code and k.islower()]
        bindings.append(
            Binding(
                ",".join(keys),
                f"attendance('{code.value}')",
                f"journal.key_{code.value}",
                show=code == AttendanceCode.ABSENT,
                key_display="/".join(reversed(keys)),
            )
        )
    return bindings


WIDE = 80
"""Narrower than this, the footer leaves out the keys of `WIDE_ONLY`."""
WIDE_ONLY = frozenset({"clear", "undo", "lesson"})
"""Footer keys left to help and the palette on a narrow terminal, so "? help" stays in sight
in both languages (the footer cuts what does not fit at its right end)."""

WRITING_KEYS: list[BindingType] = [
    # One line in the footer, help and palette for all the digits: "1-5 mark".
    Binding("1", "put_mark(1)", "journal.key_mark", key_display="1-5"),
    *(Binding(str(n), f"put_mark({n})", show=False) for n in range(2, 10)),
    key("full_stop", "dot", "journal.key_dot", key_display="."),
    *_attendance_bindings(),
    Binding("backspace,delete", "clear", "journal.key_clear", key_display="⌫"),
    key("z,ctrl+z", "undo", "journal.key_undo"),
    # In help and the command palette, not in the footer: 80 columns are few.
    key("p", "period_mark", "journal.key_period_mark", show=False),
    key("P", "choose_period_mark", "journal.key_choose_period_mark", show=False),
    key("h", "lesson", "journal.key_lesson", key_display="h"),
]
"""The keys that write in the journal shown: the sheet's, so they act only on a journal."""

JOURNAL_KEYS: list[BindingType] = [
    key("c", "pick", "journal.key_pick"),
    # The class: in help and the command palette (the footer has no room).
    key("a", "announce", "journal.key_announce", show=False),
    key("m", "message_family", "journal.key_message_family", show=False),
    # The messages screen; in the footer with the unread count while there is one (app.key_badge).
    key("M", "messages", "news.key_messages", show=False),
    key("i", "credentials", "journal.key_credentials", show=False),
    # The period's end (period_end.py): the year mark, the journal as CSV, the class's report.
    # On the grid the twins н and у stay attendance (the sheet's keys come first).
    key("y", "year_mark", "period_end.key_year_mark", show=False),
    key("e", "export_csv", "period_end.key_export_csv", show=False),
    key("E", "export_report", "period_end.key_export_report", show=False),
    # The teacher's own windows: the week's timetable and bells; the class teacher's desk.
    key("T", "timetable", "timetable.key_open", show=False),
    key("d", "desk", "desk.key_open", show=False),
    key(
        "left_square_bracket",
        "period(-1)",
        "journal.key_previous_period",
        group=_PERIOD,
        show=False,
    ),
    key(
        "right_square_bracket",
        "period(1)",
        "journal.key_next_period",
        group=_PERIOD,
        show=False,
    ),
    key("t", "today", "journal.key_today", show=False),
    key("r", "refresh", "journal.key_refresh", show=False),
    key("q", "app.quit", "journal.key_quit", show=False),
]
"""The keys that choose what is shown, and the class's windows: the screen's."""
