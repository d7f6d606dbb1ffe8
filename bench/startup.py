"""Startup and navigation benchmark (not a test): the diary against a bare Textual app.

Start-up: `ediary` is launched in a pseudo-terminal (120x40, xterm-256color)
with a remembered login on the embedded demo school and its current week in
the offline cache, and timed until a virtual terminal (pyte) fed with its
output shows that week: its date range and every lesson row, with its marks,
that the settled screen shows. A bare Textual app (one `Static("ready")`) is
timed the same way until "ready" shows. Runs are interleaved (bare, diary,
bare, diary...) so both see the same noisy machine. The target: the diary's
median within 1.5x the bare app's.

Imports: one more diary start, under `python -X importtime` and a meta-path
spy that notes when and in which thread each module is first looked for,
lists what is imported before the first frame, in the main thread and in
others (the server stack must not be there).

Navigation: in-process with Textual's Pilot on the same home, `[` and `]`
between weeks already in the cache, timed from the key press until a frame
that shows the new week is rendered. The target: p95 under 50 ms.

    pip install -e '.[bench]'
    python bench/startup.py --runs 10 --presses 48 [--write]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import fcntl
import itertools
import json
import os
import platform
import re
import select
import shlex
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyte

HERE = Path(__file__).resolve().parent
COLS, ROWS = 120, 40
WEEK = dt.timedelta(days=7)
FIRST_FRAME_RATIO = 1.5  # the target: diary median <= 1.5x bare median
NAV_P95_MS = 50.0
SERVER_STACK = ("fastapi", "starlette", "sqlalchemy", "uvicorn", "alembic", "aiosqlite")
SECTION = "## bench/startup.py"

BARE_APP = """\
from textual.app import App
from textual.widgets import Static


class Bare(App[None]):
    BINDINGS = [("q", "quit")]

    def compose(self):
        yield Static("ready")


if __name__ == "__main__":
    Bare().run()
"""

Check = Callable[[list[str]], bool]


# --- what "the week is on screen" means ---------------------------------------------


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_ROW_HEAD = re.compile(r"(?<!\d)\d{1,2} \d\d:\d\d ")


@dataclass
class WeekMarkers:
    """The text a painted week shows: its range, and a row per lesson with its marks."""

    monday: dt.date
    range_text: str
    rows: list[tuple[str, list[str]]]  # ("2 09:25 Технология", ["3¹"]) per lesson
    marked: int  # lessons with a mark that has a value

    def rows_shown(self, lines: Sequence[str]) -> tuple[int, int]:
        """(lesson rows, rows with marks) of this week on the screen, marks included."""
        segments = []
        for line in lines:
            starts = [m.start() for m in _ROW_HEAD.finditer(line)] + [len(line)]
            segments += [line[a:b] for a, b in itertools.pairwise(starts)]
        rows = with_marks = 0
        for head, marks in self.rows:
            for segment in segments:
                if segment.startswith(head) and all(m in segment[len(head) :] for m in marks):
                    rows += 1
                    with_marks += bool(marks)
                    break
        return rows, with_marks

    def shown(self, lines: Sequence[str], rows: int) -> bool:
        """The range is there and at least `rows` of the week's lesson rows are."""
        if not any(self.range_text in line for line in lines):
            return False
        return self.rows_shown(lines)[0] >= rows


def week_markers(week: Any, monday: dt.date) -> WeekMarkers:
    """What the week screen must show of `week` (the app's own range format, in English)."""
    from ediary_tui.i18n import set_language, week_range

    set_language("en")
    rows = []
    marked = 0
    for day in week.days:
        for lesson in day.lessons:
            head = f"{lesson.number} {lesson.starts_at:%H:%M} {lesson.subject.name[:12]}"
            marks = [
                f"{m.value}{str(m.control_form.weight).translate(_SUPERSCRIPT)}"
                for m in lesson.marks
                if m.value is not None and not m.is_dot
            ][:1]
            marked += bool(marks)
            rows.append((head, marks))
    return WeekMarkers(monday, week_range(monday, monday + dt.timedelta(days=5)), rows, marked)


# --- preparing the home: demo school, remembered login, cached weeks -------------------


