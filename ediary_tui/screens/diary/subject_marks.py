"""One subject's marks in a period: every mark, how the period mark is judged,
and what marks would reach the mark (or average) a child aims at.

The arithmetic is the domain's (`domain.marks` for the average and the
breakdown, `domain.goals` for the goal and the marks it needs) with the
school's settings from the week, so the screen and the teacher's journal
agree to the digit; this screen only lays the answer out.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Unpack

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ediary_tui.client import reads
from ediary_tui.client.errors import ClientError
from ediary_tui.client.reads import Cached, Read
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.goals import default_goal, parse_goal
from ediary_tui.domain.marks import Scored
from ediary_tui.domain.models import (
    Mark,
    MarksPage,
    Period,
    ReportCard,
    ReportSubject,
    SchoolSettings,
    User,
    Week,
)
from ediary_tui.i18n import _, short_date
from ediary_tui.screens.diary.student_view import StudentScreen, Where, current_week
from ediary_tui.screens.diary.subject_panels import (
    breakdown_text,
    card_figures,
    need_lines,
    summary_text,
)
from ediary_tui.screens.diary.year import year_marks, year_range
from ediary_tui.widgets.keys import key, step_keys
from ediary_tui.widgets.mark_cell import describe_mark, mark_cell
from ediary_tui.widgets.report_grid import ReportGrid, period_span

_PERIOD = Binding.Group("subject_marks.key_period")
DATE_WIDTH = 7
MARK_WIDTH = 5
FORM_WIDTH = 20
TEACHER_WIDTH = 16


def scored(mark: Mark) -> Scored:
    return Scored(mark.value, mark.control_form.weight, mark.control_form.category, mark.is_dot)


def initials(full_name: str) -> str:
    """'Акимов Иван Егорович' -> 'Акимов И. Е.': a teacher where space is short."""
    surname, *rest = full_name.split() or [""]
    return " ".join([surname, *(f"{name[0]}." for name in rest if name)])


class GoalInput(Input):
    """The goal: one mark (or an average). A digit that would make no goal of what is
    there ("5", then "3": not 53) starts the goal anew, as a one-mark field should."""

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(id=id, placeholder=placeholder)
        self.settings: SchoolSettings | None = None  # the scale a goal must be on

    def insert_text_at_cursor(self, text: str) -> None:
        settings = self.settings
        if settings is not None and text.isdigit():
            at = self.cursor_position
            longer = self.value[:at] + text + self.value[at:]
            if parse_goal(longer, settings) is None and parse_goal(text, settings) is not None:
                self.value = text
                self.cursor_position = len(text)
                return
        super().insert_text_at_cursor(text)


class SubjectMarksScreen(StudentScreen):
    """A subject's marks in one period (or the year); `[` `]` turn to the other periods."""

    AREA = "subject_marks"
    SWITCHES_CHILD = False
    BODY = "#marks"
    # Wide terminals: the panels beside the marks rather than under them.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        *step_keys("period", "subject_marks.key_previous", "subject_marks.key_next", group=_PERIOD),
        key("w", "target", "subject_marks.key_target"),
        Binding("plus,equals_sign", "step_goal(1)", "subject_marks.key_higher", show=False),
        Binding("minus", "step_goal(-1)", "subject_marks.key_lower", show=False),
    ]

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        card: ReportCard,
        subject: ReportSubject,
        period: Period | None,
        settings: SchoolSettings | None = None,
        focus_target: bool = False,
        **where: Unpack[Where],
    ) -> None:
        super().__init__(session, user, **where)
        self.card = card
        self.subject = subject
        self.period = period
        self.settings = settings
        self.focus_target = focus_target
        self.week: Week | None = None
        self.marks: list[Mark] | None = None
        self._goal_text: str | None = None  # what the user typed; None: the default goal

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        yield Label(id="heading", markup=False)
        yield Static(id="summary", markup=False)
        with Container(id="body"):
            marks = OptionList(id="marks")
            marks.border_title = _("subject_marks.marks")
            yield marks
            with Container(id="panels"):
                with Vertical(id="breakdown") as box:
                    box.border_title = _("subject_marks.breakdown")
                    yield Static(id="breakdown-text", markup=False)
                with Vertical(id="need") as box:
                    box.border_title = _("subject_marks.need")
                    with Horizontal(id="goal-row"):
                        yield Label(_("subject_marks.goal"), id="goal-label")
                        yield GoalInput(id="goal", placeholder=_("subject_marks.goal_placeholder"))
                    yield Static(id="answer", markup=False)
        yield Static(id="details", markup=False)
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        await super().on_mount()
        if self.focus_target:
            self.query_one("#goal", Input).focus()

    # -- what is shown -----------------------------------------------------------

    def _range(self) -> tuple[dt.date, dt.date]:
        if self.period is not None:
            return self.period.starts_on, self.period.ends_on
        return year_range(self.card)

    def _read(self) -> Read[MarksPage]:
        first, last = self._range()
        student = self.child.id if self.child else ""
        return reads.marks(student, first, last, self.subject.id)

    def about(self) -> str:
        return self._read().key

    def show_child(self) -> None:
        self._show_heading()
        cached = self.session.saved(self._read())
        self.marks = cached.value.marks if cached is not None else self._from_year_marks()
        self.loaded = cached
        if self.child is not None:
            self._fetch(self.child.id, self._read())

    def show_loading(self) -> None:
        """No saved copy of the subject's: the year's marks, when the report card keeps them."""
        self.show_freshness(_("week.from_cache" if self.marks is not None else "week.loading"))
        self._paint()

    def paint(self, loaded: Cached[MarksPage]) -> None:
        self.marks = loaded.value.marks
        self.show_fetched(loaded)
        self._paint()

    def _from_year_marks(self) -> list[Mark] | None:
        """The subject's marks out of the year's marks the report card keeps, if it has them."""
        page = self.session.saved(year_marks(self.card))
        if page is None:
            return None
        since, until = self._range()
        return [
            m
            for m in page.value.marks
            if m.subject_id == self.subject.id and since <= m.date <= until
        ]

    def _show_heading(self) -> None:
        parts = [self.subject.name]
        if self.period is not None:
            parts.append(period_span(self.period))
        else:
            parts.append(_("subject_marks.whole_year"))
        if self.subject.teacher is not None:
            parts.append(self.subject.teacher.full_name)
        self.query_one("#heading", Label).update(Content(" · ".join(parts)))

    def _figures(self) -> tuple[int | None, int | None, int, int]:
        return card_figures(self.subject, self.period)

    def _scale(self) -> tuple[int, int]:
        settings = self.settings or SchoolSettings()
        return settings.scale_min, settings.scale_max

    def _paint(self) -> None:
        """Summary, the marks, the breakdown and the answer, from what is known now."""
        self._show_marks()
        self._show_summary()
        self._show_breakdown()
        self._show_answer()

    def on_resize(self) -> None:
        # A mark is one line cut to the list's width (the details line says all of it).
        self.call_after_refresh(self._show_marks)

    def _show_marks(self) -> None:
        marks_list = self.query_one("#marks", OptionList)
        marks = self.marks
        kept = marks_list.highlighted
        marks_list.clear_options()
        marks_list.loading = marks is None
        if marks is not None:
            if marks:
                marks_list.add_options(self._mark_option(m) for m in marks)
                marks_list.highlighted = min(kept or 0, len(marks) - 1)
            else:
                marks_list.add_option(
                    Option(
                        Content.styled(_("subject_marks.no_marks"), "$text-muted"), disabled=True
                    )
                )

    def _mark_option(self, mark: Mark) -> Option:
        cell = mark_cell(mark, scale=self._scale())
        form = Content(mark.control_form.name).truncate(FORM_WIDTH, ellipsis=True, pad=True)
        teacher = Content(initials(mark.teacher.full_name)).truncate(
            TEACHER_WIDTH, ellipsis=True, pad=True
        )
        comment = " ".join((mark.comment or "").split())
        prompt = Content.assemble(
            (" " + short_date(mark.date).rjust(DATE_WIDTH - 1), "$text-muted"),
            " ",
            cell,
            " " * max(MARK_WIDTH - cell.cell_length, 1),
            form,
            " ",
            (teacher.plain, "$text-muted"),
            " ",
            (comment, "italic $text-secondary"),
        )
        width = self.query_one("#marks", OptionList).scrollable_content_region.width
        return Option(prompt.truncate(width or prompt.cell_length, ellipsis=True), id=mark.id)

    def _scored(self) -> list[Scored]:
        return [scored(m) for m in self.marks or []]

    def _show_summary(self) -> None:
        marks = self._scored() if self.marks is not None else None
        text = summary_text(marks, self._figures(), year=self.period is None)
        self.query_one("#summary", Static).update(text)

    def _show_breakdown(self) -> None:
        box = self.query_one("#breakdown-text", Static)
        if self.marks is None:
            box.update("")
            return
        box.update(breakdown_text(self._scored(), self.settings, self.period))

    def _show_answer(self) -> None:
        self.query_one("#answer", Static).update(Content("\n").join(self._answer_lines()))

    def _answer_lines(self) -> list[Content]:
        """The "what do I need" panel below the goal field, one line each."""
        settings, period = self.settings, self.period
        goal_input = self.query_one("#goal", Input)
        if period is None:
            goal_input.disabled = True
            return [Content(_("subject_marks.need_year"))]
        if settings is None:
            goal_input.disabled = True
            return [Content(_("subject_marks.need_no_settings"))]
        if self.marks is None:
            return []
        goal_input.disabled = False
        if isinstance(goal_input, GoalInput):
            goal_input.settings = settings
        if self._goal_text is None:
            _mark, proposed, _missed, _ill = self._figures()
            text = str(default_goal(settings, proposed))
            if goal_input.value != text:
                with goal_input.prevent(Input.Changed):
                    goal_input.value = text
        goal = parse_goal(goal_input.value, settings)
        if goal is None:
            return [
                Content.styled(
                    _("subject_marks.bad_goal", low=settings.scale_min, high=settings.scale_max),
                    "$text-error",
                )
            ]
        return need_lines(
            self._scored(),
            goal,
            settings,
            period,
            week=self.week,
            subject_id=self.subject.id,
            today=self.today,
            now=self.clock(),
        )

    # -- the network -------------------------------------------------------------

    @work(exclusive=True, group="subject_marks")
    async def _fetch(self, student: str, read: Read[MarksPage]) -> None:
        week = await current_week(self.session, student, self.today)
        if week is not None:
            self.week = week
            if week.settings is not None:
                self.settings = week.settings
        await self.fetch_into(read.key, read)

    def failed(self, exc: ClientError) -> None:
        self.query_one("#marks", OptionList).loading = False
        text = self.fetch_failed(
            exc, have_copy=self.marks is not None, missing=_("subject_marks.not_saved")
        )
        if text is not None:
            self.query_one("#summary", Static).update(Content(text))
        if self.marks is not None:
            self.show_fetched(self.loaded, saved=True)
        self._show_answer()

    # -- what the user does ------------------------------------------------------

    @on(OptionList.OptionHighlighted, "#marks")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        mark = next((m for m in self.marks or [] if m.id == event.option.id), None)
        details = self.query_one("#details", Static)
        details.update(Content(" · ".join(describe_mark(mark))) if mark else "")

    @on(Input.Changed, "#goal")
    def _goal_changed(self, event: Input.Changed) -> None:
        self._goal_text = event.value
        self._show_answer()

    @on(Input.Submitted, "#goal")
    def _goal_submitted(self) -> None:
        self.query_one("#marks", OptionList).focus()

    def action_target(self) -> None:
        goal = self.query_one("#goal", Input)
        if not goal.disabled:
            goal.focus()

    def action_step_goal(self, step: int) -> None:
        settings = self.settings
        goal_input = self.query_one("#goal", Input)
        if settings is None or goal_input.disabled:
            return
        goal = parse_goal(goal_input.value, settings)
        current = goal.mark if goal is not None and goal.mark is not None else settings.scale_max
        value = max(settings.scale_min, min(settings.scale_max, current + step))
        goal_input.value = str(value)  # Input.Changed repaints the answer

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "period" and parameters:
            return True if self._step(int(str(parameters[0]))) is not False else None
        if action in {"target", "step_goal"}:
            return self.period is not None
        return super().check_action(action, parameters)

    def _step(self, step: int) -> Period | bool | None:
        """The period `step` away (None: the year), or False at either end."""
        sequence: list[Period | None] = [*self.card.periods, None]
        index = sequence.index(self.period) if self.period in sequence else len(sequence) - 1
        target = index + step
        if not 0 <= target < len(sequence):
            return False
        return sequence[target]

    def action_period(self, step: int) -> None:
        found = self._step(step)
        if found is False:
            return
        self.period = found if isinstance(found, Period) else None
        self._goal_text = None
        self.query_one("#marks", OptionList).highlighted = None
        self.show_child()
        self.refresh_bindings()

    def action_refresh(self) -> None:
        if self.child is not None:
            self.show_freshness(_("week.refreshing"))
            self._fetch(self.child.id, self._read())

    def action_back(self) -> None:
        """Back to the report card, with its cursor on this subject and period."""
        stack = self.app.screen_stack
        below = stack[-2] if len(stack) > 1 else None
        self.dismiss()
        if below is not None:
            for grid in below.query(ReportGrid):
                grid.select(self.subject.id, self.period.id if self.period else None)
