"""The cell editor and the paper journal's rules about marks (issue 14, point 2).

Driven with a Pilot against the real server in-process, as test_journal.py is: the demo
`teacher` teaches 7А algebra, where `student` is (the `parent`'s older child). Enter on a
cell opens the editor; what it changes goes through the outbox like any key press, and
what the server has is checked through the API, the family's side through the parent's
own client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select

from ediary_tui.client.api import DiaryClient
from ediary_tui.client.journal_sync import OutboxSender
from ediary_tui.client.outbox import Outbox
from ediary_tui.context import AppContext
from ediary_tui.domain.models import AttendanceCode, Mark
from ediary_tui.screens.journal.details import NEW, CellDetails
from ediary_tui.screens.journal.screen import JournalScreen
from ediary_tui.server import schema as s
from ediary_tui.widgets.dialogs import ConfirmModal
from tests.conftest import PINNED_TODAY

from .conftest import SERVER, LazySchool, new_session, pinned_clock, sixteen_colours
from .journal_fixtures import (
    JournalApp,
    Outage,
    all_sent,
    counted,
    grid_of,
    journal_app,
    journal_settled,
    loaded,
    logged_in,
    teacher_api,
    told,
)
from .test_journal import attendance_in, marks_in, server_journal, shown

SIZE = (80, 24)
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
CellKey = tuple[str, str]


@pytest.fixture
def outage(school: Callable[[], httpx.ASGITransport]) -> Outage:
    return Outage(school())


@pytest.fixture
async def api(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    client = await teacher_api(school())
    yield client
    await client.aclose()


@pytest.fixture
async def parent(school: Callable[[], httpx.ASGITransport]) -> AsyncIterator[DiaryClient]:
    client = DiaryClient(SERVER, transport=school(), retries=0)
    await client.login("parent", "demo")
    yield client
    await client.aclose()


async def school_rule(engine: AsyncEngine, rule: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(s.schools.update().values(mark_on_absent=rule))


async def on_students_cell(pilot: Pilot[Any], api: DiaryClient) -> tuple[JournalScreen, CellKey]:
    """7А algebra open, the cursor on `student`'s cell in the last lesson given."""
    screen = await loaded(pilot)
    me = await api.me()
    algebra = next(t for t in me.teaching if t.class_name == "7А" and t.subject_name == "Алгебра")
    screen.open_journal(algebra.class_id, algebra.subject_id)
    await journal_settled(pilot)
    state = screen.state
    assert state is not None and state.class_id == algebra.class_id
    student = DiaryClient(SERVER, transport=screen.session.client._transport, retries=0)
    await student.login("student", "demo")
    student_id = (await student.me()).id
    await student.aclose()
    lesson = [le for le in state.journal.lessons if le.date <= PINNED_TODAY][-1]
    key = (student_id, lesson.id)
    await back_to(pilot, key)
    return screen, key


async def back_to(pilot: Pilot[Any], key: CellKey) -> None:
    grid_of(pilot.app).move_to_key(*key)
    await pilot.pause()


async def editor(pilot: Pilot[Any], key: CellKey) -> CellDetails:
    await back_to(pilot, key)
    await pilot.press("enter")
    await journal_settled(pilot)
    assert isinstance(pilot.app.screen, CellDetails)
    return pilot.app.screen


def choose(details: CellDetails, option: str) -> None:
    marks = details.query_one("#marks", OptionList)
    marks.highlighted = marks.get_option_index(option)


def cell_marks(found: list[Mark]) -> list[tuple[int | None, bool, str, str | None]]:
    return [(m.value, m.is_dot, m.control_form.code, m.comment) for m in found]


async def open_journal(outage: Outage, **kw: Any) -> Any:
    return journal_app(await logged_in(outage), **kw)