@dataclass
class Prepared:
    home: Path
    child_id: str
    monday: dt.date
    weeks: dict[dt.date, WeekMarkers] = field(default_factory=dict)
    seconds: float = 0.0


async def prepare(home: Path, demo_today: dt.date, offsets: range) -> Prepared:
    """Build the demo school, log in as `parent` once and cache the weeks around today's."""
    os.environ["EDIARY_HOME"] = str(home)
    from ediary_tui.client import locations, reads
    from ediary_tui.client.api import DiaryClient
    from ediary_tui.client.cache import OfflineCache
    from ediary_tui.client.credentials import CredentialStore
    from ediary_tui.client.session import DiarySession
    from ediary_tui.domain.periods import week_start
    from ediary_tui.embedded import EMBEDDED_URL, EmbeddedTransport

    started = time.perf_counter()
    transport = EmbeddedTransport(locations.demo_db_path(), today=demo_today)
    cache = OfflineCache()
    session = DiarySession(DiaryClient(EMBEDDED_URL, transport=transport), CredentialStore(), cache)
    try:
        result = await session.login("parent", "demo")
        child = result.user.children[0]
        monday = week_start(dt.date.today())  # the app opens on the clock's week
        prepared = Prepared(home, child.id, monday)
        for offset in offsets:
            day = monday + offset * WEEK
            week = (await session.fetch(reads.week(child.id, day))).value
            prepared.weeks[day] = week_markers(week, day)
    finally:
        cache.close()
        await transport.aclose()
    prepared.seconds = time.perf_counter() - started
    if prepared.weeks[monday].marked == 0:
        raise SystemExit(
            f"the week of {monday} has no marks in the demo school built for {demo_today}"
            " (a holiday?); pass --demo-today inside a school week"
        )
    return prepared


# --- a program in a pseudo-terminal -----------------------------------------------------


@dataclass
class PtyRun:
    launched_at: float  # time.time() at launch
    first_frame: float  # seconds from launch until `check` held, nan on timeout
    exit: float  # seconds from sending q until the process was reaped
    lines: list[str]
    raw: bytes


def _take_terminal() -> None:  # runs in the child between fork and exec
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


IMPORT_LINE = re.compile(rb"import time:[^\n]*\n")


def run_in_pty(
    argv: Sequence[str],
    env: dict[str, str],
    check: Check,
    *,
    timeout: float = 20.0,
    strip_importtime: bool = False,
) -> PtyRun:
    """Launch `argv` on a fresh 120x40 pty, time until `check(screen lines)`, then send q.

    The time includes feeding pyte and the check (a few ms, the same for both programs).
    """
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    screen = pyte.Screen(COLS, ROWS)
    stream = pyte.ByteStream(screen)
    raw = bytearray()
    launched_at = time.time()
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        preexec_fn=_take_terminal,
    )
    os.close(slave)
    first = float("nan")
    eof = False

    def read(wait: float) -> bool:
        """Read what is there (waiting up to `wait` for the first byte); False at EOF."""
        nonlocal eof
        got = False
        while not eof:
            ready, _, _ = select.select([master], [], [], wait if not got else 0)
            if not ready:
                break
            try:
                data = os.read(master, 1 << 16)
            except OSError:  # EIO: the child closed the terminal
                data = b""
            if not data:
                eof = True
                break
            got = True
            raw.extend(data)
            if not strip_importtime:
                stream.feed(data)
        if got and strip_importtime:
            screen.reset()
            stream.feed(IMPORT_LINE.sub(b"", bytes(raw)))
        return got

    try:
        deadline = started + timeout
        while not eof and time.perf_counter() < deadline:
            if read(0.05) and check(screen.display):
                first = time.perf_counter() - started
                break
        lines = list(screen.display)
        quit_at = time.perf_counter()
        with contextlib.suppress(OSError):
            os.write(master, b"q")
        exit_deadline = quit_at + 15.0
        while proc.poll() is None and time.perf_counter() < exit_deadline:
            read(0.02)
        exited = time.perf_counter() - quit_at
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            exited = float("nan")
        proc.wait()
    finally:
        os.close(master)
    return PtyRun(launched_at, first, exited, lines, bytes(raw))


