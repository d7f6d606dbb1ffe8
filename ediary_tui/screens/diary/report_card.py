"""The report card: one child's subjects by the periods of a school year.

Per subject and period the weighted average and the period mark (or the one
proposed from the average, marked as proposed), then the year mark and the
lessons missed. Enter opens a subject's marks for the period under the
cursor, with the breakdown by kind of work and the "what do I need" panel;
`e` exports the card as a CSV file (client/export_formats.py writes it,
screens/export.py asks where).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Unpack

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Footer, Label, Static

from ediary_tui.client import reads
from ediary_tui.client.errors import ClientError
from ediary_tui.client.export_formats import (
    CSV_ENCODING,
    csv_text,
    report_card_name,
    report_card_rows,
)
from ediary_tui.client.reads import Cached
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.models import MarksPage, ReportCard, SchoolSettings, User
from ediary_tui.domain.periods import school_year_of
from ediary_tui.i18n import _, short_date
from ediary_tui.screens.diary.export import ExportModal
from ediary_tui.screens.diary.student_view import (
    StudentScreen,
    Where,
    school_settings,
    school_year_name,
)
from ediary_tui.screens.diary.subject_marks import SubjectMarksScreen
from ediary_tui.screens.diary.year import step_year, year_marks, year_range
from ediary_tui.widgets.child_switcher import short_name
from ediary_tui.widgets.keys import key, step_keys
from ediary_tui.widgets.mark_cell import mark_cell
from ediary_tui.widgets.report_grid import (
    Cell,
    ReportGrid,
    average_text,
    missed_text,
    period_name,
    service_differs,
)

_YEAR = Binding.Group("report_card.key_year")


# -- CSV -------------------------------------------------------------------------


def csv_header(card: ReportCard) -> list[str]:
    """The CSV's first line in the user's language: five columns a period, two for the year."""
    header = [_("report_card.subject"), _("report_card.csv_teacher")]
    for period in card.periods:
        name = period_name(period)
        header += [
            _("report_card.csv_average", period=name),
            _("report_card.csv_mark", period=name),
            _("report_card.csv_proposed", period=name),
            _("report_card.csv_missed", period=name),
            _("report_card.csv_ill", period=name),
        ]
    return [*header, _("report_card.csv_year_mark"), _("report_card.csv_missed_year")]


# -- the screen ------------------------------------------------------------------


class ReportCardScreen(StudentScreen):
    """One child's report card for a school year; `[` `]` turn to other years."""

    AREA = "report_card"
    # A short terminal has no line to spare for the preview of the marks.
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (30, "-tall")]
    BODY = "#card"
    BINDINGS: ClassVar[list[BindingType]] = [
        key("w", "what_do_i_need", "report_card.key_what"),
        key("e", "export", "report_card.key_export"),
        *step_keys(
            "year", "report_card.key_previous_year", "report_card.key_next_year", group=_YEAR
        ),
    ]

    def __init__(self, session: DiarySession, user: User, **where: Unpack[Where]) -> None:
        super().__init__(session, user, **where)
        self.year = school_year_of(self.today)
        self.card: ReportCard | None = None
        self.settings: dict[str, SchoolSettings] = {}  # per child: children may be in two schools
        self.marks: MarksPage | None = None  # all the year's marks of the child, for the preview
        self.years: dict[str, list[int]] = {}  # per child: the years they have a card of

    def compose(self) -> ComposeResult:
        yield from self.compose_top()
        with Horizontal(id="yearbar"):
            yield Label(id="year", markup=False)
            yield Label(_("report_card.legend"), id="legend", markup=False)
        yield ReportGrid(id="card")
        yield Static(id="empty", markup=False)
        yield Static(id="details", markup=False)
        yield Static(id="preview", markup=False)
        yield Footer(compact=True)

    # -- painting ----------------------------------------------------------------

    def _scale(self, student: str) -> tuple[int, int]:
        settings = self.settings.get(student) or SchoolSettings()
        return settings.scale_min, settings.scale_max

    def about(self) -> tuple[str, int] | None:
        return (self.child.id, self.year) if self.child is not None else None

    def show_child(self) -> None:
        child = self.child
        self.query_one("#year", Label).update(
            Content(_("report_card.school_year", year=school_year_name(self.year)))
        )
        if child is None:
            self.show_unavailable(_("week.no_diary"))
            return
        cached = self.session.saved(reads.report_card(child.id, self.year))
        self.marks = None
        if cached is not None:
            marks = self.session.saved(year_marks(cached.value))
            self.marks = marks.value if marks is not None else None
        self.loaded = cached
        self._fetch(child.id, self.year)

    def show_loading(self) -> None:
        self.card = None
        super().show_loading()

    def paint(self, loaded: Cached[ReportCard]) -> None:
        card = loaded.value
        if card.years:
            self.years[card.student_id] = card.years
            if card.year > card.years[-1] and card.year == self.year:
                # After their last year (a graduate): the last card they have.
                self.year = card.years[-1]
                self.show_child()
                return
        grid = self.query_one(ReportGrid)
        grid.loading = False
        self.card = card
        if not card.subjects:
            self.show_unavailable(
                _("report_card.nothing", year=school_year_name(card.year)), keep_freshness=True
            )
        else:
            self.query_one("#empty").display = False
            grid.display = True
            grid.show(card, self.today, self._scale(card.student_id))
        self.show_fetched(loaded)
        self.refresh_bindings()

    @dataclass
    class MarksFetched(Message):
        """The year's marks of every subject, for the preview of the card shown `about`."""

        about: tuple[str, int]
        marks: MarksPage

    @work(exclusive=True, group="report_card")
    async def _fetch(self, student: str, year: int) -> None:
        settings = await school_settings(self.session, student, self.today)
        if settings is not None:
            self.settings[student] = settings
        found = await self.fetch_into((student, year), reads.report_card(student, year))
        if found is None:
            return
        # The year's marks of every subject in one call: what the preview shows.
        try:
            marks = await self.session.fetch(year_marks(found.value))
        except ClientError:
            return  # the preview keeps the saved copy, or stays empty
        self.post_message(self.MarksFetched((student, year), marks.value))

    @on(MarksFetched)
    def _marks_fetched(self, event: MarksFetched) -> None:
        event.stop()
        if event.about == self.about():
            self.marks = event.marks
            self._show_preview()

    def _show_preview(self) -> None:
        """The marks of the subject in the period under the cursor, in date order."""
        preview = self.query_one("#preview", Static)
        cell = self.query_one(ReportGrid).selected
        if cell is None or self.marks is None or self.card is None:
            preview.update("")
            return
        if cell.period is not None:
            first, last = cell.period.starts_on, cell.period.ends_on
        else:
            first, last = year_range(self.card)
        marks = [
            m
            for m in self.marks.marks
            if m.subject_id == cell.subject.id and first <= m.date <= last
        ]
        scale = self._scale(self.card.student_id)
        if not marks:
            preview.update(Content.styled(_("report_card.preview_none"), "$text-muted"))
            return
        cells = [
            Content.assemble(mark_cell(m, scale=scale), (f" {short_date(m.date)}", "$text-muted"))
            for m in marks
        ]
        preview.update(Content.assemble(_("report_card.preview"), " ", Content("   ").join(cells)))

    # -- details line ----------------------------------------------------------------

    @on(ReportGrid.Selected)
    def _selected(self, event: ReportGrid.Selected) -> None:
        event.stop()
        self.query_one("#details", Static).update(
            Content(" · ".join(describe_cell(event.cell, self._service())))
        )
        self._show_preview()

    @on(ReportGrid.Activated)
    def _activated(self, event: ReportGrid.Activated) -> None:
        event.stop()
        self._open(event.cell, target=False)

    def _open(self, cell: Cell, *, target: bool) -> None:
        card, child = self.card, self.child
        if card is None or child is None:
            return
        self.app.push_screen(
            SubjectMarksScreen(
                self.session,
                self.user,
                card=card,
                subject=cell.subject,
                period=cell.period,
                settings=self.settings.get(child.id),
                focus_target=target,
                **self.where(child),
            )
        )

    # -- actions -----------------------------------------------------------------

    def _service(self) -> str | None:
        """A real diary's name, whose own averages may differ from ours."""
        info = self.session.info
        return info.title if info.read_only else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in {"what_do_i_need", "export"}:
            return self.card is not None and bool(self.card.subjects)
        if action == "year" and parameters and parameters[0] == 1:
            return True if self._step_year(1) is not None else None
        return super().check_action(action, parameters)

    def _step_year(self, step: int) -> int | None:
        years = self.years.get(self.child.id, []) if self.child is not None else []
        return step_year(self.year, step, years, school_year_of(self.today))

    def action_refresh(self) -> None:
        if self.child is not None:
            self.show_freshness(_("week.refreshing"))
            self._fetch(self.child.id, self.year)

    def action_year(self, step: int) -> None:
        year = self._step_year(step)
        if year is None:
            return
        self.year = year
        self.show_child()
        self.refresh_bindings()

    def action_what_do_i_need(self) -> None:
        cell = self.query_one(ReportGrid).selected
        if cell is not None:
            self._open(cell, target=True)

    def action_export(self) -> None:
        card, child = self.card, self.child
        if card is None or child is None:
            return

        def written(path: Path | None) -> None:
            if path is not None:
                self.notify(_("report_card.exported", path=str(path)))

        dialog = ExportModal(
            self.session.exports,
            report_card_name(short_name(child.full_name), card.year),
            csv_text(report_card_rows(card, csv_header(card))),
            title=_("report_card.export_title"),
            encoding=CSV_ENCODING,
        )
        self.app.push_screen(dialog, written)


