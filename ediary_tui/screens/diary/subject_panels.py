"""The summary line over a subject's marks and the panels beside them: how the average
is made (the breakdown by kind of work) and what marks would reach the mark a child
aims at.

Pure functions of the marks and the school's settings (the arithmetic is the
domain's, `domain.marks` and `domain.goals`); the screen lays them out.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from textual.content import Content

from ediary_tui.domain.goals import Goal, lessons_left, needed, weights
from ediary_tui.domain.marks import Scored, breakdown, counts, proposed_mark, weighted_average
from ediary_tui.domain.models import Category, Period, ReportSubject, SchoolSettings, Week
from ediary_tui.i18n import _, number
from ediary_tui.widgets.report_grid import average_text, missed_text

NAME_WIDTH = 16  # a kind of work in the breakdown
ABSENT = "—"  # a count over the limit: not within the lessons left


def category_name(category: Category) -> str:
    return _(f"subject_marks.category_{category.value}")


def card_figures(
    subject: ReportSubject, period: Period | None
) -> tuple[int | None, int | None, int, int]:
    """(period or year mark, proposed mark, lessons missed, of them ill) from the card."""
    if period is None:
        missed = sum(p.absences for p in subject.periods)
        ill = sum(p.ill for p in subject.periods)
        return subject.year_mark, None, missed, ill
    found = next((p for p in subject.periods if p.period_id == period.id), None)
    if found is None:
        return None, None, 0, 0
    return found.mark, found.proposed, found.absences, found.ill


def summary_text(
    marks: list[Scored] | None, figures: tuple[int | None, int | None, int, int], *, year: bool
) -> Content:
    """The line over a subject's marks: average and count (once the marks are known), the
    period's mark or the one proposed (the year's mark for the year), lessons missed."""
    mark, proposed, missed, ill = figures
    parts: list[str] = []
    if marks is not None:
        average = weighted_average(marks)
        if average is None:
            parts.append(_("subject_marks.no_average"))
        else:
            parts.append(_("report_card.average", average=average_text(average)))
        parts.append(_("report_card.marks_count", count=sum(1 for m in marks if counts(m))))
    if year:
        if mark is not None:
            parts.append(_("report_card.year_mark", mark=mark))
        else:
            parts.append(_("report_card.no_year_mark"))
    elif mark is not None:
        parts.append(_("report_card.period_mark", mark=mark))
    elif proposed is not None:
        parts.append(_("report_card.proposed", mark=proposed))
    parts.append(missed_text(missed, ill, year=year))
    return Content(" · ".join(parts))


def breakdown_text(
    marks: list[Scored], settings: SchoolSettings | None, period: Period | None
) -> Content:
    """The kinds of work, their count, weight, share and average; then the sum that makes it."""
    stats = breakdown(marks)
    if not stats:
        return Content(_("subject_marks.no_average"))
    names = {stat.category: category_name(stat.category) for stat in stats}
    width = min(max(len(name) for name in names.values()) + 1, NAME_WIDTH)
    lines = [
        Content.styled(
            "".ljust(width)
            + _("subject_marks.col_count").rjust(5)
            + _("subject_marks.col_weight").rjust(4)
            + _("subject_marks.col_share").rjust(6)
            + _("subject_marks.col_average").rjust(5),
            "$text-muted",
        )
    ]
    for stat in stats:
        name = Content(names[stat.category]).truncate(width, ellipsis=True, pad=True)
        lines.append(
            Content.assemble(
                name,
                str(stat.count).rjust(5),
                str(stat.weight_sum).rjust(4),
                f"{stat.share:.0%}".rjust(6),
                average_text(stat.average).rjust(5),
            )
        )
    counted = [m for m in marks if counts(m)]
    total = sum((m.value or 0) * m.weight for m in counted)
    weight = sum(m.weight for m in counted)
    average = weighted_average(marks)
    formula = _("subject_marks.formula", total=total, weight=weight, average=average_text(average))
    if settings is not None and period is not None:
        proposed = proposed_mark(
            average, settings.round_threshold, settings.scale_min, settings.scale_max
        )
        formula = _("subject_marks.formula_proposed", formula=formula, mark=proposed)
    lines.append(Content(""))
    lines.append(Content.styled(formula, "bold"))
    return Content("\n").join(lines)


def need_lines(
    marks: list[Scored],
    goal: Goal,
    settings: SchoolSettings,
    period: Period,
    *,
    week: Week | None,
    subject_id: str,
    today: dt.date,
    now: dt.datetime,
) -> list[Content]:
    """What the goal means now, and the marks of each weight that would reach it."""
    average = weighted_average(marks)
    target = (
        _("subject_marks.goal_mark", mark=goal.mark, average=number(goal.average))
        if goal.mark is not None
        else _("subject_marks.goal_average", average=number(goal.average))
    )
    now_text = (
        _("subject_marks.now", average=average_text(average))
        if average is not None
        else _("subject_marks.now_none")
    )
    lines = [Content(f"{target} {now_text}")]
    if average is not None and Fraction(repr(average)) >= goal.average:
        lines.append(Content.styled(_("subject_marks.reached"), "$text-success"))
        return lines
    if period.ends_on < today:
        lines.append(Content.styled(_("subject_marks.period_over"), "$text-muted"))
        return lines
    first = max(period.starts_on, today)
    left = lessons_left(week, subject_id, first, period.ends_on, now)
    table = needed(marks, goal, settings, left)
    rows = [
        (value, table[value])
        for value in sorted(table, reverse=True)
        if value > goal.average or any(n is not None for n in table[value].values())
    ]
    reachable = any(n for _value, row in rows for n in row.values())
    # "Fewest marks needed:" only before a table of them: never before "out of reach".
    if left is not None:
        key = "subject_marks.lessons_left" if reachable else "subject_marks.lessons_left_only"
        lines.append(Content.styled(_(key, count=left), "$text-muted"))
    elif reachable:
        lines.append(Content.styled(_("subject_marks.fewest"), "$text-muted"))
    if not reachable:
        lines.append(Content.styled(_("subject_marks.out_of_reach"), "bold $text-warning"))
        return lines
    columns = weights(settings)
    lines.append(
        Content.styled(
            _("subject_marks.col_mark").ljust(6) + "".join(f"×{w}".rjust(6) for w in columns),
            "$text-muted",
        )
    )
    for value, row in rows:
        cells = "".join((ABSENT if row[w] is None else str(row[w])).rjust(6) for w in columns)
        lines.append(Content.assemble((str(value).ljust(6), "bold"), cells))
    lines.append(Content.styled(weights_legend(settings), "$text-muted"))
    return lines


def weights_legend(settings: SchoolSettings) -> str:
    """'×1 oral answer, homework · ×2 test': which kinds of work weigh what."""
    names: dict[int, list[str]] = {}
    for form in settings.control_forms:
        label = category_name(form.category).lower()
        if form.weight > 0 and label not in names.setdefault(form.weight, []):
            names[form.weight].append(label)
    return " · ".join(f"×{w} {', '.join(names[w])}" for w in weights(settings))