# --- imports before the first frame ------------------------------------------------------

_IMPORT_ROW = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")

# Runs `ediary` with a meta-path spy that notes when, and in which thread, each module
# is first looked for; -X importtime says what each cost. Bench-side only: the app is
# run unchanged.
IMPORT_SPY = """\
import atexit, json, os, sys, threading, time
_log = {}
class _Spy:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in _log:
            _log[name] = (time.time(), threading.current_thread() is threading.main_thread())
sys.meta_path.insert(0, _Spy)
def _dump():
    with open(os.environ["BENCH_IMPORT_LOG"], "w") as out:
        json.dump(_log, out)
atexit.register(_dump)
from ediary_tui.cli import main
sys.exit(main(sys.argv[1:]))
"""


@dataclass
class Imported:
    name: str
    own_ms: float  # -X importtime "self": wall time, so a thread's waits for the GIL count
    main_thread: bool
    before: bool  # looked for before the first full frame was on screen

    @property
    def package(self) -> str:
        parts = self.name.split(".")
        return ".".join(parts[:2]) if parts[0] == "ediary_tui" and len(parts) > 1 else parts[0]


@dataclass
class ImportProfile:
    modules: list[Imported]
    first_frame: float

    def server_before(self, main_thread: bool) -> list[str]:
        names = {m.name for m in self.modules if m.before and m.main_thread == main_thread}
        hits = [m for m in SERVER_STACK if m in names]
        return hits + (["ediary_tui.server"] if "ediary_tui.server" in names else [])

    def count(self, *, before: bool, main_thread: bool) -> tuple[int, float]:
        chosen = [m for m in self.modules if m.before == before and m.main_thread == main_thread]
        return len(chosen), sum(m.own_ms for m in chosen)

    def by_package(self, n: int = 14) -> list[tuple[str, float, float, float]]:
        """(package, ms main thread before, ms other threads before, ms after) by cost before."""
        totals: dict[str, list[float]] = {}
        for m in self.modules:
            column = (0 if m.main_thread else 1) if m.before else 2
            totals.setdefault(m.package, [0.0, 0.0, 0.0])[column] += m.own_ms
        ranked = sorted(totals.items(), key=lambda kv: -(kv[1][0] + kv[1][1]))
        return [(name, *costs) for name, costs in ranked[:n]]


def import_profile(python: str, env: dict[str, str], check: Check, timeout: float) -> ImportProfile:
    """One diary start under -X importtime and the spy: what was imported before the frame."""
    log = Path(env["EDIARY_HOME"]) / "imports.json"
    argv = [python, "-X", "importtime", "-c", IMPORT_SPY, "--lang", "en"]
    run = run_in_pty(
        argv, {**env, "BENCH_IMPORT_LOG": str(log)}, check, timeout=timeout, strip_importtime=True
    )
    seen = json.loads(log.read_text(encoding="utf-8"))
    log.unlink()
    frame_at = run.launched_at + run.first_frame if run.first_frame == run.first_frame else 1e20
    modules = []
    for line in IMPORT_LINE.findall(run.raw):
        found = _IMPORT_ROW.match(line.decode(errors="replace"))
        if found and found[4] in seen:
            at, main_thread = seen[found[4]]
            modules.append(Imported(found[4], int(found[1]) / 1000, main_thread, at < frame_at))
    return ImportProfile(modules, run.first_frame)


# --- navigation in-process with Pilot ---------------------------------------------------


class FrameProbe:
    """Feeds every frame the app would write to a terminal into a virtual terminal.

    Headless, Textual renders each frame (the compositor's update) and drops it
    instead of writing it; the probe wraps the app's `_display` to turn the
    update into the terminal's bytes, as a real start would, and to note the
    time of the first frame that shows what it waits for.
    """

    def __init__(self, app: Any) -> None:
        self.vt = pyte.Screen(COLS, ROWS)
        self.stream = pyte.Stream(self.vt)
        self.waiting: tuple[WeekMarkers, int] | None = None
        self.seen_at: float | None = None
        self.app = app
        self.display = app._display
        app._display = self._display

    def _display(self, screen: Any, renderable: Any) -> None:
        if renderable is not None and hasattr(renderable, "render_segments"):
            text = renderable.render_segments(self.app.console)
            now = time.perf_counter()
            self.stream.feed(text)
            if self.waiting is not None and self.seen_at is None:
                markers, rows = self.waiting
                if markers.shown(self.vt.display, rows):
                    self.seen_at = now
        self.display(screen, renderable)