def describe_cell(cell: Cell, service: str | None = None) -> list[str]:
    """What the details line says of a subject in a period (or in the year); `service`
    names a real diary whose own average is given beside ours when they differ."""
    subject = cell.subject
    parts = [subject.name]
    if subject.teacher is not None:
        parts.append(subject.teacher.full_name)
    figures = cell.figures
    if cell.period is None or figures is None:
        if subject.year_mark is not None:
            parts.append(_("report_card.year_mark", mark=subject.year_mark))
        else:
            parts.append(_("report_card.no_year_mark"))
        missed = sum(p.absences for p in subject.periods)
        ill = sum(p.ill for p in subject.periods)
        parts.append(missed_text(missed, ill, year=True))
        return parts
    parts.append(period_name(cell.period))
    if figures.average is None:
        parts.append(_("report_card.no_marks"))
    else:
        parts.append(_("report_card.average", average=average_text(figures.average)))
        parts.append(_("report_card.marks_count", count=figures.marks_count))
    if service is not None and service_differs(figures):
        theirs = average_text(figures.service_average)
        parts.append(_("report_card.service_average", service=service, average=theirs))
    if figures.mark is not None:
        parts.append(_("report_card.period_mark", mark=figures.mark))
    elif figures.proposed is not None:
        parts.append(_("report_card.proposed", mark=figures.proposed))
    parts.append(missed_text(figures.absences, figures.ill))
    return parts
