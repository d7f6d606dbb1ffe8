"""One mark as the diary draws it: its value with its weight, coloured by how good it is.

The week view draws marks itself (one widget for the whole week keeps the
repaint fast), so a "cell" here is a piece of styled text plus the words that
describe it, for the tooltip and the details line.
"""

from __future__ import annotations

from textual.content import Content

from ediary_tui.domain.models import Mark
from ediary_tui.i18n import _, date_time, short_date

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

# How a mark looks, by how good it is: theme variables, so that every theme
# works. On a 16-colour terminal (TERM=xterm) each colour becomes the nearest
# ANSI one, and $warning and $error both become bright red there: a 3 would
# read as a 2. $text-warning becomes yellow (bright on a dark theme), so the
# three grades stay green, yellow and red (tests/app/test_journal_colours.py).
# Colour is not enough (a colour-blind reader, a monochrome terminal, a
# printout): good marks are bold, fair ones plain, poor ones reversed (a block),
# the same in the journal, the week and the report card. Underline stays free
# for "has a comment", italic for "proposed" and "not sent yet".
GRADE_STYLES = {
    "good": "bold $success",
    "fair": "$text-warning",
    "poor": "bold reverse $error",
    "dot": "$text-muted",
}
# Colour alone, where a shape says the rest (the height of a bar in a chart).
GRADE_COLOURS = {
    "good": "$success",
    "fair": "$text-warning",
    "poor": "$error",
    "dot": "$text-muted",
}
NEW_STYLE = "on $accent 40%"
COMMENTED_STYLE = "underline"


def weight_mark(weight: int) -> str:
    """The weight as a superscript: 5³ reads as a 5 that weighs 3."""
    return str(weight).translate(_SUPERSCRIPT)


def grade_of(value: int | None, scale_min: int = 1, scale_max: int = 5) -> str:
    """How good a value is on the school's scale: good, fair or poor (dot for no value).

    The top quarter of the scale is good (4 and 5 of 1..5), the middle fair (3)
    and the rest poor (1 and 2), so a 10-point scale needs no new rule.
    """
    if value is None:
        return "dot"
    span = max(scale_max - scale_min, 1)
    position = (value - scale_min) / span
    if position >= 0.75:
        return "good"
    if position >= 0.5:
        return "fair"
    return "poor"


def mark_text(mark: Mark) -> str:
    """What the cell shows: `5³`, or a dot with its due date `•27 Nov`."""
    if mark.is_dot or mark.value is None:
        return f"•{short_date(mark.due)}" if mark.due else "•"
    return f"{mark.value}{weight_mark(mark.control_form.weight)}"


def mark_cell(mark: Mark, *, scale: tuple[int, int] = (1, 5), new: bool = False) -> Content:
    """The mark as styled text; underlined when it has a comment, highlighted when new."""
    style = GRADE_STYLES[grade_of(None if mark.is_dot else mark.value, *scale)]
    if mark.comment:
        style = f"{style} {COMMENTED_STYLE}"
    if new:
        style = f"{style} {NEW_STYLE}"
    return Content.styled(mark_text(mark), style)


def describe_mark(mark: Mark, subject: str | None = None) -> list[str]:
    """Everything about a mark, one fact per item, for the details line and the tooltip."""
    if mark.is_dot or mark.value is None:
        head = _("mark.dot_due", date=short_date(mark.due)) if mark.due else _("mark.dot")
    else:
        head = _("mark.value", value=mark.value)
    parts = [
        f"{subject}: {head}" if subject else head,
        _("mark.form", form=mark.control_form.name, weight=mark.control_form.weight),
        *([mark.teacher.full_name] if mark.teacher.full_name else []),  # a real diary may not say
        _("mark.given", when=date_time(mark.created_at)),
    ]
    if mark.updated_at != mark.created_at:
        parts.append(_("mark.changed", when=date_time(mark.updated_at)))
    if mark.comment:
        parts.append(_("mark.comment", text=mark.comment))
    return parts