async def navigation(prepared: Prepared, presses: int, lo: int, hi: int) -> list[float]:
    """Seconds from a `[`/`]` press until a rendered frame shows the week (cached weeks)."""
    from ediary_tui.app import EdiaryApp
    from ediary_tui.client import locations
    from ediary_tui.client.api import DiaryClient
    from ediary_tui.client.cache import OfflineCache
    from ediary_tui.client.credentials import CredentialStore
    from ediary_tui.client.session import DiarySession
    from ediary_tui.context import AppContext
    from ediary_tui.embedded import DEMO_ACCOUNTS, EMBEDDED_URL, EmbeddedTransport

    os.environ["EDIARY_HOME"] = str(prepared.home)

    transport = EmbeddedTransport(locations.demo_db_path())
    credentials = CredentialStore()
    session = DiarySession(
        DiaryClient(EMBEDDED_URL, transport=transport), credentials, OfflineCache()
    )
    app = EdiaryApp(
        AppContext.build(session),
        lang="en",
        demo_accounts=DEMO_ACCOUNTS,
        notice=credentials.fallback_notice,
    )
    probe = FrameProbe(app)
    monday = prepared.monday
    times: list[float] = []
    expected_rows: dict[dt.date, int] = {}

    warm_up = 2 * (hi - lo) + 1  # visits every week at least once

    def keys() -> list[tuple[str, int]]:
        """Bouncing between offsets lo and hi from 0: (key, offset after it)."""
        out, at, step = [], 0, -1
        while len(out) < warm_up + presses:
            if not lo <= at + step <= hi:
                step = -step
            at += step
            out.append(("left_square_bracket" if step < 0 else "right_square_bracket", at))
        return out

    async def settle(pilot: Any) -> None:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)

    async with app.run_test(size=(COLS, ROWS)) as pilot:
        await settle(pilot)
        # warm up: visit every week once, note how many of its rows a settled screen shows
        sequence = keys()
        for key, offset in sequence[:warm_up]:
            await pilot.press(key)
            await settle(pilot)
            day = monday + offset * WEEK
            expected_rows[day] = prepared.weeks[day].rows_shown(probe.vt.display)[0]
        for key, offset in sequence[warm_up:]:
            day = monday + offset * WEEK
            probe.waiting = (prepared.weeks[day], expected_rows[day])
            probe.seen_at = None
            started = time.perf_counter()
            await pilot.press(key)
            deadline = started + 5.0
            while probe.seen_at is None and time.perf_counter() < deadline:
                await asyncio.sleep(0.001)
            times.append(probe.seen_at - started if probe.seen_at is not None else float("nan"))
            probe.waiting = None
            await settle(pilot)
    await transport.aclose()
    session.cache.close()
    return times


# --- figures ------------------------------------------------------------------------------