class TestCellEditor:
    async def test_a_comment_and_a_form_set_in_the_cell_reach_the_api_and_the_family(
        self, outage: Outage, api: DiaryClient, parent: DiaryClient
    ) -> None:
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            details = await editor(pilot, key)
            choose(details, NEW)
            await pilot.pause()
            details.query_one("#value", Input).value = "4"
            details.query_one("#mark-form", Select).value = "test"
            details.query_one("#comment", Input).value = "Хорошо, но без выводов"
            await pilot.press("ctrl+s")
            assert app.screen is screen
            assert "4" in shown(screen, *key)
            await all_sent(pilot, screen)
            after = await server_journal(api, screen)
            assert cell_marks(marks_in(after, *key)) == [
                (4, False, "test", "Хорошо, но без выводов")
            ]

            # The lesson becomes a test, and the mark's comment is changed.
            details = await editor(pilot, key)
            choose(details, "0")
            await pilot.pause()
            details.query_one("#lesson-form", Select).value = "independent"
            details.query_one("#comment", Input).value = "Хорошо"
            await pilot.press("ctrl+s")
            await all_sent(pilot, screen)
            after = await server_journal(api, screen)
            lesson = next(le for le in after.lessons if le.id == key[1])
            assert lesson.control_form.code == "independent"
            assert screen.state is not None  # the version the next edit of the lesson names
            assert screen.state.lessons[key[1]].updated_at == lesson.updated_at
            assert cell_marks(marks_in(after, *key)) == [(4, False, "test", "Хорошо")]

        child = next(c for c in (await parent.me()).children if c.class_name == "7А")
        assert child.id == key[0]
        week = await parent.week(child.id, lesson.date)
        given = [m for day in week.days for le in day.lessons if le.id == key[1] for m in le.marks]
        assert [(m.value, m.comment, m.control_form.weight) for m in given] == [(4, "Хорошо", 3)]

    async def test_a_second_mark_in_one_lesson(self, outage: Outage, api: DiaryClient) -> None:
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            await pilot.press("5")
            details = await editor(pilot, key)
            choose(details, NEW)
            await pilot.pause()
            details.query_one("#value", Input).value = "3"
            details.query_one("#mark-form", Select).value = "oral"
            await pilot.press("ctrl+s")
            await all_sent(pilot, screen)
            assert shown(screen, *key).split() == ["5", "3"]
            after = await server_journal(api, screen)
            lesson_form = next(le for le in after.lessons if le.id == key[1]).control_form.code
            assert cell_marks(marks_in(after, *key)) == [
                (5, False, lesson_form, None),
                (3, False, "oral", None),
            ]

    async def test_a_digit_typed_on_the_list_of_marks_is_the_value(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        """Enter, then the mark at once, as a teacher types it: no Tab to the field first."""
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            details = await editor(pilot, key)
            assert isinstance(details.focused, OptionList)
            await pilot.press("4")
            value = details.query_one("#value", Input)
            assert details.focused is value and value.value == "4"
            await pilot.press("ctrl+s")
            await all_sent(pilot, screen)
            after = await server_journal(api, screen)
            assert [m.value for m in marks_in(after, *key)] == [4]

    async def test_a_value_is_checked_in_the_editor_and_nothing_is_lost(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            details = await editor(pilot, key)
            choose(details, NEW)
            await pilot.pause()
            details.query_one("#value", Input).value = "7"
            await pilot.press("ctrl+s")
            assert app.screen is details
            error = str(details.query_one("#error").render())
            assert error == "Marks on this school's scale are 1 to 5."
            assert details.query_one("#value", Input).value == "7"
            await pilot.press("escape")  # something typed: asked first
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("n")
            assert app.screen is details
            assert screen.unsent == 0

    async def test_typing_in_the_editor_fires_no_shortcut(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        """Letters that are keys elsewhere (q quits, n is absent, ? is help), Cyrillic too."""
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            details = await editor(pilot, key)
            choose(details, NEW)
            await pilot.pause()
            details.query_one("#comment", Input).focus()
            typed = "qnz?нз5 Ёж"
            await pilot.press(*["space" if c == " " else c for c in typed])
            assert app.screen is details
            assert details.query_one("#comment", Input).value == typed
            assert screen.unsent == 0

    async def test_a_dot_is_filled_by_the_mark_typed_on_it(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            await pilot.press("full_stop")
            await pilot.press("enter")  # the due date proposed
            await all_sent(pilot, screen)
            dot = marks_in(await server_journal(api, screen), *key)
            assert [(m.value, m.is_dot) for m in dot] == [(None, True)]
            await back_to(pilot, key)
            await pilot.press("4")
            assert shown(screen, *key).rstrip("·") == "4"  # filled, not beside the dot
            await all_sent(pilot, screen)
            assert shown(screen, *key) == "4"
            after = marks_in(await server_journal(api, screen), *key)
            assert [(m.id, m.value, m.is_dot, m.due) for m in after] == [
                (dot[0].id, 4, False, None)
            ]
            history = await api.mark_history(dot[0].id)
            assert [(c.action, c.from_, c.to) for c in history.changes] == [
                ("created", None, "•"),
                ("changed", "•", "4"),
            ]
            # Undo makes it the dot it was.
            await back_to(pilot, key)
            await pilot.press("z")
            await all_sent(pilot, screen)
            again = marks_in(await server_journal(api, screen), *key)
            assert [(m.id, m.value, m.is_dot, m.due) for m in again] == [
                (dot[0].id, None, True, dot[0].due)
            ]

    async def test_a_dot_filled_from_the_editor(self, outage: Outage, api: DiaryClient) -> None:
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            await pilot.press("full_stop")
            await pilot.press("enter")
            details = await editor(pilot, key)
            choose(details, "0")
            await pilot.pause()
            assert details.query_one("#value", Input).placeholder == "•"
            details.query_one("#value", Input).value = "5"
            details.query_one("#comment", Input).value = "сдал"
            await pilot.press("ctrl+s")
            assert shown(screen, *key).rstrip("·") == "5"
            await all_sent(pilot, screen)
            after = marks_in(await server_journal(api, screen), *key)
            assert [(m.value, m.is_dot, m.comment) for m in after] == [(5, False, "сдал")]

    async def test_the_editors_entries_survive_a_restart(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            await pilot.press("5")
            await all_sent(pilot, screen)
            outage.down = True
            details = await editor(pilot, key)
            choose(details, "0")
            await pilot.pause()
            details.query_one("#comment", Input).value = "устный ответ"
            details.query_one("#mark-form", Select).value = "oral"
            details.query_one("#lesson-form", Select).value = "test"
            await pilot.press("ctrl+s")
            assert screen.unsent == 2
            sync = app.context.journal
            server, user = sync.server, sync.user_id
        kept = Outbox().pending(server, user)  # on disk, as a new start reads it
        assert [e.kind for e in kept] == ["journal.lesson_form", "journal.patch_mark"]
        outage.down = False
        again = journal_app(await logged_in(outage))
        async with again.run_test(size=SIZE) as pilot:
            screen = await loaded(pilot)
            await all_sent(pilot, screen)
        after = await api.journal(*(await _seven_a_algebra(api)))
        assert cell_marks(marks_in(after, *key))[0][2:] == ("oral", "устный ответ")
        assert next(le for le in after.lessons if le.id == key[1]).control_form.code == "test"


async def _seven_a_algebra(api: DiaryClient) -> tuple[str, str]:
    me = await api.me()
    t = next(t for t in me.teaching if t.class_name == "7А" and t.subject_name == "Алгебра")
    return t.class_id, t.subject_id


class TestAbsentAndMarked:
    async def test_a_mark_on_an_absent_student_is_asked_once(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            await pilot.press("n")
            await back_to(pilot, key)
            await pilot.press("5")
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("n")  # no: nothing written
            assert app.screen is screen and "5" not in shown(screen, *key)
            await back_to(pilot, key)
            await pilot.press("5")
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("y")
            assert app.screen is screen
            await back_to(pilot, key)
            await pilot.press("4")  # asked once: the second mark goes straight in
            assert app.screen is screen
            await all_sent(pilot, screen)
            after = await server_journal(api, screen)
            assert [m.value for m in marks_in(after, *key)] == [5, 4]
            assert attendance_in(after, *key) == AttendanceCode.ABSENT

    async def test_a_school_that_refuses_says_so_and_writes_nothing(
        self, outage: Outage, api: DiaryClient, engine: AsyncEngine
    ) -> None:
        await school_rule(engine, "refuse")
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            await pilot.press("n")
            await all_sent(pilot, screen)
            await back_to(pilot, key)
            await pilot.press("5")
            assert app.screen is screen
            assert told(app)[-1] == (
                "The student is marked absent in this lesson, and this school gives no marks "
                "for a lesson missed: clear the absence first."
            )
            assert screen.unsent == 0
            assert marks_in(await server_journal(api, screen), *key) == []

    async def test_the_servers_refusal_shows_in_the_cell(
        self, outage: Outage, api: DiaryClient, engine: AsyncEngine
    ) -> None:
        """The school changed its rule after the journal was read: the server refuses."""
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            await pilot.press("n")
            await all_sent(pilot, screen)
            await school_rule(engine, "refuse")
            await back_to(pilot, key)
            await pilot.press("5")
            await pilot.press("y")
            await all_sent_or_refused(pilot, screen)
            assert shown(screen, *key) == "н 5!"
            await back_to(pilot, key)
            details = str(screen.query_one("#details").render())
            assert "Refused" in details and "is marked absent in this lesson" in details
            assert marks_in(await server_journal(api, screen), *key) == []

    async def test_an_absence_on_a_marked_cell_keeps_the_mark_and_says_so(
        self, outage: Outage, api: DiaryClient
    ) -> None:
        app = await open_journal(outage)
        async with app.run_test(size=SIZE) as pilot:
            screen, key = await on_students_cell(pilot, api)
            await pilot.press("5")
            await back_to(pilot, key)
            await pilot.press("n")
            student = screen.state.students[key[0]].full_name  # type: ignore[union-attr]
            assert told(app)[-1] == (
                f"The marks in this cell stay: {student} is marked absent with them."
            )
            assert shown(screen, *key).replace("·", "") == "н 5"
            await all_sent(pilot, screen)
            after = await server_journal(api, screen)
            assert [m.value for m in marks_in(after, *key)] == [5]
            assert attendance_in(after, *key) == AttendanceCode.ABSENT


async def all_sent_or_refused(pilot: Pilot[Any], screen: JournalScreen) -> None:
    """Until nothing is pending (a refusal stays, shown)."""
    from .journal_fixtures import reported

    await reported(pilot, screen, lambda state: state.pending == 0 and screen.unsent == 0)


# --- what it looks like -----------------------------------------------------------------


def editor_app(school_copy: str) -> JournalApp:
    """The journal on a copy of the demo school, built as `journal_app` builds it."""
    session = new_session(LazySchool(school_copy))
    context = AppContext.build(session, today=PINNED_TODAY, clock=pinned_clock)
    context = replace(context, sender=OutboxSender(context.journal, max_delay=0.2))
    return JournalApp(context, journal={}, login="teacher", lang="en")


async def the_editor(pilot: Pilot[Any]) -> None:
    """8А's journal as it opens, on a student with a 3 in today's lesson (a test): a 2 with a
    comment put beside it from the editor, then the editor opened again on a mark more."""
    screen = await loaded(pilot)
    await all_sent(pilot, screen)
    await counted(pilot)
    key = grid_of(pilot.app).cursor_key
    assert key is not None
    assert shown(screen, *key) == "3"
    details = await editor(pilot, key)
    choose(details, NEW)
    await pilot.pause()
    details.query_one("#value", Input).value = "2"
    details.query_one("#mark-form", Select).value = "oral"
    details.query_one("#comment", Input).value = "Не готов к ответу"
    await pilot.press("ctrl+s")
    await all_sent(pilot, screen)
    assert shown(screen, *key) == "3 2"
    details = await editor(pilot, key)
    choose(details, NEW)
    await journal_settled(pilot)
    await pilot.pause(0.2)


class TestEditorLooks:
    """SVGs in snapshots/app/test_journal_cell_editor/; look at each one."""

    @pytest.mark.parametrize("size", SIZES)
    def test_the_cell_editor(
        self, snap_compare: Any, school_copy: str, size: tuple[int, int]
    ) -> None:
        assert snap_compare(editor_app(school_copy), terminal_size=size, run_before=the_editor)

    def test_the_cell_editor_at_16_colours(
        self, snap_compare: Any, school_copy: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """TERM=xterm: a 3 and a 2 in different colours (yellow and red) in the grid and
        the editor."""
        monkeypatch.setenv("TERM", "xterm")
        monkeypatch.delenv("COLORTERM", raising=False)
        app = editor_app(school_copy)
        sixteen_colours(app)
        assert app.console.color_system == "standard"
        assert snap_compare(app, terminal_size=(80, 24), run_before=the_editor)
