"""Journal benchmark (not a test): a key press to its repainted cell, and the server's answers.

The teacher's journal of the demo school (35 students a class, so a column
holds 30 marks) is opened in-process with Textual's Pilot, and 30 marks are
typed down one column at a typist's pace. Each key press is timed until a
frame, as rendered for a terminal and fed to a pyte virtual terminal, shows
the new mark in its cell (Textual draws at most 60 frames a second, so a
frame can wait up to 17 ms for its turn). Then the time from the last key
press until the server has acknowledged all 30 marks (the outbox is empty).

Both servers are measured (or one, with `--server`): the embedded one (the
real app over `httpx.ASGITransport`, the path `ediary` takes with no server
configured, so the server's work shares the app's event loop) and a real
`ediary serve` on 127.0.0.1, started for the run.

Targets (issue 5): median < 16 ms, p95 < 33 ms, all acknowledged within 1 s.

    pip install -e '.[bench]'
    python bench/journal.py [--marks 30] [--size 120x40] [--server loopback] [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyte

HERE = Path(__file__).resolve().parent
SECTION = "## bench/journal.py"
MEDIAN_MS, P95_MS, ACK_S = 16.0, 33.0, 1.0


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), -(-len(ordered) * p // 100)))
    return ordered[int(rank) - 1]


def school_day(day: dt.date) -> dt.date:
    """`day`, or the Friday before it at a weekend: a day with lessons to give marks in."""
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


async def build(db_path: Path, today: dt.date, students: int) -> None:
    from ediary_tui.server import db
    from ediary_tui.server.demo import build_demo

    engine = db.create_engine(str(db_path))
    try:
        await db.upgrade(engine)
        await build_demo(engine, today=today, classes_per_grade=1, students_per_class=students)
        # The burst types over whatever the column holds, absences included: the school takes
        # such marks without asking (the default 'ask' would stop the burst at a question).
        from ediary_tui.server import schema

        async with engine.begin() as conn:
            await conn.execute(schema.schools.update().values(mark_on_absent="allow"))
    finally:
        await engine.dispose()


class FrameProbe:
    """Feeds every frame the app would write to a terminal into a pyte screen, noting when
    a frame first shows what `waiting` looks for (as bench/startup.py does)."""

    def __init__(self, app: Any, cols: int, rows: int) -> None:
        self.vt = pyte.Screen(cols, rows)
        self.stream = pyte.Stream(self.vt)
        self.waiting: Any = None
        self.seen_at: float | None = None
        self.app = app
        self.display = app._display
        app._display = self._display

    def _display(self, screen: Any, renderable: Any) -> None:
        if renderable is not None and hasattr(renderable, "render_segments"):
            self.stream.feed(renderable.render_segments(self.app.console))
            if self.waiting is not None and self.seen_at is None and self.waiting(self.vt):
                self.seen_at = time.perf_counter()
        self.display(screen, renderable)


def exactly_once(
    before: Any, after: Any, lesson_id: str, students: list[str], values: list[str]
) -> int:
    """How many students have exactly one new mark in the lesson, the one typed for them
    (a mark typed on a dot fills the dot: the dot's id then holds the value)."""

    def marks(journal: Any, student: str) -> dict[str, int | None]:
        return {
            m.id: m.value
            for c in journal.cells
            if (c.student_id, c.lesson_id) == (student, lesson_id)
            for m in c.marks
        }

    found = 0
    for student, value in zip(students, values, strict=True):
        old = marks(before, student)
        now = marks(after, student)
        new = [v for k, v in now.items() if k not in old]
        filled = [v for k, v in now.items() if k in old and old[k] is None and v is not None]
        found += new + filled == [int(value)]
    return found


def tokens(text: str) -> list[str]:
    return text.replace("·", " ").split()


async def widest_journal(db_path: Path, today: dt.date) -> tuple[str, str, str, int]:
    """(teacher's login, class id, subject id, lessons) of the journal with the most lessons
    so far in the first half-year (grades 10 and 11 have half-years, not quarters)."""
    import sqlalchemy as sa

    from ediary_tui.server import db
    from ediary_tui.server import schema as s

    first = dt.date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    le, t, u, c = s.lessons, s.teaching, s.users, s.classes
    engine = db.create_engine(str(db_path))
    try:
        async with engine.connect() as conn:
            found = (
                await conn.execute(
                    sa.select(u.c.login, t.c.class_id, t.c.subject_id, sa.func.count(le.c.id))
                    .join(t, t.c.teacher_id == u.c.id)
                    .join(le, (le.c.class_id == t.c.class_id) & (le.c.subject_id == t.c.subject_id))
                    .join(c, c.c.id == t.c.class_id)
                    .where(le.c.date.between(first, today), c.c.grade >= 10)
                    .group_by(u.c.login, t.c.class_id, t.c.subject_id)
                    .order_by(sa.func.count(le.c.id).desc(), u.c.login)
                    .limit(1)
                )
            ).one()
    finally:
        await engine.dispose()
    return found[0], str(found[1]), str(found[2]), int(found[3])


async def run(
    args: argparse.Namespace,
    home: Path,
    server_url: str | None,
    login: str = "teacher",
    journal: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Open `login`'s journal (the lesson now or next, or `journal`), type the marks, time it."""
    os.environ["EDIARY_HOME"] = str(home)
    from textual import events, work
    from textual.content import Content

    import ediary_tui.app as app_module
    from ediary_tui.app import EdiaryApp
    from ediary_tui.client import locations
    from ediary_tui.client.api import DiaryClient
    from ediary_tui.client.cache import OfflineCache
    from ediary_tui.client.credentials import CredentialStore
    from ediary_tui.client.session import DiarySession
    from ediary_tui.context import AppContext
    from ediary_tui.embedded import EMBEDDED_URL, EmbeddedTransport
    from ediary_tui.screens.journal.grid_paint import UNSENT
    from ediary_tui.screens.journal.screen import JournalScreen
    from ediary_tui.widgets.journal_grid import CELL, COLUMN, HEADER, JournalGrid

    chosen = {"class_id": journal[0], "subject_id": journal[1]} if journal else {}

    class JournalApp(EdiaryApp):
        """`ediary` for a teacher: log in, land on the journal."""

        CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))

        def on_mount(self, event: events.Mount) -> None:
            event.prevent_default()
            self.start()

        @work
        async def start(self) -> None:
            user = (await self.session.login(login, "demo")).user
            context = self.context
            self.push_screen(
                JournalScreen(
                    self.session,
                    user,
                    today=self.today,
                    clock=self.clock,
                    journal=context.journal,
                    sender=context.sender,
                    **chosen,
                )
            )

    if server_url is None:
        transport = EmbeddedTransport(locations.demo_db_path(), demo=False)
        client = DiaryClient(EMBEDDED_URL, transport=transport)
    else:
        client = DiaryClient(server_url)
    session = DiarySession(client, CredentialStore(remember=False), OfflineCache())
    app = JournalApp(AppContext.build(session, today=args.today), lang="en")
    cols, rows = args.size
    probe = FrameProbe(app, cols, rows)
    times: list[float] = []
    moves: list[float] = []
    result: dict[str, Any] = {}

    async def timed(key: str, check: Any) -> float:
        """Seconds from pressing `key` until a frame for which `check(vt)` holds."""
        probe.waiting, probe.seen_at = check, None
        started = time.perf_counter()
        await pilot.press(key)
        while probe.seen_at is None and time.perf_counter() < started + 5:
            await asyncio.sleep(0.0005)
        probe.waiting = None
        return probe.seen_at - started if probe.seen_at else float("nan")

    async with app.run_test(size=(cols, rows)) as pilot:

        def journal_screen() -> JournalScreen | None:
            return next((s for s in app.screen_stack if isinstance(s, JournalScreen)), None)

        deadline = time.perf_counter() + 60
        while True:
            screen = journal_screen()
            if screen is not None and screen.state is not None and screen.fetched_at:
                break
            if time.perf_counter() > deadline:
                raise SystemExit("the journal did not open within 60 s")
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        grid = screen.query_one(JournalGrid)
        assert screen.state is not None
        if len(grid.rows) < args.marks:
            raise SystemExit(f"the journal has {len(grid.rows)} students, fewer than {args.marks}")
        grid.move_to(row=0)
        await pilot.pause(0.1)
        _, lesson_id = grid.cursor_key or ("", "")
        lesson = screen.state.lessons[lesson_id]
        j = screen.state.journal
        before = await session.client.journal(j.class_id, j.subject.id, j.period.id)
        result["journal"] = (
            f"{j.class_name} {j.subject.name}, {j.period.name}: {len(grid.rows)} students x"
            f" {len(grid.columns)} lessons; marks in the column of {lesson.date:%d.%m}"
        )

        def cell_text(vt: pyte.Screen, row: int, column: int) -> str:
            """What the terminal shows in a cell, wherever the grid is scrolled to now."""
            region = grid.content_region
            y = region.y + HEADER + row - grid.scroll_offset.y
            x0 = region.x + grid._name_width + column * COLUMN - grid.scroll_offset.x
            return vt.display[y][x0 : x0 + COLUMN] if 0 <= y < len(vt.display) else ""

        # When the server's answer to each entry arrived (Pilot's press returns only once the
        # app is idle, well after that, so polling the outbox afterwards would say too late).
        acknowledged: list[float] = []
        send = screen.sync.send

        async def noting_send(entry: Any) -> Any:
            outcome = await send(entry)
            acknowledged.append(time.perf_counter())
            return outcome

        screen.sync.send = noting_send  # type: ignore[method-assign]
        values = [str(5 - n % 4) for n in range(args.marks)]
        last_press = 0.0
        for n, key in enumerate(values):
            row, column = grid.cursor_row, grid.cursor_column
            # The cell as it will show: what it holds, then the new mark (unsent), cut
            # to the cell's width as the grid cuts it ("н 5 3·" shows as "н 5 …").
            held = grid.cell(grid.rows[row][0], grid.columns[column].key).plain
            after = f"{held} {key}{UNSENT}".strip()
            want = tokens(Content(after).truncate(CELL, ellipsis=True).plain)

            def shows(
                vt: pyte.Screen, row: int = row, column: int = column, want: list[str] = want
            ) -> bool:
                return tokens(cell_text(vt, row, column)) == want

            last_press = time.perf_counter()
            times.append(await timed(key, shows))
            if n < len(values) - 1:
                await asyncio.sleep(args.gap)
        while screen.unsent and time.perf_counter() < last_press + 30:
            await asyncio.sleep(0.001)
        all_in = not screen.unsent and len(acknowledged) >= args.marks
        result["ack"] = max(acknowledged) - last_press if all_in else float("nan")
        # What the server has: the marks, once each.
        students = [st.id for st in before.students][: args.marks]
        after = await session.client.journal(j.class_id, j.subject.id, j.period.id)
        result["on_server"] = exactly_once(before, after, lesson_id, students, values)
        # A burst: the next column to the left, 30 keys as fast as they come.
        # Every entry a key makes (a new mark, or a mark typed over one: a change since the
        # cell editor) goes through `add`.
        put = screen.sync.add
        put_at: list[float] = []

        def noting_put(*a: Any, **kw: Any) -> Any:
            put_at.append(time.perf_counter())
            return put(*a, **kw)

        screen.sync.add = noting_put  # type: ignore[method-assign]
        acknowledged.clear()
        grid.move_to(row=0, column=grid.cursor_column - 1)
        await pilot.pause(0.2)
        for key in values:  # posted at once, not one by one as Pilot's press does
            app.post_message(events.Key(key, key))
        started = time.perf_counter()
        while (len(put_at) < args.marks or screen.unsent) and time.perf_counter() < started + 30:
            await asyncio.sleep(0.001)
        burst_in = (
            not screen.unsent and len(acknowledged) >= args.marks and len(put_at) == args.marks
        )
        result["burst"] = max(acknowledged) - put_at[-1] if burst_in else float("nan")
        result["burst_typing"] = put_at[-1] - put_at[0]
        burst_lesson = screen.state.journal.lessons[grid.cursor_column].id
        after = await session.client.journal(j.class_id, j.subject.id, j.period.id)
        result["on_server"] += exactly_once(before, after, burst_lesson, students, values)
        # Across the journal: left from the last lesson to the first, one column a key.
        grid.move_to(column=len(grid.columns) - 1)
        await pilot.pause(0.2)
        for _ in range(len(grid.columns) - 1):
            column = grid.cursor_column - 1

            def moved(vt: pyte.Screen, column: int = column) -> bool:
                region = grid.content_region
                x = region.x + grid._name_width + column * COLUMN - grid.scroll_offset.x + 2
                return 0 <= x < cols and vt.buffer[region.y][x].reverse

            moves.append(await timed("left", moved))
            await asyncio.sleep(args.gap / 2)
    await client.aclose()
    session.cache.close()
    result["times"] = times
    result["moves"] = moves
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(db_path: Path) -> Any:
    """`ediary serve` on loopback over the built school, for the length of the run."""
    port = free_port()
    ediary = Path(sys.executable).with_name("ediary")
    argv = [str(ediary)] if ediary.exists() else [sys.executable, "-m", "ediary_tui.cli"]
    proc = subprocess.Popen(
        [*argv, "serve", "--db", str(db_path), "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        else:
            raise SystemExit("ediary serve did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def stats(values: list[float]) -> tuple[int, float, float, float]:
    ok = [v * 1000 for v in values if v == v]
    if not ok:
        return 0, float("nan"), float("nan"), float("nan")
    return len(ok), statistics.median(ok), pct(ok, 95), max(ok)


def report(args: argparse.Namespace, results: list[tuple[str, str, dict[str, Any]]]) -> str:
    import textual

    def verdict(ok: bool) -> str:
        return "meets" if ok else "misses"

    out = [
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, Python {platform.python_version()},"
        f" Textual {textual.__version__}, {os.cpu_count()} CPUs, {platform.system()}"
        f" {platform.release()}, load average {args.load_before:.1f} before and"
        f" {os.getloadavg()[0]:.1f} after. Demo school built for {args.today}, 35 students a"
        f" class; terminal {args.size[0]}x{args.size[1]}. Servers: embedded = the app's own"
        " (in-process ASGI, SQLite, on the app's event loop); loopback = `ediary serve` on"
        " 127.0.0.1 (uvicorn, SQLite).",
        "",
        "| server | journal | what | n | median ms | p95 ms | max ms | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for server, name, result in results:
        n, median, p95, worst = stats(result["times"])
        ok = median < MEDIAN_MS and p95 < P95_MS
        out.append(
            f"| {server} | {name} | key press → frame showing the mark in its cell"
            f" | {n}/{len(result['times'])} | {median:.1f} | {p95:.1f} | {worst:.1f}"
            f" | median < {MEDIAN_MS:.0f}, p95 < {P95_MS:.0f}: {verdict(ok)} |"
        )
        ack = result["ack"] * 1000
        out.append(
            f"| | | last key press → all {args.marks} acknowledged by the server | 1 | {ack:.0f}"
            f" | | | < {ACK_S * 1000:.0f}: {verdict(ack < ACK_S * 1000)} |"
        )
        burst = result["burst"] * 1000
        out.append(
            f"| | | the same in a burst ({args.marks} keys in"
            f" {result['burst_typing'] * 1000:.0f} ms): last key → all acknowledged | 1"
            f" | {burst:.0f} | | | < {ACK_S * 1000:.0f}: {verdict(burst < ACK_S * 1000)} |"
        )
        n, median, p95, worst = stats(result["moves"])
        out.append(
            f"| | | ← across every lesson (key → frame with the cursor moved)"
            f" | {n}/{len(result['moves'])} | {median:.1f} | {p95:.1f} | {worst:.1f} | |"
        )
    out += [""]
    seen = set()
    for _, name, result in results:
        if name not in seen:
            seen.add(name)
            out.append(f"- {name}: {result['journal']}.")
    checked = ", ".join(f"{r['on_server']}/{2 * args.marks}" for _, _, r in results)
    out += [
        "",
        f"{args.marks} marks typed down one column, at least {args.gap * 1000:.0f} ms between a"
        " repainted cell and the next key (a fast typist), each key moving the cursor down. Each mark is"
        " committed to the outbox on disk before it is drawn; the sender works through the"
        " outbox on the same event loop while the keys are typed. Timed with Pilot in-process,"
        " from the key press to the first frame, as rendered for a terminal and read back"
        " through pyte, that shows the change (a cell whose marks no longer fit in it shows"
        " them cut, `н 5 …`, until acknowledged: that first frame counts); Textual paints at"
        " most 60 frames a second."
        f" Marks on the server afterwards, per run: {checked}, each exactly once.",
        "",
    ]
    return "\n".join(out)


def write_results(section: str) -> Path:
    """Put `section` under SECTION in bench/RESULTS.md, leaving the other sections be."""
    path = HERE / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    body = f"{SECTION}\n\n{section}"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text, count=1).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + body
    path.write_text(text, encoding="utf-8")
    return path


def size(text: str) -> tuple[int, int]:
    cols, _, rows = text.partition("x")
    return int(cols), int(rows)


def child(args: argparse.Namespace) -> int:
    """One run in a process of its own (as the app always is): JSON on stdout."""
    spec = json.loads(args.child)
    journal = tuple(spec["journal"]) if spec["journal"] else None
    args.today = dt.date.fromisoformat(spec["today"])
    result = asyncio.run(run(args, Path(spec["home"]), spec["url"], spec["login"], journal))
    print(json.dumps(result))
    return 0


def in_a_process(args: argparse.Namespace, **spec: Any) -> dict[str, Any]:
    argv = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--marks",
        str(args.marks),
        "--size",
        f"{args.size[0]}x{args.size[1]}",
        "--gap",
        str(args.gap),
        "--child",
        json.dumps({**spec, "today": args.today.isoformat()}),
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"a run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--marks", type=int, default=30)
    parser.add_argument("--size", type=size, default=(120, 40), help="terminal, e.g. 80x24")
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between key presses")
    parser.add_argument(
        "--server", choices=["embedded", "loopback"], help="measure one (default: both)"
    )
    parser.add_argument("--write", action="store_true", help="put the table in bench/RESULTS.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    args.load_before = os.getloadavg()[0]
    # The server's clock is the real one, so the school day is today (or Friday at a weekend).
    args.today = school_day(dt.date.today())
    home = Path(tempfile.mkdtemp(prefix="ediary-bench-journal-"))
    try:
        db_path = home / "data" / "demo-school.db"
        db_path.parent.mkdir(parents=True)
        started = time.perf_counter()
        asyncio.run(build(db_path, args.today, 35))
        print(f"built the demo school in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        login, class_id, subject_id, lessons = asyncio.run(widest_journal(db_path, args.today))
        scenarios = [
            ("the maths teacher's, on the lesson now or next", "teacher", None),
            (f"the widest: a half-year, {lessons} lessons so far", login, [class_id, subject_id]),
        ]
        results = []
        for server in [args.server] if args.server else ["embedded", "loopback"]:
            with served(db_path) if server == "loopback" else contextlib.nullcontext() as url:
                for name, who, which in scenarios:
                    run_home = home / f"{server}-{who}"
                    (run_home / "data").mkdir(parents=True)
                    shutil.copyfile(db_path, run_home / "data" / db_path.name)
                    result = in_a_process(
                        args, home=str(run_home), url=url, login=who, journal=which
                    )
                    times = " ".join(f"{t * 1000:.0f}" for t in result["times"])
                    print(f"{server}, {name}: {times}", file=sys.stderr)
                    results.append((server, name, result))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    section = report(args, results)
    print(section)
    if args.write:
        print(f"written to {write_results(section)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