def pct(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), -(-len(ordered) * p // 100)))
    return ordered[int(rank) - 1]


def ms(value: float) -> str:
    return "—" if value != value else f"{value * 1000:.0f}"


def row(name: str, values: list[float], extra: str = "") -> str:
    ok = [v for v in values if v == v]
    if not ok:
        return f"| {name} | {len(values)} | — | — | — | {extra} |"
    return (
        f"| {name} | {len(ok)}/{len(values)} | {ms(statistics.median(ok))} | {ms(min(ok))}"
        f" | {ms(pct(ok, 90))} | {extra} |"
    )


def report(
    args: argparse.Namespace,
    prepared: Prepared,
    bare: list[PtyRun],
    diary: list[PtyRun],
    profile: ImportProfile | None,
    nav: list[float] | None,
) -> str:
    import textual

    bare_first = [r.first_frame for r in bare]
    diary_first = [r.first_frame for r in diary]
    ok_bare = [v for v in bare_first if v == v]
    ok_diary = [v for v in diary_first if v == v]
    ratio = (
        statistics.median(ok_diary) / statistics.median(ok_bare)
        if ok_bare and ok_diary
        else float("nan")
    )
    verdict = "meets" if ratio <= FIRST_FRAME_RATIO else "misses"
    out = [
        f"{dt.datetime.now():%Y-%m-%d %H:%M}, Python {platform.python_version()},"
        f" Textual {textual.__version__}, {os.cpu_count()} CPUs, {platform.system()}"
        f" {platform.release()}, load average {args.load_before:.1f} before and"
        f" {os.getloadavg()[0]:.1f} after; pty {COLS}x{ROWS} TERM=xterm-256color;"
        f" demo school built for {args.demo_today}, week of {prepared.monday} cached,"
        f" remembered login `parent` (token file). Runs interleaved bare/diary.",
        "",
        "### Start-up: launch until the first full frame",
        "",
        "| program | runs | median ms | min ms | p90 ms | q → exit, median ms |",
        "|---|---|---|---|---|---|",
        row(
            'bare Textual app (`Static("ready")`)',
            bare_first,
            ms(statistics.median([r.exit for r in bare])),
        ),
        row(
            "`ediary`, remembered login, cached week",
            diary_first,
            ms(statistics.median([r.exit for r in diary])),
        ),
        "",
        f"Ratio of medians diary/bare: **{ratio:.2f}x** (target ≤ {FIRST_FRAME_RATIO}x: {verdict}).",
        '"First full frame" for the diary: the week\'s range and every lesson row (with its'
        " marks) that the settled screen shows, read from a pyte virtual terminal.",
    ]
    if profile is not None:
        main_n, main_ms = profile.count(before=True, main_thread=True)
        other_n, other_ms = profile.count(before=True, main_thread=False)
        after_n, after_ms = profile.count(before=False, main_thread=True)
        after_other = profile.count(before=False, main_thread=False)
        server_main = profile.server_before(main_thread=True)
        server_other = profile.server_before(main_thread=False)
        out += [
            "",
            "### Imports before the diary's first frame (`-X importtime`, one run)",
            "",
            f"Before the first full frame ({ms(profile.first_frame)} ms in this run, slowed by"
            f" the measuring): {main_n} modules in the main thread ({main_ms:.0f} ms of import"
            f" self time), {other_n} in other threads ({other_ms:.0f} ms); after it:"
            f" {after_n + after_other[0]} ({after_ms + after_other[1]:.0f} ms)."
            f" Server stack before the first frame: main thread"
            f" **{', '.join(server_main) or 'none'}**; other threads"
            f" **{', '.join(server_other) or 'none'}**.",
            "",
            "| package | main thread, before (ms) | other threads, before (ms) | after (ms) |",
            "|---|---|---|---|",
            *[
                f"| `{name}` | {main:.0f} | {other:.0f} | {after:.0f} |"
                for name, main, other, after in profile.by_package()
            ],
            "",
            "Self time per module, summed by package; a thread's figures include its waits"
            " for the GIL.",
        ]
    if nav is not None:
        ok = [v for v in nav if v == v]
        p95 = pct(ok, 95) if ok else float("nan")
        verdict_nav = "meets" if p95 * 1000 < NAV_P95_MS else "misses"
        out += [
            "",
            "### Previous/next week, warm cache (Pilot, in-process, 120x40)",
            "",
            "| key → repainted week | presses | median ms | min ms | p95 ms | max ms |",
            "|---|---|---|---|---|---|",
            f"| `[` / `]` over {args.nav_from}..{args.nav_to} weeks from today's"
            f" | {len(ok)}/{len(nav)} | {ms(statistics.median(ok)) if ok else '—'}"
            f" | {ms(min(ok)) if ok else '—'} | {ms(p95)} | {ms(max(ok)) if ok else '—'} |",
            "",
            f"p95 target < {NAV_P95_MS:.0f} ms: {verdict_nav}. Timed from the key press to the"
            " first frame (as rendered for a terminal) that shows the new week's range and"
            " rows; the server is embedded, so the refresh of that week runs on the same loop.",
        ]
    return "\n".join(out) + "\n"


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


# --- main ----------------------------------------------------------------------------------


def default_demo_today() -> dt.date:
    """The Saturday of this week: the week the app opens on has marks on every day."""
    today = dt.date.today()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="timed starts of each program")
    parser.add_argument("--presses", type=int, default=48, help="timed week changes")
    parser.add_argument("--demo-today", type=dt.date.fromisoformat, default=default_demo_today())
    parser.add_argument("--nav-from", type=int, default=-3, help="first week (offset from today's)")
    parser.add_argument("--nav-to", type=int, default=1, help="last week (offset from today's)")
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--no-imports", action="store_true", help="skip the -X importtime run")
    parser.add_argument("--no-nav", action="store_true", help="skip the navigation part")
    parser.add_argument(
        "--diary-command",
        help="launch this instead of `ediary --lang en` (to compare an experiment)",
    )
    parser.add_argument("--home", type=Path, help="keep the prepared EDIARY_HOME here")
    parser.add_argument("--write", action="store_true", help="put the tables in bench/RESULTS.md")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]

    python = sys.executable
    ediary = Path(python).with_name("ediary")
    diary_argv = (
        shlex.split(args.diary_command)
        if args.diary_command
        else [str(ediary), "--lang", "en"]
        if ediary.exists()
        else [python, "-m", "ediary_tui.cli", "--lang", "en"]
    )
    owned = args.home is None
    home = Path(tempfile.mkdtemp(prefix="ediary-bench-")) if owned else args.home
    if not owned and home.exists():
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    try:
        offsets = range(min(args.nav_from, 0), max(args.nav_to, 0) + 1)
        prepared = asyncio.run(prepare(home, args.demo_today, offsets))
        print(f"prepared {home} in {prepared.seconds:.1f} s", file=sys.stderr)
        markers = prepared.weeks[prepared.monday]
        env = {
            **os.environ,
            "EDIARY_HOME": str(home),
            "TERM": "xterm-256color",
            "COLUMNS": str(COLS),
            "LINES": str(ROWS),
        }
        for name in ("TEXTUAL", "TEXTUAL_DEBUG", "NO_COLOR"):
            env.pop(name, None)
        script = home / "bare_app.py"
        script.write_text(BARE_APP, encoding="utf-8")
        bare_argv = [python, str(script)]

        def bare_check(lines: list[str]) -> bool:
            return any("ready" in line for line in lines)

        # A settled start tells how much of the week a full frame shows (the first run
        # also warms the disk cache and the bytecode of both programs).
        settled = run_in_pty(diary_argv, env, lambda _: False, timeout=4.0)
        rows, with_marks = markers.rows_shown(settled.lines)
        if not markers.shown(settled.lines, 1) or not with_marks:
            print("\n".join(settled.lines), file=sys.stderr)
            raise SystemExit("the settled diary does not show the cached week with marks")
        print(f"a full frame shows {rows} lesson rows, {with_marks} with marks", file=sys.stderr)
        run_in_pty(bare_argv, env, bare_check, timeout=args.timeout)

        def diary_check(lines: list[str]) -> bool:
            return markers.shown(lines, rows)

        bare: list[PtyRun] = []
        diary: list[PtyRun] = []
        for i in range(args.runs):
            bare.append(run_in_pty(bare_argv, env, bare_check, timeout=args.timeout))
            diary.append(run_in_pty(diary_argv, env, diary_check, timeout=args.timeout))
            print(
                f"run {i + 1}/{args.runs}: bare {ms(bare[-1].first_frame)} ms,"
                f" diary {ms(diary[-1].first_frame)} ms",
                file=sys.stderr,
            )
        profile = None
        if not args.no_imports:
            profile = import_profile(python, env, diary_check, args.timeout)
        nav = None
        if not args.no_nav:
            nav = asyncio.run(navigation(prepared, args.presses, args.nav_from, args.nav_to))
        section = report(args, prepared, bare, diary, profile, nav)
    finally:
        if owned:
            shutil.rmtree(home, ignore_errors=True)
    print(section)
    if args.write:
        print(f"written to {write_results(section)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
