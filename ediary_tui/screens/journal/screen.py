"""The teacher's journal: a class's students by the period's lessons, written by keyboard.

The screen opens on the class and subject the teacher teaches now or next
(their day's timetable), on today's lesson. A mark is one key: the digit puts
it with the column's control form and the cursor goes down to the next
student, so a column of thirty marks is thirty key presses. Nothing waits for
the server: each entry is committed to the outbox and shown at once, marked
unsent, while a worker sends the outbox in order; the cell loses its unsent
sign when the server acknowledges, turns red with the reason when it refuses,
and the top bar counts what is still unsent (and says when the server is away).
The outbox outlives the app, so a start shows and sends what the last run
could not.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

from ediary_tui.client.errors import (
    ClientError,
    NotAllowed,
    NotLoggedIn,
    PasswordChangeRequired,
    ServerUnreachable,
)
from ediary_tui.client.journal_state import GONE, CellMark, JournalState, snapshot
from ediary_tui.client.journal_sync import (
    MAX_RETRY,
    JournalChoice,
    JournalSync,
    OutboxSender,
    Outcome,
    SendState,
    lesson_now_or_next,
)
from ediary_tui.client.outbox import REFUSED, Entry, Outbox
from ediary_tui.client.session import DiarySession
from ediary_tui.domain.attendance import KEYS
from ediary_tui.domain.marks import dot_default_due
from ediary_tui.domain.models import (
    AttendanceCode,
    Journal,
    JournalLesson,
    MarkIn,
    Period,
    TeacherDay,
    User,
)
from ediary_tui.i18n import _, day_month, error_message, has, short_date
from ediary_tui.screens.classes.windows import (
    AnnouncementModal,
    CredentialsScreen,
    FamilyMessageModal,
)
from ediary_tui.screens.events import PasswordRequired, SessionEnded
from ediary_tui.screens.journal.cell import (
    CellDetails,
    DueDateModal,
    JournalPicker,
    PeriodMarkChoice,
    PeriodMarkModal,
    describe_cell,
    describe_lesson,
    initials,
)
from ediary_tui.screens.journal.lesson import LessonEdit, LessonForm
from ediary_tui.screens.journal.palette import JournalCommands, PaletteEntry
from ediary_tui.widgets.banner import Banner
from ediary_tui.widgets.journal_grid import (
    GridColumn,
    JournalGrid,
    cell_content,
    summary_contents,
)
from ediary_tui.widgets.keys import LocalisedKeys, key
from ediary_tui.widgets.mark_cell import weight_mark

Clock = Callable[[], dt.datetime]
JournalId = tuple[str, str]  # (class id, subject id)

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


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class JournalScreen(LocalisedKeys, Screen[None]):
    """One class's journal in one subject for one period."""

    CSS_PATH = "journal.tcss"
    AUTO_FOCUS = "#grid"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {JournalCommands}
    # The second key of each pair is the same key on a Russian (ЙЦУКЕН) layout.
    BINDINGS: ClassVar[list[BindingType]] = [
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
        key("c", "pick", "journal.key_pick"),
        # The class: in help and the command palette (the footer has no room).
        key("a", "announce", "journal.key_announce", show=False),
        key("m", "message_family", "journal.key_message_family", show=False),
        key("i", "credentials", "journal.key_credentials", show=False),
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

    def __init__(
        self,
        session: DiarySession,
        user: User,
        *,
        today: dt.date,
        clock: Clock | None = None,
        outbox: Outbox | None = None,
        class_id: str | None = None,
        subject_id: str | None = None,
        period_id: str | None = None,
        fetch: bool = True,
        max_retry_delay: float = MAX_RETRY,
    ) -> None:
        super().__init__()
        self.session = session
        self.user = user
        self.today = today
        self.clock: Clock = clock or _local_now
        self._own_outbox = outbox is None
        self.outbox = outbox or Outbox()
        self.sync = JournalSync(session, user.id, self.outbox)
        self.sender = OutboxSender(self.sync, max_delay=max_retry_delay)
        self.state: JournalState | None = None
        self._scale_keys = ""  # the footer's "1-5 mark" says the school's scale
        self.wanted: tuple[str, str, str | None] | None = (
            (class_id, subject_id, period_id) if class_id and subject_id else None
        )
        self._target_lesson: str | None = None
        # Chosen by the caller or the teacher, by the timetable, or a stand-in until it answers.
        self._chosen_by = "caller" if self.wanted is not None else "nobody"
        self._fetch_on_mount = fetch
        self._sending = False
        self._send_state = SendState(0)
        self._undo: dict[JournalId, list[int]] = {}
        self._problem: str | None = None
        self.fetched_at: dt.datetime | None = None  # when the journal shown came from the server

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Label(_("journal.title"), id="title")
            yield Label(id="what", markup=False)
            yield Label(id="sync", markup=False)
        yield Banner(id="banner")
        yield JournalGrid(id="grid")
        yield Static(id="empty", markup=False)
        yield Static(id="details", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#empty").display = False
        self._show_sync()
        self._open(network=self._fetch_on_mount)
        if self._fetch_on_mount:
            self._start_sending()

    def on_unmount(self) -> None:
        self.workers.cancel_group(self, "outbox")
        if self._own_outbox:
            self.outbox.close()

    # -- what the app tells the screen -------------------------------------------

    async def set_user(self, user: User) -> None:
        """The server's answer after resuming the session (the classes taught may have changed)."""
        self.user = user

    def refresh_journal(self) -> None:
        """Fetch what is shown and send what waits (after the app resumed the session)."""
        self._start_sending()
        self.sender.retry_now()
        if self._chosen_by == "stand-in":  # the timetable can say now which lesson it is
            self.wanted = None
            self._open(network=True)
        elif self.state is None and self._problem is None:
            self._open(network=True)
        elif self.state is not None:
            journal = self.state.journal
            self._fetch(journal.class_id, journal.subject.id, journal.period.id)
        elif self.wanted is not None:
            self._fetch(*self.wanted)

    @property
    def unsent(self) -> int:
        """Entries of this user not yet acknowledged by the server (any journal)."""
        return self.sync.count_pending()

    # -- opening a journal -------------------------------------------------------

    @work(exclusive=True, group="journal")
    async def _open(self, *, network: bool) -> None:
        """Choose the journal (now or next lesson), paint its saved copy, fetch it fresh."""
        if self.wanted is None:
            self.wanted = await self._now_or_next(network)
        if self.wanted is None and not network:
            # Nothing saved to choose from (an admin): the server says once the session is back.
            self._chosen_by = "stand-in"
            self.query_one(JournalGrid).loading = True
            return
        if self.wanted is None:
            self._show_problem(_("journal.nothing_taught"))
            return
        class_id, subject_id, period_id = self.wanted
        cached = self.sync.cached_journal(class_id, subject_id, period_id)
        if cached is not None:
            self._show_journal(cached)
        else:
            self.query_one(JournalGrid).loading = True
        if network:
            self._fetch(class_id, subject_id, period_id)

    async def _now_or_next(self, network: bool) -> tuple[str, str, str | None] | None:
        day = None
        if network:
            try:
                day = await self.sync.teacher_day(self.today)
            except ClientError:
                day = None
        else:
            row = self.session.cache.get_raw(
                self.sync.server, self.user.id, "teacher_day", self.today.isoformat()
            )
            if row is not None:
                day = TeacherDay.model_validate_json(row[0])
        lesson = lesson_now_or_next(day, self.clock()) if day is not None else None
        if lesson is not None:
            self._target_lesson = lesson.id
            self._chosen_by = "timetable"
            return lesson.class_id, lesson.subject.id, None
        if self.user.teaching:
            first = self.user.teaching[0]
            self._chosen_by = "teaching" if network else "stand-in"
            return first.class_id, first.subject_id, None
        # Teaching nothing (a school's admin): the first journal they may read.
        choices = await self.sync.journals([]) if network else []
        if choices:
            self._chosen_by = "teaching"
            return choices[0].class_id, choices[0].subject_id, None
        return None

    @work(exclusive=True, group="fetch")
    async def _fetch(self, class_id: str, subject_id: str, period_id: str | None) -> None:
        try:
            journal = await self.sync.fetch_journal(class_id, subject_id, period_id)
        except PasswordChangeRequired:
            self.post_message(PasswordRequired())
            return
        except NotLoggedIn:
            self.post_message(SessionEnded())
            return
        except ServerUnreachable:
            self._show_banner()
            if self.state is None:
                self._show_problem(_("journal.not_saved"))
            elif not self._is_current(class_id, subject_id, period_id):
                # Another journal, never loaded: stay on the one shown, and say why.
                j = self.state.journal
                self.wanted = (j.class_id, j.subject.id, j.period.id)
                self.query_one(JournalGrid).loading = False
                self.notify(_("journal.not_saved"), severity="warning")
            return
        except NotAllowed as exc:
            reason = error_message(exc.code, exc.message)
            self._show_problem(_("journal.not_allowed", reason=reason[:1].lower() + reason[1:]))
            return
        except ClientError as exc:
            self._show_problem(error_message(exc.code, exc.message))
            return
        self._show_banner()
        if self._wants(journal):
            self.fetched_at = self.clock()
            self._show_journal(journal)

    def _wants(self, journal: Journal) -> bool:
        """Whether `journal` is the one asked for (the default period: whichever it is)."""
        if self.wanted is None:
            return False
        class_id, subject_id, period_id = self.wanted
        return (journal.class_id, journal.subject.id) == (class_id, subject_id) and (
            period_id in (None, journal.period.id)
        )

    def _is_current(self, class_id: str, subject_id: str, period_id: str | None) -> bool:
        state = self.state
        if state is None:
            return False
        j = state.journal
        return (j.class_id, j.subject.id) == (class_id, subject_id) and period_id in (
            None,
            j.period.id,
        )

    # -- painting ----------------------------------------------------------------

    @property
    def _scale(self) -> tuple[int, int]:
        if self.state is None:
            return (1, 5)
        settings = self.state.journal.settings
        return settings.scale_min, settings.scale_max

    def _show_journal(self, journal: Journal) -> None:
        """Paint a journal: in place if it is the one shown, anew if another."""
        grid = self.query_one(JournalGrid)
        grid.loading = False
        self._problem = None
        self.query_one("#empty").display = False
        grid.display = True
        state = self.state
        same = (
            state is not None
            and (state.class_id, state.subject_id, state.journal.period.id)
            == (journal.class_id, journal.subject.id, journal.period.id)
            and [s.id for s in state.journal.students] == [s.id for s in journal.students]
            and [le.id for le in state.journal.lessons] == [le.id for le in journal.lessons]
        )
        shown = (journal.class_id, journal.subject.id, journal.period.id)
        if same and state is not None:
            state.replace(journal)
            self._paint_all()
            self._show_what()
            self.call_after_refresh(_freeze_what_lives, shown)
            return
        self.state = JournalState(
            journal,
            self.sync.entries_for(journal.class_id, journal.subject.id),
            created_mark_id=self.sync.created_mark_id,
        )
        self.wanted = (
            journal.class_id,
            journal.subject.id,
            self.wanted[2] if self.wanted else None,
        )
        self._load_grid()
        self._show_what()
        self._show_sync()
        self._show_banner()
        self._show_scale_keys(*self._scale)
        self.refresh_bindings()
        self.call_after_refresh(_freeze_what_lives, shown)

    def _load_grid(self) -> None:
        state = self.state
        assert state is not None
        journal = state.journal
        scale = self._scale
        rows = [(s.id, initials(s.full_name)) for s in journal.students]
        columns = [
            GridColumn(
                key=lesson.id,
                top=f"{lesson.date:%d.%m}",
                bottom=f"{lesson.number}{self._weight_sign(lesson)}",
                today=lesson.date == self.today,
                future=lesson.date > self.today,
            )
            for lesson in journal.lessons
        ]
        cells = {key: cell_content(state.cell(*key), scale) for key in state.filled_cells()}
        summary = {s.id: summary_contents(state.summary(s.id), scale) for s in journal.students}
        headings = (
            _("journal.students"),
            _("journal.col_average"),
            _("journal.col_proposed"),
            _("journal.col_period"),
        )
        grid = self.query_one(JournalGrid)
        grid.load(rows, columns, cells, summary, headings)
        grid.move_to(column=self._start_column(journal), announce=True, center=True)
        self._target_lesson = None

    def _show_scale_keys(self, low: int, high: int) -> None:
        """The footer's "1-5 mark" says the school's scale (the digits beyond it refuse)."""
        self._scale_keys = f"{low}-{min(high, 9)}"

    def adjust_binding(self, binding: Binding) -> Binding:
        binding = super().adjust_binding(binding)
        if binding.action == "put_mark(1)" and self._scale_keys:
            return replace(binding, key_display=self._scale_keys)
        return binding

    @staticmethod
    def _weight_sign(lesson: JournalLesson) -> str:
        weight = lesson.control_form.weight
        return weight_mark(weight) if weight != 1 else ""

    def _start_column(self, journal: Journal) -> int:
        """Today's lesson (the one the timetable chose), else the last one given, else the first."""
        ids = [le.id for le in journal.lessons]
        if self._target_lesson in ids:
            return ids.index(self._target_lesson)
        given = [i for i, le in enumerate(journal.lessons) if le.date <= self.today]
        return given[-1] if given else 0

    def _paint_all(self) -> None:
        """After a fresh copy of the same journal: every cell that differs is drawn again."""
        state = self.state
        assert state is not None
        grid = self.query_one(JournalGrid)
        scale = self._scale
        for student in state.journal.students:
            for lesson in state.journal.lessons:
                grid.set_cell(
                    student.id, lesson.id, cell_content(state.cell(student.id, lesson.id), scale)
                )
            grid.set_summary(student.id, summary_contents(state.summary(student.id), scale))
        self._show_details()

    def _paint(self, touched: tuple[str, str] | str | None) -> None:
        """Draw again the one cell (and its student's averages) an entry touched."""
        state = self.state
        if state is None or touched is None:
            return
        grid = self.query_one(JournalGrid)
        scale = self._scale
        if isinstance(touched, tuple):
            student = touched[0]
            grid.set_cell(*touched, cell_content(state.cell(*touched), scale))
        else:
            student = touched
        grid.set_summary(student, summary_contents(state.summary(student), scale))

    def _show_what(self) -> None:
        state = self.state
        if state is None:
            return
        j = state.journal
        dates = f"{short_date(j.period.starts_on)} – {short_date(j.period.ends_on)}"
        period = f"{period_name(j.period)} ({dates})"
        text = f"{j.class_name} · {j.subject.name} · {period}"
        if not j.can_write:
            text = f"{text} · {_('journal.read_only_short')}"
        self.query_one("#what", Label).update(Content(text))

    def _show_sync(self) -> None:
        """The top bar's count of what the server has not acknowledged, and whether it answers."""
        label = self.query_one("#sync", Label)
        pending = self.sync.count_pending()
        refused = len(self.state.refused_entries()) if self.state is not None else 0
        parts: list[Content] = []
        if self.sender.offline and pending:
            parts.append(
                Content.styled(_("journal.offline_unsent", count=pending), "bold $text-warning")
            )
        elif pending:
            parts.append(Content.styled(_("journal.unsent", count=pending), "$text-warning"))
        else:
            parts.append(Content.styled(_("journal.all_saved"), "$text-success"))
        if refused:
            parts.append(
                Content.styled(_("journal.refused_count", count=refused), "bold $text-error")
            )
        label.update(Content(" · ").join(parts), layout=False)  # fixed width: no layout

    def _show_banner(self) -> None:
        banner = self.query_one(Banner)
        if self.sender.offline or self.session.offline:
            banner.show(_("journal.offline", server=self.session.server), "warning")
        else:
            banner.hide()

    def _show_problem(self, text: str) -> None:
        """No journal to show (not yours, never loaded and offline): say why, and what to do."""
        self._problem = text
        grid = self.query_one(JournalGrid)
        grid.loading = False
        grid.display = False
        self.state = None
        empty = self.query_one("#empty", Static)
        empty.update(Content(text + "\n\n" + _("journal.pick_hint")))
        empty.display = True
        self.query_one("#what", Label).update("")
        self.query_one("#details", Static).update("")
        self.refresh_bindings()

    @on(JournalGrid.CursorMoved)
    def _cursor_moved(self, event: JournalGrid.CursorMoved) -> None:
        event.stop()
        self._show_details()

    def _show_details(self) -> None:
        """The bottom line: who, which lesson, what the cell holds, and any refusal's reason."""
        state, key = self.state, self.query_one(JournalGrid).cursor_key
        details = self.query_one("#details", Static)
        if state is None or key is None:
            details.update("", layout=False)
            return
        student = state.students[key[0]]
        view = state.lesson(key[1])
        cell = state.cell(*key)
        summary = state.summary(student.id)
        line = describe_cell(student, view.lesson, cell, summary, brief=True)
        if not cell.refusals and summary.state != REFUSED:
            # No refusal to say first: the lesson's line above the cell's.
            line = Content("\n").join([describe_lesson(view), line])
        details.update(line, layout=False)  # its height is fixed: no layout on a key press

    # -- sending -----------------------------------------------------------------

    def _start_sending(self) -> None:
        if not self._sending:
            self._sending = True
            self._send()

    @work(group="outbox", exclusive=True)
    async def _send(self) -> None:
        await self.sender.run(self._sent, self._send_state_changed, self._session_refused)

    def _sent(self, outcome: Outcome) -> None:
        if self.state is not None:
            self._paint(self.state.settle(outcome))
            self._show_details()
        if outcome.refused:
            self.notify(
                _("journal.refused", reason=outcome.reason or ""), severity="error", timeout=8
            )

    def _send_state_changed(self, state: SendState) -> None:
        was_offline = self._send_state.offline
        self._send_state = state
        self._show_sync()
        if state.offline != was_offline:
            self._show_banner()

    def _session_refused(self, error: ClientError) -> None:
        self._sending = False
        if isinstance(error, PasswordChangeRequired):
            self.post_message(PasswordRequired())
        else:
            self.post_message(SessionEnded())

    # -- entering ----------------------------------------------------------------

    def _cursor(self) -> tuple[str, str] | None:
        return self.query_one(JournalGrid).cursor_key

    def _writable(self) -> bool:
        state = self.state
        if state is None or self._cursor() is None:
            return False
        if not state.journal.can_write:
            self.notify(_("journal.read_only"), severity="warning")
            return False
        return True

    def _held(self, lesson: JournalLesson) -> bool:
        """Marks go into lessons that have taken place (the server says the same)."""
        if lesson.date > self.today:
            self.notify(_("journal.future_lesson", date=day_month(lesson.date)), severity="warning")
            return False
        return True

    def _entered(self, entry: Entry, *, move_down: bool, undoable: bool = True) -> None:
        """Show an entry that is already safe in the outbox, and let the sender know."""
        state = self.state
        assert state is not None
        self._paint(state.add(entry))
        if undoable:
            self._undo.setdefault((state.class_id, state.subject_id), []).append(entry.id)
        self.call_after_refresh(self.sender.wake)  # the cell is painted first, then sent
        self._show_sync()
        grid = self.query_one(JournalGrid)
        if move_down and grid.cursor_row < len(grid.rows) - 1:
            grid.move_to(row=grid.cursor_row + 1)
        else:
            self._show_details()

    def action_put_mark(self, value: int) -> None:
        if not self._writable():
            return
        state, key = self.state, self._cursor()
        assert state is not None and key is not None
        settings = state.journal.settings
        if not settings.scale_min <= value <= settings.scale_max:
            self.notify(
                _("journal.off_scale", low=settings.scale_min, high=settings.scale_max),
                severity="warning",
            )
            return
        lesson = state.lessons[key[1]]
        if not self._held(lesson):
            return
        mark = MarkIn(
            student_id=key[0],
            lesson_id=key[1],
            value=value,
            control_form=lesson.control_form.code,
        )
        self._entered(self.sync.put_mark(state.class_id, state.subject_id, mark), move_down=True)

    def action_dot(self) -> None:
        if not self._writable():
            return
        state, key = self.state, self._cursor()
        assert state is not None and key is not None
        lesson = state.lessons[key[1]]
        if not self._held(lesson):
            return
        student = state.students[key[0]]

        def chosen(due: dt.date | None) -> None:
            if due is None or self.state is not state:
                return
            mark = MarkIn(
                student_id=key[0],
                lesson_id=key[1],
                is_dot=True,
                due=due,
                control_form=lesson.control_form.code,
            )
            grid = self.query_one(JournalGrid)
            grid.move_to_key(*key)
            self._entered(
                self.sync.put_mark(state.class_id, state.subject_id, mark), move_down=True
            )

        self.app.push_screen(
            DueDateModal(student.full_name, lesson.date, dot_default_due(lesson.date), self.today),
            chosen,
        )

    def action_attendance(self, value: str) -> None:
        if not self._writable():
            return
        state, key = self.state, self._cursor()
        assert state is not None and key is not None
        code = AttendanceCode(value)
        previous = state.cell(*key).code
        if previous == code:
            self.query_one(JournalGrid).action_move(1, 0)
            return
        entry = self.sync.set_attendance(state.class_id, state.subject_id, *key, code, previous)
        self._entered(entry, move_down=True)

    def action_clear(self) -> None:
        """The cell's last mark goes (or its absence); a refused write is dismissed first."""
        if not self._writable():
            return
        state, key = self.state, self._cursor()
        assert state is not None and key is not None
        cell = state.cell(*key)
        if cell.refusals:
            self._dismiss(cell.refusals[-1].entry_id)
            return
        if cell.live_marks:
            entry = self._delete_entry(key, cell.live_marks[-1])
        elif cell.code is not None:
            entry = self.sync.set_attendance(
                state.class_id, state.subject_id, *key, None, cell.code
            )
        else:
            self.app.bell()
            return
        self._entered(entry, move_down=False)

    def _delete_entry(self, key: tuple[str, str], mark: CellMark) -> Entry:
        state = self.state
        assert state is not None
        kind, _sep, ref = mark.ref.partition(":")
        return self.sync.delete_mark(
            state.class_id,
            state.subject_id,
            *key,
            mark=snapshot(mark),
            mark_id=ref if kind == "m" else None,
            create_seq=int(ref) if kind == "e" else None,
        )

    def _dismiss(self, entry_id: int) -> None:
        state = self.state
        assert state is not None
        self.sync.dismiss(entry_id)
        self._paint(state.dismiss(entry_id))
        stack = self._undo.get((state.class_id, state.subject_id), [])
        if entry_id in stack:
            stack.remove(entry_id)
        self._show_sync()
        self._show_details()

    def action_undo(self) -> None:
        """Take back the last entry of this journal: one at a time, newest first."""
        if not self._writable():
            return
        state = self.state
        assert state is not None
        stack = self._undo.get((state.class_id, state.subject_id), [])
        while stack:
            entry_id = stack.pop()
            entry = state.entry(entry_id) or self.outbox.get(entry_id)
            if entry is None:
                continue
            where = entry.command.where()
            if where is not None:
                self.query_one(JournalGrid).move_to_key(*where)
            if entry.state == REFUSED:
                self._dismiss(entry.id)
                return
            inverse = entry.command.inverse(entry.id)
            if inverse is not None:
                self._entered(self.sync.add(inverse), move_down=False, undoable=False)
                return
        self.notify(_("journal.nothing_to_undo"))

    def action_period_mark(self) -> None:
        """Set the student's period mark to the proposed one, and go down to the next."""
        if not self._writable():
            return
        state, key = self.state, self._cursor()
        assert state is not None and key is not None
        summary = state.summary(key[0])
        if summary.proposed is None:
            self.notify(_("journal.no_proposal"), severity="warning")
            return
        self._set_period_mark(key[0], summary.proposed)

    def action_choose_period_mark(self) -> None:
        """A period mark other than the proposed one (or none): one more key picks it."""
        if not self._writable():
            return
        state, key = self.state, self._cursor()
        assert state is not None and key is not None
        settings = state.journal.settings

        def chosen(choice: PeriodMarkChoice | None) -> None:
            if choice is not None and self.state is state:
                self.query_one(JournalGrid).move_to_key(*key)
                self._set_period_mark(key[0], choice.value)

        self.app.push_screen(
            PeriodMarkModal(
                state.students[key[0]].full_name,
                state.summary(key[0]),
                (settings.scale_min, settings.scale_max),
            ),
            chosen,
        )

    def _set_period_mark(self, student_id: str, value: int | None) -> None:
        state = self.state
        assert state is not None
        summary = state.summary(student_id)
        if summary.period_mark == value and summary.state != REFUSED:
            self.query_one(JournalGrid).action_move(1, 0)
            return
        entry = self.sync.set_period_mark(
            state.class_id,
            state.subject_id,
            student_id,
            state.journal.period.id,
            value,
            summary.period_mark,
        )
        self._entered(entry, move_down=True)

    def action_lesson(self) -> None:
        """The topic and homework of the lesson under the cursor."""
        if not self._writable():
            return
        state, key = self.state, self._cursor()
        assert state is not None and key is not None
        lesson_id = key[1]
        view = state.lesson(lesson_id)
        shown = [r.entry_id for r in view.refusals]

        def saved(edit: LessonEdit | None) -> None:
            if self.state is not state:
                return
            for entry_id in shown:  # seen in the form (and typed in again there)
                self.sync.dismiss(entry_id)
                state.dismiss(entry_id)
            if edit is not None and not edit.empty:
                self._save_lesson(lesson_id, edit)
            self._show_sync()
            self._show_details()

        journal = state.journal
        form = LessonForm(view, subject=journal.subject.name, class_name=journal.class_name)
        self.app.push_screen(form, saved)

    def _save_lesson(self, lesson_id: str, edit: LessonEdit) -> None:
        state = self.state
        assert state is not None
        cls, subject = state.class_id, state.subject_id
        if edit.topic is not None:
            previous = state.lesson(lesson_id).lesson.topic
            self._entered(
                self.sync.set_topic(cls, subject, lesson_id, edit.topic, previous),
                move_down=False,
                undoable=False,
            )
        for change in edit.homework:
            kind, _sep, ref = (change.ref or "").partition(":")
            if kind == GONE and change.text is None:
                continue  # a refused revision of homework since removed, let go: nothing to send
            self._entered(
                self.sync.set_homework(
                    cls,
                    subject,
                    lesson_id,
                    text=change.text,
                    required=change.required,
                    homework_id=ref if kind == "h" else None,
                    create_seq=int(ref) if kind == "e" else None,
                ),
                move_down=False,
                undoable=False,
            )

    # -- the class -------------------------------------------------------------------

    def action_announce(self) -> None:
        """An announcement to the class whose journal this is."""
        state = self.state
        if state is None:
            return
        # The window says itself that it was posted.
        self.app.push_screen(
            AnnouncementModal(self.session, state.class_id, state.journal.class_name)
        )

    def action_message_family(self) -> None:
        """A message to a parent of the student under the cursor."""
        state, key = self.state, self._cursor()
        if state is None or key is None:
            return
        student = state.students[key[0]]
        self.app.push_screen(
            FamilyMessageModal(self.session, state.class_id, student.id, student.full_name)
        )

    def action_credentials(self) -> None:
        """The class's families and their accounts; first-login passwords to hand out."""
        state, key = self.state, self._cursor()
        if state is None:
            return
        self.app.push_screen(
            CredentialsScreen(
                self.session,
                state.class_id,
                state.journal.class_name,
                key[0] if key is not None else None,
                tz=self.clock().tzinfo,
            )
        )

    # -- looking around ------------------------------------------------------------

    @on(JournalGrid.Activated)
    def _activated(self, event: JournalGrid.Activated) -> None:
        event.stop()
        state = self.state
        if state is None:
            return
        student = state.students[event.row_key]
        lesson = state.lesson(event.column_key).lesson
        self.app.push_screen(
            CellDetails(
                self.sync,
                student,
                lesson,
                state.cell(student.id, lesson.id),
                state.summary(student.id),
                self._scale,
                self.clock().tzinfo,
            )
        )

    def action_pick(self) -> None:
        """Another class or subject: the teacher's own, then those they may only read."""
        self._pick()

    @work(exclusive=True, group="pick")
    async def _pick(self) -> None:
        choices = await self.sync.journals(self.user.teaching)
        if not choices:
            self.notify(_("journal.nothing_taught"), severity="warning")
            return
        current = (self.state.class_id, self.state.subject_id) if self.state else None

        def chosen(choice: JournalChoice | None) -> None:
            if choice is not None:
                self.open_journal(choice.class_id, choice.subject_id)

        self.app.push_screen(JournalPicker(choices, current), chosen)

    async def palette_entries(self) -> list[PaletteEntry]:
        """For ctrl+p: the other periods of this journal, then every other journal."""
        state = self.state
        current = (state.class_id, state.subject_id) if state is not None else None
        entries: list[PaletteEntry] = []
        if state is not None:
            entries += [
                PaletteEntry(
                    _("journal.palette_period", period=period_name(period)),
                    f"{state.journal.class_name} · {state.journal.subject.name}",
                    partial(self.open_journal, state.class_id, state.subject_id, period.id),
                    discoverable=True,
                )
                for period in state.journal.periods
                if period.id != state.journal.period.id
            ]
        for choice in await self.sync.journals(self.user.teaching):
            if (choice.class_id, choice.subject_id) == current:
                continue
            entries.append(
                PaletteEntry(
                    _(
                        "journal.palette_journal",
                        class_name=choice.class_name,
                        subject=choice.subject_name,
                    ),
                    "" if choice.can_write else _("journal.pick_read_only"),
                    partial(self.open_journal, choice.class_id, choice.subject_id),
                )
            )
        return entries

    def open_journal(self, class_id: str, subject_id: str, period_id: str | None = None) -> None:
        """Show another journal (its saved copy at once, then the server's)."""
        self.wanted = (class_id, subject_id, period_id)
        self._chosen_by = "caller"
        self.fetched_at = None
        self._target_lesson = None
        self._open(network=True)

    def action_period(self, step: int) -> None:
        state = self.state
        if state is None:
            return
        periods = state.journal.periods
        ids = [p.id for p in periods]
        if state.journal.period.id not in ids:
            return
        index = ids.index(state.journal.period.id) + step
        if not 0 <= index < len(periods):
            self.notify(_("journal.no_more_periods"))
            return
        self.open_journal(state.class_id, state.subject_id, periods[index].id)

    def action_today(self) -> None:
        state = self.state
        if state is not None:
            self.query_one(JournalGrid).move_to(column=self._start_column(state.journal))

    def action_refresh(self) -> None:
        self.sender.retry_now()
        if self.state is not None:
            j = self.state.journal
            self._fetch(j.class_id, j.subject.id, j.period.id)
        elif self.wanted is not None:
            self._fetch(*self.wanted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "period":
            return self.state is not None and len(self.state.journal.periods) > 1
        if action in ("announce", "message_family", "credentials"):
            return self.state is not None
        return True


_frozen_with: tuple[str, str, str] | None = None


def _freeze_what_lives(journal: tuple[str, str, str]) -> None:
    """After a journal is painted: what lives now (the app, the embedded server, this
    journal) is taken out of the cyclic collector's way, else a collection walks it all
    and stalls a key press now and then for 20-100 ms.

    When another journal is shown, everything is unfrozen and collected first, so the
    one before is not kept alive (a few tens of milliseconds, while the teacher looks
    at the journal just opened). The same journal painted again (the server's copy
    after the saved one, a refresh) only freezes what is new, which costs nothing."""
    global _frozen_with
    if journal != _frozen_with:
        _frozen_with = journal
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def period_name(period: Period) -> str:
    """ "2nd quarter" / "2-я четверть": ours when we know the kind, else the server's name."""
    key = f"journal.{period.kind}_{period.number}"
    return _(key) if has(key) else period.name
